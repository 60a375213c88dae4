/**
 * The trace: every transmit, receive, delivery, consumption and drop, in
 * virtual-time order, with a stable digest and packet conservation counters.
 *
 * Three modes: `"full"` keeps every event with a snapshot of the packet as it
 * was at that moment (scenarios, labs); `"digest"` keeps only the counters and
 * the digest; `"counts"` keeps only the counters (long bulk runs such as the
 * congestion-control comparison, where nobody reads a digest). The digest is
 * computed from the same numeric fields in "full" and "digest" modes, so it
 * does not depend on which of the two is used.
 *
 * Conservation: a packet is born once (`born`) and ends exactly once — delivered
 * to a socket, consumed by a protocol (an ARP request answered, an echo request
 * turned into a reply) or dropped with a reason. Components that hold packets
 * (queues, wires, neighbour queues, reassembly) report how many they hold, so
 * `born − ended − held` must be zero at any quiet moment.
 *
 * @module
 */
import { formatIp4, formatMac } from "../wire/addr.ts";
import type { Packet } from "../wire/packet.ts";
import { clonePacket } from "../wire/frame.ts";
import { summarize } from "./summary.ts";

/** Why a packet was dropped: a closed set, so traces and counters can be grouped. */
export const DropReason = {
  noRoute: "no route",
  ttlExceeded: "ttl exceeded",
  queueFull: "queue full",
  netfilter: "netfilter drop",
  flowTable: "flow table drop",
  neighbourFailed: "neighbour failed",
  noSocket: "no socket",
  vlanFilter: "vlan filter",
  stpBlocking: "stp blocking",
  mtuWithDf: "mtu with DF",
  checksum: "checksum",
  randomLoss: "random loss",
  linkDown: "link down",
  interfaceDown: "interface down",
  otherHost: "not for this host",
  forwardingOff: "forwarding disabled",
  martian: "martian address",
  reassemblyTimeout: "reassembly timeout",
  socketBufferFull: "socket buffer full",
  noListener: "no listener",
  malformed: "malformed",
  blackhole: "blackhole route",
  prohibited: "prohibited route",
  unreachableRoute: "unreachable route",
  rpFilter: "reverse path filter",
  noTunnel: "no tunnel",
  policed: "policed",
  stale: "stale",
  frameTooBig: "frame too big for mtu",
} as const;
/** One of the drop reasons. */
export type DropReason = typeof DropReason[keyof typeof DropReason];

const REASON_CODES: Map<string, number> = new Map(
  Object.values(DropReason).map((r, i) => [r, i + 1]),
);

/** How much the trace keeps. */
export type TraceMode = "full" | "digest" | "counts";

/** What happened to the packet at this point. */
export type TraceKind = "tx" | "rx" | "drop" | "deliver" | "consume";
const KIND_CODES: Record<TraceKind, number> = { tx: 1, rx: 2, drop: 3, deliver: 4, consume: 5 };

/** One trace event. */
export interface TraceEvent {
  /** Virtual time, ns. */
  time: number;
  /** What happened: tx, rx, deliver, consume or drop. */
  kind: TraceKind;
  /** Node (host, router, switch) name. */
  node: string;
  /** Interface name, or "" when the event is not at an interface. */
  iface: string;
  /** Link name for tx/rx on a link ("a-b"), else "". */
  link: string;
  /** Drop reason (drops only). */
  reason: DropReason | undefined;
  /** Extra words: the netfilter rule that dropped, the socket that received, … */
  detail: string;
  /** The packet as it was at this moment (a snapshot). */
  packet: Packet;
}

/** Where an event happened, as components pass it to the trace. */
export interface TracePoint {
  /** Node name. */
  readonly node: string;
  /** Interface name or "". */
  readonly iface: string;
  /** Link name or "". */
  readonly link: string;
  /** Small integer identity of the point, mixed into the digest. */
  readonly pointId: number;
}

/** Which events a filter selects; all given fields must match. */
export interface TraceFilter {
  /** Only events of this kind. */
  kind?: TraceKind;
  /** Only events on this node. */
  node?: string;
  /** Only events at this interface. */
  iface?: string;
  /** Only events on this link. */
  link?: string;
  /** ICMP echo requests or replies only. */
  icmp?: "echo-request" | "echo-reply" | number;
  /** IP protocol number. */
  proto?: number;
  /** ARP only. */
  arp?: boolean;
  /** Only IP packets from this address (dotted quad). */
  src?: string;
  /** Only IP packets to this address (dotted quad). */
  dst?: string;
  /** Only drops for this reason. */
  reason?: DropReason;
  /** Any further predicate on the event. */
  where?: (e: TraceEvent) => boolean;
}

