/**
 * A recursive resolver in the manner of Unbound: it answers clients' queries
 * from its cache or by iterating from the root (RFC 1034 §5.3.3), and keeps
 * what it learns for its TTL.
 *
 * Iteration: first, once, the priming query (RFC 8109: `. NS` to a root
 * server from the hints, whose answer and addresses are cached for their
 * TTL, as Unbound does before its first resolution); then, for the name
 * asked, the deepest zone whose NS RRset is in the cache gives the servers
 * to ask; one query without RD
 * goes to one of their addresses (order shuffled from the resolver's seeded
 * stream); a referral (AA clear, NS in AUTHORITY) moves one zone down and its
 * glue is kept if it lies inside the zone that was asked (bailiwick rule,
 * RFC 5452 §6); an answer ends the walk. NS names without glue (glueless
 * delegations) are resolved first, as separate resolutions. CNAMEs are
 * followed, in the same response or by restarting at the target in whatever
 * zone it lies (at most 11 links, Unbound's restart limit), and the client
 * gets the whole chain.
 *
 * Failures: each upstream query waits `timeout` (default 800 ms), doubled
 * for every round over the zone's addresses; after `rounds` rounds (default
 * 2) without an answer — or when every server answered SERVFAIL, REFUSED or
 * nonsense — the client gets SERVFAIL. An ICMP unreachable ends a try at once
 * (Unbound's connected UDP sockets see it). A response with TC is asked again
 * over TCP. Every upstream query has a fresh id from a seeded stream and
 * leaves from a fresh ephemeral port (source-port randomisation, RFC 5452
 * §9.2), and an answer is accepted only from the address and port asked with
 * the same id and question.
 *
 * Cache ({@link DnsCache}): positive answers for their TTL, NXDOMAIN and
 * NODATA for min(SOA TTL, MINIMUM) (RFC 2308); answers from the cache show
 * the remaining TTL. Identical questions in flight share one resolution.
 *
 * Local data (Unbound's `local-data`): records configured on the resolver
 * answer with AA set before the cache and the iteration; a name with local
 * data answers NODATA for the other types. This is also how a hijacked
 * resolver is modelled; a poisoned or stale cache is {@link RecursiveResolver.cache}
 * `.put(...)` with whatever records and TTL.
 *
 * Responses to clients: RA set, AA clear (except local data), the answer
 * only (Unbound's minimal responses), the SOA in AUTHORITY for negative
 * answers, the cached addresses of NS and MX targets in ADDITIONAL, an OPT
 * record when the query had one. Queries without RD get REFUSED (Unbound's
 * `access-control: allow`; cache snooping with `allow_snoop` is not
 * modelled), and so do clients outside `allow` (by default every client is
 * allowed).
 *
 * Left out: qname minimisation (RFC 9156), DNSSEC validation, the
 * infrastructure cache's RTT-banded server selection and backoff (one fixed
 * schedule instead; real Unbound may take longer than dig's 15 s to give
 * up), prefetch, serve-stale, 0x20 case randomisation, IPv6 transport.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { inPrefix, parseCidr, parseIp4 } from "../../wire/addr.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Rng } from "../../sim/rng.ts";
import {
  DnsClass,
  type DnsMessage,
  DnsOpcode,
  dnsQuery,
  DnsRcode,
  type DnsRecord,
  DnsType,
  rdataTypeCode,
} from "./message.ts";
import { canonicalDnsName } from "./name.ts";
import { CacheRank, DnsCache } from "./cache.ts";
import { isSubdomain, parentName, parseRecords } from "./zone.ts";
import { EDNS_UDP_SIZE, responseTo, serverEdns } from "./authoritative.ts";
import {
  dnsExchange,
  type DnsExchangeResult,
  DnsListener,
  type DnsRequest,
  type ListenOptions,
} from "./transport.ts";

/** The longest CNAME chain followed (Unbound's MAX_RESTART_COUNT). */
export const MAX_RESTARTS = 11;
/** How deep glueless NS lookups may nest. */
export const MAX_DEPENDENCY_DEPTH = 4;
/** The most referrals one resolution follows. */
export const MAX_REFERRALS = 30;

/** A root server as in a hints file (named.root). */
export interface RootHint {
  /** Its name ("a.root-servers.net."). */
  name: string;
  /** Its IPv4 address. */
  address: string | Ip4;
}

