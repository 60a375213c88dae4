/**
 * The stub resolver of a host, as glibc 2.36 runs it: /etc/resolv.conf,
 * /etc/hosts and /etc/nsswitch.conf from the node's in-memory files, and
 * `gethostbyname2()` over the `files` and `dns` sources.
 *
 * Files: a named namespace reads /etc/netns/NAME/resolv.conf (and hosts,
 * nsswitch.conf) before /etc/… — what `ip netns exec NAME` bind-mounts.
 * Without resolv.conf the name server is 127.0.0.1; without hosts the file of
 * a fresh Debian is used (localhost, ::1 ip6-localhost ip6-loopback);
 * without nsswitch.conf `hosts: files dns`.
 *
 * resolv.conf (resolv.conf(5)): up to three `nameserver` lines, `search`
 * (up to six domains) or `domain` (the last one wins), and `options`
 * `ndots:n` (≤ 15), `timeout:n` (≤ 30 s), `attempts:n` (≤ 5), `rotate`,
 * `edns0`. Unknown lines and options are ignored, as glibc does.
 *
 * Queries (res_search/res_send): a name with at least `ndots` dots, or a
 * trailing dot, is tried as is first; then with each search domain (after
 * NXDOMAIN, NODATA or SERVFAIL, glibc moves on to the next); then as is if
 * not yet tried. Each query has one random id, RD set, no EDNS unless
 * `edns0`; it goes to each name server in turn, `attempts` rounds, waiting
 * `timeout` seconds for the first server and `(timeout << i) / count` for
 * server i (at least 1 s: glibc's send_dg). A timed-out query is sent again
 * from the same socket; after SERVFAIL, REFUSED or NOTIMP the socket is
 * closed and the next server tried. TC sends the question again over TCP to
 * the same server.
 *
 * `gethostbyname2`: `files` then `dns` for the address family; an IPv4-only
 * /etc/hosts entry does not answer AF_INET6, so `getent hosts NAME` (AF_INET6
 * first, then AF_INET) asks DNS for AAAA before it finds the IPv4 entry, as
 * on a real machine. The result's name is the canonical name (the end of any
 * CNAME chain), its aliases the names that led there.
 *
 * Left out: getaddrinfo's parallel A/AAAA queries and sorting (RFC 6724),
 * `single-request`, `sortlist`, `options inet6`, NSS modules other than files
 * and dns, and reverse lookups.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { formatIp4, parseIp4 } from "../../wire/addr.ts";
import type { Node } from "../../node/node.ts";
import type { NetNs } from "../../node/netns.ts";
import { dnsQuery, DnsRcode, type DnsRecord, DnsType, type Edns } from "./message.ts";
import { canonicalDnsName, formatIp6, parseDnsName, parseIp6 } from "./name.ts";
import { dnsExchange, type DnsExchangeResult } from "./transport.ts";

/** What /etc/resolv.conf says. */
export interface ResolvConf {
  /** Name servers, at most three. */
  nameservers: Ip4[];
  /** Search domains, canonical. */
  search: string[];
  /** ndots (default 1). */
  ndots: number;
  /** timeout in seconds (default 5). */
  timeout: number;
  /** attempts (default 2). */
  attempts: number;
  /** Round-robin the servers. */
  rotate: boolean;
  /** Send an OPT record (1200-byte UDP size, as glibc). */
  edns0: boolean;
}

