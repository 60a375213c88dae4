/**
 * The IPv4 layer of one namespace (RFC 791, RFC 1122, RFC 1812 for routers),
 * following Linux's packet path:
 *
 *   receive → PREROUTING → input route → local: reassembly → INPUT → protocol
 *                                       → forward: TTL → FORWARD → MTU → POSTROUTING → neighbour
 *   output (local) → route → OUTPUT → POSTROUTING → fragment → neighbour / loopback
 *
 * Addresses carry a prefix length; adding one installs Linux's kernel routes
 * (local and broadcast in table local, the prefix route in main while the device
 * is up). Rules pick tables (`ip rule`: 0 local, 32766 main, 32767 default)
 * by source, destination, TOS, fwmark, input or bound device, protocol and
 * ports, or jump (goto), pass (nop) or reject (blackhole, unreachable,
 * prohibit); a multipath route picks a next hop per flow by Linux's
 * hash-threshold over the L3 or 5-tuple hash (route.ts; docs/routing.md).
 * ICMP errors quote as much of the offending datagram as fits in 576 bytes, as
 * Linux does (at least the IP header and 8 bytes RFC 792 asks for). Redirects
 * are sent with Linux's back-off and accepted on hosts. Path MTU: frag-needed
 * lowers a per-destination PMTU (RFC 1191), kept 10 minutes.
 *
 * Simplified: ICMP rate limiting is off by default (`net.ipv4.icmp_ratelimit`
 * = 0, Linux's default is 1000 ms; set it to get Linux's per-peer token bucket);
 * no IP options processing beyond carrying them; no multicast routing; IP IDs
 * come from one per-namespace counter.
 *
 * @module
 */
import {
  BROADCAST_MAC,
  EtherType,
  type Ip4,
  IpProto,
  newPacket,
  type Packet,
} from "../wire/packet.ts";
import { broadcastOf, formatIp4, inPrefix, networkOf } from "../wire/addr.ts";
import { decodeTransport, encodeFrame, encodeTransport, ipPayloadLength } from "../wire/frame.ts";
import { isIcmpError, parseQuote, type QuotedDatagram } from "../wire/icmp.ts";
import { DropReason } from "../sim/trace.ts";
import type { Timer } from "../sim/simulator.ts";
import type { Interface } from "../net/interface.ts";
import type { Namespace, PacketType } from "../net/namespace.ts";
import { NeighTable } from "./neigh.ts";
import {
  type FlowKeys,
  multipathHash,
  type NextHop,
  nextHopDead,
  type Route,
  type RouteScope,
  RouteTable,
  type RouteType,
  SCOPE_VALUE,
  selectNextHop,
  Table,
} from "./route.ts";

/** An address assigned to an interface (`ip addr add`). */
export interface IfAddr {
  addr: Ip4;
  len: number;
  /** Broadcast address (0 for /31 and /32). */
  broadcast: Ip4;
  iface: Interface;
  scope: RouteScope;
  /** A secondary address (another address of an existing prefix on the device). */
  secondary: boolean;
  /** Label (`eth0:1`), defaults to the device name. */
  label: string;
  /** No prefix route was wanted (`noprefixroute`). */
  noprefixroute: boolean;
}

/** Error numbers the layer reports to sockets and the shell. */
export type Errno =
  | "ENETUNREACH"
  | "EHOSTUNREACH"
  | "EMSGSIZE"
  | "EACCES"
  | "EINVAL"
  | "EPERM"
  | "ENODEV"
  | "EADDRNOTAVAIL";

/** strerror() of each errno, as Linux prints it. */
export const ERRNO_TEXT: Record<Errno, string> = {
  ENETUNREACH: "Network is unreachable",
  EHOSTUNREACH: "No route to host",
  EMSGSIZE: "Message too long",
  EACCES: "Permission denied",
  EINVAL: "Invalid argument",
  EPERM: "Operation not permitted",
  ENODEV: "No such device",
  EADDRNOTAVAIL: "Cannot assign requested address",
};

/** A routing decision. */
export interface RouteResult {
  type: RouteType;
  /** The route that matched (undefined for the implicit limited-broadcast route). */
  route: Route | undefined;
  /** Output device (lo for local). */
  dev: Interface;
  /** Gateway, or 0 when the destination is on the link. */
  gateway: Ip4;
  /** Preferred source address. */
  src: Ip4;
  /** Table the route came from. */
  table: number;
  /** Path MTU towards the destination. */
  mtu: number;
}

/** What a rule does when it matches (Linux's FR_ACT_*). */
export type RuleAction = "table" | "goto" | "nop" | "blackhole" | "unreachable" | "prohibit";

/**
 * An `ip rule` (Linux's fib_rule + fib4_rule). Selectors left unset match
 * everything; `not` inverts the whole match.
 */
export interface Rule {
  /** Priority (`pref`): rules are tried in ascending order. */
  priority: number;
  /** `not`: the rule applies when its selectors do not match. */
  not: boolean;
  /** `from PREFIX` (len 0 = all). The address is kept as given; matching masks it. */
  from: { addr: Ip4; len: number };
  /** `to PREFIX` (len 0 = all). */
  to: { addr: Ip4; len: number };
  /** `tos TOS` (0 = any). */
  tos: number;
  /** `fwmark MARK[/MASK]`: matches when (packet mark ^ mark) & mask is 0. */
  fwmark: { mark: number; mask: number } | undefined;
  /** `iif NAME`: the input device (`lo` for locally generated packets). */
  iif: string | undefined;
  /** `oif NAME`: the device a socket is bound to. */
  oif: string | undefined;
  /** `ipproto` (0 = any). */
  ipproto: number;
  /** `sport A[-B]` (inclusive range), or undefined. */
  sport: [number, number] | undefined;
  /** `dport A[-B]` (inclusive range), or undefined. */
  dport: [number, number] | undefined;
  /** What happens on a match. */
  action: RuleAction;
  /** Table to look up (action "table"). */
  table: number;
  /** Priority jumped to (action "goto"). */
  goto: number;
  /** `suppress_prefixlength N`: ignore this table's answer when its prefix is N bits or shorter (-1: unset). */
  suppressPrefixLength: number;
  /** Who installed the rule: "kernel" for the three defaults, "unspec" unless `protocol` named one. */
  proto: string;
}

/** A rule with every selector unset: Linux's defaults are built from it. */
export function blankRule(priority: number, table: number): Rule {
  return {
    priority,
    not: false,
    from: { addr: 0, len: 0 },
    to: { addr: 0, len: 0 },
    tos: 0,
    fwmark: undefined,
    iif: undefined,
    oif: undefined,
    ipproto: 0,
    sport: undefined,
    dport: undefined,
    action: "table",
    table,
    goto: 0,
    suppressPrefixLength: -1,
    proto: "unspec",
  };
}

/** What a routing decision may look at besides the destination (Linux's flowi4). */
export interface RouteQuery {
  /** Source address (0 or absent: not chosen yet). */
  src?: Ip4;
  /** Input device, for a packet being received (`ip route get … iif`). */
  iif?: Interface;
  /** Device a socket is bound to. */
  oif?: Interface;
  /** Firewall mark. */
  mark?: number;
  /** TOS byte, for `ip rule … tos`. */
  tos?: number;
  /** IP protocol, for `ip rule … ipproto` and the 5-tuple multipath hash. */
  proto?: number;
  /** Source port. */
  sport?: number;
  /** Destination port. */
  dport?: number;
  /** The packet being routed: the multipath hash reads its headers (and an ICMP error's quote). */
  packet?: Packet;
}

