/**
 * GSLB by load: in one region two edge servers report their load, and the
 * CDN's server answers the least loaded one. The resolver caches that answer
 * for the policy's 20 s TTL; when the loads change, clients keep the old
 * edge until the TTL runs out, then get the other one. With weights instead
 * (3:1), answers are spread by smooth weighted round robin: exactly three of
 * every four to the heavier server.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Gslb } from "../../core/app/dns/gslb.ts";
import { dnsLab } from "./dns_testing.ts";

scenario("dns: GSLB hands out the least loaded edge, changes after the TTL", (net) => {
  const lab = dnsLab(net);
  const gslb = new Gslb({ ttl: 20, strategy: "least-loaded" });
  gslb.addRegion("north", {
    prefixes: ["10.53.0.0/16"],
    servers: ["203.0.113.211", "203.0.113.212"],
  });
  lab.cdnServer.setPolicy("edge.cdn-dns.net.", gslb);
  gslb.setLoad("203.0.113.211", 0.8);
  gslb.setLoad("203.0.113.212", 0.3);
  const edge = () => lab.pc.sh("dig +short edge.cdn-dns.net").out.trim();
  assert.equal(edge(), "203.0.113.212");
  gslb.setLoad("203.0.113.211", 0.1);
  lab.pc.sh("sleep 10");
  assert.equal(edge(), "203.0.113.212", "still cached");
  lab.pc.sh("sleep 10");
  assert.equal(edge(), "203.0.113.211", "asked again after 20 s");
  assert.equal(lab.cdnServer.log.length, 2);
  // A server marked down is never handed out, whatever its load.
  gslb.setUp("203.0.113.211", false);
  lab.pc.sh("sleep 20");
  assert.equal(edge(), "203.0.113.212");
});

scenario("dns: GSLB with weights 3:1 spreads answers three to one", (net) => {
  const lab = dnsLab(net);
  const gslb = new Gslb({ ttl: 20, strategy: "weighted" });
  gslb.addRegion("all", {
    prefixes: ["0.0.0.0/0"],
    servers: [{ address: "203.0.113.221", weight: 3 }, { address: "203.0.113.222", weight: 1 }],
  });
  lab.cdnServer.setPolicy("edge.cdn-dns.net.", gslb);
  const answers: string[] = [];
  for (let i = 0; i < 8; i++) {
    answers.push(
      lab.pc.sh("dig +short +norecurse @198.51.100.4 edge.cdn-dns.net").out.trim().slice(-3),
    );
  }
  assert.deepEqual(answers, ["221", "221", "222", "221", "221", "221", "222", "221"]);
});
