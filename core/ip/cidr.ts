/**
 * CIDR arithmetic and IPv4 address classification, as a network engineer does
 * it on paper: the network, broadcast, netmask, wildcard mask, first and last
 * usable host and host count of a prefix (RFC 4632, RFC 950), including /31
 * point-to-point links (RFC 3021: both addresses are hosts, there is no
 * broadcast) and /32 host routes; containment and overlap of prefixes; exact
 * aggregation of a list of prefixes into the fewest covering prefixes, and the
 * smallest single supernet; and the special-purpose address blocks of the IANA
 * registry (RFC 6890) with multicast scopes (RFC 5771, RFC 2365).
 *
 * Addresses are 32-bit unsigned numbers as everywhere in packetlab
 * (`0x0a000001` is 10.0.0.1); text goes through `core/wire/addr.ts`.
 *
 * @example
 * ```ts
 * import { subnet, formatPrefix, summarize, parsePrefix } from "./cidr.ts";
 * import { formatIp4 } from "../wire/addr.ts";
 * const s = subnet("16.158.165.91/22");
 * console.assert(formatIp4(s.network) === "16.158.164.0" && s.hostCount === 1022);
 * const agg = summarize(["10.0.0.0/25", "10.0.0.128/25"].map((t) => parsePrefix(t)!));
 * console.assert(agg.map(formatPrefix).join() === "10.0.0.0/24");
 * ```
 *
 * @module
 */
import type { Ip4 } from "../wire/packet.ts";
import { formatIp4, parseCidr, prefixMask } from "../wire/addr.ts";

export type { Ip4 };

/** An IPv4 prefix in canonical form: `network` has every host bit clear. */
export interface Prefix {
  /** Network address (host bits clear). */
  network: Ip4;
  /** Prefix length, 0..32. */
  len: number;
}

/** Everything a person works out for an address and its prefix length. */
export interface SubnetInfo {
  /** The address as written (host bits kept). */
  address: Ip4;
  /** Prefix length. */
  len: number;
  /** Network address: the address with the host bits cleared. */
  network: Ip4;
  /**
   * Directed broadcast address (all host bits set), or `undefined` for /31
   * (RFC 3021) and /32, which have none.
   */
  broadcast: Ip4 | undefined;
  /** Netmask (255.255.252.0 for /22). */
  netmask: Ip4;
  /** Wildcard (inverse) mask, as ACLs write it (0.0.3.255 for /22). */
  wildcard: Ip4;
  /** First usable host address. */
  firstHost: Ip4;
  /** Last usable host address. */
  lastHost: Ip4;
  /**
   * Usable host addresses: 2^(32−len) − 2 up to /30 (RFC 950 reserves the
   * all-zeros and all-ones host numbers), 2 for /31 (RFC 3021), 1 for /32.
   */
  hostCount: number;
  /** Every address in the block, usable or not: 2^(32−len). */
  size: number;
}

/** The number of addresses in a prefix of this length: 2^(32−len). */
export function blockSize(len: number): number {
  checkLen(len);
  return 2 ** (32 - len);
}

/** The netmask of a prefix length (24 → 255.255.255.0), RFC 950 §2.1. */
export function netmask(len: number): Ip4 {
  checkLen(len);
  return prefixMask(len);
}

/** The wildcard mask of a prefix length: the netmask's complement (24 → 0.0.0.255). */
export function wildcard(len: number): Ip4 {
  return ~netmask(len) >>> 0;
}

/** The prefix `addr/len` in canonical form (host bits cleared). */
export function prefixOf(addr: Ip4, len: number): Prefix {
  return { network: (addr & netmask(len)) >>> 0, len };
}

/**
 * Parse "a.b.c.d/len", "a.b.c.d/m.m.m.m" or a bare address (/32) into a
 * canonical prefix; host bits are cleared. `undefined` when the text is not a
 * prefix (bad octet, length over 32, non-contiguous mask).
 */
export function parsePrefix(text: string): Prefix | undefined {
  const c = parseCidr(text);
  return c === undefined ? undefined : prefixOf(c.addr, c.len);
}

/** Parse a prefix or throw a RangeError; for prefixes written in code and tests. */
export function prefix(text: string): Prefix {
  const p = parsePrefix(text);
  if (p === undefined) throw new RangeError(`not an IPv4 prefix: ${text}`);
  return p;
}

/** Format a prefix as "a.b.c.d/len". */
export function formatPrefix(p: Prefix): string {
  return `${formatIp4(p.network)}/${p.len}`;
}

