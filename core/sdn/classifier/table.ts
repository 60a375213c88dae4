/**
 * The hash table behind tuple-space search: every stored key has been masked by
 * one fixed mask, so a lookup masks the probe key the same way, hashes the words
 * the mask touches and compares those words only. Both the classifier's
 * subtables and the megaflow cache's are these tables.
 *
 * Layout, chosen for lookup speed in a JIT: open addressing with linear probing
 * over two parallel typed arrays, a compact one of slot hashes (0 = empty; stored
 * hashes are forced odd) and one of slot records `[id, k0 … k(n−1)]` holding the
 * masked key words. A probe that misses, the common case in tuple-space search,
 * reads only the hash array, which stays small enough to remain in cache; a hash
 * match goes on to compare the record. At most half full; backward-shift
 * deletion (no tombstones). Entry ids (1, 2, …) are stable for the entry's life
 * and index the caller's per-entry arrays; a slot may move, an id does not.
 * Costs: a probe hashes `n` words (the mask's non-zero words) and expects about
 * 1.5 slot visits; insert and delete are amortised O(n).
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

/** Finish a sum of per-word products into a hash (see {@link wordMul}). */
export function finishHash(acc: number): number {
  return Math.imul(acc ^ (acc >>> 16), 0x85ebca6b);
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

/** The mask's identity as a string, for maps from masks to tables. */
export function maskId(mask: Uint32Array): string {
  let s = "";
  for (let i = 0; i < KEY_WORDS; i++) s += (mask[i] ?? 0).toString(36) + ",";
  return s;
}

/** Hash the first `count` of a table's words stored (masked) at `base` of `a`. */
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
  /** Number of words the mask touches. */
  readonly n: number;
  /** Record length, `n + 1`. */
  readonly stride: number;
  /** Word counts at the end of each stage that has words, the last being `n`. */
  readonly stageEnds: Int32Array;
  /** Per intermediate stage: partial hash → number of keys with it (undefined when not staged). */
  readonly stageSets: Array<Map<number, number>> | undefined;

  /** Hash of each slot's key (odd), 0 for an empty slot. */
  hashes: Int32Array = new Int32Array(8);
  /** Slot records `[id, k0 … k(n−1)]`, `stride` words per slot. */
  recs: Int32Array;
  /** Slot index mask (capacity − 1). */
  capMask = 7;
  /** Right shift taking a hash to its home slot (32 − log2 capacity). */
  shift = 29;
  /** Value of each entry id (index 0 and free ids are undefined). */
  vals: Array<V | undefined> = [undefined];
  /** Hash of each entry id. */
  entryHash: Int32Array = new Int32Array(8);
  /** Number of live entries. */
  count = 0;
  private free: number[] = [];

  /** A table for `mask`; `staged` keeps the partial-hash sets for staged lookup. */
  constructor(mask: Uint32Array, staged: boolean) {
    this.mask = mask.slice();
    this.wwm = wordTriples(mask);
    this.n = this.wwm.length / 3;
    this.stride = this.n + 1;
    const words = Array.from({ length: this.n }, (_, j) => this.wwm[3 * j]!);
    const ends: number[] = [];
    for (const end of STAGE_ENDS) {
      const c = words.filter((w) => w < end).length;
      if (c > 0 && c !== ends[ends.length - 1]) ends.push(c);
    }
    if (ends.length === 0) ends.push(0);
    this.stageEnds = Int32Array.from(ends);
    this.stageSets = staged ? ends.slice(0, -1).map(() => new Map<number, number>()) : undefined;
    this.recs = new Int32Array(8 * this.stride);
  }

  /** Key word index `j` of this table's words. */
  word(j: number): number {
    return this.wwm[3 * j]!;
  }

  /** The slot holding the key equal to `key` under the mask, or −1. Its id is `recs[slot * stride]`. */
  findSlot(key: Uint32Array): number {
    const wwm = this.wwm, n = this.n, hs = this.hashes, cm = this.capMask;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      acc = (acc + Math.imul(key[wwm[3 * j]!]! & wwm[3 * j + 1]!, wwm[3 * j + 2]!)) | 0;
    }
    const h = finishHash(acc) | 1;
    let s = h >>> this.shift;
    for (;;) {
      const x = hs[s]!;
      if (x === 0) return -1;
      if (x === h) {
        const recs = this.recs, base = s * this.stride + 1;
        let j = 0;
        while (j < n && recs[base + j] === (key[wwm[3 * j]!]! & wwm[3 * j + 1]!)) j++;
        if (j === n) return s;
      }
      s = (s + 1) & cm;
    }
  }

  /** The entry id of the key equal to `key` under the mask, or 0. */
  find(key: Uint32Array): number {
    const s = this.findSlot(key);
    return s < 0 ? 0 : this.recs[s * this.stride]!;
  }

  /**
   * Add `key` (masked here) with `value`; the caller has checked with
   * {@link find} that it is absent. Returns the new entry id.
   */
  add(key: Uint32Array, value: V): number {
    if ((this.count + 1) * 2 > this.capMask + 1) this.grow();
    let id = this.free.pop();
    if (id === undefined) {
      id = this.vals.length;
      this.vals.push(undefined);
      if (id >= this.entryHash.length) {
        const eh = new Int32Array(this.entryHash.length * 2);
        eh.set(this.entryHash);
        this.entryHash = eh;
      }
    }
    const n = this.n, wwm = this.wwm;
    const rec = new Int32Array(this.stride);
    rec[0] = id;
    for (let j = 0; j < n; j++) rec[1 + j] = key[wwm[3 * j]!]! & wwm[3 * j + 1]!;
    const h = hashStored(wwm, rec, 1, n) | 1;
    this.entryHash[id] = h;
    this.vals[id] = value;
    const s = this.emptySlot(h);
    this.hashes[s] = h;
    this.recs.set(rec, s * this.stride);
    this.count++;
    this.updateStages(s, 1);
    return id;
  }

  /** Remove entry `id` (its value becomes undefined and the id may be reused). */
  delete(id: number): void {
    const hs = this.hashes, recs = this.recs, stride = this.stride, cm = this.capMask;
    const shift = this.shift;
    let i = this.entryHash[id]! >>> shift;
    while (recs[i * stride] !== id || hs[i] === 0) i = (i + 1) & cm;
    this.updateStages(i, -1);
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & cm;
      const hj = hs[j]!;
      if (hj === 0) break;
      const home = hj >>> shift;
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        hs[i] = hj;
        recs.copyWithin(i * stride, j * stride, j * stride + stride);
        i = j;
      }
    }
    hs[i] = 0;
    recs.fill(0, i * stride, i * stride + stride);
    this.vals[id] = undefined;
    this.free.push(id);
    this.count--;
  }

  /** Whether some stored key agrees with the probe on stages 0..`stage` (true when not staged). */
  stageHas(stage: number, partialHash: number): boolean {
    return this.stageSets === undefined || this.stageSets[stage]?.has(partialHash) === true;
  }

  /** Live entry ids. */
  *entries(): IterableIterator<number> {
    for (let id = 1; id < this.vals.length; id++) if (this.vals[id] !== undefined) yield id;
  }

  private updateStages(slot: number, delta: number): void {
    const sets = this.stageSets;
    if (sets === undefined) return;
    for (let s = 0; s < sets.length; s++) {
      const h = hashStored(this.wwm, this.recs, slot * this.stride + 1, this.stageEnds[s]!);
      const set = sets[s]!;
      const c = (set.get(h) ?? 0) + delta;
      if (c === 0) set.delete(h);
      else set.set(h, c);
    }
  }

  private emptySlot(h: number): number {
    const hs = this.hashes, cm = this.capMask;
    let s = h >>> this.shift;
    while (hs[s] !== 0) s = (s + 1) & cm;
    return s;
  }

  private grow(): void {
    const oldH = this.hashes, oldR = this.recs, stride = this.stride;
    const cap = (this.capMask + 1) * 2;
    this.capMask = cap - 1;
    this.shift--;
    this.hashes = new Int32Array(cap);
    this.recs = new Int32Array(cap * stride);
    for (let s = 0; s < oldH.length; s++) {
      const h = oldH[s]!;
      if (h === 0) continue;
      const d = this.emptySlot(h);
      this.hashes[d] = h;
      this.recs.set(oldR.subarray(s * stride, s * stride + stride), d * stride);
    }
  }
}
