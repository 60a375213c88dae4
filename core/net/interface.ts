/**
 * Network interfaces (net devices): loopback, Ethernet ports attached to a
 * link, and veth pairs. An interface has a MAC, an MTU, admin and carrier state,
 * a transmit queue (FIFO of `txqueuelen` packets, Linux's default 1000) and
 * counters. Received frames go to the interface's `handler` — the namespace's
 * stack, or a bridge/switch that enslaved it (Linux's rx_handler).
 *
 * Simplified: no offloads, no multi-queue; the transmit queue is a plain FIFO
 * (pfifo_fast's bands are the qdisc layer's business, later).
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import type { TracePoint } from "../sim/trace.ts";
import { DropReason } from "../sim/trace.ts";
import type { Simulator } from "../sim/simulator.ts";
import { frameLength } from "../wire/frame.ts";
import { Fifo } from "./fifo.ts";

/** Receives frames from an interface. */
export interface FrameHandler {
  /** A frame arrived on `iface`. The handler now owns the packet (must end or forward it). */
  onFrame(iface: Interface, p: Packet): void;
}

/** Where an interface's transmitted frames go. */
export interface Medium {
  /** Whether the medium can take a frame now (false while serializing the previous one). */
  ready(from: Interface): boolean;
  /**
   * Put a frame of `bytes` on the medium (only when `ready`). False: the medium
   * refused it after the sender's taps saw it (a veth whose peer's MTU is too
   * small) and ended it with a reason; the sender counts a transmit drop.
   */
  start(from: Interface, p: Packet, bytes: number): boolean | void;
  /** Call `from.transmitDone()` once the medium is ready again (frames are waiting). */
  notify(from: Interface): void;
}

/** The kind of a device, as `ip -d link` would name it. */
export type InterfaceKind = "loopback" | "ether" | "veth" | "bridge" | "switchport";

/** Per-interface counters, as `ip -s link` shows them. */
export interface InterfaceCounters {
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  txPackets: number;
  txBytes: number;
  txDropped: number;
}

/** Whatever owns interfaces: a namespace or an L2 device. */
export interface InterfaceOwner {
  /** The name of the node this lives on. */
  readonly nodeName: string;
  /** The simulator. */
  readonly sim: Simulator;
  /** A fresh trace point id. */
  newPointId(): number;
}

/** One network interface. */
export class Interface implements TracePoint {
  /** Interface name ("eth0"). */
  name: string;
  /** Interface index, unique within its namespace. */
  ifindex: number;
  readonly kind: InterfaceKind;
  /** MAC address (48-bit number); 0 for loopback. */
  mac: number;
  /** MTU in bytes (IP packet size limit). */
  mtu: number;
  /** Administrative state (`ip link set up`). */
  adminUp = false;
  /** Whether it was ever up (a qdisc is attached the first time it comes up). */
  everUp = false;
  /** Transmit queue length limit in packets. */
  txqueuelen = 1000;
  /** Who handles received frames. */
  handler: FrameHandler | undefined;
  /** Where transmitted frames go (link, veth peer, loopback). */
  medium: Medium | undefined;
  /** The peer of a veth. */
  peer: Interface | undefined;
  /** The enslaving device's name, for `ip link` output (`master br0`). */
  master: string | undefined;
  /** Link name for traces ("a-b"), or "". */
  link = "";
  /** Counters. */
  readonly counters: InterfaceCounters = {
    rxPackets: 0,
    rxBytes: 0,
    rxDropped: 0,
    txPackets: 0,
    txBytes: 0,
    txDropped: 0,
  };
  /** Trace identity. */
  readonly pointId: number;
  /** Whether the medium reports a carrier (cable in, peer up). */
  #carrier = true;
  #owner: InterfaceOwner;
  #queue = new Fifo<Packet>();
  /** The frame length of each queued packet, taken when it was queued (the packet is in cache then). */
  #queueBytes = new Fifo<number>();
  /** Called whenever carrier or admin state changes. */
  onStateChange: ((iface: Interface) => void) | undefined;

  /** A new, administratively down interface. */
  constructor(
    owner: InterfaceOwner,
    options: { name: string; ifindex: number; kind: InterfaceKind; mac: number; mtu: number },
  ) {
    this.#owner = owner;
    this.name = options.name;
    this.ifindex = options.ifindex;
    this.kind = options.kind;
    this.mac = options.mac;
    this.mtu = options.mtu;
    this.pointId = owner.newPointId();
  }

  /** The node this interface lives on (trace point). */
  get node(): string {
    return this.#owner.nodeName;
  }

