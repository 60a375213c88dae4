/**
 * BBR's start-up in order: STARTUP (pacing and cwnd gain 2/ln 2 ≈ 2.885,
 * the window nearly doubling each round trip) until the bandwidth estimate
 * stops growing by 25 % for three rounds, then DRAIN (pacing gain ln 2/2)
 * until what is in flight is down to one BDP, then PROBE_BW. STARTUP's
 * overshoot shows as a standing queue of about twice the BDP at the
 * bottleneck; DRAIN empties it.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { FRAME, MSS, path, payloadRate, roundStarts, sampler } from "./path_testing.ts";

/** 10 Mbit/s, 40 ms: BDP 33 segments; a 100-packet buffer holds STARTUP's overshoot. */
const RATE = 10e6, RTT = 40 * ms;
const BDP = (RATE / 8) * (RTT / s) / FRAME;
const HIGH_GAIN = 2 / Math.LN2;

scenario("BBR: STARTUP → DRAIN → PROBE_BW, the startup queue drained", (net) => {
  const p = path(net, { algo: "bbr", rate: RATE, rtt: RTT, buffer: 100 });
  const modes: string[] = [], bw: number[] = [];
  p.tap = (_e, sock) => {
    const x = sock.cc.inspect();
    modes.push(String(x.mode));
    bw.push(Number(x.btlBw));
  };
  const queue = sampler(net, ms, () => p.bottleneck.queued);
  p.start();
  net.run(1.5 * s);
  const acks = p.acks;
  // The modes, in the order they came, each once.
  const order = modes.filter((m, i) => m !== modes[i - 1]);
  assert.deepEqual(order, ["STARTUP", "DRAIN", "PROBE_BW"]);
  const drain = modes.indexOf("DRAIN"), probe = modes.indexOf("PROBE_BW");

  // STARTUP paces at 2.885 × 0.99 × btlBw once there is an estimate (±0.1 %).
  for (let i = 1; i < drain; i++) {
    if (bw[i]! <= 0) continue;
    const g = acks[i]!.pacingRate / (bw[i]! * 0.99);
    // Before the pipe is full the pacing rate is never lowered, so it may sit
    // above the gain times a newer, smaller sample-based estimate: ≥, not =.
    assert.ok(g >= HIGH_GAIN * 0.999, `STARTUP pacing gain ${g}`);
  }
  // Round by round: the window nearly doubles (≥ ×1.5) while the estimate
  // grows; then three rounds without 25 % growth end STARTUP.
  const rounds = roundStarts(acks).filter((i) => i < drain);
  const growing = rounds.filter((i, k) => k > 0 && bw[i]! >= 1.25 * bw[rounds[k - 1]!]!);
  assert.ok(growing.length >= 3, `${growing.length} rounds of bandwidth growth`);
  for (let k = 2; k < rounds.length && acks[rounds[k]!]!.cwnd < BDP * MSS; k++) {
    const r = acks[rounds[k]!]!.cwnd / acks[rounds[k - 1]!]!.cwnd;
    assert.ok(r >= 1.5, `round ${k}: ×${r.toFixed(2)}`);
  }
  const last = rounds.slice(-3).map((i) => bw[i]!);
  assert.ok(Math.max(...last) < 1.25 * Math.min(...last), "three rounds without 25 % growth");
  // By then the estimate is the bottleneck's payload rate (±1 %).
  assert.ok(Math.abs(bw[drain]! / payloadRate(RATE) - 1) < 0.01);

  // DRAIN paces at ln 2/2 × 0.99 (±0.1 %) and lasts until in flight ≤ BDP
  // (plus BBR's quantization allowance of 3 × 2 segments): a round or two.
  const dg = acks[drain]!.pacingRate / (bw[drain]! * 0.99);
  assert.ok(Math.abs(dg * HIGH_GAIN - 1) < 0.001, `DRAIN pacing gain ${dg}`);
  assert.ok(acks[probe]!.pipe / MSS <= Math.ceil(BDP) + 8, `in flight ${acks[probe]!.pipe / MSS}`);
  const drainTime = acks[probe]!.t - acks[drain]!.t;
  assert.ok(drainTime < 3 * acks[drain]!.srtt, `DRAIN for ${drainTime / ms} ms`);

  // STARTUP left a standing queue of 1.5–2.5 BDP; 300 ms into PROBE_BW it has
  // been drained (the queue touches zero).
  const q = (from: number, to: number) =>
    queue.filter((x) => x.t >= from && x.t < to).map((x) => x.v);
  const startupMax = Math.max(...q(0, acks[drain]!.t));
  assert.ok(startupMax > 1.5 * BDP && startupMax < 2.5 * BDP, `STARTUP queue ${startupMax}`);
  assert.equal(Math.min(...q(acks[probe]!.t, acks[probe]!.t + 300 * ms)), 0);
  assert.equal(p.sock.stats.retransmits, 0, "the 100-packet buffer held the overshoot");
}, { trace: "digest" });
