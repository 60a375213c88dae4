/**
 * A seeded generator of synthetic IPv4 BGP tables whose prefix-length mix follows
 * today's global routing table, for benchmarks and large-table tests.
 *
 * Source. The size and summary figures of the real table come from the AS65000
 * "BGP Routing Table Analysis Report" published by Geoff Huston at
 * bgp.potaroo.net (as2.0/bgp-active.html), snapshot of 5 November 2025:
 * 1,036,829 active (FIB) entries, 72.2% of the IPv4 space advertised, average
 * prefix length 22.93, and more than half of the entries more-specifics of
 * another announcement. The per-length shares in `BGP_LENGTH_SHARES` are our own
 * rounded approximation of the widely published shape of the length histogram
 * (roughly 60% /24; /22 and /23 about 12% and 11%; /21 and /20 about 5% and
 * 4.5%; /16 about 1.4%; a few hundred entries longer than /24, which most
 * operators filter), set so that a generated table's average length matches the
 * snapshot (22.88 for the 900k table against 22.93). They were not copied from a
 * particular day's per-length counts.
 *
 * Model. Lengths are generated shortest first. A prefix is either a
 * more-specific (inside an already generated prefix 1..8 bits shorter, with a
 * per-length probability) or an independent "allocation", which never overlaps
 * another allocation: /8../16 ones anywhere in the unicast /8s, longer ones
 * inside a pool of free /16s (space handed out in small pieces), so that long
 * prefixes cluster the way allocations do. Each prefix also gets a next hop among
 * `NEXT_HOPS` (see `BgpTable.nextHops`). The generated 900k table advertises
 * about 65% of the address space (the real one 72%).
 *
 * Leaves out: AS paths and origins, the real table's geography, and the IANA
 * special-purpose ranges other than 0/8, 10/8, 127/8 and 224/3.
 *
 * @module
 */
import { Fib } from "./fib.ts";
import { Rng } from "./rng.ts";

/** Prefixes per million entries, by length 0..32 (see the module documentation). */
// deno-fmt-ignore
export const BGP_LENGTH_SHARES: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 0, // /0../7
  16, 13, 37, 100, 300, 600, 1_100, 1_900, // /8../15
  13_800, 8_500, 14_500, 25_500, 44_000, 54_000, 120_000, 110_000, // /16../23
  600_000, 150, 100, 60, 40, 40, 30, 5, 50, // /24../32
];

/** Probability that a prefix of a length is a more-specific of a generated one. */
function moreSpecificShare(len: number): number {
  if (len <= 12) return 0;
  if (len <= 16) return 0.1;
  return 0.55;
}

/** A generated table: prefix i is prefixes[i]/lengths[i]. */
export interface BgpTable {
  /** Network addresses (host bits zero). */
  prefixes: Uint32Array;
  /** Prefix lengths. */
  lengths: Uint8Array;
  /**
   * A next hop 0..NEXT_HOPS-1 per prefix, as a router with that many BGP
   * neighbours might pick: random for an independent prefix; for a more-specific,
   * its covering prefix's next hop half of the time.
   */
  nextHops: Uint8Array;
}

/** Number of distinct next hops in generated tables. */
export const NEXT_HOPS = 32;

/** Usable unicast /8s: 1..223 without 10 and 127. */
function unicastSlash8s(): number[] {
  const out: number[] = [];
  for (let i = 1; i <= 223; i++) if (i !== 10 && i !== 127) out.push(i);
  return out;
}

/**
 * Generate `count` distinct prefixes whose length distribution follows the
 * global IPv4 BGP table, deterministically from `seed`. The order is the
 * generation order (shortest lengths first); shuffle if insertion order matters.
 */
