/**
 * Routes and routing tables, as Linux keeps them: numbered tables (local 255,
 * main 254, default 253) of routes keyed by prefix, each with a type (unicast,
 * local, broadcast, blackhole, unreachable, prohibit, throw), next hop(s), metric,
 * protocol, scope and preferred source. Longest-prefix match picks the prefix;
 * among routes of one prefix the lowest metric wins.
 *
 * Multipath routes pick a next hop per flow as Linux does since 4.12
 * (hash-threshold, RFC 2992): the 31-bit flow hash space is cut into one
 * region per live next hop, sized by weight (`fib_rebalance`), and a flow
 * takes the next hop whose region holds its hash (`fib_select_multipath`).
 * The hash reads the addresses (policy 0) or the 5-tuple (policy 1) in a
 * direction-free order, as `flow_hash_from_keys` does.
 *
 * Simplified: no TOS-keyed routes; the lookup does not backtrack to shorter
 * prefixes when the best route's device is down (routes of a down device are
 * removed, as Linux removes them on NETDEV_DOWN; a multipath route keeps its
 * next hops through a down device as dead ones until all are dead). The flow
 * hash is a seeded murmur3-style mix, not Linux's siphash, so which next hop
 * one given flow takes differs from Linux (as it differs between two Linux
 * boots, whose hash key is random); policies 2 (inner headers) and 3 (custom
 * fields) hash like policy 0.
 *
 * @module
 */
import type { Ip4 } from "../wire/packet.ts";
import { networkOf } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import { Fib } from "./fib/fib.ts";

/** Route types (`ip route add TYPE …`). */
export type RouteType =
  | "unicast"
  | "local"
  | "broadcast"
  | "blackhole"
  | "unreachable"
  | "prohibit"
  /** Not found here: the rule lookup goes on to the next rule (`ip route add throw …`). */
  | "throw";

/** Route scopes, in the order Linux ranks them (global < link < host). */
export type RouteScope = "global" | "link" | "host";

/** Numeric scope values, Linux's RT_SCOPE_*. */
export const SCOPE_VALUE: Record<RouteScope, number> = { global: 0, link: 253, host: 254 };

/** Well-known table ids. */
export const Table = { local: 255, main: 254, default: 253, unspec: 0 } as const;

/** One next hop of a route. */
export interface NextHop {
  /** Gateway address, or 0 for a directly connected destination. */
  gateway: Ip4;
  /** Output device. */
  dev: Interface;
  /** Multipath weight (1 by default). */
  weight: number;
  /** `onlink`: the gateway is on the link even if no prefix says so. */
  onlink: boolean;
}

/**
 * Whether a next hop is dead (Linux's RTNH_F_DEAD): its device is
 * administratively down. Dead next hops take no flows; `ip route` shows them
 * with `dead linkdown`.
 */
export function nextHopDead(nh: NextHop): boolean {
  return !nh.dev.adminUp;
}

/** What the multipath hash reads of a flow. */
export interface FlowKeys {
  /** Source address (0 for a socket not bound to one, as Linux's flowi4). */
  src: Ip4;
  /** Destination address. */
  dst: Ip4;
  /** IP protocol number. */
  proto: number;
  /** Source port (0 when the protocol has none, or for a fragment). */
  sport: number;
  /** Destination port. */
  dport: number;
}

