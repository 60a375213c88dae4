/**
 * Tests of the fast Fib against the reference NaivePrefixMap: edge cases (/0, /32,
 * overlaps, replacement, deletion back to a shorter route, mode changes) and
 * fast-check properties with fixed seeds over random tables and random
 * interleaved inserts and deletes.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Fib } from "./fib.ts";
import { NaivePrefixMap } from "./naive.ts";
import type { PrefixMap } from "./prefix_map.ts";
import { Rng } from "./rng.ts";
import { ip } from "../../wire/addr.ts";

/** Addresses worth probing for a table: each prefix's first and last address and neighbours. */
function probes(entries: Iterable<[number, number, number]>, rng: Rng, extra: number): number[] {
  const out: number[] = [0, 0xffffffff, 0x80000000, 0x7fffffff];
  for (const [p, len] of entries) {
    const last = (p + 2 ** (32 - len) - 1) >>> 0;
    out.push(p, last, (p - 1) >>> 0, (last + 1) >>> 0, (p + rng.below(2 ** (32 - len))) >>> 0);
  }
  for (let i = 0; i < extra; i++) out.push(rng.u32());
  return out;
}

/** Assert two maps agree on size, entries, get and lookup (single and batch). */
function assertSame(fib: Fib, ref: PrefixMap, rng: Rng): void {
  assert.equal(fib.size, ref.size);
  const entries = [...ref.entries()];
  assert.deepEqual([...fib.entries()], entries);
  for (const [p, len, v] of entries) assert.equal(fib.get(p, len), v);
  const addrs = probes(entries, rng, 64);
  const batch = new Int32Array(addrs.length);
  fib.lookupBatch(Uint32Array.from(addrs), batch);
  for (let i = 0; i < addrs.length; i++) {
    const a = addrs[i]!;
    const want = ref.lookup(a);
    assert.equal(fib.lookup(a), want, `lookup ${a.toString(16)}`);
    assert.equal(batch[i], want, `lookupBatch ${a.toString(16)}`);
  }
}

Deno.test("empty table answers -1 everywhere", () => {
  const f = new Fib();
  assert.equal(f.size, 0);
  assert.equal(f.lookup(0), -1);
  assert.equal(f.lookup(0xffffffff), -1);
  assert.equal(f.get(0, 0), -1);
  assert.deepEqual([...f.entries()], []);
  assert.equal(f.delete(0, 0), false);
});

Deno.test("default route /0 and host route /32", () => {
  const f = new Fib();
  f.insert(0, 0, 7);
  f.insert(ip("192.0.2.1"), 32, 9);
  assert.equal(f.lookup(ip("192.0.2.1")), 9);
  assert.equal(f.lookup(ip("192.0.2.0")), 7);
  assert.equal(f.lookup(ip("192.0.2.2")), 7);
  assert.equal(f.lookup(0xffffffff), 7);
  assert.equal(f.delete(0, 0), true);
  assert.equal(f.lookup(ip("192.0.2.2")), -1);
  assert.equal(f.lookup(ip("192.0.2.1")), 9);
  f.insert(0xffffffff, 32, 3);
  assert.equal(f.lookup(0xffffffff), 3);
  assert.equal(f.lookup(0xfffffffe), -1);
});

Deno.test("overlapping prefixes: longest wins, deletion falls back to the next shorter", () => {
  const f = new Fib();
  f.insert(ip("10.0.0.0"), 8, 1);
  f.insert(ip("10.1.0.0"), 16, 2);
  f.insert(ip("10.1.2.0"), 24, 3);
  f.insert(ip("10.1.2.128"), 25, 4);
  f.insert(ip("10.1.2.130"), 31, 5);
  assert.equal(f.lookup(ip("10.9.9.9")), 1);
  assert.equal(f.lookup(ip("10.1.9.9")), 2);
  assert.equal(f.lookup(ip("10.1.2.9")), 3);
  assert.equal(f.lookup(ip("10.1.2.200")), 4);
  assert.equal(f.lookup(ip("10.1.2.131")), 5);
  assert.equal(f.delete(ip("10.1.2.0"), 24), true);
  assert.equal(f.lookup(ip("10.1.2.9")), 2);
  assert.equal(f.lookup(ip("10.1.2.131")), 5);
  assert.equal(f.delete(ip("10.1.0.0"), 16), true);
  assert.equal(f.lookup(ip("10.1.2.9")), 1);
  assert.equal(f.delete(ip("10.1.0.0"), 16), false);
  assert.equal(f.size, 3);
});

