/**
 * SACK (RFC 2018, RFC 6675) tells the sender exactly which segments arrived,
 * so it can repair several holes in one round trip. Four segments of one
 * window are lost: the receiver's duplicate ACKs carry SACK blocks for what
 * it holds beyond the holes, the block with the newest segment first; the
 * sender retransmits all four missing segments within one RTT, and only
 * those, without a timeout. The same losses without SACK take NewReno one
 * round trip per hole. Bursts of loss (Gilbert–Elliott, fixed seed) are
 * repaired from the scoreboard as well, with no timeout.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { dropWhere, ip, nthData, pair, pattern, segments, serve } from "./tcp_testing.ts";

const MSS = 1448;
/** Relative sequence number of the k-th segment (1-based). */
const seg = (k: number) => (k - 1) * MSS + 1;

function bulk(net: Network, n: number, sack: boolean) {
  const { a, b, link } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  if (!sack) a.sh("sysctl -w net.ipv4.tcp_sack=0");
  const srv = serve(b, 80);
  const c = a.root.tcp.socket({ congestion: "newreno" });
  const data = pattern(n * MSS, 4);
  c.onConnect = () => c.send(data);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  return { link, c, srv, data };
}

/** Retransmissions by a: [time, relative seq]. */
function retransmissions(net: Network): Array<[number, number]> {
  const seen = new Set<number>();
  const out: Array<[number, number]> = [];
  for (const g of segments(net, { node: "a" })) {
    if (g.len === 0) continue;
    if (seen.has(g.seq)) out.push([g.time, g.seq]);
    seen.add(g.seq);
  }
  return out;
}

scenario("sack: four holes in one window, all repaired within one round trip", (net) => {
  const { link, c, srv, data } = bulk(net, 100, true);
  dropWhere(net, link.b, nthData(31, 35, 39, 43));
  net.run(3 * s);
  const rtx = retransmissions(net);
  assert.deepEqual(srv.received[0], data);
  // Exactly the four lost segments, nothing else…
  assert.deepEqual(rtx.map(([, q]) => q), [seg(31), seg(35), seg(39), seg(43)]);
  // …all sent together, 80 ms in, as soon as the SACKs showed them missing.
  assert.deepEqual(rtx.map(([t]) => t / ms), [80, 80, 80, 80]);
  assert.deepEqual([c.stats.timeouts, c.stats.fastRetransmits], [0, 1]);
});

scenario(
  "sack: the duplicate ACKs name what arrived beyond the holes, newest block first",
  (net) => {
    const { link } = bulk(net, 40, true);
    dropWhere(net, link.b, nthData(5, 9));
    net.run(3 * s);
    const isnA = segments(net).find((g) => g.flags === "S")!.tcp.seq;
    const rel = (x: number) => (x - isnA) >>> 0;
    const dups = segments(net, { node: "b" }).filter((g) => g.ack === seg(5) && g.tcp.options.sack);
    const blocks = dups.map((g) => g.tcp.options.sack!.map(([l, r]) => [rel(l), rel(r)]));
    // Segments 6, 7, 8 arrive: one growing block.
    assert.deepEqual(blocks.slice(0, 3), [
      [[seg(6), seg(7)]],
      [[seg(6), seg(8)]],
      [[seg(6), seg(9)]],
    ]);
    // Then 10, 11, … beyond the second hole: a new block, listed first.
    assert.deepEqual(blocks[3], [[seg(10), seg(11)], [seg(6), seg(9)]]);
    assert.deepEqual(blocks[4], [[seg(10), seg(12)], [seg(6), seg(9)]]);
    // At most three blocks fit beside the timestamp option.
    assert.ok(blocks.every((bl) => bl.length <= 3));
  },
);

scenario("sack: without it, NewReno needs one round trip per hole", (net) => {
  const { link, c, srv, data } = bulk(net, 100, false);
  dropWhere(net, link.b, nthData(31, 35, 39, 43));
  net.run(3 * s);
  assert.deepEqual(srv.received[0], data);
  const rtx = retransmissions(net);
  assert.deepEqual(rtx.map(([, q]) => q), [seg(31), seg(35), seg(39), seg(43)]);
  const spacing = rtx.slice(1).map(([t], i) => t - rtx[i]![0]);
  assert.deepEqual(spacing, [20 * ms, 20 * ms, 20 * ms]);
  assert.deepEqual([c.stats.timeouts, c.stats.fastRetransmits], [0, 1]);
});

scenario("sack: bursts of loss (Gilbert–Elliott, seeded) are repaired without a timeout", (net) => {
  const { a, b, link } = pair(net, { rate: "20mbit", delay: "20ms" }, { permanent: true });
  const srv = serve(b, 80);
  link.setLoss({ p: 0.02, r: 0.4 }, link.a);
  const c = a.root.tcp.socket();
  const data = pattern(600_000, 11);
  c.onConnect = () => c.send(data);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(20 * s);
  assert.deepEqual(srv.received[0], data);
  const lost = net.trace.filter({ kind: "drop", node: "b", reason: "random loss" })
    .map((e) => e.packet.tcp!.seq);
  const inBursts = lost.filter((x, i) => i > 0 && ((x - lost[i - 1]!) | 0) === MSS).length;
  assert.ok(inBursts >= 3, `${inBursts} losses right after another`);
  assert.equal(c.stats.timeouts, 0);
  assert.ok(c.stats.retransmits >= lost.length && c.stats.retransmits <= lost.length + 5);
  assert.ok(c.stats.fastRetransmits >= 1);
});
