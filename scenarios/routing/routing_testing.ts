/**
 * Test support for the policy-routing and multipath scenarios.
 *
 * `twoPaths()` builds the diamond the multipath scenarios share:
 *
 * ```
 *                 .2 r1 .1
 *    10.11.0.0/30 /        \ 10.21.0.0/30
 *  a ——— m (eth1)            (eth1) f ——— b
 *  10.1.0.0/24    \ (eth2)  (eth2) /     10.2.0.0/24
 *    10.12.0.0/30  .2 r2 .1   10.22.0.0/30
 * ```
 *
 * `a` is 10.1.0.10 behind m (10.1.0.1), `b` is 10.2.0.10 behind f
 * (10.2.0.1) and also owns the whole of 10.3.0.0/24 (`ip route add local`),
 * so every address there answers: many destinations for address-hashed
 * flows. m reaches 10.2.0.0/15 and f reaches 10.1.0.0/24 over both r1 and r2
 * with one multipath route each, weighted as asked.
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { ip } from "../../core/wire/addr.ts";

/**
 * A host behind a router with two uplinks: h 192.168.1.10 — (eth0
 * 192.168.1.1) r (eth1 172.16.1.1 → g1 172.16.1.2, eth2 172.16.2.1 → g2
 * 172.16.2.2). main's default route takes g1, table 100's takes g2; r forwards.
 */
export function twoUplinks(net: Network): { h: Node; r: Node; g1: Node; g2: Node } {
  const [h, r, g1, g2] = net.nodes("h", "r", "g1", "g2");
  net.connect(h, r); // h eth0 — r eth0
  net.connect(r, g1); // r eth1
  net.connect(r, g2); // r eth2
  h.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 172.16.1.1/24 dev eth1",
    "ip addr add 172.16.2.1/24 dev eth2",
    "ip route add default via 172.16.1.2",
    "ip route add default via 172.16.2.2 table 100",
  ].join("\n"));
  g1.sh("ip addr add 172.16.1.2/24 dev eth0");
  g2.sh("ip addr add 172.16.2.2/24 dev eth0");
  return { h, r, g1, g2 };
}

/** The diamond of `twoPaths()`. */
export interface TwoPaths {
  a: Node;
  m: Node;
  r1: Node;
  r2: Node;
  f: Node;
  b: Node;
}

/** Build the diamond; `weights` are m's and f's weights for r1 and r2 (default 1:2). */
export function twoPaths(net: Network, weights: [number, number] = [1, 2]): TwoPaths {
  const [a, m, r1, r2, f, b] = net.nodes("a", "m", "r1", "r2", "f", "b");
  net.connect(a, m); // a eth0 — m eth0
  net.connect(m, r1); // m eth1 — r1 eth0
  net.connect(m, r2); // m eth2 — r2 eth0
  net.connect(f, r1); // f eth0 — r1 eth1
  net.connect(f, r2); // f eth1 — r2 eth1
  net.connect(f, b); // f eth2 — b eth0
  const [w1, w2] = weights;
  a.sh("ip addr add 10.1.0.10/24 dev eth0; ip route add default via 10.1.0.1");
  m.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 10.1.0.1/24 dev eth0",
    "ip addr add 10.11.0.1/30 dev eth1",
    "ip addr add 10.12.0.1/30 dev eth2",
    `ip route add 10.2.0.0/15 nexthop via 10.11.0.2 weight ${w1} nexthop via 10.12.0.2 weight ${w2}`,
  ].join("\n"));
  for (const [r, k] of [[r1, 1], [r2, 2]] as const) {
    r.sh([
      "sysctl -w net.ipv4.ip_forward=1",
      `ip addr add 10.1${k}.0.2/30 dev eth0`,
      `ip addr add 10.2${k}.0.2/30 dev eth1`,
      `ip route add 10.1.0.0/24 via 10.1${k}.0.1`,
      `ip route add 10.2.0.0/15 via 10.2${k}.0.1`,
    ].join("\n"));
  }
  f.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 10.21.0.1/30 dev eth0",
    "ip addr add 10.22.0.1/30 dev eth1",
    "ip addr add 10.2.0.1/24 dev eth2",
    `ip route add 10.1.0.0/24 nexthop via 10.21.0.2 weight ${w1} nexthop via 10.22.0.2 weight ${w2}`,
    "ip route add 10.3.0.0/24 via 10.2.0.10",
  ].join("\n"));
  b.sh([
    "ip addr add 10.2.0.10/24 dev eth0",
    "ip route add local 10.3.0.0/24 dev lo",
    "ip route add default via 10.2.0.1",
  ].join("\n"));
  // Resolve every neighbour first, so that bursts of flows wait in no ARP queue.
  for (
    const [n, peer] of [[a, "10.1.0.1"], [m, "10.11.0.2"], [m, "10.12.0.2"], [f, "10.21.0.2"], [
      f,
      "10.22.0.2",
    ], [f, "10.2.0.10"]] as const
  ) {
    n.sh(`ping -c 1 -q ${peer}`);
  }
  return { a, m, r1, r2, f, b };
}

/**
 * Send one UDP datagram per source port `first`…`first + n - 1` from `node`
 * to `dst:dport` (each a flow of its own under the 5-tuple hash), `times`
 * datagrams per flow, one flow every 2 µs (so that no transmit queue
 * overflows). Run the network afterwards.
 */
export function udpFlows(
  node: Node,
  dst: string,
  dport: number,
  n: number,
  first = 20000,
  times = 1,
): void {
  const udp = node.root.udp;
  const sim = node.root.ip.ns.sim;
  for (let i = 0; i < n; i++) {
    sim.after(i * 2000, () => {
      const s = udp.socket();
      s.bind(0, first + i);
      for (let t = 0; t < times; t++) s.sendTo(new Uint8Array(8), ip(dst), dport);
      s.close();
    });
  }
}

/** How many UDP datagrams to `dport` a node sent out of each of its interfaces. */
export function udpOut(net: Network, node: string, dport: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of net.trace.filter({ kind: "tx", node, proto: 17 })) {
    if (e.packet.udp?.dstPort !== dport) continue;
    out[e.iface] = (out[e.iface] ?? 0) + 1;
  }
  return out;
}

/**
 * The binomial tolerance for a share of `n` flows: z standard deviations,
 * z·sqrt(n·p·(1−p)). With z = 4 a fair hash stays inside with probability
 * above 0.9999.
 */
export function binomialTolerance(n: number, p: number, z = 4): number {
  return z * Math.sqrt(n * p * (1 - p));
}
