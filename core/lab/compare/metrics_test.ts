import assert from "node:assert/strict";
import { jainIndex, mean, percentile, stddev } from "./metrics.ts";

Deno.test("metrics: mean and sample standard deviation", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.ok(Number.isNaN(mean([])));
  assert.equal(stddev([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
  assert.equal(stddev([5]), 0);
});

Deno.test("metrics: nearest-rank percentile", () => {
  const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
  assert.equal(percentile(v, 95), 95);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile([10, 20, 30], 95), 30);
  assert.equal(percentile([10, 20, 30], 50), 20);
  assert.equal(percentile([7], 95), 7);
  assert.ok(Number.isNaN(percentile([], 95)));
  assert.deepEqual(v[0], 100); // the input is not sorted in place
});

Deno.test("metrics: Jain's index", () => {
  assert.equal(jainIndex([5, 5, 5]), 1);
  assert.equal(jainIndex([10, 0, 0, 0]), 0.25);
  assert.equal(jainIndex([3]), 1);
  assert.equal(jainIndex([0, 0]), 1);
  assert.ok(Math.abs(jainIndex([1, 2]) - 0.9) < 1e-12);
});
