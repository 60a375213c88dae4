import assert from "node:assert/strict";
import fc from "fast-check";
import { IndexedHeap } from "./heap.ts";

Deno.test("IndexedHeap: pops in key order with decrease-key", () => {
  const h = new IndexedHeap(8);
  assert.equal(h.pop(), -1);
  assert.equal(h.peekKey(), Infinity);
  h.push(3, 30);
  h.push(1, 10);
  h.push(5, 50);
  h.push(7, 5);
  h.push(5, 1); // decrease
  h.push(1, 99); // larger key for a queued item: ignored
  assert.equal(h.size, 4);
  assert.equal(h.has(5), true);
  assert.equal(h.keyOf(1), 10);
  assert.equal(h.keyOf(2), undefined);
  assert.equal(h.peek(), 5);
  assert.equal(h.peekKey(), 1);
  assert.deepEqual([h.pop(), h.pop(), h.pop(), h.pop(), h.pop()], [5, 7, 1, 3, -1]);
  assert.equal(h.has(5), false);
  h.push(2, 2);
  h.push(4, 4);
  h.clear();
  assert.equal(h.size, 0);
  assert.equal(h.has(2), false);
  h.push(4, 1);
  assert.equal(h.pop(), 4);
  // The unchecked fast paths.
  h.insert(6, 6);
  h.insert(2, 2);
  h.insert(3, 3);
  h.decrease(6, 1);
  assert.deepEqual([h.pop(), h.pop(), h.pop(), h.pop()], [6, 2, 3, -1]);
});

Deno.test("IndexedHeap: random push/decrease/pop sequences match a sorted reference", () => {
  const cap = 40;
  const op = fc.oneof(
    fc.record({
      kind: fc.constant("push" as const),
      item: fc.nat(cap - 1),
      key: fc.integer({ min: -50, max: 50 }),
    }),
    fc.record({ kind: fc.constant("pop" as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const h = new IndexedHeap(cap);
      const ref = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === "push") {
          const old = ref.get(o.item);
          if (old === undefined || o.key < old) ref.set(o.item, o.key);
          h.push(o.item, o.key);
        } else {
          const got = h.pop();
          if (ref.size === 0) {
            assert.equal(got, -1);
            continue;
          }
          const min = Math.min(...ref.values());
          assert.equal(ref.get(got), min, "popped item must carry the smallest key");
          ref.delete(got);
        }
        assert.equal(h.size, ref.size);
      }
    }),
    { seed: 20240611, numRuns: 300 },
  );
});
