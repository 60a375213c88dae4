/**
 * The discrete-event simulator: a virtual clock in integer nanoseconds, a
 * swappable scheduler, named seeded random streams and the trace.
 *
 * Nothing here reads the wall clock. Events at the same time run in the order
 * they were scheduled.
 *
 * @module
 */
import { Rng, streamSeed } from "./rng.ts";
import { HeapScheduler, type Scheduler, type SimEvent } from "./scheduler.ts";
import { Trace, type TraceMode } from "./trace.ts";

/** Options for a simulator. */
export interface SimulatorOptions {
  /** The seed every random stream derives from. Required: runs are reproducible. */
  seed: number;
  /** The event queue; a binary heap by default. */
  scheduler?: Scheduler;
  /** Trace mode: "full" (default) keeps events, "digest" only counters and digest. */
  trace?: TraceMode;
}

/** A cancellable scheduled callback. */
export interface Timer {
  /** Virtual time it fires at, ns. */
  readonly at: number;
  /** Stop it from firing; harmless after it fired. */
  cancel(): void;
  /** Whether it is still waiting to fire. */
  readonly pending: boolean;
}

/**
 * An event that can be scheduled again after it fired, without allocating: a
 * component that always has at most one such event pending (a link direction's
 * next arrival, a device's "transmission done") keeps one and re-arms it.
 */
export type ReusableEvent = Timer;

class TimerEvent implements SimEvent, Timer {
  fn: ((arg: any) => void) | undefined;
  /** The callback a reusable event gets back each time it is scheduled. */
  readonly callback: (arg: any) => void;
  /** In the scheduler: waiting, or running its callback (it leaves the queue afterwards). */
  inQueue = false;
  /**
   * Its callback is running and it was not scheduled again from there. A
   * reusable event scheduled again from its own callback just moves to its
   * new place in the queue: one reordering instead of a removal and an insertion.
   */
  firing = false;
  index = -1;
  constructor(
    public at: number,
    public seq: number,
    fn: (arg: any) => void,
    public arg: unknown,
    readonly scheduler: Scheduler,
  ) {
    this.fn = fn;
    this.callback = fn;
  }
  cancel(): void {
    this.fn = undefined;
    if (this.inQueue) {
      this.scheduler.remove(this);
      this.inQueue = false;
      this.firing = false;
    }
  }
  get pending(): boolean {
    return this.fn !== undefined;
  }
}

/** Time units in nanoseconds, for readable schedules: `sim.after(2 * ms, …)`. */
export const ns = 1, us = 1_000, ms = 1_000_000, s = 1_000_000_000;

/**
 * One simulation.
 *
 * @example
 * ```ts
 * import { Simulator, ms } from "./simulator.ts";
 * const sim = new Simulator({ seed: 7 });
 * let fired = 0;
 * sim.after(5 * ms, () => fired++);
 * sim.run();
 * console.assert(fired === 1 && sim.now === 5 * ms);
 * ```
 */
export class Simulator {
  /** The seed of all random streams. */
  readonly seed: number;
  /** The trace of everything that happens. */
  readonly trace: Trace;
  #scheduler: Scheduler;
  #now = 0;
  #seq = 0;
  #streams = new Map<string, Rng>();
  #executed = 0;