/** glibc's resolv.conf reading (res_init.c), with its limits. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = {
    nameservers: [],
    search: [],
    ndots: 1,
    timeout: 5,
    attempts: 2,
    rotate: false,
    edns0: false,
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[;#].*$/, "").trim();
    const [kw, ...args] = line.split(/\s+/);
    if (kw === "nameserver" && args[0] !== undefined) {
      const a = parseIp4(args[0]);
      if (a !== undefined && conf.nameservers.length < 3) conf.nameservers.push(a);
    } else if ((kw === "search" || kw === "domain") && args.length > 0) {
      const list: string[] = [];
      for (const d of (kw === "domain" ? args.slice(0, 1) : args).slice(0, 6)) {
        try {
          list.push(canonicalDnsName(d));
        } catch {
          // glibc keeps the text; a domain that cannot be a name never matches anyway.
        }
      }
      conf.search = list;
    } else if (kw === "options") {
      for (const o of args) {
        const m = /^(ndots|timeout|attempts):(\d+)$/.exec(o);
        if (m) {
          const n = Number(m[2]);
          if (m[1] === "ndots") conf.ndots = Math.min(n, 15);
          else if (m[1] === "timeout") conf.timeout = Math.min(Math.max(n, 1), 30);
          else conf.attempts = Math.min(Math.max(n, 1), 5);
        } else if (o === "rotate") conf.rotate = true;
        else if (o === "edns0") conf.edns0 = true;
      }
    }
  }
  return conf;
}

/** One /etc/hosts line. */
export interface HostsEntry {
  /** "4" or "6". */
  family: 4 | 6;
  /** The address bytes as text ("10.0.0.1", "::1"). */
  address: string;
  /** The canonical name, then aliases. */
  names: string[];
}

/** The /etc/hosts of a fresh Debian, used when the node has none. */
export const DEFAULT_HOSTS = "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n" +
  "ff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n";

