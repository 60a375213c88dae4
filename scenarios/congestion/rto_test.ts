/**
 * A retransmission timeout collapses the window to one segment: the
 * bottleneck cable is pulled for 2.2 s in the middle of a transfer; the
 * sender's retransmission timer fires about an RTO after the last ACK, sets
 * ssthresh to β × the window it had (NewReno ½, CUBIC 0.7) and cwnd to 1 MSS
 * (RFC 5681 §3.1, RFC 9438 §4.8), backs off exponentially while the cable is
 * out (gaps of 2×, 4× the RTO, RFC 6298 §5.5) without lowering ssthresh
 * again, and once the path is back slow-starts from one segment up to
 * ssthresh, then grows linearly.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { MSS, path, roundStarts, sampler } from "./path_testing.ts";

// Linux's RTO is SRTT + max(200 ms, 4·RTTVAR), about 0.3 s on this path:
// three backed-off timeouts (0.3, 0.9 and 2.1 s after the cut) fit in 2.2 s.
const CUT = 3 * s, BACK = 5.2 * s;

for (const [algo, beta] of [["newreno", 0.5], ["cubic", 0.7]] as const) {
  scenario(`RTO (${algo}): cable out for 2.2 s — cwnd 1 MSS, back-off, slow start again`, (net) => {
    const p = path(net, { algo, rate: 10e6, rtt: 40 * ms, buffer: 50 });
    p.start();
    let cwndAtCut = 0, rtoAtCut = 0, lastAckBeforeCut = 0;
    net.sim.at(CUT, () => {
      cwndAtCut = p.sock.ccs.cwnd;
      rtoAtCut = p.sock.rto;
      lastAckBeforeCut = p.acks.at(-1)!.t;
      p.bottleneckLink.setUp(false);
    });
    net.sim.at(BACK, () => p.bottleneckLink.setUp(true));
    // The sender's state every millisecond while the cable is out.
    const state = sampler(
      net,
      ms,
      () => p.sock.stats.timeouts * 1e9 + p.sock.ccs.cwnd,
      CUT,
      BACK,
    );
    net.run(12 * s);

    // Timeouts: when the count went up, with cwnd and ssthresh right after.
    const timeouts: Array<{ t: number; cwnd: number }> = [];
    let seen = 0;
    for (const x of state) {
      const n = Math.floor(x.v / 1e9);
      if (n > seen) timeouts.push({ t: x.t, cwnd: x.v % 1e9 });
      seen = n;
    }
    assert.ok(timeouts.length >= 3, `${timeouts.length} timeouts while the cable was out`);
    // The first one an RTO after the last ACK (1 ms sampling).
    const first = timeouts[0]!.t - lastAckBeforeCut;
    assert.ok(Math.abs(first - rtoAtCut) <= 2 * ms, `first RTO after ${first / ms} ms`);
    // Exponential back-off: each gap twice the one before (1 ms sampling).
    for (let i = 2; i < timeouts.length; i++) {
      const g1 = timeouts[i - 1]!.t - timeouts[i - 2]!.t, g2 = timeouts[i]!.t - timeouts[i - 1]!.t;
      assert.ok(Math.abs(g2 / g1 - 2) < 0.02, `back-off ${g1 / ms} → ${g2 / ms} ms`);
    }
    // Each timeout leaves the loss window of one segment.
    for (const t of timeouts) assert.equal(t.cwnd, MSS);
    // ssthresh: β × the window at the first timeout, held on the repeats.
    const ssthresh = Math.max(Math.floor(cwndAtCut * beta + 1e-6), 2 * MSS);
    const after = p.acks.filter((a) => a.t > BACK);
    assert.equal(after[0]!.ssthresh, ssthresh, "ssthresh from the window before the cut");
    assert.ok(cwndAtCut / MSS > 40, `cwnd ${cwndAtCut / MSS} segments when the cable went`);

    // Back online: slow start from one segment. The window at the end of each
    // round doubles (±1 segment for where the round's boundary falls) until it
    // reaches ssthresh, in log2(ssthresh) rounds or fewer…
    const starts = roundStarts(after);
    const ends = starts.slice(1).map((i) => after[i - 1]!.cwnd / MSS);
    const reach = ends.findIndex((w) => w >= ssthresh / MSS);
    assert.ok(reach >= 2 && reach <= Math.ceil(Math.log2(ssthresh / MSS)), `ssthresh in ${reach}`);
    for (let i = 1; i < reach; i++) {
      assert.ok(Math.abs(ends[i]! - 2 * ends[i - 1]!) <= 1, `${ends[i - 1]} → ${ends[i]}`);
    }
    // …then grows by about one segment per round (CUBIC's Reno-friendly
    // estimate after a timeout, W_max = cwnd at the epoch's start: K = 0).
    const grown = ends[reach + 6]! - ends[reach + 1]!;
    assert.ok(grown >= 2 && grown <= 8, `+${grown} segments in 5 rounds`);
  }, { trace: "digest" });
}
