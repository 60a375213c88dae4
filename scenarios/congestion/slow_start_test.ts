/**
 * Slow start from the initial window: the first flight is IW10 (RFC 6928,
 * 10 segments), and with appropriate byte counting (L = 2 SMSS, RFC 3465 §2.2)
 * the window doubles every round trip despite delayed ACKs, for NewReno and
 * for CUBIC without HyStart alike; ssthresh stays infinite until the first
 * loss. Plain RFC 5681 counting (at most 1 SMSS per ACK) with delayed ACKs
 * grows only by half each round trip. A researcher reads this off the cwnd
 * trace, one sample at the end of each round trip.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { Network } from "../../core/lab/network.ts";
import { MSS, path, roundStarts } from "./path_testing.ts";

/** 20 Mbit/s and 100 ms: a BDP of 165 segments, so six doublings fit below it; a huge buffer. */
const RATE = 20e6, RTT = 100 * ms;

/** cwnd (segments) at the end of each round trip, and each round's length, until the first loss. */
function rounds(net: Network, algo: string, ccOptions: Record<string, unknown> = {}) {
  const p = path(net, { algo, ccOptions, rate: RATE, rtt: RTT, buffer: 2000 });
  let firstFlight = -1;
  p.tap = (_e, sock) => {
    if (firstFlight < 0 && sock.stats.bytesAcked > 0) firstFlight = sock.stats.bytesSent;
  };
  p.start();
  net.run(1.5 * s);
  const starts = roundStarts(p.acks);
  const out: Array<{ cwnd: number; length: number; ssthresh: number }> = [];
  // Round i runs from the ACK starting it to the one starting round i + 1.
  for (let i = 1; i + 1 < starts.length; i++) {
    const end = p.acks[starts[i + 1]! - 1]!;
    out.push({
      cwnd: end.cwnd / MSS,
      length: p.acks[starts[i + 1]!]!.t - p.acks[starts[i]!]!.t,
      ssthresh: end.ssthresh,
    });
  }
  assert.equal(p.sock.stats.retransmits, 0, "no loss within the measured rounds");
  return { firstFlight, out };
}

for (const [algo, options] of [["newreno", {}], ["cubic", { hystart: false }]] as const) {
  scenario(`slow start (${algo}): IW10, then the window doubles each round trip`, (net) => {
    const { firstFlight, out } = rounds(net, algo, options);
    assert.equal(firstFlight, 10 * MSS, "the first flight is IW10: 10 full segments");
    // The first round's cwnd is IW10 grown by one MSS per acknowledged MSS.
    assert.equal(out[0]!.cwnd, 20);
    assert.ok(out.length >= 6, `${out.length} rounds before the run ended`);
    for (let i = 1; i < out.length; i++) {
      const ratio = out[i]!.cwnd / out[i - 1]!.cwnd;
      // Byte counting with L = 2 SMSS credits every acknowledged byte, delayed
      // ACK or not, so the ratio is 2 but for where a round's boundary falls:
      // ±5 % leaves room for one ACK (2 segments) either way from 40 segments on.
      assert.ok(Math.abs(ratio - 2) <= 0.1, `round ${i + 1}: ×${ratio.toFixed(3)}`);
      assert.equal(out[i]!.ssthresh, Infinity, "no loss yet: ssthresh infinite");
    }
    // While the window is below the BDP (165 segments) a round is one base RTT:
    // "per round" is "per RTT" (serialization adds at most 5 %).
    for (const r of out.filter((r) => r.cwnd < 160)) {
      assert.ok(r.length >= RTT && r.length <= 1.05 * RTT, `round of ${r.length / ms} ms`);
    }
  }, { trace: "digest" });
}

scenario(
  "slow start with RFC 5681 counting (1 SMSS per ACK) and delayed ACKs: ×1.5 per RTT",
  (net) => {
    const { out } = rounds(net, "newreno", { abcLimit: 1 });
    // Linux's quick-ACK phase acknowledges the first 16 segments one by one (×2
    // in round 1); from then on every other segment is acknowledged and each
    // ACK adds one MSS for two: the window grows by half per round trip.
    assert.equal(out[0]!.cwnd, 20);
    for (let i = 2; i < out.length; i++) {
      const ratio = out[i]!.cwnd / out[i - 1]!.cwnd;
      assert.ok(Math.abs(ratio - 1.5) <= 0.05, `round ${i + 1}: ×${ratio.toFixed(3)}`);
    }
  },
  { trace: "digest" },
);
