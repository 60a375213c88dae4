import assert from "node:assert/strict";
import { DEFAULT_CC_SEED, seededRandom } from "./prng.ts";

Deno.test("seededRandom: deterministic per seed, in [0, 1), spread out", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 10_000 }, () => a());
  assert.deepEqual(Array.from({ length: 10_000 }, () => b()), xs);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const buckets = new Array(7).fill(0);
  for (const x of xs) buckets[Math.floor(x * 7)]++;
  for (const n of buckets) assert.ok(n > 1200 && n < 1650, `bucket ${n}`);
  assert.notEqual(seededRandom(43)(), seededRandom(42)());
  assert.equal(seededRandom()(), seededRandom(DEFAULT_CC_SEED)());
});
