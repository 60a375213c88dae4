/**
 * GSLB by client location: the CDN's authoritative server answers
 * edge.cdn-dns.net. by the source address of the query — the resolver's —
 * choosing the region whose prefixes match it best. Two ISPs' resolvers in
 * different regions get different edge servers for the same name, and so do
 * their clients; a resolver the policy does not know gets the default region.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Gslb } from "../../core/app/dns/gslb.ts";
import { dnsLab, secondRegion } from "./dns_testing.ts";

scenario("dns: GSLB answers each resolver with the edge of its own region", (net) => {
  const lab = dnsLab(net);
  const { pc2, resolver2 } = secondRegion(net, lab);
  const gslb = new Gslb({ ttl: 20, defaultRegion: "central" });
  gslb.addRegion("north", { prefixes: ["10.53.0.0/16"], servers: ["203.0.113.201"] });
  gslb.addRegion("south", { prefixes: ["10.54.0.0/16"], servers: ["203.0.113.202"] });
  gslb.addRegion("central", { prefixes: [], servers: ["203.0.113.200"] });
  lab.cdnServer.setPolicy("edge.cdn-dns.net.", gslb);

  assert.equal(
    lab.pc.sh("getent hosts static.163.com").out,
    "203.0.113.201   edge.cdn-dns.net static.163.com static.163.cdn-dns.net\n",
  );
  assert.equal(
    pc2.sh("getent hosts static.163.com").out,
    "203.0.113.202   edge.cdn-dns.net static.163.com static.163.cdn-dns.net\n",
  );
  // The CDN's server saw the two resolvers, never the clients. (getent asked AAAA first, which
  // left the CNAME in each resolver's cache: the A question then went to the edge name itself.)
  const asked = lab.cdnServer.log.filter((e) => e.name === "edge.cdn-dns.net." && e.type === 1);
  assert.deepEqual(asked.map((e) => e.client), [0x0a350035, 0x0a360035]);
  assert.deepEqual([...gslb.answered], [["north", 1], ["south", 1]]);
  // The answers carry the policy's short TTL, so each resolver comes back soon.
  assert.match(
    pc2.sh("dig +noall +answer edge.cdn-dns.net").out,
    /^edge\.cdn-dns\.net\.\t20\tIN\tA\t203\.0\.113\.202$/m,
  );
  assert.equal(resolver2.upstream.filter((u) => u.zone === "cdn-dns.net.").length, 2);
  // A resolver outside every region (the pc asking the CDN's server itself) gets the default region.
  assert.equal(lab.pc.sh("dig +short @198.51.100.4 edge.cdn-dns.net").out, "203.0.113.200\n");
});
