/**
 * An indexed 4-ary min-heap over item ids 0..capacity−1 with float keys and
 * decrease-key, stored entirely in typed arrays (no per-entry objects, no GC
 * pressure). It is the priority queue of {@link dijkstra}.
 *
 * Layout: `#keys[i]` and `#items[i]` hold the entry at heap position `i` (keys
 * sit beside the items so sifting reads contiguous memory), and `#pos[item]` is
 * the item's position or −1 when absent. Children of position `i` are
 * `4i+1 .. 4i+4`.
 *
 * Costs, for a heap holding k entries: `push`, `insert` and `decrease` O(log₄ k) (sift up:
 * one comparison per level); `pop` O(4·log₄ k) (sift down: up to four
 * comparisons per level); `has`, `size`, `peekKey` O(1). Dijkstra on n nodes and
 * m edges therefore costs O(m·log₄ n + 4n·log₄ n). Four children per node halve
 * the depth of a binary heap for the many decrease-keys (one per improving edge)
 * while keeping a pop's four comparisons within one or two cache lines.
 *
 * Decrease-key was chosen over lazy deletion: the heap never holds more than n
 * entries (lazy deletion can hold up to m), and the position array doubles as
 * the "queued" flag. Ties between equal keys are broken by heap shape, which is
 * deterministic for a given sequence of operations.
 *
 * Not modelled: increase-key and arbitrary removal (Dijkstra needs neither).
 *
 * @module
 */

/** Indexed 4-ary min-heap of item ids with float keys and decrease-key. */
export class IndexedHeap {
  #keys: Float64Array;
  #items: Uint32Array;
  #pos: Int32Array;
  #size = 0;

  /** A heap for item ids 0..capacity−1. */
  constructor(capacity: number) {
    this.#keys = new Float64Array(capacity);
    this.#items = new Uint32Array(capacity);
    this.#pos = new Int32Array(capacity).fill(-1);
  }

  /** Largest item id + 1 this heap accepts. */
  get capacity(): number {
    return this.#pos.length;
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** Whether `item` is queued. */
  has(item: number): boolean {
    return this.#pos[item]! >= 0;
  }

  /** Key of `item` if queued, else undefined. */
  keyOf(item: number): number | undefined {
    const p = this.#pos[item]!;
    return p >= 0 ? this.#keys[p] : undefined;
  }

  /** Smallest key; Infinity when empty. */
  peekKey(): number {
    return this.#size > 0 ? this.#keys[0]! : Infinity;
  }

  /** Item with the smallest key, or −1 when empty (not removed). */
  peek(): number {
    return this.#size > 0 ? this.#items[0]! : -1;
  }

  /** Remove every entry, O(size). */
  clear(): void {
    const items = this.#items, pos = this.#pos;
    for (let i = 0; i < this.#size; i++) pos[items[i]!] = -1;
    this.#size = 0;
  }

  /**
   * Queue `item` with `key`, or lower its key if queued with a larger one
   * (a larger or equal key for a queued item is ignored).
   */
  push(item: number, key: number): void {
    const p = this.#pos[item]!;
    if (p < 0) {
      this.#siftUp(this.#size++, item, key);
    } else if (key < this.#keys[p]!) {
      this.#siftUp(p, item, key);
    }
  }

  /**
   * Queue `item`, which must not be queued (unchecked: a fast path for callers
   * that know, such as Dijkstra on a node reached for the first time).
   */
  insert(item: number, key: number): void {
    this.#siftUp(this.#size++, item, key);
  }

  /**
   * Lower the key of `item`, which must be queued with a key ≥ `key`
   * (unchecked: a fast path for callers that know).
   */
  decrease(item: number, key: number): void {
    this.#siftUp(this.#pos[item]!, item, key);
  }

  /** Remove and return the item with the smallest key; −1 when empty. */
  pop(): number {
    const n = this.#size;
    if (n === 0) return -1;
    const items = this.#items, keys = this.#keys;
    const top = items[0]!;
    this.#pos[top] = -1;
    const last = n - 1;
    this.#size = last;
    if (last > 0) this.#siftDown(items[last]!, keys[last]!, last);
    return top;
  }

  /** Place `item` with `key` at position `i` or above, moving larger parents down. */
  #siftUp(i: number, item: number, key: number): void {
    const keys = this.#keys, items = this.#items, pos = this.#pos;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pk = keys[parent]!;
      if (pk <= key) break;
      const pi = items[parent]!;
      keys[i] = pk;
      items[i] = pi;
      pos[pi] = i;
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
    pos[item] = i;
  }

  /** Place `item` with `key` at the root or below, within the first `n` positions. */
  #siftDown(item: number, key: number, n: number): void {
    const keys = this.#keys, items = this.#items, pos = this.#pos;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      let best = first;
      let bestKey = keys[first]!;
      const end = first + 4 < n ? first + 4 : n;
      for (let c = first + 1; c < end; c++) {
        const ck = keys[c]!;
        if (ck < bestKey) {
          best = c;
          bestKey = ck;
        }
      }
      if (bestKey >= key) break;
      const bi = items[best]!;
      keys[i] = bestKey;
      items[i] = bi;
      pos[bi] = i;
      i = best;
    }
    keys[i] = key;
    items[i] = item;
    pos[item] = i;
  }
}
