/**
 * A network namespace's device layer: its interfaces (with loopback `lo` made
 * at creation, as Linux does), their indexes, the sysctl store, and frame
 * dispatch by EtherType to the protocols registered above (IPv4, ARP), after
 * the destination-MAC check a NIC and `eth_type_trans` make. Packet sockets
 * (AF_PACKET) see a frame before its protocol and may take it.
 *
 * @module
 */
import type { Packet } from "../wire/packet.ts";
import { BROADCAST_MAC, EtherType } from "../wire/packet.ts";
import { isGroupMac } from "../wire/addr.ts";
import { DropReason } from "../sim/trace.ts";
import type { Simulator } from "../sim/simulator.ts";
import {
  type FrameHandler,
  Interface,
  type InterfaceKind,
  type InterfaceOwner,
} from "./interface.ts";
import { InstantMedium } from "./link.ts";
import { Sysctl } from "./sysctl.ts";

/** How a frame was addressed to this host (Linux's skb->pkt_type). */
export type PacketType = "host" | "broadcast" | "multicast";

/** A protocol above the device layer, registered for one EtherType. */
export type ProtocolReceive = (iface: Interface, p: Packet, type: PacketType) => void;

/**
 * A packet socket (AF_PACKET, as DHCP clients and relays open one): sees each
 * frame addressed to this host after the destination-MAC check, before its
 * protocol. Returning true takes the frame (the handler records its delivery);
 * false lets it go on to the protocol, as a socket that only reads a copy.
 */
export type PacketSocketHandler = (iface: Interface, p: Packet, type: PacketType) => boolean;

/** Shared services a namespace gets from its network. */
export interface NamespaceEnv {
  readonly sim: Simulator;
  /** A fresh trace point id. */
  newPointId(): number;
  /** A fresh MAC address. */
  newMac(): number;
}

/** The device layer of one network namespace. */
export class Namespace implements InterfaceOwner, FrameHandler {
  /** Namespace name ("" for a node's root namespace). */
  readonly name: string;
  /** The node's name. */
  readonly nodeName: string;
  readonly sim: Simulator;
  /** Interfaces by name, in creation order. */
  readonly interfaces: Map<string, Interface> = new Map();
  /** The loopback interface. */
  readonly lo: Interface;
  /** Kernel parameters. */
  readonly sysctl: Sysctl = new Sysctl();
  /** Protocol receive functions by EtherType. */
  readonly protocols: Map<number, ProtocolReceive> = new Map();
  /** Packet sockets, in the order they were opened (see {@link PacketSocketHandler}). */
  readonly packetSockets: PacketSocketHandler[] = [];
  /** Called after an interface is added, removed or changes state. */
  readonly listeners: Array<(iface: Interface, what: "add" | "del" | "state") => void> = [];
  readonly env: NamespaceEnv;
  #nextIfindex = 1;

  /** A namespace with only `lo` (down, as Linux creates it). */
  constructor(env: NamespaceEnv, nodeName: string, name: string) {
    this.env = env;
    this.sim = env.sim;
    this.nodeName = nodeName;
    this.name = name;
    this.lo = this.addInterface({ name: "lo", kind: "loopback", mac: 0, mtu: 65536 });
    const lo = this.lo;
    lo.medium = new InstantMedium(this.sim, () => lo);
  }

  /** A fresh trace point id. */
  newPointId(): number {
    return this.env.newPointId();
  }

  /** Create an interface here; its received frames come to this namespace. */
  addInterface(
    o: { name: string; kind: InterfaceKind; mac?: number; mtu?: number },
  ): Interface {
    if (this.interfaces.has(o.name)) throw new Error(`interface ${o.name} exists`);
    const iface = new Interface(this, {
      name: o.name,
      ifindex: this.#newIfindex(),
      kind: o.kind,
      mac: o.mac ?? this.env.newMac(),
      mtu: o.mtu ?? 1500,
    });
    this.adopt(iface);
    return iface;
  }

  /**
   * Take an interface created elsewhere (or moved from another namespace). A
   * moved interface keeps its index unless this namespace already uses it, as
   * Linux's dev_change_net_namespace does.
   */
  adopt(iface: Interface): void {
    if (iface.owner !== this) {
      iface.moveTo(this, this.byIndex(iface.ifindex) ? this.#newIfindex() : iface.ifindex);
    }
    iface.handler = this;
    iface.onStateChange = (i) => this.#notify(i, "state");
    this.interfaces.set(iface.name, iface);
    this.sysctl.addInterface(iface.name);
    this.#notify(iface, "add");
  }

  /** The next free index after the last one handed out (Linux's dev_index_reserve). */
  #newIfindex(): number {
    let i = this.#nextIfindex;
    while (this.byIndex(i)) i++;
    this.#nextIfindex = i + 1;
    return i;
  }

  /** Remove an interface (deleting it, or before moving it away). */
  release(iface: Interface): void {
    this.interfaces.delete(iface.name);
    this.sysctl.removeInterface(iface.name);
    this.#notify(iface, "del");
  }

  /** Rename an interface (`ip link set dev A name B`). */
  rename(iface: Interface, name: string): void {
    this.interfaces.delete(iface.name);
    this.sysctl.removeInterface(iface.name);
    iface.name = name;
    this.interfaces.set(name, iface);
    this.sysctl.addInterface(name);
  }

  #notify(iface: Interface, what: "add" | "del" | "state"): void {
    for (const l of this.listeners) l(iface, what);
  }

  /** Interface by name. */
  get(name: string): Interface | undefined {
    return this.interfaces.get(name);
  }

  /** Interface by index. */
  byIndex(ifindex: number): Interface | undefined {
    for (const i of this.interfaces.values()) if (i.ifindex === ifindex) return i;
    return undefined;
  }

  /** A frame arrived: check the destination MAC, then hand it to its protocol. */
  onFrame(iface: Interface, p: Packet): void {
    const dst = p.eth.dst;
    let type: PacketType;
    if (dst === iface.mac || iface.kind === "loopback") type = "host";
    else if (dst === BROADCAST_MAC) type = "broadcast";
    else if (isGroupMac(dst)) type = "multicast";
    else {
      iface.counters.rxDropped++;
      this.sim.trace.drop(iface, p, DropReason.otherHost);
      return;
    }
    if (p.eth.vlan !== undefined) {
      iface.counters.rxDropped++;
      this.sim.trace.drop(iface, p, DropReason.vlanFilter, `no vlan ${p.eth.vlan.vid} device`);
      return;
    }
    if (this.packetSockets.length > 0) {
      for (const h of this.packetSockets) if (h(iface, p, type)) return;
    }
    const proto = this.protocols.get(p.eth.type);
    if (proto === undefined) {
      this.sim.trace.consume(iface, p, `unhandled ethertype 0x${p.eth.type.toString(16)}`);
      return;
    }
    proto(iface, p, type);
  }
}

export { EtherType };
