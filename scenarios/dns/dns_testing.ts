/**
 * Shared set-up for the DNS scenarios: the notes' resolution walk as a
 * network, and the DNS messages seen on the wire read back from the trace.
 *
 *   pc 192.168.1.10 ── 192.168.1.1 isp 10.53.0.1 ── 10.53.0.53 ldns (local DNS, the ISP's resolver)
 *                                  │ 198.51.100.254
 *                                  inet (switch)
 *        ┌──────────────┬──────────┴──────┬───────────────────┐
 *   root 198.51.100.1   tld 198.51.100.2   auth 198.51.100.3   cdn 198.51.100.4
 *   a.root-servers.net. a.gtld-servers.net. ns1.163.com.       ns1.cdn-dns.net.
 *   (zones ., root-servers.net.) (com., net.)  (zone 163.com.)    (zone cdn-dns.net.)
 *
 * Every link has 5 ms of delay, so each query and answer is visible in time.
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { decodeDns, type DnsMessage } from "../../core/app/dns/message.ts";
import { dnsTypeName } from "../../core/app/dns/format.ts";
import { AuthoritativeServer } from "../../core/app/dns/authoritative.ts";
import { RecursiveResolver, type ResolverOptions } from "../../core/app/dns/resolver.ts";
import { TcpFramer } from "../../core/app/dns/transport.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import type { TraceFilter } from "../../core/sim/trace.ts";

/** The root zone: delegations of com. and net. with glue. */
export const ROOT_ZONE = `
$ORIGIN .
$TTL 86400
@                   IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024010100 1800 900 604800 86400
                    IN NS  a.root-servers.net.
a.root-servers.net. IN A   198.51.100.1
com.            172800 IN NS a.gtld-servers.net.
net.            172800 IN NS a.gtld-servers.net.
a.gtld-servers.net. 172800 IN A 198.51.100.2
`;

/** root-servers.net., served by the root server itself (as the real one is). */
export const ROOT_SERVERS_ZONE = `
$ORIGIN root-servers.net.
$TTL 3600000
@   IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024010100 14400 7200 1209600 3600000
    IN NS  a.root-servers.net.
a   IN A   198.51.100.1
`;

/** The com. zone: 163.com. delegated to ns1.163.com. (glue). */
export const COM_ZONE = `
$ORIGIN com.
$TTL 172800
@        IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1700000000 1800 900 604800 86400
         IN NS  a.gtld-servers.net.
163      IN NS  ns1.163.com.
ns1.163  IN A   198.51.100.3
`;

/** The net. zone: cdn-dns.net. delegated to ns1.cdn-dns.net. (glue). */
export const NET_ZONE = `
$ORIGIN net.
$TTL 172800
@        IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1700000000 1800 900 604800 86400
         IN NS  a.gtld-servers.net.
a.gtld-servers IN A 198.51.100.2
root-servers IN NS a.root-servers.net.
a.root-servers IN A 198.51.100.1
cdn-dns  IN NS  ns1.cdn-dns.net.
ns1.cdn-dns IN A 198.51.100.4
`;

/** 163.com.: www, a CNAME chain inside the zone, a CNAME into the CDN's zone, text. */
export const ZONE_163 = `
$ORIGIN 163.com.
$TTL 600
@      IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
       IN NS  ns1
ns1    IN A   198.51.100.3
www    IN A   203.0.113.80
mail   IN A   203.0.113.25
       IN TXT "v=spf1 mx -all"
m      IN CNAME www
news   IN CNAME m
static IN CNAME static.163.cdn-dns.net.
`;

/** cdn-dns.net.: the CDN's zone, its answers short-lived. */
export const CDN_ZONE = `
$ORIGIN cdn-dns.net.
$TTL 60
@          IN SOA ns1 hostmaster 1 7200 3600 1209600 30
           IN NS  ns1
ns1        IN A   198.51.100.4
static.163 IN CNAME edge.cdn-dns.net.
edge       IN A   203.0.113.200
`;

/** The root hints of the lab's resolvers. */
export const ROOT_HINTS = [{ name: "a.root-servers.net.", address: "198.51.100.1" }];

/** The lab's nodes and servers. */
export interface DnsLab {
  pc: Node;
  isp: Node;
  ldns: Node;
  root: Node;
  tld: Node;
  auth: Node;
  cdn: Node;
  rootServer: AuthoritativeServer;
  tldServer: AuthoritativeServer;
  authServer: AuthoritativeServer;
  cdnServer: AuthoritativeServer;
  resolver: RecursiveResolver;
}

