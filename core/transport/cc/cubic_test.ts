import assert from "node:assert/strict";
import { Cubic, cubicK, type CubicOptions, cubicWindow } from "./cubic.ts";
import { type CcState, makeRateSample } from "./types.ts";
import { ackRound, MS, runBottleneck, SEC, segs, startState } from "./test_util.ts";

const MSS = 1000;

function near(actual: number, want: number, tol: number, msg = ""): void {
  assert.ok(Math.abs(actual - want) <= tol, `${msg} ${actual} not within ${tol} of ${want}`);
}

/**
 * A CUBIC flow that has just come out of fast recovery after a loss at
 * `wMax` segments with FlightSize = cwnd: cwnd = ssthresh = β·wMax.
 */
function afterLoss(
  wMax: number,
  rtt: number,
  options: CubicOptions = {},
): { cc: Cubic; s: CcState } {
  const cc = new Cubic({ hystart: false, ...options });
  const s = startState(cc, MSS);
  s.srtt = rtt;
  s.minRtt = rtt;
  s.cwnd = wMax * MSS;
  s.flightSize = wMax * MSS;
  s.ssthresh = cc.ssthreshAfterLoss(s, 0);
  s.inRecovery = true;
  cc.onEnterRecovery(s, 0);
  s.inRecovery = false;
  cc.onExitRecovery(s, 0);
  return { cc, s };
}

Deno.test("cubic K at known points (RFC 9438 eq. 2, β = 0.7, C = 0.4)", () => {
  // K = ∛((W_max − cwnd_epoch)/C) with cwnd_epoch = β·W_max = ∛(W_max·0.3/0.4):
  const table: [number, number][] = [
    [100, 4.2172], // ∛75
    [10, 1.9574], // ∛7.5
    [1000, 9.0856], // ∛750
    [70, 3.7444], // ∛52.5
  ];
  for (const [wMax, k] of table) near(cubicK(wMax, 0.7 * wMax), k, 1e-4, `W_max ${wMax}`);
  assert.equal(cubicK(50, 50), 0);
});

Deno.test("cubic W_cubic(t) at known points around the plateau", () => {
  const k = Math.cbrt(75); // W_max = 100
  const table: [number, number][] = [
    [0, 70], // 100 − 0.4·75: starts at β·W_max
    [k - 1, 99.6], // 100 − 0.4·1³
    [k, 100], // the plateau
    [k + 1, 100.4], // 100 + 0.4·1³
    [k + 2, 103.2], // 100 + 0.4·2³
    [2 * k, 130], // 100 + 0.4·K³ = 100 + 30
  ];
  for (const [t, w] of table) near(cubicWindow(t, k, 100), w, 1e-9, `t=${t}`);
});

Deno.test("cubic ssthresh after loss is max(min(FlightSize, cwnd)·0.7, 2·MSS)", () => {
  // [FlightSize, cwnd, ssthresh]
  const table: [number, number, number][] = [
    [100 * MSS, 100 * MSS, 70 * MSS],
    [10 * MSS, 10 * MSS, 7 * MSS],
    [2 * MSS, 2 * MSS, 2 * MSS],
    [1234, 1234, 2 * MSS],
    // Application-limited: less in flight than cwnd.
    [10 * MSS, 40 * MSS, 7 * MSS],
    // SACKed data above a long-standing hole: FlightSize several windows.
    [170 * MSS, 60 * MSS, 42 * MSS],
  ];
  const cc = new Cubic();
  for (const [flight, cwnd, want] of table) {
    const s = startState(cc, MSS);
    s.flightSize = flight;
    s.cwnd = cwnd;
    assert.equal(cc.ssthreshAfterLoss(s, 0), want, `flight ${flight}, cwnd ${cwnd}`);
  }
});

