/**
 * The hop table through three routers with five hosts, static routes only.
 * Every host reaches every other (20 ordered pairs) with a TTL that counts the
 * routers in between; the hop-by-hop table from h1 to h5 shows, row by row,
 * the MACs of each link changing while the IP addresses never do, the switches
 * passing frames unchanged, and the TTL falling by one per router.
 *
 *   h1 10.1.0.11 ─┐                                          ┌─ h4 10.3.0.14
 *   h2 10.1.0.12 ─┴ sw1 ─ r1 ═ 10.12.0.0/30 ═ r2 ═ 10.23.0.0/30 ═ r3 ─ sw3 ┴─ h5 10.3.0.15
 *                                              │
 *                                         h3 10.2.0.13
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [h1, h2, h3, h4, h5, r1, r2, r3] = net.nodes(
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "r1",
    "r2",
    "r3",
  );
  const sw1 = net.switch("sw1");
  const sw3 = net.switch("sw3");
  net.connect(h1, sw1);
  net.connect(h2, sw1);
  net.connect(r1, sw1);
  net.connect(r1, r2);
  net.connect(r2, h3);
  net.connect(r2, r3);
  net.connect(r3, sw3);
  net.connect(h4, sw3);
  net.connect(h5, sw3);
  h1.sh("ip addr add 10.1.0.11/24 dev eth0; ip route add default via 10.1.0.1");
  h2.sh("ip addr add 10.1.0.12/24 dev eth0; ip route add default via 10.1.0.1");
  h3.sh("ip addr add 10.2.0.13/24 dev eth0; ip route add default via 10.2.0.1");
  h4.sh("ip addr add 10.3.0.14/24 dev eth0; ip route add default via 10.3.0.1");
  h5.sh("ip addr add 10.3.0.15/24 dev eth0; ip route add default via 10.3.0.1");
  r1.sh("ip addr add 10.1.0.1/24 dev eth0; ip addr add 10.12.0.1/30 dev eth1");
  r1.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 10.12.0.2");
  r2.sh("ip addr add 10.12.0.2/30 dev eth0; ip addr add 10.2.0.1/24 dev eth1");
  r2.sh("ip addr add 10.23.0.1/30 dev eth2; sysctl -w net.ipv4.ip_forward=1");
  r2.sh("ip route add 10.1.0.0/24 via 10.12.0.1; ip route add 10.3.0.0/24 via 10.23.0.2");
  r3.sh("ip addr add 10.23.0.2/30 dev eth0; ip addr add 10.3.0.1/24 dev eth1");
  r3.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 10.23.0.1");
  return { h1, h5, r1, r2, r3 };
}

/** Each host's address and the position of its router on the line r1 (0) ─ r2 (1) ─ r3 (2). */
const HOSTS: Record<string, { ip: string; at: number }> = {
  h1: { ip: "10.1.0.11", at: 0 },
  h2: { ip: "10.1.0.12", at: 0 },
  h3: { ip: "10.2.0.13", at: 1 },
  h4: { ip: "10.3.0.14", at: 2 },
  h5: { ip: "10.3.0.15", at: 2 },
};

/** Routers a packet crosses from one host to another: none on one LAN, else the line between. */
function routersBetween(from: string, to: string): number {
  const a = HOSTS[from]!.at, b = HOSTS[to]!.at;
  return a === b ? 0 : Math.abs(a - b) + 1;
}

scenario("gateway: five hosts behind three routers all reach each other", (net) => {
  build(net);
  for (const from of Object.keys(HOSTS)) {
    for (const to of Object.keys(HOSTS)) {
      if (from === to) continue;
      const ttl = 64 - routersBetween(from, to);
      const out = net.get(from).sh(`ping -c 1 ${HOSTS[to]!.ip}`);
      assert.equal(out.status, 0, `${from} → ${to}`);
      assert.match(out.stdout, new RegExp(`icmp_seq=1 ttl=${ttl} `), `${from} → ${to}`);
    }
  }
  assert.equal(net.trace.filter({ kind: "drop" }).length, 0);
});

scenario("gateway: the h1 → h5 hop table, row by row", (net) => {
  const { h1, h5, r1, r2, r3 } = build(net);
  assert.equal(h1.sh("ping -c 1 10.3.0.15").status, 0);
  const row = (
    link: string,
    node: string,
    iface: string,
    srcMac: string,
    dstMac: string,
    ttl: number,
  ) => ({ link, node, iface, srcMac, dstMac, srcIp: "10.1.0.11", dstIp: "10.3.0.15", ttl });
  assert.deepEqual(net.trace.hops({ icmp: "echo-request" }), [
    row("h1-sw1", "h1", "eth0", h1.mac("eth0"), r1.mac("eth0"), 64),
    row("r1-sw1", "sw1", "port3", h1.mac("eth0"), r1.mac("eth0"), 64),
    row("r1-r2", "r1", "eth1", r1.mac("eth1"), r2.mac("eth0"), 63),
    row("r2-r3", "r2", "eth2", r2.mac("eth2"), r3.mac("eth0"), 62),
    row("r3-sw3", "r3", "eth1", r3.mac("eth1"), h5.mac("eth0"), 61),
    row("h5-sw3", "sw3", "port3", r3.mac("eth1"), h5.mac("eth0"), 61),
  ]);
  // The reply walks back with its own MACs, TTL 64 → 61, addresses swapped and never rewritten.
  assert.deepEqual(
    net.trace.hops({ icmp: "echo-reply" }).map((h) => `${h.node} ${h.srcIp}>${h.dstIp} ${h.ttl}`),
    [
      "h5 10.3.0.15>10.1.0.11 64",
      "sw3 10.3.0.15>10.1.0.11 64",
      "r3 10.3.0.15>10.1.0.11 63",
      "r2 10.3.0.15>10.1.0.11 62",
      "r1 10.3.0.15>10.1.0.11 61",
      "sw1 10.3.0.15>10.1.0.11 61",
    ],
  );
});

scenario("gateway: traceroute from h1 names each router by its near-side address", (net) => {
  const { h1 } = build(net);
  const lines = h1.sh("traceroute -n 10.3.0.15").stdout.split("\n").slice(1, -1)
    .map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
  assert.deepEqual(lines, ["1 10.1.0.1", "2 10.12.0.2", "3 10.23.0.2", "4 10.3.0.15"]);
});
