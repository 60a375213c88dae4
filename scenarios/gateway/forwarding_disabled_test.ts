/**
 * A box with two interfaces is not a router until `net.ipv4.ip_forward=1`.
 * With forwarding off (Linux's default) a packet for another network is
 * dropped with "forwarding disabled" and nothing at all is sent back — no ICMP
 * error — so the sender just sees silence. The box still answers for its own
 * addresses, including the one on its far interface. Turning forwarding on
 * fixes it; turning it off on one interface stops only what arrives there.
 *
 *   a 10.0.1.2 ── 10.0.1.1 r 10.0.2.1 ── 10.0.2.2 b
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [a, r, b] = net.nodes("a", "r", "b");
  net.connect(a, r);
  net.connect(r, b);
  a.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.1");
  r.sh("ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  b.sh("ip addr add 10.0.2.2/24 dev eth0; ip route add default via 10.0.2.1");
  return { a, r, b };
}

scenario("gateway: with ip_forward=0 the router drops silently", (net) => {
  const { a, r } = build(net);
  assert.equal(r.sh("sysctl net.ipv4.ip_forward").stdout, "net.ipv4.ip_forward = 0\n");
  const out = a.sh("ping -c 3 -W 1 10.0.2.2");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^3 packets transmitted, 0 received, 100% packet loss/m);
  assert.doesNotMatch(out.stdout, /^From /m); // no error came back
  const drops = net.trace.filter({ kind: "drop", node: "r" });
  assert.equal(drops.length, 3);
  assert.ok(drops.every((e) => e.reason === "forwarding disabled" && e.iface === "eth0"));
  // The router sent nothing but its one ARP reply to a; nothing went towards b.
  const sent = net.trace.filter({ kind: "tx", node: "r" });
  assert.deepEqual(sent.map((e) => [e.iface, e.packet.arp?.op]), [["eth0", 2]]);
  assert.equal(net.trace.filter({ node: "b" }).length, 0);
  assert.equal(r.root.ip.stats.forwarded, 0);
  // The kernel refuses to route what it would receive on eth0.
  const get = r.sh("ip route get 10.0.2.2 from 10.0.1.2 iif eth0");
  assert.equal(get.status, 2);
  assert.match(get.stderr, /^RTNETLINK answers: /);
});

scenario("gateway: a non-forwarding box still answers for all its own addresses", (net) => {
  const { a } = build(net);
  // 10.0.2.1 is on r's far interface, but it is r's own address: local delivery, not forwarding.
  const out = a.sh("ping -c 1 10.0.2.1");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.1: icmp_seq=1 ttl=64 /m);
  assert.equal(net.trace.filter({ kind: "tx", node: "r", iface: "eth1" }).length, 0);
});

scenario("gateway: ip_forward=1 makes it a router", (net) => {
  const { a, r } = build(net);
  assert.equal(r.sh("sysctl -w net.ipv4.ip_forward=1").stdout, "net.ipv4.ip_forward = 1\n");
  const out = a.sh("ping -c 2 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.2: icmp_seq=2 ttl=63 /m);
  assert.equal(net.trace.filter({ kind: "drop", reason: "forwarding disabled" }).length, 0);
  assert.equal(r.root.ip.stats.forwarded, 4);
  assert.match(r.sh("sysctl net.ipv4.conf.eth0.forwarding").stdout, / = 1$/m);
});

scenario("gateway: forwarding off on one interface stops only what arrives there", (net) => {
  const { a, r, b } = build(net);
  r.sh("sysctl -w net.ipv4.ip_forward=1; sysctl -w net.ipv4.conf.eth0.forwarding=0");
  // b → a: the request arrives on eth1 (forwarded); the reply arrives on eth0 (dropped).
  assert.equal(b.sh("ping -c 1 -W 1 10.0.1.2").status, 1);
  assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: "echo-request" }).length, 1);
  const dropped = net.trace.filter({ kind: "drop", node: "r", reason: "forwarding disabled" });
  assert.deepEqual(dropped.map((e) => [e.iface, e.packet.icmp!.type]), [["eth0", 0]]);
  // a → b: the request itself arrives on eth0 and goes no further.
  assert.equal(a.sh("ping -c 1 -W 1 10.0.2.2").status, 1);
  assert.equal(net.trace.filter({ kind: "rx", node: "b", icmp: "echo-request" }).length, 0);
});
