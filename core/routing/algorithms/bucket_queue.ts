/**
 * A bucket queue (Dial's algorithm, "Algorithm 360: shortest-path forest with
 * topological ordering", 1969): a monotone priority queue for integer keys
 * that lie within a fixed window above the last popped key, the priority queue
 * of {@link dijkstra} when the largest link metric is small (up to
 * {@link BUCKET_MAX_SPAN} − 1).
 *
 * Dijkstra with integer weights of at most W only ever holds keys from the
 * distance d just settled up to d + W, so a circle of `span` ≥ W + 1 buckets
 * (a power of two) indexed by `key & (span − 1)` gives every queued key its
 * own bucket. A push appends to its key's bucket; a pop takes from the bucket
 * of the current key and, when that is empty, moves on to the next non-empty
 * bucket round the circle, found in a bitmap of non-empty buckets (one word
 * per 32 buckets). Each entry is written once and read once: no entry is moved
 * between buckets, as in a radix heap, and there is no heap order to keep.
 *
 * There is no decrease-key: as with {@link RadixHeap}, the caller pushes the
 * item again with its smaller key and skips the outdated entry when it comes
 * out. Entries carry a 32-bit payload. Each bucket is a growable Uint32Array
 * of (item, payload) pairs, used as a stack: equal keys come out last in,
 * first out, deterministically.
 *
 * Costs: push O(1); pop O(1) plus the bitmap words skipped (at most
 * span / 32, when the queue holds few keys far apart). Memory: 8 bytes per
 * queued entry (outdated ones included) plus the buckets' spare capacity,
 * which `clear()` keeps for reuse.
 *
 * Not handled: keys outside the window (rejected), non-monotone pushes
 * (rejected).
 *
 * @module
 */

/** The widest window (number of buckets) a {@link BucketQueue} takes. */
export const BUCKET_MAX_SPAN = 4096;

/** A monotone min-priority queue of (item, key, payload) entries over a window of integer keys. */
export class BucketQueue {
  /** Number of buckets: pushed keys must be below the current key plus this. */
  readonly span: number;
  #mask: number;
  #buckets: Uint32Array[] = [];
  /** Words used in each bucket (two per entry). */
  #used: Int32Array;
  /** Bit b set when bucket b holds entries. */
  #bits: Int32Array;
  /** The smallest key that can be queued: the last popped key (0 after `clear()`). */
  #last = 0;
  #size = 0;
  #payload = 0;

  /**
   * A queue whose window takes keys up to `maxDelta` above the last popped key
   * (rounded up to a power of two, 1..{@link BUCKET_MAX_SPAN} − 1). Throws a
   * RangeError for a wider window.
   */
  constructor(maxDelta: number) {
    if (!Number.isInteger(maxDelta) || maxDelta < 0 || maxDelta >= BUCKET_MAX_SPAN) {
      throw new RangeError(`BucketQueue: window ${maxDelta} is not 0..${BUCKET_MAX_SPAN - 1}`);
    }
    let span = 32;
    while (span <= maxDelta) span *= 2;
    this.span = span;
    this.#mask = span - 1;
    this.#used = new Int32Array(span);
    this.#bits = new Int32Array(span >> 5);
    for (let b = 0; b < span; b++) this.#buckets.push(new Uint32Array(8));
  }

  /** Number of entries (outdated ones a caller has not popped yet included). */
  get size(): number {
    return this.#size;
  }

  /** Key of the entry the last {@link pop} returned. */
  get key(): number {
    return this.#last;
  }

  /** Payload of the entry the last {@link pop} returned. */
  get payload(): number {
    return this.#payload;
  }

  /** Remove every entry and restart the window at key 0 (buckets keep their capacity). */
  clear(): void {
    this.#used.fill(0);
    this.#bits.fill(0);
    this.#last = 0;
    this.#size = 0;
  }

  /**
   * Queue `item` with `key` (an integer from the last popped key to that plus
   * `span` − 1) and a 32-bit `payload`. Throws a RangeError for a key outside
   * that window (a key that is not an integer is not detected).
   */
  push(item: number, key: number, payload: number): void {
    if ((key - this.#last) >>> 0 > this.#mask) {
      throw new RangeError(`BucketQueue: key ${key} is outside ${this.#last}..+${this.#mask}`);
    }
    const b = key & this.#mask, used = this.#used;
    const at = used[b]!;
    const a = at < this.#buckets[b]!.length ? this.#buckets[b]! : this.#grow(b);
    a[at] = item;
    a[at + 1] = payload;
    used[b] = at + 2;
    this.#bits[b >> 5] = this.#bits[b >> 5]! | (1 << (b & 31));
    this.#size++;
  }

  /** Double bucket `b`'s array and return it. */
  #grow(b: number): Uint32Array {
    const a = this.#buckets[b]!, grown = new Uint32Array(a.length * 2);
    grown.set(a);
    this.#buckets[b] = grown;
    return grown;
  }

  /**
   * Remove the entry with the smallest key and return its item (its key and
   * payload are then {@link key} and {@link payload}); −1 when empty.
   */
  pop(): number {
    if (this.#size === 0) return -1;
    const mask = this.#mask, used = this.#used;
    let b = this.#last & mask;
    if (used[b] === 0) {
      const next = this.#nextBucket(b);
      this.#last += (next - b) & mask;
      b = next;
    }
    const at = used[b]! - 2;
    used[b] = at;
    if (at === 0) this.#bits[b >> 5] = this.#bits[b >> 5]! & ~(1 << (b & 31));
    this.#size--;
    const a = this.#buckets[b]!;
    this.#payload = a[at + 1]!;
    return a[at]!;
  }

  /** The first non-empty bucket after `b` round the circle (the queue is not empty). */
  #nextBucket(b: number): number {
    const bits = this.#bits, words = bits.length;
    let w = b >> 5;
    let x = bits[w]! & (-1 << (b & 31));
    for (let i = 0; x === 0 && i < words; i++) {
      w = w + 1 === words ? 0 : w + 1;
      x = bits[w]!;
    }
    return (w << 5) | (31 - Math.clz32(x & -x));
  }
}