Deno.test("cubic window follows the curve: concave up to W_max, convex beyond", () => {
  // W_max = 100, RTT 100 ms, K ≈ 4.217 s; the Reno-friendly region is
  // switched off to see the bare curve (at this RTT W_est, growing one
  // segment per RTT once past cwnd_prior, overtakes the curve's flat part
  // after about 6 s). Sample cwnd at the end of each round.
  const rtt = 100 * MS;
  const { cc, s } = afterLoss(100, rtt, { renoFriendly: false });
  assert.equal(segs(s), 70);
  const k = Math.cbrt(75);
  const at: number[] = []; // cwnd (segments) at t = i·RTT
  let t = 0;
  let delivered = 0;
  const regions: string[] = []; // region at the end of round i
  while (t <= 8 * SEC) {
    at.push(segs(s));
    ({ end: t, delivered } = ackRound(cc, s, { start: t, rtt, deliveredBefore: delivered }));
    regions.push(String(cc.inspect().region));
  }
  assert.equal(cc.inspect().k, k);
  assert.equal(cc.inspect().wMax, 100);
  for (let i = 0; i < 80; i++) {
    const want = (i + 1) / 10 + 0.1 < k ? "concave" : "convex";
    if (Math.abs((i + 1) / 10 + 0.1 - k) > 0.2) assert.equal(regions[i], want, `round ${i}`);
  }
  // cwnd tracks W_cubic one RTT ahead, within a segment or two.
  for (const sec of [1, 2, 3, 4, 5, 6, 7]) {
    const i = sec * 10;
    near(at[i]!, cubicWindow(sec + 0.1, k, 100), 2, `t=${sec}s`);
  }
  near(at[Math.round(k * 10)]!, 100, 1.5, "at t = K");
  // Growth per second shrinks towards K (concave), then speeds up (convex).
  const perSecond = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => at[(i + 1) * 10]! - at[i * 10]!);
  for (let i = 1; i < 4; i++) assert.ok(perSecond[i]! < perSecond[i - 1]!, `concave ${i}`);
  for (let i = 5; i < 8; i++) assert.ok(perSecond[i]! > perSecond[i - 1]!, `convex ${i}`);
});

Deno.test("cubic Reno-friendly region at short RTT", () => {
  // RTT 1 ms: in 20 ms the cubic curve barely moves from 70 (W_cubic(0.02)
  // ≈ 70.4), while W_est gains α_cubic = 3·0.3/1.7 ≈ 0.53 segment per RTT:
  // 70 + 20·0.53 ≈ 80.6. cwnd follows W_est.
  const rtt = 1 * MS;
  const table: [boolean, number, number, string][] = [
    [true, 79.5, 81.5, "reno-friendly"],
    [false, 70, 71, "concave"],
  ];
  for (const [renoFriendly, lo, hi, region] of table) {
    const { cc, s } = afterLoss(100, rtt, { renoFriendly });
    let t = 0;
    let delivered = 0;
    for (let i = 0; i < 20; i++) {
      ({ end: t, delivered } = ackRound(cc, s, { start: t, rtt, deliveredBefore: delivered }));
    }
    assert.ok(segs(s) >= lo && segs(s) <= hi, `renoFriendly=${renoFriendly}: ${segs(s)}`);
    assert.equal(cc.inspect().region, region);
  }
});

Deno.test("cubic Reno-friendly α becomes 1 once W_est reaches cwnd_prior", () => {
  const rtt = 1 * MS;
  const { cc, s } = afterLoss(100, rtt);
  let t = 0;
  let delivered = 0;
  const grow = (): number => {
    const before = segs(s);
    ({ end: t, delivered } = ackRound(cc, s, { start: t, rtt, deliveredBefore: delivered }));
    return segs(s) - before;
  };
  // Below cwnd_prior = 100: about α_cubic ≈ 0.53 segment per round.
  near(grow(), 0.53, 0.05, "first round");
  while (Number(cc.inspect().wEst) < 100) grow();
  grow();
  // At or above it: about one segment per round, like Reno.
  near(grow(), 1, 0.05, "after reaching cwnd_prior");
  assert.equal(cc.inspect().region, "reno-friendly");
});

Deno.test("cubic fast convergence lowers W_max when a loss comes below the last one", () => {
  // Loss at 100 segments, then at `second` segments.
  const table: [boolean, number, number][] = [
    [true, 90, 76.5], // 90·(1 + 0.7)/2
    [false, 90, 90],
    [true, 120, 120], // above the previous W_max: plain W_max = cwnd
  ];
  for (const [fastConvergence, second, want] of table) {
    const { cc, s } = afterLoss(100, 100 * MS, { fastConvergence });
    assert.equal(cc.inspect().wMax, 100);
    s.cwnd = second * MSS;
    s.flightSize = second * MSS;
    s.ssthresh = cc.ssthreshAfterLoss(s, 0);
    s.inRecovery = true;
    cc.onEnterRecovery(s, 0);
    near(Number(cc.inspect().wMax), want, 1e-9, `fc=${fastConvergence} second=${second}`);
    assert.equal(cc.inspect().cwndPrior, second);
    near(segs(s), second * 0.7, 1e-9);
  }
});

