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
 * 900k BGP-shaped table this layout needs about 5 MiB (dir 2 MiB + nodes 3 MiB),
 * and it tracks what is stored: an empty table is a few kilobytes.
 *
 * ## Data plane (lookup)
 *
 * - `dir`: Int32Array of 2^S entries indexed by the top S address bits (S = 9,
 *   14 or 19, chosen from the table size). An entry > 0 is the offset of a
 *   node; an entry <= 0 is the complement of the answer (0: no route), for the
 *   slots without prefixes longer than S, which need no further read.
 * - A node consumes the next 5 address bits (32 children), stored run-length
 *   compressed: a 32-bit map with bit c set when child c starts a new run
 *   (differs from child c-1; bit 0 always set), then one 16-bit entry per run.
 *   Child c is run `popcount(map & bits 0..c) - 1`. An entry below 0x8000 is a
 *   value + 1 (values -1..0x7ffe, -1 = no route); from 0x8000 up its low bits
 *   locate a 32-bit word after the runs holding a wider value or `~offset` of
 *   a deeper node. Past bit 32 the address is padded with zeros.
 * - Node offsets count 32-bit words of one buffer that is also seen as 16-bit
 *   halves: the map is word `o` and run r is half `2o + 2 + r`, so a node takes
 *   a word for its map, half a word per run (rounded up to a word) and a word
 *   per wide entry.
 * - With S = 19 a /24 resolves after one node, anything longer after at most
 *   three. Next hops are small numbers, so in a routing table almost every
 *   entry is narrow and a node is half the size 32-bit entries would make it.
 * - Compared with Poptrie: one bitmap per node instead of two, and a child node
 *   costs a wide word instead of living in a contiguous sibling array, so a
 *   node can be replaced without moving its siblings.
 * - `lookupBatch` works in four branch-free passes over blocks of 1024
 *   addresses: the first reads every direct entry, the second answers the
 *   value slots and lists the addresses whose slot holds a node (with their
 *   direct entries), the third reads those nodes' run maps, the fourth their
 *   run entries. The first and third are loops of independent loads and
 *   nothing else, which lets the processor keep dozens of misses in flight
 *   (loops that also finish each lookup hold fewer; `docs/benchmarks.md` has
 *   the measurements); the others read what those brought into the cache.
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
 *   ancestors: a pointer swap in place when a child node replaces a child
 *   node, else a re-encoded node (in place when its size is unchanged), up to
 *   the slot. An update reads the slot's direct entry and root node before it
 *   searches the slot's prefix list, so the cache misses of the two overlap.
 * - Nodes whose children all hold one value collapse into that value, so a
 *   more-specific with its covering route's next hop costs nothing in lookups.
 *
 * ## Costs (k = prefixes in the affected slot, at most a handful at S = 19)
 *
 * - lookup: 1 dir read; for a slot with longer prefixes, then per level a
 *   bitmap read, a software popcount and an entry read (one cache line); at
 *   most (32 - S) / 5 + 1 levels (S = 19: 1 for /20../24).
 * - insert/delete of a prefix longer than S: O(log k) search and O(k) block
 *   shift, then O(prefixes under the rebuilt node + 32 x depth). Of a prefix of
 *   length L <= S: 2^(S-L) slot updates plus rebuilds (a /0 added to a full
 *   table rebuilds every slot with nodes: rare, linear).
 * - memory: 16 bytes per slot (dir; list offset, base value, base length), 4
 *   bytes per node plus 2 per run (rounded up to a word) and 4 per wide entry,
 *   8 bytes (plus size-class slack) per prefix longer than S, a Map entry per
 *   shorter one. S grows 9 -> 14 -> 19 as the table passes 512 and 16,384
 *   prefixes and shrinks below a quarter of those, so three routes take a few
 *   kilobytes and the 900k table about 40 bytes per prefix.
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

/** Addresses handled per block by lookupBatch's passes. */
const BATCH_BLOCK = 1024;
/**
 * lookupBatch's list of addresses to follow into nodes, their direct entries
 * and their nodes' run maps (shared: lookups do not nest).
 */
const PENDING_AT = new Int32Array(BATCH_BLOCK);
const PENDING_DIR = new Int32Array(BATCH_BLOCK);
const PENDING_MAP = new Int32Array(BATCH_BLOCK);