/** Read /etc/hosts: address, canonical name, aliases; bad lines skipped as glibc does. */
export function parseHosts(text: string): HostsEntry[] {
  const out: HostsEntry[] = [];
  for (const raw of text.split("\n")) {
    const fields = raw.replace(/#.*$/, "").trim().split(/\s+/).filter((f) => f !== "");
    if (fields.length < 2) continue;
    const [addr, ...names] = fields;
    if (parseIp4(addr!) !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(addr!)) {
      out.push({ family: 4, address: addr!, names });
    } else {
      const v6 = parseIp6(addr!);
      if (v6) out.push({ family: 6, address: formatIp6(v6), names });
    }
  }
  return out;
}

const dec = new TextDecoder();

/** A file as the namespace sees it: /etc/netns/NAME/… first in a named namespace (ip netns exec). */
export function readEtc(node: Node, ns: NetNs, file: string): string | undefined {
  const paths = ns.name === ""
    ? [`/etc/${file}`]
    : [`/etc/netns/${ns.name}/${file}`, `/etc/${file}`];
  for (const p of paths) {
    const f = node.files.get(p);
    if (f !== undefined) return dec.decode(typeof f === "function" ? f() : f);
  }
  return undefined;
}

/** The result of a host lookup (struct hostent). */
export interface HostEnt {
  /** The canonical name (h_name). */
  name: string;
  /** Aliases (h_aliases). */
  aliases: string[];
  /** 4 or 6. */
  family: 4 | 6;
  /** Addresses as text, in answer order. */
  addresses: string[];
}

/** Why a lookup failed (h_errno). */
export type HostError = "HOST_NOT_FOUND" | "NO_DATA" | "TRY_AGAIN" | "NO_RECOVERY";

/** The outcome of a DNS search. */
export type SearchResult =
  | { ok: true; qname: string; answers: DnsRecord[] }
  | { ok: false; error: HostError };

/** One query sent by the stub, for scenarios. */
export interface StubQuery {
  /** Virtual time it was sent, ns. */
  time: number;
  /** The name server asked. */
  server: Ip4;
  /** The name asked. */
  name: string;
  /** The type asked. */
  type: number;
  /** The query id (the same for every try of one question). */
  id: number;
  /** The local source port. */
  port: number;
  /** The transport. */
  transport: "udp" | "tcp";
  /** The response code, or the exchange error. */
  outcome: string;
}

/**
 * glibc's stub resolver on one namespace of a node.
 *
 * @example
 * ```ts ignore
 * new StubResolver(pc, pc.root).gethostbyname2("www.163.com", 4, (r) => console.log(r));
 * ```
 */
export class StubResolver {
  /** The machine (for its files). */
  readonly node: Node;
  /** The namespace whose sockets it uses. */
  readonly ns: NetNs;
  /** Every query sent, in order. */
  readonly queries: StubQuery[] = [];

  /** A resolver reading the node's files for namespace `ns`. */
  constructor(node: Node, ns: NetNs) {
    this.node = node;
    this.ns = ns;
  }

  /** /etc/resolv.conf as parsed now (127.0.0.1 when it names no server). */
  conf(): ResolvConf {
    const c = parseResolvConf(readEtc(this.node, this.ns, "resolv.conf") ?? "");
    if (c.nameservers.length === 0) c.nameservers.push(parseIp4("127.0.0.1")!);
    return c;
  }

  /** /etc/hosts as parsed now. */
  hosts(): HostsEntry[] {
    return parseHosts(readEtc(this.node, this.ns, "hosts") ?? DEFAULT_HOSTS);
  }

  /** The `hosts:` sources of nsswitch.conf ("files", "dns"). */
  sources(): string[] {
    const text = readEtc(this.node, this.ns, "nsswitch.conf");
    const line = text?.split("\n").find((l) => /^\s*hosts\s*:/.test(l));
    if (!line) return ["files", "dns"];
    return line.replace(/^\s*hosts\s*:/, "").replace(/\[[^\]]*\]/g, "").trim().split(/\s+/)
      .filter((s) => s === "files" || s === "dns");
  }

  /** gethostbyname2(name, AF_INET or AF_INET6): files, then DNS, as nsswitch.conf says. */
  gethostbyname2(name: string, family: 4 | 6, done: (r: HostEnt | HostError) => void): void {
    const sources = this.sources();
    let error: HostError = "HOST_NOT_FOUND";
    const next = (i: number) => {
      const src = sources[i];
      if (src === undefined) return done(error);
      if (src === "files") {
        const lower = name.toLowerCase().replace(/\.$/, "");
        const hits = this.hosts().filter((h) =>
          h.family === family && h.names.some((n) => n.toLowerCase() === lower)
        );
        if (hits.length === 0) return next(i + 1);
        const first = hits[0]!;
        return done({
          name: first.names[0]!,
          aliases: first.names.slice(1),
          family,
          addresses: hits.map((h) => h.address),
        });
      }
      this.search(name, family === 4 ? DnsType.A : DnsType.AAAA, (r) => {
        if (!r.ok) {
          error = r.error;
          return next(i + 1);
        }
        done(hostent(r.qname, r.answers, family));
      });
    };
    next(0);
  }

  /**
   * res_search: the name as is and with the search domains, in glibc's
   * order; the answer of the first query that has records of the type.
   */
  search(name: string, type: number, done: (r: SearchResult) => void): void {
    let conf: ResolvConf;
    try {
      parseDnsName(name);
      conf = this.conf();
    } catch {
      return done({ ok: false, error: "HOST_NOT_FOUND" });
    }
    const trailingDot = name.endsWith(".");
    const dots = (name.replace(/\.$/, "").match(/\./g) ?? []).length;
    const candidates: string[] = [];
    const asIs = canonicalDnsName(name);
    if (dots >= conf.ndots || trailingDot) candidates.push(asIs);
    if (!trailingDot) {
      for (const d of conf.search) {
        candidates.push(canonicalDnsName(`${name}.${d === "." ? "" : d}`));
      }
    }
    if (!candidates.includes(asIs)) candidates.push(asIs);
    let gotNodata = false;
    let gotServfail = false;
    const tryAt = (i: number) => {
      const qname = candidates[i];
      if (qname === undefined) {
        return done({
          ok: false,
          error: gotNodata ? "NO_DATA" : gotServfail ? "TRY_AGAIN" : "HOST_NOT_FOUND",
        });
      }
      this.query(qname, type, conf, (r) => {
        if (r === "timeout") return done({ ok: false, error: "TRY_AGAIN" });
        if (r.rcode === DnsRcode.NOERROR) {
          const wanted = r.answers.filter((rr) =>
            rr.data.type === (type === DnsType.A ? "A" : "AAAA")
          );
          if (wanted.length > 0) return done({ ok: true, qname, answers: r.answers });
          gotNodata = true;
        } else if (r.rcode === DnsRcode.SERVFAIL) {
          gotServfail = true;
        } else if (r.rcode !== DnsRcode.NXDOMAIN) {
          return done({ ok: false, error: "NO_RECOVERY" });
        }
        tryAt(i + 1);
      });
    };
    tryAt(0);
  }

  /**
   * res_send for one question: every server in turn, `attempts` rounds, with
   * glibc's timeouts; calls back with the first answer that is not SERVFAIL,
   * REFUSED or NOTIMP (or the last such), or "timeout".
   */
  query(
    qname: string,
    type: number,
    conf: ResolvConf,
    done: (r: { rcode: number; answers: DnsRecord[] } | "timeout") => void,
  ): void {
    const sim = this.ns.dev.sim;
    const id = sim.rng(`stub ids ${this.ns.nodeName}/${this.ns.name}`).int(0, 0xffff);
    const edns: Edns | undefined = conf.edns0
      ? { udpSize: 1200, version: 0, dnssecOk: false, z: 0, options: [] }
      : undefined;
    const q = dnsQuery(id, qname, type, { edns });
    const n = conf.nameservers.length;
    // One socket (source port) per server, kept across timeouts, dropped after an error rcode.
    const ports: number[] = new Array(n).fill(0);
    let lastError: { rcode: number; answers: DnsRecord[] } | undefined;
    const send = (attempt: number) => {
      const round = Math.floor(attempt / n);
      if (round >= conf.attempts) return done(lastError ?? "timeout");
      const i = attempt % n;
      const server = conf.nameservers[i]!;
      const seconds = Math.max(1, i === 0 ? conf.timeout : Math.floor((conf.timeout << i) / n));
      const entry: StubQuery = {
        time: sim.now,
        server,
        name: qname,
        type,
        id,
        port: 0,
        transport: "udp",
        outcome: "",
      };
      this.queries.push(entry);
      dnsExchange(
        this.ns,
        q,
        { server, timeout: seconds * 1e9, sourcePort: ports[i] || undefined },
        (r: DnsExchangeResult) => {
          entry.port = r.localPort;
          if (!r.ok) {
            entry.outcome = r.error;
            ports[i] = r.error === "timed out" ? r.localPort : 0;
            return send(attempt + 1);
          }
          const m = r.message;
          entry.outcome = formatRcode(m.rcode) + (m.tc ? " tc" : "");
          if (m.tc) {
            return dnsExchange(
              this.ns,
              q,
              { server, transport: "tcp", timeout: seconds * 1e9 },
              (t) => {
                const te: StubQuery = {
                  ...entry,
                  time: sim.now,
                  transport: "tcp",
                  port: t.localPort,
                };
                te.outcome = t.ok ? formatRcode(t.message.rcode) : t.error;
                this.queries.push(te);
                if (!t.ok) return send(attempt + 1);
                done({ rcode: t.message.rcode, answers: t.message.answers });
              },
            );
          }
          if (
            m.rcode === DnsRcode.SERVFAIL || m.rcode === DnsRcode.REFUSED ||
            m.rcode === DnsRcode.NOTIMP
          ) {
            lastError = { rcode: m.rcode, answers: [] };
            ports[i] = 0;
            return send(attempt + 1);
          }
          done({ rcode: m.rcode, answers: m.answers });
        },
      );
    };
    send(0);
  }
}

function formatRcode(rcode: number): string {
  return Object.entries(DnsRcode).find(([, v]) => v === rcode)?.[0] ?? String(rcode);
}

/** Build a hostent from an answer: follow CNAMEs from qname, collect the addresses (glibc's getanswer). */
export function hostent(qname: string, answers: DnsRecord[], family: 4 | 6): HostEnt {
  const aliases: string[] = [];
  let name = canonicalDnsName(qname);
  let spelled = qname.replace(/\.$/, "");
  for (let guard = 0; guard < 16; guard++) {
    const c = answers.find((rr) => rr.data.type === "CNAME" && canonicalDnsName(rr.name) === name);
    if (!c) break;
    aliases.push(spelled);
    const target = (c.data as { target: string }).target;
    name = canonicalDnsName(target);
    spelled = target.replace(/\.$/, "");
  }
  const addresses: string[] = [];
  for (const rr of answers) {
    if (canonicalDnsName(rr.name) !== name) continue;
    if (family === 4 && rr.data.type === "A") addresses.push(formatIp4(rr.data.address));
    if (family === 6 && rr.data.type === "AAAA") addresses.push(formatIp6(rr.data.address));
  }
  return { name: spelled, aliases, family, addresses };
}
