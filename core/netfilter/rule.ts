/**
 * One iptables rule: the selectors every rule has (`-s`, `-d`, `-p`, `-i`,
 * `-o`, each invertible with `!`), the match extensions packetlab models
 * (tcp, udp, icmp, multiport, conntrack, state, mark, comment), a target, and
 * the rule's packet and byte counters. `ruleMatches` decides whether a packet
 * matches, exactly as the kernel's ip_packet_match plus each match's function.
 *
 * Left out: fragments (`-f`), IPv6, and the many match extensions not listed.
 *
 * @module
 */
import { type Ip4, IpProto, type Packet } from "../wire/packet.ts";
import type { Interface } from "../net/interface.ts";

/** `-s`/`-d`: an address with a mask (not necessarily contiguous). */
export interface AddrSel {
  addr: Ip4;
  mask: number;
  invert: boolean;
}

/** `-i`/`-o`: a device name; a trailing `+` matches every name with that prefix. */
export interface IfaceSel {
  name: string;
  invert: boolean;
}

/** A port or a port range `lo:hi`. */
export interface PortRange {
  lo: number;
  hi: number;
}

/** A TCP flags test (`--tcp-flags MASK COMP`, `--syn`). */
export interface TcpFlagsSel {
  mask: number;
  comp: number;
  invert: boolean;
}

/** A match extension, in the order the rule gave them. */
export type Match =
  | {
    kind: "tcp";
    sport: PortRange | undefined;
    sportInvert: boolean;
    dport: PortRange | undefined;
    dportInvert: boolean;
    flags: TcpFlagsSel | undefined;
    /** Whether `-m tcp` was written (else implied by `-p tcp`). */
    explicit: boolean;
  }
  | {
    kind: "udp";
    sport: PortRange | undefined;
    sportInvert: boolean;
    dport: PortRange | undefined;
    dportInvert: boolean;
    explicit: boolean;
  }
  | {
    kind: "icmp";
    /** 255 means any type. */
    type: number;
    /** -1 means any code. */
    code: number;
    invert: boolean;
    explicit: boolean;
  }
  | {
    kind: "multiport";
    which: "sports" | "dports" | "ports";
    ports: PortRange[];
    invert: boolean;
  }
  | { kind: "conntrack" | "state"; states: number; invert: boolean }
  | { kind: "mark"; value: number; mask: number; invert: boolean }
  | { kind: "comment"; text: string }
  | {
    kind: "addrtype";
    /** Bits of ADDR_TYPES for the source, 0 when not tested. */
    src: number;
    srcInvert: boolean;
    dst: number;
    dstInvert: boolean;
  };

/** Address types of `-m addrtype`, in the kernel's order (RTN_*), one bit each. */
export const ADDR_TYPES = [
  "UNSPEC",
  "UNICAST",
  "LOCAL",
  "BROADCAST",
  "ANYCAST",
  "MULTICAST",
  "BLACKHOLE",
  "UNREACHABLE",
  "PROHIBIT",
  "THROW",
  "NAT",
  "XRESOLVE",
] as const;

/** NAT ranges: addresses and ports to map to (0 when not given). */
export interface NatRange {
  /** First address of the range (0: keep the address). */
  minAddr: Ip4;
  /** Last address of the range. */
  maxAddr: Ip4;
  /** First port (0: no port range). */
  minPort: number;
  /** Last port. */
  maxPort: number;
  /** `--random`: the port offset is random even when the original port is free. */
  random: boolean;
}

/** What a rule does when it matches. */
/**
 * The LOG target's option flags (xt_log_info.logflags), in the order iptables
 * prints them: bit, option, and the word `iptables -L` shows.
 */
export const LOG_FLAGS: ReadonlyArray<readonly [number, string, string]> = [
  [0x01, "--log-tcp-sequence", "tcp-sequence"],
  [0x02, "--log-tcp-options", "tcp-options"],
  [0x04, "--log-ip-options", "ip-options"],
  [0x08, "--log-uid", "uid"],
  [0x20, "--log-macdecode", "macdecode"],
];

export type Target =
  | { kind: "ACCEPT" | "DROP" | "RETURN" | "none" }
  /** `-j NOTRACK`, or `-j CT --notrack` when `ct`. */
  | { kind: "NOTRACK"; ct: boolean }
  | { kind: "jump"; chain: string; goto: boolean }
  | { kind: "REJECT"; with: string }
  | {
    kind: "LOG";
    prefix: string;
    level: number;
    /** xt_log_info's logflags: LOG_FLAGS bits (--log-tcp-sequence, …). */
    flags: number;
  }
  | { kind: "MARK"; value: number; mask: number }
  | { kind: "SNAT" | "DNAT"; range: NatRange }
  | { kind: "MASQUERADE" | "REDIRECT"; range: NatRange };

