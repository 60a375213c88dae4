/**
 * Routes and routing tables, as Linux keeps them: numbered tables (local 255,
 * main 254, default 253) of routes keyed by prefix, each with a type (unicast,
 * local, broadcast, blackhole, unreachable, prohibit, throw), next hop(s), metric,
 * protocol, scope and preferred source. Longest-prefix match picks the prefix;
 * among routes of one prefix the lowest metric wins.
 *
 * Simplified: no TOS-keyed routes; the lookup does not backtrack to shorter
 * prefixes when the best route's device is down (routes of a down device are
 * removed, as Linux removes them on NETDEV_DOWN).
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
  /** Bumped on every change (route caches compare it). */
  version = 0;

  #onChange: (() => void) | undefined;

  /** An empty table; `onChange` runs after every change (route caches listen). */
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
    this.version++;
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
    this.version++;
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