Deno.test("cubic holds cwnd during recovery and restores ssthresh on exit", () => {
  const cc = new Cubic({ hystart: false });
  const s = startState(cc, MSS);
  s.cwnd = 50 * MSS;
  s.flightSize = 50 * MSS;
  s.ssthresh = cc.ssthreshAfterLoss(s, 0);
  s.inRecovery = true;
  cc.onEnterRecovery(s, 0);
  assert.equal(s.cwnd, 35 * MSS);
  for (let i = 0; i < 10; i++) {
    cc.onAck(s, makeRateSample({ newlyAcked: 3 * MSS, rtt: 50 * MS }), i * MS);
  }
  assert.equal(s.cwnd, 35 * MSS);
  assert.equal(cc.inspect().region, "recovery");
  s.inRecovery = false;
  cc.onExitRecovery(s, 10 * MS);
  assert.equal(s.cwnd, 35 * MSS);
});

Deno.test("cubic retransmission timeout: 1 MSS, ssthresh β·FlightSize, next epoch K = 0", () => {
  // A loss at 100 segments leaves W_max = 100; a timeout at 70 then
  // restarts from 1 MSS with ssthresh 49; the epoch after slow start starts
  // at the plateau (RFC 9438 §4.8): K = 0, W_max = cwnd at its start.
  const { cc, s } = afterLoss(100, 100 * MS);
  s.flightSize = 70 * MSS;
  cc.onRetransmitTimeout(s, 0);
  assert.equal(s.cwnd, MSS);
  assert.equal(s.ssthresh, 49 * MSS);
  let t = 0;
  let delivered = 0;
  while (s.cwnd < s.ssthresh) {
    ({ end: t, delivered } = ackRound(cc, s, {
      start: t,
      rtt: 100 * MS,
      deliveredBefore: delivered,
    }));
  }
  // The epoch began on the ACK that brought cwnd to ssthresh = 49.
  assert.equal(cc.inspect().k, 0);
  assert.equal(cc.inspect().wMax, 49);
  assert.equal(cc.inspect().cwndEpoch, 49);
});

Deno.test("cubic ECN-Echo reduces like a loss without recovery", () => {
  const cc = new Cubic();
  const s = startState(cc, MSS);
  s.cwnd = 100 * MSS;
  s.flightSize = 100 * MSS;
  cc.onEcn(s, 0);
  assert.equal(s.ssthresh, 70 * MSS);
  assert.equal(s.cwnd, 70 * MSS);
  assert.equal(cc.inspect().wMax, 100);
  assert.equal(s.inRecovery, false);
});

/** Slow-start rounds of `rtt` spacing reporting RTT samples `samples[i]` in round i. */
function slowStartRounds(cc: Cubic, s: CcState, rtt: number, samples: number[]): void {
  let t = 0;
  let delivered = 0;
  for (const rttSample of samples) {
    ({ end: t, delivered } = ackRound(cc, s, {
      start: t,
      rtt,
      rttSample,
      deliveredBefore: delivered,
    }));
  }
}

Deno.test("cubic HyStart delay increase ends slow start", () => {
  // RTT 100 ms for two rounds, then 120 ms: above 100 + clamp(100/8 = 12.5,
  // 4, 16) = 112.5 ms. The round's first 8 samples are collected, the 9th ACK
  // (cwnd 40 + 8 = 48 segments) triggers: ssthresh = cwnd = 48.
  const cc = new Cubic();
  const s = startState(cc, MSS);
  slowStartRounds(cc, s, 100 * MS, [100 * MS, 100 * MS, 120 * MS]);
  assert.equal(cc.inspect().hystartFound, "delay");
  assert.equal(s.ssthresh, 48 * MSS);
  assert.ok(s.cwnd >= s.ssthresh && s.cwnd < 50 * MSS, `cwnd ${segs(s)}`);
});

Deno.test("cubic HyStart delay: below the threshold, or disabled, slow start goes on", () => {
  const table: [CubicOptions, number][] = [
    [{}, 112 * MS], // 12 ms above the minimum: under the 12.5 ms threshold
    [{ hystart: false }, 150 * MS],
    [{ hystartDetect: "ack-train" }, 150 * MS],
  ];
  for (const [options, third] of table) {
    const cc = new Cubic(options);
    const s = startState(cc, MSS);
    slowStartRounds(cc, s, 100 * MS, [100 * MS, 100 * MS, third]);
    assert.equal(cc.inspect().hystartFound, "", JSON.stringify(options));
    assert.equal(segs(s), 80);
    assert.equal(s.ssthresh, Infinity);
  }
});