/** One rule with its counters. */
export interface Rule {
  /** `-s`. */
  src: AddrSel | undefined;
  /** `-d`. */
  dst: AddrSel | undefined;
  /** `-p`: 0 means all. */
  proto: number;
  /** `! -p`. */
  protoInvert: boolean;
  /** `-i`. */
  inIf: IfaceSel | undefined;
  /** `-o`. */
  outIf: IfaceSel | undefined;
  /** `-m` matches (and the protocol's implicit one), in order. */
  matches: Match[];
  /** `-j`/`-g`, or "none" for a rule that only counts. */
  target: Target;
  /** Packets that matched. */
  pkts: number;
  /** Bytes (IP total length) that matched. */
  bytes: number;
}

/** A rule that matches everything and does `target`. */
export function newRule(target: Target): Rule {
  return {
    src: undefined,
    dst: undefined,
    proto: 0,
    protoInvert: false,
    inIf: undefined,
    outIf: undefined,
    matches: [],
    target,
    pkts: 0,
    bytes: 0,
  };
}

/** Whether a device name matches an `-i`/`-o` selector (`eth+` is a prefix). */
export function ifaceMatches(sel: IfaceSel, dev: Interface | undefined): boolean {
  const name = dev?.name ?? "";
  const m = sel.name.endsWith("+") ? name.startsWith(sel.name.slice(0, -1)) : name === sel.name;
  return m !== sel.invert;
}

function inRange(port: number, r: PortRange): boolean {
  return port >= r.lo && port <= r.hi;
}

/** What the matches need to know beyond the packet: the conntrack state bits. */
export interface MatchContext {
  inIf: Interface | undefined;
  outIf: Interface | undefined;
  /** One of the CtState bits (conntrack), 0 when not tracked. */
  ctState: number;
  /** The ADDR_TYPES bit of an address as this namespace's routing sees it (addrtype). */
  addrType?: (a: Ip4) => number;
}

/** Whether `p` matches every selector and match of `r`. */
export function ruleMatches(r: Rule, p: Packet, cx: MatchContext): boolean {
  const ip = p.ip!;
  if (
    r.src && (((ip.src & r.src.mask) >>> 0) === ((r.src.addr & r.src.mask) >>> 0)) === r.src.invert
  ) {
    return false;
  }
  if (
    r.dst && (((ip.dst & r.dst.mask) >>> 0) === ((r.dst.addr & r.dst.mask) >>> 0)) === r.dst.invert
  ) {
    return false;
  }
  if (r.proto !== 0 && (ip.proto === r.proto) === r.protoInvert) return false;
  if (r.inIf && !ifaceMatches(r.inIf, cx.inIf)) return false;
  if (r.outIf && !ifaceMatches(r.outIf, cx.outIf)) return false;
  for (const m of r.matches) {
    if (!matchOne(m, p, cx)) return false;
  }
  return true;
}

function ports(p: Packet): [number, number] | undefined {
  if (p.tcp) return [p.tcp.srcPort, p.tcp.dstPort];
  if (p.udp) return [p.udp.srcPort, p.udp.dstPort];
  return undefined;
}

function matchOne(m: Match, p: Packet, cx: MatchContext): boolean {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      const seg = m.kind === "tcp" ? p.tcp : p.udp;
      // A non-first fragment or another protocol never matches a port test.
      if (seg === undefined) return false;
      if (m.sport && inRange(seg.srcPort, m.sport) === m.sportInvert) return false;
      if (m.dport && inRange(seg.dstPort, m.dport) === m.dportInvert) return false;
      if (m.kind === "tcp" && m.flags) {
        const f = p.tcp!.flags;
        if (((f & m.flags.mask) === m.flags.comp) === m.flags.invert) return false;
      }
      return true;
    }
    case "icmp": {
      if (p.icmp === undefined) return false;
      const hit = m.type === 255 ||
        (p.icmp.type === m.type && (m.code < 0 || p.icmp.code === m.code));
      return hit !== m.invert;
    }
    case "multiport": {
      const pp = ports(p);
      if (pp === undefined) return false;
      const hit = m.ports.some((r) =>
        (m.which !== "dports" && inRange(pp[0], r)) ||
        (m.which !== "sports" && inRange(pp[1], r))
      );
      return hit !== m.invert;
    }
    case "conntrack":
    case "state":
      return ((cx.ctState & m.states) !== 0) !== m.invert;
    case "mark":
      return ((((p.mark & m.mask) >>> 0) === m.value) !== m.invert);
    case "comment":
      return true;
    case "addrtype": {
      const type = cx.addrType;
      if (type === undefined) return false;
      if (m.src !== 0 && ((type(p.ip!.src) & m.src) !== 0) === m.srcInvert) return false;
      if (m.dst !== 0 && ((type(p.ip!.dst) & m.dst) !== 0) === m.dstInvert) return false;
      return true;
    }
  }
}

/** IP protocol numbers by the names `-p` accepts (/etc/protocols). */
export const PROTO_BY_NAME: Readonly<Record<string, number>> = {
  all: 0,
  icmp: IpProto.ICMP,
  tcp: IpProto.TCP,
  udp: IpProto.UDP,
  gre: IpProto.GRE,
  esp: IpProto.ESP,
  ah: 51,
  sctp: 132,
  igmp: 2,
};
