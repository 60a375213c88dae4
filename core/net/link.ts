/**
 * Media: point-to-point links, veth pairs and the loopback wire.
 *
 * A `Link` joins two interfaces. Each direction has a rate (serialization delay =
 * bits / rate; 0 means infinitely fast), a propagation delay, and a loss model
 * (Bernoulli, or Gilbert–Elliott's two-state bursts) drawing from a named random
 * stream per direction. A frame occupies the sender while it is serialized; the
 * sender's transmit queue holds the rest. Frames in flight when the link goes
 * down are dropped on arrival.
 *
 * Simplified: full duplex, no collisions, no preamble or inter-frame gap, no
 * bit errors other than whole-frame loss.
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import { DropReason } from "../sim/trace.ts";
import type { Rng } from "../sim/rng.ts";
import type { Simulator } from "../sim/simulator.ts";
import type { Interface, Medium } from "./interface.ts";
import { type RateLike, rateOf, type TimeLike, timeOf } from "./units.ts";

/** Gilbert–Elliott loss: a good and a bad state with their own loss rates. */
export interface GilbertElliott {
  /** Probability of moving good → bad per frame. */
  p: number;
  /** Probability of moving bad → good per frame. */
  r: number;
  /** Loss probability in the good state (default 0). */
  lossGood?: number;
  /** Loss probability in the bad state (default 1). */
  lossBad?: number;
}

/** A loss model: a Bernoulli probability or Gilbert–Elliott parameters. */
export type LossModel = number | GilbertElliott;

/** Link parameters; each applies to both directions. */
export interface LinkOptions {
  /** Bits per second or tc text ("100mbit"); 0 or omitted = infinitely fast. */
  rate?: RateLike;
  /** Propagation delay, ns or text ("1ms"). */
  delay?: TimeLike;
  /** MTU given to both interfaces (default 1500). */
  mtu?: number;
  /** Frame loss model (default none). */
  loss?: LossModel;
}

class LossState {
  bad = false;
  constructor(readonly model: LossModel, readonly rng: Rng) {}
  /** Whether the next frame is lost. */
  lose(): boolean {
    const m = this.model;
    if (typeof m === "number") return m > 0 && this.rng.next() < m;
    // Transition first, then draw the loss of this frame in the new state.
    if (this.bad) {
      if (this.rng.next() < m.r) this.bad = false;
    } else if (this.rng.next() < m.p) this.bad = true;
    const pl = this.bad ? m.lossBad ?? 1 : m.lossGood ?? 0;
    return pl > 0 && this.rng.next() < pl;
  }
}

/** One direction of a link: its rate, delay, loss model and the frames on the wire. */
export class Direction {
  rate: number;
  delay: number;
  loss: LossState | undefined;
  /** When the frame being serialized ends, ns: the sender is busy until then. */
  busyUntil = 0;
  /** A transmitDone callback is scheduled. */
  notified = false;
  /** Frames on the wire (serialized or propagating) in this direction. */
  inFlight = 0;
  /** Lengths of the frames on the wire, in order (arrivals are FIFO per direction). */
  lengths: number[] = [];
  lengthsHead = 0;
  readonly doneFn: () => void;
  readonly arriveFn: (p: Packet) => void;
  constructor(
    readonly link: Link,
    readonly from: Interface,
    readonly to: Interface,
    rate: number,
    delay: number,
  ) {
    this.rate = rate;
    this.delay = delay;
    this.doneFn = () => {
      this.notified = false;
      this.from.transmitDone();
    };
    this.arriveFn = (p: Packet) => {
      this.inFlight--;
      const bytes = this.lengths[this.lengthsHead++]!;
      if (this.lengthsHead > 1024 && this.lengthsHead * 2 > this.lengths.length) {
        this.lengths = this.lengths.slice(this.lengthsHead);
        this.lengthsHead = 0;
      }
      this.link.arrive(this, p, bytes);
    };
  }
}

/**
 * A full-duplex point-to-point link between two interfaces.
 *
 * @example
 * ```ts ignore
 * const link = net.connect(a, b, { rate: "100mbit", delay: "1ms" });
 * link.setUp(false); // pull the cable
 * ```
 */
export class Link implements Medium {
  /** Link name, "a-b" by default. */
  readonly name: string;
  /** The first end. */
  readonly a: Interface;
  /** The second end. */
  readonly b: Interface;
  #ab: Direction;
  #ba: Direction;
  #up = true;
  #sim: Simulator;

