/**
 * The notes' DNS chapter, step by step. The resolution walk (steps 1–8): the
 * pc asks its local DNS server for www.163.com; the local server, not finding
 * it in its cache, asks a root server; the root sees .com and returns the
 * com. servers; the local server asks a com. server, which returns the
 * authoritative servers of 163.com; the local server asks ns1.163.com, which
 * returns the address; the local server gives it to the pc (and keeps it).
 *
 * The CDN walk: web.com's authoritative server answers www.web.com with a
 * CNAME to www.web.cdn.com; the CDN's own authoritative server answers that
 * with a CNAME to its global load balancer's name; the GSLB picks the edge
 * nearest to the user's local DNS server; the local server caches the edge's
 * address and returns it.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Gslb } from "../../core/app/dns/gslb.ts";
import { parseRecords } from "../../core/app/dns/zone.ts";
import { dnsLab, dnsOnWire, secondRegion } from "./dns_testing.ts";

const NAMES: Record<string, string> = {
  "192.168.1.10": "pc",
  "172.16.2.10": "pc2",
  "10.53.0.53": "local DNS",
  "10.54.0.53": "local DNS 2",
  "198.51.100.1": "root",
  "198.51.100.2": "TLD",
  "198.51.100.3": "163.com/web.com auth",
  "198.51.100.4": "CDN auth",
};
const who = (hostPort: string) => NAMES[hostPort.split(":")[0]!] ?? hostPort;

scenario("dns: the notes' eight steps of a resolution", (net) => {
  const lab = dnsLab(net);
  lab.pc.sh("dig +short www.163.com");
  const steps = dnsOnWire(net).map((w) => {
    const m = w.message;
    const what = !m.qr
      ? `asks ${m.questions[0]!.name}`
      : m.answers.some((r) => r.data.type === "NS")
      ? "answers the root servers"
      : m.answers.length > 0
      ? `answers ${
        m.answers.map((r) => r.data.type === "A" ? r.data.address >>> 0 : 0).map((a) =>
          `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
        ).join(" ")
      }`
      : `refers to ${m.authorities.map((r) => r.name).join(" ")}`;
    return `${who(w.from)} → ${who(w.to)}: ${what}`;
  });
  assert.deepEqual(steps, [
    "pc → local DNS: asks www.163.com.", // 1. the client asks its local DNS server
    "local DNS → root: asks .", //            (priming, RFC 8109: the root servers, once)
    "root → local DNS: answers the root servers", // (the root NS RRset and its address)
    "local DNS → root: asks www.163.com.", // 2. not cached: ask a root server
    "root → local DNS: refers to com.", // 3. the root sees .com and returns the TLD servers
    "local DNS → TLD: asks www.163.com.", // 4. ask the com. server
    "TLD → local DNS: refers to 163.com.", // 5. it returns 163.com's authoritative servers
    "local DNS → 163.com/web.com auth: asks www.163.com.", // 6. ask the authoritative server
    "163.com/web.com auth → local DNS: answers 203.0.113.80", // 7. it returns the address
    "local DNS → pc: answers 203.0.113.80", // 8. the local server returns it to the client
  ]);
});

scenario(
  "dns: the notes' CDN walk — CNAME to the CDN, CNAME to its GSLB, the nearest edge",
  (net) => {
    const lab = dnsLab(net);
    const { pc2 } = secondRegion(net, lab);
    // web.com and cdn.com are delegated by the com. server.
    const com = lab.tldServer.zones.get("com.")!;
    for (
      const rr of parseRecords(
        "web.com. 172800 IN NS ns1.web.com.\nns1.web.com. 172800 IN A 198.51.100.3\n" +
          "cdn.com. 172800 IN NS ns1.cdn.com.\nns1.cdn.com. 172800 IN A 198.51.100.4\n",
      )
    ) com.add(rr);
    lab.authServer.addZoneText(`
$ORIGIN web.com.
$TTL 600
@   SOA ns1 hostmaster 1 7200 3600 1209600 300
    NS  ns1
ns1 A   198.51.100.3
www CNAME www.web.cdn.com.
`);
    lab.cdnServer.addZoneText(`
$ORIGIN cdn.com.
$TTL 300
@       SOA ns1 hostmaster 1 7200 3600 1209600 60
        NS  ns1
ns1     A   198.51.100.4
www.web CNAME gslb
gslb    A   203.0.113.250
`);
    const gslb = new Gslb({ ttl: 30 });
    gslb.addRegion("north", { prefixes: ["10.53.0.0/16"], servers: ["203.0.113.201"] });
    gslb.addRegion("south", { prefixes: ["10.54.0.0/16"], servers: ["203.0.113.202"] });
    lab.cdnServer.setPolicy("gslb.cdn.com.", gslb);

    const answer = lab.pc.sh("dig +noall +answer www.web.com").out;
    assert.equal(
      answer,
      "www.web.com.\t\t600\tIN\tCNAME\twww.web.cdn.com.\n" +
        "www.web.cdn.com.\t300\tIN\tCNAME\tgslb.cdn.com.\n" +
        "gslb.cdn.com.\t\t30\tIN\tA\t203.0.113.201\n",
    );
    // The local DNS server asked web.com's server, then (a new zone) the root, com., and the CDN's server.
    assert.deepEqual(lab.resolver.upstream.map((u) => `${u.zone} ${u.name} ${u.outcome}`), [
      ". . answer",
      ". www.web.com. referral",
      "com. www.web.com. referral",
      "web.com. www.web.com. cname",
      "com. www.web.cdn.com. referral",
      "cdn.com. www.web.cdn.com. answer",
    ]);
    // A user behind another ISP's DNS server gets another edge for the same name.
    assert.equal(
      pc2.sh("dig +short www.web.com").out,
      "www.web.cdn.com.\ngslb.cdn.com.\n203.0.113.202\n",
    );
    // The local server keeps the edge's address for the GSLB's TTL.
    lab.pc.sh("sleep 10");
    assert.match(
      lab.pc.sh("dig +noall +answer www.web.com").out,
      /^gslb\.cdn\.com\.\t\t20\tIN\tA\t203\.0\.113\.201$/m,
    );
  },
);
