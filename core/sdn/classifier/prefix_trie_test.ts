import assert from "node:assert/strict";
import fc from "fast-check";
import { lenBit, PrefixTrie } from "./prefix_trie.ts";

function naive(prefixes: Map<string, number>, addr: number): number {
  let bits = 0;
  for (const id of prefixes.keys()) {
    const [len, v] = id.split("/").map(Number) as [number, number];
    const mask = (0xffffffff << (32 - len)) >>> 0;
    if (((addr & mask) >>> 0) === v) bits |= lenBit(len);
  }
  return bits;
}

Deno.test("prefix trie: lengths that match, reference counts, bad lengths", () => {
  const t = new PrefixTrie();
  t.add(0x0a000000, 8);
  t.add(0x0a010200, 24);
  t.add(0x0a010203, 32);
  t.add(0x0a0102ff, 32);
  t.add(0x80000000, 1);
  assert.equal(t.lookup(0x0a010203), lenBit(8) | lenBit(24) | lenBit(32));
  assert.equal(t.lookup(0x0a010204), lenBit(8) | lenBit(24));
  assert.equal(t.lookup(0x0b000000), 0);
  assert.equal(t.lookup(0xc0000000), lenBit(1));
  assert.equal(lenBit(32), -2147483648, "length 32 is the sign bit");
  t.add(0x0a0000ff, 8); // host bits ignored: a second reference to 10/8
  assert.equal(t.size, 5);
  assert.ok(t.remove(0x0a000000, 8));
  assert.equal(t.lookup(0x0a7f0000), lenBit(8), "one reference left");
  assert.ok(t.remove(0x0a000000, 8));
  assert.equal(t.lookup(0x0a7f0000), 0);
  assert.ok(!t.remove(0x0a000000, 8));
  assert.throws(() => t.add(0, 0), RangeError);
  assert.throws(() => t.add(0, 33), RangeError);
});

Deno.test("property: prefix trie lookups equal a scan of the stored prefixes", () => {
  const prefix = fc.tuple(
    fc.integer({ min: 1, max: 32 }),
    fc.integer({ min: 0, max: 15 }),
    fc.nat(),
  )
    .map(([len, hi, lo]) => {
      const v = ((hi << 28) | (lo & 0x0fffffff)) >>> 0;
      return { len, v: (v & ((0xffffffff << (32 - len)) >>> 0)) >>> 0 };
    });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), prefix), { maxLength: 80 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (ops, extra) => {
        const t = new PrefixTrie();
        const model = new Map<string, number>();
        for (const [add, { len, v }] of ops) {
          const id = `${len}/${v}`;
          if (add) {
            t.add(v, len);
            model.set(id, (model.get(id) ?? 0) + 1);
          } else {
            const had = model.get(id);
            assert.equal(t.remove(v, len), had !== undefined);
            if (had === 1) model.delete(id);
            else if (had !== undefined) model.set(id, had - 1);
          }
        }
        assert.equal(t.size, model.size);
        const probes = [
          ...ops.map(([, p]) => p.v),
          ...ops.map(([, p]) => (p.v | 1) >>> 0),
          ...extra,
        ];
        for (const a of probes) assert.equal(t.lookup(a >>> 0), naive(model, a >>> 0), `addr ${a}`);
      },
    ),
    { seed: 11, numRuns: 300 },
  );
});
