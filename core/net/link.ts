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
import type { ReusableEvent, Simulator } from "../sim/simulator.ts";
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

/**
 * One direction of a link: its rate, delay, loss model and the frames on the
 * wire. Frames arrive in the order they were sent (the delay is the same for
 * all), so the frames on the wire are a FIFO and only the earliest has an event
 * in the simulator's queue: the others wait here with the time and the
 * sequence number their arrival event would have had, and the next one is
 * scheduled when the earliest arrives. Events run in the same order as with one
 * event per frame, for a queue of a handful of entries instead of one per
 * frame in flight. A frame that would overtake the one before it (the delay
 * was lowered while frames were in flight) gets an event of its own.
 */
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
  // The FIFO of frames on the wire: a ring of packets, lengths, arrival times and sequence numbers.
  #frames: Array<Packet | undefined> = new Array(16).fill(undefined);
  #bytes = new Float64Array(16);
  #at = new Float64Array(16);
  #seq = new Float64Array(16);
  #head = 0;
  #count = 0;
  readonly #sim: Simulator;
  /** The arrival event of the frame at the head of the FIFO. */
  readonly #arrival: ReusableEvent;
  /** The "transmission done" event (at most one pending, see `notified`). */
  readonly done: ReusableEvent;
  constructor(
    sim: Simulator,
    readonly link: Link,
    readonly from: Interface,
    readonly to: Interface,
    rate: number,
    delay: number,
  ) {
    this.#sim = sim;
    this.rate = rate;
    this.delay = delay;
    this.#arrival = sim.reusable(() => this.#arriveHead());
    this.done = sim.reusable(() => {
      this.notified = false;
      this.from.transmitDone();
    });
  }

  /** Put a frame on the wire, arriving at `t` (ns, not before now). */
  send(p: Packet, bytes: number, t: number): void {
    this.inFlight++;
    const at = Math.ceil(t);
    const n = this.#count;
    const cap = this.#at.length;
    if (n > 0 && at < this.#at[(this.#head + n - 1) & (cap - 1)]!) {
      // Overtakes the frame before it: its own event.
      this.#sim.at(at, (q: Packet) => {
        this.inFlight--;
        this.link.arrive(this, q, bytes);
      }, p);
      return;
    }
    const seq = this.#sim.reserveSeq();
    if (n === cap) this.#grow();
    const i = (this.#head + n) & (this.#at.length - 1);
    this.#frames[i] = p;
    this.#bytes[i] = bytes;
    this.#at[i] = at;
    this.#seq[i] = seq;
    this.#count = n + 1;
    if (n === 0) this.#sim.scheduleReserved(this.#arrival, at, seq);
  }

  #arriveHead(): void {
    const i = this.#head;
    const p = this.#frames[i]!;
    const bytes = this.#bytes[i]!;
    this.#frames[i] = undefined;
    this.#head = (i + 1) & (this.#at.length - 1);
    this.#count--;
    this.inFlight--;
    if (this.#count > 0) {
      const h = this.#head;
      this.#sim.scheduleReserved(this.#arrival, this.#at[h]!, this.#seq[h]!);
    }
    this.link.arrive(this, p, bytes);
  }

  #grow(): void {
    const cap = this.#at.length;
    const frames: Array<Packet | undefined> = new Array(cap * 2).fill(undefined);
    const bytes = new Float64Array(cap * 2);
    const at = new Float64Array(cap * 2);
    const seq = new Float64Array(cap * 2);
    for (let k = 0; k < cap; k++) {
      const j = (this.#head + k) & (cap - 1);
      frames[k] = this.#frames[j];
      bytes[k] = this.#bytes[j]!;
      at[k] = this.#at[j]!;
      seq[k] = this.#seq[j]!;
    }
    this.#frames = frames;
    this.#bytes = bytes;
    this.#at = at;
    this.#seq = seq;
    this.#head = 0;
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
    this.#ab = new Direction(sim, this, a, b, rate, delay);
    this.#ba = new Direction(sim, this, b, a, rate, delay);
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
   * arrives a propagation delay after its last bit. One event per frame (only
   * the earliest of a direction in the event queue, see `Direction`); the
   * "transmission done" event is scheduled only when frames wait (`notify`).
   */
  start(from: Interface, p: Packet, bytes: number): boolean {
    const d = this.#dir(from);
    const txTime = d.rate > 0 ? Math.ceil((bytes * 8 * 1e9) / d.rate) : 0;
    d.busyUntil = this.#sim.now + txTime;
    d.send(p, bytes, d.busyUntil + d.delay);
    return true;
  }

  notify(from: Interface): void {
    const d = this.#dir(from);
    if (d.notified) return;
    d.notified = true;
    this.#sim.schedule(d.done, Math.max(this.#sim.now, d.busyUntil));
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

/** What a veth's peer takes beyond its MTU: the Ethernet header and one VLAN tag. */
const VETH_MTU_SLACK = 14 + 4;

/**
 * The medium of a veth pair or loopback: no serialization, delivery in a later
 * event at the same virtual time (as Linux defers to the backlog softirq).
 * A veth refuses a frame longer than its peer's MTU allows (Linux's
 * is_skb_forwardable: MTU + Ethernet header + one VLAN tag): the sender counts
 * a transmit drop and the peer a receive drop, though the sender's tcpdump saw
 * the frame leave. Simplified: a local sender is not told (Linux's sendmsg
 * gets ENOBUFS, "ping: sendmsg: No buffer space available").
 */
export class InstantMedium implements Medium {
  #sim: Simulator;
  #inFlight = 0;
  #deliver: (p: Packet) => void;
  #to: () => Interface | undefined;

  /** Frames sent on `from` arrive on `to` (its peer, or itself for loopback). */
  constructor(sim: Simulator, to: () => Interface | undefined) {
    this.#sim = sim;
    this.#to = to;
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

  start(_from: Interface, p: Packet, bytes: number): boolean {
    const dst = this.#to();
    if (dst !== undefined && dst.kind === "veth" && bytes > dst.mtu + VETH_MTU_SLACK) {
      dst.counters.rxDropped++;
      this.#sim.trace.drop(dst, p, DropReason.frameTooBig, `mtu ${dst.mtu}`);
      return false;
    }
    this.#inFlight++;
    this.#sim.after(0, this.#deliver, p);
    return true;
  }

  notify(from: Interface): void {
    this.#sim.after(0, () => from.transmitDone());
  }
}
