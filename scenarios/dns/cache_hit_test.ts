/**
 * The second query is a cache hit: 10 s after the first lookup the resolver
 * answers at once, sends nothing upstream, and the answer's TTL shows the
 * time left (600 − 10 = 590), as Unbound does. The query time drops from the
 * three round trips to the servers to the one round trip to the resolver. A
 * query without RD is refused, as Unbound's `access-control: allow` does.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab, dnsOnWire } from "./dns_testing.ts";

scenario("dns: the second query is answered from the cache with the TTL counted down", (net) => {
  const lab = dnsLab(net);
  const first = lab.pc.sh("dig www.163.com").out;
  assert.match(first, /^www\.163\.com\.\t\t600\tIN\tA\t203\.0\.113\.80$/m);
  const upstreamBefore = dnsOnWire(net, { node: "ldns" }).filter((w) => w.from !== "10.53.0.53:53");
  lab.pc.sh("sleep 10");
  const second = lab.pc.sh("dig www.163.com").out;
  assert.match(second, /^www\.163\.com\.\t\t590\tIN\tA\t203\.0\.113\.80$/m);
  const upstreamAfter = dnsOnWire(net, { node: "ldns" }).filter((w) => w.from !== "10.53.0.53:53");
  // No packet went to a server for the second lookup: only the pc's query and the answer.
  assert.equal(upstreamAfter.length, upstreamBefore.length);
  assert.equal(lab.resolver.upstream.length, 4); // priming, root, com., 163.com.
  assert.deepEqual([lab.resolver.stats.cacheMisses, lab.resolver.stats.cacheHits], [1, 1]);
  // Query time: pc ↔ isp ↔ ldns is a 20 ms round trip; the miss adds four 30 ms round trips
  // to the servers (priming, root, com., 163.com.; and the first ARP exchanges on every link).
  const ms = (out: string) => Number(/^;; Query time: (\d+) msec$/m.exec(out)?.[1]);
  assert.ok(ms(first) >= 20 + 4 * 30, `first lookup took ${ms(first)} ms`);
  assert.equal(ms(second), 20);
  assert.deepEqual([lab.rootServer, lab.tldServer, lab.authServer].map((s) => s.log.length), [
    2,
    1,
    1,
  ]);
  // Without RD the resolver refuses, cached or not (Unbound's access-control "allow", no snooping).
  assert.match(
    lab.pc.sh("dig +norecurse www.163.com").out,
    /status: REFUSED.*\n;; flags: qr ra; QUERY: 1, ANSWER: 0/,
  );
});
