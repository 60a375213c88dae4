/**
 * The hash table behind tuple-space search: every stored key has been masked by
 * one fixed mask, so a lookup masks the probe key the same way, hashes the words
 * the mask touches and compares those words only. Both the classifier's
 * subtables and the megaflow cache's are these tables.
 *
 * Layout, chosen for lookup speed in a JIT: one `Int32Array` of slot records,
 * each `[hash, id, k0 … k(n−1)]` (id 0 = empty slot; the masked key words inline
 * so a probe reads one record), open addressing with linear probing, at most
 * half full, backward-shift deletion (no tombstones). Entry ids (1, 2, …) are
 * stable for the entry's life and index the caller's per-entry arrays; a slot
 * may move, an id does not. Costs: a probe hashes and compares `n` words (the
 * mask's non-zero words) and expects about 1.5 slot visits; insert and delete are
 * amortised O(n).
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

/** Multiplier of the per-word hash step (odd, from the golden ratio). */
export const HASH_MUL = 0x9e3779b1 | 0;
/** Starting value of every hash. */
export const HASH_SEED = 0x2545f491;

/** The mask's identity as a string, for maps from masks to tables. */
export function maskId(mask: Uint32Array): string {
  let s = "";
  for (let i = 0; i < KEY_WORDS; i++) s += (mask[i] ?? 0).toString(36) + ",";
  return s;
}

/** Hash `count` words at `base` of `a` (already masked). */
function hashRun(a: Int32Array, base: number, count: number): number {
  let h = HASH_SEED;
  for (let j = 0; j < count; j++) h = Math.imul(h ^ a[base + j]!, HASH_MUL);
  return h;
}

/** One mask's hash table of masked keys, each with a value of type `V`. */
export class MaskTable<V> {
  /** The mask, {@link KEY_WORDS} words. */
  readonly mask: Uint32Array;
  /** Interleaved `[word index, word mask]` for each key word the mask touches, ascending. */
  readonly wwm: Int32Array;
  /** Number of words the mask touches. */
  readonly n: number;
  /** Slot record length, `n + 2`. */
  readonly stride: number;
  /** Word counts at the end of each stage that has words, the last being `n`. */
  readonly stageEnds: Int32Array;
  /** Per intermediate stage: partial hash → number of keys with it (undefined when not staged). */
  readonly stageSets: Array<Map<number, number>> | undefined;

  /** Slot records; see the module documentation. */
  slots: Int32Array;
  /** Length of `slots` (capacity × stride). */
  size: number;
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
    const words: number[] = [];
    for (let i = 0; i < KEY_WORDS; i++) if ((mask[i] ?? 0) !== 0) words.push(i);
    this.n = words.length;
    this.stride = this.n + 2;
    this.wwm = new Int32Array(2 * this.n);
    words.forEach((w, j) => {
      this.wwm[2 * j] = w;
      this.wwm[2 * j + 1] = mask[w] ?? 0;
    });
    const ends: number[] = [];
    for (const end of STAGE_ENDS) {
      const c = words.filter((w) => w < end).length;
      if (c > 0 && c !== ends[ends.length - 1]) ends.push(c);
    }
    if (ends.length === 0) ends.push(0);
    this.stageEnds = Int32Array.from(ends);
    this.stageSets = staged ? ends.slice(0, -1).map(() => new Map<number, number>()) : undefined;
    this.size = 8 * this.stride;
    this.slots = new Int32Array(this.size);
  }

  /** Key word index `j` of this table's words. */
  word(j: number): number {
    return this.wwm[2 * j]!;
  }

  /**
   * The slot offset holding the key equal to `key` under the mask, or −1. The
   * entry id is at `slots[offset + 1]`.
   */
  findSlot(key: Uint32Array): number {
    const wwm = this.wwm, n = this.n, stride = this.stride, sl = this.slots, size = this.size;
    let h = HASH_SEED;
    for (let j = 0; j < n; j++) h = Math.imul(h ^ (key[wwm[2 * j]!]! & wwm[2 * j + 1]!), HASH_MUL);
    let s = (h >>> this.shift) * stride;
    for (;;) {
      if (sl[s + 1] === 0) return -1;
      if (sl[s] === h) {
        let j = 0;
        while (j < n && sl[s + 2 + j] === (key[wwm[2 * j]!]! & wwm[2 * j + 1]!)) j++;
        if (j === n) return s;
      }
      s += stride;
      if (s >= size) s = 0;
    }
  }

  /** The entry id of the key equal to `key` under the mask, or 0. */
  find(key: Uint32Array): number {
    const s = this.findSlot(key);
    return s < 0 ? 0 : this.slots[s + 1]!;
  }

  /**
   * Add `key` (masked here) with `value`; the caller has checked with
   * {@link find} that it is absent. Returns the new entry id.
   */
  add(key: Uint32Array, value: V): number {
    if ((this.count + 1) * 2 * this.stride > this.size) this.grow();
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
    const rec = new Int32Array(n);
    for (let j = 0; j < n; j++) rec[j] = key[wwm[2 * j]!]! & wwm[2 * j + 1]!;
    const h = hashRun(rec, 0, n);
    this.entryHash[id] = h;
    this.vals[id] = value;
    const s = this.emptySlot(h);
    this.slots[s] = h;
    this.slots[s + 1] = id;
    this.slots.set(rec, s + 2);
    this.count++;
    this.updateStages(s, 1);
    return id;
  }

  /** Remove entry `id` (its value becomes undefined and the id may be reused). */
  delete(id: number): void {
    const sl = this.slots, stride = this.stride, size = this.size, shift = this.shift;
    let i = (this.entryHash[id]! >>> shift) * stride;
    while (sl[i + 1] !== id) {
      i += stride;
      if (i >= size) i = 0;
    }
    this.updateStages(i, -1);
    // Backward-shift deletion: pull later members of the probe run into the hole.
    let j = i;
    for (;;) {
      j += stride;
      if (j >= size) j = 0;
      if (sl[j + 1] === 0) break;
      const home = (sl[j]! >>> shift) * stride;
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        sl.copyWithin(i, j, j + stride);
        i = j;
      }
    }
    sl.fill(0, i, i + stride);
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
      const h = hashRun(this.slots, slot + 2, this.stageEnds[s]!);
      const set = sets[s]!;
      const c = (set.get(h) ?? 0) + delta;
      if (c === 0) set.delete(h);
      else set.set(h, c);
    }
  }

  private emptySlot(h: number): number {
    const sl = this.slots, stride = this.stride, size = this.size;
    let s = (h >>> this.shift) * stride;
    while (sl[s + 1] !== 0) {
      s += stride;
      if (s >= size) s = 0;
    }
    return s;
  }

  private grow(): void {
    const old = this.slots, stride = this.stride;
    this.size *= 2;
    this.shift--;
    this.slots = new Int32Array(this.size);
    for (let s = 0; s < old.length; s += stride) {
      if (old[s + 1] === 0) continue;
      const d = this.emptySlot(old[s]!);
      this.slots.set(old.subarray(s, s + stride), d);
    }
  }
}