// Scratch space for building and patching nodes, one set per node depth. Shared
// by every Fib: updates never interleave (single-threaded, not re-entrant).
const SCRATCH_VALS = Array.from({ length: MAX_DEPTH }, () => new Int32Array(32));
const SCRATCH_KIDS = Array.from({ length: MAX_DEPTH }, () => new Int32Array(64));
const SCRATCH_PATH = new Int32Array(MAX_DEPTH);
const SCRATCH_CHUNKS = new Int32Array(MAX_DEPTH);

/**
 * Run entries below this are narrow: value + 1 for values -1..0x7ffe. From it
 * up, the low 15 bits are the offset in words, from the node's start, of a wide
 * entry: a 32-bit value or `~offset` of a child node.
 */
const WIDE = 0x8000;
/** Largest node in 32-bit words: map word, 32 runs (16 words), 32 wide words. */
const MAX_NODE_WORDS = 49;

/** Set bits in a 32-bit integer. */
function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Whether entry e (a value >= -1 or ~node) is stored in a run entry itself. */
function isNarrow(e: number): boolean {
  return e >= -1 && e < WIDE - 1;
}

/** Entry of run r (0-based) of the node at word o: a value >= -1 or ~child. */
function runEntry(h16: Uint16Array, h32: Int32Array, o: number, r: number): number {
  const e = h16[2 * o + 2 + r]!;
  return e < WIDE ? e - 1 : h32[o + (e & 0x7fff)]!;
}

/** Size in words of a node with these run entries: map, runs (two a word), wide words. */
function nodeWords(vals: Int32Array, runs: number): number {
  let wide = 0;
  for (let r = 0; r < runs; r++) if (!isNarrow(vals[r]!)) wide++;
  return ((runs + 3) >> 1) + wide;
}

/** Size in words of the node stored at word o. */
function storedWords(h16: Uint16Array, h32: Int32Array, o: number): number {
  const runs = popcount(h32[o]!);
  let wide = 0;
  for (let r = 0; r < runs; r++) if (h16[2 * o + 2 + r]! >= WIDE) wide++;
  return ((runs + 3) >> 1) + wide;
}

/** Write a node (run map, run entries vals[0..runs)) at word o, which has room for it. */
function writeNode(
  h16: Uint16Array,
  h32: Int32Array,
  o: number,
  map: number,
  vals: Int32Array,
  runs: number,
): void {
  h32[o] = map;
  let w = (runs + 3) >> 1;
  for (let r = 0; r < runs; r++) {
    const v = vals[r]!;
    if (isNarrow(v)) h16[2 * o + 2 + r] = v + 1;
    else {
      h16[2 * o + 2 + r] = WIDE | w;
      h32[o + w++] = v;
    }
  }
}

/**
 * Copy a[from..to) to a[dest..), overlapping ranges allowed: a loop, because
 * the blocks an update moves are a few words and `copyWithin` is a call into
 * the runtime.
 */
