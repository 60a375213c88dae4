/**
 * A resolver's cache: RRsets and negative answers kept for their TTL in
 * virtual time (RFC 1035 §7.4, RFC 2181 §5.4.1, RFC 2308).
 *
 * Time is read as Unbound reads it, in whole seconds (`floor(now / 1 s)`): an
 * RRset stored at second S with TTL T expires at second S + T, and an answer
 * from the cache at second N shows TTL S + T − N, so a cached answer's TTL
 * counts down as it does from a real resolver. TTLs are capped at `maxTtl`
 * (Unbound's cache-max-ttl, 86400 s) and negative TTLs at `maxNegativeTtl`
 * (cache-max-negative-ttl, 3600 s).
 *
 * Credibility (RFC 2181 §5.4.1) is kept as three ranks: glue and other
 * additional data, non-authoritative authority data (a referral's NS RRset),
 * and answers. Data of a lower rank never replaces live data of a higher one,
 * and only answer-rank data is handed to clients; the lower ranks only steer
 * the iteration.
 *
 * Negative answers (RFC 2308 §5): NXDOMAIN is kept per name and answers every
 * type; NODATA is kept per name and type. Both keep the SOA from the
 * response, and live for min(SOA TTL, SOA MINIMUM) seconds.
 *
 * Entries expire lazily (a lookup drops what it finds expired); there is no
 * size limit and no prefetch. Cost: O(1) map operations per RRset.
 *
 * @module
 */
import { type DnsRecord, rdataTypeCode, type SoaData } from "./message.ts";
import { canonicalDnsName } from "./name.ts";

/** How far cached data may be trusted (RFC 2181 §5.4.1, simplified to three ranks). */
export const CacheRank = {
  /** Glue and other additional-section data. */
  additional: 1,
  /** Authority-section data of a non-authoritative answer (referral NS). */
  authority: 2,
  /** The answer section of an authoritative answer. */
  answer: 3,
} as const;

/** A cache rank. */
export type CacheRank = typeof CacheRank[keyof typeof CacheRank];

interface RRsetEntry {
  records: DnsRecord[];
  /** Expiry, whole seconds of virtual time. */
  expires: number;
  rank: CacheRank;
}

interface NegativeEntry {
  soa: DnsRecord;
  expires: number;
}

/** A negative answer found in the cache. */
export interface CachedNegative {
  /** NXDOMAIN (the name does not exist) or NODATA (no records of the type). */
  kind: "nxdomain" | "nodata";
  /** The SOA to put in AUTHORITY, TTL counted down. */
  soa: DnsRecord;
}

/** One cache entry, for listings (`unbound-control dump_cache`-style). */
export interface CacheListing {
  /** The owner name, canonical. */
  name: string;
  /** Type code, or "NXDOMAIN"/"NODATA:<type>" for negative entries. */
  what: string;
  /** Remaining TTL in seconds. */
  ttl: number;
  /** The records (or the SOA of a negative entry). */
  records: DnsRecord[];
}

/** Options of a cache. */
export interface CacheOptions {
  /** Longest TTL kept, seconds (default 86400). */
  maxTtl?: number;
  /** Longest negative TTL kept, seconds (default 3600). */
  maxNegativeTtl?: number;
}

const key = (name: string, type: number) => `${type} ${name}`;

/**
 * The cache. `clock` gives virtual time in ns.
 *
 * @example
 * ```ts
 * import { DnsCache } from "./cache.ts";
 * let now = 0;
 * const cache = new DnsCache(() => now);
 * cache.put([{ name: "www.example.com.", class: 1, ttl: 300, data: { type: "A", address: 0xc000020a } }]);
 * now = 2e9;
 * console.assert(cache.get("www.example.com.", 1)?.[0]?.ttl === 298);
 * ```
 */
export class DnsCache {
  readonly #clock: () => number;
  readonly #rrsets = new Map<string, RRsetEntry>();
  readonly #nxdomain = new Map<string, NegativeEntry>();
  readonly #nodata = new Map<string, NegativeEntry>();
  readonly #maxTtl: number;
  readonly #maxNegativeTtl: number;

  /** An empty cache reading time from `clock` (ns). */
  constructor(clock: () => number, options: CacheOptions = {}) {
    this.#clock = clock;
    this.#maxTtl = options.maxTtl ?? 86400;
    this.#maxNegativeTtl = options.maxNegativeTtl ?? 3600;
  }

