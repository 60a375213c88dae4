/**
 * Connection tracking (Linux's nf_conntrack) for TCP, UDP and ICMP: each
 * connection has an original and a reply tuple; a packet is looked up by its
 * tuple, which tells both the connection and the direction. States are Linux's:
 * NEW for a connection's first packets until a reply is seen, ESTABLISHED
 * after, RELATED for ICMP errors quoting a tracked packet, INVALID for what
 * cannot be tracked, UNTRACKED for packets exempted in the raw table.
 *
 * TCP follows the kernel's state table (nf_conntrack_proto_tcp: SYN_SENT,
 * SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE,
 * SYN_SENT2) with its default timeouts; a connection whose only answer is a
 * RST is removed at once, and one picked up mid-stream (a lone ACK) lives 300 s
 * until a reply. UDP uses 30 s until replied and 120 s once it is a stream
 * (traffic after two seconds); ICMP 30 s. A connection is
 * inserted into the table ("confirmed") only when its first packet leaves the
 * last hook, so a packet dropped on the way leaves no entry, as in Linux.
 *
 * Simplified: no TCP window tracking (sequence numbers are not checked, as
 * with `nf_conntrack_tcp_be_liberal=1`), no helpers (FTP, SIP), no zones, no
 * per-CPU limits; expired entries are removed lazily when looked up or listed.
 *
 * @module
 */
import { type Ip4, IpProto, type Packet, TcpFlag } from "../wire/packet.ts";
import { formatIp4 } from "../wire/addr.ts";

/** The five-tuple of one direction (for ICMP: id in `sport`, type·256+code in `dport`). */
export interface Tuple {
  /** Source address. */
  src: Ip4;
  /** Destination address. */
  dst: Ip4;
  /** IP protocol. */
  proto: number;
  /** Source port (ICMP: echo identifier). */
  sport: number;
  /** Destination port (ICMP: type·256 + code). */
  dport: number;
}

/** Connection states as `-m conntrack --ctstate` names them. */
export const CtState = {
  INVALID: 1,
  ESTABLISHED: 2,
  RELATED: 4,
  NEW: 8,
  UNTRACKED: 64,
} as const;

/** TCP conntrack states, in the kernel's order. */
export const TCP_STATES = [
  "NONE",
  "SYN_SENT",
  "SYN_RECV",
  "ESTABLISHED",
  "FIN_WAIT",
  "CLOSE_WAIT",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSE",
  "SYN_SENT2",
] as const;
/** A TCP conntrack state. */
export type TcpCtState = typeof TCP_STATES[number];

const S = 1e9;
/** Default timeouts per TCP state (net.netfilter.nf_conntrack_tcp_timeout_*), ns. */
const TCP_TIMEOUT: Record<TcpCtState, number> = {
  NONE: 0,
  SYN_SENT: 120 * S,
  SYN_RECV: 60 * S,
  ESTABLISHED: 432000 * S,
  FIN_WAIT: 120 * S,
  CLOSE_WAIT: 60 * S,
  LAST_ACK: 30 * S,
  TIME_WAIT: 120 * S,
  CLOSE: 10 * S,
  SYN_SENT2: 120 * S,
};
/** nf_conntrack_tcp_timeout_unacknowledged: caps a picked-up connection until a reply. */
const TCP_UNACK = 300 * S;
const UDP_UNREPLIED = 30 * S;
const UDP_REPLIED = 120 * S;
const ICMP_TIMEOUT = 30 * S;

// The kernel's tcp_conntracks table: [direction][event][old state] → new state.
// "IV" is invalid (state unchanged, packet INVALID), "IG" ignored (state unchanged).
type Next = TcpCtState | "IV" | "IG";
const TCP_EVENTS = ["syn", "synack", "fin", "ack", "rst", "none"] as const;
type TcpEvent = typeof TCP_EVENTS[number];
const n = (s: string): Next[] =>
  s.split(" ").map((x) =>
    ({
      NO: "NONE",
      SS: "SYN_SENT",
      SR: "SYN_RECV",
      ES: "ESTABLISHED",
      FW: "FIN_WAIT",
      CW: "CLOSE_WAIT",
      LA: "LAST_ACK",
      TW: "TIME_WAIT",
      CL: "CLOSE",
      S2: "SYN_SENT2",
      IV: "IV",
      IG: "IG",
    } as Record<string, Next>)[x]!
  );
