/**
 * NXDOMAIN and its negative caching (RFC 2308): nope.163.com. does not
 * exist. The 163.com. server says NXDOMAIN with its SOA in AUTHORITY, TTL
 * min(600, MINIMUM 300) = 300. The resolver passes that on, keeps it 300 s —
 * a second query 100 s later is answered from the cache with the SOA's TTL at
 * 200 and no upstream packet, and NXDOMAIN covers every type of the name —
 * and after 300 s asks again.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

const SOA =
  "163.com.\t\t%TTL%\tIN\tSOA\tns1.163.com. hostmaster.163.com. 2024010101 7200 3600 1209600 300\n";

scenario("dns: NXDOMAIN with the zone's SOA, cached for the SOA's negative TTL", (net) => {
  const lab = dnsLab(net);
  const first = lab.pc.sh("dig nope.163.com");
  assert.equal(first.status, 0);
  assert.match(first.out, /status: NXDOMAIN/);
  assert.match(first.out, /;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1/);
  assert.equal(lab.pc.sh("dig +noall +authority nope.163.com").out, SOA.replace("%TTL%", "300"));
  assert.equal(lab.resolver.upstream.length, 4);
  assert.deepEqual(lab.resolver.upstream.map((u) => u.outcome), [
    "answer",
    "referral",
    "referral",
    "nxdomain",
  ]);
  lab.pc.sh("sleep 100");
  assert.equal(lab.pc.sh("dig +noall +authority nope.163.com").out, SOA.replace("%TTL%", "200"));
  // The name does not exist for any type: MX is answered from the same entry.
  const mx = lab.pc.sh("dig nope.163.com MX").out;
  assert.match(mx, /status: NXDOMAIN/);
  assert.equal(lab.resolver.upstream.length, 4);
  assert.equal(lab.pc.sh("getent hosts nope.163.com").status, 2);
  lab.pc.sh("sleep 200");
  assert.equal(lab.pc.sh("dig +noall +authority nope.163.com").out, SOA.replace("%TTL%", "300"));
  assert.deepEqual(lab.resolver.upstream.slice(4).map((u) => [u.zone, u.outcome]), [[
    "163.com.",
    "nxdomain",
  ]]);
});