/** Options of a resolver. */
export interface ResolverOptions {
  /** Root servers to start from (required unless every name is local data). */
  rootHints?: RootHint[];
  /** Wait for one upstream answer, ns (default 800 ms; doubled per round). */
  timeout?: number;
  /** Rounds over a zone's server addresses before SERVFAIL (default 2). */
  rounds?: number;
  /** Cache TTL cap, s (default 86400). */
  maxTtl?: number;
  /** Negative-cache TTL cap, s (default 3600). */
  maxNegativeTtl?: number;
  /** Client prefixes allowed to query (CIDR); default every client. */
  allow?: string[];
  /** Name of the resolver's random streams (default "<node>/<namespace>"). */
  name?: string;
}

/** The outcome of a resolution. */
export interface Resolution {
  /** NOERROR, NXDOMAIN or SERVFAIL (or REFUSED for a refused client). */
  rcode: number;
  /** The answer: any CNAME chain, then the records of the type asked (TTLs as of now). */
  answers: DnsRecord[];
  /** For negative answers: the SOA (TTL as of now). */
  authorities: DnsRecord[];
  /** True when answered from local data (AA set). */
  local: boolean;
  /** True when no upstream query was needed. */
  fromCache: boolean;
}

/** One upstream query, as the resolver's log keeps it. */
export interface UpstreamQuery {
  /** Virtual time it was sent, ns. */
  time: number;
  /** The server asked. */
  server: Ip4;
  /** The zone the server was asked as a server of. */
  zone: string;
  /** The name asked. */
  name: string;
  /** The type asked. */
  type: number;
  /** The query id. */
  id: number;
  /** The transport. */
  transport: "udp" | "tcp";
  /** What came of it: "answer", "cname", "referral", "nxdomain", "nodata", "truncated", "lame" or the exchange error. */
  outcome: string;
}

/** Counters in the spirit of `unbound-control stats`. */
export interface ResolverStats {
  /** Client queries received. */
  queries: number;
  /** Client queries answered from the cache or local data. */
  cacheHits: number;
  /** Client queries that needed iteration. */
  cacheMisses: number;
  /** Upstream queries sent. */
  upstream: number;
  /** Answers given per rcode name. */
  answers: Record<string, number>;
}

type Done = (r: Resolution) => void;

/** Work on one question: its state across upstream queries. */
interface Task {
  qname: string;
  qtype: number;
  chain: DnsRecord[];
  restarts: number;
  referrals: number;
  depth: number;
  fromCache: boolean;
  /** The priming query (RFC 8109): asks the hints, never primes itself. */
  priming?: boolean;
  done: Done;
}

/**
 * A recursive resolver on a namespace.
 *
 * @example
 * ```ts ignore
 * const resolver = new RecursiveResolver(isp.root, { rootHints: [{ name: "a.root-servers.net.", address: "198.41.0.4" }] });
 * resolver.listen();
 * resolver.addLocalData("blocked.example. 60 IN A 10.0.0.1");
 * resolver.resolve("www.example.com.", DnsType.A, (r) => console.log(r.rcode, r.answers));
 * ```
 */
export class RecursiveResolver {
  /** The namespace it runs in. */
  readonly ns: NetNs;
  /** Its cache (put records here to model a poisoned or stale cache). */
  readonly cache: DnsCache;
  /** Every upstream query, in order. */
  readonly upstream: UpstreamQuery[] = [];
  /** Counters. */
  readonly stats: ResolverStats = {
    queries: 0,
    cacheHits: 0,
    cacheMisses: 0,
    upstream: 0,
    answers: {},
  };
  /** Listeners opened by `listen`. */
  readonly listeners: DnsListener[] = [];
  readonly #hints: Array<{ name: string; address: Ip4 }>;
  readonly #timeout: number;
  readonly #rounds: number;
  readonly #allow: Array<{ net: Ip4; len: number }> | undefined;
  readonly #ids: Rng;
  readonly #order: Rng;
  /** Local data: canonical name → type → records. */
  readonly #local = new Map<string, Map<number, DnsRecord[]>>();
  /** Questions in flight → callbacks waiting for them. */
  readonly #inflight = new Map<string, Done[]>();
  /** Tasks waiting for the priming query to end, while one is out. */
  #primeWaiting: Task[] | undefined;