//                       NO SS SR ES FW CW LA TW CL S2
const TCP_TABLE: Record<TcpEvent, Next[]>[] = [{
  syn: n("SS SS IG IG IG IG IG SS SS S2"),
  synack: n("IV IV SR IV IV IV IV IV IV SR"),
  fin: n("IV IV FW FW LA LA LA TW CL IV"),
  ack: n("ES IV ES ES CW CW TW TW CL IV"),
  rst: n("IV CL CL CL CL CL CL CL CL CL"),
  none: n("IV IV IV IV IV IV IV IV IV IV"),
}, {
  syn: n("IV S2 IV IV IV IV IV SS IV S2"),
  synack: n("IV SR IG IG IG IG IG IG IG SR"),
  fin: n("IV IV FW FW LA LA LA TW CL IV"),
  ack: n("IV IG SR ES CW CW TW TW CL IG"),
  rst: n("IV CL CL CL CL CL CL CL CL CL"),
  none: n("IV IV IV IV IV IV IV IV IV IV"),
}];

function tcpEvent(flags: number): TcpEvent {
  if (flags & TcpFlag.RST) return "rst";
  if (flags & TcpFlag.SYN) return flags & TcpFlag.ACK ? "synack" : "syn";
  if (flags & TcpFlag.FIN) return "fin";
  if (flags & TcpFlag.ACK) return "ack";
  return "none";
}

/** Flag combinations the kernel accepts (tcp_valid_flags); anything else is INVALID. */
function validTcpFlags(flags: number): boolean {
  const f = flags & (TcpFlag.FIN | TcpFlag.SYN | TcpFlag.RST | TcpFlag.ACK | TcpFlag.PSH |
    TcpFlag.URG);
  const core = f & ~TcpFlag.PSH;
  const ok = [
    TcpFlag.SYN,
    TcpFlag.SYN | TcpFlag.URG,
    TcpFlag.SYN | TcpFlag.ACK,
    TcpFlag.RST,
    TcpFlag.RST | TcpFlag.ACK,
    TcpFlag.FIN | TcpFlag.ACK,
    TcpFlag.FIN | TcpFlag.ACK | TcpFlag.URG,
    TcpFlag.ACK,
    TcpFlag.ACK | TcpFlag.URG,
  ];
  return ok.includes(core);
}

/** ICMP types that have a reply type (echo, timestamp, info, address mask). */
const ICMP_INVERSE: Record<number, number> = {
  8: 0,
  0: 8,
  13: 14,
  14: 13,
  15: 16,
  16: 15,
  17: 18,
  18: 17,
};
/** ICMP types that only start a connection (requests). */
const ICMP_REQUEST = new Set([8, 13, 15, 17]);
/** ICMP error types, which are RELATED to the connection they quote. */
export const ICMP_ERROR_TYPES: ReadonlySet<number> = new Set([3, 4, 5, 11, 12]);

/** A tracked connection. */
export class Conn {
  /** Tuple of the first packet, as it was first seen. */
  orig: Tuple;
  /** Tuple replies are expected to have (after NAT). */
  reply: Tuple;
  /** A packet has been seen in the reply direction. */
  seenReply = false;
  /** Assured: will not be evicted early (TCP established, UDP stream). */
  assured = false;
  /** In the table (its first packet passed all hooks). */
  confirmed = false;
  /** Source NAT applied to the original direction. */
  srcNat = false;
  /** Destination NAT applied to the original direction. */
  dstNat = false;
  /** NAT decided for the source (SNAT, MASQUERADE or a null binding). */
  srcNatDone = false;
  /** NAT decided for the destination (DNAT, REDIRECT or a null binding). */
  dstNatDone = false;
  /** TCP state (TCP only). */
  tcpState: TcpCtState = "NONE";
  /** Expiry time, ns. */
  expires = 0;
  /** Connection mark (CONNMARK). */
  mark = 0;
  /** When the UDP stream check applies (creation + 2 s), ns. */
  streamAt = 0;
  /** Order of creation, for listing. */
  readonly id: number;
  /** Interface name MASQUERADE chose the address of (its entries go when it goes down). */
  masqIf = "";

  /** A connection first seen with tuple `orig`; the reply tuple starts as its inverse. */
  constructor(orig: Tuple, id: number) {
    this.orig = orig;
    this.reply = invert(orig);
    this.id = id;
  }
}

/** What conntrack attached to a packet: its connection, direction and state. */
export interface PacketCt {
  /** The connection (undefined for INVALID and UNTRACKED packets). */
  conn: Conn | undefined;
  /** 0 original, 1 reply. */
  dir: 0 | 1;
  /** One of CtState. */
  state: number;
}

/** The tuple a reply to `t` carries. */
export function invert(t: Tuple): Tuple {
  if (t.proto === IpProto.ICMP) {
    const type = t.dport >>> 8;
    const inv = ICMP_INVERSE[type] ?? type;
    return {
      src: t.dst,
      dst: t.src,
      proto: t.proto,
      sport: t.sport,
      dport: (inv << 8) | (t.dport & 0xff),
    };
  }
  return { src: t.dst, dst: t.src, proto: t.proto, sport: t.dport, dport: t.sport };
}