/** One row of a hop-by-hop table, as the notes draw the gateway examples. */
export interface Hop {
  /** The link the packet went out on. */
  link: string;
  /** The node that transmitted it. */
  node: string;
  /** Its interface. */
  iface: string;
  /** Source MAC on this hop. */
  srcMac: string;
  /** Destination MAC on this hop. */
  dstMac: string;
  /** Source IP address. */
  srcIp: string;
  /** Destination IP address. */
  dstIp: string;
  /** TTL as transmitted. */
  ttl: number;
}

/** The trace of one simulation. */
export class Trace {
  /** "full" keeps events; "digest" keeps counters and the digest; "counts" only counters. */
  readonly mode: TraceMode;
  /** Events in time order (full mode only). */
  readonly events: TraceEvent[] = [];
  /** Packets born. */
  born = 0;
  /** Packets delivered to a socket or application. */
  delivered = 0;
  /** Packets consumed by a protocol. */
  consumed = 0;
  /** Packets dropped. */
  dropped = 0;
  /** Drops per reason. */
  readonly drops: Map<DropReason, number> = new Map();
  /** Capture taps: called for every transmission and reception (tcpdump, pcap writers). */
  readonly taps: Array<(kind: "tx" | "rx", at: TracePoint, p: Packet) => void> = [];
  #h1 = 0x811c9dc5;
  #h2 = 0x2545f491;
  #nextId = 0;
  #clock: () => number;

  /** A trace reading virtual time from `clock`. */
  constructor(clock: () => number, mode: TraceMode = "full") {
    this.#clock = clock;
    this.mode = mode;
  }

  /** Give a new packet its identity. */
  birth(p: Packet): void {
    p.id = ++this.#nextId;
    this.born++;
  }

  /** Record a transmission at a point. */
  tx(at: TracePoint, p: Packet): void {
    if (this.taps.length > 0) { for (const t of this.taps) t("tx", at, p); }
    this.#record("tx", at, p, undefined, "");
  }

  /** Record a reception at a point. */
  rx(at: TracePoint, p: Packet): void {
    if (this.taps.length > 0) { for (const t of this.taps) t("rx", at, p); }
    this.#record("rx", at, p, undefined, "");
  }

  /** The packet reached a socket or application; it ends here. */
  deliver(at: TracePoint, p: Packet, detail = ""): void {
    this.delivered++;
    this.#record("deliver", at, p, undefined, detail);
  }

  /** A protocol used the packet up (ARP, ICMP echo, a flooded original, …); it ends here. */
  consume(at: TracePoint, p: Packet, detail = ""): void {
    this.consumed++;
    this.#record("consume", at, p, undefined, detail);
  }

  /** The packet is dropped for a reason; it ends here. */
  drop(at: TracePoint, p: Packet, reason: DropReason, detail = ""): void {
    this.dropped++;
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    this.#record("drop", at, p, reason, detail);
  }

  /** Packets born and not yet ended. */
  get inFlight(): number {
    return this.born - this.delivered - this.consumed - this.dropped;
  }