Deno.test("host bits are masked; insert replaces; get is exact-match", () => {
  const f = new Fib();
  f.insert(ip("172.16.5.77"), 12, 1);
  assert.equal(f.get(ip("172.16.0.0"), 12), 1);
  assert.equal(f.get(ip("172.31.255.255"), 12), 1);
  assert.equal(f.get(ip("172.16.0.0"), 13), -1);
  f.insert(ip("172.16.0.0"), 12, 2);
  assert.equal(f.size, 1);
  assert.equal(f.lookup(ip("172.20.1.1")), 2);
  assert.deepEqual([...f.entries()], [[ip("172.16.0.0"), 12, 2]]);
  f.insert(ip("8.8.8.8"), 32, 0x7fffffff);
  assert.equal(f.lookup(ip("8.8.8.8")), 0x7fffffff);
  assert.equal(f.delete(ip("172.31.0.0"), 12), true);
});

Deno.test("bad arguments throw RangeError", () => {
  const f = new Fib();
  assert.throws(() => f.insert(0, 33, 1), RangeError);
  assert.throws(() => f.insert(0, -1, 1), RangeError);
  assert.throws(() => f.insert(0, 8.5, 1), RangeError);
  assert.throws(() => f.insert(0, 8, -1), RangeError);
  assert.throws(() => f.insert(0, 8, 2 ** 31), RangeError);
  assert.throws(() => f.get(0, 40), RangeError);
  assert.throws(() => f.lookupBatch(new Uint32Array(4), new Int32Array(3)), RangeError);
});

Deno.test("entries come out in ascending (prefix, len) order", () => {
  const f = new Fib();
  f.insert(ip("10.0.0.0"), 24, 1);
  f.insert(ip("10.0.0.0"), 8, 2);
  f.insert(ip("9.0.0.0"), 8, 3);
  f.insert(0, 0, 4);
  f.insert(ip("10.0.0.0"), 32, 5);
  assert.deepEqual([...f.entries()], [
    [0, 0, 4],
    [ip("9.0.0.0"), 8, 3],
    [ip("10.0.0.0"), 8, 2],
    [ip("10.0.0.0"), 24, 1],
    [ip("10.0.0.0"), 32, 5],
  ]);
});

Deno.test("a small table stays small; a growing table changes mode and stays correct", () => {
  const f = new Fib();
  f.insert(ip("10.0.0.0"), 24, 1);
  f.insert(ip("10.0.1.0"), 24, 2);
  f.insert(0, 0, 3);
  assert.ok(f.stats().typedArrayBytes < 16 * 1024, `3 routes use ${f.stats().typedArrayBytes} B`);
  const ref = new NaivePrefixMap();
  for (const [p, l, v] of f.entries()) ref.insert(p, l, v);
  const rng = new Rng(11);
  const added: [number, number][] = [];
  for (let i = 0; i < 20_000; i++) {
    const len = 20 + rng.below(13);
    const p = (ip("10.0.0.0") + rng.below(2 ** 24)) >>> 0;
    f.insert(p, len, i & 0xff);
    ref.insert(p, len, i & 0xff);
    added.push([p, len]);
  }
  assert.equal(f.stats().directBits, 19);
  assertSame(f, ref, rng);
  for (const [p, len] of added) assert.equal(f.delete(p, len), ref.delete(p, len));
  assert.equal(f.stats().directBits, 9);
  assertSame(f, ref, rng);
  // Back to a few routes: the arrays shrank with the table (spare capacity of the last rebuild only).
  assert.ok(f.stats().typedArrayBytes < 64 * 1024, `${f.stats().typedArrayBytes} B after deletes`);
});

