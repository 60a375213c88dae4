/**
 * The HTTPDNS client an app embeds (what the providers' mobile SDKs do): it
 * resolves names by asking an HTTPDNS service over HTTP at a fixed IP address
 * — no DNS is needed to reach it — caches each answer for its TTL, and falls
 * back to the system's resolver when the service cannot be reached.
 *
 * A lookup:
 * 1. a cached answer that has not expired (virtual time) is returned at once,
 *    with no traffic;
 * 2. otherwise `GET /d?dn=NAME&ttl=1` (with `&ip=` the app's own address when
 *    `sendClientIp` is set) goes to the first service address, over a
 *    kept-alive connection when one is open; an answer with addresses is
 *    cached for its TTL (concurrent lookups of one name share the request);
 * 3. when the service is unreachable — connect refused or unreachable, no
 *    complete answer within `timeout` (2 s, the Tencent SDK's default), a
 *    status other than 200, or a body that is not D+'s form — the next
 *    service address is tried; when all fail, or the service has no address
 *    for the name (an empty answer), the name goes to the stub resolver
 *    (/etc/hosts, then the DNS servers of /etc/resolv.conf).
 *
 * Answers from the fallback are not cached here (the local resolver has its
 * own cache); failures are not cached either.
 *
 * Left out: the SDKs' pre-resolution of hot names, refreshing before expiry
 * (serve-stale), network-change cache flushes, IPv6, and request signing.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4, parseIp4 } from "../../wire/addr.ts";
import type { Node } from "../../node/node.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Timer } from "../../sim/simulator.ts";
import { StubResolver } from "../dns/stub.ts";
import { HttpConnection } from "../http/client.ts";
import { getRequest, text } from "../http/mod.ts";
import { parseHttpDnsAnswer } from "./server.ts";

/** Where an answer came from. */
export type HttpDnsSource = "cache" | "httpdns" | "dns";

/** The outcome of one lookup. */
export interface HttpDnsLookup {
  /** Virtual time the answer was given, ns. */
  time: number;
  /** The name looked up. */
  name: string;
  /** The addresses (empty when nothing resolved it). */
  addresses: Ip4[];
  /** Seconds the answer may still be used (HTTPDNS answers; 0 for the fallback). */
  ttl: number;
  /** Cache, the HTTPDNS service, or the system resolver. */
  source: HttpDnsSource;
  /** The service address that answered (source "httpdns"). */
  server?: Ip4;
  /** Why the service was not used, when the answer came from the fallback. */
  fallbackReason?: string;
}

/** Client settings. */
export interface HttpDnsClientOptions {
  /** The service's addresses, tried in order. */
  servers: Array<string | Ip4>;
  /** Its TCP port (default 80). */
  port?: number;
  /** Its path (default "/d"). */
  path?: string;
  /** How long one service address may take to answer, ns (default 2 s). */
  timeout?: number;
  /** Send the app's own address as `ip=` (default: the service uses the TCP source). */
  sendClientIp?: boolean;
}

interface CacheEntry {
  addresses: Ip4[];
  expires: number;
}

/**
 * An app's HTTPDNS client on one namespace of a node.
 *
 * @example
 * ```ts ignore
 * const dns = new HttpDnsClient(phone, phone.root, { servers: ["198.51.100.53"] });
 * dns.resolve("www.163.com", (r) => console.log(r.source, r.addresses.map(formatIp4)));
 * ```
 */
export class HttpDnsClient {
  /** The machine (its files, for the fallback resolver). */
  readonly node: Node;
  /** The namespace whose sockets it uses. */
  readonly ns: NetNs;
  /** Every lookup answered, in order. */
  readonly log: HttpDnsLookup[] = [];
  /** Counters. */
  readonly stats = { lookups: 0, cacheHits: 0, requests: 0, failures: 0, fallbacks: 0 };
  /** The fallback: the system's stub resolver. */
  readonly fallback: StubResolver;
  readonly #servers: Ip4[];
  readonly #port: number;
  readonly #path: string;
  readonly #timeout: number;
  readonly #sendClientIp: boolean;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #waiting = new Map<string, Array<(r: HttpDnsLookup) => void>>();
  readonly #conns = new Map<Ip4, HttpConnection>();

