/**
 * TTL expiry in virtual time: www.163.com. has a TTL of 600 s. At 599 s the
 * resolver still answers from its cache (TTL 1); at 600 s the entry is gone
 * and the resolver asks again — straight to ns1.163.com., because the
 * delegations of com. and 163.com. (TTL 172800 s) are still cached — and the
 * answer comes back with the full TTL.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

scenario(
  "dns: a cached answer expires after its TTL and is resolved again from the closest zone",
  (net) => {
    const lab = dnsLab(net);
    const answerTtl = () => {
      const line = lab.pc.sh("dig +noall +answer www.163.com").out.trim();
      return Number(line.split("\t").filter((f) => f !== "")[1]);
    };
    assert.equal(answerTtl(), 600);
    // Cached at 0.1 s, so in the resolver's second 0: it expires at second 600.
    net.run(599e9);
    assert.equal(answerTtl(), 1);
    assert.equal(lab.resolver.upstream.length, 4);
    lab.pc.sh("sleep 1");
    assert.equal(answerTtl(), 600);
    assert.deepEqual(lab.resolver.upstream.slice(4).map((u) => [u.zone, u.name, u.outcome]), [
      ["163.com.", "www.163.com.", "answer"],
    ]);
    assert.equal(lab.rootServer.log.length, 2); // the priming query and the first walk
    assert.equal(lab.authServer.log.length, 2);
  },
);
