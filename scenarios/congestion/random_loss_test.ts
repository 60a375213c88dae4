/**
 * Random loss hurts loss-based congestion control far more than BBR: on a
 * 20 Mbit/s, 40 ms path that drops 1 % of packets at random (a lossy link,
 * not congestion), NewReno and CUBIC take every loss as a congestion signal
 * and stay near the Mathis rate, about a fifth of the link, while BBR,
 * which does not react to isolated losses, keeps its bandwidth estimate and
 * nearly fills the link.
 */
import assert from "node:assert/strict";
import { payloadRate, runDumbbell } from "./path_testing.ts";

const RATE = 20e6;

Deno.test("1 % random loss: BBR's goodput over four times NewReno's and CUBIC's", () => {
  const goodput = (algo: string) =>
    runDumbbell({ algos: [algo], rttsMs: [40], rate: RATE, buffer: 66, loss: 0.01, seconds: 10 })
      .goodput[0]!;
  const link = payloadRate(RATE) * 8;
  const newreno = goodput("newreno"), cubic = goodput("cubic"), bbr = goodput("bbr");
  // BBR: over 85 % of the link (1 % lost, plus its probing and PROBE_RTT).
  assert.ok(bbr > 0.85 * link, `BBR ${bbr / 1e6} Mbit/s`);
  // The loss-based ones: a quarter of it or less (Mathis: 1.22 × 1448 B / 40 ms
  // / √0.01 ≈ 3.5 Mbit/s; CUBIC's gentler β adds a little).
  assert.ok(
    newreno < link / 4 && cubic < link / 4,
    `NewReno ${newreno / 1e6}, CUBIC ${cubic / 1e6}`,
  );
  // So BBR gets at least four times as much as either.
  assert.ok(bbr > 4 * newreno, `BBR/NewReno ${bbr / newreno}`);
  assert.ok(bbr > 4 * cubic, `BBR/CUBIC ${bbr / cubic}`);
});