/** Netfilter hook points, in the order a forwarded packet meets them. */
export type Hook =
  | "prerouting"
  | "input"
  | "forward"
  | "output"
  | "postrouting";

/** What a packet filter decided. */
export type Verdict = "accept" | "drop" | "stolen";

/** A packet filter attached at the five hooks (netfilter). */
export interface PacketFilter {
  /** Inspect (and possibly rewrite) a packet at a hook. */
  run(
    hook: Hook,
    p: Packet,
    inIf: Interface | undefined,
    outIf: Interface | undefined,
  ): Verdict;
  /** What gave the last "drop" verdict (table, chain, rule), for the trace. */
  readonly dropDetail: string;
  /**
   * nf_ct_attach: give an ICMP error the connection of the packet that caused
   * it, in the other direction, before it is sent.
   */
  attachError?(error: Packet, cause: Packet): void;
}

/** Receives a locally delivered packet of one IP protocol. */
export type ProtocolHandler = (
  p: Packet,
  iface: Interface,
  type: PacketType,
) => void;

/** An ICMP error reported to the transport protocol that sent the quoted datagram. */
export interface IcmpError {
  /** Who sent the error. */
  from: Ip4;
  type: number;
  code: number;
  /** The `rest` word (MTU for frag-needed, gateway for redirects). */
  rest: number;
  /** What the quote tells of the datagram that caused the error. */
  quoted: QuotedDatagram;
  /** TTL of the packet carrying the error, as received. */
  ttl: number;
  /** When it arrived, ns. */
  time: number;
}

interface Reassembly {
  parts: Array<{ off: number; bytes: Uint8Array; p: Packet }>;
  total: number;
  first: Packet | undefined;
  iface: Interface;
  timer: Timer;
}

const LIMITED_BROADCAST = 0xffffffff;
const LOOPBACK_NET = 0x7f000000;

/** Options for sending a locally generated packet. */
export interface OutputOptions {
  /** Bound device (SO_BINDTODEVICE, `ping -I`). */
  oif?: Interface;
  /** Firewall mark. */
  mark?: number;
  /** Do not fragment locally; report EMSGSIZE instead (IP_PMTUDISC_DO). */
  dontFragment?: boolean;
}

/** The options of a plain send (one shared object, not a new one per packet). */
const NO_OUTPUT_OPTIONS: OutputOptions = Object.freeze({});

/** The IPv4 layer of one namespace. */
export class Ipv4Stack {
  readonly ns: Namespace;
  readonly neigh: NeighTable;
  /** Addresses in the order they were added. */
  readonly addrs: IfAddr[] = [];
  /** Routing tables by id. */
  readonly tables: Map<number, RouteTable> = new Map();
  /** Rules sorted by priority. */
  readonly rules: Rule[] = [];
  /** Local delivery by IP protocol number. */
  readonly protocols: Map<number, ProtocolHandler> = new Map();
  /** ICMP error delivery by the quoted datagram's protocol. */
  readonly errorHandlers: Map<number, (e: IcmpError) => void> = new Map();
  /**
   * Receivers of ICMP messages other than errors and echo requests (ping
   * sockets). A listener that takes the packet records its delivery and returns true.
   */
  readonly icmpListeners: Array<(p: Packet, iface: Interface) => boolean> = [];
  /** Netfilter, when rules are loaded. */
  filter: PacketFilter | undefined;
  /** Learned path MTUs by destination. */
  readonly pmtu: Map<Ip4, { mtu: number; expires: number }> = new Map();
  /** Learned redirects: destination → new gateway. */
  readonly redirects: Map<Ip4, Ip4> = new Map();
  /** When each learned redirect expires (Linux's ip_rt_gc_timeout, 300 s), ns. */
  readonly #redirectExpires: Map<Ip4, number> = new Map();
  /** Counters in the spirit of /proc/net/snmp. */
  readonly stats = {
    inReceives: 0,
    inDelivers: 0,
    forwarded: 0,
    outRequests: 0,
    fragCreates: 0,
    reasmOks: 0,
    reasmFails: 0,
    inNoRoutes: 0,
    icmpOutErrors: 0,
    icmpOutEchoReps: 0,
  };
  #reasm = new Map<string, Reassembly>();
  #ipId: number;
  #redirectPeers = new Map<Ip4, { n: number; last: number }>();
  #icmpTokens = new Map<Ip4, { tokens: number; last: number }>();