/** The last address of a prefix (the broadcast address for lengths up to /30). */
export function lastAddress(p: Prefix): Ip4 {
  return (p.network | wildcard(p.len)) >>> 0;
}

/**
 * Work out a subnet from an address and prefix length, or from "a.b.c.d/len"
 * text. Handles every length: /0../30 reserve the network and broadcast
 * addresses (RFC 950); /31 has two usable hosts and no broadcast (RFC 3021);
 * /32 is the single host itself.
 *
 * @example
 * ```ts
 * import { subnet } from "./cidr.ts";
 * const s = subnet("10.1.1.0/31");
 * console.assert(s.hostCount === 2 && s.broadcast === undefined);
 * ```
 */
export function subnet(addrOrText: Ip4 | string, len?: number): SubnetInfo {
  let address: Ip4;
  let l: number;
  if (typeof addrOrText === "string") {
    const c = parseCidr(addrOrText);
    if (c === undefined) throw new RangeError(`not an IPv4 prefix: ${addrOrText}`);
    address = c.addr;
    l = c.len;
  } else {
    address = addrOrText >>> 0;
    if (len === undefined) throw new RangeError("subnet: a prefix length is required");
    l = len;
  }
  const mask = netmask(l);
  const network = (address & mask) >>> 0;
  const last = (network | ~mask) >>> 0;
  const size = 2 ** (32 - l);
  if (l === 32) {
    return {
      address,
      len: l,
      network,
      broadcast: undefined,
      netmask: mask,
      wildcard: 0,
      firstHost: network,
      lastHost: network,
      hostCount: 1,
      size,
    };
  }
  if (l === 31) {
    return {
      address,
      len: l,
      network,
      broadcast: undefined,
      netmask: mask,
      wildcard: 1,
      firstHost: network,
      lastHost: last,
      hostCount: 2,
      size,
    };
  }
  return {
    address,
    len: l,
    network,
    broadcast: last,
    netmask: mask,
    wildcard: ~mask >>> 0,
    firstHost: network + 1,
    lastHost: last - 1,
    hostCount: size - 2,
    size,
  };
}

/** Whether an address lies inside a prefix. */
export function containsAddress(p: Prefix, addr: Ip4): boolean {
  return ((addr & netmask(p.len)) >>> 0) === p.network;
}

/**
 * Whether `outer` contains every address of `inner` (a prefix contains
 * itself): `outer` is no longer than `inner` and they agree on `outer`'s bits.
 */
export function contains(outer: Prefix, inner: Prefix): boolean {
  return outer.len <= inner.len && containsAddress(outer, inner.network);
}

/**
 * Whether two prefixes share any address. Two CIDR blocks either nest or are
 * disjoint (RFC 4632 §3.1), so they overlap exactly when one contains the other.
 */
export function overlaps(a: Prefix, b: Prefix): boolean {
  return contains(a, b) || contains(b, a);
}

/** Whether two prefixes are the same block. */
export function samePrefix(a: Prefix, b: Prefix): boolean {
  return a.network === b.network && a.len === b.len;
}

/** Sort prefixes by network address, then shorter first (the order `ip route` lists them). */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  return a.network - b.network || a.len - b.len;
}

/**
 * The fewest prefixes that cover exactly the union of the given ones (route
 * aggregation, RFC 4632 §3.2): duplicates and contained prefixes disappear,
 * adjacent aligned siblings merge into their parent, and nothing outside the
 * union is ever covered. The result is sorted by address and pairwise disjoint.
 *
 * @example
 * ```ts
 * import { formatPrefix, prefix, summarize } from "./cidr.ts";
 * const out = summarize(["192.168.0.0/24", "192.168.1.0/24", "192.168.2.0/24"].map(prefix));
 * console.assert(out.map(formatPrefix).join(" ") === "192.168.0.0/23 192.168.2.0/24");
 * ```
 */
