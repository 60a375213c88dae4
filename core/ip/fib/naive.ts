/**
 * The reference longest-prefix-match map: one hash map per prefix length, probed
 * from /32 down to /0. It is slow (up to 33 hash probes a lookup) but so simple
 * that it serves as the oracle the fast structure is tested against.
 *
 * It leaves out every optimisation: no caching, no compaction, no batching.
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

/** A PrefixMap kept as a Map per prefix length; lookups check /32 down to /0. */
export class NaivePrefixMap implements PrefixMap {
  #byLen: Map<number, number>[] = Array.from({ length: 33 }, () => new Map<number, number>());
  #count = 0;
  /** Non-empty lengths, longest first; rebuilt lazily after a change. */
  #lens: number[] = [];
  #lensDirty = false;

  /** Number of prefixes stored. */
  get size(): number {
    return this.#count;
  }

  /** Map prefix/len to value; replaces an existing value. */
  insert(prefix: number, len: number, value: number): void {
    checkLength(len);
    checkValue(value);
    const m = this.#byLen[len]!;
    const p = maskPrefix(prefix, len);
    if (!m.has(p)) {
      this.#count++;
      if (m.size === 0) this.#lensDirty = true;
    }
    m.set(p, value);
  }

  /** Remove prefix/len; returns whether it was present. */
  delete(prefix: number, len: number): boolean {
    checkLength(len);
    const m = this.#byLen[len]!;
    if (!m.delete(maskPrefix(prefix, len))) return false;
    this.#count--;
    if (m.size === 0) this.#lensDirty = true;
    return true;
  }

  /** Value of the longest prefix containing addr, or -1. */
  lookup(addr: number): number {
    if (this.#lensDirty) {
      this.#lens = [];
      for (let len = 32; len >= 0; len--) if (this.#byLen[len]!.size > 0) this.#lens.push(len);
      this.#lensDirty = false;
    }
    for (const len of this.#lens) {
      const v = this.#byLen[len]!.get(maskPrefix(addr, len));
      if (v !== undefined) return v;
    }
    return -1;
  }

  /** Exact-match value of prefix/len, or -1. */
  get(prefix: number, len: number): number {
    checkLength(len);
    return this.#byLen[len]!.get(maskPrefix(prefix, len)) ?? -1;
  }

  /** Every stored prefix as [prefix, len, value], in ascending (prefix, len) order. */
  entries(): Iterable<[number, number, number]> {
    const out: [number, number, number][] = [];
    for (let len = 0; len <= 32; len++) {
      for (const [p, v] of this.#byLen[len]!) out.push([p, len, v]);
    }
    return out.sort(compareEntries);
  }
}