/** murmur3's 32-bit block mix. */
function mixWord(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The multipath flow hash, 31 bits (Linux's `fib_multipath_hash() >> 1`).
 * Policy 1 (`net.ipv4.fib_multipath_hash_policy`) hashes addresses, ports
 * and protocol; every other policy the addresses only. Addresses and ports
 * are each put in ascending order first (Linux's `__flow_hash_consistentify`),
 * so both directions of a flow hash alike. `seed` stands for the kernel's
 * per-boot random hash key.
 */
export function multipathHash(policy: number, k: FlowKeys, seed: number): number {
  const lo = Math.min(k.src >>> 0, k.dst >>> 0);
  const hi = Math.max(k.src >>> 0, k.dst >>> 0);
  let h = mixWord(mixWord(seed | 0, lo), hi);
  let len = 8;
  if (policy === 1) {
    const ports = k.sport <= k.dport ? (k.sport << 16) | k.dport : (k.dport << 16) | k.sport;
    h = mixWord(mixWord(h, ports), k.proto);
    len = 16;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 1) & 0x7fffffff;
}

/**
 * Linux's hash-threshold choice (`fib_rebalance` + `fib_select_multipath`):
 * live next hop i owns the hash region up to
 * round(2^31 · (w1 + … + wi) / total) − 1; the first next hop whose bound
 * is at least `hash` (31 bits) carries the flow. Dead next hops own none.
 * O(number of next hops).
 */
export function selectNextHop(nhs: NextHop[], hash: number): NextHop {
  let total = 0;
  for (const n of nhs) if (!nextHopDead(n)) total += n.weight;
  if (total === 0) return nhs[0]!;
  let w = 0;
  let last = nhs[0]!;
  for (const n of nhs) {
    if (nextHopDead(n)) continue;
    w += n.weight;
    // DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1
    const upper = Math.floor((w * 2 ** 31 + Math.floor(total / 2)) / total) - 1;
    if (hash <= upper) return n;
    last = n;
  }
  return last;
}

/** One route. */
export interface Route {
  table: number;
  type: RouteType;
  /** Destination network address (host bits clear). */
  dst: Ip4;
  /** Prefix length. */
  len: number;
  metric: number;
  /** Origin: "kernel" (from an address), "boot" (ip route add default), "static", "dhcp", … */
  proto: string;
  scope: RouteScope;
  /** Preferred source address, or 0. */
  prefsrc: Ip4;
  /** Next hops: one for a plain route, several for multipath, none for reject types. */
  nexthops: NextHop[];
  /** Route MTU lock (0 = use the device's). */
  mtu: number;
}

/** One routing table: prefix → routes, looked up by longest prefix. */
export class RouteTable {
  /** Table id. */
  readonly id: number;
  #fib = new Fib();
  /** Route groups by index (index stored in the FIB); each sorted by metric. */
  #groups: Route[][] = [];
  #free: number[] = [];
  #count = 0;
  #onChange: (() => void) | undefined;

  /** An empty table; `onChange` runs on every change (the stack's route caches listen). */
  constructor(id: number, onChange?: () => void) {
    this.id = id;
    this.#onChange = onChange;
  }

  /** Number of routes. */
  get size(): number {
    return this.#count;
  }

  /**
   * Add a route; false if one with the same prefix and metric exists, unless
   * `append` (`ip route append`): then it goes after those, which lookups prefer.
   */
  add(r: Route, append = false): boolean {
    this.#onChange?.();
    r.dst = networkOf(r.dst, r.len);
    const gi = this.#fib.get(r.dst, r.len);
    if (gi < 0) {
      const idx = this.#free.pop() ?? this.#groups.length;
      this.#groups[idx] = [r];
      this.#fib.insert(r.dst, r.len, idx);
    } else {
      const g = this.#groups[gi]!;
      if (!append && g.some((x) => x.metric === r.metric)) return false;
      g.push(r);
      g.sort((a, b) => a.metric - b.metric);
    }
    this.#count++;
    return true;
  }

  /** Routes of exactly this prefix (lowest metric first). */
  exact(dst: Ip4, len: number): Route[] {
    const gi = this.#fib.get(networkOf(dst, len), len);
    return gi < 0 ? [] : this.#groups[gi]!;
  }

  /** Remove a route object; false if absent. */
  remove(r: Route): boolean {
    const gi = this.#fib.get(r.dst, r.len);
    if (gi < 0) return false;
    const g = this.#groups[gi]!;
    const i = g.indexOf(r);
    if (i < 0) return false;
    this.#onChange?.();
    g.splice(i, 1);
    this.#count--;
    if (g.length === 0) {
      this.#fib.delete(r.dst, r.len);
      this.#groups[gi] = [];
      this.#free.push(gi);
    }
    return true;
  }

  /** The best route for an address: longest prefix, then lowest metric. */
  lookup(addr: Ip4): Route | undefined {
    const gi = this.#fib.lookup(addr);
    return gi < 0 ? undefined : this.#groups[gi]![0];
  }

  /** Every route in Linux's dump order: by destination, then prefix length, then metric. */
  list(): Route[] {
    const out: Route[] = [];
    for (const [, , gi] of this.#fib.entries()) out.push(...this.#groups[gi]!);
    return out;
  }

  /** Remove every route matching a predicate; returns how many. */
  removeWhere(pred: (r: Route) => boolean): number {
    let n = 0;
    for (const r of this.list()) if (pred(r) && this.remove(r)) n++;
    return n;
  }
}
