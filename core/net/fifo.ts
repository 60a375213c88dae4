/**
 * A first-in first-out queue on a ring buffer that doubles when full: push and
 * shift O(1) (amortized for push), nothing copied on the way through, unlike a
 * plain array with a moving head that has to compact itself.
 *
 * @module
 */

/** A FIFO of items on a growing ring buffer. */
export class Fifo<T> {
  #items: Array<T | undefined> = new Array(16).fill(undefined);
  #head = 0;
  #size = 0;

  /** Items held. */
  get size(): number {
    return this.#size;
  }

  /** Add an item at the tail. */
  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Take the item at the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  /** The `i`-th item from the head (0 is the head); `i` must be below `size`. */
  at(i: number): T {
    return this.#items[(this.#head + i) & (this.#items.length - 1)]!;
  }

  /** Drop every item. */
  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.#size = 0;
  }

  #grow(): void {
    const old = this.#items;
    const items: Array<T | undefined> = new Array(old.length * 2).fill(undefined);
    for (let i = 0; i < this.#size; i++) items[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = items;
    this.#head = 0;
  }
}
