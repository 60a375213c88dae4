import assert from "node:assert/strict";
import { Prng } from "./prng.ts";

Deno.test("Prng: equal seeds give equal streams, different seeds differ", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43);
  const xs = Array.from({ length: 100 }, () => a.u32());
  const ys = Array.from({ length: 100 }, () => b.u32());
  const zs = Array.from({ length: 100 }, () => c.u32());
  assert.deepEqual(xs, ys);
  assert.notDeepEqual(xs, zs);
  for (const x of xs) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
});

Deno.test("Prng: known first outputs stay fixed (reproducibility across versions)", () => {
  const r = new Prng(1);
  const first = [r.u32(), r.u32(), r.u32()];
  // Pinned on first run: a change here silently changes every seeded topology.
  assert.deepEqual(first, PINNED);
});
const PINNED = [2442144158, 3238099751, 3819917871];

Deno.test("Prng: int, range, float and chance stay in bounds and cover the range", () => {
  const r = new Prng(7);
  const counts = new Array<number>(6).fill(0);
  for (let i = 0; i < 6000; i++) counts[r.int(6)]!++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `count ${c}`);
  for (let i = 0; i < 1000; i++) {
    const x = r.range(-3, 3);
    assert.ok(x >= -3 && x <= 3 && Number.isInteger(x));
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
  }
  assert.equal(r.chance(0), false);
  assert.equal(r.chance(1), true);
  assert.equal(r.int(1), 0);
  assert.throws(() => r.int(0), RangeError);
  assert.throws(() => r.int(1.5), RangeError);
});

Deno.test("Prng: shuffle is a permutation and is seeded", () => {
  const a = new Prng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
  const b = new Prng(5).shuffle(Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual(a, Array.from({ length: 50 }, (_, i) => i));
});
