/**
 * The neighbour table and ARP (RFC 826), with Linux's neighbour states:
 * INCOMPLETE (resolving, packets queued), REACHABLE (confirmed within
 * reachable_time, drawn in [base/2, 3·base/2)), STALE (usable, unconfirmed),
 * DELAY (used while stale; wait delay_first_probe_time for a confirmation),
 * PROBE (unicast requests), FAILED (no answer: queued packets dropped and an
 * ICMP host unreachable returned to their sender), PERMANENT (static).
 *
 * Requests for a local address (on any interface, arp_ignore=0) are answered,
 * and the requester is recorded as STALE; replies complete resolution; an
 * unsolicited reply or gratuitous ARP only updates an existing entry
 * (arp_accept=0), and only a unicast reply confirms reachability. Requests
 * about loopback or multicast targets are ignored. Proxy ARP answers for
 * addresses the host routes elsewhere when `proxy_arp` and forwarding are on
 * for the receiving interface, after a random wait below `proxy_delay` for a
 * broadcast request. Losing carrier forgets all but the permanent entries.
 *
 * Simplified: no garbage collection of old entries (they stay listed), and
 * upper layers never confirm reachability (Linux's TCP does), so long flows see
 * periodic unicast probes as a ping flow does on Linux. `unres_qlen` counts
 * packets (Linux accounts bytes, unres_qlen_bytes); reachable_time is drawn
 * once, not again every 300 s; no locktime (a second, different answer within
 * a second replaces the first).
 *
 * @module
 */
import {
  BROADCAST_MAC,
  EtherType,
  type Ip4,
  type Mac,
  newPacket,
  type Packet,
} from "../wire/packet.ts";
import { DropReason } from "../sim/trace.ts";
import { formatIp4 } from "../wire/addr.ts";
import type { Timer } from "../sim/simulator.ts";
import type { Rng } from "../sim/rng.ts";
import type { Interface } from "../net/interface.ts";
import type { Namespace, PacketType } from "../net/namespace.ts";

/** Linux neighbour states (`ip neigh` prints them in upper case). */
export type NeighState =
  | "INCOMPLETE"
  | "REACHABLE"
  | "STALE"
  | "DELAY"
  | "PROBE"
  | "FAILED"
  | "PERMANENT"
  | "NOARP";

/** One neighbour entry. */
export interface NeighEntry {
  ip: Ip4;
  iface: Interface;
  /** Link-layer address, 0 until resolved. */
  mac: Mac;
  state: NeighState;
  /** Last confirmation time, ns. */
  confirmed: number;
  /** Last state change, ns. */
  updated: number;
  /** Requests sent in the current INCOMPLETE/PROBE phase. */
  probes: number;
  /** Packets waiting for resolution. */
  queue: Packet[];
  /** Whether the entry is a router (`ip neigh` "router" flag). Unused for IPv4. */
  timer: Timer | undefined;
}

/** What the IP layer provides to the neighbour layer. */
export interface NeighHost {
  /** Whether `ip` is a local address of the namespace. */
  isLocal(ip: Ip4): boolean;
  /** The source address to put in a request sent on `iface` for `target` (Linux arp_solicit). */
  requestSource(iface: Interface, target: Ip4, queued: Packet | undefined): Ip4;
  /** Whether to answer for `target` by proxy ARP on `iface`. */
  proxyFor(iface: Interface, target: Ip4): boolean;
  /** Resolution failed for a queued packet: tell its sender (ICMP host unreachable). */
  linkFailure(p: Packet): void;
}

/** The neighbour table of one namespace. */
export class NeighTable {
  #ns: Namespace;
  #host: NeighHost;
  #entries = new Map<Interface, Map<Ip4, NeighEntry>>();
  /** The entry `output` used last (a burst goes to one next hop); cleared when an entry is removed. */
  #last: NeighEntry | undefined;
  #reachableTime: number;
  #proxyRng: Rng;
  /** ARP packets sent and received, for counters. */
  readonly stats = { requestsSent: 0, repliesSent: 0, requestsReceived: 0, repliesReceived: 0 };

  /** A table for a namespace; ARP frames are registered with the namespace. */
  constructor(ns: Namespace, host: NeighHost) {
    this.#ns = ns;
    this.#host = host;
    const base = ns.sysctl.num("net.ipv4.neigh.default.base_reachable_time_ms") * 1e6;
    // Linux picks reachable_time uniformly in [base/2, 3·base/2).
    this.#reachableTime = Math.floor(
      base / 2 + ns.sim.rng(`neigh ${ns.nodeName}/${ns.name} reachable`).next() * base,
    );
    this.#proxyRng = ns.sim.rng(`neigh ${ns.nodeName}/${ns.name} proxy delay`);
    ns.protocols.set(EtherType.ARP, (iface, p, type) => this.#receive(iface, p, type));
    // Linux (neigh_carrier_down, since 4.19): losing carrier evicts the device's
    // entries but the permanent ones — the cable may now lead to another network.
    ns.listeners.push((iface, what) => {
      if (what === "state" && iface.adminUp && !iface.carrier) this.#carrierDown(iface);
    });
  }