/** Build the notes' resolution walk (see the module comment); the resolver listens on 10.53.0.53. */
export function dnsLab(net: Network, resolverOptions: ResolverOptions = {}): DnsLab {
  const [pc, isp, ldns, root, tld, auth, cdn] = net.nodes(
    "pc",
    "isp",
    "ldns",
    "root",
    "tld",
    "auth",
    "cdn",
  );
  const inet = net.switch("inet");
  const delay = { delay: "5ms" };
  net.connect(pc, isp, delay);
  net.connect(ldns, isp, delay);
  net.connect(isp, inet, delay);
  for (const n of [root, tld, auth, cdn]) net.connect(n, inet, delay);
  pc.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  isp.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 10.53.0.1/24 dev eth1");
  isp.sh("ip addr add 198.51.100.254/24 dev eth2; sysctl -qw net.ipv4.ip_forward=1");
  ldns.sh("ip addr add 10.53.0.53/24 dev eth0; ip route add default via 10.53.0.1");
  [root, tld, auth, cdn].forEach((n, i) => {
    n.sh(`ip addr add 198.51.100.${i + 1}/24 dev eth0; ip route add default via 198.51.100.254`);
  });
  const rootServer = new AuthoritativeServer();
  rootServer.addZoneText(ROOT_ZONE);
  rootServer.addZoneText(ROOT_SERVERS_ZONE);
  rootServer.listen(root.root);
  const tldServer = new AuthoritativeServer();
  tldServer.addZoneText(COM_ZONE);
  tldServer.addZoneText(NET_ZONE);
  tldServer.listen(tld.root);
  const authServer = new AuthoritativeServer();
  authServer.addZoneText(ZONE_163);
  authServer.listen(auth.root);
  const cdnServer = new AuthoritativeServer();
  cdnServer.addZoneText(CDN_ZONE);
  cdnServer.listen(cdn.root);
  const resolver = new RecursiveResolver(ldns.root, { rootHints: ROOT_HINTS, ...resolverOptions });
  resolver.listen();
  pc.files.set("/etc/resolv.conf", new TextEncoder().encode("nameserver 10.53.0.53\n"));
  return {
    pc,
    isp,
    ldns,
    root,
    tld,
    auth,
    cdn,
    rootServer,
    tldServer,
    authServer,
    cdnServer,
    resolver,
  };
}

/** One DNS message on the wire, as a trace event shows it. */
export interface WireDns {
  /** Virtual time, ns. */
  time: number;
  /** "192.0.2.1:53". */
  from: string;
  to: string;
  /** "udp" or "tcp". */
  transport: string;
  message: DnsMessage;
}

/**
 * The DNS messages sent by a node (or every node), in order, each once at
 * its first transmission, decoded from the trace's packet snapshots: UDP datagrams to or from port 53 and the
 * length-prefixed messages of TCP segments on port 53.
 */
export function dnsOnWire(net: Network, filter: TraceFilter = {}): WireDns[] {
  const out: WireDns[] = [];
  const streams = new Map<string, TcpFramer>();
  const seen = new Set<number>();
  for (const e of net.trace.filter({ ...filter, kind: "tx" })) {
    const p = e.packet;
    // Each packet once, at its first transmission (routers and switches send it on).
    if (!p.ip || seen.has(p.id)) continue;
    seen.add(p.id);
    const u = p.udp;
    const t = p.tcp;
    const ports = u ?? t;
    if (!ports || (ports.srcPort !== 53 && ports.dstPort !== 53)) continue;
    const from = `${formatIp4(p.ip.src)}:${ports.srcPort}`;
    const to = `${formatIp4(p.ip.dst)}:${ports.dstPort}`;
    if (u && typeof u.payload !== "number") {
      out.push({ time: e.time, from, to, transport: "udp", message: decodeDns(u.payload) });
    } else if (t && typeof t.payload !== "number" && t.payload.length > 0) {
      const k = `${e.node} ${from} ${to}`;
      const framer = streams.get(k) ?? new TcpFramer();
      streams.set(k, framer);
      for (const m of framer.push(t.payload)) {
        out.push({ time: e.time, from, to, transport: "tcp", message: decodeDns(m) });
      }
    }
  }
  return out;
}

/** A message in one line: `198.51.100.1:53 > 10.53.0.53:40000 udp response www.163.com. A NOERROR aa 1/0/0`. */
export function describe(w: WireDns): string {
  const m = w.message;
  const q = m.questions[0];
  const question = q ? `${q.name} ${dnsTypeName(q.type)}` : "(no question)";
  if (!m.qr) return `${w.from} > ${w.to} ${w.transport} query ${question}${m.rd ? " rd" : ""}`;
  const rcode = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"][m.rcode] ??
    String(m.rcode);
  return `${w.from} > ${w.to} ${w.transport} response ${question} ${rcode}${m.aa ? " aa" : ""}${
    m.tc ? " tc" : ""
  } ` +
    `${m.answers.length}/${m.authorities.length}/${m.additionals.length}`;
}

/**
 * A second ISP region: resolver ldns2 10.54.0.53 (isp 10.54.0.1) and its
 * client pc2 172.16.2.10 (isp 172.16.2.1), with the same root hints.
 */
export function secondRegion(net: Network, lab: DnsLab, resolverOptions: ResolverOptions = {}) {
  const [pc2, ldns2] = net.nodes("pc2", "ldns2");
  net.connect(ldns2, lab.isp, { delay: "5ms" });
  net.connect(pc2, lab.isp, { delay: "5ms" });
  lab.isp.sh("ip addr add 10.54.0.1/24 dev eth3; ip addr add 172.16.2.1/24 dev eth4");
  ldns2.sh("ip addr add 10.54.0.53/24 dev eth0; ip route add default via 10.54.0.1");
  pc2.sh("ip addr add 172.16.2.10/24 dev eth0; ip route add default via 172.16.2.1");
  const resolver2 = new RecursiveResolver(ldns2.root, {
    rootHints: ROOT_HINTS,
    ...resolverOptions,
  });
  resolver2.listen();
  pc2.files.set("/etc/resolv.conf", new TextEncoder().encode("nameserver 10.54.0.53\n"));
  return { pc2, ldns2, resolver2 };
}

/** Mask what differs from run to run on a real machine: dig's query time and date lines. */
export function maskDig(out: string): string {
  return out.replace(/^;; Query time: \d+ msec$/gm, ";; Query time: N msec")
    .replace(/^;; WHEN: .*$/gm, ";; WHEN: DATE");
}
