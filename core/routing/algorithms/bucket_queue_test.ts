import assert from "node:assert/strict";
import fc from "fast-check";
import { BUCKET_MAX_SPAN, BucketQueue } from "./bucket_queue.ts";

Deno.test("BucketQueue: pops in key order round the circle, payloads travel with entries, equal keys last in first out", () => {
  const q = new BucketQueue(10);
  assert.equal(q.span, 32);
  assert.equal(q.pop(), -1);
  q.push(1, 10, 100);
  q.push(2, 3, 200);
  q.push(3, 3, 300);
  q.push(4, 31, 400);
  assert.equal(q.size, 4);
  assert.equal(q.pop(), 3);
  assert.deepEqual([q.key, q.payload], [3, 300]);
  assert.equal(q.pop(), 2);
  q.push(6, 3, 600); // equal to the last popped key: allowed
  q.push(7, 34, 700); // the window moved: 34 − 3 < 32, in the bucket after 31's, round the circle
  assert.throws(() => q.push(8, 2, 0), RangeError); // below the last popped key
  assert.throws(() => q.push(8, 35, 0), RangeError); // beyond the window
  assert.equal(q.pop(), 6);
  assert.equal(q.pop(), 1);
  assert.deepEqual([q.key, q.payload], [10, 100]);
  assert.equal(q.pop(), 4);
  assert.equal(q.pop(), 7);
  assert.deepEqual([q.key, q.payload], [34, 700]);
  assert.equal(q.pop(), -1);
  q.clear();
  q.push(9, 0, 0); // after clear, keys start from 0 again
  assert.equal(q.pop(), 9);
  assert.throws(() => new BucketQueue(BUCKET_MAX_SPAN), RangeError);
  assert.equal(new BucketQueue(BUCKET_MAX_SPAN - 1).span, BUCKET_MAX_SPAN);
});

Deno.test("BucketQueue: monotone push/pop sequences within the window match a sorted reference", () => {
  // Each step pushes some keys from the last popped key up to the window's end
  // (both ends and everything between come up), then pops some. Keys run far
  // past the span, so the circle is gone round many times, with gaps of empty
  // buckets in both bitmap words and buckets that grow.
  const step = fc.record({
    offsets: fc.array(
      fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 99 }), fc.constant(99)),
      { maxLength: 8 },
    ),
    pops: fc.integer({ min: 0, max: 6 }),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
      const q = new BucketQueue(99);
      const ref: [number, number][] = []; // [key, item], kept sorted by key
      let last = 0, next = 0;
      for (const { offsets, pops } of steps) {
        for (const off of offsets) {
          q.push(next, last + off, next ^ 0x5a5a5a5a);
          ref.push([last + off, next++]);
        }
        ref.sort((a, b) => a[0] - b[0]);
        for (let i = 0; i < pops; i++) {
          const item = q.pop();
          if (ref.length === 0) {
            assert.equal(item, -1);
            break;
          }
          const minKey = ref[0]![0];
          const at = ref.findIndex(([k, it]) => k === minKey && it === item);
          assert.ok(at >= 0, `popped ${item} (key ${q.key}) but the smallest key is ${minKey}`);
          assert.equal(q.key, minKey);
          assert.equal(q.payload, (item ^ 0x5a5a5a5a) >>> 0);
          ref.splice(at, 1);
          last = minKey;
        }
        assert.equal(q.size, ref.length);
      }
    }),
    { seed: 4096, numRuns: 300 },
  );
});