  /** The IPv4 layer of a namespace; registers itself for IPv4 frames. */
  constructor(ns: Namespace) {
    this.ns = ns;
    for (const id of [Table.local, Table.main, Table.default]) this.table(id);
    for (
      const [priority, table] of [[0, Table.local], [32766, Table.main], [32767, Table.default]]
    ) {
      this.rules.push({ ...blankRule(priority!, table!), proto: "kernel" });
    }
    this.#ipId = ns.sim.rng(`ipid ${ns.nodeName}/${ns.name}`).nextU32() &
      0xffff;
    this.neigh = new NeighTable(ns, {
      isLocal: (a) => this.isLocal(a),
      requestSource: (iface, target, queued) => this.#arpSource(iface, target, queued),
      proxyFor: (iface, target) => this.#proxyArp(iface, target),
      linkFailure: (p) => this.icmpError(p, 3, 1, 0, undefined),
    });
    ns.protocols.set(
      EtherType.IPv4,
      (iface, p, type) => this.receive(iface, p, type),
    );
    ns.listeners.push((iface, what) => this.#deviceEvent(iface, what));
    this.protocols.set(
      IpProto.ICMP,
      (p, iface, type) => this.#icmpReceive(p, iface, type),
    );
  }

  /** A routing table by id, created on first use. */
  table(id: number): RouteTable {
    let t = this.tables.get(id);
    if (!t) {
      // Any change to a table empties the route caches (see #cachedRoute).
      t = new RouteTable(id, () => this.#gen++);
      this.tables.set(id, t);
    }
    return t;
  }

  // ---------------------------------------------------------------- addresses

  /** Whether `a` is one of this namespace's local addresses (table local, type local). */
  isLocal(a: Ip4): boolean {
    const r = this.tables.get(Table.local)!.lookup(a);
    return r !== undefined && r.type === "local";
  }

  /** Addresses of one interface. */
  addressesOf(iface: Interface): IfAddr[] {
    return this.addrs.filter((x) => x.iface === iface);
  }

  /** Add an address (`ip addr add A/LEN dev IF`); "exists" if already there. */
  addAddress(
    iface: Interface,
    addr: Ip4,
    len: number,
    o: {
      broadcast?: Ip4;
      scope?: RouteScope;
      label?: string;
      noprefixroute?: boolean;
    } = {},
  ): "ok" | "exists" {
    if (
      this.addrs.some((x) => x.iface === iface && x.addr === addr && x.len === len)
    ) {
      return "exists";
    }
    const secondary = this.addrs.some((x) =>
      x.iface === iface && x.len === len && inPrefix(addr, x.addr, len)
    );
    const scope: RouteScope = o.scope ??
      (networkOf(addr, 8) === LOOPBACK_NET ? "host" : "global");
    const a: IfAddr = {
      addr,
      len,
      broadcast: o.broadcast ?? 0,
      iface,
      scope,
      secondary,
      label: o.label ?? iface.name,
      noprefixroute: o.noprefixroute ?? false,
    };
    this.addrs.push(a);
    this.#gen++;
    this.#installAddressRoutes(a, !o.noprefixroute);
    return "ok";
  }

  /** Remove an address; false if absent. Removing a primary removes its secondaries too (Linux's default). */
  delAddress(iface: Interface, addr: Ip4, len: number): boolean {
    const i = this.addrs.findIndex((x) =>
      x.iface === iface && x.addr === addr && (len < 0 || x.len === len)
    );
    if (i < 0) return false;
    const a = this.addrs[i]!;
    const doomed = a.secondary ? [a] : this.addrs.filter((x) =>
      x === a ||
      (x.iface === iface && x.secondary && x.len === a.len &&
        inPrefix(x.addr, a.addr, a.len))
    );
    this.#gen++;
    for (const d of doomed) {
      this.addrs.splice(this.addrs.indexOf(d), 1);
      this.#removeAddressRoutes(d);
    }
    // fib_inetaddr_event: the device's last address gone, IP is off on it
    // (fib_disable_ip): every route through it goes, and its neighbours.
    if (iface.kind !== "loopback" && !this.addrs.some((x) => x.iface === iface)) {
      for (const t of this.tables.values()) {
        t.removeWhere((r) => r.nexthops.some((n) => n.dev === iface));
      }
      this.neigh.flushInterface(iface);
    }
    return true;
  }

  /** Linux's fib_add_ifaddr: the local route always; the rest only while the device is up. */
  #installAddressRoutes(a: IfAddr, prefixRoute: boolean): void {
    const local = this.table(Table.local);
    const iface = a.iface;
    // Routes of a secondary address carry its primary as their source, as Linux's do.
    const primary = a.secondary
      ? this.addrs.find((x) =>
        x.iface === iface && !x.secondary && x.len === a.len &&
        inPrefix(a.addr, x.addr, x.len)
      )?.addr ?? a.addr
      : a.addr;
    const base = {
      metric: 0,
      proto: "kernel",
      prefsrc: primary,
      mtu: 0,
      table: Table.local,
    };
    const nh = (): NextHop[] => [{ gateway: 0, dev: iface, weight: 1, onlink: false }];
    if (local.exact(a.addr, 32).length === 0) {
      local.add({
        ...base,
        type: "local",
        dst: a.addr,
        len: 32,
        scope: "host",
        nexthops: nh(),
      });
    }
    if (!iface.adminUp) return;
    if (
      a.broadcast !== 0 && a.broadcast !== LIMITED_BROADCAST &&
      local.exact(a.broadcast, 32).length === 0
    ) {
      local.add({
        ...base,
        type: "broadcast",
        dst: a.broadcast,
        len: 32,
        scope: "link",
        nexthops: nh(),
      });
    }
    const prefix = networkOf(a.addr, a.len);
    if (prefix === 0 || a.secondary || (prefix === a.addr && a.len === 32)) {
      return;
    }
    if (prefixRoute) {
      if (iface.kind === "loopback") {
        if (local.exact(prefix, a.len).length === 0) {
          local.add({
            ...base,
            type: "local",
            dst: prefix,
            len: a.len,
            scope: "host",
            nexthops: nh(),
          });
        }
      } else {
        this.#addPrefixRoute(a);
      }
    }
    if (a.len < 31) {
      const bcast = broadcastOf(a.addr, a.len);
      if (local.exact(bcast, 32).length === 0) {
        local.add({
          ...base,
          type: "broadcast",
          dst: bcast,
          len: 32,
          scope: "link",
          nexthops: nh(),
        });
      }
    }
  }

  #addPrefixRoute(a: IfAddr): void {
    const main = this.table(Table.main);
    const dst = networkOf(a.addr, a.len);
    if (
      main.exact(dst, a.len).some((r) => r.nexthops[0]?.dev === a.iface && r.proto === "kernel")
    ) {
      return;
    }
    main.add({
      table: Table.main,
      type: "unicast",
      dst,
      len: a.len,
      metric: 0,
      proto: "kernel",
      scope: "link",
      prefsrc: a.addr,
      nexthops: [{ gateway: 0, dev: a.iface, weight: 1, onlink: false }],
      mtu: 0,
    });
  }

