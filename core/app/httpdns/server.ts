/**
 * An HTTPDNS service: name resolution over plain HTTP, answered from a DNS
 * provider's own authoritative data — zones and GSLB policies — for the
 * client's real address, as the notes describe it ("not the traditional DNS
 * path: a server cluster reached over HTTP that returns the nearest
 * address").
 *
 * The interface is DNSPod's D+ (Tencent Cloud HTTPDNS), plain text:
 *
 *     GET /d?dn=www.example.com[&ip=CLIENT][&ttl=1][&clientip=1]
 *     200  198.51.100.10;198.51.100.11,60|10.2.0.10
 *
 * the IPv4 addresses of the name (after any CNAME chain) separated by `;`,
 * then `,TTL` with `ttl=1` (the smallest TTL on the chain, what a cache must
 * honour), then `|ADDRESS` with `clientip=1` (the address the answer was
 * chosen for). A name with no address (NXDOMAIN, NODATA, or a name outside
 * the provider's zones) answers 200 with an empty body, as D+ does. The
 * address the answer is chosen for is `ip=` when given (an app may send its
 * own), else the source address of the TCP connection — which is what makes
 * the GSLB see the client itself, where classic DNS shows it only the
 * client's recursive resolver.
 *
 * Packetlab's choices where D+ says nothing public: a missing or malformed
 * `dn`, or an `ip` that is not an IPv4 address, is answered 400 with a one-line
 * reason; other paths are 404 and other methods 405 (from {@link HttpServer}).
 *
 * Left out: D+'s encrypted (DES/AES) parameters and account ids, HTTPS, the
 * batch form `dn=a,b`, AAAA (`type=AAAA`), and ECS towards recursive upstreams
 * (the service answers only from the authority it is given).
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4, parseIp4 } from "../../wire/addr.ts";
import type { NetNs } from "../../node/netns.ts";
import { type DnsMessage, dnsQuery, DnsRcode, DnsType } from "../dns/message.ts";
import { canonicalDnsName } from "../dns/name.ts";
import { hostent } from "../dns/stub.ts";
import { type HttpExchange, type HttpReply, HttpServer } from "../http/server.ts";
import type { Errno } from "../../ip/ipv4.ts";

/** Where the answers come from: an authoritative server (with its GSLB policies). */
export interface HttpDnsAuthority {
  /** The DNS response to `query` as if `client` had asked it. */
  answer(query: DnsMessage, client: Ip4): DnsMessage;
}

/** One answered request. */
export interface HttpDnsLogEntry {
  /** Virtual time, ns. */
  time: number;
  /** The TCP source address of the request. */
  peer: Ip4;
  /** The address the answer was chosen for (`ip=`, else the peer). */
  client: Ip4;
  /** The name asked (as given). */
  name: string;
  /** The addresses answered. */
  addresses: Ip4[];
  /** The TTL answered (seconds; 0 when there were no addresses). */
  ttl: number;
  /** The HTTP status. */
  status: number;
}

/** One HTTPDNS answer in D+'s text form. */
export interface HttpDnsAnswer {
  /** The addresses, in order. */
  addresses: Ip4[];
  /** The TTL, when the answer carried one. */
  ttl: number | undefined;
  /** The client address, when the answer carried one (`clientip=1`). */
  client: Ip4 | undefined;
}

/** D+'s body for an answer: "a;b[,ttl][|client]". */
export function formatHttpDnsAnswer(a: HttpDnsAnswer): string {
  if (a.addresses.length === 0) return "";
  let s = a.addresses.map(formatIp4).join(";");
  if (a.ttl !== undefined) s += `,${a.ttl}`;
  if (a.client !== undefined) s += `|${formatIp4(a.client)}`;
  return s;
}

