/**
 * Netfilter of one namespace: the raw, mangle, nat and filter tables with
 * their built-in chains, traversed at the five hooks in Linux's priority
 * order, with connection tracking and NAT between them:
 *
 *   PREROUTING   raw → conntrack → mangle → nat (DNAT)
 *   INPUT        mangle → filter → nat (SNAT) → conntrack confirm
 *   FORWARD      mangle → filter
 *   OUTPUT       raw → conntrack → mangle → nat (DNAT) → filter
 *   POSTROUTING  mangle → nat (SNAT) → conntrack confirm
 *
 * A chain's rules are tried in order; a jump enters a user chain, RETURN (or
 * its end) comes back, and a built-in chain's end applies its policy. Only a
 * connection's first packet traverses the nat table; the binding it makes (or
 * a null binding, which still rewrites the source port when two connections
 * would collide) is then applied to every packet of the connection in both
 * directions, and to ICMP errors about it (outer and quoted headers).
 *
 * Every drop names the table, chain and rule (`dropDetail`), so that the trace
 * explains it. LOG writes kernel log lines (`dmesg`).
 *
 * Connection tracking turns on when a rule needs it (a NAT target, a
 * `conntrack`/`state` match) and stays on, as loading nf_conntrack does.
 * Simplified: fragments are not reassembled before the hooks (non-first
 * fragments match on addresses only and are not tracked); MASQUERADE entries
 * are not flushed when the device's address changes.
 *
 * @module
 */
import {
  type Ip4,
  IpProto,
  newPacket,
  noTcpOptions,
  type Packet,
  TcpFlag,
} from "../wire/packet.ts";
import { broadcastOf } from "../wire/addr.ts";
import { ipPayloadLength } from "../wire/frame.ts";
import {
  type Hook,
  ipHeaderLength,
  type Ipv4Stack,
  type PacketFilter,
  type Verdict,
} from "../ip/ipv4.ts";
import type { Interface } from "../net/interface.ts";
import type { Rng } from "../sim/rng.ts";
import {
  Conn,
  ConntrackTable,
  CtState,
  ICMP_ERROR_TYPES,
  invert,
  type PacketCt,
  type Tuple,
  tupleOf,
} from "./conntrack.ts";
import { ADDR_TYPES, type NatRange, type Rule, ruleMatches } from "./rule.ts";
import { natQuote, quotedTuple } from "./quote.ts";
import { logLine } from "./log.ts";

/** The `-m addrtype` bit of a type name. */
const addrBit = (name: typeof ADDR_TYPES[number]) => 1 << ADDR_TYPES.indexOf(name);
const ADDR_UNICAST = addrBit("UNICAST");
const ADDR_LOCAL = addrBit("LOCAL");
const ADDR_BROADCAST = addrBit("BROADCAST");
const ADDR_MULTICAST = addrBit("MULTICAST");

/** The four tables. */
export type TableName = "raw" | "mangle" | "nat" | "filter";
/** Tables in the order `iptables-save` prints them. */
export const TABLE_NAMES: readonly TableName[] = ["raw", "mangle", "nat", "filter"];

/** Built-in chains of each table, in Linux's order. */
export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
};

const CHAIN_OF_HOOK: Record<Hook, string> = {
  prerouting: "PREROUTING",
  input: "INPUT",
  forward: "FORWARD",
  output: "OUTPUT",
  postrouting: "POSTROUTING",
};

/** A chain: its rules, and for a built-in chain its policy and policy counters. */
export class Chain {
  /** Chain name ("INPUT", or a user chain's). */
  readonly name: string;
  /** Whether it is a table's built-in chain (which has a policy). */
  readonly builtin: boolean;
  /** What happens at the end of a built-in chain. */
  policy: "ACCEPT" | "DROP" = "ACCEPT";
  /** Rules, in order. */
  readonly rules: Rule[] = [];
  /** Packets and bytes that met the policy. */
  pkts = 0;
  /** Bytes (IP total length) that met the policy. */
  bytes = 0;
  /**
   * Whether the chain exists in the kernel. iptables-nft creates a built-in
   * (base) chain the first time a command writes to it (`-A`, `-I`, `-P`,
   * `-F CHAIN`, a restore's chain line) and `-X` deletes an empty one; until
   * then the chain is not hooked, sees no packets, and listings show it with
   * policy ACCEPT and zero counters. A user chain exists from `-N` on.
   */
  created: boolean;
  /**
   * Whether the kernel keeps this built-in chain's policy counters. nf_tables
   * allocates them only when a command sends counters with the chain:
   * iptables-nft does for `-P` (which also zeroes them), `-Z` and a restore's
   * chain line, not when `-A`, `-I` or `-F CHAIN` create the chain, so the
   * policy of a chain made by a rule counts nothing until it is zeroed or
   * given a policy.
   */
  counting = false;