  /** Join `a` and `b`; their medium becomes this link. */
  constructor(sim: Simulator, a: Interface, b: Interface, name: string, options: LinkOptions = {}) {
    this.#sim = sim;
    this.name = name;
    this.a = a;
    this.b = b;
    const rate = rateOf(options.rate ?? 0);
    const delay = timeOf(options.delay ?? 0);
    this.#ab = new Direction(this, a, b, rate, delay);
    this.#ba = new Direction(this, b, a, rate, delay);
    if (options.loss !== undefined) this.setLoss(options.loss);
    for (const i of [a, b]) {
      i.medium = this;
      i.link = name;
      if (options.mtu !== undefined) i.mtu = options.mtu;
    }
    // The carrier of each end follows the other end's admin state.
    a.setCarrier(b.adminUp);
    b.setCarrier(a.adminUp);
    a.peer = b;
    b.peer = a;
  }

  #dir(from: Interface): Direction {
    return from === this.a ? this.#ab : this.#ba;
  }

  /** Whether the link is up (cable plugged). */
  get up(): boolean {
    return this.#up;
  }

  /** Plug or pull the cable: carrier follows on both ends. */
  setUp(up: boolean): void {
    this.#up = up;
    this.a.setCarrier(up && this.b.adminUp);
    this.b.setCarrier(up && this.a.adminUp);
  }

  /** Set the loss model of both directions (or one, given its sending interface). */
  setLoss(model: LossModel, from?: Interface): void {
    for (const d of from ? [this.#dir(from)] : [this.#ab, this.#ba]) {
      d.loss = new LossState(model, this.#sim.rng(`link ${this.name} ${d.from.name} loss`));
    }
  }

  /** Set rate (bits/s) and/or delay (ns) of both directions. */
  configure(options: { rate?: RateLike; delay?: TimeLike }): void {
    for (const d of [this.#ab, this.#ba]) {
      if (options.rate !== undefined) d.rate = rateOf(options.rate);
      if (options.delay !== undefined) d.delay = timeOf(options.delay);
    }
  }

  /** Frames currently on the wire in both directions (for conservation checks). */
  get inFlight(): number {
    return this.#ab.inFlight + this.#ba.inFlight;
  }

  ready(from: Interface): boolean {
    return this.#sim.now >= this.#dir(from).busyUntil;
  }

  /**
   * Serialize a frame: the sender is busy for bits / rate, and the frame
   * arrives a propagation delay after its last bit. One event per frame; the
   * "transmission done" event is scheduled only when frames wait (`notify`).
   */
  start(from: Interface, p: Packet, bytes: number): void {
    const d = this.#dir(from);
    const txTime = d.rate > 0 ? Math.ceil((bytes * 8 * 1e9) / d.rate) : 0;
    d.inFlight++;
    d.lengths.push(bytes);
    d.busyUntil = this.#sim.now + txTime;
    this.#sim.at(d.busyUntil + d.delay, d.arriveFn, p);
  }

  notify(from: Interface): void {
    const d = this.#dir(from);
    if (d.notified) return;
    d.notified = true;
    this.#sim.at(Math.max(this.#sim.now, d.busyUntil), d.doneFn);
  }

  /** A frame reached the far end of direction `d`. */
  arrive(d: Direction, p: Packet, bytes: number): void {
    if (!this.#up) {
      this.#sim.trace.drop(d.to, p, DropReason.linkDown);
      return;
    }
    if (d.loss !== undefined && d.loss.lose()) {
      this.#sim.trace.drop(d.to, p, DropReason.randomLoss, `link ${this.name}`);
      return;
    }
    d.to.receive(p, bytes);
  }
}

/**
 * The medium of a veth pair or loopback: no serialization, delivery in a later
 * event at the same virtual time (as Linux defers to the backlog softirq).
 */
export class InstantMedium implements Medium {
  #sim: Simulator;
  #inFlight = 0;
  #deliver: (p: Packet) => void;

  /** Frames sent on `from` arrive on `to` (its peer, or itself for loopback). */
  constructor(sim: Simulator, to: () => Interface | undefined) {
    this.#sim = sim;
    this.#deliver = (p: Packet) => {
      this.#inFlight--;
      const dst = to();
      if (dst === undefined) {
        sim.trace.drop({ node: "", iface: "", link: "", pointId: 0 }, p, DropReason.linkDown);
        return;
      }
      if (!dst.adminUp) {
        sim.trace.drop(dst, p, DropReason.interfaceDown);
        return;
      }
      dst.receive(p);
    };
  }

  /** Frames handed over and not yet received. */
  get inFlight(): number {
    return this.#inFlight;
  }

  ready(): boolean {
    return true;
  }

  start(_from: Interface, p: Packet): void {
    this.#inFlight++;
    this.#sim.after(0, this.#deliver, p);
  }

  notify(from: Interface): void {
    this.#sim.after(0, () => from.transmitDone());
  }
}