Deno.test("full-size table (S = 19): values too wide for a run entry, deep nodes, batch lookups", () => {
  const f = new Fib();
  const ref = new NaivePrefixMap();
  const rng = new Rng(23);
  const added: [number, number][] = [];
  while (ref.size < 20_000) {
    const len = 14 + rng.below(19);
    const p = (ip("10.0.0.0") + rng.below(2 ** 24)) >>> 0;
    // Every third value needs a wide word (above 0x7ffe); some sit right at the boundary.
    const r = rng.below(3);
    const v = r === 0 ? 0x7ffe + rng.below(3) : r === 1 ? 0x7fffffff - rng.below(5) : rng.below(40);
    f.insert(p, len, v);
    ref.insert(p, len, v);
    added.push([p, len]);
  }
  assert.equal(f.stats().directBits, 19);
  assertSame(f, ref, rng);
  for (let i = 0; i < added.length; i += 2) {
    const [p, len] = added[i]!;
    assert.equal(f.delete(p, len), ref.delete(p, len));
  }
  assertSame(f, ref, rng);
});

Deno.test("Fib.from matches incremental inserts (later duplicates win)", () => {
  const rng = new Rng(5);
  const list: [number, number, number][] = [];
  for (let i = 0; i < 3000; i++) list.push([rng.u32(), rng.below(33), rng.below(1000)]);
  list.push([list[0]![0], list[0]![1], 4242]);
  const f = Fib.from(list);
  const g = new Fib();
  for (const [p, l, v] of list) g.insert(p, l, v);
  assert.deepEqual([...f.entries()], [...g.entries()]);
  assertSame(f, g as unknown as PrefixMap, rng);
});

/** An operation in a random history. */
type Op = { del: boolean; base: number; len: number; value: number };

/** Prefixes built from a few base addresses, so that overlaps and duplicates are common. */
function opArb(bases: number[]): fc.Arbitrary<Op> {
  return fc.record({
    del: fc.boolean(),
    base: fc.constantFrom(...bases),
    len: fc.oneof(fc.constantFrom(0, 1, 8, 16, 24, 31, 32), fc.integer({ min: 0, max: 32 })),
    value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0x7fffffff })),
  });
}

const BASES = [
  0,
  0xffffffff,
  ip("10.0.0.0"),
  ip("10.0.0.1"),
  ip("10.1.2.3"),
  ip("10.1.2.200"),
  ip("10.128.0.0"),
  ip("192.168.1.1"),
  ip("192.168.1.255"),
  ip("203.0.113.77"),
  ip("128.0.0.0"),
  ip("127.255.255.255"),
];

Deno.test("property: random tables agree with the naive map", () => {
  fc.assert(
    fc.property(
      fc.array(opArb(BASES), { maxLength: 120, size: "max" }),
      fc.integer(),
      (ops, seed) => {
        const f = new Fib();
        const ref = new NaivePrefixMap();
        for (const op of ops) {
          f.insert(op.base, op.len, op.value);
          ref.insert(op.base, op.len, op.value);
        }
        assertSame(f, ref, new Rng(seed));
      },
    ),
    { seed: 20261124, numRuns: 200 },
  );
});

Deno.test("property: interleaved inserts and deletes agree with the naive map", () => {
  fc.assert(
    fc.property(
      fc.array(opArb(BASES), { maxLength: 200, size: "max" }),
      fc.integer(),
      (ops, seed) => {
        const f = new Fib();
        const ref = new NaivePrefixMap();
        const rng = new Rng(seed);
        for (const op of ops) {
          if (op.del) assert.equal(f.delete(op.base, op.len), ref.delete(op.base, op.len));
          else {
            f.insert(op.base, op.len, op.value);
            ref.insert(op.base, op.len, op.value);
          }
          const a = (op.base + rng.below(256)) >>> 0;
          assert.equal(f.lookup(a), ref.lookup(a));
        }
        assertSame(f, ref, rng);
      },
    ),
    { seed: 424242, numRuns: 200 },
  );
});