  /** Interface name (trace point). */
  get iface(): string {
    return this.name;
  }

  /** The owner (namespace or L2 device). */
  get owner(): InterfaceOwner {
    return this.#owner;
  }

  /** Move to another owner (`ip link set dev X netns Y`). */
  moveTo(owner: InterfaceOwner, ifindex: number): void {
    this.#owner = owner;
    this.ifindex = ifindex;
  }

  /** Carrier as the medium reports it. */
  get carrier(): boolean {
    return this.#carrier;
  }

  /** Set carrier (the medium calls this). */
  setCarrier(on: boolean): void {
    if (this.#carrier === on) return;
    this.#carrier = on;
    // Linux deactivates the qdisc on carrier loss: what waits in it is dropped.
    if (!on) this.#flushQueue(DropReason.linkDown);
    this.onStateChange?.(this);
  }

  /** Operational state: up when admin up and carrier present (LOWER_UP). */
  get operUp(): boolean {
    return this.adminUp && this.#carrier;
  }

  /** Set the administrative state. */
  setAdmin(up: boolean): void {
    if (this.adminUp === up) return;
    this.adminUp = up;
    if (up) this.everUp = true;
    if (!up) this.#flushQueue(DropReason.interfaceDown);
    this.peer?.setCarrier(up);
    this.onStateChange?.(this);
  }

  /** Packets waiting in the transmit queue. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Queue a frame for transmission; drops with a reason when down or full. */
  transmit(p: Packet): void {
    const trace = this.#owner.sim.trace;
    if (!this.adminUp) {
      this.counters.txDropped++;
      trace.drop(this, p, DropReason.interfaceDown);
      return;
    }
    if (!this.#carrier) {
      // NO-CARRIER: Linux's noop qdisc discards; nothing reaches the wire.
      this.counters.txDropped++;
      trace.drop(this, p, DropReason.linkDown, "no carrier");
      return;
    }
    const medium = this.medium;
    if (medium === undefined) {
      this.counters.txDropped++;
      trace.drop(this, p, DropReason.linkDown, "not connected");
      return;
    }
    const empty = this.#queue.size === 0;
    if (empty && medium.ready(this)) {
      this.#send(p, frameLength(p));
      return;
    }
    if (this.queued >= this.txqueuelen) {
      this.counters.txDropped++;
      trace.drop(this, p, DropReason.queueFull, `txqueuelen ${this.txqueuelen}`);
      return;
    }
    this.#queue.push(p);
    this.#queueBytes.push(frameLength(p));
    // The first frame to wait asks the medium to call back when it is free.
    if (empty) medium.notify(this);
  }

  #send(p: Packet, bytes: number): void {
    const medium = this.medium!;
    this.#owner.sim.trace.tx(this, p);
    if (medium.start(this, p, bytes) === false) {
      this.counters.txDropped++;
      return;
    }
    this.counters.txPackets++;
    this.counters.txBytes += this.#counted(bytes);
  }

  /** The medium is free again: start the next waiting frame (and ask again if more wait). */
  transmitDone(): void {
    const medium = this.medium;
    if (this.#queue.size === 0 || !this.adminUp || medium === undefined) return;
    if (!medium.ready(this)) {
      medium.notify(this);
      return;
    }
    this.#send(this.#queue.shift()!, this.#queueBytes.shift()!);
    if (this.#queue.size > 0) medium.notify(this);
  }

  #flushQueue(reason: DropReason): void {
    const trace = this.#owner.sim.trace;
    const q = this.#queue;
    for (let i = 0; i < q.size; i++) {
      this.counters.txDropped++;
      trace.drop(this, q.at(i), reason);
    }
    q.clear();
    this.#queueBytes.clear();
  }

  /** Bytes a counter adds for a frame: loopback counts without the Ethernet header, as Linux's. */
  #counted(frameBytes: number): number {
    return frameBytes - (this.kind === "loopback" ? 14 : 0);
  }

  /** A frame of `bytes` (its frame length, when the medium knows it) arrived from the medium. */
  receive(p: Packet, bytes: number = frameLength(p)): void {
    const trace = this.#owner.sim.trace;
    if (!this.adminUp) {
      this.counters.rxDropped++;
      trace.drop(this, p, DropReason.interfaceDown);
      return;
    }
    this.counters.rxPackets++;
    this.counters.rxBytes += this.#counted(bytes);
    trace.rx(this, p);
    const h = this.handler;
    if (h === undefined) {
      this.counters.rxDropped++;
      trace.drop(this, p, DropReason.otherHost, "no handler");
      return;
    }
    h.onFrame(this, p);
  }
}
