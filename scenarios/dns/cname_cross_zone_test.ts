/**
 * A CNAME into another zone, as a site hands its name to a CDN (the notes'
 * CDN walk): static.163.com. is an alias of static.163.cdn-dns.net., which
 * ns1.163.com. does not serve. The resolver restarts at the target: the root
 * refers it to net., net. to ns1.cdn-dns.net., which answers with the next
 * link of the chain and the address. The client gets the whole chain; the
 * CDN's records keep their own, shorter TTL (60 s).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatRecord } from "../../core/app/dns/format.ts";
import { dnsLab } from "./dns_testing.ts";

scenario(
  "dns: a CNAME into another zone is followed from the root down to the CDN's servers",
  (net) => {
    const lab = dnsLab(net);
    const out = lab.pc.sh("dig +noall +answer static.163.com").out;
    assert.equal(
      out,
      "static.163.com.\t\t600\tIN\tCNAME\tstatic.163.cdn-dns.net.\n" +
        "static.163.cdn-dns.net.\t60\tIN\tCNAME\tedge.cdn-dns.net.\n" +
        "edge.cdn-dns.net.\t60\tIN\tA\t203.0.113.200\n",
    );
    assert.deepEqual(lab.resolver.upstream.map((u) => [u.zone, u.name, u.outcome]), [
      [".", ".", "answer"],
      [".", "static.163.com.", "referral"],
      ["com.", "static.163.com.", "referral"],
      ["163.com.", "static.163.com.", "cname"],
      [".", "static.163.cdn-dns.net.", "referral"],
      ["net.", "static.163.cdn-dns.net.", "referral"],
      ["cdn-dns.net.", "static.163.cdn-dns.net.", "answer"],
    ]);
    // The 163.com. server answered only for its own zone (it holds no CDN data).
    assert.deepEqual(lab.cdnServer.log.map((e) => e.name), ["static.163.cdn-dns.net."]);
    // 30 s later the CDN's part of the chain is still cached (TTL 60): no upstream query.
    lab.pc.sh("sleep 30");
    const again = lab.pc.sh("dig +noall +answer static.163.com").out.trim().split("\n");
    assert.deepEqual(again.map((l) => l.split(/\s+/)[1]), ["570", "30", "30"]);
    assert.equal(lab.resolver.upstream.length, 7);
    // After 60 s only the CDN's records are asked for again, from the CDN's server directly.
    lab.pc.sh("sleep 31");
    lab.pc.sh("dig +short static.163.com");
    assert.deepEqual(lab.resolver.upstream.slice(7).map((u) => [u.zone, u.name]), [
      ["cdn-dns.net.", "static.163.cdn-dns.net."],
    ]);
    assert.ok(lab.resolver.cache.get("edge.cdn-dns.net.", 1)!.map(formatRecord).length === 1);
  },
);