  /** An empty chain (a built-in one not yet created in the kernel). */
  constructor(name: string, builtin: boolean) {
    this.name = name;
    this.builtin = builtin;
    this.created = !builtin;
  }
}

/** One table: its chains in creation order (built-ins first). */
export class NfTable {
  /** Table name. */
  readonly name: TableName;
  /** Chains by name, built-ins first, then user chains in creation order. */
  readonly chains: Map<string, Chain> = new Map();
  /**
   * Whether the table exists in the kernel (the tables `iptables-save`
   * prints): from the first command that creates one of its chains on.
   */
  created = false;

  /** A table with its built-in chains, empty, policies ACCEPT. */
  constructor(name: TableName) {
    this.name = name;
    for (const c of BUILTIN_CHAINS[name]) this.chains.set(c, new Chain(c, true));
  }

  /** How many rules jump to `chain`. */
  references(chain: string): number {
    let n = 0;
    for (const c of this.chains.values()) {
      for (const r of c.rules) {
        if (r.target.kind === "jump" && r.target.chain === chain) n++;
      }
    }
    return n;
  }
}

/** A kernel log line (from the LOG target). */
export interface LogLine {
  /** Virtual time, ns. */
  time: number;
  /** The line without the timestamp. */
  text: string;
  /** Its syslog level (LOG's `--log-level`: 0 emerg … 7 debug). */
  level: number;
}

/** The outcome of walking one chain. */
type ChainResult = "accept" | "drop" | "stolen" | "continue";

const REJECT_CODES: Record<string, number> = {
  "icmp-net-unreachable": 0,
  "icmp-host-unreachable": 1,
  "icmp-proto-unreachable": 2,
  "icmp-port-unreachable": 3,
  "icmp-net-prohibited": 9,
  "icmp-host-prohibited": 10,
  "icmp-admin-prohibited": 13,
};

/** Netfilter for one namespace; attach with `attach()` (sets the stack's `filter`). */
export class Netfilter implements PacketFilter {
  /** The IPv4 layer it filters for. */
  readonly stack: Ipv4Stack;
  /** The four tables. */
  readonly tables: Record<TableName, NfTable> = {
    raw: new NfTable("raw"),
    mangle: new NfTable("mangle"),
    nat: new NfTable("nat"),
    filter: new NfTable("filter"),
  };
  /** The connection table. */
  readonly conntrack: ConntrackTable = new ConntrackTable();
  /** Whether connection tracking is on (a rule needed it). */
  tracking = false;
  /** Kernel log lines written by LOG. */
  readonly log: LogLine[] = [];
  /** Why the last "drop" verdict was given: "filter FORWARD rule 3 (DROP)". */
  dropDetail = "";
  readonly #rng: Rng;

  /** Netfilter for a namespace's IPv4 layer (not yet attached). */
  constructor(stack: Ipv4Stack) {
    this.stack = stack;
    const ns = stack.ns;
    this.#rng = ns.sim.rng(`nat:${ns.nodeName}:${ns.name}`);
  }

