/**
 * The HTTPDNS client caches each answer for the TTL the service gave (60 s
 * here): a lookup 10 s later is answered at once from the cache with 50 s
 * left — no HTTP request, not one packet towards the service — and one after
 * the 60 s have passed asks the service again (on a new connection: the
 * server closed the idle one after its 5 s keep-alive). Lookups of one name
 * made at the same moment share one request.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { HttpDnsClient, type HttpDnsLookup } from "../../core/app/httpdns/client.ts";
import { httpdnsLab } from "./httpdns_testing.ts";

scenario(
  "httpdns: a second lookup within the TTL is served from the cache, none goes out",
  (net) => {
    const lab = httpdnsLab(net);
    const dns = new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] });
    const got: HttpDnsLookup[] = [];
    /** Packets the phone sent to the service. */
    const towardsService = () =>
      net.trace.filter({ kind: "tx", node: "pc" }).filter((e) =>
        e.packet.ip?.dst === ip("198.51.100.53")
      ).length;

    const t0 = net.sim.now;
    dns.resolve("www.163.com", (r) => got.push(r));
    net.run(t0 + 1 * s);
    assert.equal(got.length, 1);
    assert.deepEqual([got[0]!.source, got[0]!.ttl], ["httpdns", 60]);
    assert.equal(lab.httpdns.log.length, 1);
    const sentFirst = towardsService();

    // 10 s later: from the cache, at once, with the TTL counted down.
    net.run(t0 + 10 * s);
    dns.resolve("www.163.com", (r) => got.push(r));
    assert.equal(got.length, 2, "answered synchronously");
    assert.deepEqual(
      [got[1]!.source, got[1]!.addresses.map(formatIp4), got[1]!.ttl, got[1]!.time - t0],
      ["cache", ["203.0.113.10"], 50, 10 * s],
    );
    net.run(t0 + 20 * s);
    assert.equal(lab.httpdns.log.length, 1, "no second request");
    // Between the lookups only the keep-alive close went out (the server's FIN at 5 s, ACKed).
    const closing = towardsService() - sentFirst;
    assert.ok(closing <= 2, `${closing} packets`);
    const afterTen = towardsService();

    // 61 s after the first answer: expired, asked again on a new connection.
    net.run(t0 + 61 * s);
    dns.resolve("www.163.com", (r) => got.push(r));
    net.run(t0 + 62 * s);
    assert.deepEqual([got[2]!.source, got[2]!.ttl], ["httpdns", 60]);
    assert.equal(lab.httpdns.log.length, 2);
    assert.ok(towardsService() > afterTen);
    assert.equal(lab.httpdns.http.accepted, 2, "the first connection had been closed when idle");
    assert.deepEqual([dns.stats.lookups, dns.stats.cacheHits, dns.stats.requests], [3, 1, 2]);
  },
);

scenario("httpdns: lookups of one name at one moment share a request", (net) => {
  const lab = httpdnsLab(net);
  const dns = new HttpDnsClient(lab.pc2, lab.pc2.root, { servers: ["198.51.100.53"] });
  const got: HttpDnsLookup[] = [];
  for (let i = 0; i < 3; i++) dns.resolve("WWW.163.com", (r) => got.push(r));
  net.run();
  assert.equal(lab.httpdns.log.length, 1);
  assert.deepEqual(got.map((r) => [r.source, formatIp4(r.addresses[0]!)]), [
    ["httpdns", "203.0.113.140"],
    ["httpdns", "203.0.113.140"],
    ["httpdns", "203.0.113.140"],
  ]);
});
