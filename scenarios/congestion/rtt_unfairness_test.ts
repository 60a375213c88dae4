/**
 * RTT unfairness: two flows of one algorithm share a 10 Mbit/s bottleneck
 * (a 33-packet buffer, one BDP at 40 ms), one with a 20 ms and one with an
 * 80 ms base RTT. NewReno grows its window once per round trip, so the short
 * flow grows four times as often and takes by far the larger share
 * (throughput ∝ 1/RTT^k, k between 1 and 2 in the literature, with the shared
 * queueing delay added to both RTTs). CUBIC's growth runs on wall-clock time,
 * so it is less RTT-unfair (one of RFC 9438's design principles), though the
 * short flow still wins. BBR is the other way round, as Hock et al. (2017) measured: each flow may
 * keep twice its own BDP estimate in flight, so the long flow holds more of
 * the shared queue and gets the larger share.
 */
import assert from "node:assert/strict";
import { runDumbbell } from "./path_testing.ts";

/** Goodput of the 20 ms flow over that of the 80 ms flow, 5–20 s. */
const ratio = (algo: string) => {
  const [short, long] = runDumbbell({
    algos: [algo, algo],
    rttsMs: [20, 80],
    rate: 10e6,
    buffer: 33,
    seconds: 20,
    warmup: 5,
  }).goodput as [number, number];
  return short / long;
};

Deno.test("RTT unfairness: NewReno favours the 20 ms flow, CUBIC less so, BBR the 80 ms one", () => {
  const newreno = ratio("newreno"), cubic = ratio("cubic"), bbr = ratio("bbr");
  // NewReno: at least 2× (the effective RTTs, with ~20 ms of queueing each,
  // are about 40 and 100 ms: 2.5× for k = 1).
  assert.ok(newreno > 2, `NewReno short/long ${newreno.toFixed(2)}`);
  // CUBIC: the short flow still ahead (> 1.3×), but clearly less so than with
  // NewReno (by at least a fifth).
  assert.ok(cubic > 1.3 && cubic < newreno / 1.2, `CUBIC short/long ${cubic.toFixed(2)}`);
  // BBR: reversed, the 80 ms flow gets at least 1.5× the 20 ms one.
  assert.ok(1 / bbr > 1.5, `BBR long/short ${(1 / bbr).toFixed(2)}`);
});
