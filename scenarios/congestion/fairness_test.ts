/**
 * Flows of one algorithm share a bottleneck fairly: four equal flows (same
 * algorithm, same 20 ms RTT) on a 20 Mbit/s dumbbell with a one-BDP buffer
 * get nearly the same goodput over 15 s after a 5 s warm-up — Jain's index
 * above 0.95 for NewReno, CUBIC and BBR alike — and together fill the link.
 */
import assert from "node:assert/strict";
import { jain, payloadRate, runDumbbell } from "./path_testing.ts";

const RATE = 20e6;

for (const algo of ["newreno", "cubic", "bbr"]) {
  Deno.test(`fairness: four ${algo} flows, Jain's index ≥ 0.95`, () => {
    const r = runDumbbell({
      algos: [algo, algo, algo, algo],
      rttsMs: [20, 20, 20, 20],
      rate: RATE,
      buffer: 34,
      seconds: 20,
      warmup: 5,
    });
    // Fair: Jain's index 1 means equal shares, 0.25 one flow taking all; 0.95
    // allows e.g. one flow 25 % above the others' mean, so loss-synchronization
    // and BBR's random cycle phases over 15 s are within it.
    const j = jain(r.goodput);
    assert.ok(j >= 0.95, `Jain ${j.toFixed(4)}: ${r.goodput.map((g) => (g / 1e6).toFixed(2))}`);
    // Nobody starves: every flow has at least half the fair share.
    const total = r.goodput.reduce((a, b) => a + b, 0);
    for (const g of r.goodput) assert.ok(g > total / 8);
    // And the link is full (≥ 95 % of its payload rate).
    assert.ok(total > 0.95 * payloadRate(RATE) * 8, `total ${total / 1e6} Mbit/s`);
  });
}
