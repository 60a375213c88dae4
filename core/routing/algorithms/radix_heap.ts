/**
 * A radix heap: a monotone priority queue for integer keys 0..2^32−2, the
 * priority queue of {@link dijkstra} on graphs with integer (u32) metrics
 * (Ahuja, Mehlhorn, Orlin and Tarjan, "Faster algorithms for the shortest path
 * problem", 1990; here the one-level form with a bucket per bit).
 *
 * Monotone means every pushed key is at least the key popped last, which is
 * what Dijkstra's algorithm with non-negative weights does. Bucket 0 holds the
 * entries whose key equals the last popped key `last`; bucket b (1..32) those
 * whose key first differs from `last` at bit b−1 (so every key in bucket b is
 * below every key in bucket b+1). A pop takes from bucket 0; when that is
 * empty it finds the first non-empty bucket, makes its smallest key the new
 * `last` and deals the bucket's entries out to lower buckets. An entry only
 * ever moves to a lower bucket, so it moves at most 32 times, and in practice
 * (keys within a small range of `last`) once or twice.
 *
 * There is no decrease-key: a caller pushes the item again with its smaller
 * key and skips the outdated entry when it comes out (lazy deletion, which is
 * how Dijkstra uses it: an entry is current when its key equals the node's
 * distance). Every entry carries a 32-bit payload (Dijkstra: the predecessor).
 * Entries live in one growable Uint32Array per bucket, three words each, so
 * pushes and the dealing-out are sequential writes, with no per-node index to
 * keep up to date at random places.
 *
 * Costs: push O(1); pop O(1) amortised plus the dealing-out, O(32) moves per
 * entry at worst. Memory: 12 bytes per queued entry (outdated ones included),
 * buckets keep their capacity across `clear()` for reuse. Equal keys come out
 * in last-in, first-out order, deterministically.
 *
 * Not handled: keys above 2^32−2, non-monotone pushes (rejected).
 *
 * @module
 */

/** The largest key a {@link RadixHeap} accepts. */
export const RADIX_MAX_KEY = 0xfffffffe;

/** Bucket of `key` relative to the last popped key: 0 when equal, else 1 + the highest differing bit. */
function bucketOf(key: number, last: number): number {
  const x = key ^ last;
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** A monotone min-priority queue of (item, key, payload) entries with integer keys. */
export class RadixHeap {
  #buckets: Uint32Array[] = [];
  /** Words used in each bucket (three per entry). */
  #used = new Int32Array(33);
  #last = 0;
  #size = 0;
  #key = 0;
  #payload = 0;

  /** An empty heap; `capacity` entries fit in bucket 0 before it grows. */
  constructor(capacity = 16) {
    for (let b = 0; b < 33; b++) this.#buckets.push(new Uint32Array(3 * Math.max(4, capacity)));
  }

  /** Number of entries (outdated ones a caller has not popped yet included). */
  get size(): number {
    return this.#size;
  }

  /** Key of the entry the last {@link pop} returned. */
  get key(): number {
    return this.#key;
  }

  /** Payload of the entry the last {@link pop} returned. */
  get payload(): number {
    return this.#payload;
  }

  /** Remove every entry and forget the last key (buckets keep their capacity). */
  clear(): void {
    this.#used.fill(0);
    this.#last = 0;
    this.#size = 0;
  }

  /**
   * Queue `item` with `key` (an integer from the last popped key up to
   * {@link RADIX_MAX_KEY}) and a 32-bit `payload`. Throws a RangeError for a
   * key below the last popped one or out of range.
   */
  push(item: number, key: number, payload: number): void {
    if (!(key >= this.#last && key <= RADIX_MAX_KEY)) {
      throw new RangeError(`RadixHeap: key ${key} is below ${this.#last} or out of range`);
    }
    this.#append(bucketOf(key, this.#last), item, key, payload);
    this.#size++;
  }

  /**
   * Remove the entry with the smallest key and return its item (its key and
   * payload are then {@link key} and {@link payload}); −1 when empty.
   */
  pop(): number {
    if (this.#size === 0) return -1;
    if (this.#used[0] === 0) this.#refill();
    const at = this.#used[0]! - 3;
    this.#used[0] = at;
    this.#size--;
    const b0 = this.#buckets[0]!;
    this.#key = b0[at + 1]!;
    this.#payload = b0[at + 2]!;
    return b0[at]!;
  }

  /** Bucket 0 is empty and the heap is not: make the smallest key the new `last`. */
  #refill(): void {
    const used = this.#used;
    let b = 1;
    while (used[b] === 0) b++;
    const from = this.#buckets[b]!, n = used[b]!;
    let min = RADIX_MAX_KEY + 1;
    for (let i = 1; i < n; i += 3) if (from[i]! < min) min = from[i]!;
    this.#last = min;
    used[b] = 0;
    // Every key of bucket b agrees with the new `last` above bit b−1, so each
    // entry lands in a bucket below b (and `from` is not written while read).
    for (let i = 0; i < n; i += 3) {
      const key = from[i + 1]!;
      this.#append(bucketOf(key, min), from[i]!, key, from[i + 2]!);
    }
  }

  #append(b: number, item: number, key: number, payload: number): void {
    let a = this.#buckets[b]!;
    const at = this.#used[b]!;
    if (at + 3 > a.length) {
      const grown = new Uint32Array(a.length * 2);
      grown.set(a);
      this.#buckets[b] = a = grown;
    }
    a[at] = item;
    a[at + 1] = key;
    a[at + 2] = payload;
    this.#used[b] = at + 3;
  }
}
