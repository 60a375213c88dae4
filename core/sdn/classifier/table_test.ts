import assert from "node:assert/strict";
import fc from "fast-check";
import { maskHash, MaskMap, MaskTable, sameMask } from "./table.ts";
import { KEY_WORDS, W } from "./flow_key.ts";

function maskOf(words: Record<number, number>): Uint32Array {
  const m = new Uint32Array(KEY_WORDS);
  for (const [w, v] of Object.entries(words)) m[Number(w)] = v;
  return m;
}

function keyWith(w1: number, w2: number, w3: number): Uint32Array {
  const k = new Uint32Array(KEY_WORDS);
  k[W.IN_PORT] = w1;
  k[W.NW_SRC] = w2;
  k[W.TP_DST] = w3;
  k[W.REG1] = w1 ^ w2; // not in the mask: must be ignored
  return k;
}

Deno.test("MaskTable: words, stages and mask identity", () => {
  const t = new MaskTable<number>(
    maskOf({ [W.IN_PORT]: 0xffff, [W.NW_SRC]: 0xff000000, [W.TP_DST]: 0xffff }),
    true,
  );
  assert.equal(t.n, 3);
  assert.deepEqual([t.word(0), t.word(1), t.word(2)], [W.IN_PORT, W.NW_SRC, W.TP_DST]);
  assert.deepEqual([...t.stageEnds], [1, 2, 3]);
  assert.equal(t.stageSets?.length, 2);
  const none = new MaskTable<number>(new Uint32Array(KEY_WORDS), true);
  assert.deepEqual([...none.stageEnds], [0]);
  none.add(new Uint32Array(KEY_WORDS), 1);
  assert.equal(none.vals[none.find(keyWith(5, 6, 7))], 1, "the empty mask matches every key");
  assert.notEqual(maskHash(t.mask), maskHash(none.mask));
  assert.ok(sameMask(t.mask, t.mask.slice()) && !sameMask(t.mask, none.mask));
});

Deno.test("property: MaskTable behaves as a map from masked keys (adds, deletes, growth)", () => {
  const mask = maskOf({ [W.IN_PORT]: 0xf, [W.NW_SRC]: 0xffff0000, [W.TP_DST]: 0xffff });
  const masked = (k: Uint32Array) =>
    `${k[W.IN_PORT]! & 0xf}/${(k[W.NW_SRC]! >>> 16)}/${k[W.TP_DST]}`;
  const arbKey = fc.tuple(
    fc.integer({ min: 0, max: 40 }),
    fc.integer({ min: 0, max: 0x3ffff }),
    fc.integer({ min: 0, max: 3 }),
  )
    .map(([a, b, c]) => keyWith(a, (b << 14) >>> 0, c));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), arbKey), { maxLength: 300 }), (ops) => {
      const t = new MaskTable<string>(mask, true);
      const model = new Map<string, number>();
      ops.forEach(([add, k], i) => {
        const id = t.find(k);
        const want = model.get(masked(k));
        assert.equal(
          id === 0 ? undefined : t.vals[id],
          want === undefined ? undefined : `v${want}`,
        );
        if (add && id === 0) {
          t.add(k, `v${i}`);
          model.set(masked(k), i);
        } else if (!add && id !== 0) {
          t.delete(id);
          model.delete(masked(k));
        }
        assert.equal(t.count, model.size);
      });
      // Stage sets hold exactly the live keys' partial hashes (by count).
      let total = 0;
      for (const c of t.stageSets![0]!.values()) total += c;
      assert.equal(total, model.size);
    }),
    { seed: 7, numRuns: 200 },
  );
});

Deno.test("MaskTable: full buckets spill into the overflow list and come back on delete", () => {
  const mask = maskOf({ [W.NW_DST]: 0xffffffff });
  const t = new MaskTable<number>(mask, true);
  const k = (i: number) => {
    const key = new Uint32Array(KEY_WORDS);
    key[W.NW_DST] = Math.imul(i, 0x2f0b3c1d) >>> 0;
    return key;
  };
  let sawOverflow = 0;
  const live = new Set<number>();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 6000; i++) {
      if (t.find(k(i)) === 0) {
        t.add(k(i), i);
        live.add(i);
      }
      sawOverflow = Math.max(sawOverflow, t.overflowCount);
    }
    for (let i = round; i < 6000; i += 3) {
      const id = t.find(k(i));
      assert.notEqual(id, 0);
      t.delete(id);
      live.delete(i);
    }
    for (let i = 0; i < 6000; i++) {
      const id = t.find(k(i));
      assert.equal(id === 0 ? undefined : t.vals[id], live.has(i) ? i : undefined, `key ${i}`);
    }
  }
  assert.ok(sawOverflow > 0, "some bucket overflowed");
  assert.equal(t.count, live.size);
});

Deno.test("MaskMap: finds tables by mask, survives hash collisions", () => {
  const map = new MaskMap<{ mask: Uint32Array }>();
  const a = { mask: maskOf({ [W.REG0]: 1 }) };
  const b = { mask: maskOf({ [W.REG0]: 2 }) };
  map.add(a);
  map.add(b);
  assert.equal(map.get(maskOf({ [W.REG0]: 1 })), a);
  assert.equal(map.get(maskOf({ [W.REG0]: 3 })), undefined);
  // Force a collision: two different masks stored under one hash list.
  const c = { mask: maskOf({ [W.REG1]: 7 }) };
  // deno-lint-ignore no-explicit-any
  (map as any).map.get(maskHash(a.mask)).push(c);
  assert.equal(map.get(c.mask), undefined, "c sits under a's hash, not its own");
  assert.equal(map.get(a.mask), a);
  map.delete(a);
  assert.equal(map.get(a.mask), undefined);
  assert.equal(map.get(b.mask), b);
  map.clear();
  assert.equal(map.get(b.mask), undefined);
});
