/**
 * The notes' forwarding gateway: server A (192.168.1.101) reaches server B
 * (192.168.4.101) through router A (192.168.1.1 | 192.168.56.1) and router B
 * (192.168.56.2 | 192.168.4.1) with static routes. At every hop the MAC
 * addresses change and the IP addresses do not; the TTL drops by one per router.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [a, r1, r2, b] = net.nodes("serverA", "routerA", "routerB", "serverB");
  net.connect(a, r1);
  net.connect(r1, r2);
  net.connect(r2, b);
  a.sh("ip addr add 192.168.1.101/24 dev eth0; ip route add default via 192.168.1.1");
  r1.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 192.168.56.1/24 dev eth1");
  r1.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 192.168.4.0/24 via 192.168.56.2");
  r2.sh("ip addr add 192.168.56.2/24 dev eth0; ip addr add 192.168.4.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 192.168.1.0/24 via 192.168.56.1");
  b.sh("ip addr add 192.168.4.101/24 dev eth0; ip route add default via 192.168.4.1");
  return { a, r1, r2, b };
}

scenario("gateway: MACs change at every hop, IPs never do", (net) => {
  const { a, r1, r2, b } = build(net);
  const out = a.sh("ping -c 1 192.168.4.101");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /64 bytes from 192\.168\.4\.101: icmp_seq=1 ttl=62 time=/);
  assert.deepEqual(net.trace.hops({ icmp: "echo-request" }), [
    {
      link: "serverA-routerA",
      node: "serverA",
      iface: "eth0",
      srcMac: a.mac("eth0"),
      dstMac: r1.mac("eth0"),
      srcIp: "192.168.1.101",
      dstIp: "192.168.4.101",
      ttl: 64,
    },
    {
      link: "routerA-routerB",
      node: "routerA",
      iface: "eth1",
      srcMac: r1.mac("eth1"),
      dstMac: r2.mac("eth0"),
      srcIp: "192.168.1.101",
      dstIp: "192.168.4.101",
      ttl: 63,
    },
    {
      link: "routerB-serverB",
      node: "routerB",
      iface: "eth1",
      srcMac: r2.mac("eth1"),
      dstMac: b.mac("eth0"),
      srcIp: "192.168.1.101",
      dstIp: "192.168.4.101",
      ttl: 62,
    },
  ]);
  // The reply retraces the path with its own MACs, again keeping its IPs.
  assert.deepEqual(
    net.trace.hops({ icmp: "echo-reply" }).map((h) => [h.link, h.srcIp, h.dstIp, h.ttl]),
    [
      ["routerB-serverB", "192.168.4.101", "192.168.1.101", 64],
      ["routerA-routerB", "192.168.4.101", "192.168.1.101", 63],
      ["serverA-routerA", "192.168.4.101", "192.168.1.101", 62],
    ],
  );
});

scenario("gateway: each hop resolves only its own next hop by ARP", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 192.168.4.101");
  // Who asked whom: A asks for its gateway, router A for router B, router B for B.
  const asks = net.trace.filter({ kind: "tx", arp: true })
    .filter((e) => e.packet.arp!.op === 1)
    .map((e) => `${e.node}: who-has ${formatIp(e.packet.arp!.targetIp)}`);
  assert.deepEqual(asks, [
    "serverA: who-has 192.168.1.1",
    "routerA: who-has 192.168.56.2",
    "routerB: who-has 192.168.4.101",
  ]);
  // No IP header anywhere carries a gateway address.
  for (const e of net.trace.filter({ kind: "tx", proto: 1 })) {
    assert.ok(![0xc0a80101, 0xc0a83801, 0xc0a83802, 0xc0a80401].includes(e.packet.ip!.dst));
  }
  assert.match(a.sh("ip neigh").stdout, /^192\.168\.1\.1 dev eth0 lladdr \S+ REACHABLE/m);
});

scenario("gateway: traceroute lists both routers, then the server", (net) => {
  const { a } = build(net);
  const out = a.sh("traceroute -n 192.168.4.101");
  const hops = out.stdout.split("\n").slice(1, -1).map((l) =>
    l.trim().split(/\s+/).slice(0, 2).join(" ")
  );
  assert.deepEqual(hops, ["1 192.168.1.1", "2 192.168.56.2", "3 192.168.4.101"]);
});

scenario("gateway: without a route back, the echo request arrives but the reply is lost", (net) => {
  const { a, r2 } = build(net);
  r2.sh("ip route del 192.168.1.0/24 via 192.168.56.1");
  const out = a.sh("ping -c 1 -W 2 192.168.4.101");
  assert.equal(out.status, 1);
  assert.equal(net.trace.filter({ kind: "rx", node: "serverB", icmp: "echo-request" }).length, 1);
  // Router B has no route to 192.168.1.101: it drops the reply and says so.
  assert.equal(net.trace.filter({ kind: "drop", node: "routerB", reason: "no route" }).length, 1);
});

function formatIp(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}
