/**
 * A Linux bridge (`ip link add br0 type bridge`): a learning switch inside a
 * namespace whose own device, br0, is also a port towards the namespace's
 * stack. Interfaces join it with `ip link set DEV master br0`; from then on
 * their received frames go to the bridge (Linux's rx_handler) instead of the
 * stack. The bridge learns source MACs per port (ageing 300 s), forwards known
 * unicast out of one port, floods broadcast, multicast and unknown unicast to
 * the other ports (and passes a copy of group frames up through br0), and
 * hands frames for br0's own MAC to the stack. What the stack sends on br0 is
 * switched the same way. The bridge has carrier while at least one port has.
 *
 * Simplified: no STP, no VLAN filtering, no multicast snooping, no hairpin;
 * forwarding is immediate (Linux's br_dev_xmit is synchronous too).
 *
 * @module
 */
import type { Mac, Packet } from "../wire/packet.ts";
import { isGroupMac } from "../wire/addr.ts";
import { clonePacket, frameLength } from "../wire/frame.ts";
import { DropReason } from "../sim/trace.ts";
import type { FrameHandler, Interface, Medium } from "../net/interface.ts";
import type { Namespace } from "../net/namespace.ts";

/** One learned MAC (undefined port: the bridge's own address). */
interface Entry {
  port: Interface | undefined;
  updated: number;
}

/** A Linux bridge and its ports. */
export class LinuxBridge implements FrameHandler {
  /** The bridge device (br0) in its namespace. */
  readonly dev: Interface;
  /** Enslaved interfaces. */
  readonly ports: Interface[] = [];
  /** MAC ageing time, ns (Linux's default 300 s). */
  ageingTime = 300e9;
  #ns: Namespace;
  #fdb = new Map<Mac, Entry>();

  /** Create `name` in a namespace (down, no carrier until a port has it). */
  constructor(ns: Namespace, name: string) {
    this.#ns = ns;
    this.dev = ns.addInterface({ name, kind: "bridge" });
    const medium: Medium = {
      ready: () => true,
      start: (_from, p) => this.#fromStack(p),
      notify: (from) => from.transmitDone(),
    };
    this.dev.medium = medium;
    this.dev.setCarrier(false);
    // Ports going up or down change the bridge's carrier.
    ns.listeners.push((iface) => {
      if (this.ports.includes(iface)) this.updateCarrier();
    });
  }

  /** Enslave an interface (`ip link set DEV master br0`). */
  addPort(iface: Interface): void {
    if (this.ports.includes(iface)) return;
    this.ports.push(iface);
    iface.master = this.dev.name;
    iface.handler = this;
    this.updateCarrier();
  }

  /** Release an interface (`nomaster`, or the bridge is deleted). */
  removePort(iface: Interface): void {
    const i = this.ports.indexOf(iface);
    if (i < 0) return;
    this.ports.splice(i, 1);
    iface.master = undefined;
    iface.handler = this.#ns;
    for (const [mac, e] of this.#fdb) if (e.port === iface) this.#fdb.delete(mac);
    this.updateCarrier();
  }

  /** br0 has carrier while any port is operationally up. */
  updateCarrier(): void {
    this.dev.setCarrier(this.ports.some((p) => p.operUp));
  }

  /** Learned entries (port name, MAC), aged ones removed: `bridge fdb show`. */
  fdb(): Array<{ mac: Mac; port: string }> {
    const now = this.#ns.sim.now;
    const out: Array<{ mac: Mac; port: string }> = [];
    for (const [mac, e] of this.#fdb) {
      if (now - e.updated >= this.ageingTime) this.#fdb.delete(mac);
      else out.push({ mac, port: e.port?.name ?? this.dev.name });
    }
    return out;
  }

  #lookup(mac: Mac): Entry | undefined {
    const e = this.#fdb.get(mac);
    if (e && this.#ns.sim.now - e.updated >= this.ageingTime) {
      this.#fdb.delete(mac);
      return undefined;
    }
    return e;
  }

  /** A frame arrived on an enslaved port. */
  onFrame(port: Interface, p: Packet): void {
    const trace = this.#ns.sim.trace;
    if (!this.dev.adminUp) {
      trace.drop(port, p, DropReason.interfaceDown, `bridge ${this.dev.name} down`);
      return;
    }
    if (!isGroupMac(p.eth.src)) this.#fdb.set(p.eth.src, { port, updated: this.#ns.sim.now });
    const dst = p.eth.dst;
    if (dst === this.dev.mac) {
      this.#up(p);
      return;
    }
    if (isGroupMac(dst)) {
      this.#flood(port, clonePacketBorn(this, p));
      this.#up(p);
      return;
    }
    const e = this.#lookup(dst);
    if (e === undefined) {
      this.#flood(port, p);
      return;
    }
    if (e.port === port) {
      trace.consume(port, p, `bridge ${this.dev.name}: destination on arrival port`);
      return;
    }
    if (e.port === undefined) this.#up(p);
    else e.port.transmit(p);
  }

  /** The stack sent a frame on br0: switch it out of the ports. */
  #fromStack(p: Packet): void {
    this.#fdb.set(this.dev.mac, { port: undefined, updated: this.#ns.sim.now });
    const dst = p.eth.dst;
    const e = isGroupMac(dst) ? undefined : this.#lookup(dst);
    if (e?.port !== undefined) {
      e.port.transmit(p);
      return;
    }
    this.#flood(undefined, p);
  }

  /** Hand a frame to the stack through br0 (counted as br0's reception). */
  #up(p: Packet): void {
    this.dev.receive(p, frameLength(p));
  }

  #flood(except: Interface | undefined, p: Packet): void {
    const out = this.ports.filter((x) => x !== except && x.operUp);
    if (out.length === 0) {
      this.#ns.sim.trace.consume(this.dev, p, `bridge ${this.dev.name}: nowhere to flood`);
      return;
    }
    for (let i = 0; i < out.length - 1; i++) out[i]!.transmit(clonePacketBorn(this, p));
    out[out.length - 1]!.transmit(p);
  }

  /** The namespace the bridge lives in. */
  get namespace(): Namespace {
    return this.#ns;
  }
}

/** A copy of a frame that the trace accounts as a new packet. */
function clonePacketBorn(b: LinuxBridge, p: Packet): Packet {
  const c = clonePacket(p);
  b.namespace.sim.trace.birth(c);
  return c;
}
