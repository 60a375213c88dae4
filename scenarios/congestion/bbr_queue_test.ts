/**
 * BBR keeps the bottleneck queue short where CUBIC fills the buffer: the same
 * dumbbell (10 Mbit/s, 40 ms, a drop-tail buffer of four BDPs, 132 packets),
 * one flow at a time. CUBIC, loss-based, grows until the buffer overflows,
 * again and again, so the queue is large most of the time; BBR paces at its
 * bandwidth estimate and leaves little more than what its 1.25 probing phase
 * adds. Both fill the link; BBR's queueing delay is several times lower.
 */
import assert from "node:assert/strict";
import { mean, payloadRate, runDumbbell } from "./path_testing.ts";

const RATE = 10e6, BUFFER = 132;

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

Deno.test("bottleneck queue: BBR's stays short, CUBIC's fills the buffer", () => {
  const run = (algo: string) =>
    runDumbbell({
      algos: [algo],
      rttsMs: [40],
      rate: RATE,
      buffer: BUFFER,
      seconds: 12,
      warmup: 3,
    });
  const cubic = run("cubic"), bbr = run("bbr");
  // Both use the link (≥ 95 % of its payload rate).
  for (const r of [cubic, bbr]) assert.ok(r.goodput[0]! > 0.95 * payloadRate(RATE) * 8);
  // CUBIC: the queue reaches the buffer's size and averages over a third of it.
  assert.equal(Math.max(...cubic.queue), BUFFER, "CUBIC fills the buffer");
  assert.ok(mean(cubic.queue) > BUFFER / 3, `CUBIC mean queue ${mean(cubic.queue)}`);
  // BBR: never a quarter of the buffer, on average under a tenth of it.
  assert.ok(Math.max(...bbr.queue) < BUFFER / 4, `BBR max queue ${Math.max(...bbr.queue)}`);
  assert.ok(mean(bbr.queue) < BUFFER / 10, `BBR mean queue ${mean(bbr.queue)}`);
  // Queueing delay (RTT sample − base RTT), mean and 95th percentile: BBR's
  // at most a fifth of CUBIC's.
  for (const p of [50, 95]) {
    const c = percentile(cubic.queueDelay, p), b = percentile(bbr.queueDelay, p);
    assert.ok(b < c / 5, `p${p} queueing delay: BBR ${b} ms, CUBIC ${c} ms`);
  }
  assert.ok(mean(bbr.queueDelay) < mean(cubic.queueDelay) / 5);
});
