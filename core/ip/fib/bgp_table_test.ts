/**
 * Tests of the BGP-shaped table generator and its PRNG: determinism, distinct
 * masked prefixes, and a length mix close to the published shape. Uses small
 * tables only (the 900k table is for benchmarks).
 *
 * @module
 */
import assert from "node:assert/strict";
import { BGP_LENGTH_SHARES, generateBgpTable, NEXT_HOPS } from "./bgp_table.ts";
import { maskPrefix } from "./prefix_map.ts";
import { Rng } from "./rng.ts";

Deno.test("rng: same seed, same sequence; below() stays in range", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 8 }, () => a.u32());
  assert.deepEqual(xs, Array.from({ length: 8 }, () => b.u32()));
  assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.u32()));
  for (let i = 0; i < 1000; i++) {
    const v = a.below(7);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
  }
});

Deno.test("generator: deterministic, distinct, masked, unicast, BGP-like lengths", () => {
  const n = 10_000;
  const t = generateBgpTable(n, 99);
  const u = generateBgpTable(n, 99);
  assert.deepEqual(t.prefixes, u.prefixes);
  assert.deepEqual(t.lengths, u.lengths);
  assert.deepEqual(t.nextHops, u.nextHops);
  assert.equal(t.prefixes.length, n);
  const seen = new Set<number>();
  const count = new Array<number>(33).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = t.prefixes[i]!, len = t.lengths[i]!;
    assert.equal(maskPrefix(p, len), p, "host bits are zero");
    const top = p >>> 24;
    assert.ok(top >= 1 && top <= 223 && top !== 10 && top !== 127, `unicast: ${top}`);
    assert.ok(t.nextHops[i]! < NEXT_HOPS);
    const key = p * 64 + len;
    assert.ok(!seen.has(key), "distinct");
    seen.add(key);
    count[len]!++;
    sum += len;
  }
  const total = BGP_LENGTH_SHARES.reduce((a, b) => a + b, 0);
  const share24 = count[24]! / n;
  assert.ok(Math.abs(share24 - BGP_LENGTH_SHARES[24]! / total) < 0.01, `/24 share ${share24}`);
  const avg = sum / n;
  assert.ok(avg > 22.6 && avg < 23.2, `average length ${avg}`);
  assert.notDeepEqual(generateBgpTable(1000, 1).prefixes, generateBgpTable(1000, 2).prefixes);
});

Deno.test("generator: tiny tables work", () => {
  for (const n of [0, 1, 5, 50]) {
    const t = generateBgpTable(n, 3);
    assert.equal(t.prefixes.length, n);
  }
});