Deno.test("property: random addresses in larger random tables across mode changes", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 1500, max: 3000 }),
      (seed, n) => {
        const rng = new Rng(seed);
        const f = new Fib();
        const ref = new NaivePrefixMap();
        const live: [number, number][] = [];
        for (let i = 0; i < n; i++) {
          if (live.length > 0 && rng.float() < 0.3) {
            const [p, len] = live.splice(rng.below(live.length), 1)[0]!;
            assert.equal(f.delete(p, len), ref.delete(p, len));
            continue;
          }
          // Cluster addresses in a few /8s; lengths weighted to the BGP shape plus /0 and /32.
          const p = ((rng.below(4) * 64 + 1) * 2 ** 24 + rng.below(2 ** 24)) >>> 0;
          const r = rng.float();
          const len = r < 0.01 ? 0 : r < 0.05 ? 32 : r < 0.6 ? 24 : 8 + rng.below(25);
          const v = rng.below(64);
          f.insert(p, len, v);
          ref.insert(p, len, v);
          live.push([p, len]);
        }
        assertSame(f, ref, rng);
      },
    ),
    { seed: 7, numRuns: 8 },
  );
});

Deno.test("property: clustered updates (one direct slot, every node depth) agree with the naive map", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          del: fc.boolean(),
          off: fc.integer({ min: 0, max: 0xffff }),
          len: fc.integer({ min: 9, max: 32 }),
          value: fc.integer({ min: 0, max: 5 }),
        }),
        { minLength: 50, maxLength: 300, size: "max" },
      ),
      fc.integer(),
      (ops, seed) => {
        const rng = new Rng(seed);
        const f = new Fib();
        const ref = new NaivePrefixMap();
        const base = ip("10.20.0.0");
        for (const op of ops) {
          const p = base + op.off;
          if (op.del) assert.equal(f.delete(p, op.len), ref.delete(p, op.len));
          else {
            f.insert(p, op.len, op.value);
            ref.insert(p, op.len, op.value);
          }
          for (let i = 0; i < 4; i++) {
            const a = base + rng.below(0x10000);
            assert.equal(f.lookup(a), ref.lookup(a));
          }
        }
        assertSame(f, ref, rng);
      },
    ),
    { seed: 99, numRuns: 100 },
  );
});

Deno.test("property: values at the narrow-entry limits, one region of slots filled and emptied (S = 19)", () => {
  // Values on both sides of the limit of a narrow run entry (0x7ffe) and of a
  // byte, at every prefix length from /11 to /32 inside one region.
  const values = [0, 1, 0xfc, 0xfd, 0xfe, 0xff, 0x100, 0x7ffd, 0x7ffe, 0x7fff, 0x8000, 0x7fffffff];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (seed) => {
      const rng = new Rng(seed);
      const f = new Fib();
      const ref = new NaivePrefixMap();
      // Enough /24s elsewhere to keep the table at S = 19 (one root per /19).
      for (let i = 0; i < 17_000; i++) {
        const p = (ip("100.0.0.0") + i * 256) >>> 0;
        f.insert(p, 24, i & 7);
        ref.insert(p, 24, i & 7);
      }
      assert.equal(f.stats().directBits, 19);
      // 10.0.0.0/11 spans 256 direct slots (/19s): fill many of them with
      // nodes, then empty them again, with short prefixes (pushed into the
      // direct entries) and long ones (wide entries, deeper nodes).
      const live: [number, number][] = [];
      for (let step = 0; step < 1500; step++) {
        if (live.length > 0 && rng.float() < 0.45) {
          const [p, len] = live.splice(rng.below(live.length), 1)[0]!;
          assert.equal(f.delete(p, len), ref.delete(p, len));
        } else {
          const p = (ip("10.0.0.0") + rng.below(2 ** 21)) >>> 0;
          const r = rng.float();
          const len = r < 0.1 ? 11 + rng.below(9) : r < 0.8 ? 20 + rng.below(5) : 25 + rng.below(8);
          const v = values[rng.below(values.length)]!;
          f.insert(p, len, v);
          ref.insert(p, len, v);
          live.push([p, len]);
        }
        if (step % 300 === 299) assertSame(f, ref, rng);
      }
      assertSame(f, ref, rng);
      // Empty the region: every slot answers as before it was filled.
      const nodesBefore = f.stats().nodes;
      for (const [p, len] of live) assert.equal(f.delete(p, len), ref.delete(p, len));
      assertSame(f, ref, rng);
      assert.ok(f.stats().nodes < nodesBefore || live.length === 0);
    }),
    { seed: 31337, numRuns: 2 },
  );
});
