/**
 * Event schedulers: the priority queue behind the simulator. Events are ordered
 * by time, then by insertion sequence, so ties run first-in first-out. A
 * cancelled event is taken out at once (`remove`), so timers that are armed and
 * cancelled over and over (delayed ACKs) do not pile up in the queue.
 *
 * `HeapScheduler` is a binary min-heap (insert, remove and removeNext
 * O(log n)); `ListScheduler` is a sorted array (insert and remove O(n)), kept
 * as the trivial baseline for benchmarks.
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
  /** Where the scheduler keeps it (maintained by the scheduler; −1 when not queued). */
  index: number;
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
  /** Take a queued event out before its time (it was cancelled). */
  remove(ev: SimEvent): void;
  /** Number of queued events. */
  readonly size: number;
}

/** Binary min-heap of events: insert, remove and removeNext O(log n). */
export class HeapScheduler implements Scheduler {
  #heap: SimEvent[] = [];

  get size(): number {
    return this.#heap.length;
  }

  insert(ev: SimEvent): void {
    const h = this.#heap;
    h.push(ev);
    this.#up(ev, h.length - 1);
  }

  peek(): SimEvent | undefined {
    return this.#heap[0];
  }

  removeNext(): SimEvent | undefined {
    const h = this.#heap;
    const top = h[0];
    if (top === undefined) return undefined;
    top.index = -1;
    const last = h.pop()!;
    if (h.length > 0) this.#down(last, 0);
    return top;
  }

  remove(ev: SimEvent): void {
    const h = this.#heap;
    const i = ev.index;
    if (i < 0 || h[i] !== ev) return;
    ev.index = -1;
    const last = h.pop()!;
    if (i === h.length) return;
    // The last event takes the hole: it may belong above it or below it.
    const parent = (i - 1) >> 1;
    if (i > 0 && before(last, h[parent]!)) this.#up(last, i);
    else this.#down(last, i);
  }

  /** Place `ev` at the hole `i` or above it. */
  #up(ev: SimEvent, i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent]!;
      if (before(p, ev)) break;
      h[i] = p;
      p.index = i;
      i = parent;
    }
    h[i] = ev;
    ev.index = i;
  }

  /** Place `ev` at the hole `i` or below it. */
  #down(ev: SimEvent, i: number): void {
    const h = this.#heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = h[l]!;
      if (r < n) {
        const rc = h[r]!;
        if (before(rc, child)) {
          c = r;
          child = rc;
        }
      }
      if (before(ev, child)) break;
      h[i] = child;
      child.index = i;
      i = c;
    }
    h[i] = ev;
    ev.index = i;
  }
}

/** Whether `a` runs before `b`: earlier time, or the same time and scheduled first. */
function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
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

  remove(ev: SimEvent): void {
    const i = this.#items.indexOf(ev, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
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