  /** Virtual time in whole seconds, the cache's clock. */
  get seconds(): number {
    return Math.floor(this.#clock() / 1e9);
  }

  /**
   * Store records, grouped into RRsets by owner and type; each RRset lives for
   * the lowest TTL among its records (RFC 2181 §5.2), capped. A live RRset of
   * a higher rank is kept instead.
   */
  put(records: DnsRecord[], rank: CacheRank = CacheRank.answer): void {
    const groups = new Map<string, DnsRecord[]>();
    for (const rr of records) {
      const k = key(canonicalDnsName(rr.name), rdataTypeCode(rr.data));
      const g = groups.get(k) ?? [];
      g.push(rr);
      groups.set(k, g);
    }
    const now = this.seconds;
    for (const [k, g] of groups) {
      const old = this.#rrsets.get(k);
      if (old && old.expires > now && old.rank > rank) continue;
      const ttl = Math.min(this.#maxTtl, ...g.map((r) => r.ttl));
      this.#rrsets.set(k, { records: g, expires: now + ttl, rank });
    }
  }

  /**
   * A live RRset with TTLs counted down, or undefined. Only data of at least
   * `minRank` (default: answer rank, what may be handed to clients) is returned.
   */
  get(name: string, type: number, minRank: CacheRank = CacheRank.answer): DnsRecord[] | undefined {
    const k = key(canonicalDnsName(name), type);
    const e = this.#rrsets.get(k);
    if (!e) return undefined;
    const now = this.seconds;
    if (e.expires <= now) {
      this.#rrsets.delete(k);
      return undefined;
    }
    if (e.rank < minRank) return undefined;
    const ttl = e.expires - now;
    return e.records.map((r) => ({ ...r, ttl }));
  }

  /**
   * Store a negative answer for `name` (NXDOMAIN: `type` undefined; NODATA:
   * the type asked), with the SOA from the response's authority section.
   */
  putNegative(name: string, type: number | undefined, soa: DnsRecord): void {
    const min = (soa.data as SoaData).minimum;
    const ttl = Math.min(this.#maxNegativeTtl, soa.ttl, min);
    const entry = { soa, expires: this.seconds + ttl };
    const n = canonicalDnsName(name);
    if (type === undefined) this.#nxdomain.set(n, entry);
    else this.#nodata.set(key(n, type), entry);
  }

  /** A live negative answer for (name, type), NXDOMAIN first, with the SOA's TTL counted down. */
  getNegative(name: string, type: number): CachedNegative | undefined {
    const n = canonicalDnsName(name);
    const now = this.seconds;
    const nx = this.#nxdomain.get(n);
    if (nx) {
      if (nx.expires > now) return { kind: "nxdomain", soa: { ...nx.soa, ttl: nx.expires - now } };
      this.#nxdomain.delete(n);
    }
    const k = key(n, type);
    const nd = this.#nodata.get(k);
    if (nd) {
      if (nd.expires > now) return { kind: "nodata", soa: { ...nd.soa, ttl: nd.expires - now } };
      this.#nodata.delete(k);
    }
    return undefined;
  }

  /** Forget everything about a name (`unbound-control flush NAME`), or everything. */
  flush(name?: string): void {
    if (name === undefined) {
      this.#rrsets.clear();
      this.#nxdomain.clear();
      this.#nodata.clear();
      return;
    }
    const n = canonicalDnsName(name);
    for (const k of [...this.#rrsets.keys()]) {
      if (k.slice(k.indexOf(" ") + 1) === n) this.#rrsets.delete(k);
    }
    for (const k of [...this.#nodata.keys()]) {
      if (k.slice(k.indexOf(" ") + 1) === n) this.#nodata.delete(k);
    }
    this.#nxdomain.delete(n);
  }

  /** Every live entry with its remaining TTL, in insertion order. */
  list(): CacheListing[] {
    const now = this.seconds;
    const out: CacheListing[] = [];
    for (const [k, e] of this.#rrsets) {
      if (e.expires <= now) continue;
      const sp = k.indexOf(" ");
      out.push({
        name: k.slice(sp + 1),
        what: k.slice(0, sp),
        ttl: e.expires - now,
        records: e.records,
      });
    }
    for (const [n, e] of this.#nxdomain) {
      if (e.expires > now) {
        out.push({ name: n, what: "NXDOMAIN", ttl: e.expires - now, records: [e.soa] });
      }
    }
    for (const [k, e] of this.#nodata) {
      if (e.expires <= now) continue;
      const sp = k.indexOf(" ");
      out.push({
        name: k.slice(sp + 1),
        what: `NODATA:${k.slice(0, sp)}`,
        ttl: e.expires - now,
        records: [e.soa],
      });
    }
    return out;
  }
}
