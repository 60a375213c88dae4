/**
 * A learning switch (IEEE 802.1D transparent bridging without STP): it learns
 * each frame's source MAC on its arrival port, forwards a frame for a known
 * unicast MAC out of that one port (or filters it when that is the arrival
 * port), and floods broadcast, multicast and unknown unicast out of every other
 * port. Entries age out after `ageingTime` (300 s by default, as 802.1D and
 * Linux bridges) and move when a MAC shows up on another port. A port without
 * link is never flooded to, and what was learned on it is forgotten.
 *
 * Simplified: no VLANs and no spanning tree here (later layers add them); the
 * table has no size limit.
 *
 * @module
 */
import type { Mac, Packet } from "../wire/packet.ts";
import { formatMac, isGroupMac } from "../wire/addr.ts";
import { clonePacket } from "../wire/frame.ts";
import type { Interface } from "../net/interface.ts";
import { L2Device, type L2Env } from "./device.ts";

/** One learned MAC. */
export interface FdbEntry {
  mac: Mac;
  port: Interface;
  /** Last time the MAC was seen as a source, ns. */
  updated: number;
}

/** Per-switch counters. */
export interface SwitchStats {
  forwarded: number;
  flooded: number;
  filtered: number;
  learned: number;
  moved: number;
  aged: number;
}

/** A learning switch. */
export class Switch extends L2Device {
  /** MAC ageing time, ns (300 s). */
  ageingTime = 300e9;
  /** Forwarding counters. */
  readonly stats: SwitchStats = {
    forwarded: 0,
    flooded: 0,
    filtered: 0,
    learned: 0,
    moved: 0,
    aged: 0,
  };
  #fdb = new Map<Mac, FdbEntry>();

  /** A switch with no ports. */
  constructor(env: L2Env, name: string) {
    super(env, name);
  }

  /** The forwarding table, aged entries removed, sorted by port then MAC. */
  fdb(): FdbEntry[] {
    const now = this.sim.now;
    for (const [mac, e] of this.#fdb) {
      if (now - e.updated >= this.ageingTime) {
        this.#fdb.delete(mac);
        this.stats.aged++;
      }
    }
    return [...this.#fdb.values()].sort((a, b) =>
      this.ports.indexOf(a.port) - this.ports.indexOf(b.port) || a.mac - b.mac
    );
  }

  /** The port a MAC is learned on, if any (and not aged out). */
  lookup(mac: Mac): Interface | undefined {
    const e = this.#fdb.get(mac);
    if (!e) return undefined;
    if (this.sim.now - e.updated >= this.ageingTime) {
      this.#fdb.delete(mac);
      this.stats.aged++;
      return undefined;
    }
    return e.port;
  }

  /** Forget everything learned on a port (link down) or all ports. */
  flush(port?: Interface): void {
    for (const [mac, e] of this.#fdb) if (!port || e.port === port) this.#fdb.delete(mac);
  }

  /** A port without link is disabled: what was learned on it goes (802.1D, Linux br_fdb_delete_by_port). */
  protected override portStateChanged(port: Interface): void {
    if (!port.operUp) this.flush(port);
  }

  /** `brctl showmacs`-style text: port no, MAC, is local?, ageing timer. */
  showMacs(): string {
    const lines = ["port no\tmac addr\t\tis local?\tageing timer"];
    const now = this.sim.now;
    for (const e of this.fdb()) {
      const age = ((now - e.updated) / 1e9).toFixed(2).padStart(6);
      lines.push(
        `${String(this.ports.indexOf(e.port) + 1).padStart(3)}\t${formatMac(e.mac)}\tno\t\t${age}`,
      );
    }
    return lines.join("\n");
  }

  /** A frame arrived on a port: learn its source, then forward or flood it. */
  onFrame(inPort: Interface, p: Packet): void {
    this.learnAndForward(inPort, p, this.ports);
  }

  /**
   * Learn the source, then forward to the learned port or flood over `ports`
   * (this switch's own, or another device's when it borrows this behaviour,
   * as an OpenFlow `normal` action does).
   */
  learnAndForward(inPort: Interface, p: Packet, ports: readonly Interface[]): void {
    const src = p.eth.src;
    if (!isGroupMac(src)) {
      const e = this.#fdb.get(src);
      if (e === undefined) {
        this.#fdb.set(src, { mac: src, port: inPort, updated: this.sim.now });
        this.stats.learned++;
      } else {
        if (e.port !== inPort) {
          e.port = inPort;
          this.stats.moved++;
        }
        e.updated = this.sim.now;
      }
    }
    const dst = p.eth.dst;
    const out = isGroupMac(dst) ? undefined : this.lookup(dst);
    if (out !== undefined) {
      if (out === inPort) {
        this.stats.filtered++;
        this.sim.trace.consume(inPort, p, "switch: filtered (destination on arrival port)");
        return;
      }
      this.stats.forwarded++;
      out.transmit(p);
      return;
    }
    this.stats.flooded++;
    const flood = ports.filter((x) => x !== inPort && x.operUp);
    if (flood.length === 0) {
      this.sim.trace.consume(inPort, p, "switch: nowhere to flood");
      return;
    }
    for (let i = 0; i < flood.length - 1; i++) {
      const c = clonePacket(p);
      this.sim.trace.birth(c);
      flood[i]!.transmit(c);
    }
    flood[flood.length - 1]!.transmit(p);
  }
}
