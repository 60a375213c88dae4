/**
 * A resolver that lies, the way HTTPDNS is sold against: Unbound's
 * `local-data` hijacks www.163.com. to 6.6.6.6 — answered with AA, the
 * configured TTL every time, no upstream query, NODATA for the name's other
 * types — and a poisoned cache entry (a forged record put in the cache with
 * a long TTL) serves a wrong address for other.163.com. with its TTL counting
 * down, until it expires. Clients of an honest resolver in another region
 * get the real address.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DnsClass } from "../../core/app/dns/message.ts";
import { ip } from "../../core/wire/addr.ts";
import { dnsLab, secondRegion } from "./dns_testing.ts";

scenario("dns: local data and a poisoned cache override what the servers say", (net) => {
  const lab = dnsLab(net);
  const { pc2 } = secondRegion(net, lab);
  lab.resolver.addLocalData("www.163.com. 300 IN A 6.6.6.6");
  const out = lab.pc.sh("dig www.163.com").out;
  assert.match(out, /;; flags: qr aa rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1/);
  assert.match(out, /^www\.163\.com\.\t\t300\tIN\tA\t6\.6\.6\.6$/m);
  lab.pc.sh("sleep 100");
  assert.match(lab.pc.sh("dig +noall +answer www.163.com").out, /\t300\tIN\tA\t6\.6\.6\.6/);
  assert.match(
    lab.pc.sh("dig www.163.com AAAA").out,
    /status: NOERROR.*\n;; flags: qr aa rd ra; QUERY: 1, ANSWER: 0/,
  );
  assert.equal(lab.resolver.upstream.length, 0);
  assert.equal(pc2.sh("dig +short www.163.com").out, "203.0.113.80\n");

  lab.resolver.cache.put([
    {
      name: "mail.163.com.",
      class: DnsClass.IN,
      ttl: 3600,
      data: { type: "A", address: ip("6.6.6.7") },
    },
  ]);
  lab.pc.sh("sleep 10");
  assert.equal(
    lab.pc.sh("dig +noall +answer mail.163.com").out,
    "mail.163.com.\t\t3590\tIN\tA\t6.6.6.7\n",
  );
  assert.equal(lab.pc.sh("getent hosts mail.163.com").out, "6.6.6.7         mail.163.com\n");
  assert.equal(
    lab.resolver.upstream.filter((u) => u.name === "mail.163.com." && u.type === 1).length,
    0,
  );
  // Until the forged entry expires; then the truth comes back.
  lab.pc.sh("sleep 3600");
  assert.equal(lab.pc.sh("dig +short mail.163.com").out, "203.0.113.25\n");
  lab.resolver.removeLocalData("www.163.com.");
  assert.equal(lab.pc.sh("dig +short www.163.com").out, "203.0.113.80\n");
});
