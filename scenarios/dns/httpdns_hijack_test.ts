/**
 * HTTPDNS bypasses a hijacked or stale local resolver.
 *
 * Hijacked: the carrier's resolver answers www.163.com itself with its ad
 * server 100.64.0.66 (local data, authoritative flag and all, as DNS
 * hijacking by a resolver looks). `getent hosts` and `dig` on the phone show
 * the hijacked address and curl by name fetches the ad server's copy; the app
 * resolving through HTTPDNS never asks the resolver — no DNS packet leaves
 * the phone — gets the north edge from the site's own service, and fetches
 * the real page from it.
 *
 * Stale: the resolver's cache holds www.163.com at 203.0.113.80, an address
 * the site moved away from, with a day of TTL left; DNS keeps handing it out
 * (nobody answers there: the router reports the host unreachable), HTTPDNS
 * answers the current edge.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { DnsClass } from "../../core/app/dns/message.ts";
import { HttpDnsClient } from "../../core/app/httpdns/client.ts";
import { appFetch, httpdnsLab, PAGES } from "./httpdns_testing.ts";
import { dnsOnWire } from "./dns_testing.ts";

scenario(
  "httpdns: a hijacked resolver answers its ad server; the HTTPDNS app gets the real edge",
  (net) => {
    const lab = httpdnsLab(net);
    lab.resolver.addLocalData("www.163.com. 3600 IN A 100.64.0.66");

    // What the system resolver shows: the hijacked address, with AA from a resolver.
    assert.equal(lab.pc.sh("getent hosts www.163.com").stdout, "100.64.0.66     www.163.com\n");
    const dig = lab.pc.sh("dig www.163.com").stdout;
    assert.match(dig, /^;; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1$/m);
    assert.match(dig, /^www\.163\.com\.\t\t3600\tIN\tA\t100\.64\.0\.66$/m);
    // curl by name goes where DNS says: the carrier's copy of the page.
    assert.equal(lab.pc.sh("curl -s http://www.163.com/").stdout, PAGES.hijack);
    assert.deepEqual(lab.webHijack.log.map((l) => formatIp4(l.remoteAddr)), ["192.168.1.10"]);
    // The site's authoritative server was never asked: the resolver answered from its own data.
    assert.equal(lab.authServer.log.length, 0);

    // The app with HTTPDNS.
    const dnsBefore = dnsOnWire(net, { node: "pc" }).length;
    const queriesBefore = lab.resolver.stats.queries;
    const dns = new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] });
    const app = appFetch(lab.pc, dns);
    net.run();
    assert.equal(app.lookup!.source, "httpdns");
    assert.deepEqual(app.lookup!.addresses.map(formatIp4), ["203.0.113.10"]);
    assert.deepEqual([app.connectedTo, app.status, app.page], ["203.0.113.10", 200, PAGES.north]);
    assert.deepEqual(lab.webN.log.map((l) => formatIp4(l.remoteAddr)), ["192.168.1.10"]);
    assert.equal(lab.webHijack.log.length, 1, "the ad server saw only curl");
    // No DNS packet from the phone, nothing asked of the resolver, no fallback.
    assert.equal(dnsOnWire(net, { node: "pc" }).length, dnsBefore);
    assert.equal(lab.resolver.stats.queries, queriesBefore);
    assert.equal(dns.fallback.queries.length, 0);
    // The answer came from the site's own data, chosen for the phone's address.
    assert.deepEqual(lab.authServer.log.map((l) => [formatIp4(l.client), l.name]), [
      ["192.168.1.10", "www.163.com."],
    ]);
    // And the system resolver still says what it said.
    assert.equal(lab.pc.sh("getent hosts www.163.com").stdout, "100.64.0.66     www.163.com\n");
  },
);

scenario(
  "httpdns: a stale cache keeps a retired address; HTTPDNS answers the current edge",
  (net) => {
    const lab = httpdnsLab(net);
    lab.resolver.cache.put([{
      name: "www.163.com.",
      class: DnsClass.IN,
      ttl: 86400,
      data: { type: "A", address: ip("203.0.113.80") },
    }]);
    assert.equal(lab.pc.sh("dig +short www.163.com").stdout, "203.0.113.80\n");
    // Nothing answers at the retired address: curl by name fails.
    const r = lab.pc.sh("curl -sS --connect-timeout 3 http://www.163.com/");
    assert.equal(r.status, 28);
    assert.match(
      r.stderr,
      /^curl: \(28\) Failed to connect to www\.163\.com port 80 after 3000 ms/,
    );
    const app = appFetch(
      lab.pc,
      new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] }),
    );
    net.run();
    assert.deepEqual([app.lookup!.source, app.connectedTo, app.page], [
      "httpdns",
      "203.0.113.10",
      PAGES.north,
    ]);
  },
);