Deno.test("cubic HyStart ACK train ends slow start once the train passes minRTT/2", () => {
  // RTT 40 ms. Round 1 has 20 ACKs 2 ms apart (within the 2 ms delta): the
  // train reaches 22 ms > 40/2 on its 12th ACK, at cwnd 20 + 11 = 31.
  const cc = new Cubic();
  const s = startState(cc, MSS);
  slowStartRounds(cc, s, 40 * MS, [40 * MS, 40 * MS]);
  assert.equal(cc.inspect().hystartFound, "ack-train");
  assert.equal(s.ssthresh, 31 * MSS);
});

Deno.test("cubic HyStart ACK train waits a full min RTT when the sender paces", () => {
  const cc = new Cubic();
  const s = startState(cc, MSS);
  s.pacingRate = 1e6;
  slowStartRounds(cc, s, 40 * MS, [40 * MS, 40 * MS, 40 * MS]);
  // Trains of 38 and 39 ms never exceed 40 ms.
  assert.equal(cc.inspect().hystartFound, "");
  assert.equal(segs(s), 80);
});

Deno.test("cubic restart after idle shifts the epoch by the idle time", () => {
  const { cc, s } = afterLoss(100, 100 * MS);
  ackRound(cc, s, { start: SEC, rtt: 100 * MS });
  // The first ACK of 70 spread over 100 ms starts the epoch.
  assert.equal(cc.inspect().epochStart, SEC + Math.floor(100 * MS / 70));
  const epoch = Number(cc.inspect().epochStart);
  cc.onIdleRestart(s, 10 * SEC, 2 * SEC);
  assert.equal(cc.inspect().epochStart, epoch + 8 * SEC);
});

Deno.test("cubic clone is independent and keeps the options", () => {
  const cc = new Cubic({ beta: 0.5, hystart: false });
  const s = startState(cc, MSS);
  s.cwnd = 100 * MSS;
  s.flightSize = 100 * MSS;
  s.ssthresh = cc.ssthreshAfterLoss(s, 0);
  cc.onEnterRecovery(s, 0);
  const copy = cc.clone();
  assert.equal(copy.inspect().wMax, 0, "fresh state");
  const s2 = startState(copy, MSS);
  s2.flightSize = 100 * MSS;
  s2.cwnd = 100 * MSS;
  assert.equal(copy.ssthreshAfterLoss(s2, 0), 50 * MSS, "β carried over");
  copy.onEnterRecovery(s2, 0);
  s2.cwnd = 10 * MSS;
  copy.onEcn(s2, 0);
  assert.equal(cc.inspect().wMax, 100, "original untouched");
});

Deno.test("cubic rejects out-of-range parameters", () => {
  assert.throws(() => new Cubic({ beta: 1 }), RangeError);
  assert.throws(() => new Cubic({ c: 0 }), RangeError);
});

Deno.test("cubic HyStart leaves slow start through a bottleneck", () => {
  // 1.25 MB/s, 40 ms propagation, 1000 B packets: BDP ≈ 51 packets, ACKs
  // 0.8 ms apart once the link is busy. The unpaced slow start sends two
  // packets per ACK, so a queue builds inside each round: the delay detector
  // fires once the round's first RTT samples exceed 40.8 + 5.1 ms, at about
  // 1.4 BDP. The ACK train alone fires later: a round starts when the first
  // packet sent after the previous start is acknowledged (Linux's end_seq),
  // which falls mid-train, and any gap over 2 ms breaks the train, so it
  // passes minRTT/2 only once the queue keeps ACKs back to back.
  const bdp = 51 * MSS;
  const table: [CubicOptions["hystartDetect"], string, number, number][] = [
    ["both", "delay", bdp, 2 * bdp],
    ["delay", "delay", bdp, 2 * bdp],
    ["ack-train", "ack-train", 2 * bdp, 4 * bdp],
  ];
  for (const [detect, found, lo, hi] of table) {
    const cc = new Cubic({ hystartDetect: detect });
    const s = runBottleneck(cc, { rate: 1.25e6, rtProp: 40 * MS, mss: MSS, duration: 2 * SEC });
    assert.equal(cc.inspect().hystartFound, found, detect);
    assert.ok(s.ssthresh >= lo && s.ssthresh <= hi, `${detect}: ssthresh ${s.ssthresh}`);
  }
});
