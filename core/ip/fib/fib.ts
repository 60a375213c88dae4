/**
 * The fast IPv4 forwarding table: a direct-pointing array on the top bits of the
 * address followed by run-length-compressed 32-way nodes, all in typed arrays,
 * with a control plane that lets routing protocols insert and delete one prefix
 * at a time. `docs/benchmarks.md` ("Longest-prefix match") has the measurements.
 *
 * ## Why this shape
 *
 * DIR-24-8 answers most lookups with one read, but its 2^24-entry first table
 * is 64 MiB whatever the table holds, and in JavaScript on a machine without
 * huge pages a random read into 16 MiB or more costs a TLB and cache miss each
 * (measured here: a random-index loop drops from ~300 M reads/s at 1 MiB to
 * ~35 M/s at 16-64 MiB). Speed therefore comes from a small working set, which
 * is Poptrie's argument (Asai & Ohara, SIGCOMM 2015): direct pointing on the
 * top bits, then nodes whose children are found by popcount in a bitmap. For a
 * 900k BGP-shaped table this layout needs about 7 MiB (dir 2 MiB + nodes),
 * and it tracks what is stored: an empty table is a few kilobytes.
 *
 * ## Data plane (lookup)
 *
 * - `dir`: Int32Array of 2^S node offsets indexed by the top S address bits
 *   (S = 9, 14 or 19, chosen from the table size).
 * - A node consumes the next 5 address bits (32 children), stored run-length
 *   compressed: word 0 is a 32-bit map with bit c set when child c starts a new
 *   run (differs from child c-1; bit 0 always set); the runs' entries follow.
 *   Child c is `heap[o + popcount(map & bits 0..c)]`: a value >= -1 (the
 *   answer; -1 = no route) or `~offset` of a deeper node. Past bit 32 the
 *   address is padded with zeros.
 * - Every slot points at a node; a slot with no longer prefixes points at a
 *   shared one-run node of its value, so the first step is the same for every
 *   address and the only branch left (a child that is a node: prefixes longer
 *   than S + 5) is rare and well predicted. With S = 19 a /24 resolves after one
 *   node, anything after at most three.
 * - Compared with Poptrie: one bitmap per node instead of two, and a child node
 *   costs a 4-byte pointer like a leaf instead of living in a contiguous sibling
 *   array, so a node can be replaced without moving its siblings.
 * - `lookupBatch` walks sixteen addresses side by side so their cache misses
 *   overlap instead of queueing behind one dependent chain.
 *
 * ## Control plane (update)
 *
 * - Prefixes of length <= S live in one Map per length; per slot, a base value
 *   and length hold the value and length of the longest such prefix covering it
 *   (leaf pushing). Changing a /L (L <= S) touches the 2^(S-L) slots whose
 *   current best is not longer and rebuilds those that have longer prefixes.
 * - Longer prefixes live in per-slot sorted [key, value] blocks inside one
 *   Int32Array pool (power-of-two size classes with free lists).
 * - Changing a longer prefix rebuilds only the subtree of the node level that
 *   holds its length (or the shallowest missing node on its path), from the
 *   slice of the slot's block inside that node's span, then patches the
 *   ancestors: a pointer swap in place when the run shape is unchanged, else a
 *   re-encoded node, up to the slot.
 * - Nodes whose children all hold one value collapse into that value, so a
 *   more-specific with its covering route's next hop costs nothing in lookups.
 *
 * ## Costs (k = prefixes in the affected slot, at most a handful at S = 19)
 *
 * - lookup: 1 dir read, then per level a bitmap read, a software popcount and
 *   an entry read; at most (32 - S) / 5 + 1 levels (S = 19: 1 for /20../24).
 * - insert/delete of a prefix longer than S: O(log k) search and O(k) block
 *   shift, then O(prefixes under the rebuilt node + 32 x depth). Of a prefix of
 *   length L <= S: 2^(S-L) slot updates plus rebuilds (a /0 added to a full
 *   table rebuilds every slot with nodes: rare, linear).
 * - memory: 16 bytes per slot (dir; list offset, base value, base length), 4 bytes per
 *   node plus 4 per run, 8 bytes (plus size-class slack) per prefix longer than
 *   S, a Map entry per shorter one. S grows 9 -> 14 -> 19 as the table passes
 *   512 and 16,384 prefixes and shrinks below a quarter of those, so three
 *   routes take a few kilobytes and the 900k table about 40 bytes per prefix.
 *
 * Leaves out: IPv6, multipath values, and readers during an update (the
 * simulator is single-threaded; updates happen between packets).
 *
 * @module
 */
import {
  checkLength,
  checkValue,
  compareEntries,
  maskPrefix,
  type PrefixMap,
} from "./prefix_map.ts";