/** The hash key of a tuple. */
export function tupleKey(t: Tuple): string {
  return `${t.src},${t.dst},${t.proto},${t.sport},${t.dport}`;
}

/** The tuple of a packet, or undefined when it has none (no IP, or a non-first fragment). */
export function tupleOf(p: Packet): Tuple | undefined {
  const ip = p.ip;
  if (!ip) return undefined;
  if (p.tcp) {
    return {
      src: ip.src,
      dst: ip.dst,
      proto: ip.proto,
      sport: p.tcp.srcPort,
      dport: p.tcp.dstPort,
    };
  }
  if (p.udp) {
    return {
      src: ip.src,
      dst: ip.dst,
      proto: ip.proto,
      sport: p.udp.srcPort,
      dport: p.udp.dstPort,
    };
  }
  if (p.icmp) {
    const c = p.icmp;
    const id = ICMP_INVERSE[c.type] !== undefined ? (c.rest >>> 16) & 0xffff : 0;
    return { src: ip.src, dst: ip.dst, proto: ip.proto, sport: id, dport: (c.type << 8) | c.code };
  }
  if (ip.mf || ip.fragOffset > 0) return undefined;
  // Other protocols are tracked by addresses only (nf_conntrack_proto_generic).
  return { src: ip.src, dst: ip.dst, proto: ip.proto, sport: 0, dport: 0 };
}

const PROTO_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp" };

/** The connection table of one namespace. */
export class ConntrackTable {
  readonly #byTuple = new Map<string, { conn: Conn; dir: 0 | 1 }>();
  readonly #conns = new Set<Conn>();
  #nextId = 1;
  /** Counters in the spirit of `conntrack -S`. */
  readonly stats = { found: 0, invalid: 0, inserted: 0, expired: 0, dropped: 0 };

  /** Entries currently in the table (expired ones included until swept). */
  get size(): number {
    return this.#conns.size;
  }

  /** Look a tuple up; expired connections are removed on the way. */
  lookup(t: Tuple, now: number): { conn: Conn; dir: 0 | 1 } | undefined {
    const hit = this.#byTuple.get(tupleKey(t));
    if (hit === undefined) return undefined;
    if (hit.conn.expires <= now) {
      this.remove(hit.conn);
      this.stats.expired++;
      return undefined;
    }
    return hit;
  }

  /** Whether a tuple is in use by a connection other than `except` (nf_conntrack_tuple_taken). */
  taken(t: Tuple, now: number, except: Conn | undefined): boolean {
    const hit = this.lookup(t, now);
    return hit !== undefined && hit.conn !== except;
  }