  /** A client for the service at `options.servers`. Throws for an address that is not IPv4. */
  constructor(node: Node, ns: NetNs, options: HttpDnsClientOptions) {
    this.node = node;
    this.ns = ns;
    this.#servers = options.servers.map((s) => {
      const a = typeof s === "number" ? s : parseIp4(s);
      if (a === undefined) throw new Error(`httpdns: bad server address ${String(s)}`);
      return a;
    });
    this.#port = options.port ?? 80;
    this.#path = options.path ?? "/d";
    this.#timeout = options.timeout ?? 2e9;
    this.#sendClientIp = options.sendClientIp ?? false;
    this.fallback = new StubResolver(node, ns);
  }

  /** The cached addresses of `name` and their remaining TTL (whole seconds, as DNS caches count), if any. */
  cached(name: string): { addresses: Ip4[]; ttl: number } | undefined {
    const e = this.#cache.get(key(name));
    const now = this.ns.dev.sim.now;
    if (!e || e.expires <= now) return undefined;
    return { addresses: e.addresses, ttl: Math.floor((e.expires - now) / 1e9) };
  }

  /** Forget every cached answer (an app does on a network change). */
  flush(): void {
    this.#cache.clear();
  }

  /** Resolve `name`; `done` gets the answer (at once when cached). */
  resolve(name: string, done: (r: HttpDnsLookup) => void): void {
    this.stats.lookups++;
    const k = key(name);
    const hit = this.cached(name);
    if (hit) {
      this.stats.cacheHits++;
      this.#give(done, { name, addresses: hit.addresses, ttl: hit.ttl, source: "cache" });
      return;
    }
    const waiting = this.#waiting.get(k);
    if (waiting) {
      waiting.push(done);
      return;
    }
    this.#waiting.set(k, [done]);
    const finish = (r: Omit<HttpDnsLookup, "time">) => {
      const list = this.#waiting.get(k) ?? [];
      this.#waiting.delete(k);
      for (const d of list) this.#give(d, r);
    };
    this.#ask(name, 0, "", finish);
  }

  #give(done: (r: HttpDnsLookup) => void, r: Omit<HttpDnsLookup, "time">): void {
    const full: HttpDnsLookup = { time: this.ns.dev.sim.now, ...r };
    this.log.push(full);
    done(full);
  }

  /** Ask service address `i`; on failure the next one; after the last, the fallback. */
  #ask(name: string, i: number, why: string, finish: (r: Omit<HttpDnsLookup, "time">) => void) {
    const server = this.#servers[i];
    if (server === undefined) {
      this.#fallback(name, why || "no HTTPDNS server", finish);
      return;
    }
    const sim = this.ns.dev.sim;
    let conn = this.#conns.get(server);
    if (!conn || !conn.usable) {
      conn = new HttpConnection(this.ns, server, this.#port);
      this.#conns.set(server, conn);
    }
    const c = conn;
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      this.stats.failures++;
      c.close();
      if (this.#conns.get(server) === c) this.#conns.delete(server);
      this.#ask(name, i + 1, reason, finish);
    };
    const timer: Timer = sim.after(this.#timeout, () => fail("timed out"));
    let target = `${this.#path}?dn=${encodeURIComponent(name)}&ttl=1`;
    // The app's address on the way to the service (the socket's, chosen by the route).
    if (this.#sendClientIp && c.socket.localAddr !== 0) {
      target += `&ip=${formatIp4(c.socket.localAddr)}`;
    }
    this.stats.requests++;
    c.request(getRequest(target, formatIp4(server), { userAgent: "packetlab-httpdns" }), {
      onResponse: (res) => {
        if (settled) return;
        if (res.status !== 200) return fail(`HTTP ${res.status}`);
        const a = parseHttpDnsAnswer(text(res.body));
        if (!a) return fail("unreadable answer");
        settled = true;
        timer.cancel();
        if (a.addresses.length === 0) {
          this.#fallback(name, "no address from HTTPDNS", finish);
          return;
        }
        const ttl = a.ttl ?? 0;
        if (ttl > 0) {
          this.#cache.set(key(name), { addresses: a.addresses, expires: sim.now + ttl * 1e9 });
        }
        finish({ name, addresses: a.addresses, ttl, source: "httpdns", server });
      },
      onError: (e) => fail(e.errno ? `${e.kind} ${e.errno}` : e.kind),
    });
  }

  #fallback(name: string, why: string, finish: (r: Omit<HttpDnsLookup, "time">) => void): void {
    this.stats.fallbacks++;
    this.fallback.gethostbyname2(name, 4, (r) => {
      const addresses = typeof r === "string" ? [] : r.addresses.map((a) => parseIp4(a)!);
      finish({ name, addresses, ttl: 0, source: "dns", fallbackReason: why });
    });
  }
}

function key(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}
