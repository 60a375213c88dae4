import assert from "node:assert/strict";
import { NewReno } from "./newreno.ts";
import { type CcState, initialWindow, makeRateSample, newCcState } from "./types.ts";
import { ackRound, MS, segs, startState } from "./test_util.ts";

const MSS = 1000;
const RTT = 100 * MS;

function ack(cc: NewReno, s: CcState, bytes: number, now = 0): void {
  cc.onAck(s, makeRateSample({ newlyAcked: bytes, rtt: RTT }), now);
}

Deno.test("initial window is IW10 per RFC 6928", () => {
  // min(10·MSS, max(2·MSS, 14600))
  const table: [number, number][] = [
    [536, 5360], // 10·536 is below 14600
    [1000, 10_000],
    [1460, 14_600], // exactly 10 segments
    [1500, 14_600], // 9.7 segments
    [4000, 14_600],
    [9000, 18_000], // 2·MSS exceeds 14600
  ];
  for (const [mss, want] of table) {
    assert.equal(initialWindow(mss), want, `mss ${mss}`);
    const s = newCcState(mss);
    new NewReno().init(s, 0);
    assert.equal(s.cwnd, want);
    assert.equal(s.ssthresh, Infinity);
  }
});

Deno.test("newreno slow start doubles cwnd per RTT-worth of ACKs from IW10", () => {
  // One ACK per segment: each ACK adds 1 MSS, so a round of cwnd/MSS ACKs doubles it.
  const cc = new NewReno();
  const s = startState(cc, MSS);
  const want = [10, 20, 40, 80, 160];
  let t = 0;
  for (const w of want) {
    assert.equal(segs(s), w);
    t = ackRound(cc, s, { start: t, rtt: RTT }).end;
  }
  assert.equal(cc.inspect().phase, "slow-start");
});

Deno.test("newreno slow start with delayed ACKs: appropriate byte counting L", () => {
  // ACKs of 2 segments: L = 2·MSS keeps doubling; L = 1·MSS (plain RFC 5681)
  // grows by half the ACKed bytes, 1.5× per round.
  const table: [number, number[]][] = [
    [2, [10, 20, 40, 80]],
    [1, [10, 15, 22, 33]], // 10 + 5; 15 + floor(15/2)=7; 22 + 11
  ];
  for (const [abcLimit, want] of table) {
    const cc = new NewReno({ abcLimit });
    const s = startState(cc, MSS);
    let t = 0;
    for (const w of want) {
      assert.equal(segs(s), w, `L=${abcLimit}`);
      t = ackRound(cc, s, { start: t, rtt: RTT, perAck: 2 }).end;
    }
  }
});

Deno.test("newreno slow start stops at ssthresh and spills into congestion avoidance", () => {
  const cc = new NewReno({ abcLimit: 4 });
  const s = startState(cc, MSS);
  s.ssthresh = 12_500;
  s.cwnd = 12_000;
  // 4000 B acked: 500 B take cwnd to ssthresh, the other 3500 B are counted
  // towards the next +1 MSS in congestion avoidance.
  ack(cc, s, 4000);
  assert.equal(s.cwnd, 12_500);
  assert.equal(cc.inspect().bytesAcked, 3500);
});

Deno.test("newreno congestion avoidance adds one MSS per cwnd of ACKed bytes", () => {
  // Byte counting: exactly +1 segment each round of cwnd/MSS ACKs.
  // Per ACK: cwnd += floor(MSS²/cwnd), e.g. 20 ACKs of +50, +49, ... bytes
  // from 20 000 B: a little under one MSS a round (integer truncation, and
  // the helper ACKs only the whole segments of cwnd).
  const table: { caMode: "byte-counting" | "per-ack"; min: number; max: number }[] = [
    { caMode: "byte-counting", min: MSS, max: MSS },
    { caMode: "per-ack", min: 0.9 * MSS, max: MSS }, // whole segments ACKed per round
  ];
  for (const { caMode, min, max } of table) {
    const cc = new NewReno({ caMode });
    const s = startState(cc, MSS);
    s.cwnd = 20 * MSS;
    s.ssthresh = 20 * MSS;
    let t = 0;
    for (let round = 0; round < 5; round++) {
      const before = s.cwnd;
      t = ackRound(cc, s, { start: t, rtt: RTT }).end;
      const grew = s.cwnd - before;
      assert.ok(grew >= min && grew <= max, `${caMode} round ${round}: +${grew} B`);
    }
    assert.equal(cc.inspect().phase, "congestion-avoidance");
  }
});

Deno.test("newreno ssthresh after loss is max(min(FlightSize, cwnd)/2, 2·MSS)", () => {
  const table: [number, number][] = [
    [20_000, 10_000],
    [15_000, 7500],
    [3000, 2000], // floor at 2·MSS
    [0, 2000],
    // SACKed data above a long-standing hole: halving FlightSize would raise the window.
    [100_000, 20_000],
  ];
  const cc = new NewReno();
  for (const [flight, want] of table) {
    const s = startState(cc, MSS);
    s.cwnd = 40_000; // the smaller of FlightSize and cwnd counts
    s.flightSize = flight;
    assert.equal(cc.ssthreshAfterLoss(s, 0), want, `flight ${flight}`);
  }
});

/** Enter fast recovery the way a sender does. */
function enterRecovery(cc: NewReno, s: CcState, now = 0): void {
  s.ssthresh = cc.ssthreshAfterLoss(s, now);
  s.inRecovery = true;
  cc.onEnterRecovery(s, now);
}

