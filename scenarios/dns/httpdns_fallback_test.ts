/**
 * When the HTTPDNS service cannot be reached, the client falls back to the
 * system resolver, and the app still finds the site:
 *
 * - the service is down (nothing listens on port 80): the SYN is answered by
 *   RST, and the DNS query leaves one round trip later;
 * - the service is cut off (its packets dropped): the client waits its 2 s
 *   timeout (the SYN is sent again after 1 s), then asks DNS;
 * - the first service address is dead but a second answers: no fallback;
 * - the service has no address for a name outside its zones (a CNAME into
 *   the CDN's zone): the empty answer sends the name to DNS too, which
 *   follows the CNAME.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { HttpDnsClient } from "../../core/app/httpdns/client.ts";
import { appFetch, httpdnsLab, PAGES } from "./httpdns_testing.ts";
import { describe, dnsOnWire } from "./dns_testing.ts";
import { brief, segments } from "../transport/tcp_testing.ts";

scenario("httpdns fallback: the service is down — RST, then DNS one round trip later", (net) => {
  const lab = httpdnsLab(net);
  lab.httpdns.stop();
  const dns = new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] });
  const t0 = net.sim.now;
  const app = appFetch(lab.pc, dns);
  net.run();
  const l = app.lookup!;
  assert.deepEqual([l.source, l.addresses.map(formatIp4), l.fallbackReason], [
    "dns",
    ["203.0.113.10"],
    "connect ECONNREFUSED",
  ]);
  assert.deepEqual([app.connectedTo, app.page], ["203.0.113.10", PAGES.north]);
  // On the wire: SYN, RST from the service, then the phone's DNS query at the moment of the RST.
  const service = segments(net, { port: 80 }).filter((g) =>
    g.node === "pc" || g.node === "httpdns"
  );
  assert.deepEqual(service.slice(0, 2).map(brief), ["pc S 0", "httpdns R. 0 ack 1"]);
  const rstArrives = service[1]!.time + 15 * ms; // 15 ms from the service to the phone
  const query = dnsOnWire(net, { node: "pc" })[0]!;
  assert.match(
    describe(query),
    /^192\.168\.1\.10:\d+ > 10\.53\.0\.53:53 udp query www\.163\.com\. A rd$/,
  );
  const after = query.time - rstArrives;
  assert.ok(after >= 0 && after < 1 * ms, `query ${(query.time - t0) / ms} ms after the start`);
  assert.equal(dns.fallback.queries.length, 1);
  assert.deepEqual([dns.stats.requests, dns.stats.failures, dns.stats.fallbacks], [1, 1, 1]);
});

scenario("httpdns fallback: the service is cut off — 2 s timeout, then DNS", (net) => {
  const lab = httpdnsLab(net);
  lab.httpdnsNode.sh("iptables -A INPUT -p tcp --dport 80 -j DROP");
  const dns = new HttpDnsClient(lab.pc2, lab.pc2.root, { servers: ["198.51.100.53"] });
  const t0 = net.sim.now;
  const app = appFetch(lab.pc2, dns);
  net.run();
  const l = app.lookup!;
  assert.deepEqual([l.source, l.fallbackReason], ["dns", "timed out"]);
  // The carrier's resolver is in the north: through DNS the south phone gets the north edge.
  assert.deepEqual(l.addresses.map(formatIp4), ["203.0.113.10"]);
  assert.deepEqual([app.connectedTo, app.page], ["203.0.113.10", PAGES.north]);
  // Two SYNs, both dropped: the first once ARP has found the gateway (a 10 ms round trip),
  // the second when Linux's 1 s initial RTO expires; the DNS query at 2 s.
  const syns = segments(net, { node: "pc2" }).filter((g) =>
    g.flags === "S" && g.tcp.dstPort === 80 && g.time - t0 < 2 * s
  );
  assert.equal(syns.length, 2);
  assert.ok(syns[0]!.time - t0 < 10.01 * ms);
  assert.equal(syns[1]!.time - t0, 1000 * ms);
  const dropped = net.trace.filter({ kind: "drop", node: "httpdns", proto: 6 });
  assert.ok(dropped.length >= 2 && dropped.every((d) => d.reason === DropReason.netfilter));
  const query = dnsOnWire(net, { node: "pc2" })[0]!;
  assert.equal(query.time - t0, 2 * s);
  assert.equal(lab.httpdns.log.length, 0);
});

scenario("httpdns fallback: a dead first address, a live second one — no fallback", (net) => {
  const lab = httpdnsLab(net);
  const dns = new HttpDnsClient(lab.pc, lab.pc.root, {
    servers: ["198.51.100.99", "198.51.100.53"],
  });
  const t0 = net.sim.now;
  const app = appFetch(lab.pc, dns);
  net.run();
  const l = app.lookup!;
  assert.deepEqual([l.source, formatIp4(l.server!), l.addresses.map(formatIp4)], [
    "httpdns",
    "198.51.100.53",
    ["203.0.113.10"],
  ]);
  // The dead address took the whole 2 s timeout; then one request to the live one.
  assert.ok(l.time - t0 >= 2 * s && l.time - t0 < 2.2 * s, `${(l.time - t0) / ms} ms`);
  assert.equal(dns.fallback.queries.length, 0);
  assert.equal(dnsOnWire(net, { node: "pc" }).length, 0);
  assert.deepEqual([dns.stats.requests, dns.stats.failures, dns.stats.fallbacks], [2, 1, 0]);
});

scenario(
  "httpdns fallback: a name the service does not hold goes to DNS, which follows the CNAME",
  (net) => {
    const lab = httpdnsLab(net);
    const dns = new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] });
    let got: string[] = [];
    let reason = "";
    dns.resolve("static.163.com", (r) => {
      got = r.addresses.map(formatIp4);
      reason = `${r.source} ${r.fallbackReason}`;
    });
    net.run();
    // The service answered (an empty body: the CNAME leads out of its zones)…
    assert.deepEqual(lab.httpdns.log.map((e) => [e.name, e.status, e.addresses.length]), [
      ["static.163.com", 200, 0],
    ]);
    // …so DNS resolved it, through the CDN's zone.
    assert.equal(reason, "dns no address from HTTPDNS");
    assert.deepEqual(got, ["203.0.113.200"]);
    assert.ok(lab.cdnServer.log.length > 0);
  },
);
