/**
 * Weighted multipath over many flows. m reaches 10.2.0.0/15 by r1 and r2
 * with weights 1 and 2 (`nexthop via … weight 1 nexthop via … weight 2`):
 * Linux cuts the 31-bit flow-hash space into one region per next hop, sized
 * by weight (hash-threshold, RFC 2992), so each flow lands on r1 with
 * probability 1/3. Over n flows the count on r1 is binomial(n, 1/3); the
 * scenarios accept it within four standard deviations, 4·sqrt(n·p·(1−p))
 * (a fair hash stays inside with probability above 0.9999): 1000 ± 103 of
 * 3000 flows. The same holds for 1:1:2 and for the extreme 256:1.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { binomialTolerance, twoPaths, udpFlows, udpOut } from "./routing_testing.ts";
import type { Node } from "../../core/node/node.ts";

/** Assert a count lies within the binomial tolerance of n·p. */
function near(count: number, n: number, p: number, what: string) {
  const tol = binomialTolerance(n, p);
  assert.ok(
    Math.abs(count - n * p) <= tol,
    `${what}: ${count} of ${n}, expected ${n * p} ± ${tol.toFixed(1)}`,
  );
}

/** Count what arrives at a UDP port. */
function sink(node: Node, port: number): { n: number } {
  const got = { n: 0 };
  const s = node.root.udp.socket();
  s.bind(0, port);
  s.onMessage = () => {
    s.recv();
    got.n++;
  };
  return got;
}

scenario("multipath weights: 3000 flows split 1:2 by the 5-tuple hash", (net) => {
  const { a, m, b } = twoPaths(net);
  m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  const got = sink(b, 9);
  udpFlows(a, "10.2.0.10", 9, 3000);
  net.run();
  const out = udpOut(net, "m", 9);
  assert.equal((out.eth1 ?? 0) + (out.eth2 ?? 0), 3000);
  near(out.eth1 ?? 0, 3000, 1 / 3, "via r1 (weight 1)");
  near(out.eth2 ?? 0, 3000, 2 / 3, "via r2 (weight 2)");
  // Both paths lead to b: every datagram arrived.
  assert.equal(got.n, 3000);
  // What went by r1 is what r1 forwarded.
  assert.equal(udpOut(net, "r1", 9).eth1, out.eth1);
});

scenario("multipath weights: 254 destinations split 1:2 by the address hash (policy 0)", (net) => {
  const { a, m } = twoPaths(net);
  assert.equal(
    m.sh("sysctl net.ipv4.fib_multipath_hash_policy").stdout,
    "net.ipv4.fib_multipath_hash_policy = 0\n",
  );
  const s = a.root.udp.socket();
  for (let i = 1; i <= 254; i++) {
    net.sim.after(i * 2000, () => s.sendTo(new Uint8Array(8), (10 << 24 | 3 << 16 | i) >>> 0, 9));
  }
  net.run();
  const out = udpOut(net, "m", 9);
  near(out.eth1 ?? 0, 254, 1 / 3, "via r1");
  near(out.eth2 ?? 0, 254, 2 / 3, "via r2");
});

scenario("multipath weights: three next hops 1:1:2 and a 256:1 split", (net) => {
  const { a, m, r1 } = twoPaths(net);
  // A third path: a second link from m to r1 (m eth3 — r1 eth2).
  net.connect(m, r1);
  m.sh("ip addr add 10.13.0.1/30 dev eth3");
  r1.sh("ip addr add 10.13.0.2/30 dev eth2");
  m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  m.sh("ping -c 1 -q 10.13.0.2");
  m.sh(
    "ip route replace 10.2.0.0/15 nexthop via 10.11.0.2 weight 1 nexthop via 10.13.0.2 weight 1 nexthop via 10.12.0.2 weight 2",
  );
  udpFlows(a, "10.2.0.10", 9, 1200);
  net.run();
  const out = udpOut(net, "m", 9);
  near(out.eth1 ?? 0, 1200, 1 / 4, "first, weight 1");
  near(out.eth3 ?? 0, 1200, 1 / 4, "second, weight 1");
  near(out.eth2 ?? 0, 1200, 1 / 2, "third, weight 2");
  m.sh(
    "ip route replace 10.2.0.0/15 nexthop via 10.11.0.2 weight 256 nexthop via 10.12.0.2 weight 1",
  );
  udpFlows(a, "10.2.0.10", 10, 1200);
  net.run();
  const skew = udpOut(net, "m", 10);
  near(skew.eth2 ?? 0, 1200, 1 / 257, "weight 1 of 257");
  near(skew.eth1 ?? 0, 1200, 256 / 257, "weight 256 of 257");
});
