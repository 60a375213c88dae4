/**
 * Buffer sizing for a single loss-based flow: after each halving NewReno's
 * window is (BDP + buffer)/2, and the link stays busy only if that is still a
 * BDP, i.e. if the buffer holds at least one BDP (the classic rule of thumb).
 * With a one-BDP buffer the flow fills the link and the queue only touches
 * empty at the sawtooth's troughs;
 * with a buffer of a tenth of a BDP the window falls below the BDP after every
 * loss, the queue is empty much of the time and utilisation drops to about
 * the ¾ × (1 + buffer/BDP) the sawtooth predicts.
 */
import assert from "node:assert/strict";
import { payloadRate, runDumbbell } from "./path_testing.ts";

const RATE = 10e6, BDP = 33;

Deno.test("buffer sizing: NewReno fills the link with a one-BDP buffer, not with a tenth", () => {
  const run = (buffer: number) =>
    runDumbbell({ algos: ["newreno"], rttsMs: [40], rate: RATE, buffer, seconds: 14, warmup: 4 });
  const link = payloadRate(RATE) * 8;
  const full = run(BDP), small = run(3);
  const idle = (q: number[]) => q.filter((x) => x === 0).length / q.length;
  // One BDP: ≥ 98 % of the payload rate; the queue is empty under 10 % of
  // the time (the troughs: half of BDP + buffer is just the BDP).
  assert.ok(full.goodput[0]! > 0.98 * link, `1 BDP: ${full.goodput[0]! / link}`);
  assert.ok(idle(full.queue) < 0.1, `1 BDP: queue empty ${idle(full.queue)}`);
  // A tenth: the sawtooth's average window ¾ × (BDP + buffer) = 0.83 BDP, less
  // the recovery round per cycle: 70–85 % of the link, and an empty queue for
  // a large part of the time.
  const u = small.goodput[0]! / link;
  assert.ok(u > 0.7 && u < 0.85, `0.1 BDP: utilisation ${u}`);
  assert.ok(idle(small.queue) > 0.3, `0.1 BDP: queue empty ${idle(small.queue)}`);
});
