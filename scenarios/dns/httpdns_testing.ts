/**
 * Shared set-up for the HTTPDNS scenarios: the notes' resolution walk
 * ({@link dnsLab}) grown into a carrier with two regions, a CDN-style site
 * with an edge server in each, and the site's HTTPDNS service.
 *
 *   north phone pc 192.168.1.10 ── isp ── ldns 10.53.0.53 (the carrier's resolver, for both regions)
 *                                  │ │ └── edge-n 203.0.113.10   (www.163.com, north edge)
 *                                  │ └──── hijack 100.64.0.66   (the carrier's ad server)
 *                                inet (switch; root, tld, auth, cdn as in dnsLab)
 *                                  │ ├──── httpdns 198.51.100.53 (HTTPDNS on :80, answers from auth's data)
 *                                  │ 20 ms
 *   south phone pc2 192.168.2.10 ── isp2 ── edge-s 203.0.113.140 (www.163.com, south edge)
 *
 * The authoritative server of 163.com answers www.163.com with a GSLB
 * policy: clients in 192.168.1.0/24 and the carrier's resolver network
 * 10.53.0.0/24 get the north edge, clients in 192.168.2.0/24 the south one,
 * with a 60 s TTL. Both phones use the carrier's resolver, which sits in the
 * north: through DNS the GSLB sees only the resolver. Links have 5 ms of
 * delay except the 20 ms between the regions and 1 ms to the edges, so the
 * nearest edge is 12 ms away (round trip) and the far one 62 ms.
 */
import assert from "node:assert/strict";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { Switch } from "../../core/l2/switch.ts";
import { Gslb } from "../../core/app/dns/gslb.ts";
import { HttpServer } from "../../core/app/http/server.ts";
import { HttpDnsServer } from "../../core/app/httpdns/server.ts";
import type { HttpDnsClient, HttpDnsLookup } from "../../core/app/httpdns/client.ts";
import { getRequest, HttpConnection } from "../../core/app/http/client.ts";
import { text } from "../../core/app/http/message.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { type DnsLab, dnsLab } from "./dns_testing.ts";

/** The pages each web server sends for `/`. */
export const PAGES = {
  north: "www.163.com from edge-n\n",
  south: "www.163.com from edge-s\n",
  hijack: "ad-injected copy of www.163.com\n",
};

/** The lab's nodes and services on top of {@link DnsLab}. */
export interface HttpDnsLab extends DnsLab {
  pc2: Node;
  isp2: Node;
  edgeN: Node;
  edgeS: Node;
  hijack: Node;
  httpdnsNode: Node;
  gslb: Gslb;
  httpdns: HttpDnsServer;
  webN: HttpServer;
  webS: HttpServer;
  webHijack: HttpServer;
}

function web(node: Node, page: string): HttpServer {
  const s = new HttpServer(node.root);
  s.route("/", () => ({ headers: [{ name: "Content-Type", value: "text/plain" }], body: page }));
  assert.equal(s.start(), undefined);
  return s;
}

/** Build the lab (see the module comment). */
export function httpdnsLab(net: Network, o: { ttl?: number } = {}): HttpDnsLab {
  const lab = dnsLab(net);
  const inet = net.devices.get("inet") as Switch;
  const [pc2, isp2, edgeN, edgeS, hijack, httpdnsNode] = net.nodes(
    "pc2",
    "isp2",
    "edge-n",
    "edge-s",
    "hijack",
    "httpdns",
  );
  net.connect(lab.isp, edgeN, { delay: "1ms" }); // isp eth3
  net.connect(lab.isp, hijack, { delay: "1ms" }); // isp eth4
  net.connect(pc2, isp2, { delay: "5ms" });
  net.connect(isp2, inet, { delay: "20ms" });
  net.connect(isp2, edgeS, { delay: "1ms" });
  net.connect(httpdnsNode, inet, { delay: "5ms" });
  lab.isp.sh([
    "ip addr add 203.0.113.1/25 dev eth3",
    "ip addr add 100.64.0.1/24 dev eth4",
    "ip route add 192.168.2.0/24 via 198.51.100.253",
    "ip route add 203.0.113.128/25 via 198.51.100.253",
  ].join("\n"));
  isp2.sh([
    "ip addr add 192.168.2.1/24 dev eth0",
    "ip addr add 198.51.100.253/24 dev eth1",
    "ip addr add 203.0.113.129/25 dev eth2",
    "ip route add default via 198.51.100.254",
    "sysctl -qw net.ipv4.ip_forward=1",
  ].join("\n"));
  pc2.sh("ip addr add 192.168.2.10/24 dev eth0; ip route add default via 192.168.2.1");
  pc2.files.set("/etc/resolv.conf", new TextEncoder().encode("nameserver 10.53.0.53\n"));
  edgeN.sh("ip addr add 203.0.113.10/25 dev eth0; ip route add default via 203.0.113.1");
  edgeS.sh("ip addr add 203.0.113.140/25 dev eth0; ip route add default via 203.0.113.129");
  hijack.sh("ip addr add 100.64.0.66/24 dev eth0; ip route add default via 100.64.0.1");
  httpdnsNode.sh([
    "ip addr add 198.51.100.53/24 dev eth0",
    "ip route add default via 198.51.100.254",
    "ip route add 192.168.2.0/24 via 198.51.100.253",
  ].join("\n"));
  const gslb = new Gslb({ ttl: o.ttl ?? 60 });
  gslb.addRegion("north", {
    prefixes: ["192.168.1.0/24", "10.53.0.0/24"],
    servers: ["203.0.113.10"],
  });
  gslb.addRegion("south", { prefixes: ["192.168.2.0/24"], servers: ["203.0.113.140"] });
  lab.authServer.setPolicy("www.163.com.", gslb);
  const httpdns = new HttpDnsServer(httpdnsNode.root, lab.authServer);
  assert.equal(httpdns.start(), undefined);
  return {
    ...lab,
    pc2,
    isp2,
    edgeN,
    edgeS,
    hijack,
    httpdnsNode,
    gslb,
    httpdns,
    webN: web(edgeN, PAGES.north),
    webS: web(edgeS, PAGES.south),
    webHijack: web(hijack, PAGES.hijack),
  };
}

/** What an app did: the lookup's outcome, then the page it fetched from the first address. */
export interface AppFetch {
  lookup?: HttpDnsLookup;
  /** The address it connected to. */
  connectedTo?: string;
  /** The page's status and text. */
  status?: number;
  page?: string;
  /** The TCP handshake's round trip, ns (SYN out to connection established). */
  handshake?: number;
}

/**
 * An app on `phone`: resolve `name` with its HTTPDNS client, then GET `/`
 * from the first address with `Host: name` (what a browser or SDK does).
 */
export function appFetch(phone: Node, dns: HttpDnsClient, name = "www.163.com"): AppFetch {
  const out: AppFetch = {};
  dns.resolve(name, (r) => {
    out.lookup = r;
    const addr = r.addresses[0];
    if (addr === undefined) return;
    out.connectedTo = formatIp4(addr);
    const sim = phone.root.dev.sim;
    const start = sim.now;
    const c = new HttpConnection(phone.root, addr, 80);
    c.onConnect = () => out.handshake = sim.now - start;
    c.request(getRequest("/", name), {
      onResponse: (res) => {
        out.status = res.status;
        out.page = text(res.body);
        c.close();
      },
      onError: (e) => out.page = `error ${e.kind}`,
    });
  });
  return out;
}
