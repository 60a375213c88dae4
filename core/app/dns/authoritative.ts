/**
 * An authoritative name server, BIND-like with `recursion no`: it answers from
 * the zones it holds (RFC 1034 §4.3.2) and from GSLB policies attached to
 * names, and refuses everything else.
 *
 * What it answers:
 * - data it holds: AA set, the records in ANSWER; CNAMEs are followed through
 *   every zone the server holds (BIND's restarts, at most 16 links), the
 *   final response code being the one of the last name (NXDOMAIN when the
 *   chain ends at a name that does not exist, RFC 6604);
 * - a name at or below a zone cut: a referral with AA clear, the delegation's
 *   NS RRset in AUTHORITY and the glue addresses the zone holds for the NS
 *   names in ADDITIONAL (root and TLD servers answer only this way);
 * - no such name: NXDOMAIN with the zone's SOA in AUTHORITY, its TTL the lower
 *   of the SOA's TTL and MINIMUM (RFC 2308 §3); a name without the type:
 *   NOERROR with no answer and the same SOA (NODATA);
 * - a name in no zone it holds: REFUSED; an opcode other than QUERY: NOTIMP;
 *   no question or more than one: FORMERR; EDNS version above 0: BADVERS
 *   (RFC 6891 §6.1.3).
 * Positive answers to queries with RD set carry only the answer; with RD clear
 * they also carry the zone's NS RRset and its addresses (BIND 9.18's default
 * `minimal-responses no-auth-recursive`). A query with EDNS gets an OPT
 * record with a 1232-byte UDP size. Over UDP a response that does not fit the
 * client's size is cut to the records that fit, with TC set, as BIND does
 * (a resolver such as Unbound drops the whole RRset instead).
 *
 * {@link AuthoritativeServer.answer} is the whole logic as a function of the
 * query, the client's address and the time, with no sockets: HTTPDNS and
 * tests call it directly; {@link AuthoritativeServer.listen} puts it on UDP and
 * TCP port 53 of a namespace.
 *
 * Left out: wildcards, DNAME, zone transfers and NOTIFY, DNSSEC, views,
 * response rate limiting, DNS cookies and EDNS Client Subnet.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Simulator } from "../../sim/simulator.ts";
import {
  type DnsMessage,
  DnsOpcode,
  DnsRcode,
  type DnsRecord,
  DnsType,
  type Edns,
} from "./message.ts";
import { canonicalDnsName } from "./name.ts";
import { isSubdomain, parseZone, type Zone, type ZoneTextOptions } from "./zone.ts";
import type { GslbPolicy } from "./gslb.ts";
import { DnsListener, type DnsRequest, type ListenOptions } from "./transport.ts";

/** The EDNS UDP size servers advertise (the 2020 DNS flag day value, BIND's and Unbound's default). */
export const EDNS_UDP_SIZE = 1232;

/** The longest CNAME chain followed inside one response. */
export const MAX_CNAME_CHAIN = 16;

/** A response skeleton for a query: same id, question, opcode and RD. */
export function responseTo(query: DnsMessage, rcode: number = DnsRcode.NOERROR): DnsMessage {
  return {
    id: query.id,
    qr: true,
    opcode: query.opcode,
    aa: false,
    tc: false,
    rd: query.rd,
    ra: false,
    ad: false,
    cd: query.cd,
    rcode,
    questions: query.questions.slice(0, 1),
    answers: [],
    authorities: [],
    additionals: [],
    edns: query.edns === undefined ? undefined : serverEdns(),
  };
}

/** The OPT record a server puts in its responses. */
export function serverEdns(): Edns {
  return { udpSize: EDNS_UDP_SIZE, version: 0, dnssecOk: false, z: 0, options: [] };
}

