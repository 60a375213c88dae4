/**
 * The hash table behind tuple-space search: every stored key has been masked by
 * one fixed mask, so a lookup masks the probe key the same way, hashes the words
 * the mask touches and compares those words only. Both the classifier's
 * subtables and the megaflow cache's are these tables.
 *
 * Layout, chosen for lookup speed in a JIT (after Open vSwitch's cmap): buckets
 * of four slots, each slot a stored hash (0 = empty; stored hashes are odd) and
 * an entry id, a bucket's four hashes and four ids side by side (32 bytes) in
 * one typed array; a key's entry lives in its home bucket, or, in the rare case
 * that bucket is full, in a short overflow list. A probe that
 * misses, the common case in tuple-space search, compares four hashes and sees
 * no match: no data-dependent branch to mispredict and no further memory to
 * read. A hash match goes on to compare the entry's masked key words, stored by
 * entry id. Buckets are filled from their first slot; the table doubles when it
 * holds as many entries as buckets (a quarter full), which keeps overflow rare.
 *
 * In front of the buckets sits a membership filter: a bit array of at least 16
 * bits per entry in which every stored hash sets two bits of one 32-bit word (a
 * blocked Bloom filter). A probe reads that one word first and stops there when
 * either bit is clear, which is what almost every probe of a tuple-space search
 * does; only the rest (about 1% false positives, plus the real hits) go on to
 * the bucket. The filter is a few kilobytes for thousands of entries, so it
 * stays in the first-level caches where the buckets of fifty tables do not.
 * Deletions leave their bits set (false positives, never false negatives) until
 * the filter is rebuilt, once the deletions since the last rebuild reach half
 * the entries. The staged partial hashes have filters of the same kind in
 * front of their maps.
 *
 * Entry ids (1, 2, …) are stable for the entry's life and index the caller's
 * per-entry arrays. Costs: a probe hashes `n` words (the mask's non-zero words)
 * and reads one bucket; insert and delete are amortised O(n).
 *
 * Optionally the table also keeps, for staged lookup, the multiset of partial
 * hashes of its keys at the end of each stage but the last (metadata, L2, L3;
 * see `STAGE_ENDS`), so a lookup that tracks wildcards can tell that no key
 * shares the probe's first stages and un-wildcard only those (Open vSwitch's
 * staged lookup). Partial hashes can collide, which only makes the wildcards
 * less precise, never wrong.
 *
 * This module is internal to the classifier folder.
 *
 * @module
 */
import { KEY_WORDS, STAGE_ENDS } from "./flow_key.ts";

/**
 * The hash of a masked key is `finishHash(Σ imul(word_j & mask_j, wordMul(w_j)))`:
 * the per-word products are independent of each other, so a CPU computes them in
 * parallel (a chained hash would wait for each multiply), and the finishing
 * multiply spreads every input bit into the top bits that pick the home slot.
 */
export function wordMul(word: number): number {
  return Math.imul(0x9e3779b1, 2 * word + 1) | 1;
}

/** The multiplier of {@link finishHash} (for code that writes the hash out). */
export const FINISH_MUL = 0x85ebca6b;

/** Finish a sum of per-word products into a hash (see {@link wordMul}). */
export function finishHash(acc: number): number {
  return Math.imul(acc ^ (acc >>> 16), FINISH_MUL);
}

/** `[word index, word mask, multiplier]` triples for the non-zero words of `mask`, ascending. */
export function wordTriples(mask: Uint32Array): Int32Array<ArrayBuffer> {
  const words: number[] = [];
  for (let i = 0; i < KEY_WORDS; i++) if ((mask[i] ?? 0) !== 0) words.push(i);
  const t = new Int32Array(3 * words.length);
  words.forEach((w, j) => {
    t[3 * j] = w;
    t[3 * j + 1] = mask[w] ?? 0;
    t[3 * j + 2] = wordMul(w);
  });
  return t;
}

/** A hash of a whole {@link KEY_WORDS}-word mask, for maps from masks to tables. */
export function maskHash(mask: Uint32Array): number {
  let acc = 0;
  for (let i = 0; i < KEY_WORDS; i++) acc = (acc + Math.imul(mask[i] ?? 0, wordMul(i))) | 0;
  return finishHash(acc);
}

