import assert from "node:assert/strict";
import fc from "fast-check";
import { RADIX_MAX_KEY, RadixHeap } from "./radix_heap.ts";

Deno.test("RadixHeap: pops in key order, payloads travel with entries, equal keys last in first out", () => {
  const h = new RadixHeap(2);
  assert.equal(h.pop(), -1);
  h.push(1, 10, 100);
  h.push(2, 3, 200);
  h.push(3, 3, 300);
  h.push(4, RADIX_MAX_KEY, 400);
  h.push(5, 7, 500);
  assert.equal(h.size, 5);
  assert.equal(h.pop(), 3);
  assert.deepEqual([h.key, h.payload], [3, 300]);
  assert.equal(h.pop(), 2);
  h.push(6, 3, 600); // equal to the last popped key: allowed
  assert.equal(h.pop(), 6);
  assert.equal(h.pop(), 5);
  assert.throws(() => h.push(7, 6, 0), RangeError); // below the last popped key
  assert.throws(() => h.push(7, RADIX_MAX_KEY + 1, 0), RangeError);
  assert.equal(h.pop(), 1);
  assert.equal(h.pop(), 4);
  assert.deepEqual([h.key, h.payload], [RADIX_MAX_KEY, 400]);
  assert.equal(h.pop(), -1);
  h.clear();
  h.push(8, 0, 0); // after clear, keys start from 0 again
  assert.equal(h.pop(), 8);
});

Deno.test("RadixHeap: monotone push/pop sequences match a sorted reference", () => {
  // Each step pushes some keys at or above the last popped key (offsets of every
  // magnitude, so entries start in every bucket), then pops some.
  const step = fc.record({
    offsets: fc.array(
      fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 })),
      { maxLength: 6 },
    ),
    pops: fc.integer({ min: 0, max: 5 }),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const h = new RadixHeap(1);
      const ref: [number, number][] = []; // [key, item], kept sorted by key
      let last = 0, next = 0;
      for (const { offsets, pops } of steps) {
        for (const off of offsets) {
          const key = Math.min(last + off, RADIX_MAX_KEY);
          h.push(next, key, next ^ 0x5a5a5a5a);
          ref.push([key, next++]);
        }
        ref.sort((a, b) => a[0] - b[0]);
        for (let i = 0; i < pops; i++) {
          const item = h.pop();
          if (ref.length === 0) {
            assert.equal(item, -1);
            break;
          }
          const minKey = ref[0]![0];
          // Among equal keys the order is the heap's own; the key must be the smallest.
          const at = ref.findIndex(([k, it]) => k === minKey && it === item);
          assert.ok(at >= 0, `popped ${item} (key ${h.key}) but the smallest key is ${minKey}`);
          assert.equal(h.key, minKey);
          assert.equal(h.payload, (item ^ 0x5a5a5a5a) >>> 0);
          ref.splice(at, 1);
          last = minKey;
        }
        assert.equal(h.size, ref.length);
      }
    }),
    { seed: 31337, numRuns: 300 },
  );
});
