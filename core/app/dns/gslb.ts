/**
 * Global server load balancing in the authoritative server: the addresses
 * returned for a name depend on who asks and on how loaded the servers are,
 * as a CDN's GSLB answers (the notes' CDN walk: nearest by the user's address,
 * then by load).
 *
 * A {@link GslbPolicy} turns a question and the client's address (for an
 * authoritative server, the recursive resolver's source address) into the
 * records to answer. {@link Gslb} is the policy CDNs use: regions, each
 * holding the client prefixes it serves and a pool of servers; the client's
 * region is found by longest-prefix match over every region's prefixes
 * (O(prefixes) per query), falling back to a default region; within the
 * region the pool is answered whole, by smooth weighted round robin (nginx's
 * algorithm: deterministic, exact shares over every sum-of-weights queries),
 * or least loaded first (the load each server reported last, ties broken by
 * weight, then by order). Servers marked down are skipped; a region whose
 * servers are all down hands the query to the next region of its fallback
 * chain.
 *
 * Left out: EDNS Client Subnet (RFC 7871; the resolver's address is the
 * client's location), measurements of real RTT, and health checks (servers
 * are marked up or down by the caller).
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4, inPrefix, parseCidr, parseIp4 } from "../../wire/addr.ts";
import { DnsClass, type DnsRecord, DnsType } from "./message.ts";
import { canonicalDnsName } from "./name.ts";

/** What a policy is asked. */
export interface GslbQuery {
  /** The name asked, canonical. */
  name: string;
  /** The type asked. */
  type: number;
  /** The source address the query came from (the resolver's, for an authoritative server). */
  client: Ip4;
  /** Virtual time, ns. */
  now: number;
}

/**
 * A policy for dynamic answers: the records for a question from this client,
 * or undefined to answer from the zone data as usual (an empty array answers
 * NODATA).
 */
export interface GslbPolicy {
  /** The records to answer, or undefined for the zone data. */
  answer(q: GslbQuery): DnsRecord[] | undefined;
}

/** How a region's pool is answered. */
export type GslbStrategy = "all" | "weighted" | "least-loaded";

/** One server of a pool. */
export interface GslbServer {
  /** Its address. */
  address: Ip4;
  /** Weight for weighted round robin and load ties (default 1). */
  weight: number;
  /** Last reported load (any unit, lower is better; default 0). */
  load: number;
  /** Whether it may be handed out. */
  up: boolean;
}

/** One region. */
export interface GslbRegion {
  /** The region's name. */
  name: string;
  /** Client prefixes it serves. */
  prefixes: Array<{ net: Ip4; len: number }>;
  /** Its server pool, in configured order. */
  servers: GslbServer[];
  /** Where to send clients when every server here is down. */
  fallback: string | undefined;
  /** Smooth weighted round robin state, per server. */
  current: number[];
}

/** A region as configured. */
export interface GslbRegionConfig {
  /** Client prefixes in CIDR form ("10.1.0.0/16"). */
  prefixes: string[];
  /** Server addresses, or addresses with weights. */
  servers: Array<string | { address: string; weight?: number }>;
  /** The region to use when every server here is down. */
  fallback?: string;
}

/** Options of a {@link Gslb}. */
export interface GslbOptions {
  /** TTL of the records it answers (default 30 s: short, so clients come back). */
  ttl?: number;
  /** How a pool is answered (default "all"). */
  strategy?: GslbStrategy;
  /** The region of clients that match no prefix (default: the first region). */
  defaultRegion?: string;
}

/** Which region and servers a client gets. */
export interface GslbChoice {
  /** The region chosen. */
  region: string;
  /** The addresses answered, in order. */
  addresses: Ip4[];
}

/**
 * Regions with server pools; answers A queries for the names it is attached
 * to (see `AuthoritativeServer.setPolicy`) with the chosen servers.
 *
 * @example
 * ```ts
 * import { Gslb } from "./gslb.ts";
 * import { ip } from "../../wire/addr.ts";
 * const gslb = new Gslb({ ttl: 20 });
 * gslb.addRegion("north", { prefixes: ["10.1.0.0/16"], servers: ["198.51.100.1"] });
 * gslb.addRegion("south", { prefixes: ["10.2.0.0/16"], servers: ["198.51.100.2"] });
 * console.assert(gslb.choose(ip("10.2.3.4")).region === "south");
 * ```
 */
export class Gslb implements GslbPolicy {
  /** Regions in the order they were added. */
  readonly regions: GslbRegion[] = [];
  /** Answers given per region (for scenarios and reports). */
  readonly answered: Map<string, number> = new Map();
  readonly #ttl: number;
  readonly #strategy: GslbStrategy;
  readonly #defaultRegion: string | undefined;