  /** An address's type as the routing tables see it (what `-m addrtype` tests). */
  readonly #addrType = (a: Ip4): number => {
    if (a === 0xffffffff) return ADDR_BROADCAST;
    if ((a >>> 28) === 14) return ADDR_MULTICAST;
    if (this.stack.isLocal(a)) return ADDR_LOCAL;
    if (
      this.stack.addrs.some((x) => x.len < 31 && (x.broadcast || broadcastOf(x.addr, x.len)) === a)
    ) {
      return ADDR_BROADCAST;
    }
    return ADDR_UNICAST;
  };

  /** Hook this netfilter into its IPv4 stack. */
  attach(): this {
    this.stack.filter = this;
    return this;
  }

  /** A chain by table and name. */
  chain(table: TableName, name: string): Chain | undefined {
    return this.tables[table].chains.get(name);
  }

  // ------------------------------------------------------------------ hooks

  /** Run a packet through the tables registered at `hook`. */
  run(hook: Hook, p: Packet, inIf: Interface | undefined, outIf: Interface | undefined): Verdict {
    if (p.ip === undefined) return "accept";
    let pct = p.ct as PacketCt | undefined;
    const first = hook === "prerouting" || hook === "output";
    if (first) {
      const v = this.#walk("raw", hook, p, inIf, outIf, 0);
      if (v !== "accept") return v;
      if (this.tracking && p.ct === undefined) {
        pct = this.#track(p);
        p.ct = pct;
      }
      pct = p.ct as PacketCt | undefined;
    }
    const state = pct?.state ?? 0;
    let v = this.#walk("mangle", hook, p, inIf, outIf, state);
    if (v !== "accept") return v;
    if (hook === "prerouting") return this.#nat(hook, p, inIf, outIf, pct);
    if (hook === "output") {
      v = this.#nat(hook, p, inIf, outIf, pct);
      if (v !== "accept") return v;
    }
    if (hook !== "postrouting") {
      v = this.#walk("filter", hook, p, inIf, outIf, state);
      if (v !== "accept") return v;
    }
    if (hook === "input" || hook === "postrouting") {
      v = this.#nat(hook, p, inIf, outIf, pct);
      if (v !== "accept") return v;
      // __nf_conntrack_confirm: only a packet in the original direction inserts
      // (an error attached to a dying first packet does not).
      if (pct?.conn && !pct.conn.confirmed && pct.dir === 0) this.conntrack.confirm(pct.conn);
    }
    return "accept";
  }

  /**
   * nf_conntrack_attach: an ICMP error or a REJECT's reset about `cause`
   * belongs to the cause's connection, RELATED, in the other direction; its
   * OUTPUT hook then skips the lookup, and NAT rewrites it by that connection
   * even when the cause was a first packet that never reached POSTROUTING
   * (the time exceeded of a DNATed packet comes from the public address).
   */
  attachError(error: Packet, cause: Packet): void {
    const c = cause.ct as PacketCt | undefined;
    if (c?.conn === undefined) return;
    error.ct = { conn: c.conn, dir: c.dir === 0 ? 1 : 0, state: CtState.RELATED };
  }

  /** Conntrack's PREROUTING/OUTPUT step: what state the packet is in. */
  #track(p: Packet): PacketCt {
    const now = this.stack.ns.sim.now;
    if (p.icmp && ICMP_ERROR_TYPES.has(p.icmp.type)) {
      // An ICMP error is RELATED to the connection of the packet it quotes.
      const q = quotedTuple(p);
      const hit = q && this.conntrack.lookup(invert(q), now);
      if (!hit) return { conn: undefined, dir: 0, state: CtState.INVALID };
      hit.conn.expires = Math.max(hit.conn.expires, now);
      return { conn: hit.conn, dir: hit.dir, state: CtState.RELATED };
    }
    const t = tupleOf(p);
    if (t === undefined) return { conn: undefined, dir: 0, state: CtState.INVALID };
    return this.conntrack.track(p, t, now);
  }

  // ------------------------------------------------------------------ chains

  #walk(
    table: TableName,
    hook: Hook,
    p: Packet,
    inIf: Interface | undefined,
    outIf: Interface | undefined,
    ctState: number,
  ): Verdict {
    const chain = this.tables[table].chains.get(CHAIN_OF_HOOK[hook]);
    if (chain === undefined || !chain.created) return "accept";
    if (chain.rules.length === 0 && chain.policy === "ACCEPT") {
      if (chain.counting) {
        chain.pkts++;
        chain.bytes += ipLength(p);
      }
      return "accept";
    }
    const r = this.#chain(table, chain, hook, p, inIf, outIf, ctState, 0);
    if (r === "continue") {
      if (chain.counting) {
        chain.pkts++;
        chain.bytes += ipLength(p);
      }
      if (chain.policy === "DROP") {
        this.dropDetail = `${table} ${chain.name} policy DROP`;
        return "drop";
      }
      return "accept";
    }
    return r;
  }

  #chain(
    table: TableName,
    chain: Chain,
    hook: Hook,
    p: Packet,
    inIf: Interface | undefined,
    outIf: Interface | undefined,
    ctState: number,
    depth: number,
  ): ChainResult {
    const cx = { inIf, outIf, ctState, addrType: this.#addrType };
    for (let i = 0; i < chain.rules.length; i++) {
      const rule = chain.rules[i]!;
      if (!ruleMatches(rule, p, cx)) continue;
      rule.pkts++;
      rule.bytes += ipLength(p);
      const where = `${table} ${chain.name} rule ${i + 1}`;
      const t = rule.target;
      switch (t.kind) {
        case "none":
          continue;
        case "ACCEPT":
          return "accept";
        case "DROP":
          this.dropDetail = `${where} (DROP)`;
          return "drop";
        case "RETURN":
          return "continue";
        case "jump": {
          const sub = this.tables[table].chains.get(t.chain);
          if (sub === undefined || depth > 64) continue;
          const r = this.#chain(table, sub, hook, p, inIf, outIf, ctState, depth + 1);
          if (r !== "continue" || t.goto) return r;
          continue;
        }
        case "REJECT":
          this.#reject(p, t.with, inIf);
          this.dropDetail = `${where} (REJECT --reject-with ${t.with})`;
          return "drop";
        case "LOG":
          this.#log(p, t, inIf, outIf);
          continue;
        case "MARK":
          p.mark = ((p.mark & ~t.mask) ^ t.value) >>> 0;
          continue;
        case "NOTRACK":
          p.ct = { conn: undefined, dir: 0, state: CtState.UNTRACKED };
          continue;
        case "SNAT":
        case "DNAT":
        case "MASQUERADE":
        case "REDIRECT": {
          const pct = p.ct as PacketCt | undefined;
          if (pct?.conn === undefined) return "accept";
          const ok = this.#setupNat(pct.conn, t.kind, t.range, p, inIf, outIf, hook);
          if (!ok) {
            this.dropDetail = `${where} (${t.kind}: no address)`;
            return "drop";
          }
          return "accept";
        }
      }
    }
    return "continue";
  }

  // -------------------------------------------------------------------- NAT

  /** The nat table's step at a hook: decide a binding for a new connection, then rewrite. */
  #nat(
    hook: Hook,
    p: Packet,
    inIf: Interface | undefined,
    outIf: Interface | undefined,
    pct: PacketCt | undefined,
  ): Verdict {
    const c = pct?.conn;
    if (c === undefined || pct === undefined) return "accept";
    const src = hook === "input" || hook === "postrouting";
    if (pct.state === CtState.RELATED && p.icmp) {
      this.#natIcmpError(p, c, pct.dir, src);
      return "accept";
    }
    const done = src ? c.srcNatDone : c.dstNatDone;
    if (!c.confirmed && pct.dir === 0 && !done) {
      const v = this.#walk("nat", hook, p, inIf, outIf, pct.state);
      if (v === "drop") return v;
      if (!(src ? c.srcNatDone : c.dstNatDone)) this.#nullBinding(c, src);
    }
    manipPacket(p, c, pct.dir, src);
    return "accept";
  }

  #setupNat(
    c: Conn,
    kind: "SNAT" | "DNAT" | "MASQUERADE" | "REDIRECT",
    range: NatRange,
    p: Packet,
    inIf: Interface | undefined,
    outIf: Interface | undefined,
    hook: Hook,
  ): boolean {
    let r = range;
    if (kind === "MASQUERADE") {
      const a = outIf ? this.#addressOf(outIf, p.ip!.dst) : 0;
      if (a === 0) return false;
      r = { ...range, minAddr: a, maxAddr: a };
      c.masqIf = outIf!.name;
    } else if (kind === "REDIRECT") {
      // To the incoming device's first address, or 127.0.0.1 for local packets.
      const a = hook === "output" ? 0x7f000001 : inIf ? this.#addressOf(inIf, 0) : 0;
      if (a === 0) return false;
      r = { ...range, minAddr: a, maxAddr: a };
    }
    const srcManip = kind === "SNAT" || kind === "MASQUERADE";
    this.#bind(c, srcManip, r);
    return true;
  }

  #addressOf(dev: Interface, dst: Ip4): Ip4 {
    const a = this.stack.selectSource(dev, dst, "global");
    return this.stack.addrs.some((x) => x.iface === dev && x.addr === a) ? a : 0;
  }

  #nullBinding(c: Conn, srcManip: boolean): void {
    const cur = invert(c.reply);
    const a = srcManip ? cur.src : cur.dst;
    this.#bind(c, srcManip, { minAddr: a, maxAddr: a, minPort: 0, maxPort: 0, random: false });
  }

  /** Linux's get_unique_tuple: map the connection's current tuple into `range`, uniquely. */
  #bind(c: Conn, srcManip: boolean, range: NatRange): void {
    const now = this.stack.ns.sim.now;
    const cur = invert(c.reply);
    const used = (t: Tuple) => this.conntrack.taken(invert(t), now, c);
    const portOf = (t: Tuple) => t.proto === IpProto.ICMP ? t.sport : srcManip ? t.sport : t.dport;
    const setPort = (t: Tuple, v: number) => {
      if (t.proto === IpProto.ICMP || srcManip) t.sport = v;
      else t.dport = v;
    };
    const hasPorts = range.minPort !== 0 || range.maxPort !== 0;
    const addrInRange = (t: Tuple) => {
      const a = srcManip ? t.src : t.dst;
      return range.minAddr === 0 || (a >= range.minAddr && a <= range.maxAddr);
    };
    const portInRange = (t: Tuple) =>
      !hasPorts || (portOf(t) >= range.minPort && portOf(t) <= range.maxPort);
    let chosen: Tuple | undefined;
    if (srcManip && !range.random) {
      if (addrInRange(cur) && portInRange(cur) && !used(cur)) chosen = cur;
      else {
        const again = this.#existingSourceMapping(cur, range, now);
        if (again && !used(again)) chosen = again;
      }
    }
    if (chosen === undefined) {
      const t = { ...cur };
      if (range.minAddr !== 0) {
        const span = range.maxAddr - range.minAddr + 1;
        const pick = range.minAddr + (hashAddr(t.src, t.dst) % span);
        if (srcManip) t.src = pick;
        else t.dst = pick;
      }
      if (
        !range.random &&
        (hasPorts ? portInRange(t) && (range.minPort === range.maxPort || !used(t)) : !used(t))
      ) {
        chosen = t;
      } else {
        chosen = this.#uniquePort(t, range, srcManip, used, portOf, setPort);
      }
    }
    c.reply = invert(chosen);
    const changed = chosen.src !== cur.src || chosen.dst !== cur.dst ||
      chosen.sport !== cur.sport || chosen.dport !== cur.dport;
    if (srcManip) {
      c.srcNatDone = true;
      if (changed) c.srcNat = true;
    } else {
      c.dstNatDone = true;
      if (changed) c.dstNat = true;
    }
  }

  /** find_appropriate_src: the mapping an earlier connection from the same source got. */
  #existingSourceMapping(cur: Tuple, range: NatRange, now: number): Tuple | undefined {
    for (const o of this.conntrack.list(now)) {
      if (
        o.srcNat && o.orig.src === cur.src && o.orig.sport === cur.sport &&
        o.orig.proto === cur.proto
      ) {
        const mapped = o.reply.dst;
        if (range.minAddr !== 0 && (mapped < range.minAddr || mapped > range.maxAddr)) continue;
        return { ...cur, src: mapped, sport: o.reply.dport };
      }
    }
    return undefined;
  }

  /** nf_nat_l4proto_unique_tuple: search the port range from a random offset. */
  #uniquePort(
    t: Tuple,
    range: NatRange,
    srcManip: boolean,
    used: (t: Tuple) => boolean,
    portOf: (t: Tuple) => number,
    setPort: (t: Tuple, v: number) => void,
  ): Tuple {
    const hasPorts = range.minPort !== 0 || range.maxPort !== 0;
    let min: number;
    let size: number;
    if (t.proto === IpProto.ICMP) {
      [min, size] = hasPorts ? [range.minPort, range.maxPort - range.minPort + 1] : [0, 65536];
    } else if (t.proto !== IpProto.TCP && t.proto !== IpProto.UDP) {
      return t;
    } else if (!hasPorts) {
      if (!srcManip) return t; // a destination rewrite without ports keeps the port
      const port = portOf(t);
      if (port < 512) [min, size] = [1, 511];
      else if (port < 1024) [min, size] = [600, 424];
      else [min, size] = [1024, 64512];
    } else {
      const lo = Math.min(range.minPort, range.maxPort);
      const hi = Math.max(range.minPort, range.maxPort);
      [min, size] = [lo, hi - lo + 1];
    }
    let off = srcManip || range.random ? this.#rng.nextU32() & 0xffff : 0;
    let attempts = Math.min(size, 128);
    for (;;) {
      for (let i = 0; i < attempts; i++, off++) {
        setPort(t, min + (off % size));
        if (!used(t)) return t;
      }
      if (attempts >= size || attempts < 16) return t;
      attempts = attempts >> 1;
      off = this.#rng.nextU32() & 0xffff;
    }
  }

  /** nf_nat_icmp_reply_translation: rewrite the quoted packet back, then the outer header. */
  #natIcmpError(p: Packet, c: Conn, dir: 0 | 1, srcManip: boolean): void {
    if (!natBit(c, dir, srcManip)) return;
    const other = dir === 0 ? c.reply : c.orig;
    natQuote(p, other, !srcManip);
    const target = invert(other);
    p.ip = srcManip ? { ...p.ip!, src: target.src } : { ...p.ip!, dst: target.dst };
  }

  // ---------------------------------------------------------------- targets

  #reject(p: Packet, how: string, inIf: Interface | undefined): void {
    if (how === "tcp-reset") {
      this.#sendReset(p);
      return;
    }
    this.stack.icmpError(p, 3, REJECT_CODES[how] ?? 3, 0, inIf);
  }

  /** nf_send_reset: a RST to the sender from the address it sent to. */
  #sendReset(p: Packet): void {
    const seg = p.tcp;
    const ip = p.ip!;
    if (seg === undefined || (seg.flags & TcpFlag.RST)) return;
    const rst = newPacket({ dst: 0, src: 0, type: 0x0800, vlan: undefined });
    rst.ip = {
      tos: 0,
      id: 0,
      df: true,
      mf: false,
      fragOffset: 0,
      ttl: this.stack.ns.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.TCP,
      src: ip.dst,
      dst: ip.src,
      options: undefined,
    };
    const len = (typeof seg.payload === "number" ? seg.payload : seg.payload.length) +
      (seg.flags & TcpFlag.SYN ? 1 : 0) + (seg.flags & TcpFlag.FIN ? 1 : 0);
    const hasAck = (seg.flags & TcpFlag.ACK) !== 0;
    rst.tcp = {
      srcPort: seg.dstPort,
      dstPort: seg.srcPort,
      seq: hasAck ? seg.ack : 0,
      ack: hasAck ? 0 : (seg.seq + len) >>> 0,
      flags: hasAck ? TcpFlag.RST : TcpFlag.RST | TcpFlag.ACK,
      window: 0,
      urgent: 0,
      options: noTcpOptions(),
      payload: 0,
    };
    this.attachError(rst, p);
    this.stack.ns.sim.trace.birth(rst);
    this.stack.output(rst);
  }

  /** A LOG line, in the kernel's layout (see log.ts). */
  #log(
    p: Packet,
    t: { prefix: string; level: number; flags: number },
    inIf: Interface | undefined,
    outIf: Interface | undefined,
  ): void {
    const text = logLine(p, t.prefix, inIf, outIf, t.flags);
    this.log.push({ time: this.stack.ns.sim.now, text, level: t.level });
  }
}