/** Read D+'s body; undefined when it is not of that form. An empty body is no addresses. */
export function parseHttpDnsAnswer(body: string): HttpDnsAnswer | undefined {
  const text = body.trim();
  if (text === "") return { addresses: [], ttl: undefined, client: undefined };
  const m = /^([0-9.;]+)(?:,(\d+))?(?:\|([0-9.]+))?$/.exec(text);
  if (!m) return undefined;
  const addresses = m[1]!.split(";").map((a) => parseIp4(a));
  if (addresses.some((a) => a === undefined)) return undefined;
  const client = m[3] === undefined ? undefined : parseIp4(m[3]);
  if (m[3] !== undefined && client === undefined) return undefined;
  return {
    addresses: addresses as Ip4[],
    ttl: m[2] === undefined ? undefined : Number(m[2]),
    client,
  };
}

/** Options of an HTTPDNS server. */
export interface HttpDnsServerOptions {
  /** TCP port (default 80). */
  port?: number;
  /** The resolution path (default "/d", D+'s). */
  path?: string;
  /** The `Server` field (default "packetlab"). */
  serverName?: string;
}

/**
 * An HTTPDNS service on a namespace.
 *
 * @example
 * ```ts ignore
 * const auth = new AuthoritativeServer();
 * auth.addZoneText(ZONE);
 * auth.setPolicy("www.example.com.", gslb);
 * new HttpDnsServer(node.root, auth).start();
 * // curl 'http://198.51.100.53/d?dn=www.example.com&ttl=1'  →  203.0.113.10,30
 * ```
 */
export class HttpDnsServer {
  /** The HTTP server underneath (its access log, its connections). */
  readonly http: HttpServer;
  /** Every resolution request answered, in order. */
  readonly log: HttpDnsLogEntry[] = [];
  #authority: HttpDnsAuthority;

  /** A service answering from `authority` on `ns`; call {@link start}. */
  constructor(ns: NetNs, authority: HttpDnsAuthority, options: HttpDnsServerOptions = {}) {
    this.#authority = authority;
    this.http = new HttpServer(ns, { port: options.port ?? 80, name: options.serverName });
    this.http.route(options.path ?? "/d", (ex) => this.#resolve(ex));
  }

  /** Listen; returns an errno when the port cannot be had. */
  start(): Errno | "EADDRINUSE" | undefined {
    return this.http.start();
  }

  /** Stop listening (connections are closed). */
  stop(): void {
    this.http.stop();
  }

  #resolve(ex: HttpExchange): HttpReply {
    const now = this.http.ns.dev.sim.now;
    const bad = (why: string): HttpReply => {
      this.log.push({
        time: now,
        peer: ex.remoteAddr,
        client: ex.remoteAddr,
        name: ex.query.get("dn") ?? "",
        addresses: [],
        ttl: 0,
        status: 400,
      });
      return { status: 400, headers: TEXT, body: why + "\n" };
    };
    const dn = ex.query.get("dn");
    if (dn === null || dn === "") return bad("missing dn");
    let name: string;
    try {
      name = canonicalDnsName(dn);
    } catch {
      return bad("bad dn");
    }
    const ipParam = ex.query.get("ip");
    const given = ipParam === null ? undefined : parseIp4(ipParam);
    if (ipParam !== null && given === undefined) return bad("bad ip");
    const client = given ?? ex.remoteAddr;
    const r = this.#authority.answer(dnsQuery(0, name, DnsType.A), client);
    let addresses: Ip4[] = [];
    let ttl = 0;
    if (r.rcode === DnsRcode.NOERROR) {
      addresses = hostent(name, r.answers, 4).addresses.map((a) => parseIp4(a)!);
      // The chain's smallest TTL: the CNAMEs and the addresses all expire then.
      if (addresses.length > 0) ttl = Math.min(...r.answers.map((rr) => rr.ttl));
    }
    this.log.push({
      time: now,
      peer: ex.remoteAddr,
      client,
      name: dn,
      addresses,
      ttl,
      status: 200,
    });
    const body = formatHttpDnsAnswer({
      addresses,
      ttl: ex.query.get("ttl") === "1" ? ttl : undefined,
      client: ex.query.get("clientip") === "1" ? client : undefined,
    });
    return { headers: TEXT, body };
  }
}

const TEXT = [{ name: "Content-Type", value: "text/plain" }];