/** Address bits consumed by one node. */
const STRIDE = 5;
/** Direct-pointing widths, smallest first, and the sizes that move between them. */
const DIRECT_BITS = [9, 14, 19] as const;
const GROW_AT = [512, 16384, Infinity] as const;
const SHRINK_BELOW = [0, 128, 4096] as const;
/** Deepest node level possible (S = 9: levels at bits 9, 14, 19, 24, 29). */
const MAX_DEPTH = 6;

// Scratch space for building and patching nodes, one set per node depth. Shared
// by every Fib: updates never interleave (single-threaded, not re-entrant).
const SCRATCH_VALS = Array.from({ length: MAX_DEPTH }, () => new Int32Array(32));
const SCRATCH_KIDS = Array.from({ length: MAX_DEPTH }, () => new Int32Array(64));
const SCRATCH_PATH = new Int32Array(MAX_DEPTH);
const SCRATCH_CHUNKS = new Int32Array(MAX_DEPTH);

/** Set bits in a 32-bit integer. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Sort the pairs [key, value] in a[from..to) by key, in place. */
function sortPairs(a: Int32Array, from: number, to: number): void {
  const n = (to - from) >> 1;
  if (n < 2) return;
  if (n <= 64) {
    for (let i = from + 2; i < to; i += 2) {
      const k = a[i]!, v = a[i + 1]!;
      let j = i - 2;
      while (j >= from && a[j]! > k) {
        a[j + 2] = a[j]!;
        a[j + 3] = a[j + 1]!;
        j -= 2;
      }
      a[j + 2] = k;
      a[j + 3] = v;
    }
    return;
  }
  const pairs: [number, number][] = [];
  for (let i = from; i < to; i += 2) pairs.push([a[i]!, a[i + 1]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  for (let i = 0; i < n; i++) {
    a[from + 2 * i] = pairs[i]![0];
    a[from + 2 * i + 1] = pairs[i]![1];
  }
}

/** Size class (log2 of the capacity in pairs) that holds `pairs` pairs. */
function listClass(pairs: number): number {
  return pairs <= 1 ? 0 : 32 - Math.clz32(pairs - 1);
}

/** Sizes of the typed arrays and structure of a Fib, for benchmarks and tests. */
export interface FibStats {
  /** Prefixes stored. */
  size: number;
  /** Direct-pointing width S (the top S bits index `dir`). */
  directBits: number;
  /** Direct slots that hold prefixes longer than S (their node has its own subtree). */
  slotsWithNodes: number;
  /** Live nodes. */
  nodes: number;
  /** Live heap words (node headers plus run entries). */
  heapWords: number;
  /** Bytes of the lookup structure alone: dir plus live heap words. */
  dataPlaneBytes: number;
  /** Bytes of every typed array the Fib holds, including spare capacity. */
  typedArrayBytes: number;
}

/**
 * The fast PrefixMap: direct pointing on the top S bits plus run-length
 * compressed 32-way nodes (see the module documentation for the layout and costs).
 */
export class Fib implements PrefixMap {
  /** Index into DIRECT_BITS. */
  #mode = 0;
  #s = 9;
  #dshift = 23;
  #lowMask = (1 << 23) - 1;
  #dir: Int32Array = new Int32Array(0);
  /**
   * Per direct slot, three words side by side (one cache line for an update):
   * [list block offset (0 = none), base value, base length] where the base is
   * the longest prefix of length <= S covering the slot (-1, -1 for none).
   */
  #slot: Int32Array = new Int32Array(0);
  /** Prefixes of length 0..S: prefix -> value. */
  #short: Map<number, number>[] = [];
  /**
   * Prefixes longer than S, per direct slot: `#lists` holds one block per slot
   * that has any, at the slot's list offset (0 = none): [size class c, words used,
   * then up to 2^c sorted pairs key, value], key = offset-in-slot * 64 + len.
   */
  #lists: Int32Array = new Int32Array(64);
  #listTop = 2;
  #listFree: Int32Array = new Int32Array(32);
  /** Direct slots that have a list. */
  #blockCount = 0;
  /** Value -> offset of its shared value node [1, value, references]. */
  #valueNodes = new Map<number, number>();
  #heap: Int32Array = new Int32Array(64);
  #top = 1;
  #freeHeads: Int32Array = new Int32Array(34);
  #heapWords = 0;
  #nodes = 0;
  #count = 0;

  /** An empty table. */
  constructor() {
    this.#reset(0);
  }

  /** Build a table from [prefix, len, value] entries in one pass (later duplicates win). */
  static from(entries: Iterable<readonly [number, number, number]>): Fib {
    const fib = new Fib();
    const list: [number, number, number][] = [];
    for (const [prefix, len, value] of entries) {
      checkLength(len);
      checkValue(value);
      list.push([maskPrefix(prefix, len), len, value]);
    }
    let mode = 0;
    while (list.length > GROW_AT[mode]!) mode++;
    fib.#load(mode, list);
    let fit = mode;
    while (fib.#count < SHRINK_BELOW[fit]!) fit--;
    if (fit !== mode) fib.#remode(fit);
    return fib;
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.#count;
  }

  /** Value of the longest prefix containing addr, or -1. */
  lookup(addr: number): number {
    const heap = this.#heap;
    if (this.#s === 19) {
      const o = this.#dir[addr >>> 13]!;
      const e = heap[o + popcount(heap[o]! & (-1 >>> (31 - ((addr >>> 8) & 31))))]!;
      return e >= -1 ? e : this.#deep(addr, ~e);
    }
    let o = this.#dir[addr >>> this.#dshift]!;
    let sh = this.#dshift;
    for (;;) {
      sh -= STRIDE;
      const c = sh >= 0 ? (addr >>> sh) & 31 : (addr << -sh) & 31;
      const e = heap[o + popcount(heap[o]! & (-1 >>> (31 - c)))]!;
      if (e >= -1) return e;
      o = ~e;
    }
  }

  /**
   * Look up every address of `addrs` into `out` (at least as long): the same
   * answers as `lookup`, without a call per address. For full tables (S = 19)
   * it walks sixteen addresses side by side, so that their cache misses overlap
   * instead of queueing behind one dependent chain (on the 900k table about
   * twice the rate of single lookups; sixteen measured 5-30% ahead of eight in
   * interleaved runs on a shared machine).
   */
  lookupBatch(addrs: Uint32Array, out: Int32Array): void {
    const n = addrs.length;
    if (out.length < n) throw new RangeError("lookupBatch: out is shorter than addrs");
    if (this.#s !== 19) {
      for (let i = 0; i < n; i++) out[i] = this.lookup(addrs[i]!);
      return;
    }
    const dir = this.#dir, heap = this.#heap;
    const n16 = n & ~15;
    for (let i = 0; i < n16; i += 16) {
      const a0 = addrs[i + 0]!, a1 = addrs[i + 1]!, a2 = addrs[i + 2]!, a3 = addrs[i + 3]!;
      const a4 = addrs[i + 4]!, a5 = addrs[i + 5]!, a6 = addrs[i + 6]!, a7 = addrs[i + 7]!;
      const a8 = addrs[i + 8]!, a9 = addrs[i + 9]!, a10 = addrs[i + 10]!, a11 = addrs[i + 11]!;
      const a12 = addrs[i + 12]!, a13 = addrs[i + 13]!, a14 = addrs[i + 14]!, a15 = addrs[i + 15]!;
      const o0 = dir[a0 >>> 13]!, o1 = dir[a1 >>> 13]!, o2 = dir[a2 >>> 13]!, o3 = dir[a3 >>> 13]!;
      const o4 = dir[a4 >>> 13]!, o5 = dir[a5 >>> 13]!, o6 = dir[a6 >>> 13]!, o7 = dir[a7 >>> 13]!;
      const o8 = dir[a8 >>> 13]!,
        o9 = dir[a9 >>> 13]!,
        o10 = dir[a10 >>> 13]!,
        o11 = dir[a11 >>> 13]!;
      const o12 = dir[a12 >>> 13]!,
        o13 = dir[a13 >>> 13]!,
        o14 = dir[a14 >>> 13]!,
        o15 = dir[a15 >>> 13]!;
      const m0 = heap[o0]!, m1 = heap[o1]!, m2 = heap[o2]!, m3 = heap[o3]!;
      const m4 = heap[o4]!, m5 = heap[o5]!, m6 = heap[o6]!, m7 = heap[o7]!;
      const m8 = heap[o8]!, m9 = heap[o9]!, m10 = heap[o10]!, m11 = heap[o11]!;
      const m12 = heap[o12]!, m13 = heap[o13]!, m14 = heap[o14]!, m15 = heap[o15]!;
      const e0 = heap[o0 + popcount(m0 & (-1 >>> (31 - ((a0 >>> 8) & 31))))]!;
      const e1 = heap[o1 + popcount(m1 & (-1 >>> (31 - ((a1 >>> 8) & 31))))]!;
      const e2 = heap[o2 + popcount(m2 & (-1 >>> (31 - ((a2 >>> 8) & 31))))]!;
      const e3 = heap[o3 + popcount(m3 & (-1 >>> (31 - ((a3 >>> 8) & 31))))]!;
      const e4 = heap[o4 + popcount(m4 & (-1 >>> (31 - ((a4 >>> 8) & 31))))]!;
      const e5 = heap[o5 + popcount(m5 & (-1 >>> (31 - ((a5 >>> 8) & 31))))]!;
      const e6 = heap[o6 + popcount(m6 & (-1 >>> (31 - ((a6 >>> 8) & 31))))]!;
      const e7 = heap[o7 + popcount(m7 & (-1 >>> (31 - ((a7 >>> 8) & 31))))]!;
      const e8 = heap[o8 + popcount(m8 & (-1 >>> (31 - ((a8 >>> 8) & 31))))]!;
      const e9 = heap[o9 + popcount(m9 & (-1 >>> (31 - ((a9 >>> 8) & 31))))]!;
      const e10 = heap[o10 + popcount(m10 & (-1 >>> (31 - ((a10 >>> 8) & 31))))]!;
      const e11 = heap[o11 + popcount(m11 & (-1 >>> (31 - ((a11 >>> 8) & 31))))]!;
      const e12 = heap[o12 + popcount(m12 & (-1 >>> (31 - ((a12 >>> 8) & 31))))]!;
      const e13 = heap[o13 + popcount(m13 & (-1 >>> (31 - ((a13 >>> 8) & 31))))]!;
      const e14 = heap[o14 + popcount(m14 & (-1 >>> (31 - ((a14 >>> 8) & 31))))]!;
      const e15 = heap[o15 + popcount(m15 & (-1 >>> (31 - ((a15 >>> 8) & 31))))]!;
      out[i + 0] = e0;
      out[i + 1] = e1;
      out[i + 2] = e2;
      out[i + 3] = e3;
      out[i + 4] = e4;
      out[i + 5] = e5;
      out[i + 6] = e6;
      out[i + 7] = e7;
      out[i + 8] = e8;
      out[i + 9] = e9;
      out[i + 10] = e10;
      out[i + 11] = e11;
      out[i + 12] = e12;
      out[i + 13] = e13;
      out[i + 14] = e14;
      out[i + 15] = e15;
      if (
        Math.min(e0, e1, e2, e3, e4, e5, e6, e7) < -1 ||
        Math.min(e8, e9, e10, e11, e12, e13, e14, e15) < -1
      ) {
        for (let k = i; k < i + 16; k++) {
          const e = out[k]!;
          if (e < -1) out[k] = this.#deep(addrs[k]!, ~e);
        }
      }
    }
    for (let i = n16; i < n; i++) out[i] = this.lookup(addrs[i]!);
  }

  /** Finish a lookup below the first node level (S = 19: prefixes longer than /24). */
  #deep(addr: number, o: number): number {
    const heap = this.#heap;
    let sh = 3;
    for (;;) {
      const c = sh >= 0 ? (addr >>> sh) & 31 : (addr << -sh) & 31;
      const e = heap[o + popcount(heap[o]! & (-1 >>> (31 - c)))]!;
      if (e >= -1) return e;
      o = ~e;
      sh -= STRIDE;
    }
  }

  /** Exact-match value of prefix/len, or -1. */
  get(prefix: number, len: number): number {
    checkLength(len);
    const p = maskPrefix(prefix, len);
    if (len <= this.#s) return this.#short[len]!.get(p) ?? -1;
    const o = this.#slot[3 * (p >>> this.#dshift)]!;
    if (o === 0) return -1;
    const i = this.#search(o, (p & this.#lowMask) * 64 + len);
    return i >= 0 ? this.#lists[i + 1]! : -1;
  }

  /** Map prefix/len to value (an integer 0..2^31-1); replaces an existing value. */
  insert(prefix: number, len: number, value: number): void {
    checkLength(len);
    checkValue(value);
    const p = maskPrefix(prefix, len);
    if (len <= this.#s) this.#insertShort(p, len, value);
    else this.#insertLong(p, len, value);
    if (this.#count > GROW_AT[this.#mode]!) this.#remode(this.#mode + 1);
  }

  /** Remove prefix/len; returns whether it was present. */
  delete(prefix: number, len: number): boolean {
    checkLength(len);
    const p = maskPrefix(prefix, len);
    const found = len <= this.#s ? this.#deleteShort(p, len) : this.#deleteLong(p, len);
    if (found && this.#count < SHRINK_BELOW[this.#mode]!) this.#remode(this.#mode - 1);
    return found;
  }

  /** Every stored prefix as [prefix, len, value], in ascending (prefix, len) order. */
  entries(): Iterable<[number, number, number]> {
    return this.#collect().sort(compareEntries);
  }

  /** Structure and memory figures. */
  stats(): FibStats {
    const dirBytes = this.#dir.byteLength;
    return {
      size: this.#count,
      directBits: this.#s,
      slotsWithNodes: this.#blockCount,
      nodes: this.#nodes,
      heapWords: this.#heapWords,
      dataPlaneBytes: dirBytes + this.#heapWords * 4,
      typedArrayBytes: dirBytes + this.#slot.byteLength + this.#heap.byteLength +
        this.#lists.byteLength,
    };
  }

  // ---- control plane ------------------------------------------------------

  #insertShort(p: number, len: number, value: number): void {
    const m = this.#short[len]!;
    const old = m.get(p);
    if (old === value) return;
    m.set(p, value);
    if (old === undefined) this.#count++;
    const first = len === 0 ? 0 : p >>> this.#dshift;
    const end = first + (1 << (this.#s - len));
    const slot = this.#slot;
    for (let b = first; b < end; b++) {
      if (slot[3 * b + 2]! <= len) {
        slot[3 * b + 1] = value;
        slot[3 * b + 2] = len;
        this.#refresh(b);
      }
    }
  }

  #deleteShort(p: number, len: number): boolean {
    if (!this.#short[len]!.delete(p)) return false;
    this.#count--;
    let rv = -1, rl = -1;
    for (let l = len - 1; l >= 0; l--) {
      const v = this.#short[l]!.get(maskPrefix(p, l));
      if (v !== undefined) {
        rv = v;
        rl = l;
        break;
      }
    }
    const first = len === 0 ? 0 : p >>> this.#dshift;
    const end = first + (1 << (this.#s - len));
    const slot = this.#slot;
    for (let b = first; b < end; b++) {
      if (slot[3 * b + 2] === len) {
        slot[3 * b + 1] = rv;
        slot[3 * b + 2] = rl;
        this.#refresh(b);
      }
    }
    return true;
  }

  #insertLong(p: number, len: number, value: number): void {
    const b = p >>> this.#dshift;
    const key = (p & this.#lowMask) * 64 + len;
    let o = this.#slot[3 * b]!;
    if (o === 0) {
      o = this.#listAlloc(0);
      this.#slot[3 * b] = o;
      this.#blockCount++;
    }
    const i = this.#search(o, key);
    if (i >= 0) {
      if (this.#lists[i + 1] === value) return;
      this.#lists[i + 1] = value;
    } else {
      let at = ~i - o;
      const used = this.#lists[o + 1]!;
      if (used + 2 > 2 << this.#lists[o]!) {
        const n = this.#listAlloc(this.#lists[o]! + 1);
        this.#lists.copyWithin(n + 2, o + 2, o + 2 + used);
        this.#lists[n + 1] = used;
        this.#listRelease(o);
        o = n;
        this.#slot[3 * b] = o;
      }
      const lists = this.#lists;
      at += o;
      lists.copyWithin(at + 2, at, o + 2 + used);
      lists[at] = key;
      lists[at + 1] = value;
      lists[o + 1] = used + 2;
      this.#count++;
    }
    this.#update(b, p, len);
  }

  #deleteLong(p: number, len: number): boolean {
    const b = p >>> this.#dshift;
    let o = this.#slot[3 * b]!;
    if (o === 0) return false;
    const i = this.#search(o, (p & this.#lowMask) * 64 + len);
    if (i < 0) return false;
    const lists = this.#lists;
    const used = lists[o + 1]! - 2;
    lists.copyWithin(i, i + 2, o + 4 + used);
    lists[o + 1] = used;
    this.#count--;
    if (used === 0) {
      this.#listRelease(o);
      this.#slot[3 * b] = 0;
      this.#blockCount--;
    } else if (lists[o]! > 0 && used * 4 <= 2 << lists[o]!) {
      // Shrink a block that is three quarters empty.
      const n = this.#listAlloc(this.#lists[o]! - 1);
      this.#lists.copyWithin(n + 2, o + 2, o + 2 + used);
      this.#lists[n + 1] = used;
      this.#listRelease(o);
      o = n;
      this.#slot[3 * b] = o;
    }
    this.#update(b, p, len);
    return true;
  }

  /** Absolute index of `key` in the list block at o, or ~(absolute insertion index). */
  #search(o: number, key: number): number {
    const lists = this.#lists;
    let lo = 0, hi = (lists[o + 1]! >> 1) - 1;
    const base = o + 2;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = lists[base + 2 * mid]!;
      if (k < key) lo = mid + 1;
      else if (k > key) hi = mid - 1;
      else return base + 2 * mid;
    }
    return ~(base + 2 * lo);
  }

  /** A list block of size class c (2^c pairs), empty. */
  #listAlloc(c: number): number {
    let o = this.#listFree[c]!;
    if (o !== 0) this.#listFree[c] = this.#lists[o + 1]!;
    else {
      const size = 2 + (2 << c);
      if (this.#listTop + size > this.#lists.length) {
        const grown = new Int32Array(Math.max(this.#lists.length * 2, this.#listTop + size + 64));
        grown.set(this.#lists);
        this.#lists = grown;
      }
      o = this.#listTop;
      this.#listTop += size;
    }
    this.#lists[o] = c;
    this.#lists[o + 1] = 0;
    return o;
  }

  #listRelease(o: number): void {
    const c = this.#lists[o]!;
    this.#lists[o + 1] = this.#listFree[c]!;
    this.#listFree[c] = o;
  }

  /**
   * Bring slot b's data plane up to date after prefix p/len (len > S) changed
   * in its list, rebuilding only the subtree of the node level that holds len
   * (or the shallowest missing node on the way there) and patching its
   * ancestors; falls back to rebuilding the whole slot.
   */
  #update(b: number, p: number, len: number): void {
    const s = this.#s;
    const lo0 = this.#slot[3 * b]!;
    const root = this.#dir[b]!;
    const home = Math.floor((len - s - 1) / STRIDE);
    if (lo0 === 0 || home === 0 || this.#heap[root] === 1) {
      this.#refresh(b);
      return;
    }
    // Walk down p's path: path[d] = node at depth d, chunks[d] = p's child index there.
    const path = SCRATCH_PATH, chunks = SCRATCH_CHUNKS;
    let heap = this.#heap;
    let o = root, r = 0, base = 0, oldSub = 0;
    for (;;) {
      const rel = 32 - (s + STRIDE * r) - STRIDE;
      const c = rel >= 0 ? (p >>> rel) & 31 : (p << -rel) & 31;
      path[r] = o;
      chunks[r] = c;
      const e = heap[o + popcount(heap[o]! & (-1 >>> (31 - c)))]!;
      r++;
      if (e >= -1) {
        base = e; // the child is a leaf: its value is what the new subtree inherits
        break;
      }
      if (r === home) {
        oldSub = e;
        base = this.#coveringValue(b, p, s + STRIDE * r);
        break;
      }
      o = ~e;
    }
    // Rebuild the subtree at depth r from the list entries inside its span.
    const k = s + STRIDE * r;
    const spanBits = 32 - k;
    const off = (maskPrefix(p, k) & this.#lowMask) >>> 0;
    const lists = this.#lists;
    const end = lo0 + 2 + lists[lo0 + 1]!;
    // Key off*64 (length 0) is never stored, so the search gives the insertion point.
    let i0 = ~this.#search(lo0, off * 64);
    const spanEnd = off + 2 ** spanBits;
    while (i0 < end && (lists[i0]! >>> 6) === off && (lists[i0]! & 63) <= k) i0 += 2;
    let i1 = i0;
    while (i1 < end && (lists[i1]! >>> 6) < spanEnd) i1 += 2;
    if (oldSub !== 0) this.#free(oldSub);
    let e = i0 === i1 ? base : this.#build(i0, i1, k, base, r);
    // Patch the ancestors, deepest first, until one absorbs the change in place.
    for (let d = r - 1; d >= 0; d--) {
      heap = this.#heap;
      const po = path[d]!, c = chunks[d]!;
      const at = po + popcount(heap[po]! & (-1 >>> (31 - c)));
      const old = heap[at]!;
      if (old === e) return;
      if (old < -1 && e < -1) {
        heap[at] = e;
        return;
      }
      const ne = this.#reencode(po, c, e, d);
      if (ne === ~po) return;
      e = ne;
    }
    this.#dir[b] = e >= -1 ? this.#valueNode(e) : ~e;
  }

  /** Value of the longest list prefix of slot b with length <= k covering p, else the slot's base. */
  #coveringValue(b: number, p: number, k: number): number {
    const o = this.#slot[3 * b]!;
    for (let l = k; l > this.#s; l--) {
      const i = this.#search(o, ((maskPrefix(p, l) & this.#lowMask) >>> 0) * 64 + l);
      if (i >= 0) return this.#lists[i + 1]!;
    }
    return this.#slot[3 * b + 1]!;
  }

  /**
   * Node o with child c replaced by e: rewritten in place when its runs keep
   * their shape (returns ~o), else a new node (returns ~new) or, when all
   * children became one value, that value; a replaced block is freed (not its
   * children).
   */
  #reencode(o: number, c: number, e: number, depth: number): number {
    const heap = this.#heap;
    const vals = SCRATCH_VALS[depth]!;
    const oldMap = heap[o]!;
    let r = 0;
    for (let j = 0; j < 32; j++) {
      if ((oldMap >>> j) & 1) r++;
      vals[j] = heap[o + r]!;
    }
    const oldRuns = r;
    vals[c] = e;
    let map = 1, runs = 1, prev = vals[0]!;
    for (let j = 1; j < 32; j++) {
      const v = vals[j]!;
      if (v !== prev) {
        map |= 1 << j;
        vals[runs++] = v;
        prev = v;
      }
    }
    if (runs === 1) {
      this.#freeBlock(o, oldRuns + 1);
      return prev;
    }
    if (map === oldMap) {
      for (let j = 0; j < runs; j++) heap[o + 1 + j] = vals[j]!;
      return ~o;
    }
    this.#freeBlock(o, oldRuns + 1);
    const n = this.#alloc(runs + 1);
    const h = this.#heap;
    h[n] = map;
    for (let j = 0; j < runs; j++) h[n + 1 + j] = vals[j]!;
    return ~n;
  }

  /** Recompute the data plane of direct slot b from the control plane. */
  #refresh(b: number): void {
    this.#release(this.#dir[b]!);
    const o = this.#slot[3 * b]!;
    const e = o === 0
      ? this.#slot[3 * b + 1]!
      : this.#build(o + 2, o + 2 + this.#lists[o + 1]!, this.#s, this.#slot[3 * b + 1]!, 0);
    this.#dir[b] = e >= -1 ? this.#valueNode(e) : ~e;
  }

  /** The shared one-run node answering `v` for a whole direct slot; counts a reference. */
  #valueNode(v: number): number {
    let o = this.#valueNodes.get(v);
    if (o === undefined) {
      o = this.#alloc(3);
      this.#heap[o] = 1;
      this.#heap[o + 1] = v;
      this.#heap[o + 2] = 0;
      this.#valueNodes.set(v, o);
    }
    this.#heap[o + 2]!++;
    return o;
  }

  /** Drop a direct slot's node: a reference to a shared value node, or a whole subtree. */
  #release(o: number): void {
    const heap = this.#heap;
    if (heap[o] !== 1) {
      this.#free(~o);
      return;
    }
    if (--heap[o + 2]! > 0) return;
    this.#valueNodes.delete(heap[o + 1]!);
    heap[o] = this.#freeHeads[3]!;
    this.#freeHeads[3] = o;
    this.#heapWords -= 3;
    this.#nodes--;
  }

  /**
   * Build the subtree for the list pairs at #lists[i0..i1) (prefixes longer than
   * k, all inside one node's span) whose inherited value is `base`; returns a
   * value or ~node.
   */
  #build(i0: number, i1: number, k: number, base: number, depth: number): number {
    const list = this.#lists;
    const vals = SCRATCH_VALS[depth]!;
    const kids = SCRATCH_KIDS[depth]!;
    for (let c = 0; c < 32; c++) vals[c] = base;
    const rel = 32 - k - STRIDE;
    const leafMax = k + STRIDE;
    let kidMask = 0;
    for (let i = i0; i < i1; i += 2) {
      const key = list[i]!;
      const len = key & 63;
      const off = key >>> 6;
      const c = rel >= 0 ? (off >>> rel) & 31 : (off << -rel) & 31;
      if (len <= leafMax) {
        const v = list[i + 1]!;
        const end = c + (1 << (leafMax - len));
        for (let j = c; j < end; j++) vals[j] = v;
      } else {
        if ((kidMask & (1 << c)) === 0) {
          kidMask |= 1 << c;
          kids[2 * c] = i;
        }
        kids[2 * c + 1] = i + 2;
      }
    }
    while (kidMask !== 0) {
      const c = 31 - Math.clz32(kidMask & -kidMask);
      kidMask &= kidMask - 1;
      vals[c] = this.#build(kids[2 * c]!, kids[2 * c + 1]!, leafMax, vals[c]!, depth + 1);
    }
    // Compress in place: vals[0..runs) become the run values, map marks run starts.
    let map = 1, runs = 1, prev = vals[0]!;
    for (let c = 1; c < 32; c++) {
      const v = vals[c]!;
      if (v !== prev) {
        map |= 1 << c;
        vals[runs++] = v;
        prev = v;
      }
    }
    if (runs === 1) return prev;
    const o = this.#alloc(runs + 1);
    const heap = this.#heap;
    heap[o] = map;
    for (let r = 0; r < runs; r++) heap[o + 1 + r] = vals[r]!;
    return ~o;
  }

  #alloc(size: number): number {
    this.#heapWords += size;
    this.#nodes++;
    const h = this.#freeHeads[size]!;
    if (h !== 0) {
      this.#freeHeads[size] = this.#heap[h]!;
      return h;
    }
    if (this.#top + size > this.#heap.length) {
      const grown = new Int32Array(Math.max(this.#heap.length * 2, this.#top + size + 64));
      grown.set(this.#heap);
      this.#heap = grown;
    }
    const o = this.#top;
    this.#top += size;
    return o;
  }

  /** Release the subtree of entry e (no-op for a value). */
  #free(e: number): void {
    if (e >= -1) return;
    const o = ~e;
    const heap = this.#heap;
    const runs = popcount(heap[o]!);
    for (let i = 1; i <= runs; i++) {
      const x = heap[o + i]!;
      if (x < -1) this.#free(x);
    }
    this.#freeBlock(o, runs + 1);
  }

  /** Return one node block of `size` words to its free list (children untouched). */
  #freeBlock(o: number, size: number): void {
    this.#heap[o] = this.#freeHeads[size]!;
    this.#freeHeads[size] = o;
    this.#heapWords -= size;
    this.#nodes--;
  }

  // ---- whole-table operations ---------------------------------------------

  #reset(mode: number): void {
    const s = DIRECT_BITS[mode]!;
    this.#mode = mode;
    this.#s = s;
    this.#dshift = 32 - s;
    this.#lowMask = 2 ** (32 - s) - 1;
    this.#dir = new Int32Array(1 << s).fill(-1);
    this.#slot = new Int32Array(3 << s);
    for (let b = 0; b < 1 << s; b++) {
      this.#slot[3 * b + 1] = -1;
      this.#slot[3 * b + 2] = -1;
    }
    this.#short = Array.from({ length: s + 1 }, () => new Map<number, number>());
    this.#lists = new Int32Array(64);
    this.#listTop = 2;
    this.#listFree = new Int32Array(32);
    this.#blockCount = 0;
    this.#valueNodes = new Map();
    this.#heap = new Int32Array(64);
    this.#top = 1;
    this.#freeHeads = new Int32Array(34);
    this.#heapWords = 0;
    this.#nodes = 0;
    this.#count = 0;
    this.#dir.fill(this.#valueNode(-1));
    this.#heap[this.#dir[0]! + 2] = 1 << s;
  }

  #collect(): [number, number, number][] {
    const out: [number, number, number][] = [];
    for (let len = 0; len <= this.#s; len++) {
      for (const [p, v] of this.#short[len]!) out.push([p, len, v]);
    }
    const dshift = this.#dshift;
    const lists = this.#lists;
    for (let b = 0; b < this.#dir.length; b++) {
      const o = this.#slot[3 * b]!;
      if (o === 0) continue;
      const hi = b * 2 ** dshift;
      for (let i = o + 2; i < o + 2 + lists[o + 1]!; i += 2) {
        const key = lists[i]!;
        out.push([hi + (key >>> 6), key & 63, lists[i + 1]!]);
      }
    }
    return out;
  }

  #remode(mode: number): void {
    this.#load(mode, this.#collect());
  }

  /** Replace the whole table by `list` (distinct, masked, validated entries). */
  #load(mode: number, list: [number, number, number][]): void {
    this.#reset(mode);
    const s = this.#s, dshift = this.#dshift, lowMask = this.#lowMask;
    const shortOnes: [number, number, number][] = [];
    const pairs = new Int32Array(1 << s);
    let longCount = 0;
    for (const e of list) {
      if (e[1] <= s) {
        this.#short[e[1]]!.set(e[0], e[2]);
        shortOnes.push(e);
      } else {
        pairs[e[0] >>> dshift]!++;
        longCount++;
      }
    }
    shortOnes.sort((a, b) => a[1] - b[1]);
    for (const [p, len, v] of shortOnes) {
      const first = len === 0 ? 0 : p >>> dshift;
      const n = 1 << (s - len);
      for (let b = first; b < first + n; b++) {
        this.#slot[3 * b + 1] = v;
        this.#slot[3 * b + 2] = len;
      }
    }
    // Lists: one block per slot, exactly sized to its class, filled then sorted.
    let words = 2;
    for (let b = 0; b < pairs.length; b++) {
      if (pairs[b] !== 0) words += 2 + (2 << listClass(pairs[b]!));
    }
    this.#lists = new Int32Array(words);
    const slot = this.#slot, lists = this.#lists;
    let top = 2;
    for (let b = 0; b < pairs.length; b++) {
      if (pairs[b] === 0) continue;
      const c = listClass(pairs[b]!);
      slot[3 * b] = top;
      lists[top] = c;
      top += 2 + (2 << c);
      this.#blockCount++;
    }
    this.#listTop = top;
    for (const [p, len, v] of list) {
      if (len <= s) continue;
      const o = slot[3 * (p >>> dshift)]!;
      const at = o + 2 + lists[o + 1]!;
      lists[at] = (p & lowMask) * 64 + len;
      lists[at + 1] = v;
      lists[o + 1] = lists[o + 1]! + 2;
    }
    // Start the heap afresh (dropping reset's shared "no route" node): every slot is set below.
    this.#heap = new Int32Array(Math.max(64, 2 * longCount + 64));
    this.#valueNodes.clear();
    this.#heapWords = 0;
    this.#nodes = 0;
    this.#top = 1;
    this.#freeHeads.fill(0);
    let count = 0;
    for (const m of this.#short) count += m.size;
    const dir = this.#dir;
    for (let b = 0; b < dir.length; b++) {
      const o = slot[3 * b]!;
      let e: number;
      if (o === 0) e = slot[3 * b + 1]!;
      else {
        const end = o + 2 + lists[o + 1]!;
        sortPairs(lists, o + 2, end);
        // Drop duplicate keys, keeping the last (the sort is stable).
        let w = o + 2;
        for (let i = o + 2; i < end; i += 2) {
          if (i + 2 < end && lists[i + 2] === lists[i]) continue;
          lists[w] = lists[i]!;
          lists[w + 1] = lists[i + 1]!;
          w += 2;
        }
        lists[o + 1] = w - o - 2;
        count += (w - o - 2) >> 1;
        e = this.#build(o + 2, w, s, slot[3 * b + 1]!, 0);
      }
      dir[b] = e >= -1 ? this.#valueNode(e) : ~e;
    }
    this.#count = count;
  }
}
