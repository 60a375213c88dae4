/**
 * A CNAME chain inside one zone: news.163.com. → m.163.com. → www.163.com.
 * The authoritative server follows the chain in its own data and returns all
 * three records in one answer, so the resolver needs one query to
 * ns1.163.com.; the client gets the chain in order, and getent shows the
 * canonical name first and the aliases after it, as glibc prints them.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { describe, dnsLab, dnsOnWire } from "./dns_testing.ts";

scenario("dns: an in-zone CNAME chain comes back whole in one authoritative answer", (net) => {
  const lab = dnsLab(net);
  const r = lab.pc.sh("dig +short news.163.com");
  assert.equal(r.out, "m.163.com.\nwww.163.com.\n203.0.113.80\n");
  const fromAuth = dnsOnWire(net, { node: "auth" });
  assert.deepEqual(fromAuth.map(describe).map((l) => l.replace(/(10\.53\.0\.53):\d+/, "$1:P")), [
    "198.51.100.3:53 > 10.53.0.53:P udp response news.163.com. A NOERROR aa 3/1/1",
  ]);
  assert.deepEqual(lab.resolver.upstream.map((u) => [u.zone, u.name, u.outcome]), [
    [".", ".", "answer"],
    [".", "news.163.com.", "referral"],
    ["com.", "news.163.com.", "referral"],
    ["163.com.", "news.163.com.", "answer"],
  ]);
  // Every link of the chain is cached: m.163.com. is now answered without asking anyone.
  assert.equal(lab.pc.sh("dig +short m.163.com").out, "www.163.com.\n203.0.113.80\n");
  assert.equal(lab.resolver.upstream.length, 4);
  assert.equal(
    lab.pc.sh("getent hosts news.163.com").out,
    "203.0.113.80    www.163.com news.163.com m.163.com\n",
  );
});