  #record(
    kind: TraceKind,
    at: TracePoint,
    p: Packet,
    reason: DropReason | undefined,
    detail: string,
  ): void {
    if (this.mode === "counts") return;
    const time = this.#clock();
    this.#mix(time, KIND_CODES[kind], at.pointId, reason ? REASON_CODES.get(reason)! : 0, p);
    if (this.mode === "full") {
      this.events.push({
        time,
        kind,
        node: at.node,
        iface: at.iface,
        link: at.link,
        reason,
        detail,
        packet: clonePacket(p),
      });
    }
  }

  /** Words of one event, gathered before hashing (no allocation per event). */
  #words = new Uint32Array(24);

  #mix(time: number, kind: number, point: number, reason: number, p: Packet): void {
    const w = this.#words;
    let n = 0;
    // `>>> 0` keeps the low 32 bits of an integer (ToUint32), without fmod.
    w[n++] = time >>> 0;
    w[n++] = (time / 4294967296) >>> 0;
    w[n++] = kind | (reason << 8);
    w[n++] = point;
    w[n++] = p.id;
    const e = p.eth;
    w[n++] = e.src >>> 0;
    w[n++] = e.dst >>> 0;
    w[n++] = e.type | ((e.vlan?.vid ?? 0xffff) << 16);
    const ip = p.ip;
    if (ip !== undefined) {
      w[n++] = ip.src;
      w[n++] = ip.dst;
      w[n++] = ip.ttl | (ip.proto << 8) | (ip.tos << 16);
      w[n++] = ip.id | (ip.fragOffset << 16);
    }
    const arp = p.arp;
    if (arp !== undefined) {
      w[n++] = arp.op;
      w[n++] = arp.senderIp;
      w[n++] = arp.targetIp;
    }
    const icmp = p.icmp;
    if (icmp !== undefined) {
      w[n++] = icmp.type | (icmp.code << 8);
      w[n++] = icmp.rest;
    }
    if (p.udp !== undefined) w[n++] = p.udp.srcPort | (p.udp.dstPort << 16);
    const tcp = p.tcp;
    if (tcp !== undefined) {
      w[n++] = tcp.srcPort | (tcp.dstPort << 16);
      w[n++] = tcp.seq;
      w[n++] = tcp.ack;
      w[n++] = tcp.flags | (tcp.window << 8);
    }
    // Two lanes: FNV-1a and a murmur-style mix, one 32-bit word at a time.
    let a = this.#h1, b = this.#h2;
    for (let i = 0; i < n; i++) {
      const v = w[i]!;
      a = Math.imul(a ^ v, 0x01000193);
      b = Math.imul(b ^ v, 0x5bd1e995);
      b ^= b >>> 15;
    }
    this.#h1 = a;
    this.#h2 = b;
  }

  /** A stable hex digest of every event so far (same seed, same digest). */
  digest(): string {
    return (this.#h1 >>> 0).toString(16).padStart(8, "0") +
      (this.#h2 >>> 0).toString(16).padStart(8, "0");
  }

  /** Events matching a filter (full mode). */
  filter(f: TraceFilter = {}): TraceEvent[] {
    return this.events.filter((e) => matches(e, f));
  }

  /** The first event matching a filter, or undefined. */
  first(f: TraceFilter = {}): TraceEvent | undefined {
    return this.events.find((e) => matches(e, f));
  }

  /** The hop-by-hop table: one row per transmission of a matching IP packet. */
  hops(f: TraceFilter = {}): Hop[] {
    return this.filter({ ...f, kind: "tx" }).filter((e) => e.packet.ip !== undefined).map((e) => ({
      link: e.link,
      node: e.node,
      iface: e.iface,
      srcMac: formatMac(e.packet.eth.src),
      dstMac: formatMac(e.packet.eth.dst),
      srcIp: formatIp4(e.packet.ip!.src),
      dstIp: formatIp4(e.packet.ip!.dst),
      ttl: e.packet.ip!.ttl,
    }));
  }

  /** The trace as text, one event per line: time, node/iface, kind, summary. */
  format(f: TraceFilter = {}): string {
    return this.filter(f).map(formatEvent).join("\n");
  }
}

/** One trace line: `   1.000123 r1 eth0     tx   10.0.0.1 > 10.0.0.2: ICMP echo request, …`. */
export function formatEvent(e: TraceEvent): string {
  const t = (e.time / 1e9).toFixed(6).padStart(11);
  const where = `${e.node}${e.iface ? ":" + e.iface : ""}`.padEnd(16);
  const extra = e.kind === "drop"
    ? ` [drop: ${e.reason}${e.detail ? ", " + e.detail : ""}]`
    : e.detail
    ? ` [${e.detail}]`
    : "";
  return `${t} ${where} ${e.kind.padEnd(7)} ${summarize(e.packet)}${extra}`;
}

function matches(e: TraceEvent, f: TraceFilter): boolean {
  if (f.kind !== undefined && e.kind !== f.kind) return false;
  if (f.node !== undefined && e.node !== f.node) return false;
  if (f.iface !== undefined && e.iface !== f.iface) return false;
  if (f.link !== undefined && e.link !== f.link) return false;
  if (f.reason !== undefined && e.reason !== f.reason) return false;
  const p = e.packet;
  if (f.arp !== undefined && (p.arp !== undefined) !== f.arp) return false;
  if (f.proto !== undefined && p.ip?.proto !== f.proto) return false;
  if (f.icmp !== undefined) {
    const want = f.icmp === "echo-request" ? 8 : f.icmp === "echo-reply" ? 0 : f.icmp;
    if (p.icmp?.type !== want) return false;
  }
  if (f.src !== undefined && (!p.ip || formatIp4(p.ip.src) !== f.src)) return false;
  if (f.dst !== undefined && (!p.ip || formatIp4(p.ip.dst) !== f.dst)) return false;
  if (f.where && !f.where(e)) return false;
  return true;
}
