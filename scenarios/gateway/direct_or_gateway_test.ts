/**
 * The first decision a host makes: is the destination on my subnet? If so it
 * ARPs for the destination itself and sends straight to its MAC, even with a
 * default gateway configured and listening on the same LAN. If not, it ARPs
 * only for the gateway, and the frame carries the gateway's MAC while the IP
 * header keeps the server's address. A host never ARPs for an off-subnet
 * address; with no gateway it refuses at once, and with a wrong (too wide)
 * mask it ARPs for a remote address that nobody answers.
 *
 *   a 192.168.1.10 ─┐
 *   b 192.168.1.20 ─┼─ sw ─ 192.168.1.1 r 10.9.0.1 ── 10.9.0.80 srv
 *                   └─ (r's eth0)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [a, b, r, srv] = net.nodes("a", "b", "r", "srv");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  net.connect(r, sw);
  net.connect(r, srv);
  a.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  b.sh("ip addr add 192.168.1.20/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 10.9.0.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  srv.sh("ip addr add 10.9.0.80/24 dev eth0; ip route add default via 10.9.0.1");
  return { a, b, r, srv };
}

/** "node who-has target" for every ARP request sent by a host (not the switch). */
function arpAsks(net: Network, node: string): string[] {
  return net.trace.filter({ kind: "tx", node, arp: true })
    .filter((e) => e.packet.arp!.op === 1)
    .map((e) => formatIp4(e.packet.arp!.targetIp));
}

scenario("gateway: same subnet — ARP for the destination itself, no gateway involved", (net) => {
  const { a, b, r } = build(net);
  assert.match(
    a.sh("ip route get 192.168.1.20").stdout,
    /^192\.168\.1\.20 dev eth0 src 192\.168\.1\.10 /m,
  );
  const out = a.sh("ping -c 2 192.168.1.20");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 192\.168\.1\.20: icmp_seq=2 ttl=64 /m);
  assert.deepEqual(arpAsks(net, "a"), ["192.168.1.20"]);
  for (const e of net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" })) {
    assert.equal(e.packet.eth.dst, b.iface("eth0").mac);
    assert.equal(formatIp4(e.packet.ip!.dst), "192.168.1.20");
  }
  // The router heard the broadcast ARP question (not for it) and nothing else.
  const atRouter = net.trace.filter({ kind: "rx", node: "r" });
  assert.ok(atRouter.length >= 1);
  assert.ok(atRouter.every((e) => e.packet.arp !== undefined && e.packet.arp.op === 1));
  assert.equal(r.root.ip.stats.forwarded, 0);
  assert.doesNotMatch(a.sh("ip neigh").stdout, /192\.168\.1\.1 /);
});

scenario("gateway: other subnet — ARP for the gateway only; its MAC, the server's IP", (net) => {
  const { a, r, srv } = build(net);
  assert.match(
    a.sh("ip route get 10.9.0.80").stdout,
    /^10\.9\.0\.80 via 192\.168\.1\.1 dev eth0 src 192\.168\.1\.10 /m,
  );
  const out = a.sh("ping -c 2 10.9.0.80");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.9\.0\.80: icmp_seq=1 ttl=63 /m);
  assert.deepEqual(arpAsks(net, "a"), ["192.168.1.1"]);
  // The server's address was asked for only on the far side, by the router.
  const forSrv = net.trace.filter({ arp: true })
    .filter((e) => formatIp4(e.packet.arp!.targetIp) === "10.9.0.80");
  assert.ok(forSrv.length >= 1);
  assert.deepEqual([...new Set(forSrv.map((e) => e.link))], ["r-srv"]);
  const first = net.trace.hops({ icmp: "echo-request" }).slice(0, 3);
  assert.deepEqual(first, [
    {
      link: "a-sw",
      node: "a",
      iface: "eth0",
      srcMac: a.mac("eth0"),
      dstMac: r.mac("eth0"),
      srcIp: "192.168.1.10",
      dstIp: "10.9.0.80",
      ttl: 64,
    },
    {
      link: "r-sw",
      node: "sw",
      iface: "port3",
      srcMac: a.mac("eth0"),
      dstMac: r.mac("eth0"),
      srcIp: "192.168.1.10",
      dstIp: "10.9.0.80",
      ttl: 64,
    },
    {
      link: "r-srv",
      node: "r",
      iface: "eth1",
      srcMac: r.mac("eth1"),
      dstMac: srv.mac("eth0"),
      srcIp: "192.168.1.10",
      dstIp: "10.9.0.80",
      ttl: 63,
    },
  ]);
  // a's neighbour table knows its gateway and nobody else.
  const neigh = a.sh("ip -j neigh").stdout;
  assert.deepEqual((JSON.parse(neigh) as Array<{ dst: string }>).map((n) => n.dst), [
    "192.168.1.1",
  ]);
});

scenario("gateway: without a gateway, an off-subnet address is refused, not ARPed", (net) => {
  const { b } = build(net);
  b.sh("ip route del default");
  const out = b.sh("ping -c 1 10.9.0.80");
  assert.equal(out.status, 2);
  assert.match(out.stderr, /^ping: connect: Network is unreachable$/m);
  assert.equal(net.trace.filter({ kind: "tx", node: "b" }).length, 0);
});

scenario("gateway: a too-wide mask makes a remote host look local, and ARP fails", (net) => {
  const { a } = build(net);
  // A typo: /16 instead of /24. 192.168.7.7 (behind some other router) now looks on-link.
  a.sh("ip addr flush dev eth0; ip addr add 192.168.1.10/16 dev eth0");
  a.sh("ip route add default via 192.168.1.1");
  assert.match(
    a.sh("ip route get 192.168.7.7").stdout,
    /^192\.168\.7\.7 dev eth0 src 192\.168\.1\.10 /m,
  );
  const out = a.sh("ping -c 1 192.168.7.7");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^From 192\.168\.1\.10 icmp_seq=1 Destination Host Unreachable$/m);
  assert.deepEqual(arpAsks(net, "a"), ["192.168.7.7", "192.168.7.7", "192.168.7.7"]);
  // The echo request never left: it died in a's neighbour queue.
  assert.equal(net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" }).length, 0);
  assert.equal(net.trace.filter({ kind: "drop", node: "a", reason: "neighbour failed" }).length, 1);
});