  /** A policy with no regions yet. */
  constructor(options: GslbOptions = {}) {
    this.#ttl = options.ttl ?? 30;
    this.#strategy = options.strategy ?? "all";
    this.#defaultRegion = options.defaultRegion;
  }

  /** Add a region. Throws for a bad prefix or address, or a name already used. */
  addRegion(name: string, config: GslbRegionConfig): this {
    if (this.regions.some((r) => r.name === name)) throw new Error(`gslb: region ${name} exists`);
    const prefixes = config.prefixes.map((p) => {
      const c = parseCidr(p);
      if (!c) throw new Error(`gslb: bad prefix ${p}`);
      return { net: c.addr, len: c.len };
    });
    const servers = config.servers.map((s) => {
      const text = typeof s === "string" ? s : s.address;
      const address = parseIp4(text);
      if (address === undefined) throw new Error(`gslb: bad address ${text}`);
      const weight = typeof s === "string" ? 1 : s.weight ?? 1;
      if (!(weight > 0)) throw new Error(`gslb: weight of ${text} must be positive`);
      return { address, weight, load: 0, up: true };
    });
    this.regions.push({
      name,
      prefixes,
      servers,
      fallback: config.fallback,
      current: servers.map(() => 0),
    });
    return this;
  }

  #server(address: string | Ip4): GslbServer {
    const a = typeof address === "string" ? parseIp4(address) : address;
    for (const r of this.regions) {
      const s = r.servers.find((x) => x.address === a);
      if (s) return s;
    }
    throw new Error(
      `gslb: no server ${typeof address === "string" ? address : formatIp4(address)}`,
    );
  }

  /** Report a server's load (lower is better), as its monitoring would. */
  setLoad(address: string | Ip4, load: number): void {
    this.#server(address).load = load;
  }

  /** Mark a server up or down. */
  setUp(address: string | Ip4, up: boolean): void {
    this.#server(address).up = up;
  }

  /** The region serving a client address: longest matching prefix, else the default region. */
  regionOf(client: Ip4): GslbRegion {
    let best: GslbRegion | undefined;
    let bestLen = -1;
    for (const r of this.regions) {
      for (const p of r.prefixes) {
        if (p.len > bestLen && inPrefix(client, p.net, p.len)) {
          best = r;
          bestLen = p.len;
        }
      }
    }
    const fallback = this.regions.find((r) => r.name === this.#defaultRegion) ?? this.regions[0];
    if (!best && !fallback) throw new Error("gslb: no regions");
    return best ?? fallback!;
  }

  /**
   * The servers a client gets now (moving the round-robin state on, as an
   * answer does). Falls back along regions' `fallback` when all are down;
   * an empty list when nothing is up.
   */
  choose(client: Ip4): GslbChoice {
    let region: GslbRegion | undefined = this.regionOf(client);
    const seen = new Set<string>();
    while (region && !seen.has(region.name)) {
      seen.add(region.name);
      const addresses = this.#pick(region);
      if (addresses.length > 0) {
        this.answered.set(region.name, (this.answered.get(region.name) ?? 0) + 1);
        return { region: region.name, addresses };
      }
      region = this.regions.find((r) => r.name === region!.fallback);
    }
    return { region: this.regionOf(client).name, addresses: [] };
  }

  #pick(r: GslbRegion): Ip4[] {
    const up = r.servers.map((s, i) => [s, i] as const).filter(([s]) => s.up);
    if (up.length === 0) return [];
    switch (this.#strategy) {
      case "all":
        return up.map(([s]) => s.address);
      case "least-loaded": {
        let best = up[0]!;
        for (const c of up) {
          if (
            c[0].load < best[0].load || (c[0].load === best[0].load && c[0].weight > best[0].weight)
          ) {
            best = c;
          }
        }
        return [best[0].address];
      }
      case "weighted": {
        // Smooth weighted round robin: add each weight, pick the largest, subtract the total.
        let total = 0;
        let best = up[0]!;
        for (const c of up) {
          total += c[0].weight;
          r.current[c[1]]! += c[0].weight;
          if (r.current[c[1]]! > r.current[best[1]]!) best = c;
        }
        r.current[best[1]]! -= total;
        return [best[0].address];
      }
    }
  }

  /** GslbPolicy: A queries get the chosen servers; other types fall back to zone data. */
  answer(q: GslbQuery): DnsRecord[] | undefined {
    if (q.type !== DnsType.A && q.type !== DnsType.ANY) return undefined;
    const name = canonicalDnsName(q.name);
    return this.choose(q.client).addresses.map((address) => ({
      name,
      class: DnsClass.IN,
      ttl: this.#ttl,
      data: { type: "A", address },
    }));
  }
}