  /** A resolver; call `listen()` to serve clients. Throws for bad hints or prefixes. */
  constructor(ns: NetNs, options: ResolverOptions = {}) {
    this.ns = ns;
    const sim = ns.dev.sim;
    this.cache = new DnsCache(() => sim.now, {
      maxTtl: options.maxTtl,
      maxNegativeTtl: options.maxNegativeTtl,
    });
    this.#hints = (options.rootHints ?? []).map((h) => {
      const a = typeof h.address === "number" ? h.address : parseIp4(h.address);
      if (a === undefined) throw new Error(`resolver: bad root hint address ${String(h.address)}`);
      return { name: canonicalDnsName(h.name), address: a };
    });
    this.#timeout = options.timeout ?? 800e6;
    this.#rounds = options.rounds ?? 2;
    this.#allow = options.allow?.map((p) => {
      const c = parseCidr(p);
      if (!c) throw new Error(`resolver: bad prefix ${p}`);
      return { net: c.addr, len: c.len };
    });
    const name = options.name ?? `${ns.nodeName}/${ns.name}`;
    this.#ids = sim.rng(`dns resolver ids ${name}`);
    this.#order = sim.rng(`dns resolver servers ${name}`);
  }

  /**
   * Add local data (Unbound's `local-data: "NAME TTL IN TYPE DATA"`): given
   * as master-file lines with absolute names, or as records.
   */
  addLocalData(data: string | DnsRecord[]): void {
    const records = typeof data === "string"
      ? parseRecords(data, { origin: ".", ttl: 3600 })
      : data;
    for (const rr of records) {
      const n = canonicalDnsName(rr.name);
      const node = this.#local.get(n) ?? new Map<number, DnsRecord[]>();
      const t = rdataTypeCode(rr.data);
      node.set(t, [...node.get(t) ?? [], rr]);
      this.#local.set(n, node);
    }
  }

  /** Remove all local data for a name. */
  removeLocalData(name: string): void {
    this.#local.delete(canonicalDnsName(name));
  }

  /** Serve clients on UDP and TCP port 53 (or as `options` say). */
  listen(options: ListenOptions = {}): DnsListener {
    const l = new DnsListener(this.ns, (req, reply) => this.#serve(req, reply), options);
    this.listeners.push(l);
    return l;
  }

  /**
   * Resolve a question and call `done` with the outcome (at once from local
   * data or the cache, else after the upstream queries, in virtual time).
   */
  resolve(name: string, type: number, done: Done): void {
    let qname: string;
    try {
      qname = canonicalDnsName(name);
    } catch {
      done({
        rcode: DnsRcode.FORMERR,
        answers: [],
        authorities: [],
        local: false,
        fromCache: true,
      });
      return;
    }
    const k = `${type} ${qname}`;
    const waiting = this.#inflight.get(k);
    if (waiting) {
      waiting.push(done);
      return;
    }
    const list: Done[] = [done];
    this.#inflight.set(k, list);
    this.#run({
      qname,
      qtype: type,
      chain: [],
      restarts: 0,
      referrals: 0,
      depth: 0,
      fromCache: true,
      done: (r) => {
        this.#inflight.delete(k);
        for (const d of list) d(r);
      },
    });
  }

  #serve(req: DnsRequest, reply: (m: DnsMessage) => void): void {
    const query = req.message;
    this.stats.queries++;
    const send = (m: DnsMessage) => {
      const name = rcodeName(m.rcode);
      this.stats.answers[name] = (this.stats.answers[name] ?? 0) + 1;
      reply(m);
    };
    if (this.#allow && !this.#allow.some((p) => inPrefix(req.client, p.net, p.len))) {
      send({ ...responseTo(query, DnsRcode.REFUSED), ra: true });
      return;
    }
    if (query.opcode !== DnsOpcode.QUERY) {
      return send({ ...responseTo(query, DnsRcode.NOTIMP), ra: true });
    }
    const q = query.questions[0];
    if (query.questions.length !== 1 || q === undefined) {
      return send({ ...responseTo(query, DnsRcode.FORMERR), ra: true, questions: [] });
    }
    if (q.class !== DnsClass.IN) return send({ ...responseTo(query, DnsRcode.REFUSED), ra: true });
    const respond = (r: Resolution) => {
      const m = responseTo(query, r.rcode);
      m.ra = true;
      m.aa = r.local;
      m.answers = r.answers;
      m.authorities = r.authorities;
      m.additionals = this.#targetAddresses(r.answers);
      if (query.edns) m.edns = serverEdns();
      send(m);
    };
    // Unbound's `access-control: allow` refuses queries without RD (cache snooping needs allow_snoop).
    if (!query.rd) return send({ ...responseTo(query, DnsRcode.REFUSED), ra: true });
    let sync = true;
    this.resolve(q.name, q.type, (r) => {
      if (sync || r.fromCache) this.stats.cacheHits++;
      else this.stats.cacheMisses++;
      respond(r);
    });
    sync = false;
  }

  /** Cached addresses of the NS and MX targets in an answer, as Unbound adds them to ADDITIONAL. */
  #targetAddresses(answers: DnsRecord[]): DnsRecord[] {
    const out: DnsRecord[] = [];
    for (const rr of answers) {
      const target = rr.data.type === "NS"
        ? rr.data.target
        : rr.data.type === "MX"
        ? rr.data.exchange
        : undefined;
      if (target === undefined) continue;
      out.push(...this.cache.get(target, DnsType.A, CacheRank.additional) ?? []);
    }
    return out;
  }

  /**
   * Finish a task from local data or the cache if possible, following cached
   * CNAMEs. Returns false when an upstream query is needed (task.qname is
   * then the name still to resolve).
   */
  #answerLocally(t: Task): boolean {
    for (;;) {
      const local = this.#local.get(t.qname);
      if (local) {
        const recs = local.get(t.qtype);
        const cname = local.get(DnsType.CNAME);
        if (recs) return this.#finish(t, DnsRcode.NOERROR, [...t.chain, ...recs], [], true), true;
        if (cname && t.qtype !== DnsType.CNAME) {
          if (!this.#follow(t, cname[0]!)) return true;
          continue;
        }
        return this.#finish(t, DnsRcode.NOERROR, t.chain, [], true), true;
      }
      const neg = this.cache.getNegative(t.qname, t.qtype);
      if (neg) {
        const rcode = neg.kind === "nxdomain" ? DnsRcode.NXDOMAIN : DnsRcode.NOERROR;
        this.#finish(t, rcode, t.chain, [neg.soa], false);
        return true;
      }
      const hit = this.cache.get(t.qname, t.qtype);
      if (hit) {
        this.#finish(t, DnsRcode.NOERROR, [...t.chain, ...hit], [], false);
        return true;
      }
      if (t.qtype !== DnsType.CNAME) {
        const cname = this.cache.get(t.qname, DnsType.CNAME);
        if (cname) {
          if (!this.#follow(t, cname[0]!)) return true;
          continue;
        }
      }
      return false;
    }
  }

  /** Add a CNAME to the chain and move to its target; false (task finished) when the chain is too long. */
  #follow(t: Task, cname: DnsRecord): boolean {
    t.chain.push(cname);
    if (++t.restarts > MAX_RESTARTS) {
      this.#finish(t, DnsRcode.SERVFAIL, [], [], false);
      return false;
    }
    t.qname = canonicalDnsName((cname.data as { target: string }).target);
    return true;
  }

  #finish(
    t: Task,
    rcode: number,
    answers: DnsRecord[],
    authorities: DnsRecord[],
    local: boolean,
  ): void {
    t.done({ rcode, answers, authorities, local, fromCache: t.fromCache });
  }

  #servfail(t: Task): void {
    this.#finish(t, DnsRcode.SERVFAIL, [], [], false);
  }

  /** Resolve as far as possible locally, then ask the closest known servers. */
  #run(t: Task): void {
    if (this.#answerLocally(t)) return;
    t.fromCache = false;
    this.#iterate(t);
  }

  /** The deepest zone above qname with a cached NS RRset, and its NS names; the root hints last. */
  #closestZone(
    qname: string,
  ): { zone: string; nsNames: string[]; fromHints?: boolean } | undefined {
    for (let n = qname;; n = parentName(n)) {
      const ns = this.cache.get(n, DnsType.NS, CacheRank.additional);
      if (ns && ns.length > 0) {
        return {
          zone: n,
          nsNames: ns.map((r) => canonicalDnsName((r.data as { target: string }).target)),
        };
      }
      if (n === ".") break;
    }
    if (this.#hints.length === 0) return undefined;
    return { zone: ".", nsNames: this.#hints.map((h) => h.name), fromHints: true };
  }

  /** Known addresses of a name server: cached A records of any rank, or a root hint. */
  #addressesOf(nsName: string): Ip4[] {
    const cached = this.cache.get(nsName, DnsType.A, CacheRank.additional);
    if (cached) return cached.map((r) => (r.data as { address: Ip4 }).address);
    return this.#hints.filter((h) => h.name === nsName).map((h) => h.address);
  }

  #iterate(t: Task): void {
    const closest = this.#closestZone(t.qname);
    if (!closest) return this.#servfail(t);
    if (closest.fromHints && !t.priming) return this.#prime(t);
    const { zone, nsNames } = closest;
    const addresses: Ip4[] = [];
    for (const n of nsNames) {
      for (const a of this.#addressesOf(n)) if (!addresses.includes(a)) addresses.push(a);
    }
    if (addresses.length === 0) {
      // Glueless delegation: resolve the first NS name outside the zone first.
      const target = nsNames.find((n) => !isSubdomain(n, zone));
      if (target === undefined || t.depth >= MAX_DEPENDENCY_DEPTH) return this.#servfail(t);
      this.#subResolve(t, target);
      return;
    }
    // Shuffle once per visit (Fisher–Yates from the resolver's stream).
    for (let i = addresses.length - 1; i > 0; i--) {
      const j = this.#order.int(0, i);
      [addresses[i], addresses[j]] = [addresses[j]!, addresses[i]!];
    }
    this.#ask(t, zone, addresses, 0);
  }

  /**
   * Priming (RFC 8109): before the first iteration, ask a root server from the
   * hints for the root NS RRset and its addresses; tasks wait for it, and
   * all fail with SERVFAIL if it fails.
   */
  #prime(t: Task): void {
    if (this.#primeWaiting) {
      this.#primeWaiting.push(t);
      return;
    }
    const waiting: Task[] = [t];
    this.#primeWaiting = waiting;
    this.#run({
      qname: ".",
      qtype: DnsType.NS,
      chain: [],
      restarts: 0,
      referrals: 0,
      depth: 0,
      fromCache: false,
      priming: true,
      done: (r) => {
        this.#primeWaiting = undefined;
        const ok = r.rcode === DnsRcode.NOERROR && r.answers.some((rr) => rr.data.type === "NS");
        for (const w of waiting) {
          if (ok) this.#run(w); // the priming answer may be the answer (". NS")
          else this.#servfail(w);
        }
      },
    });
  }

  #subResolve(t: Task, nsName: string): void {
    const sub: Task = {
      qname: nsName,
      qtype: DnsType.A,
      chain: [],
      restarts: 0,
      referrals: 0,
      depth: t.depth + 1,
      fromCache: false,
      done: (r) => {
        const found = r.answers.filter((rr) => rr.data.type === "A");
        if (r.rcode !== DnsRcode.NOERROR || found.length === 0) return this.#servfail(t);
        this.cache.put(found.map((rr) => ({ ...rr, name: nsName })), CacheRank.additional);
        this.#iterate(t);
      },
    };
    this.#run(sub);
  }

  /** Send try number `attempt` of the question to the zone's servers. */
  #ask(t: Task, zone: string, addresses: Ip4[], attempt: number): void {
    const round = Math.floor(attempt / addresses.length);
    // Every server of the zone failed in every round: give up (a parent would only refer us back).
    if (round >= this.#rounds) return this.#servfail(t);
    const server = addresses[attempt % addresses.length]!;
    this.#send(t, zone, server, "udp", this.#timeout * 2 ** round, (outcome) => {
      if (outcome === "next") this.#ask(t, zone, addresses, attempt + 1);
    });
  }

  /**
   * One upstream exchange. `then("next")` means: try the next server; the
   * task has been taken further otherwise.
   */
  #send(
    t: Task,
    zone: string,
    server: Ip4,
    transport: "udp" | "tcp",
    timeout: number,
    then: (o: "next" | "handled") => void,
  ): void {
    const id = this.#ids.int(0, 0xffff);
    const query = dnsQuery(id, t.qname, t.qtype, {
      rd: false,
      edns: { udpSize: EDNS_UDP_SIZE, version: 0, dnssecOk: false, z: 0, options: [] },
    });
    const entry: UpstreamQuery = {
      time: this.ns.dev.sim.now,
      server,
      zone,
      name: t.qname,
      type: t.qtype,
      id,
      transport,
      outcome: "",
    };
    this.upstream.push(entry);
    this.stats.upstream++;
    dnsExchange(this.ns, query, { server, transport, timeout }, (r: DnsExchangeResult) => {
      if (!r.ok) {
        entry.outcome = r.error;
        return then("next");
      }
      const m = r.message;
      if (m.tc && transport === "udp") {
        entry.outcome = "truncated";
        return this.#send(t, zone, server, "tcp", timeout, then);
      }
      entry.outcome = this.#handle(t, zone, m);
      then(entry.outcome === "lame" ? "next" : "handled");
    });
  }

  /** Take a response further; returns the outcome word for the log ("lame": ask another server). */
  #handle(t: Task, zone: string, m: DnsMessage): string {
    if (m.rcode !== DnsRcode.NOERROR && m.rcode !== DnsRcode.NXDOMAIN) return "lame";
    const inZone = (name: string) => isSubdomain(canonicalDnsName(name), zone);
    // Answer section: follow the chain from qname inside the answer.
    const answers = m.answers.filter((rr) => inZone(rr.name));
    let name = t.qname;
    let progressed = false;
    for (let guard = 0; guard <= MAX_RESTARTS; guard++) {
      const own = answers.filter((rr) => canonicalDnsName(rr.name) === name);
      const wanted = own.filter((rr) => rdataTypeCode(rr.data) === t.qtype);
      if (wanted.length > 0) {
        this.cache.put(wanted, CacheRank.answer);
        if (t.qtype === DnsType.NS) {
          // The addresses of the name servers that came along (in bailiwick), as Unbound keeps them.
          const targets = new Set(
            wanted.map((rr) => canonicalDnsName((rr.data as { target: string }).target)),
          );
          const extra = m.additionals.filter((rr) =>
            (rr.data.type === "A" || rr.data.type === "AAAA") && inZone(rr.name) &&
            targets.has(canonicalDnsName(rr.name))
          );
          if (extra.length > 0) this.cache.put(extra, CacheRank.additional);
        }
        this.#finish(
          t,
          DnsRcode.NOERROR,
          [...t.chain, ...this.cache.get(name, t.qtype) ?? wanted],
          [],
          false,
        );
        return "answer";
      }
      const cname = own.find((rr) => rr.data.type === "CNAME");
      if (!cname || t.qtype === DnsType.CNAME) break;
      this.cache.put([cname], CacheRank.answer);
      if (!this.#follow(t, this.cache.get(name, DnsType.CNAME)?.[0] ?? cname)) return "cname";
      name = t.qname;
      progressed = true;
    }
    const soa = m.authorities.find((rr) =>
      rr.data.type === "SOA" && isSubdomain(name, canonicalDnsName(rr.name))
    );
    if (m.rcode === DnsRcode.NXDOMAIN) return this.#negative(t, name, DnsRcode.NXDOMAIN, soa);
    if (progressed) {
      // The server holds the target and has nothing of the type: NODATA for the target (RFC 2308 §2.2).
      if (m.aa && soa && inZone(name)) return this.#negative(t, name, DnsRcode.NOERROR, soa);
      // The chain left this response: restart at the target.
      this.#run(t);
      return "cname";
    }
    const ns = m.authorities.filter((rr) => rr.data.type === "NS");
    const cut = ns[0] === undefined ? undefined : canonicalDnsName(ns[0].name);
    if (
      !m.aa && cut !== undefined && cut !== zone && isSubdomain(cut, zone) && isSubdomain(name, cut)
    ) {
      if (++t.referrals > MAX_REFERRALS) {
        this.#servfail(t);
        return "referral";
      }
      this.cache.put(ns.filter((rr) => canonicalDnsName(rr.name) === cut), CacheRank.authority);
      const glue = m.additionals.filter((rr) =>
        (rr.data.type === "A" || rr.data.type === "AAAA") && inZone(rr.name)
      );
      if (glue.length > 0) this.cache.put(glue, CacheRank.additional);
      this.#iterate(t);
      return "referral";
    }
    if (m.aa || soa) return this.#negative(t, name, DnsRcode.NOERROR, soa);
    return "lame";
  }

  /** Cache and answer NXDOMAIN or NODATA for `name` (RFC 2308 §5); the SOA shows the cached TTL. */
  #negative(t: Task, name: string, rcode: number, soa: DnsRecord | undefined): string {
    const nx = rcode === DnsRcode.NXDOMAIN;
    if (soa) this.cache.putNegative(name, nx ? undefined : t.qtype, soa);
    const shown = soa ? [this.cache.getNegative(name, t.qtype)?.soa ?? soa] : [];
    this.#finish(t, rcode, t.chain, shown, false);
    return nx ? "nxdomain" : "nodata";
  }
}

/** The name of a response code for counters. */
function rcodeName(rcode: number): string {
  return Object.entries(DnsRcode).find(([, v]) => v === rcode)?.[0] ?? String(rcode);
}