/** One query as the server's log keeps it. */
export interface QueryLogEntry {
  /** Virtual time, ns. */
  time: number;
  /** Source address of the query. */
  client: Ip4;
  /** The name asked, as sent. */
  name: string;
  /** The type asked. */
  type: number;
  /** How it arrived ("api" for direct calls of `answer`). */
  transport: "udp" | "tcp" | "api";
  /** The response code given. */
  rcode: number;
  /** Whether the answer was a referral. */
  referral: boolean;
}

/** Options of an authoritative server. */
export interface AuthoritativeOptions {
  /** The zones it holds (more can be added with `addZone`). */
  zones?: Zone[];
  /** Clock for the query log and GSLB policies (set by `listen`). */
  sim?: Simulator;
}

/**
 * An authoritative server.
 *
 * @example
 * ```ts
 * import { AuthoritativeServer } from "./authoritative.ts";
 * import { dnsQuery } from "./message.ts";
 * import { ip } from "../../wire/addr.ts";
 * const server = new AuthoritativeServer();
 * server.addZoneText(`
 * $ORIGIN example.com.
 * $TTL 300
 * @   SOA ns1 hostmaster 1 7200 3600 1209600 60
 *     NS  ns1
 * ns1 A   192.0.2.53
 * www A   192.0.2.10
 * `);
 * const r = server.answer(dnsQuery(1, "www.example.com.", 1), ip("10.0.0.1"));
 * console.assert(r.aa && r.answers.length === 1);
 * ```
 */
export class AuthoritativeServer {
  /** Zones by canonical origin. */
  readonly zones: Map<string, Zone> = new Map();
  /** GSLB policies by canonical name. */
  readonly policies: Map<string, GslbPolicy> = new Map();
  /** Every query answered, in order. */
  readonly log: QueryLogEntry[] = [];
  /** Listeners opened by `listen`. */
  readonly listeners: DnsListener[] = [];
  #sim: Simulator | undefined;

  /** A server holding the given zones. */
  constructor(options: AuthoritativeOptions = {}) {
    for (const z of options.zones ?? []) this.addZone(z);
    this.#sim = options.sim;
  }

  /** Hold a zone (replacing one with the same origin). */
  addZone(zone: Zone): Zone {
    this.zones.set(zone.origin, zone);
    return zone;
  }

  /** Read a zone from master-file text and hold it; throws ZoneError for bad text. */
  addZoneText(text: string, options: ZoneTextOptions = {}): Zone {
    return this.addZone(parseZone(text, options));
  }

  /**
   * Answer A queries for `name` with a policy (GSLB) instead of the zone data.
   * The name must lie in a zone the server holds when queried.
   */
  setPolicy(name: string, policy: GslbPolicy): void {
    this.policies.set(canonicalDnsName(name), policy);
  }

  /** The zone holding a name: the one with the longest origin above it. */
  zoneFor(name: string): Zone | undefined {
    let best: Zone | undefined;
    for (const z of this.zones.values()) {
      if (isSubdomain(name, z.origin) && (!best || z.origin.length > best.origin.length)) best = z;
    }
    return best;
  }

  /**
   * The response to a query from `client` (the source address the query came
   * from) at virtual time `now`. Pure apart from the query log and the GSLB
   * policies' round-robin state.
   */
  answer(
    query: DnsMessage,
    client: Ip4,
    transport: QueryLogEntry["transport"] = "api",
  ): DnsMessage {
    const now = this.#sim?.now ?? 0;
    const r = this.#answer(query, client, now);
    const q = query.questions[0];
    this.log.push({
      time: now,
      client,
      name: q?.name ?? "",
      type: q?.type ?? 0,
      transport,
      rcode: r.rcode,
      referral: !r.aa && r.rcode === DnsRcode.NOERROR && r.answers.length === 0 &&
        r.authorities.some((rr) => rr.data.type === "NS"),
    });
    return r;
  }