Deno.test("newreno fast recovery: halve, hold on partial ACKs, deflate on the full ACK", () => {
  const cc = new NewReno();
  const s = startState(cc, MSS);
  s.cwnd = 20 * MSS;
  s.ssthresh = 10 * MSS;
  s.flightSize = 20 * MSS;
  enterRecovery(cc, s);
  assert.equal(s.ssthresh, 10 * MSS);
  assert.equal(s.cwnd, 10 * MSS);
  ack(cc, s, 0); // the ACK that triggered recovery, then duplicates
  ack(cc, s, 0);
  assert.equal(s.cwnd, 10 * MSS, "duplicate ACKs do not inflate cwnd (pipe accounting)");
  // Partial ACKs: recovery continues, window held.
  for (let i = 0; i < 3; i++) ack(cc, s, 4 * MSS);
  assert.equal(s.cwnd, 10 * MSS);
  assert.equal(cc.inspect().phase, "fast-recovery");
  assert.equal(cc.inspect().partialAcks, 3);
  // Full ACK: the sender leaves recovery, then passes the ACK on.
  s.inRecovery = false;
  cc.onExitRecovery(s, 0);
  assert.equal(s.cwnd, s.ssthresh);
  ack(cc, s, 5 * MSS);
  assert.equal(s.cwnd, 10 * MSS, "5 kB of 10 kB counted towards the next MSS");
  ack(cc, s, 5 * MSS);
  assert.equal(s.cwnd, 11 * MSS, "then congestion avoidance as usual");
});

Deno.test("newreno full ACK with burst avoidance: min(ssthresh, max(FlightSize, MSS) + MSS)", () => {
  const table: [number, number][] = [
    [3 * MSS, 4 * MSS], // little in flight: FlightSize + MSS
    [0, 2 * MSS], // nothing in flight: MSS + MSS
    [30 * MSS, 10 * MSS], // capped at ssthresh
  ];
  for (const [flight, want] of table) {
    const cc = new NewReno({ fullAckBurstAvoidance: true });
    const s = startState(cc, MSS);
    s.cwnd = 20 * MSS;
    s.flightSize = 20 * MSS;
    enterRecovery(cc, s);
    s.inRecovery = false;
    s.flightSize = flight;
    cc.onExitRecovery(s, 0);
    assert.equal(s.cwnd, want, `flight ${flight}`);
  }
});

Deno.test("newreno retransmission timeout: loss window of 1 MSS, ssthresh halved once", () => {
  const cc = new NewReno();
  const s = startState(cc, MSS);
  s.cwnd = 30 * MSS;
  s.flightSize = 30 * MSS;
  cc.onRetransmitTimeout(s, 0);
  assert.equal(s.cwnd, MSS);
  assert.equal(s.ssthresh, 15 * MSS);
  // The retransmission times out again: ssthresh held (RFC 5681 §3.1).
  s.flightSize = 30 * MSS;
  cc.onRetransmitTimeout(s, 0);
  assert.equal(s.ssthresh, 15 * MSS);
  assert.equal(s.cwnd, MSS);
  // Progress, then slow start from 1 MSS (L = 2: +1 MSS for a 1-MSS ACK).
  ack(cc, s, MSS);
  assert.equal(s.cwnd, 2 * MSS);
  // A later timeout recomputes ssthresh from the new window.
  s.cwnd = 8 * MSS;
  s.flightSize = 8 * MSS;
  cc.onRetransmitTimeout(s, 0);
  assert.equal(s.ssthresh, 4 * MSS);
  // The end of the timeout's loss episode does not touch cwnd.
  s.cwnd = 3 * MSS;
  cc.onExitRecovery(s, 0);
  assert.equal(s.cwnd, 3 * MSS);
});

Deno.test("newreno ECN-Echo halves without recovery", () => {
  const cc = new NewReno();
  const s = startState(cc, MSS);
  s.cwnd = 24 * MSS;
  s.flightSize = 24 * MSS;
  cc.onEcn(s, 0);
  assert.equal(s.ssthresh, 12 * MSS);
  assert.equal(s.cwnd, 12 * MSS);
  assert.equal(s.inRecovery, false);
});

Deno.test("newreno duplicate ACKs outside recovery change nothing", () => {
  const cc = new NewReno();
  const s = startState(cc, MSS);
  for (let i = 0; i < 5; i++) ack(cc, s, 0);
  assert.equal(s.cwnd, 10 * MSS);
});

Deno.test("newreno clone is independent and starts fresh", () => {
  const cc = new NewReno({ abcLimit: 1 });
  const s = startState(cc, MSS);
  s.cwnd = 20 * MSS;
  s.ssthresh = 20 * MSS;
  ack(cc, s, 7 * MSS);
  const copy = cc.clone();
  assert.equal(copy.inspect().bytesAcked, 0);
  assert.equal(copy.inspect().abcLimit, 1);
  const s2 = startState(copy, MSS);
  ack(copy, s2, MSS);
  assert.equal(s2.cwnd, 11 * MSS, "L = 1 carried over");
  assert.equal(cc.inspect().bytesAcked, 7 * MSS, "original untouched");
});

Deno.test("newreno rejects an ABC limit below 1", () => {
  assert.throws(() => new NewReno({ abcLimit: 0.5 }), RangeError);
});
