/**
 * CUBIC's window follows its cubic curve after each loss: sampled on every
 * ACK, cwnd stays within 2 % of W_max of W(t) = C(t − K)³ + W_max with
 * C = 0.4, β = 0.7 and K = ∛((W_max − cwnd_epoch)/C), where W_max, cwnd_epoch
 * and the epoch's start are read off the trace (RFC 9438 §4.2, with §4.7's
 * fast convergence for W_max). The same check on a NewReno flow over the same
 * path fails by far: halving and one segment per round is not that curve.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { Network } from "../../core/lab/network.ts";
import { path } from "./path_testing.ts";
import { BETA, epochs, worstFit } from "./cubic_testing.ts";

/**
 * 10 Mbit/s, 100 ms: BDP 83 segments, buffer 50, so W_max ≈ 135 and K ≈ 4.6 s
 * while one round trip is 0.1–0.16 s. At that ratio the cubic curve grows far
 * faster than the Reno-friendly estimate (0.53 segment per round), so the
 * window is the curve's and not W_est's except on the plateau.
 */
function run(net: Network, algo: string) {
  const p = path(net, { algo, rate: 10e6, rtt: 100 * ms, buffer: 50 });
  p.start();
  net.run(11 * s);
  return p;
}

scenario("CUBIC: cwnd follows W(t) = 0.4(t − K)³ + W_max within 2 % after each loss", (net) => {
  const p = run(net, "cubic");
  const es = epochs(p.acks);
  assert.ok(es.length >= 3, `${es.length} epochs`);
  for (const e of es) {
    // The reduction: cwnd_epoch = β × the window before (±2 %: FlightSize can
    // be a segment or two below cwnd when the loss is detected).
    assert.ok(Math.abs(e.start / e.before - BETA) < 0.02, `${e.before} → ${e.start}`);
    assert.ok(e.k > 2 && e.k < 6, `K = ${e.k} s`);
    // Each ACK's cwnd against the curve. 2 % of W_max (≈ 2.5 segments): the
    // sender aims at W(t + RTT) and spreads that step over a round's ACKs, so
    // cwnd leads or lags the curve by at most one round's growth, and on the
    // plateau the Reno-friendly estimate may sit a segment above it.
    const worst = worstFit(p.acks, e);
    assert.ok(
      worst < 0.02,
      `epoch at ${e.t0 / s} s: off the curve by ${(worst * 100).toFixed(2)} %`,
    );
  }
  // The epochs were long enough to test the curve (the last one ends with the
  // run), and one of them went past K: through the plateau into the convex part.
  for (const e of es.slice(0, -1)) assert.ok(p.acks[e.to - 1]!.t - e.t0 > 1.5 * s);
  assert.ok(es.some((e) => p.acks[e.to - 1]!.t - e.t0 > e.k * s + 2 * s), "an epoch beyond K");
  assert.equal(p.sock.stats.timeouts, 0);
}, { trace: "digest", once: true });

scenario(
  "CUBIC curve check fails on NewReno: halving and linear growth are off by > 10 %",
  (net) => {
    const p = run(net, "newreno");
    // Epochs of at least a second (the last one may be cut short by the run's end).
    const es = epochs(p.acks).filter((e) => p.acks[e.to - 1]!.t - e.t0 > s);
    assert.ok(es.length >= 1);
    for (const e of es) assert.ok(worstFit(p.acks, e) > 0.1, "NewReno is not on the cubic curve");
  },
  { trace: "digest", once: true },
);