  #answer(query: DnsMessage, client: Ip4, now: number): DnsMessage {
    if (query.opcode !== DnsOpcode.QUERY) return responseTo(query, DnsRcode.NOTIMP);
    if (query.questions.length !== 1) {
      return { ...responseTo(query, DnsRcode.FORMERR), questions: [] };
    }
    if (query.edns && query.edns.version > 0) {
      return { ...responseTo(query, DnsRcode.BADVERS), edns: serverEdns() };
    }
    const q = query.questions[0]!;
    const r = responseTo(query);
    let name: string;
    try {
      name = canonicalDnsName(q.name);
    } catch {
      return responseTo(query, DnsRcode.FORMERR);
    }
    const first = this.zoneFor(name);
    if (!first) return responseTo(query, DnsRcode.REFUSED);
    const seen = new Set<string>();
    let zone: Zone | undefined = first;
    for (let step = 0; zone && step <= MAX_CNAME_CHAIN; step++) {
      seen.add(name);
      const policy = this.policies.get(name);
      const dynamic = policy?.answer({ name, type: q.type, client, now });
      if (dynamic !== undefined && zone.cutAbove(name) === undefined) {
        if (step === 0) r.aa = true;
        if (dynamic.length > 0) {
          r.answers.push(...dynamic);
          this.#addAuthority(r, zone, query);
        } else {
          r.authorities.push(zone.negativeSoa);
        }
        return r;
      }
      const found = zone.lookup(name, q.type);
      switch (found.kind) {
        case "answer":
          if (step === 0) r.aa = true;
          r.answers.push(...found.records);
          this.#addAuthority(r, zone, query);
          this.#addTargets(r, found.records);
          return r;
        case "cname": {
          if (step === 0) r.aa = true;
          r.answers.push(found.record);
          const target = canonicalDnsName((found.record.data as { target: string }).target);
          if (seen.has(target)) return r;
          name = target;
          zone = this.zoneFor(name);
          continue;
        }
        case "referral":
          if (step > 0) return r; // a CNAME into a delegated name: the resolver follows it
          r.authorities.push(...found.ns);
          r.additionals.push(...found.glue);
          return r;
        case "nxdomain":
        case "nodata":
          if (step === 0) r.aa = true;
          if (found.kind === "nxdomain") r.rcode = DnsRcode.NXDOMAIN;
          r.authorities.push(found.soa);
          return r;
        case "outside":
          return r;
      }
    }
    return r;
  }

  /** With RD clear, a positive answer carries the zone's NS RRset and their addresses. */
  #addAuthority(r: DnsMessage, zone: Zone, query: DnsMessage): void {
    if (query.rd) return;
    const ns = zone.rrset(zone.origin, DnsType.NS);
    // The apex NS RRset already in the answer is not repeated in AUTHORITY (BIND).
    const answered = r.answers.some((rr) =>
      rr.data.type === "NS" && canonicalDnsName(rr.name) === zone.origin
    );
    if (!answered) r.authorities.push(...ns);
    for (const rr of ns) {
      const target = (rr.data as { target: string }).target;
      const z = this.zoneFor(canonicalDnsName(target));
      if (z) r.additionals.push(...z.addresses(target));
    }
  }

  /** Addresses of MX exchanges in an answer, as BIND adds them (RFC 1035 §3.3.9). */
  #addTargets(r: DnsMessage, records: DnsRecord[]): void {
    if (r.rd) return;
    for (const rr of records) {
      if (rr.data.type !== "MX") continue;
      const z = this.zoneFor(canonicalDnsName(rr.data.exchange));
      if (z) r.additionals.push(...z.addresses(rr.data.exchange));
    }
  }

  /**
   * Serve on UDP and TCP port 53 of a namespace (all its addresses, or
   * `options.address`). Returns the listener; throws if the port is taken.
   */
  listen(ns: NetNs, options: ListenOptions = {}): DnsListener {
    this.#sim = ns.dev.sim;
    const l = new DnsListener(
      ns,
      (req: DnsRequest, reply) => reply(this.answer(req.message, req.client, req.transport)),
      { truncation: "records", ...options },
    );
    this.listeners.push(l);
    return l;
  }
}