export function summarize(prefixes: readonly Prefix[]): Prefix[] {
  // Work on half-open address ranges [start, end) as plain numbers (up to 2^32).
  const ranges = prefixes.map((p) => {
    const q = prefixOf(p.network, p.len);
    return [q.network, q.network + 2 ** (32 - q.len)] as [number, number];
  }).sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top !== undefined && r[0] <= top[1]) top[1] = Math.max(top[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const out: Prefix[] = [];
  for (const [start, end] of merged) out.push(...splitRange(start, end));
  return out;
}

/**
 * The fewest prefixes covering exactly the addresses `first`..`last`
 * (inclusive): each step takes the largest aligned block that starts at the
 * current address and does not pass the end.
 */
export function rangeToPrefixes(first: Ip4, last: Ip4): Prefix[] {
  if (last < first) throw new RangeError("rangeToPrefixes: last is before first");
  return splitRange(first, last + 1);
}

function splitRange(start: number, end: number): Prefix[] {
  const out: Prefix[] = [];
  let a = start;
  while (a < end) {
    // Largest power of two dividing a (2^32 for a = 0), capped by what remains.
    let size = a === 0 ? 2 ** 32 : 2 ** lowestSetBit(a);
    while (size > end - a) size /= 2;
    out.push({ network: a >>> 0, len: 32 - Math.log2(size) });
    a += size;
  }
  return out;
}

function lowestSetBit(a: number): number {
  let n = 0;
  while (a % 2 === 0) {
    a /= 2;
    n++;
  }
  return n;
}

/**
 * The smallest single prefix containing every given prefix (the supernet a
 * summary route would use; it may cover addresses none of them has), or
 * `undefined` for an empty list.
 *
 * @example
 * ```ts
 * import { formatPrefix, prefix, supernet } from "./cidr.ts";
 * const s = supernet([prefix("10.1.4.0/24"), prefix("10.1.7.0/24")])!;
 * console.assert(formatPrefix(s) === "10.1.4.0/22");
 * ```
 */
export function supernet(prefixes: readonly Prefix[]): Prefix | undefined {
  if (prefixes.length === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  let shortest = 32;
  for (const p of prefixes) {
    const q = prefixOf(p.network, p.len);
    lo = Math.min(lo, q.network);
    hi = Math.max(hi, lastAddress(q));
    shortest = Math.min(shortest, q.len);
  }
  // The common leading bits of the lowest and highest address, no longer than any input.
  const diff = (lo ^ hi) >>> 0;
  const common = diff === 0 ? 32 : Math.clz32(diff);
  return prefixOf(lo, Math.min(common, shortest));
}

/** Every address of a prefix, in order (use on small prefixes). */
export function* addresses(p: Prefix): Generator<Ip4> {
  const size = blockSize(p.len);
  for (let i = 0; i < size; i++) yield (p.network + i) >>> 0;
}

/** The usable host addresses of a prefix, in order (see `subnet` for the rules). */
export function* hosts(p: Prefix): Generator<Ip4> {
  const s = subnet(p.network, p.len);
  for (let a = s.firstHost; a <= s.lastHost; a++) yield a >>> 0;
}

/** The `n`th usable host (1-based, as "the first host" is host 1), or undefined past the last. */
export function nthHost(p: Prefix, n: number): Ip4 | undefined {
  const s = subnet(p.network, p.len);
  if (!Number.isInteger(n) || n < 1 || n > s.hostCount) return undefined;
  return (s.firstHost + n - 1) >>> 0;
}

// ------------------------------------------------------------- classification

/**
 * What kind of address this is, by the IANA IPv4 special-purpose address
 * registry (RFC 6890) and the RFCs that reserve each block.
 */
export type AddressClass =
  /** 0.0.0.0/8, "this network" (RFC 791, RFC 1122 §3.2.1.3); never a destination. */
  | "this-network"
  /** 10/8, 172.16/12, 192.168/16 (RFC 1918). */
  | "private"
  /** 100.64.0.0/10, shared address space for carrier-grade NAT (RFC 6598). */
  | "shared"
  /** 127.0.0.0/8 (RFC 1122 §3.2.1.3): never appears on a wire. */
  | "loopback"
  /** 169.254.0.0/16, dynamically configured link-local (RFC 3927). */
  | "link-local"
  /** 192.0.0.0/24, IETF protocol assignments (RFC 6890 §2.1). */
  | "ietf-protocol"
  /** 192.0.2/24 TEST-NET-1, 198.51.100/24 TEST-NET-2, 203.0.113/24 TEST-NET-3 (RFC 5737). */
  | "documentation"
  /** 198.18.0.0/15, network device benchmarking (RFC 2544). */
  | "benchmarking"
  /** 224.0.0.0/4, multicast (RFC 5771); see `multicastScope`. */
  | "multicast"
  /** 240.0.0.0/4 except the limited broadcast, reserved for future use (RFC 1112 §4). */
  | "reserved"
  /** 255.255.255.255, the limited broadcast (RFC 919, RFC 922). */
  | "limited-broadcast"
  /** Anything else: globally routable unicast. */
  | "public";

const BLOCKS: Array<[Prefix, AddressClass]> = [
  [prefix("0.0.0.0/8"), "this-network"],
  [prefix("10.0.0.0/8"), "private"],
  [prefix("100.64.0.0/10"), "shared"],
  [prefix("127.0.0.0/8"), "loopback"],
  [prefix("169.254.0.0/16"), "link-local"],
  [prefix("172.16.0.0/12"), "private"],
  [prefix("192.0.0.0/24"), "ietf-protocol"],
  [prefix("192.0.2.0/24"), "documentation"],
  [prefix("192.168.0.0/16"), "private"],
  [prefix("198.18.0.0/15"), "benchmarking"],
  [prefix("198.51.100.0/24"), "documentation"],
  [prefix("203.0.113.0/24"), "documentation"],
  [prefix("224.0.0.0/4"), "multicast"],
];

/**
 * Classify an address.
 *
 * @example
 * ```ts
 * import { classify } from "./cidr.ts";
 * import { ip } from "../wire/addr.ts";
 * console.assert(classify(ip("172.31.255.254")) === "private");
 * console.assert(classify(ip("172.32.0.1")) === "public");
 * ```
 */
export function classify(addr: Ip4): AddressClass {
  const a = addr >>> 0;
  if (a === 0xffffffff) return "limited-broadcast";
  if (a >>> 28 === 0xf) return "reserved";
  for (const [p, c] of BLOCKS) if (containsAddress(p, a)) return c;
  return "public";
}

/** Whether an address is in one of the RFC 1918 private blocks. */
export function isPrivate(addr: Ip4): boolean {
  return classify(addr) === "private";
}

/**
 * Whether an address may be routed on the public Internet: not in any
 * special-purpose block. (Multicast is globally routable only in some scopes;
 * it is not counted here.)
 */
export function isPublic(addr: Ip4): boolean {
  return classify(addr) === "public";
}

/** The scope of a multicast group (RFC 5771 blocks, RFC 2365 administrative scopes). */
export type MulticastScope =
  /** 224.0.0.0/24, local network control block: never forwarded by routers (RFC 5771 §4). */
  | "link-local"
  /** 239.255.0.0/16, the IPv4 Local Scope (RFC 2365 §6.1). */
  | "local"
  /** 239.192.0.0/14, the IPv4 Organization Local Scope (RFC 2365 §6.2). */
  | "organization-local"
  /** The rest of 239.0.0.0/8, administratively scoped (RFC 2365 §6). */
  | "admin-local"
  /** Every other group: global scope (including SSM 232/8, RFC 4607, and GLOP 233/8). */
  | "global";

const LINK_LOCAL_MCAST = prefix("224.0.0.0/24");
const ADMIN_MCAST = prefix("239.0.0.0/8");
const LOCAL_MCAST = prefix("239.255.0.0/16");
const ORG_MCAST = prefix("239.192.0.0/14");

/** The scope of a multicast address, or `undefined` when it is not multicast. */
export function multicastScope(addr: Ip4): MulticastScope | undefined {
  if (classify(addr) !== "multicast") return undefined;
  if (containsAddress(LINK_LOCAL_MCAST, addr)) return "link-local";
  if (containsAddress(LOCAL_MCAST, addr)) return "local";
  if (containsAddress(ORG_MCAST, addr)) return "organization-local";
  if (containsAddress(ADMIN_MCAST, addr)) return "admin-local";
  return "global";
}

/**
 * The Ethernet group MAC a multicast group maps to (RFC 1112 §6.4): 01:00:5e
 * followed by the low 23 bits of the group, so 32 groups share each MAC.
 */
export function multicastMac(addr: Ip4): number {
  if (classify(addr) !== "multicast") throw new RangeError("multicastMac: not a multicast address");
  return 0x01005e000000 + (addr & 0x7fffff);
}

/**
 * The historical classful class of an address (RFC 791 §3.2), as older notes
 * use it: A (0/1), B (10/2), C (110/3), D multicast (1110/4), E reserved (1111/4).
 */
export function classfulClass(addr: Ip4): "A" | "B" | "C" | "D" | "E" {
  const top = (addr >>> 28) & 0xf;
  if (top < 8) return "A";
  if (top < 12) return "B";
  if (top < 14) return "C";
  if (top === 14) return "D";
  return "E";
}

function checkLen(len: number): void {
  if (!Number.isInteger(len) || len < 0 || len > 32) {
    throw new RangeError(`prefix length out of range: ${len}`);
  }
}
