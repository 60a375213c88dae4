/**
 * The server's own conflict check (RFC 2131 §4.4.1 suggests it; dnsmasq does
 * it): before offering an address it sends an ICMP echo there and waits three
 * seconds, deaf to other DHCP messages meanwhile. A host that answers owns the
 * address: dnsmasq moves on to the next one and pings again, so the OFFER
 * comes three seconds later still. With `--no-ping` the OFFER is immediate —
 * and a client that does not probe (ISC dhclient) then takes an address
 * another host already uses.
 *
 *   srv 192.168.1.1 ─┐
 *   old 192.168.1.135 (static) ─┼─ sw ── pc (dhclient)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { dhcpOnWire, formatIp4, ip, lan, secs } from "./dhcp_testing.ts";

function withOldHost(net: Network, dnsmasqArgs: string) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const old = net.node("old");
  net.connect(old, net.devices.get("sw")!);
  old.sh("ip addr add 192.168.1.135/24 dev eth0");
  srv.sh(`dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h ${dnsmasqArgs}`);
  const r = pc!.sh("dhclient eth0");
  return { srv, old, pc: pc!, r };
}

scenario("dhcp ping check: an answered echo makes the server skip the address", (net) => {
  const { pc } = withOldHost(net, "");
  const echoes = net.trace.filter({ kind: "tx", node: "srv", icmp: "echo-request" });
  assert.deepEqual(echoes.map((e) => formatIp4(e.packet.ip!.dst)), ["192.168.1.135"]);
  // dnsmasq's echo: 20 zero bytes after the 8-byte header, DF set.
  assert.equal((echoes[0]!.packet.icmp!.payload as Uint8Array).length, 20);
  const replies = net.trace.filter({ kind: "tx", node: "old", icmp: "echo-reply" });
  assert.equal(replies.length, 1);
  // The ping was answered at once, but dnsmasq waits out its 3 s before trying .136, whose
  // echo never leaves: nobody answers ARP for it.
  const who = (a: string) =>
    net.trace.filter({ kind: "tx", node: "srv", arp: true })
      .filter((e) => e.packet.arp!.targetIp === ip(a) && e.packet.arp!.op === 1);
  const who136 = who("192.168.1.136");
  assert.equal(secs(who136[0]!.time - who("192.168.1.135")[0]!.time), 3);
  assert.equal(who136.length, 3);
  const [discover] = dhcpOnWire(net, { type: "DHCPDISCOVER" });
  const [offer] = dhcpOnWire(net, { type: "DHCPOFFER" });
  assert.equal(formatIp4(offer!.message.yiaddr), "192.168.1.136");
  const delay = secs(offer!.time - discover!.time);
  assert.ok(delay > 6 && delay < 6.01, `offered after ${delay} s`);
  assert.match(pc.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.136\/24/);
});

scenario(
  "dhcp ping check: with --no-ping the offer is immediate, and the address clashes",
  (net) => {
    const { srv, old, pc } = withOldHost(net, "--no-ping");
    assert.equal(net.trace.filter({ kind: "tx", node: "srv", icmp: "echo-request" }).length, 0);
    const [discover] = dhcpOnWire(net, { type: "DHCPDISCOVER" });
    const [offer] = dhcpOnWire(net, { type: "DHCPOFFER" });
    assert.ok(secs(offer!.time - discover!.time) < 0.001);
    assert.equal(formatIp4(offer!.message.yiaddr), "192.168.1.135");
    // dhclient does not probe: two hosts now answer ARP for .135.
    assert.match(pc.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
    assert.match(old.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
    srv.sh("ip neigh flush dev eth0");
    srv.sh("ping -c 1 192.168.1.135");
    const answers = net.trace.filter({ kind: "tx", arp: true })
      .filter((e) => net.nodeMap.has(e.node) && e.packet.arp!.op === 2)
      .filter((e) => e.packet.arp!.senderIp === ip("192.168.1.135") && e.time > offer!.time);
    assert.deepEqual(answers.map((e) => e.node).sort(), ["old", "pc"]);
  },
);

scenario("dhcp ping check: --no-ping takes no value", (net) => {
  const { srv } = lan(net);
  const r = srv.sh("dnsmasq --port=0 --no-ping=yes --dhcp-range=192.168.1.100,192.168.1.200");
  assert.deepEqual([r.stderr, r.status], ["\ndnsmasq: bad command line options: try --help\n", 1]);
});