  /** A new, unconfirmed connection for a packet's tuple. */
  create(t: Tuple): Conn {
    return new Conn(t, this.#nextId++);
  }

  /** Insert a connection (when its first packet leaves the last hook). */
  confirm(c: Conn): void {
    if (c.confirmed) return;
    c.confirmed = true;
    this.#conns.add(c);
    this.#byTuple.set(tupleKey(c.orig), { conn: c, dir: 0 });
    this.#byTuple.set(tupleKey(c.reply), { conn: c, dir: 1 });
    this.stats.inserted++;
  }

  /** Remove a connection. */
  remove(c: Conn): void {
    if (!this.#conns.delete(c)) return;
    const a = this.#byTuple.get(tupleKey(c.orig));
    if (a?.conn === c) this.#byTuple.delete(tupleKey(c.orig));
    const b = this.#byTuple.get(tupleKey(c.reply));
    if (b?.conn === c) this.#byTuple.delete(tupleKey(c.reply));
  }

  /** Live connections, most recent first (as `conntrack -L` walks the hash, roughly). */
  list(now: number): Conn[] {
    const out: Conn[] = [];
    for (const c of [...this.#conns]) {
      if (c.expires <= now) {
        this.remove(c);
        this.stats.expired++;
      } else out.push(c);
    }
    return out.sort((a, b) => b.id - a.id);
  }

  /** Remove every connection (`conntrack -F`); returns how many went. */
  flush(): number {
    const k = this.#conns.size;
    this.#conns.clear();
    this.#byTuple.clear();
    return k;
  }

  /**
   * Track a packet whose tuple is `t`: find or create its connection, update
   * its state and timeout, and say what state the packet is in. `create`
   * false means an unknown tuple is INVALID rather than NEW (ICMP replies).
   */
  track(p: Packet, t: Tuple, now: number): PacketCt {
    const hit = this.lookup(t, now);
    if (hit === undefined) {
      if (!this.#canStart(p)) {
        this.stats.invalid++;
        return { conn: undefined, dir: 0, state: CtState.INVALID };
      }
      const c = this.create(t);
      c.streamAt = now + 2 * S;
      this.#update(c, 0, p, now);
      return { conn: c, dir: 0, state: CtState.NEW };
    }
    this.stats.found++;
    const { conn, dir } = hit;
    if (
      p.tcp && dir === 0 && tcpEvent(p.tcp.flags) === "syn" &&
      (conn.tcpState === "TIME_WAIT" || conn.tcpState === "CLOSE")
    ) {
      // A new SYN reopens a closed connection: the old entry goes (tcp_packet's -NF_REPEAT).
      this.remove(conn);
      return this.track(p, t, now);
    }
    if (!this.#update(conn, dir, p, now)) {
      this.stats.invalid++;
      return { conn: undefined, dir, state: CtState.INVALID };
    }
    const state = conn.seenReply ? CtState.ESTABLISHED : CtState.NEW;
    return { conn, dir, state: dir === 1 ? CtState.ESTABLISHED : state };
  }

  /** Whether a packet with no connection may start one. */
  #canStart(p: Packet): boolean {
    if (p.tcp) {
      if (!validTcpFlags(p.tcp.flags)) return false;
      const ev = tcpEvent(p.tcp.flags);
      // nf_conntrack_tcp_loose=1: a mid-stream ACK picks the connection up.
      return ev === "syn" || ev === "ack";
    }
    if (p.icmp) return ICMP_REQUEST.has(p.icmp.type);
    return true;
  }

  /**
   * Update state and timeout for a packet in direction `dir`; false when
   * INVALID. As in the kernel, the protocol handler sees whether a reply had
   * been seen before this packet; a reply only counts once it is accepted.
   */
  #update(c: Conn, dir: 0 | 1, p: Packet, now: number): boolean {
    const replied = c.seenReply;
    if (p.tcp) {
      if (!validTcpFlags(p.tcp.flags)) return false;
      const ev = tcpEvent(p.tcp.flags);
      const old = c.tcpState;
      const idx = TCP_STATES.indexOf(old);
      let next = TCP_TABLE[dir]![ev]![idx]!;
      if (next === "IV") return false;
      if (next === "IG") next = old;
      c.tcpState = next;
      if (dir === 1) c.seenReply = true;
      let timeout = TCP_TIMEOUT[next];
      if (!replied) {
        if (ev === "rst") {
          // "If only reply is a RST, we can consider ourselves not to have an
          // established connection": the entry goes at once (nf_ct_kill), the
          // RST itself still passes as part of it.
          c.expires = now;
          this.remove(c);
          return true;
        }
        // A connection picked up mid-stream (nf_conntrack_tcp_loose) is
        // ESTABLISHED without a reply: it gets the unacknowledged timeout.
        if (next === "ESTABLISHED") timeout = Math.min(timeout, TCP_UNACK);
      } else if (
        next === "ESTABLISHED" && (old === "SYN_RECV" || old === "ESTABLISHED") && !c.assured
      ) {
        c.assured = true;
      }
      c.expires = now + timeout;
      return true;
    }
    if (dir === 1) c.seenReply = true;
    if (p.udp) {
      if (replied) {
        let extra = UDP_UNREPLIED;
        // Still active two seconds after it began: a stream.
        if (now > c.streamAt) {
          extra = UDP_REPLIED;
          c.assured = true;
        }
        c.expires = now + extra;
      } else c.expires = now + UDP_UNREPLIED;
      return true;
    }
    c.expires = now + ICMP_TIMEOUT;
    return true;
  }

  /**
   * One line of `conntrack -L` (conntrack-tools 1.4 layout):
   * `tcp      6 431999 ESTABLISHED src=… dst=… sport=… dport=… src=… … [ASSURED] mark=0 use=1`.
   */
  static format(c: Conn, now: number): string {
    const name = PROTO_NAMES[c.orig.proto] ?? "unknown";
    const secs = Math.floor((c.expires - now) / S);
    let s = `${name.padEnd(8)} ${c.orig.proto} ${secs} `;
    if (c.orig.proto === IpProto.TCP) s += `${c.tcpState} `;
    s += tupleText(c.orig) + " ";
    if (!c.seenReply) s += "[UNREPLIED] ";
    s += tupleText(c.reply) + " ";
    if (c.assured) s += "[ASSURED] ";
    s += `mark=${c.mark} use=1`;
    return s;
  }
}

function tupleText(t: Tuple): string {
  const a = `src=${formatIp4(t.src)} dst=${formatIp4(t.dst)}`;
  if (t.proto === IpProto.ICMP) {
    return `${a} type=${t.dport >>> 8} code=${t.dport & 0xff} id=${t.sport}`;
  }
  if (t.proto === IpProto.TCP || t.proto === IpProto.UDP) {
    return `${a} sport=${t.sport} dport=${t.dport}`;
  }
  return a;
}
