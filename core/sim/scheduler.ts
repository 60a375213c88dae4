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
  /** Take a queued event out (it was cancelled, or it ran). */
  remove(ev: SimEvent): void;
  /** A queued event's time and sequence changed (a reusable event scheduled again): reorder it. */
  update(ev: SimEvent): void;
  /** Number of queued events. */
  readonly size: number;
}

/**
 * Binary min-heap of events: insert, remove and removeNext O(log n). The keys
 * (time, sequence) sit in typed arrays beside the events, so sifting compares
 * numbers in place instead of reading two fields of each event it passes.
 */
export class HeapScheduler implements Scheduler {
  #events: Array<SimEvent | undefined> = [];
  #at = new Float64Array(64);
  #seq = new Float64Array(64);
  #n = 0;

  get size(): number {
    return this.#n;
  }

  insert(ev: SimEvent): void {
    if (this.#n === this.#at.length) this.#grow();
    this.#up(ev, ev.at, ev.seq, this.#n++);
  }

  peek(): SimEvent | undefined {
    return this.#n > 0 ? this.#events[0] : undefined;
  }

  removeNext(): SimEvent | undefined {
    if (this.#n === 0) return undefined;
    const top = this.#events[0]!;
    this.#take(0);
    return top;
  }

  remove(ev: SimEvent): void {
    const i = ev.index;
    if (i < 0 || i >= this.#n || this.#events[i] !== ev) return;
    this.#take(i);
  }

  update(ev: SimEvent): void {
    const i = ev.index;
    if (i < 0 || i >= this.#n || this.#events[i] !== ev) return;
    this.#place(ev, ev.at, ev.seq, i);
  }

  /** Take the event at `i` out: the last event fills the hole. */
  #take(i: number): void {
    this.#events[i]!.index = -1;
    const last = --this.#n;
    const ev = this.#events[last]!;
    const at = this.#at[last]!, seq = this.#seq[last]!;
    this.#events[last] = undefined;
    if (i < last) this.#place(ev, at, seq, i);
  }

  /** Put `ev` (keys `at`, `seq`) at the hole `i`, above it or below it, wherever it belongs. */
  #place(ev: SimEvent, at: number, seq: number, i: number): void {
    const p = (i - 1) >> 1;
    if (i > 0 && (at < this.#at[p]! || (at === this.#at[p]! && seq < this.#seq[p]!))) {
      this.#up(ev, at, seq, i);
    } else {
      this.#down(ev, at, seq, i);
    }
  }

  /** Place `ev` at the hole `i` or above it. */
  #up(ev: SimEvent, at: number, seq: number, i: number): void {
    const events = this.#events, ats = this.#at, seqs = this.#seq;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pAt = ats[p]!;
      if (pAt < at || (pAt === at && seqs[p]! < seq)) break;
      const pe = events[p]!;
      events[i] = pe;
      ats[i] = pAt;
      seqs[i] = seqs[p]!;
      pe.index = i;
      i = p;
    }
    events[i] = ev;
    ats[i] = at;
    seqs[i] = seq;
    ev.index = i;
  }

  /** Place `ev` at the hole `i` or below it. */
  #down(ev: SimEvent, at: number, seq: number, i: number): void {
    const events = this.#events, ats = this.#at, seqs = this.#seq;
    const n = this.#n;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let cAt = ats[c]!, cSeq = seqs[c]!;
      const r = c + 1;
      if (r < n) {
        const rAt = ats[r]!;
        if (rAt < cAt || (rAt === cAt && seqs[r]! < cSeq)) {
          c = r;
          cAt = rAt;
          cSeq = seqs[r]!;
        }
      }
      if (at < cAt || (at === cAt && seq < cSeq)) break;
      const ce = events[c]!;
      events[i] = ce;
      ats[i] = cAt;
      seqs[i] = cSeq;
      ce.index = i;
      i = c;
    }
    events[i] = ev;
    ats[i] = at;
    seqs[i] = seq;
    ev.index = i;
  }

  #grow(): void {
    const at = new Float64Array(this.#at.length * 2);
    const seq = new Float64Array(this.#seq.length * 2);
    at.set(this.#at);
    seq.set(this.#seq);
    this.#at = at;
    this.#seq = seq;
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

  remove(ev: SimEvent): void {
    const i = this.#items.indexOf(ev, this.#head);
    if (i >= 0) this.#items.splice(i, 1);
  }

  update(ev: SimEvent): void {
    this.remove(ev);
    this.insert(ev);
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
