/**
 * NODATA: mail.163.com. exists (A and TXT) but has no AAAA. The answer is
 * NOERROR with an empty ANSWER and the SOA in AUTHORITY — not NXDOMAIN — and
 * the resolver caches it for that type only: the A query that follows still
 * goes to ns1.163.com., and the AAAA query after it is answered from the
 * cache.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

scenario("dns: NODATA is NOERROR with no answer, cached per type", (net) => {
  const lab = dnsLab(net);
  const aaaa = lab.pc.sh("dig mail.163.com AAAA").out;
  assert.match(aaaa, /status: NOERROR/);
  assert.match(aaaa, /ANSWER: 0, AUTHORITY: 1/);
  assert.match(aaaa, /^163\.com\.\t\t300\tIN\tSOA\tns1\.163\.com\. hostmaster\.163\.com\. /m);
  assert.equal(lab.resolver.upstream.at(-1)!.outcome, "nodata");
  assert.equal(lab.pc.sh("dig +short mail.163.com A").out, "203.0.113.25\n");
  assert.deepEqual(lab.resolver.upstream.slice(4).map((u) => [u.zone, u.name, u.type]), [[
    "163.com.",
    "mail.163.com.",
    1,
  ]]);
  lab.pc.sh("sleep 5");
  assert.match(
    lab.pc.sh("dig +noall +authority mail.163.com AAAA").out,
    /^163\.com\.\t\t295\tIN\tSOA/m,
  );
  assert.equal(lab.resolver.upstream.length, 5);
  // TXT at the same name is there.
  assert.equal(lab.pc.sh("dig +short mail.163.com TXT").out, '"v=spf1 mx -all"\n');
  // getent: no AAAA and an A record: the IPv4 address.
  assert.equal(lab.pc.sh("getent hosts mail.163.com").out, "203.0.113.25    mail.163.com\n");
});
