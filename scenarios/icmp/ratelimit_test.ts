/**
 * ICMP error rate limiting, Linux's per-peer token bucket: with
 * `sysctl -w net.ipv4.icmp_ratelimit=1000` a host sends one error per 1000 ms
 * to each destination host after a burst of six, for the types in
 * `icmp_ratemask` (destination unreachable, time exceeded, …). Not limited:
 * echo replies (not in the mask), "fragmentation needed" (path MTU discovery
 * must not stall), and errors to the host itself over loopback. packetlab's
 * default is 0 (no limit), so that other scenarios see every error.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { ip, line, pair } from "./topology_testing.ts";

/** `n` datagrams to a closed port of `dst`, all at once; returns the socket. */
function burst(net: Network, from: string, dst: string, n: number, size = 8) {
  const sock = net.get(from).root.udp.socket();
  for (let k = 0; k < n; k++) sock.sendTo(size, ip(dst), 9, { df: true });
  return sock;
}

scenario("icmp ratelimit: off by default, every datagram to a closed port is answered", (net) => {
  const { a, b } = pair(net);
  assert.equal(b.sh("sysctl net.ipv4.icmp_ratelimit").stdout, "net.ipv4.icmp_ratelimit = 0\n");
  const sock = burst(net, "a", "10.0.0.2", 20);
  net.run();
  assert.equal(sock.errors.length, 20);
  assert.equal(b.root.ip.stats.icmpOutErrors, 20);
  void a;
});

scenario("icmp ratelimit: 1000 ms gives a burst of 6 errors, then 1 per second", (net) => {
  const { b } = pair(net);
  b.sh("sysctl -w net.ipv4.icmp_ratelimit=1000");
  const settle = () => net.runFor(10 * ms);
  const sock = burst(net, "a", "10.0.0.2", 20);
  settle();
  assert.equal(sock.errors.length, 6);
  assert.equal(b.root.udp.stats.noPorts, 20, "all 20 reached b; 14 went unanswered");
  // Half a second later the bucket holds half a token: nothing.
  net.runFor(490 * ms);
  burst(net, "a", "10.0.0.2", 3);
  settle();
  assert.equal(b.root.ip.stats.icmpOutErrors, 6);
  // A second after the first errors: exactly one more.
  net.runFor(500 * ms);
  burst(net, "a", "10.0.0.2", 3);
  settle();
  assert.equal(b.root.ip.stats.icmpOutErrors, 7);
  // After a long quiet spell the burst is back, but never more than 6.
  net.runFor(60 * s);
  burst(net, "a", "10.0.0.2", 10);
  settle();
  assert.equal(b.root.ip.stats.icmpOutErrors, 13);
  assert.equal(sock.errors.length, 6);
});

scenario("icmp ratelimit: each destination host has its own bucket", (net) => {
  const [a, c, b] = net.nodes("a", "c", "b");
  const sw = net.switch("sw");
  for (const n of [a, c, b]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0; sysctl -w net.ipv4.icmp_ratelimit=1000");
  const fromA = burst(net, "a", "10.0.0.2", 10);
  const fromC = burst(net, "c", "10.0.0.2", 10);
  net.run();
  assert.equal(fromA.errors.length, 6);
  assert.equal(fromC.errors.length, 6);
  const to = net.trace.filter({ kind: "tx", node: "b", icmp: 3 }).map((e) => e.packet.ip!.dst);
  assert.equal(to.filter((d) => d === ip("10.0.0.1")).length, 6);
  assert.equal(to.filter((d) => d === ip("10.0.0.3")).length, 6);
});

scenario("icmp ratelimit: time exceeded is limited, echo replies are not", (net) => {
  const { a, r1 } = line(net);
  r1.sh("sysctl -w net.ipv4.icmp_ratelimit=1000");
  let out = a.sh("ping -c 10 -i 0.01 -t 1 -W 1 10.0.2.2");
  assert.equal((out.stdout.match(/Time to live exceeded/g) ?? []).length, 6);
  assert.equal(net.trace.filter({ kind: "drop", node: "r1", reason: "ttl exceeded" }).length, 10);
  out = a.sh("ping -c 10 -i 0.01 10.0.1.1");
  assert.match(out.stdout, /^10 packets transmitted, 10 received, 0% packet loss/m);
});

scenario("icmp ratelimit: fragmentation needed is never limited", (net) => {
  const { r1 } = line(net, { middle: { mtu: 1400 } });
  r1.sh("sysctl -w net.ipv4.icmp_ratelimit=1000");
  // Ten 1500-byte DF datagrams at once: each one is refused and each refusal is sent.
  const sock = burst(net, "a", "10.0.2.2", 10, 1472);
  net.run();
  const needed = net.trace.filter({ kind: "tx", node: "r1", icmp: 3 });
  assert.equal(needed.length, 10);
  assert.ok(
    needed.every((e) => e.packet.icmp!.code === 4 && (e.packet.icmp!.rest & 0xffff) === 1400),
  );
  assert.equal(sock.errors.length, 10);
});

scenario("icmp ratelimit: errors to ourselves over loopback are not limited", (net) => {
  const { a } = pair(net);
  a.sh("sysctl -w net.ipv4.icmp_ratelimit=1000");
  const sock = burst(net, "a", "127.0.0.1", 10);
  net.run();
  assert.equal(sock.errors.length, 10);
  assert.ok(net.trace.filter({ icmp: 3 }).every((e) => e.iface === "lo"));
});