function moveWords(a: Int32Array, dest: number, from: number, to: number): void {
  if (dest < from) { for (let i = from; i < to; i++) a[dest + i - from] = a[i]!; }
  else for (let i = to - 1; i >= from; i--) a[dest + i - from] = a[i]!;
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
  /** Live node heap bytes (run maps, run entries, wide words). */
  heapBytes: number;
  /** Bytes of the lookup structure alone: dir plus live node heap. */
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
  /**
   * The direct array: per slot `~entry`, i.e. a node offset (> 0), or the
   * complement of the value (<= 0; -1, no route, is 0).
   */
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
  /**
   * The node heap, one buffer seen as 32-bit words (`#h32`: run maps, wide
   * entries) and 16-bit halves (`#h16`: run entries); node offsets count words
   * (see the module documentation).
   */
  #h32: Int32Array = new Int32Array(64);
  #h16: Uint16Array = new Uint16Array(this.#h32.buffer);
  /** First never-allocated word (word 0 is never a node). */
  #top = 1;
  /** Free blocks per size in words: the head offset (0 = none); a block links to the next in its map word. */
  #freeHeads: Int32Array = new Int32Array(MAX_NODE_WORDS + 1);
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
    const ds = this.#dshift;
    const o = this.#dir[addr >>> ds]!;
    if (o <= 0) return ~o;
    const h16 = this.#h16, h32 = this.#h32;
    const c = (addr >>> (ds - STRIDE)) & 31;
    const e = h16[2 * o + 1 + popcount(h32[o]! & (-1 >>> (31 - c)))]!;
    return e < WIDE ? e - 1 : this.#wide(addr, o, e, ds - 2 * STRIDE);
  }

  /**
   * Look up every address of `addrs` into `out` (at least as long): the same
   * answers as `lookup`, without a call per address. For full tables (S = 19)
   * it works in four passes over blocks of addresses: the first reads every
   * direct entry, the second answers the addresses whose slot holds a value
   * and lists the others, the third reads the run map of each listed node, the
   * fourth its run entry. No pass has a data-dependent branch, and the loads
   * of the first and third do not depend on each other, so the processor
   * keeps many cache misses in flight at once.
   */
  lookupBatch(addrs: Uint32Array, out: Int32Array): void {
    const n = addrs.length;
    if (out.length < n) throw new RangeError("lookupBatch: out is shorter than addrs");
    if (this.#s !== 19) {
      for (let i = 0; i < n; i++) out[i] = this.lookup(addrs[i]!);
      return;
    }
    const dir = this.#dir, h16 = this.#h16, h32 = this.#h32;
    const pendingAt = PENDING_AT, pendingDir = PENDING_DIR, pendingMap = PENDING_MAP;
    let wide = 0;
    for (let from = 0; from < n; from += BATCH_BLOCK) {
      const to = Math.min(n, from + BATCH_BLOCK);
      // Pass 1: every direct entry, in a loop that does nothing else.
      for (let i = from; i < to; i++) out[i] = dir[addrs[i]! >>> 13]!;
      // Pass 2: value slots are answered, node slots listed.
      let count = 0;
      for (let i = from; i < to; i++) {
        const o = out[i]!;
        out[i] = ~o;
        pendingAt[count] = i;
        pendingDir[count] = o;
        count += ((-o | 0) & ~o) >>> 31; // 1 when o > 0: a node to follow
      }
      // Pass 3: the run map of every listed node, each load independent of the others.
      for (let k = 0; k < count; k++) pendingMap[k] = h32[pendingDir[k]!]!;
      // Pass 4: the run entries, on the lines pass 3 brought into the cache.
      for (let k = 0; k < count; k++) {
        const i = pendingAt[k]!;
        const c = (addrs[i]! >>> 8) & 31;
        const e = h16[2 * pendingDir[k]! + 1 + popcount(pendingMap[k]! & (-1 >>> (31 - c)))]!;
        out[i] = e - 1;
        wide |= e;
      }
    }
    if ((wide & WIDE) !== 0) {
      for (let i = 0; i < n; i++) if (out[i]! >= WIDE - 1) out[i] = this.lookup(addrs[i]!);
    }
  }

  /**
   * Finish a lookup whose run entry `e` in the node at `o` is wide; `sh` is the
   * shift that brings the next level's five bits down (negative past bit 32).
   */
  #wide(addr: number, o: number, e: number, sh: number): number {
    const h16 = this.#h16, h32 = this.#h32;
    for (;;) {
      const w = h32[o + (e & 0x7fff)]!;
      if (w >= -1) return w;
      o = ~w;
      const c = sh >= 0 ? (addr >>> sh) & 31 : (addr << -sh) & 31;
      e = h16[2 * o + 1 + popcount(h32[o]! & (-1 >>> (31 - c)))]!;
      if (e < WIDE) return e - 1;
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
      heapBytes: this.#heapWords * 4,
      dataPlaneBytes: dirBytes + this.#heapWords * 4,
      typedArrayBytes: dirBytes + this.#slot.byteLength + this.#h32.byteLength +
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
    // Read the slot's direct entry and root node first: their cache misses then
    // overlap with those of the slot's prefix list, which the search reads.
    const root = this.#dir[b]!;
    const rootMap = this.#h32[root > 0 ? root : 0]!;
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
        moveWords(this.#lists, n + 2, o + 2, o + 2 + used);
        this.#lists[n + 1] = used;
        this.#listRelease(o);
        o = n;
        this.#slot[3 * b] = o;
      }
      const lists = this.#lists;
      at += o;
      moveWords(lists, at + 2, at, o + 2 + used);
      lists[at] = key;
      lists[at + 1] = value;
      lists[o + 1] = used + 2;
      this.#count++;
    }
    this.#update(b, p, len, root, rootMap);
  }

  #deleteLong(p: number, len: number): boolean {
    const b = p >>> this.#dshift;
    const root = this.#dir[b]!;
    const rootMap = this.#h32[root > 0 ? root : 0]!;
    let o = this.#slot[3 * b]!;
    if (o === 0) return false;
    const i = this.#search(o, (p & this.#lowMask) * 64 + len);
    if (i < 0) return false;
    const lists = this.#lists;
    const used = lists[o + 1]! - 2;
    moveWords(lists, i, i + 2, o + 4 + used);
    lists[o + 1] = used;
    this.#count--;
    if (used === 0) {
      this.#listRelease(o);
      this.#slot[3 * b] = 0;
      this.#blockCount--;
    } else if (lists[o]! > 0 && used * 4 <= 2 << lists[o]!) {
      // Shrink a block that is three quarters empty.
      const n = this.#listAlloc(this.#lists[o]! - 1);
      moveWords(this.#lists, n + 2, o + 2, o + 2 + used);
      this.#lists[n + 1] = used;
      this.#listRelease(o);
      o = n;
      this.#slot[3 * b] = o;
    }
    this.#update(b, p, len, root, rootMap);
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
   * in its list (`root` and `rootMap`: the slot's direct entry and, when that
   * is a node, its run map, read before the list changed), rebuilding only the subtree of the node level that holds len
   * (or the shallowest missing node on the way there) and patching its
   * ancestors; falls back to rebuilding the whole slot.
   */
  #update(b: number, p: number, len: number, root: number, rootMap: number): void {
    const s = this.#s;
    const lo0 = this.#slot[3 * b]!;
    const home = Math.floor((len - s - 1) / STRIDE);
    if (lo0 === 0 || home === 0 || root <= 0) {
      this.#refresh(b);
      return;
    }
    // Walk down p's path: path[d] = node at depth d, chunks[d] = p's child index there.
    const path = SCRATCH_PATH, chunks = SCRATCH_CHUNKS;
    let o = root, r = 0, base = 0, oldSub = 0;
    for (;;) {
      const rel = 32 - (s + STRIDE * r) - STRIDE;
      const c = rel >= 0 ? (p >>> rel) & 31 : (p << -rel) & 31;
      path[r] = o;
      chunks[r] = c;
      const map = r === 0 ? rootMap : this.#h32[o]!;
      const e = runEntry(this.#h16, this.#h32, o, popcount(map & (-1 >>> (31 - c))) - 1);
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
    const spanEnd = off + (1 << spanBits);
    while (i0 < end && (lists[i0]! >>> 6) === off && (lists[i0]! & 63) <= k) i0 += 2;
    let i1 = i0;
    while (i1 < end && (lists[i1]! >>> 6) < spanEnd) i1 += 2;
    if (oldSub !== 0) this.#free(oldSub);
    let e = i0 === i1 ? base : this.#build(i0, i1, k, base, r);
    // Patch the ancestors, deepest first, until one absorbs the change in place.
    for (let d = r - 1; d >= 0; d--) {
      const h16 = this.#h16, h32 = this.#h32;
      const po = path[d]!, c = chunks[d]!;
      const at = 2 * po + 1 + popcount(h32[po]! & (-1 >>> (31 - c)));
      const old = h16[at]! < WIDE ? h16[at]! - 1 : h32[po + (h16[at]! & 0x7fff)]!;
      if (old === e) return;
      if (old < -1 && e < -1) {
        // One child node for another: only the pointer in the wide word changes.
        h32[po + (h16[at]! & 0x7fff)] = e;
        return;
      }
      const ne = this.#reencode(po, c, e, d);
      if (ne === ~po) return;
      e = ne;
    }
    this.#dir[b] = ~e;
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
   * Node o with child c replaced by e: rewritten in place when its size does
   * not change (returns ~o), else a new node (returns ~new) or, when all
   * children became one value, that value; a replaced block is freed (not its
   * children). Works on the runs: only the run map bits of children c and c+1
   * can change.
   */
  #reencode(o: number, c: number, e: number, depth: number): number {
    const h16 = this.#h16, h32 = this.#h32;
    const old = SCRATCH_VALS[depth]!;
    const map = h32[o]!;
    const runs = popcount(map);
    let wide = 0;
    for (let r = 0; r < runs; r++) {
      const x = h16[2 * o + 2 + r]!;
      if (x < WIDE) old[r] = x - 1;
      else {
        old[r] = h32[o + (x & 0x7fff)]!;
        wide++;
      }
    }
    const oldWords = ((runs + 3) >> 1) + wide;
    // The run holding child c, and the values of its neighbours c-1 and c+1.
    const r = popcount(map & (-1 >>> (31 - c))) - 1;
    const before = c === 0 ? e : (map >>> c) & 1 ? old[r - 1]! : old[r]!;
    const startsNext = c < 31 && ((map >>> (c + 1)) & 1) === 1;
    const after = c === 31 ? e : startsNext ? old[r + 1]! : old[r]!;
    let newMap = map;
    if (c > 0) newMap = before !== e ? newMap | (1 << c) : newMap & ~(1 << c);
    if (c < 31) newMap = after !== e ? newMap | (1 << (c + 1)) : newMap & ~(1 << (c + 1));
    // New run values, in child order: child c has e, child c+1 its old value.
    const vals = SCRATCH_KIDS[depth]!;
    let n = 0;
    for (let m = newMap; m !== 0; m &= m - 1) {
      const j = 31 - Math.clz32(m & -m);
      vals[n++] = j === c ? e : j === c + 1 ? after : old[popcount(map & (-1 >>> (31 - j))) - 1]!;
    }
    if (n === 1) {
      this.#freeBlock(o, oldWords);
      return vals[0]!;
    }
    const words = nodeWords(vals, n);
    if (words === oldWords) {
      writeNode(h16, h32, o, newMap, vals, n);
      return ~o;
    }
    this.#freeBlock(o, oldWords);
    const fresh = this.#alloc(words);
    writeNode(this.#h16, this.#h32, fresh, newMap, vals, n);
    return ~fresh;
  }

  /** Recompute the data plane of direct slot b from the control plane. */
  #refresh(b: number): void {
    const old = this.#dir[b]!;
    if (old > 0) this.#free(~old);
    const o = this.#slot[3 * b]!;
    const e = o === 0
      ? this.#slot[3 * b + 1]!
      : this.#build(o + 2, o + 2 + this.#lists[o + 1]!, this.#s, this.#slot[3 * b + 1]!, 0);
    this.#dir[b] = ~e;
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
    const o = this.#alloc(nodeWords(vals, runs));
    writeNode(this.#h16, this.#h32, o, map, vals, runs);
    return ~o;
  }

  /** A heap block of `size` words, from its free list or the top. */
  #alloc(size: number): number {
    this.#heapWords += size;
    this.#nodes++;
    const h = this.#freeHeads[size]!;
    if (h !== 0) {
      this.#freeHeads[size] = this.#h32[h]!;
      return h;
    }
    if (this.#top + size > this.#h32.length) {
      const grown = new Int32Array(Math.max(this.#h32.length * 2, this.#top + size + 64));
      grown.set(this.#h32);
      this.#h32 = grown;
      this.#h16 = new Uint16Array(grown.buffer);
    }
    const o = this.#top;
    this.#top += size;
    return o;
  }

  /** Release the subtree of entry e (no-op for a value). */
  #free(e: number): void {
    if (e >= -1) return;
    const o = ~e;
    const h16 = this.#h16, h32 = this.#h32;
    const runs = popcount(h32[o]!);
    for (let r = 0; r < runs; r++) {
      const x = runEntry(h16, h32, o, r);
      if (x < -1) this.#free(x);
    }
    this.#freeBlock(o, storedWords(h16, h32, o));
  }

  /** Return one node block of `size` words to its free list (children untouched). */
  #freeBlock(o: number, size: number): void {
    this.#h32[o] = this.#freeHeads[size]!;
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
    this.#dir = new Int32Array(1 << s); // ~(-1): no route
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
    this.#h32 = new Int32Array(64);
    this.#h16 = new Uint16Array(this.#h32.buffer);
    this.#top = 1;
    this.#freeHeads = new Int32Array(MAX_NODE_WORDS + 1);
    this.#heapWords = 0;
    this.#nodes = 0;
    this.#count = 0;
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
    // Start the heap afresh: every slot is set below.
    this.#h32 = new Int32Array(Math.max(64, 2 * longCount + 64));
    this.#h16 = new Uint16Array(this.#h32.buffer);
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
      dir[b] = ~e;
    }
    this.#count = count;
  }
}
