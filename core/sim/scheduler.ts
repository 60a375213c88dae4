/**
 * Event schedulers: the priority queue behind the simulator. Events are ordered
 * by time, then by insertion sequence, so ties run first-in first-out.
 *
 * `HeapScheduler` is a binary min-heap (insert and remove O(log n)); `ListScheduler`
 * is a sorted array (insert O(n)), kept as the trivial baseline for benchmarks.
 *
 * @module
 */

/** One scheduled callback. `fn` is cleared when the event is cancelled. */
export interface SimEvent {
  /** Virtual time in nanoseconds. */
  at: number;
  /** Insertion sequence; breaks ties between equal times. */
  seq: number;
  /** The callback, or undefined once cancelled. */
  fn: ((arg: any) => void) | undefined;
  /** The argument passed to `fn` (lets hot paths avoid closures). */
  arg: unknown;
}

/** Ordering of events: earlier time first, then earlier insertion. */
export const compareEvents = (a: SimEvent, b: SimEvent): number => a.at - b.at || a.seq - b.seq;

/** A priority queue of events. */
export interface Scheduler {
  /** Add an event. */
  insert(ev: SimEvent): void;
  /** Remove and return the earliest event, or undefined when empty. */
  removeNext(): SimEvent | undefined;
  /** The earliest event without removing it. */
  peek(): SimEvent | undefined;
  /** Number of queued events (cancelled ones included until they surface). */
  readonly size: number;
}

/** Binary min-heap of events: insert O(log n), removeNext O(log n). */
export class HeapScheduler implements Scheduler {
  #heap: SimEvent[] = [];

  get size(): number {
    return this.#heap.length;
  }

  insert(ev: SimEvent): void {
    const h = this.#heap;
    let i = h.length;
    h.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (p.at < ev.at || (p.at === ev.at && p.seq < ev.seq)) break;
      h[i] = p;
      i = parent;
    }
    h[i] = ev;
  }

  peek(): SimEvent | undefined {
    return this.#heap[0];
  }

  removeNext(): SimEvent | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = h[l]!;
      if (r < n) {
        const rc = h[r]!;
        if (rc.at < child.at || (rc.at === child.at && rc.seq < child.seq)) {
          c = r;
          child = rc;
        }
      }
      if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
      h[i] = child;
      i = c;
    }
    h[i] = last;
    return top;
  }
}

/** Sorted-array scheduler: insert O(n), removeNext O(1). The benchmark baseline. */
export class ListScheduler implements Scheduler {
  #items: SimEvent[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  insert(ev: SimEvent): void {
    const items = this.#items;
    let i = items.length;
    while (i > this.#head && compareEvents(items[i - 1]!, ev) > 0) i--;
    items.splice(i, 0, ev);
  }

  peek(): SimEvent | undefined {
    return this.#items[this.#head];
  }

  removeNext(): SimEvent | undefined {
    const ev = this.#items[this.#head];
    if (ev === undefined) return undefined;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return ev;
  }
}