  /** A simulator with a mandatory seed. */
  constructor(options: SimulatorOptions) {
    if (!Number.isInteger(options.seed)) throw new TypeError("Simulator: seed must be an integer");
    this.seed = options.seed;
    this.#scheduler = options.scheduler ?? new HeapScheduler();
    this.trace = new Trace(() => this.#now, options.trace ?? "full");
  }

  /** Current virtual time, ns. */
  get now(): number {
    return this.#now;
  }

  /** Events executed so far. */
  get executed(): number {
    return this.#executed;
  }

  /** Events waiting (a cancelled one leaves the queue at once). */
  get pending(): number {
    return this.#scheduler.size;
  }

  /** Run `fn(arg)` at absolute time `t` (not before now). */
  at<T>(t: number, fn: (arg: T) => void, arg?: T): Timer {
    if (!(t >= this.#now)) throw new RangeError(`Simulator.at: time ${t} is in the past`);
    // Rounded up to whole nanoseconds: a callback never runs before the time it asked for.
    const ev = new TimerEvent(Math.ceil(t), this.#seq++, fn, arg, this.#scheduler);
    ev.inQueue = true;
    this.#scheduler.insert(ev);
    return ev;
  }

  /** A reusable event calling `fn(arg)`, not yet scheduled (see {@link Simulator.schedule}). */
  reusable<T>(fn: (arg: T) => void, arg?: T): ReusableEvent {
    const ev = new TimerEvent(0, 0, fn, arg, this.#scheduler);
    ev.fn = undefined;
    return ev;
  }

  /**
   * Schedule a reusable event at absolute time `t`, exactly as `at(t, …)`
   * would schedule a new one (same rounding, same place among equal times).
   * It must not be pending (its own callback may schedule it again).
   */
  schedule(ev: ReusableEvent, t: number): void {
    if (!(t >= this.#now)) throw new RangeError(`Simulator.schedule: time ${t} is in the past`);
    this.#insertAt(ev as TimerEvent, Math.ceil(t), this.#seq++);
  }

  /**
   * Take the insertion sequence number an event scheduled now would get, for a
   * component that keeps its own FIFO of future events and hands the
   * simulator only the earliest ({@link Simulator.scheduleReserved}): the
   * events then run in exactly the order `at()` calls made now would give.
   */
  reserveSeq(): number {
    return this.#seq++;
  }

  /**
   * Schedule a reusable event at whole-nanosecond time `t` (not before now)
   * with a sequence number taken earlier from {@link Simulator.reserveSeq}.
   */
  scheduleReserved(ev: ReusableEvent, t: number, seq: number): void {
    if (!(t >= this.#now)) throw new RangeError(`Simulator.schedule: time ${t} is in the past`);
    this.#insertAt(ev as TimerEvent, t, seq);
  }

  #insertAt(ev: TimerEvent, t: number, seq: number): void {
    if (ev.inQueue && !ev.firing) {
      throw new Error("Simulator.schedule: the event is already pending");
    }
    ev.at = t;
    ev.seq = seq;
    ev.fn = ev.callback;
    if (ev.firing) {
      // Scheduled again from its own callback: it is still in the queue, at its old place.
      ev.firing = false;
      this.#scheduler.update(ev);
      return;
    }
    ev.inQueue = true;
    this.#scheduler.insert(ev);
  }

  /** Run `fn(arg)` after `dt` nanoseconds. */
  after<T>(dt: number, fn: (arg: T) => void, arg?: T): Timer {
    return this.at(this.#now + dt, fn, arg);
  }

  /** The random stream named `name`: independent of every other name. */
  rng(name: string): Rng {
    let r = this.#streams.get(name);
    if (!r) {
      r = new Rng(streamSeed(this.seed, name));
      this.#streams.set(name, r);
    }
    return r;
  }

  /** Execute the next event; false when none is left at or before `limit`. */
  step(limit = Infinity): boolean {
    const sch = this.#scheduler;
    for (;;) {
      const head = sch.peek() as TimerEvent | undefined;
      if (head === undefined || head.at > limit) return false;
      const fn = head.fn;
      if (fn === undefined) {
        sch.removeNext();
        head.inQueue = false;
        continue;
      }
      // The event stays in the queue while its callback runs (see TimerEvent.firing).
      head.fn = undefined;
      head.firing = true;
      this.#now = head.at;
      this.#executed++;
      fn(head.arg);
      if (head.firing) {
        head.firing = false;
        head.inQueue = false;
        sch.remove(head);
      }
      return true;
    }
  }

  /** Run until no events remain, or until virtual time `until` (then now = until). */
  run(until = Infinity): void {
    while (this.step(until));
    if (until !== Infinity && until > this.#now) this.#now = until;
  }

  /** Run for `dt` nanoseconds of virtual time. */
  runFor(dt: number): void {
    this.run(this.#now + dt);
  }

  /** Run until `done()` is true or no events remain or `limit` is reached; returns done(). */
  runUntil(done: () => boolean, limit = Infinity): boolean {
    while (!done()) {
      if (!this.step(limit)) return done();
    }
    return true;
  }
}
