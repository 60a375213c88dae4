/**
 * Hosts on a learning switch reaching a router. The switch is invisible at
 * layer 3 and changes nothing at layer 2: the frame it sends out is the frame
 * that came in (same MACs, same TTL); only the router rewrites the MACs and
 * decrements the TTL. The switch learns each host's and the router's MAC on
 * the right port from the first frames, so once the router's MAC is known a
 * host's traffic to it is no longer flooded to the other hosts.
 *
 *   h1 10.1.1.11 ─ port1 ┐
 *   h2 10.1.1.12 ─ port2 ┼ sw
 *   h3 10.1.1.13 ─ port3 ┤
 *   r  10.1.1.1  ─ port4 ┘    r 10.2.2.1 ── 10.2.2.80 srv
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [h1, h2, h3, r, srv] = net.nodes("h1", "h2", "h3", "r", "srv");
  const sw = net.switch("sw");
  for (const n of [h1, h2, h3, r]) net.connect(n, sw);
  net.connect(r, srv);
  for (const [n, last] of [[h1, 11], [h2, 12], [h3, 13]] as const) {
    n.sh(`ip addr add 10.1.1.${last}/24 dev eth0; ip route add default via 10.1.1.1`);
  }
  r.sh("ip addr add 10.1.1.1/24 dev eth0; ip addr add 10.2.2.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  srv.sh("ip addr add 10.2.2.80/24 dev eth0; ip route add default via 10.2.2.1");
  return { h1, h2, h3, r, srv, sw };
}

scenario("gateway: through a switch, MACs change only at the router", (net) => {
  const { h1, r, srv } = build(net);
  assert.equal(h1.sh("ping -c 1 10.2.2.80").status, 0);
  assert.deepEqual(net.trace.hops({ icmp: "echo-request" }), [
    {
      link: "h1-sw",
      node: "h1",
      iface: "eth0",
      srcMac: h1.mac("eth0"),
      dstMac: r.mac("eth0"),
      srcIp: "10.1.1.11",
      dstIp: "10.2.2.80",
      ttl: 64,
    },
    {
      link: "r-sw",
      node: "sw",
      iface: "port4",
      srcMac: h1.mac("eth0"),
      dstMac: r.mac("eth0"),
      srcIp: "10.1.1.11",
      dstIp: "10.2.2.80",
      ttl: 64,
    },
    {
      link: "r-srv",
      node: "r",
      iface: "eth1",
      srcMac: r.mac("eth1"),
      dstMac: srv.mac("eth0"),
      srcIp: "10.1.1.11",
      dstIp: "10.2.2.80",
      ttl: 63,
    },
  ]);
  assert.deepEqual(
    net.trace.hops({ icmp: "echo-reply" }).map((h) => [h.node, h.srcMac, h.dstMac, h.ttl]),
    [
      ["srv", srv.mac("eth0"), r.mac("eth1"), 64],
      ["r", r.mac("eth0"), h1.mac("eth0"), 63],
      ["sw", r.mac("eth0"), h1.mac("eth0"), 63],
    ],
  );
});

scenario("gateway: the switch learns every MAC on its port", (net) => {
  const { h1, h2, h3, r, sw } = build(net);
  for (const h of [h1, h2, h3]) assert.equal(h.sh("ping -c 1 10.2.2.80").status, 0);
  const table = sw.fdb().map((e) => `${e.port.name} ${formatMac(e.mac)}`);
  assert.deepEqual(table, [
    `port1 ${h1.mac("eth0")}`,
    `port2 ${h2.mac("eth0")}`,
    `port3 ${h3.mac("eth0")}`,
    `port4 ${r.mac("eth0")}`,
  ]);
  // The router's eth1 MAC is on the other side of the router: never seen by the switch.
  assert.ok(!sw.fdb().some((e) => formatMac(e.mac) === r.mac("eth1")));
});

scenario("gateway: once learned, traffic to the router is not flooded to other hosts", (net) => {
  const { h1, h2 } = build(net);
  assert.equal(h1.sh("ping -c 1 10.2.2.80").status, 0);
  const before = net.trace.filter({ kind: "rx", node: "h3" }).length;
  // h2's ARP request is flooded (broadcast) — h1 and h3 see it — but its unicast frames are not.
  assert.equal(h2.sh("ping -c 3 10.2.2.80").status, 0);
  const seenByH3 = net.trace.filter({ kind: "rx", node: "h3" }).slice(before);
  assert.deepEqual(seenByH3.map((e) => e.packet.arp?.op), [1]);
  assert.equal(net.trace.filter({ kind: "rx", node: "h1", proto: 1, src: "10.1.1.12" }).length, 0);
  assert.equal(net.trace.filter({ kind: "rx", node: "h1", proto: 1, dst: "10.1.1.12" }).length, 0);
  assert.equal(net.trace.filter({ kind: "drop", reason: "not for this host" }).length, 0);
});