/** IP total length of a packet, as the counters count it. */
function ipLength(p: Packet): number {
  return ipHeaderLength(p) + ipPayloadLength(p);
}

/** Whether a packet in direction `dir` gets a manip of this kind (nf_nat_packet's statusbit). */
function natBit(c: Conn, dir: 0 | 1, srcManip: boolean): boolean {
  const orig = srcManip ? c.srcNat : c.dstNat;
  const swapped = srcManip ? c.dstNat : c.srcNat;
  return dir === 0 ? orig : swapped;
}

/** Rewrite a packet's source or destination to what its connection's NAT binding says. */
function manipPacket(p: Packet, c: Conn, dir: 0 | 1, srcManip: boolean): void {
  if (!natBit(c, dir, srcManip)) return;
  const target = invert(dir === 0 ? c.reply : c.orig);
  // Headers are replaced, not edited: a sender may still hold the objects it sent.
  p.ip = srcManip ? { ...p.ip!, src: target.src } : { ...p.ip!, dst: target.dst };
  if (p.icmp) {
    if (p.icmp.type === 0 || p.icmp.type === 8 || (p.icmp.type >= 13 && p.icmp.type <= 18)) {
      p.icmp = { ...p.icmp, rest: ((target.sport << 16) | (p.icmp.rest & 0xffff)) >>> 0 };
    }
    return;
  }
  if (p.tcp) {
    p.tcp = srcManip ? { ...p.tcp, srcPort: target.sport } : { ...p.tcp, dstPort: target.dport };
  } else if (p.udp) {
    p.udp = srcManip ? { ...p.udp, srcPort: target.sport } : { ...p.udp, dstPort: target.dport };
  }
}

/** A hash spreading sources over an address range (find_best_ips_proto uses jhash). */
function hashAddr(src: Ip4, dst: Ip4): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b) ^ dst;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export { Conn, ConntrackTable, CtState };
export type { PacketCt };
