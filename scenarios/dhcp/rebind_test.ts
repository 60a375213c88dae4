/**
 * Rebinding: the server that granted the lease is gone. From T1 the client
 * unicasts its REQUEST to it, and retries at half the time left to T2, at least
 * a minute apart (RFC 2131 §4.4.5) — each answered by an ICMP port unreachable
 * from the host whose server died; at T2 (7/8 of the lease) it broadcasts the
 * REQUEST instead, still from its own address, so that any server may answer.
 * An authoritative server takes the client over (its own server id from then
 * on); one that is not authoritative keeps quiet about a lease it does not
 * know, and the client rebinds until the lease runs out.
 *
 *   srv  192.168.1.1 (dnsmasq, stopped after the lease)  ─┐
 *   srv2 192.168.1.2 (dnsmasq, started after the lease) ─┼─ sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, formatIp4, lan, secs } from "./dhcp_testing.ts";

function boundThenServerDies(net: Network) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const srv2 = net.node("srv2");
  net.connect(srv2, net.devices.get("sw")!);
  srv2.sh("ip addr add 192.168.1.2/24 dev eth0");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,10m");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", arpProbe: false });
  client.start();
  net.runFor(5e9);
  assert.equal(client.state, "BOUND");
  assert.equal(srv.sh("pkill dnsmasq").status, 0);
  return { srv2, pc: pc!, client, lease: client.lease! };
}

scenario(
  "dhcp rebind: unicast retries until T2, then a broadcast another server answers",
  (net) => {
    const { srv2, client, lease } = boundThenServerDies(net);
    srv2.sh("dnsmasq --port=0 --dhcp-authoritative --dhcp-range=192.168.1.100,192.168.1.200,10m");
    net.run(lease.rebindAt + 1e9);
    const requests = dhcpOnWire(net, { type: "DHCPREQUEST", node: "pc" }).slice(1);
    const t0 = lease.obtained;
    // T1 = 300 s, then half the way to T2 (at least 60 s), then T2 = 525 s.
    assert.deepEqual(requests.map((w) => [secs(w.time - t0), w.dst]), [
      [300, "192.168.1.1"],
      [412.5, "192.168.1.1"],
      [472.5, "192.168.1.1"],
      [525, "255.255.255.255"],
    ]);
    for (const w of requests) {
      assert.equal(w.src, "192.168.1.135");
      assert.equal(formatIp4(w.message.ciaddr), "192.168.1.135");
    }
    // Each unicast got a port unreachable: the host is there, its server is not.
    const unreachable = net.trace.filter({ kind: "tx", node: "srv", iface: "eth0", icmp: 3 });
    assert.equal(unreachable.length, 3);
    // srv2 answered the broadcast, to the client's address.
    const acks = dhcpOnWire(net, { type: "DHCPACK", node: "srv2" });
    assert.equal(acks.length, 1);
    assert.deepEqual([acks[0]!.src, acks[0]!.dst], ["192.168.1.2", "192.168.1.135"]);
    assert.equal(client.state, "BOUND");
    assert.equal(formatIp4(client.lease!.serverId), "192.168.1.2");
    assert.equal(formatIp4(client.lease!.address), "192.168.1.135");
    assert.deepEqual(
      client.history.filter((h) => h.time >= t0 + 300e9).map((h) => h.state),
      ["RENEWING", "REBINDING", "BOUND"],
    );
    // Renewals now go to srv2.
    net.run(client.lease!.renewAt + 1e9);
    const last = dhcpOnWire(net, { type: "DHCPREQUEST", node: "pc" }).at(-1)!;
    assert.deepEqual([last.dst, secs(last.time - client.lease!.obtained)], ["192.168.1.2", 0]);
  },
);

scenario(
  "dhcp rebind: a server that is not authoritative ignores it, the lease runs out",
  (net) => {
    const { srv2, pc, client, lease } = boundThenServerDies(net);
    srv2.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,10m");
    net.run(lease.expiresAt - 1);
    const requests = dhcpOnWire(net, { type: "DHCPREQUEST", node: "pc" }).slice(1);
    // At T2, then half the time left to expiry (at least 60 s): 585 s.
    assert.deepEqual(
      requests.filter((w) => w.dst === "255.255.255.255").map((w) => secs(w.time - lease.obtained)),
      [525, 585],
    );
    assert.deepEqual(dhcpOnWire(net, { node: "srv2" }), []);
    assert.equal(client.state, "REBINDING");
    // At expiry the client starts over, and srv2 (which knows nothing of the old lease) gives it one.
    net.runFor(10e9);
    assert.equal(client.state, "BOUND");
    assert.equal(formatIp4(client.lease!.serverId), "192.168.1.2");
    const discover = dhcpOnWire(net, { type: "DHCPDISCOVER" }).at(-1)!;
    assert.equal(discover.time, lease.expiresAt);
    assert.equal(formatIp4(discover.message.options.requestedAddress!), "192.168.1.135");
    assert.match(pc.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
  },
);