export function generateBgpTable(count: number, seed: number): BgpTable {
  if (!Number.isInteger(count) || count < 0) throw new RangeError("count must be >= 0");
  const rng = new Rng(seed);
  const total = BGP_LENGTH_SHARES.reduce((a, b) => a + b, 0);
  const want = BGP_LENGTH_SHARES.map((s) => Math.round((count * s) / total));
  want[24] = want[24]! + count - want.reduce((a, b) => a + b, 0);
  if (want[24]! < 0) throw new RangeError("count too small");

  const slash8s = unicastSlash8s();
  const prefixes = new Uint32Array(count);
  const lengths = new Uint8Array(count);
  const nextHops = new Uint8Array(count);
  const seen = new Set<number>();
  /** Independent prefixes ("allocations"), which never overlap one another. */
  const allocated = new Fib();
  // Lengths are generated in ascending order, so a new block overlaps an
  // allocation exactly when its first address lies inside one.
  const insideAllocation = (p: number): boolean => allocated.lookup(p) !== -1;
  const byLen: number[][] = Array.from({ length: 33 }, () => []);
  let pool: number[] = [];
  let n = 0;
  for (let len = 0; len <= 32; len++) {
    if (len === 17) pool = makePool(rng, want, slash8s, insideAllocation);
    const share = moreSpecificShare(len);
    for (let made = 0, tries = 0; made < want[len]!; tries++) {
      let p: number;
      let independent = false;
      let hop = rng.below(NEXT_HOPS);
      const parent = rng.float() < share ? pickParent(rng, byLen, len) : undefined;
      if (parent !== undefined) {
        const pp = prefixes[parent]!, pl = lengths[parent]!;
        p = pp + rng.below(2 ** (len - pl)) * 2 ** (32 - len);
        if (rng.float() < 0.5) hop = nextHops[parent]!;
      } else {
        independent = true;
        if (len <= 16 || pool.length === 0) {
          const s8 = slash8s[rng.below(slash8s.length)]!;
          p = s8 * 2 ** 24 + rng.below(2 ** (len - 8)) * 2 ** (32 - len);
        } else {
          const s16 = pool[rng.below(pool.length)]!;
          p = s16 * 65536 + rng.below(2 ** (len - 16)) * 2 ** (32 - len);
        }
        // Allocations are disjoint; give up on that after many tries (tiny tables).
        if (tries < 1000 * (made + 1) && insideAllocation(p)) continue;
      }
      const key = p * 64 + len;
      if (seen.has(key)) continue;
      seen.add(key);
      if (independent) allocated.insert(p, len, 1);
      byLen[len]!.push(n);
      prefixes[n] = p;
      lengths[n] = len;
      nextHops[n] = hop;
      n++;
      made++;
    }
  }
  return { prefixes, lengths, nextHops };
}

/**
 * The /16s that receive the independent prefixes longer than /16: free /16s
 * (outside every allocation so far), twice as many as those prefixes would fill.
 */
function makePool(
  rng: Rng,
  want: number[],
  slash8s: number[],
  insideAllocation: (p: number) => boolean,
): number[] {
  let space = 0;
  for (let len = 17; len <= 32; len++) {
    space += want[len]! * (1 - moreSpecificShare(len)) * 2 ** (32 - len);
  }
  const size = Math.max(1, Math.ceil((2 * space) / 65536));
  const pool: number[] = [];
  const taken = new Set<number>();
  for (let tries = 0; pool.length < size && tries < 50 * size; tries++) {
    const s16 = slash8s[rng.below(slash8s.length)]! * 256 + rng.below(256);
    if (taken.has(s16) || insideAllocation(s16 * 65536)) continue;
    taken.add(s16);
    pool.push(s16);
  }
  return pool;
}

/** Index of a random generated prefix 1..8 bits shorter than len (weighted by count). */
function pickParent(rng: Rng, byLen: number[][], len: number): number | undefined {
  let total = 0;
  const lo = Math.max(8, len - 8);
  for (let l = lo; l < len; l++) total += byLen[l]!.length;
  if (total === 0) return undefined;
  let r = rng.below(total);
  for (let l = lo; l < len; l++) {
    const list = byLen[l]!;
    if (r < list.length) return list[r]!;
    r -= list.length;
  }
  return undefined;
}

/** Seed of the standard 900k table. */
export const SEED_900K = 0x0b9f900;
/** Seed of the standard 100k table. */
export const SEED_100K = 0x0b9f100;

/** The standard 900,000-prefix table used by the benchmarks. */
export function bgpTable900k(): BgpTable {
  return generateBgpTable(900_000, SEED_900K);
}

/** The standard 100,000-prefix table used by the benchmarks. */
export function bgpTable100k(): BgpTable {
  return generateBgpTable(100_000, SEED_100K);
}