/** Whether two masks are equal word for word. */
export function sameMask(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < KEY_WORDS; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A map from masks to objects that carry their mask (tables), by mask hash. */
export class MaskMap<T extends { readonly mask: Uint32Array }> {
  private readonly map = new Map<number, T[]>();

  /** The object for `mask`, if any. */
  get(mask: Uint32Array): T | undefined {
    const list = this.map.get(maskHash(mask));
    if (list === undefined) return undefined;
    for (const t of list) if (sameMask(t.mask, mask)) return t;
    return undefined;
  }

  /** Add `t` under its mask (the caller checked that none is there). */
  add(t: T): void {
    const h = maskHash(t.mask);
    const list = this.map.get(h);
    if (list === undefined) this.map.set(h, [t]);
    else list.push(t);
  }

  /** Remove `t`. */
  delete(t: T): void {
    const h = maskHash(t.mask);
    const list = this.map.get(h);
    if (list === undefined) return;
    const i = list.indexOf(t);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.map.delete(h);
  }

  /** Remove everything. */
  clear(): void {
    this.map.clear();
  }
}

/** The two filter bits of a hash (bits 1..5 and 6..10 of the hash choose them). */
export function filterBits(h: number): number {
  return (1 << (h >>> 1)) | (1 << (h >>> 6));
}

/** Hash the first `count` masked words of a table stored at `base` of `a` (not yet forced odd). */
function hashStored(wwm: Int32Array, a: Int32Array, base: number, count: number): number {
  let acc = 0;
  for (let j = 0; j < count; j++) acc = (acc + Math.imul(a[base + j]!, wwm[3 * j + 2]!)) | 0;
  return finishHash(acc);
}

/** One mask's hash table of masked keys, each with a value of type `V`. */
export class MaskTable<V> {
  /** The mask, {@link KEY_WORDS} words. */
  readonly mask: Uint32Array;
  /** `[word index, word mask, multiplier]` for each key word the mask touches, ascending. */
  readonly wwm: Int32Array;
  /** Number of words the mask touches (masked key words stored per entry). */
  readonly n: number;
  /** Word counts at the end of each stage that has words, the last being `n`. */
  readonly stageEnds: Int32Array;
  /** Per intermediate stage: partial hash → number of keys with it (undefined: not staged). */
  readonly stageSets: Array<Map<number, number>> | undefined;
  /**
   * Per intermediate stage, a membership filter over the same partial hashes
   * (laid out like {@link filter}), read before the map so that a stage that
   * no key shares costs one word.
   */
  stageFilters: Int32Array[] = [];

  /**
   * The buckets, eight words each: the four slots' stored hashes (0 when
   * empty), then their entry ids, so that a probe's hash compare and the id
   * it leads to are on one cache line.
   */
  buckets: Int32Array = new Int32Array(16);
  /** Right shift taking a hash to its home bucket (32 − log2 buckets). */
  shift = 31;
  /** Number of entries in the overflow list. */
  overflowCount = 0;
  /** Hashes of overflow entries (those whose home bucket was full). */
  overflowHash: number[] = [];
  /** Ids of overflow entries. */
  overflowId: number[] = [];
  /** Masked key words of each entry, `n` per id. */
  keys: Int32Array;
  /** Value of each entry id (index 0 and free ids are undefined). */
  vals: Array<V | undefined> = [undefined];
  /** Hash of each entry id. */
  entryHash: Int32Array = new Int32Array(8);
  /** Number of live entries. */
  count = 0;
  /** Membership filter words (see the module documentation); a hash picks word `h >>> filterShift`. */
  filter: Int32Array = new Int32Array(2);
  /** Right shift taking a hash to its filter word. */
  filterShift = 31;
  /** Bumped whenever the filter is rebuilt (cleared or resized), for copies of it. */
  filterEpoch = 0;
  private free: number[] = [];
  /** Deletions since the filter was last rebuilt. */
  private stale = 0;

  /** A table for `mask`; `staged` keeps the partial-hash sets for staged lookup. */
  constructor(mask: Uint32Array, staged: boolean) {
    this.mask = mask.slice();
    this.wwm = wordTriples(mask);
    this.n = this.wwm.length / 3;
    const words = Array.from({ length: this.n }, (_, j) => this.wwm[3 * j]!);
    const ends: number[] = [];
    for (const end of STAGE_ENDS) {
      const c = words.filter((w) => w < end).length;
      if (c > 0 && c !== ends[ends.length - 1]) ends.push(c);
    }
    if (ends.length === 0) ends.push(0);
    this.stageEnds = Int32Array.from(ends);
    this.stageSets = staged ? ends.slice(0, -1).map(() => new Map<number, number>()) : undefined;
    if (staged) this.stageFilters = ends.slice(0, -1).map(() => new Int32Array(2));
    this.keys = new Int32Array(8 * Math.max(1, this.n));
  }

  /** Key word index `j` of this table's words. */
  word(j: number): number {
    return this.wwm[3 * j]!;
  }

  /** Whether entry `id` holds exactly the masked words of `key`. */
  keyIs(id: number, key: Uint32Array): boolean {
    const wwm = this.wwm, n = this.n, ks = this.keys, base = id * n;
    let j = 0;
    while (j < n && ks[base + j] === (key[wwm[3 * j]!]! & wwm[3 * j + 1]!)) j++;
    return j === n;
  }

  /** The entry id of the key equal to `key` under the mask, or 0. */
  find(key: Uint32Array): number {
    return this.findHashed(key, finishHash(this.hashKey(key)) | 1);
  }

  /** The sum of `key`'s masked word products, before {@link finishHash}. */
  hashKey(key: Uint32Array): number {
    const wwm = this.wwm, n = this.n;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      acc = (acc + Math.imul(key[wwm[3 * j]!]! & wwm[3 * j + 1]!, wwm[3 * j + 2]!)) | 0;
    }
    return acc;
  }

  /** Whether the filter lets a key with hash `h` through (false: certainly absent). */
  mayHave(h: number): boolean {
    const m = filterBits(h);
    return (this.filter[h >>> this.filterShift]! & m) === m;
  }

  /** {@link find} for a key whose (odd) hash `h` the caller computed. */
  findHashed(key: Uint32Array, h: number): number {
    const m = filterBits(h);
    if ((this.filter[h >>> this.filterShift]! & m) !== m) return 0;
    return this.findInBuckets(key, h);
  }

  /** {@link findHashed} without the filter (the caller has read a copy of it). */
  findInBuckets(key: Uint32Array, h: number): number {
    const bs = this.buckets, b = (h >>> this.shift) << 3;
    for (let k = b; k < b + 4; k++) {
      if (bs[k] === h) {
        const id = bs[k + 4]!;
        if (this.keyIs(id, key)) return id;
      }
    }
    if (this.overflowCount > 0 && bs[b + 3] !== 0) return this.findOverflow(key, h);
    return 0;
  }

  /** The overflow part of a lookup (rarely reached). */
  findOverflow(key: Uint32Array, h: number): number {
    for (let i = 0; i < this.overflowCount; i++) {
      if (this.overflowHash[i] === h) {
        const id = this.overflowId[i]!;
        if (this.keyIs(id, key)) return id;
      }
    }
    return 0;
  }

  /**
   * Add `key` (masked here) with `value`; the caller has checked with
   * {@link find} that it is absent. Returns the new entry id.
   */
  add(key: Uint32Array, value: V): number {
    if (this.count + 1 > this.buckets.length >> 3) this.grow();
    let id = this.free.pop();
    if (id === undefined) {
      id = this.vals.length;
      this.vals.push(undefined);
      if (id >= this.entryHash.length) {
        const eh = new Int32Array(this.entryHash.length * 2);
        eh.set(this.entryHash);
        this.entryHash = eh;
        const ks = new Int32Array(this.keys.length * 2);
        ks.set(this.keys);
        this.keys = ks;
      }
    }
    const n = this.n, wwm = this.wwm, base = id * n;
    for (let j = 0; j < n; j++) this.keys[base + j] = key[wwm[3 * j]!]! & wwm[3 * j + 1]!;
    const h = hashStored(wwm, this.keys, base, n) | 1;
    this.entryHash[id] = h;
    this.vals[id] = value;
    this.place(h, id);
    this.filter[h >>> this.filterShift] = this.filter[h >>> this.filterShift]! | filterBits(h);
    this.count++;
    this.updateStages(id, 1);
    return id;
  }

  /** Remove entry `id` (its value becomes undefined and the id may be reused). */
  delete(id: number): void {
    this.updateStages(id, -1);
    const h = this.entryHash[id]!, bs = this.buckets;
    const b = (h >>> this.shift) << 3;
    let k = b;
    while (k < b + 4 && !(bs[k] === h && bs[k + 4] === id)) k++;
    if (k === b + 4) {
      const i = this.overflowId.indexOf(id, 0);
      this.removeOverflow(i < this.overflowCount ? i : -1);
    } else {
      // Keep the bucket filled from its first slot: move its last entry into the hole.
      let last = b + 3;
      while (bs[last] === 0) last--;
      bs[k] = bs[last]!;
      bs[k + 4] = bs[last + 4]!;
      bs[last] = 0;
      bs[last + 4] = 0;
      // A slot is free again: take back an overflow entry whose home this is.
      for (let i = 0; i < this.overflowCount; i++) {
        if ((this.overflowHash[i]! >>> this.shift) << 3 === b) {
          bs[last] = this.overflowHash[i]!;
          bs[last + 4] = this.overflowId[i]!;
          this.removeOverflow(i);
          break;
        }
      }
    }
    this.vals[id] = undefined;
    this.free.push(id);
    this.count--;
    if (++this.stale > this.count >> 1) this.rebuildFilter();
  }

  /** Whether some stored key agrees with the probe on stages 0..`stage` (true when not staged). */
  stageHas(stage: number, partialHash: number): boolean {
    if (this.stageSets === undefined) return true;
    const m = filterBits(partialHash);
    if ((this.stageFilters[stage]![partialHash >>> this.filterShift]! & m) !== m) return false;
    return this.stageSets[stage]!.has(partialHash);
  }

  /** Live entry ids. */
  *entries(): IterableIterator<number> {
    for (let id = 1; id < this.vals.length; id++) if (this.vals[id] !== undefined) yield id;
  }

  private removeOverflow(i: number): void {
    if (i < 0) throw new Error("mask table: entry not found");
    const last = --this.overflowCount;
    this.overflowHash[i] = this.overflowHash[last]!;
    this.overflowId[i] = this.overflowId[last]!;
    this.overflowHash.length = last;
    this.overflowId.length = last;
  }

  private updateStages(id: number, delta: number): void {
    const sets = this.stageSets;
    if (sets === undefined) return;
    for (let s = 0; s < sets.length; s++) {
      const h = hashStored(this.wwm, this.keys, id * this.n, this.stageEnds[s]!);
      const set = sets[s]!;
      const c = (set.get(h) ?? 0) + delta;
      if (c === 0) set.delete(h);
      else set.set(h, c);
      if (delta > 0) {
        const f = this.stageFilters[s]!;
        f[h >>> this.filterShift] = f[h >>> this.filterShift]! | filterBits(h);
      }
    }
  }

  private place(h: number, id: number): void {
    const bs = this.buckets, b = (h >>> this.shift) << 3;
    for (let k = b; k < b + 4; k++) {
      if (bs[k] === 0) {
        bs[k] = h;
        bs[k + 4] = id;
        return;
      }
    }
    this.overflowHash.push(h);
    this.overflowId.push(id);
    this.overflowCount++;
  }

  private grow(): void {
    const buckets = (this.buckets.length >> 3) * 2;
    this.shift = 32 - Math.log2(buckets);
    this.buckets = new Int32Array(buckets * 8);
    this.overflowHash = [];
    this.overflowId = [];
    this.overflowCount = 0;
    for (let id = 1; id < this.vals.length; id++) {
      if (this.vals[id] !== undefined) this.place(this.entryHash[id]!, id);
    }
    this.rebuildFilter();
  }

  /** Recompute the filter from the live entries, sized for the current bucket count. */
  private rebuildFilter(): void {
    const words = Math.max(2, this.buckets.length >> 4); // half a word per bucket: >= 16 bits an entry
    if (this.filter.length !== words) {
      this.filter = new Int32Array(words);
      this.filterShift = 32 - Math.log2(words);
      this.stageFilters = this.stageFilters.map(() => new Int32Array(words));
    } else {
      this.filter.fill(0);
      for (const sf of this.stageFilters) sf.fill(0);
    }
    const f = this.filter, fs = this.filterShift, stages = this.stageFilters;
    for (let id = 1; id < this.vals.length; id++) {
      if (this.vals[id] === undefined) continue;
      const h = this.entryHash[id]!;
      f[h >>> fs] = f[h >>> fs]! | filterBits(h);
      for (let s = 0; s < stages.length; s++) {
        const ph = hashStored(this.wwm, this.keys, id * this.n, this.stageEnds[s]!);
        stages[s]![ph >>> fs] = stages[s]![ph >>> fs]! | filterBits(ph);
      }
    }
    this.stale = 0;
    this.filterEpoch++;
  }
}