  #carrierDown(iface: Interface): void {
    const m = this.#entries.get(iface);
    if (!m) return;
    for (const e of [...m.values()]) {
      if (e.state === "PERMANENT") continue;
      e.timer?.cancel();
      for (const p of e.queue) this.#ns.sim.trace.drop(iface, p, DropReason.linkDown, "no carrier");
      e.queue = [];
      m.delete(e.ip);
      this.#last = undefined;
    }
  }

  /** Time an entry stays REACHABLE after a confirmation, ns. */
  get reachableTime(): number {
    return this.#reachableTime;
  }

  /** The entry for `ip` on `iface`, if any (state brought up to date). */
  get(iface: Interface, ip: Ip4): NeighEntry | undefined {
    const e = this.#entries.get(iface)?.get(ip);
    if (e) this.#age(e);
    return e;
  }

  /** All entries (state brought up to date), in creation order per interface. */
  list(): NeighEntry[] {
    const out: NeighEntry[] = [];
    for (const m of this.#entries.values()) {
      for (const e of m.values()) {
        this.#age(e);
        out.push(e);
      }
    }
    return out;
  }

  /** Packets queued waiting for resolution, for conservation checks. */
  get held(): number {
    let n = 0;
    for (const m of this.#entries.values()) for (const e of m.values()) n += e.queue.length;
    return n;
  }

  /** Add or replace a static entry (`ip neigh add/replace … lladdr … permanent`). */
  setPermanent(iface: Interface, ip: Ip4, mac: Mac): void {
    const e = this.#entry(iface, ip);
    e.timer?.cancel();
    e.timer = undefined;
    e.mac = mac;
    e.state = "PERMANENT";
    e.updated = this.#ns.sim.now;
    this.#flush(e);
  }

  /**
   * Set an entry from outside ARP (the SIOCSARP ioctl with ATF_COM, as DHCP
   * servers use to reach a client that has no address yet): Linux's
   * arp_req_set makes it STALE with this address, so it is used at once and
   * probed for reachability later. A permanent entry is left alone.
   */
  inject(iface: Interface, ip: Ip4, mac: Mac): void {
    const e = this.#entry(iface, ip);
    if (e.state === "PERMANENT") return;
    e.timer?.cancel();
    e.timer = undefined;
    e.mac = mac;
    this.#setState(e, "STALE");
    this.#flush(e);
  }

  /** Delete an entry; false if absent. */
  delete(iface: Interface, ip: Ip4): boolean {
    const m = this.#entries.get(iface);
    const e = m?.get(ip);
    if (!m || !e) return false;
    e.timer?.cancel();
    this.#failQueue(e);
    m.delete(ip);
    this.#last = undefined;
    return true;
  }

  /** Forget every entry of an interface (it went down or away). */
  flushInterface(iface: Interface): void {
    const m = this.#entries.get(iface);
    if (!m) return;
    for (const e of m.values()) {
      e.timer?.cancel();
      for (const p of e.queue) this.#ns.sim.trace.drop(iface, p, DropReason.interfaceDown);
      e.queue = [];
    }
    this.#entries.delete(iface);
    this.#last = undefined;
  }

  /** Send `p` (an IP packet with its Ethernet header to fill) to `nexthop` on `iface`. */
  output(iface: Interface, nexthop: Ip4, p: Packet): void {
    const last = this.#last;
    let e = last !== undefined && last.ip === nexthop && last.iface === iface
      ? last
      : this.#entries.get(iface)?.get(nexthop);
    if (
      e !== undefined && e.state === "REACHABLE" &&
      this.#ns.sim.now - e.confirmed < this.#reachableTime
    ) {
      this.#last = e;
      p.eth.src = iface.mac;
      p.eth.dst = e.mac;
      iface.transmit(p);
      return;
    }
    if (e === undefined) e = this.#entry(iface, nexthop);
    this.#last = e;
    this.#age(e);
    switch (e.state) {
      case "PERMANENT":
      case "NOARP":
      case "REACHABLE":
      case "PROBE":
        this.#send(e, p);
        return;
      case "DELAY":
        this.#send(e, p);
        return;
      case "STALE":
        // Linux: using a stale entry moves it to DELAY and arms the probe timer.
        this.#setState(e, "DELAY");
        this.#arm(e, this.#ns.sysctl.neigh(e.iface.name, "delay_first_probe_time") * 1e9);
        this.#send(e, p);
        return;
      case "FAILED":
      case "INCOMPLETE": {
        if (e.state === "FAILED") {
          this.#setState(e, "INCOMPLETE");
          e.probes = 0;
        }
        const limit = this.#ns.sysctl.neigh(iface.name, "unres_qlen");
        if (e.queue.length >= limit) {
          // Linux drops the oldest queued packet to make room.
          const old = e.queue.shift()!;
          this.#ns.sim.trace.drop(iface, old, DropReason.queueFull, "neighbour queue");
        }
        e.queue.push(p);
        if (e.timer === undefined) this.#solicit(e);
      }
    }
  }

  /**
   * Start resolving `ip` on `iface` with nothing queued (Linux's
   * neigh_event_send(n, NULL)); nothing happens if it is resolved or resolving.
   */
  resolve(iface: Interface, ip: Ip4): void {
    const e = this.#entry(iface, ip);
    if (e.state === "FAILED") {
      this.#setState(e, "INCOMPLETE");
      e.probes = 0;
    }
    if (e.state === "INCOMPLETE" && e.timer === undefined) this.#solicit(e);
  }

  #send(e: NeighEntry, p: Packet): void {
    p.eth.src = e.iface.mac;
    p.eth.dst = e.mac;
    e.iface.transmit(p);
  }

  #entry(iface: Interface, ip: Ip4): NeighEntry {
    let m = this.#entries.get(iface);
    if (!m) {
      m = new Map();
      this.#entries.set(iface, m);
    }
    let e = m.get(ip);
    if (!e) {
      e = {
        ip,
        iface,
        mac: 0,
        state: "INCOMPLETE",
        confirmed: 0,
        updated: this.#ns.sim.now,
        probes: 0,
        queue: [],
        timer: undefined,
      };
      m.set(ip, e);
    }
    return e;
  }

  /** Lazy timer-free transition REACHABLE → STALE once reachable_time has passed. */
  #age(e: NeighEntry): void {
    if (e.state === "REACHABLE" && this.#ns.sim.now - e.confirmed >= this.#reachableTime) {
      e.state = "STALE";
      e.updated = e.confirmed + this.#reachableTime;
    }
  }

  #setState(e: NeighEntry, s: NeighState): void {
    e.state = s;
    e.updated = this.#ns.sim.now;
  }

  #arm(e: NeighEntry, dt: number): void {
    e.timer?.cancel();
    e.timer = this.#ns.sim.after(dt, () => this.#timer(e));
  }

  #timer(e: NeighEntry): void {
    e.timer = undefined;
    const sysctl = this.#ns.sysctl;
    if (e.state === "DELAY") {
      if (e.confirmed >= e.updated) {
        this.#setState(e, "REACHABLE");
        return;
      }
      this.#setState(e, "PROBE");
      e.probes = 0;
      this.#solicit(e);
      return;
    }
    const max = e.state === "PROBE"
      ? sysctl.neigh(e.iface.name, "ucast_solicit")
      : sysctl.neigh(e.iface.name, "mcast_solicit");
    if (e.probes >= max) {
      this.#setState(e, "FAILED");
      this.#failQueue(e);
      return;
    }
    this.#solicit(e);
  }

  /** Send one ARP request (broadcast when resolving, unicast when probing). */
  #solicit(e: NeighEntry): void {
    e.probes++;
    const iface = e.iface;
    const src = this.#host.requestSource(iface, e.ip, e.queue[0]);
    const unicast = e.state === "PROBE";
    this.#sendArp(iface, 1, src, e.ip, unicast ? e.mac : BROADCAST_MAC, 0);
    this.stats.requestsSent++;
    this.#arm(e, this.#ns.sysctl.neigh(iface.name, "retrans_time_ms") * 1e6);
  }

  #failQueue(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    for (const p of q) {
      this.#ns.sim.trace.drop(e.iface, p, DropReason.neighbourFailed, `arp ${formatIp4(e.ip)}`);
      this.#host.linkFailure(p);
    }
  }

  #flush(e: NeighEntry): void {
    const q = e.queue;
    e.queue = [];
    if (q.length === 0) return;
    // Linux sends the queue through the entry's output path: a STALE entry in use goes DELAY.
    if (e.state === "STALE") {
      this.#setState(e, "DELAY");
      this.#arm(e, this.#ns.sysctl.neigh(e.iface.name, "delay_first_probe_time") * 1e9);
    }
    for (const p of q) this.#send(e, p);
  }

  /** Send a gratuitous ARP request announcing `ip` on `iface` (arping -U). */
  announce(iface: Interface, ip: Ip4): void {
    this.#sendArp(iface, 1, ip, ip, BROADCAST_MAC, 0);
    this.stats.requestsSent++;
  }

  #sendArp(
    iface: Interface,
    op: number,
    senderIp: Ip4,
    targetIp: Ip4,
    dstMac: Mac,
    targetMac: Mac,
  ): void {
    const p = newPacket({ dst: dstMac, src: iface.mac, type: EtherType.ARP, vlan: undefined });
    p.arp = { op, senderMac: iface.mac, senderIp, targetMac, targetIp };
    this.#ns.sim.trace.birth(p);
    iface.transmit(p);
  }

  #receive(iface: Interface, p: Packet, type: PacketType): void {
    const a = p.arp;
    const trace = this.#ns.sim.trace;
    if (a === undefined) {
      trace.drop(iface, p, DropReason.malformed, "arp");
      return;
    }
    // Linux arp_process: requests and replies about 127/8 or multicast targets
    // are discarded before anything is learned or answered.
    const tHigh = a.targetIp >>> 24;
    if (tHigh === 127 || (tHigh >= 224 && tHigh < 240)) {
      trace.drop(iface, p, DropReason.martian, `arp target ${formatIp4(a.targetIp)}`);
      return;
    }
    if (a.op === 1) this.stats.requestsReceived++;
    else this.stats.repliesReceived++;
    // Ignore our own frames and nonsense senders.
    if (a.senderMac === iface.mac || a.senderIp === 0 && a.op !== 1) {
      trace.consume(iface, p, "arp ignored");
      return;
    }
    const forUs = this.#host.isLocal(a.targetIp);
    const existing = this.#entries.get(iface)?.get(a.senderIp);
    if (a.op === 1) {
      // Proxy ARP is a router's job: Linux requires forwarding on the interface.
      const proxy = !forUs && a.senderIp !== a.targetIp &&
        this.#ns.sysctl.get(`net.ipv4.conf.${iface.name}.forwarding`) === "1" &&
        this.#host.proxyFor(iface, a.targetIp);
      const answer = forUs || proxy;
      if (answer && a.senderIp !== 0) {
        // The requester is recorded (STALE), as Linux's neigh_event_ns does.
        this.#learn(iface, a.senderIp, a.senderMac, false);
      } else if (existing && a.senderIp !== 0) {
        this.#update(existing, a.senderMac);
      }
      if (answer) {
        const reply = () => {
          this.#sendArp(iface, 2, a.targetIp, a.senderIp, a.senderMac, a.senderMac);
          this.stats.repliesSent++;
        };
        // Linux (pneigh_enqueue): a proxied answer to a broadcast waits a random
        // time below proxy_delay (hundredths of a second), so a real owner wins.
        const delay = proxy && type !== "host"
          ? Math.floor(
            this.#proxyRng.next() * this.#ns.sysctl.neigh(iface.name, "proxy_delay") * 10,
          ) * 1e6
          : 0;
        if (delay > 0) this.#ns.sim.after(delay, reply);
        else reply();
      }
      trace.consume(iface, p, answer ? "arp answered" : "arp");
      return;
    }
    // A reply: completes resolution; unsolicited ones only refresh existing entries.
    // Linux: a broadcast reply does not assert reachability (STALE, not REACHABLE).
    if (existing) this.#learn(iface, a.senderIp, a.senderMac, type === "host");
    trace.consume(iface, p, "arp reply");
  }

  #update(e: NeighEntry, mac: Mac): void {
    if (e.state === "PERMANENT") return;
    if (e.state === "INCOMPLETE" || e.state === "FAILED") {
      // Linux neigh_update: an unresolved entry takes the overheard address
      // (STALE) and sends what it queued.
      this.#learn(e.iface, e.ip, mac, false);
      return;
    }
    if (e.mac !== mac) {
      e.mac = mac;
      this.#setState(e, "STALE");
    }
  }

  #learn(iface: Interface, ip: Ip4, mac: Mac, confirmed: boolean): void {
    const e = this.#entry(iface, ip);
    if (e.state === "PERMANENT") return;
    const now = this.#ns.sim.now;
    const resolving = e.state === "INCOMPLETE" || e.state === "FAILED" || e.state === "PROBE" ||
      e.state === "DELAY";
    if (confirmed && (resolving || e.state === "REACHABLE" || e.state === "STALE")) {
      e.timer?.cancel();
      e.timer = undefined;
      e.mac = mac;
      e.confirmed = now;
      this.#setState(e, "REACHABLE");
      e.probes = 0;
    } else if (!confirmed) {
      if (e.state === "INCOMPLETE" || e.state === "FAILED") {
        e.timer?.cancel();
        e.timer = undefined;
        e.mac = mac;
        this.#setState(e, "STALE");
      } else if (e.mac !== mac) {
        e.mac = mac;
        this.#setState(e, "STALE");
      }
    }
    if (e.queue.length > 0 && e.mac !== 0) this.#flush(e);
  }
}