  /** Remove the kernel routes an address made, then restore those its device's other addresses share. */
  #removeAddressRoutes(a: IfAddr): void {
    const gone = !this.addrs.some((x) => x.addr === a.addr);
    for (const t of this.tables.values()) {
      t.removeWhere((r) =>
        (r.proto === "kernel" && r.prefsrc === a.addr) ||
        // Its local route (a secondary's carries its primary as source).
        (gone && r.proto === "kernel" && r.type === "local" && r.len === 32 &&
          r.dst === a.addr) ||
        // fib_sync_down_addr: main-table routes preferring a vanished source die with it.
        (gone && t.id === Table.main && r.prefsrc === a.addr)
      );
    }
    for (const x of this.addrs) {
      if (x.iface === a.iface || x.addr === a.addr) {
        this.#installAddressRoutes(x, !x.noprefixroute);
      }
    }
  }

  #deviceEvent(iface: Interface, what: "add" | "del" | "state"): void {
    this.#gen++;
    if (what === "add") return;
    if (what === "del" || !iface.adminUp) {
      // Linux flushes every route through the device when it goes down, but
      // keeps its addresses' local routes (the host still owns them).
      for (const t of this.tables.values()) {
        t.removeWhere((r) =>
          r.nexthops.some((n) => n.dev === iface) &&
          (what === "del" ||
            // fib_sync_down_dev: a multipath route lives on, its next hops through
            // the device dead, until every next hop is dead.
            (r.nexthops.every(nextHopDead) && !(t.id === Table.local && r.type === "local")))
        );
      }
      this.neigh.flushInterface(iface);
      for (const [dst, gw] of this.redirects) {
        if (this.route(gw, {}) === "ENETUNREACH") this.redirects.delete(dst);
      }
      if (what === "del") {
        for (const a of this.addrs.filter((x) => x.iface === iface)) {
          this.addrs.splice(this.addrs.indexOf(a), 1);
          this.#removeAddressRoutes(a);
        }
      }
      return;
    }
    // Up (or carrier change while up): the addresses' routes come (back).
    for (const a of this.addrs) {
      if (a.iface === iface) this.#installAddressRoutes(a, !a.noprefixroute);
    }
  }

  /** Linux's inet_select_addr: a primary address of `dev` within `scope`, preferring `dst`'s subnet. */
  selectSource(dev: Interface | undefined, dst: Ip4, scope: RouteScope): Ip4 {
    const limit = SCOPE_VALUE[scope];
    let first = 0;
    if (dev) {
      for (const a of this.addrs) {
        if (a.iface !== dev || a.secondary || SCOPE_VALUE[a.scope] > limit) {
          continue;
        }
        if (dst !== 0 && inPrefix(dst, a.addr, a.len)) return a.addr;
        if (first === 0) first = a.addr;
      }
      if (first !== 0) return first;
    }
    // Any other device's address of suitable scope (not host scope, i.e. not lo's).
    for (const a of this.addrs) {
      if (a.secondary || a.scope === "host" || SCOPE_VALUE[a.scope] > limit) {
        continue;
      }
      return a.addr;
    }
    return 0;
  }

  #arpSource(iface: Interface, target: Ip4, queued: Packet | undefined): Ip4 {
    // arp_announce=0: the queued packet's source if it is local, else the best address on iface.
    const src = queued?.ip?.src ?? 0;
    if (src !== 0 && this.isLocal(src)) return src;
    return this.selectSource(iface, target, "link");
  }

  #proxyArp(iface: Interface, target: Ip4): boolean {
    if (this.ns.sysctl.get(`net.ipv4.conf.${iface.name}.proxy_arp`) !== "1") {
      return false;
    }
    const r = this.route(target, {});
    return typeof r !== "string" && r.type === "unicast" && r.dev !== iface;
  }

  // ------------------------------------------------------------------ routing

  /** Forget learned path MTUs and redirects (`ip route flush cache`). */
  flushCache(): void {
    this.#gen++;
    this.pmtu.clear();
    this.redirects.clear();
    this.#redirectExpires.clear();
  }

  /**
   * Whether the rules were ever changed (Linux's fib_has_custom_rules): until
   * then a decision depends on the destination only, and the kernel keeps the
   * local table merged into main, so `ip route get` of a local address names
   * no table. It never goes back to false.
   */
  get customRules(): boolean {
    return this.#customRules;
  }
  #customRules = false;

  /** Add a rule, kept sorted by priority (after the rules of equal priority). */
  addRule(rule: Rule): void {
    let i = this.rules.length;
    while (i > 0 && this.rules[i - 1]!.priority > rule.priority) i--;
    this.rules.splice(i, 0, rule);
    this.#customRules = true;
    this.#gen++;
  }

  /** Remove a rule object; false if absent. */
  deleteRule(rule: Rule): boolean {
    const i = this.rules.indexOf(rule);
    if (i < 0) return false;
    this.rules.splice(i, 1);
    this.#customRules = true;
    this.#gen++;
    return true;
  }

  /**
   * The priority a rule added without `pref` gets (Linux's
   * fib_default_rule_pref): one less than the second rule's, when that is
   * not 0; else 0. With the default rules that is 32765, then 32764, …
   */
  defaultRulePriority(): number {
    const second = this.rules[1];
    return second !== undefined && second.priority > 0 ? second.priority - 1 : 0;
  }

  /** Bumped by every change of a rule, a table, an address, a device, a PMTU or a redirect. */
  #gen = 0;
  /** What the cached decisions were made under: #gen, the sysctl version and the rule count. */
  #cacheGen = -1;
  #cacheSysctl = -1;
  #cacheRules = -1;
  #outCache = new Map<Ip4, RouteResult>();
  #inCache = new Map<Ip4, RouteResult>();

  /** The routing query for a packet: its addresses, mark, TOS, protocol and ports. */
  #queryOf(p: Packet, iif: Interface | undefined, oif: Interface | undefined): RouteQuery {
    const ip = p.ip!;
    const l4 = p.tcp ?? p.udp;
    return {
      src: ip.src,
      iif,
      oif,
      mark: p.mark,
      // ip_route_input masks with IPTOS_RT_MASK, output with RT_TOS (IPTOS_TOS_MASK).
      tos: ip.tos & (iif ? 0x1c : 0x1e),
      proto: ip.proto,
      sport: l4?.srcPort ?? 0,
      dport: l4?.dstPort ?? 0,
      packet: p,
    };
  }

  /**
   * `route()` for a packet, memoised per destination while the rules are
   * Linux's defaults (a decision then depends on the destination only), for
   * unbound sockets, and for routes with one next hop (a multipath route
   * chooses per flow); the cache empties whenever a table, rule, address,
   * device, sysctl or PMTU changes. Input decisions (with `iif`) and output
   * decisions (choosing a source) are cached apart.
   */
  #cachedRoute(p: Packet, iif: Interface | undefined, oif?: Interface): RouteResult | Errno {
    const dst = p.ip!.dst;
    const cacheable = !this.#customRules && oif === undefined;
    if (!cacheable) return this.route(dst, this.#queryOf(p, iif, oif));
    const sysctl = this.ns.sysctl.version;
    if (
      this.#gen !== this.#cacheGen || sysctl !== this.#cacheSysctl ||
      this.rules.length !== this.#cacheRules
    ) {
      this.#outCache.clear();
      this.#inCache.clear();
      this.#cacheGen = this.#gen;
      this.#cacheSysctl = sysctl;
      this.#cacheRules = this.rules.length;
    }
    const cache = iif ? this.#inCache : this.#outCache;
    const hit = cache.get(dst);
    // `ip link set DEV mtu N` changes no table: check the device's MTU is still the one cached.
    if (hit !== undefined && hit.mtu === (hit.route?.mtu || hit.dev.mtu)) return hit;
    // The output cache answers for any source, so it is filled from a source-free query.
    const q = this.#queryOf(p, iif, undefined);
    if (!iif) q.src = 0;
    const r = this.route(dst, q);
    if (
      typeof r !== "string" && (r.route?.nexthops.length ?? 0) <= 1 && !this.pmtu.has(dst) &&
      !this.redirects.has(dst) && cache.size < 4096
    ) {
      cache.set(dst, r);
    }
    return r;
  }

  /**
   * The routing decision for a destination, walking the rules (`ip route get`).
   * Returns an errno when there is no usable route.
   */
  route(dst: Ip4, o: RouteQuery): RouteResult | Errno {
    const src = o.src ?? 0;
    if (dst === LIMITED_BROADCAST || (dst === 0 && o.iif !== undefined)) {
      const dev = o.oif ?? o.iif ?? this.#firstUpDevice();
      if (!dev) return "ENETUNREACH";
      return {
        type: o.iif ? "local" : "broadcast",
        route: undefined,
        dev: o.iif ? this.ns.lo : dev,
        gateway: 0,
        src: src || this.selectSource(dev, 0, "link"),
        table: Table.local,
        mtu: dev.mtu,
      };
    }
    // fib_rules_lookup: the first matching rule whose action gives an answer.
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!this.#ruleMatches(rule, dst, src, o)) continue;
      if (rule.action === "goto") {
        // Jump to the first rule of the target priority (always a later one);
        // the loop tests it next. An unresolved goto is passed over.
        const target = rules.findIndex((x) => x.priority === rule.goto);
        if (target > i) i = target - 1;
        continue;
      }
      if (rule.action === "nop") continue;
      // fib4_rule_action's errors.
      if (rule.action === "blackhole") return "EINVAL";
      if (rule.action === "unreachable") return "ENETUNREACH";
      if (rule.action === "prohibit") return "EACCES";
      const t = this.tables.get(rule.table);
      if (!t) continue;
      const r = t.lookup(dst);
      // A throw route ends the search in this table: the next rule is tried.
      if (r === undefined || r.type === "throw") continue;
      // fib4_rule_suppress: an answer with a prefix this short does not count.
      if (
        r.len <= rule.suppressPrefixLength && r.type !== "blackhole" &&
        r.type !== "unreachable" && r.type !== "prohibit"
      ) {
        continue;
      }
      if (
        o.oif && r.type === "unicast" &&
        !r.nexthops.some((n) => n.dev === o.oif)
      ) {
        // A bound socket only uses routes through its device; else it is on-link there.
        if (t.id === Table.main || t.id === Table.local) continue;
      }
      const res = this.#result(r, dst, src, o);
      // __mkroute_output: a 127/8 source never leaves through a non-loopback device.
      if (
        o.iif === undefined && typeof res !== "string" &&
        networkOf(src, 8) === LOOPBACK_NET &&
        res.dev.kind !== "loopback"
      ) {
        return "EINVAL";
      }
      return res;
    }
    if (o.oif && o.oif.adminUp) {
      // SO_BINDTODEVICE with no route through the device: Linux treats the
      // destination as on-link on that device.
      return {
        type: "unicast",
        route: undefined,
        dev: o.oif,
        gateway: 0,
        src: src || this.selectSource(o.oif, dst, "link"),
        table: Table.main,
        mtu: this.#pathMtu(dst, o.oif.mtu, undefined),
      };
    }
    return "ENETUNREACH";
  }

  #firstUpDevice(): Interface | undefined {
    for (const i of this.ns.interfaces.values()) {
      if (i.kind !== "loopback" && i.adminUp) return i;
    }
    return undefined;
  }

  /** fib_rule_match + fib4_rule_match. A locally generated packet comes in on `lo`. */
  #ruleMatches(rule: Rule, dst: Ip4, src: Ip4, o: RouteQuery): boolean {
    const m = (rule.from.len === 0 || inPrefix(src, rule.from.addr, rule.from.len)) &&
      (rule.to.len === 0 || inPrefix(dst, rule.to.addr, rule.to.len)) &&
      (rule.iif === undefined || (o.iif?.name ?? "lo") === rule.iif) &&
      (rule.oif === undefined || o.oif?.name === rule.oif) &&
      (rule.fwmark === undefined ||
        (((rule.fwmark.mark ^ (o.mark ?? 0)) & rule.fwmark.mask) >>> 0) === 0) &&
      (rule.tos === 0 || rule.tos === (o.tos ?? 0)) &&
      (rule.ipproto === 0 || rule.ipproto === (o.proto ?? 0)) &&
      (rule.sport === undefined || inRange(o.sport ?? 0, rule.sport)) &&
      (rule.dport === undefined || inRange(o.dport ?? 0, rule.dport));
    return rule.not ? !m : m;
  }

  #hashSeed: number | undefined;

  /**
   * What the multipath hash reads (fib_multipath_hash). A received packet's
   * own headers (a fragment has no ports); but under policy 0 a forwarded
   * ICMP error hashes the datagram it quotes (ip_multipath_l3_keys), and an
   * error this host sends hashes the offending datagram under either policy
   * (icmp_route_lookup hands it to the lookup), so an error follows its flow.
   * Without a packet (`ip route get`) the query's fields, as a socket's flowi4.
   */
  #flowKeys(dst: Ip4, src: Ip4, o: RouteQuery, policy: number): FlowKeys {
    const p = o.packet;
    const ip = p?.ip;
    if (p === undefined || ip === undefined) {
      return { src, dst, proto: o.proto ?? 0, sport: o.sport ?? 0, dport: o.dport ?? 0 };
    }
    const fragment = ip.mf || ip.fragOffset > 0;
    const m = p.icmp;
    if (
      m !== undefined && !fragment && isIcmpError(m.type) && typeof m.payload !== "number" &&
      (policy !== 1 || o.iif === undefined)
    ) {
      try {
        const q = parseQuote(m.payload);
        const ports = policy === 1 && q.ip.fragOffset === 0;
        return {
          src: q.ip.src,
          dst: q.ip.dst,
          proto: q.ip.proto,
          sport: ports ? q.srcPort ?? 0 : 0,
          dport: ports ? q.dstPort ?? 0 : 0,
        };
      } catch {
        // A quote too short to read: the outer header, as Linux falls back to.
      }
    }
    const l4 = fragment ? undefined : p.tcp ?? p.udp;
    return {
      src: ip.src,
      dst: ip.dst,
      proto: ip.proto,
      sport: l4?.srcPort ?? 0,
      dport: l4?.dstPort ?? 0,
    };
  }

  /**
   * The next hop of a multipath route for this flow: through the bound
   * device when there is one (the lookup already chose it), else by the
   * hash-threshold choice over the flow hash.
   */
  #multipathNextHop(r: Route, dst: Ip4, src: Ip4, o: RouteQuery): NextHop {
    if (o.oif !== undefined) {
      const bound = r.nexthops.find((n) => n.dev === o.oif && !nextHopDead(n));
      if (bound !== undefined) return bound;
    }
    const policy = this.ns.sysctl.num("net.ipv4.fib_multipath_hash_policy");
    // Linux keys its flow hash with a random value drawn once per boot: one per node here.
    this.#hashSeed ??= this.ns.sim.rng(`multipath hash ${this.ns.nodeName}`).nextU32();
    return selectNextHop(
      r.nexthops,
      multipathHash(policy, this.#flowKeys(dst, src, o, policy), this.#hashSeed),
    );
  }

  #result(r: Route, dst: Ip4, src: Ip4, o: RouteQuery): RouteResult | Errno {
    switch (r.type) {
      case "blackhole":
        return "EINVAL";
      case "unreachable":
        return "EHOSTUNREACH";
      case "prohibit":
        return "EACCES";
    }
    const nh = r.nexthops.length === 1 ? r.nexthops[0]! : this.#multipathNextHop(r, dst, src, o);
    let gateway = r.type === "unicast" ? nh.gateway : 0;
    if ((this.#redirectExpires.get(dst) ?? Infinity) <= this.ns.sim.now) {
      this.redirects.delete(dst);
      this.#redirectExpires.delete(dst);
    }
    if (gateway === 0 && r.type === "unicast") {
      const redirected = this.redirects.get(dst);
      if (redirected !== undefined) gateway = redirected;
    } else if (gateway !== 0 && this.redirects.has(dst)) {
      gateway = this.redirects.get(dst)!;
    }
    const dev = r.type === "local" ? this.ns.lo : nh.dev;
    let s = src;
    if (s === 0) {
      s = r.prefsrc ||
        this.selectSource(
          nh.dev,
          gateway || dst,
          r.type === "local" ? "host" : r.scope === "host" ? "host" : gateway ? "global" : "link",
        );
      if (r.type === "local" && s === 0) s = dst;
    }
    return {
      type: r.type,
      route: r,
      dev,
      gateway,
      src: s,
      table: r.table,
      mtu: this.#pathMtu(dst, r.mtu || dev.mtu, r),
    };
  }

  #pathMtu(dst: Ip4, devMtu: number, _r: Route | undefined): number {
    const e = this.pmtu.get(dst);
    if (e === undefined) return devMtu;
    if (e.expires <= this.ns.sim.now) {
      this.pmtu.delete(dst);
      return devMtu;
    }
    return Math.min(e.mtu, devMtu);
  }

  // ------------------------------------------------------------------- output

  /** Next IP identification value. */
  nextId(): number {
    this.#ipId = (this.#ipId + 1) & 0xffff;
    return this.#ipId;
  }

  /**
   * Send a locally generated packet. `p.ip` must carry dst, proto, ttl, tos and
   * df; src 0 means "choose". The packet must already be born. Returns an errno
   * when it cannot be sent (the packet is then dropped and accounted).
   */
  output(p: Packet, o: OutputOptions = NO_OUTPUT_OPTIONS): Errno | undefined {
    const ip = p.ip!;
    this.stats.outRequests++;
    if (o.mark !== undefined) p.mark = o.mark;
    // The cache ignores the source, so a 127/8 source takes the full lookup (and its EINVAL).
    let r = networkOf(ip.src, 8) !== LOOPBACK_NET
      ? this.#cachedRoute(p, undefined, o.oif)
      : this.route(ip.dst, this.#queryOf(p, undefined, o.oif));
    if (typeof r === "string") {
      this.stats.inNoRoutes++;
      this.ns.sim.trace.drop(this.ns.lo, p, DropReason.noRoute, ERRNO_TEXT[r]);
      return r;
    }
    if (ip.src === 0) ip.src = r.src;
    if (this.filter) {
      const dst = ip.dst;
      const mark = p.mark;
      const v = this.filter.run("output", p, undefined, r.dev);
      if (v === "drop") {
        this.ns.sim.trace.drop(this.ns.lo, p, DropReason.netfilter, this.filter.dropDetail);
        return "EPERM";
      }
      if (v === "stolen") return undefined;
      // ip_route_me_harder: a new destination (DNAT) or mark routes the packet again.
      if (p.ip!.dst !== dst || p.mark !== mark) {
        const again = this.route(p.ip!.dst, this.#queryOf(p, undefined, o.oif));
        if (typeof again === "string") {
          this.stats.inNoRoutes++;
          this.ns.sim.trace.drop(this.ns.lo, p, DropReason.noRoute, ERRNO_TEXT[again]);
          return again;
        }
        r = again;
      }
    }
    return this.#postrouting(p, r, o.dontFragment ?? false, true);
  }

  #postrouting(
    p: Packet,
    r: RouteResult,
    dontFragment: boolean,
    local: boolean,
    iif?: Interface,
  ): Errno | undefined {
    if (this.filter) {
      // A forwarded packet still knows where it came in (ip_output's indev).
      const v = this.filter.run("postrouting", p, iif, r.dev);
      if (v === "drop") {
        this.ns.sim.trace.drop(r.dev, p, DropReason.netfilter, this.filter.dropDetail);
        return "EPERM";
      }
      if (v === "stolen") return undefined;
    }
    const ip = p.ip!;
    const total = ipHeaderLength(p) + ipPayloadLength(p);
    if (total > r.mtu && r.dev.kind !== "loopback") {
      // A local sender fragments unless it asked for IP_PMTUDISC_DO; a router
      // never fragments a DF packet (RFC 1191): it answers frag-needed.
      if (local && dontFragment) {
        this.ns.sim.trace.drop(r.dev, p, DropReason.mtuWithDf, `mtu ${r.mtu}`);
        return "EMSGSIZE";
      }
      if (!local && ip.df) {
        this.icmpError(p, 3, 4, r.mtu, r.dev);
        this.ns.sim.trace.drop(r.dev, p, DropReason.mtuWithDf, `mtu ${r.mtu}`);
        return undefined;
      }
      for (const f of this.#fragment(p, r.mtu, r.dev)) this.#finish(f, r);
      return undefined;
    }
    this.#finish(p, r);
    return undefined;
  }

  #finish(p: Packet, r: RouteResult): void {
    const dev = r.dev;
    if (r.type === "local" || dev.kind === "loopback") {
      p.eth.src = 0;
      p.eth.dst = 0;
      dev.transmit(p);
      return;
    }
    if (r.type === "broadcast" || p.ip!.dst === LIMITED_BROADCAST) {
      p.eth.src = dev.mac;
      p.eth.dst = BROADCAST_MAC;
      dev.transmit(p);
      return;
    }
    this.neigh.output(dev, r.gateway || p.ip!.dst, p);
  }

  #fragment(p: Packet, mtu: number, dev: Interface): Packet[] {
    const ip = p.ip!;
    const data = p.raw ?? encodeTransport(p);
    const hl = ipHeaderLength(p);
    const chunk = Math.floor((mtu - hl) / 8) * 8;
    const out: Packet[] = [];
    const baseOff = ip.fragOffset;
    for (let off = 0; off < data.length; off += chunk) {
      const end = Math.min(off + chunk, data.length);
      const f = newPacket({ ...p.eth, vlan: undefined });
      f.ip = {
        ...ip,
        df: false,
        fragOffset: baseOff + off,
        mf: end < data.length || ip.mf,
      };
      f.raw = data.subarray(off, end);
      this.ns.sim.trace.birth(f);
      out.push(f);
    }
    this.stats.fragCreates += out.length;
    this.ns.sim.trace.consume(dev, p, `fragmented into ${out.length}`);
    return out;
  }

  // -------------------------------------------------------------------- input

  /** An IPv4 frame arrived on `iface`. */
  receive(iface: Interface, p: Packet, type: PacketType): void {
    let ip = p.ip;
    const trace = this.ns.sim.trace;
    this.stats.inReceives++;
    if (ip === undefined) {
      trace.drop(iface, p, DropReason.malformed, "ipv4");
      return;
    }
    // Martian sources: never accepted from a wire (RFC 1812 §5.3.7): loopback,
    // multicast and the limited broadcast. 240/4 is accepted, as Linux does.
    const srcHigh = ip.src >>> 24;
    if (
      iface.kind !== "loopback" &&
      (srcHigh === 127 || (srcHigh >= 224 && srcHigh < 240) ||
        ip.src === LIMITED_BROADCAST)
    ) {
      trace.drop(iface, p, DropReason.martian, `source ${formatIp4(ip.src)}`);
      return;
    }
    if (iface.kind !== "loopback") {
      // Entering a namespace scrubs what the sender's netfilter attached (skb_scrub_packet).
      p.mark = 0;
      p.ct = undefined;
    }
    if (this.filter) {
      const v = this.filter.run("prerouting", p, iface, undefined);
      if (v === "drop") {
        trace.drop(iface, p, DropReason.netfilter, this.filter.dropDetail);
        return;
      }
      if (v === "stolen") return;
      ip = p.ip!;
    }
    const dst = ip.dst;
    if (
      dst === LIMITED_BROADCAST ||
      type === "broadcast" && this.#isBroadcastFor(iface, dst)
    ) {
      this.#localDeliver(p, iface, "broadcast");
      return;
    }
    if (srcHigh === 0) {
      trace.drop(iface, p, DropReason.martian, `source ${formatIp4(ip.src)}`);
      return;
    }
    // Martian destinations (ip_route_input_slow): "this network" 0/8, and 127/8 from a wire.
    const dstHigh = dst >>> 24;
    if (iface.kind !== "loopback" && (dstHigh === 0 || dstHigh === 127)) {
      trace.drop(iface, p, DropReason.martian, `destination ${formatIp4(dst)}`);
      return;
    }
    const r = this.#cachedRoute(p, iface);
    if (typeof r === "string") {
      this.stats.inNoRoutes++;
      if (!this.#forwarding(iface)) {
        trace.drop(iface, p, DropReason.forwardingOff);
        return;
      }
      // ip_error: net unreachable, host unreachable (unreachable route), filtered (prohibit).
      const code = r === "ENETUNREACH" ? 0 : r === "EHOSTUNREACH" ? 1 : r === "EACCES" ? 13 : -1;
      if (code >= 0 && type === "host") this.icmpError(p, 3, code, 0, iface);
      trace.drop(
        iface,
        p,
        r === "EINVAL"
          ? DropReason.blackhole
          : r === "EACCES"
          ? DropReason.prohibited
          : r === "EHOSTUNREACH"
          ? DropReason.unreachableRoute
          : DropReason.noRoute,
      );
      return;
    }
    if (r.type === "local" || r.type === "broadcast") {
      this.#localDeliver(
        p,
        iface,
        r.type === "local" && type === "host" ? "host" : "broadcast",
      );
      return;
    }
    if (type !== "host") {
      trace.drop(
        iface,
        p,
        DropReason.otherHost,
        "not forwarding link-layer broadcast",
      );
      return;
    }
    if (!this.#forwarding(iface)) {
      trace.drop(iface, p, DropReason.forwardingOff);
      return;
    }
    this.#forward(p, iface, r);
  }

  #isBroadcastFor(iface: Interface, dst: Ip4): boolean {
    for (const a of this.addrs) {
      if (
        a.iface === iface && a.len < 31 &&
        (a.broadcast || broadcastOf(a.addr, a.len)) === dst
      ) {
        return true;
      }
    }
    return false;
  }

  #forwardCache = new Map<Interface, boolean>();
  #forwardVersion = -1;
  /** The last interface asked about and its answer (packets come in bursts per interface). */
  #forwardLast: Interface | undefined;
  #forwardLastOn = false;

  /** The interface's `forwarding` sysctl, cached until any sysctl changes. */
  #forwarding(iface: Interface): boolean {
    const sysctl = this.ns.sysctl;
    if (sysctl.version !== this.#forwardVersion) {
      this.#forwardCache.clear();
      this.#forwardLast = undefined;
      this.#forwardVersion = sysctl.version;
    } else if (iface === this.#forwardLast) return this.#forwardLastOn;
    let on = this.#forwardCache.get(iface);
    if (on === undefined) {
      on = sysctl.get(`net.ipv4.conf.${iface.name}.forwarding`) === "1";
      this.#forwardCache.set(iface, on);
    }
    this.#forwardLast = iface;
    this.#forwardLastOn = on;
    return on;
  }

  #forward(p: Packet, iif: Interface, r: RouteResult): void {
    const ip = p.ip!;
    const trace = this.ns.sim.trace;
    if (ip.ttl <= 1) {
      this.icmpError(p, 11, 0, 0, iif);
      trace.drop(iif, p, DropReason.ttlExceeded);
      return;
    }
    // ip_forward: the TTL drops and a redirect goes out before the FORWARD hook.
    ip.ttl--;
    if (r.dev === iif && r.route !== undefined) this.#maybeRedirect(p, iif, r);
    if (this.filter) {
      const v = this.filter.run("forward", p, iif, r.dev);
      if (v === "drop") {
        trace.drop(iif, p, DropReason.netfilter, this.filter.dropDetail);
        return;
      }
      if (v === "stolen") return;
    }
    this.stats.forwarded++;
    this.#postrouting(p, r, false, false, iif);
  }

  /** RFC 1812 §5.2.7.2 redirect with Linux's exponential back-off (ip_rt_send_redirect). */
  #maybeRedirect(p: Packet, iif: Interface, r: RouteResult): void {
    if (
      this.ns.sysctl.get(`net.ipv4.conf.${iif.name}.send_redirects`) !== "1"
    ) return;
    const gw = r.gateway || p.ip!.dst;
    const src = p.ip!.src;
    const onLink = this.addrs.some((a) =>
      a.iface === iif && inPrefix(src, a.addr, a.len) &&
      inPrefix(gw, a.addr, a.len)
    );
    if (!onLink) return;
    const now = this.ns.sim.now;
    let peer = this.#redirectPeers.get(src);
    // ip_rt_redirect_silence: (20 ms << 10) = 20.48 s without a redirect-worthy packet resets.
    if (!peer || now - peer.last > 20e6 * 2 ** 10) {
      peer = { n: 0, last: 0 };
      this.#redirectPeers.set(src, peer);
    }
    if (peer.n >= 9) {
      // Too many ignored redirects: stay quiet, and count the silence from this packet.
      peer.last = now;
      return;
    }
    if (peer.n > 0 && now <= peer.last + (20e6 * 2 ** peer.n)) return;
    peer.n++;
    peer.last = now;
    this.icmpError(p, 5, 1, gw, iif);
  }

  #localDeliver(p: Packet, iface: Interface, type: PacketType): void {
    const ip = p.ip!;
    if (ip.mf || ip.fragOffset > 0) {
      const whole = this.#reassemble(p, iface);
      if (whole === undefined) return;
      p = whole;
    }
    if (this.filter) {
      const v = this.filter.run("input", p, iface, undefined);
      if (v === "drop") {
        this.ns.sim.trace.drop(iface, p, DropReason.netfilter, this.filter.dropDetail);
        return;
      }
      if (v === "stolen") return;
    }
    this.stats.inDelivers++;
    const h = this.protocols.get(p.ip!.proto);
    if (h === undefined) {
      if (type === "host") this.icmpError(p, 3, 2, 0, iface);
      this.ns.sim.trace.drop(
        iface,
        p,
        DropReason.noSocket,
        `protocol ${p.ip!.proto}`,
      );
      return;
    }
    h(p, iface, type);
  }

  #reassemble(p: Packet, iface: Interface): Packet | undefined {
    const ip = p.ip!;
    const trace = this.ns.sim.trace;
    const key = `${ip.src}|${ip.dst}|${ip.id}|${ip.proto}`;
    let q = this.#reasm.get(key);
    if (!q) {
      const timeout = this.ns.sysctl.num("net.ipv4.ipfrag_time") * 1e9;
      const entry: Reassembly = {
        parts: [],
        total: -1,
        first: undefined,
        iface,
        timer: this.ns.sim.after(timeout, () => this.#reasmExpire(key)),
      };
      q = entry;
      this.#reasm.set(key, q);
    }
    const bytes = p.raw ?? new Uint8Array(0);
    q.parts.push({ off: ip.fragOffset, bytes, p });
    if (ip.fragOffset === 0) q.first = p;
    if (!ip.mf) q.total = ip.fragOffset + bytes.length;
    if (q.total < 0 || q.first === undefined) return undefined;
    q.parts.sort((a, b) => a.off - b.off);
    let have = 0;
    for (const part of q.parts) {
      if (part.off > have) return undefined;
      have = Math.max(have, part.off + part.bytes.length);
    }
    if (have < q.total) return undefined;
    const all = new Uint8Array(q.total);
    for (const part of q.parts) {
      all.set(part.bytes.subarray(0, q.total - part.off), part.off);
    }
    q.timer.cancel();
    this.#reasm.delete(key);
    const first = q.first;
    const whole = newPacket({ ...first.eth, vlan: undefined });
    whole.ip = { ...first.ip!, mf: false, fragOffset: 0 };
    let parsed: Pick<Packet, "icmp" | "udp" | "tcp" | "raw">;
    try {
      parsed = decodeTransport(whole.ip, all);
    } catch {
      for (const part of q.parts) {
        trace.drop(iface, part.p, DropReason.malformed, "reassembled");
      }
      this.stats.reasmFails++;
      return undefined;
    }
    whole.icmp = parsed.icmp;
    whole.udp = parsed.udp;
    whole.tcp = parsed.tcp;
    whole.raw = parsed.raw;
    trace.birth(whole);
    for (const part of q.parts) trace.consume(iface, part.p, "reassembled");
    this.stats.reasmOks++;
    return whole;
  }

  #reasmExpire(key: string): void {
    const q = this.#reasm.get(key);
    if (!q) return;
    this.#reasm.delete(key);
    this.stats.reasmFails++;
    // RFC 792/1122: time exceeded (fragment reassembly) if the first fragment arrived.
    if (q.first) this.icmpError(q.first, 11, 1, 0, q.iface);
    for (const part of q.parts) {
      this.ns.sim.trace.drop(q.iface, part.p, DropReason.reassemblyTimeout);
    }
  }

  /** Packets held in reassembly queues (for conservation checks). */
  get held(): number {
    let n = 0;
    for (const q of this.#reasm.values()) n += q.parts.length;
    return n + this.neigh.held;
  }

  // --------------------------------------------------------------------- ICMP

  /**
   * Send an ICMP error about `orig` to its sender (RFC 1122 §3.2.2 rules: never
   * about an ICMP error, a non-first fragment, a broadcast or a bad source).
   */
  icmpError(
    orig: Packet,
    type: number,
    code: number,
    rest: number,
    iif: Interface | undefined,
  ): void {
    const oip = orig.ip;
    if (!oip) return;
    if (oip.fragOffset > 0) return;
    if (
      oip.src === 0 || oip.src === LIMITED_BROADCAST || (oip.src >>> 28) === 14
    ) return;
    if (oip.dst === LIMITED_BROADCAST || (oip.dst >>> 28) === 14) return;
    if (orig.eth.dst === BROADCAST_MAC && orig.eth.src !== 0) return;
    if (
      oip.proto === IpProto.ICMP && orig.icmp &&
      ![0, 8, 13, 14, 15, 16, 17, 18].includes(orig.icmp.type)
    ) {
      return;
    }
    if (!this.#icmpAllowed(oip.src, type, code)) return;
    const frame = encodeFrame(orig);
    const l2 = frame.length - (ipHeaderLength(orig) + ipPayloadLength(orig));
    const quote = frame.subarray(
      l2,
      l2 + Math.min(576 - 28, frame.length - l2),
    );
    // Source: the address the packet was sent to if local, else chosen by the route back.
    let src = this.isLocal(oip.dst) ? oip.dst : 0;
    if (
      src === 0 && iif &&
      this.ns.sysctl.get("net.ipv4.icmp_errors_use_inbound_ifaddr") === "1"
    ) {
      src = this.selectSource(iif, oip.src, "link");
    }
    const p = newPacket({
      dst: 0,
      src: 0,
      type: EtherType.IPv4,
      vlan: undefined,
    });
    p.ip = {
      tos: 0xc0,
      id: this.nextId(),
      df: false,
      mf: false,
      fragOffset: 0,
      ttl: this.ns.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.ICMP,
      src,
      dst: oip.src,
      options: undefined,
    };
    p.icmp = { type, code, rest: rest >>> 0, payload: new Uint8Array(quote) };
    // icmp_glue_bits: the error belongs to the cause's connection, confirmed or
    // not (NAT then rewrites it even when the cause died before POSTROUTING).
    this.filter?.attachError?.(p, orig);
    this.ns.sim.trace.birth(p);
    this.stats.icmpOutErrors++;
    this.output(p);
  }

  #icmpAllowed(dst: Ip4, type: number, code: number): boolean {
    const limit = this.ns.sysctl.num("net.ipv4.icmp_ratelimit") * 1e6;
    if (limit <= 0) return true;
    // Linux's icmpv4_xrlim_allow: never limit PMTU discovery, nor errors sent over loopback.
    if (type === 3 && code === 4) return true;
    const mask = this.ns.sysctl.num("net.ipv4.icmp_ratemask");
    if (type > 31 || ((mask >>> type) & 1) === 0) return true;
    const r = this.route(dst, {});
    if (typeof r !== "string" && r.dev.kind === "loopback") return true;
    const now = this.ns.sim.now;
    let b = this.#icmpTokens.get(dst);
    if (!b) {
      b = { tokens: 6 * limit, last: now };
      this.#icmpTokens.set(dst, b);
    }
    b.tokens = Math.min(6 * limit, b.tokens + (now - b.last));
    b.last = now;
    if (b.tokens < limit) return false;
    b.tokens -= limit;
    return true;
  }

  #icmpReceive(p: Packet, iface: Interface, type: PacketType): void {
    const m = p.icmp;
    const trace = this.ns.sim.trace;
    if (m === undefined) {
      trace.drop(iface, p, DropReason.malformed, "icmp");
      return;
    }
    if (m.type === 8) {
      const ignore = this.ns.sysctl.num("net.ipv4.icmp_echo_ignore_all") === 1 ||
        (type !== "host" &&
          this.ns.sysctl.num("net.ipv4.icmp_echo_ignore_broadcasts") === 1);
      if (ignore) {
        trace.drop(iface, p, DropReason.noSocket, "echo ignored");
        return;
      }
      const ip = p.ip!;
      const reply = newPacket({
        dst: 0,
        src: 0,
        type: EtherType.IPv4,
        vlan: undefined,
      });
      reply.ip = {
        tos: ip.tos,
        id: this.nextId(),
        df: false,
        mf: false,
        fragOffset: 0,
        ttl: this.ns.sysctl.num("net.ipv4.ip_default_ttl"),
        proto: IpProto.ICMP,
        src: type === "host" ? ip.dst : 0,
        dst: ip.src,
        options: undefined,
      };
      reply.icmp = { type: 0, code: 0, rest: m.rest, payload: m.payload };
      trace.consume(iface, p, "echo request answered");
      trace.birth(reply);
      this.stats.icmpOutEchoReps++;
      this.output(reply);
      return;
    }
    if (m.type === 3 || m.type === 11 || m.type === 5 || m.type === 12) {
      this.#icmpErrorReceive(p, iface);
      return;
    }
    for (const l of this.icmpListeners) if (l(p, iface)) return;
    trace.consume(iface, p, "icmp");
  }

  #icmpErrorReceive(p: Packet, iface: Interface): void {
    const m = p.icmp!;
    const trace = this.ns.sim.trace;
    const quote = typeof m.payload === "number" ? new Uint8Array(0) : m.payload;
    let quoted: QuotedDatagram;
    try {
      quoted = parseQuote(quote);
    } catch {
      trace.drop(iface, p, DropReason.malformed, "icmp quote");
      return;
    }
    const q = quoted.ip!;
    if (m.type === 3 && m.code === 4) {
      const mtu = m.rest & 0xffff;
      // Linux's __ip_rt_update_pmtu: the path MTU only goes down (a same value
      // refreshes it once half its 10 minutes are gone).
      const now = this.ns.sim.now;
      const r = this.route(q.dst, {});
      const current = typeof r === "string" ? Infinity : r.mtu;
      const cached = this.pmtu.get(q.dst);
      const refresh = mtu === current && cached !== undefined && cached.expires - now < 300e9;
      if (mtu >= 68 && (mtu < current || refresh)) {
        this.pmtu.set(q.dst, { mtu, expires: now + 600e9 });
        this.#gen++;
      }
    }
    if (
      m.type === 5 &&
      this.ns.sysctl.get(`net.ipv4.conf.${iface.name}.accept_redirects`) ===
        "1" &&
      !this.#forwarding(iface)
    ) {
      this.#acceptRedirect(iface, p.ip!.src, q.src, q.dst, m.rest >>> 0);
    }
    const err: IcmpError = {
      from: p.ip!.src,
      type: m.type,
      code: m.code,
      rest: m.rest,
      quoted,
      ttl: p.ip!.ttl,
      time: this.ns.sim.now,
    };
    const h = this.errorHandlers.get(q.proto);
    if (h) h(err);
    trace.consume(iface, p, "icmp error");
  }

  /**
   * Linux's __ip_do_redirect: a redirect counts only when it comes from the
   * current gateway towards the quoted destination (RFC 1122 §3.2.2.2) and
   * names another unicast gateway; and it is used only once that gateway has a
   * valid neighbour entry — until then it just starts resolving it.
   */
  #acceptRedirect(iface: Interface, from: Ip4, src: Ip4, dst: Ip4, gw: Ip4): void {
    const r = this.route(dst, { src });
    if (typeof r === "string" || r.dev !== iface || r.gateway === 0 || r.gateway !== from) return;
    if (gw === 0 || gw === from || gw === LIMITED_BROADCAST || (gw >>> 28) === 14) return;
    const g = this.route(gw, {});
    if (typeof g === "string" || g.type !== "unicast") return;
    const n = this.neigh.get(iface, gw);
    if (n === undefined || n.state === "INCOMPLETE" || n.state === "FAILED") {
      this.neigh.resolve(iface, gw);
      return;
    }
    this.redirects.set(dst, gw);
    this.#redirectExpires.set(dst, this.ns.sim.now + 300e9);
    this.#gen++;
  }
}

/** Header length of a packet's IPv4 header. */
export function ipHeaderLength(p: Packet): number {
  return 20 + (p.ip?.options?.length ?? 0);
}

/** Whether a port lies in an inclusive range. */
function inRange(port: number, range: [number, number]): boolean {
  return port >= range[0] && port <= range[1];
}
