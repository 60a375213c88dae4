/**
 * The first loss ends slow start: ssthresh is infinite until a middlebox drops
 * one segment in the middle of a slow-start round, then the sender (NewReno,
 * SACK) retransmits that one segment, sets ssthresh to half the window it had
 * (RFC 5681 eq. 4; cwnd bounds FlightSize), holds cwnd there through the
 * recovery, and from then on grows linearly (one segment per round trip)
 * instead of doubling. CUBIC does the same with its β = 0.7.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { dropData, FRAME, MSS, path, roundStarts } from "./path_testing.ts";

/** Segment 100 is the 31st of the fourth round (rounds of 10, 20, 40, 80 segments). */
const DROPPED = 100;

for (const [algo, beta] of [["newreno", 0.5], ["cubic", 0.7]] as const) {
  scenario(`first loss (${algo}): ssthresh set to ${beta} × cwnd, then linear growth`, (net) => {
    // 10 Mbit/s, 40 ms: BDP 33 segments; a 150-packet buffer never overflows
    // before the window reaches 180, so the middlebox's drop is the only loss.
    const p = path(net, {
      algo,
      ccOptions: algo === "cubic" ? { hystart: false } : {},
      rate: 10e6,
      rtt: 40 * ms,
      buffer: 150,
    });
    dropData(p.router, (offset, first) => first && offset === DROPPED * MSS);
    p.start();
    net.run(3 * s);
    const acks = p.acks;
    const entry = acks.findIndex((a) => a.inRecovery);
    assert.ok(entry > 0, "a fast recovery started");
    const before = acks[entry - 1]!;
    const at = acks[entry]!;
    assert.equal(before.ssthresh, Infinity, "no ssthresh before the first loss");
    // ssthresh = β × the window when the loss was detected (integer bytes).
    assert.equal(at.ssthresh, Math.max(Math.floor(before.cwnd * beta + 1e-6), 2 * MSS));
    assert.equal(at.cwnd, at.ssthresh, "cwnd = ssthresh in recovery");
    // The loss is detected a round trip after it happened, in the round where
    // the window grows from 80 to 160 segments (SACKs of later segments count).
    assert.ok(before.cwnd / MSS > 80 && before.cwnd / MSS < 160, `cwnd ${before.cwnd / MSS}`);
    // One loss, one retransmission, no timeout; no other drop anywhere.
    assert.equal(p.sock.stats.retransmits, 1);
    assert.equal(p.sock.stats.timeouts, 0);
    assert.deepEqual([...net.trace.drops], [["netfilter drop", 1]]);
    // During recovery the window does not move.
    const exit = acks.findIndex((a, i) => i > entry && !a.inRecovery);
    for (let i = entry; i < exit; i++) assert.equal(acks[i]!.cwnd, at.ssthresh);
    // Recovery lasts one round trip, the retransmission's: it leaves at once
    // and waits behind the rest of the flight, so that round trip is the time
    // the bottleneck needs to send the whole flight (more than a BDP in flight
    // here). Within 15 %: the flight changes by a few segments meanwhile.
    const length = acks[exit]!.t - at.t;
    const drain = (before.pipe / MSS) * ((FRAME * 8) / 10e6) * s;
    assert.ok(before.pipe / MSS > 33, "more than a BDP in flight");
    assert.ok(Math.abs(length / drain - 1) < 0.15, `recovery ${length / ms} ms, ${drain / ms}`);
    // Afterwards: congestion avoidance. Over the next five round trips the
    // window grows by about one segment per round (NewReno exactly 1; CUBIC's
    // Reno-friendly estimate α ≈ 0.53 or its concave curve a little more), far
    // from the ×32 slow start would give.
    const starts = roundStarts(acks).filter((i) => i > exit);
    const w0 = acks[starts[0]!]!.cwnd / MSS;
    const w5 = acks[starts[5]!]!.cwnd / MSS;
    assert.ok(w5 - w0 >= 2 && w5 - w0 <= 12, `${w0} → ${w5} segments in 5 rounds`);
    assert.ok(acks.slice(exit).every((a) => a.cwnd >= a.ssthresh), "never below ssthresh");
  }, { trace: "digest" });
}
