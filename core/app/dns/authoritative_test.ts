import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import { AuthoritativeServer } from "./authoritative.ts";
import { Gslb } from "./gslb.ts";
import { DnsCache } from "./cache.ts";
import { dnsQuery, DnsRcode, DnsType } from "./message.ts";
import { formatRecord } from "./format.ts";

const CLIENT = ip("10.53.0.53");

function server(): AuthoritativeServer {
  const s = new AuthoritativeServer();
  s.addZoneText(`
$ORIGIN example.com.
$TTL 300
@      SOA ns1 hostmaster 1 7200 3600 1209600 60
       NS  ns1
ns1    A   192.0.2.53
www    A   192.0.2.10
alias  CNAME www
away   CNAME www.example.net.
gone   CNAME nothing
sub    NS  ns.sub
ns.sub A   192.0.2.99
cdn    A   192.0.2.1
`);
  s.addZoneText(`
$ORIGIN example.net.
$TTL 300
@   SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 60
    NS  ns1.example.com.
www A   198.51.100.7
`);
  return s;
}

const lines = (rs: Parameters<typeof formatRecord>[0][]) => rs.map(formatRecord);

Deno.test("authoritative: an answer has AA; with RD clear it carries NS and glue too", () => {
  const s = server();
  const rd = s.answer(dnsQuery(1, "www.example.com.", DnsType.A), CLIENT);
  assert.equal(rd.aa, true);
  assert.equal(rd.ra, false);
  assert.deepEqual(lines(rd.answers), ["www.example.com.\t300\tIN\tA\t192.0.2.10"]);
  assert.deepEqual([rd.authorities.length, rd.additionals.length], [0, 0]);
  const norec = s.answer(dnsQuery(2, "www.example.com.", DnsType.A, { rd: false }), CLIENT);
  assert.deepEqual(lines(norec.authorities), ["example.com.\t\t300\tIN\tNS\tns1.example.com."]);
  assert.deepEqual(lines(norec.additionals), ["ns1.example.com.\t300\tIN\tA\t192.0.2.53"]);
});

Deno.test("authoritative: referral without AA, glue in ADDITIONAL", () => {
  const r = server().answer(dnsQuery(3, "host.sub.example.com.", DnsType.A, { rd: false }), CLIENT);
  assert.equal(r.aa, false);
  assert.equal(r.rcode, DnsRcode.NOERROR);
  assert.deepEqual(r.answers, []);
  assert.deepEqual(lines(r.authorities), ["sub.example.com.\t300\tIN\tNS\tns.sub.example.com."]);
  assert.deepEqual(lines(r.additionals), ["ns.sub.example.com.\t300\tIN\tA\t192.0.2.99"]);
});

Deno.test("authoritative: CNAMEs are followed across the zones it holds; NXDOMAIN at the end of a chain", () => {
  const s = server();
  const r = s.answer(dnsQuery(4, "away.example.com.", DnsType.A), CLIENT);
  assert.deepEqual(lines(r.answers), [
    "away.example.com.\t300\tIN\tCNAME\twww.example.net.",
    "www.example.net.\t300\tIN\tA\t198.51.100.7",
  ]);
  const g = s.answer(dnsQuery(5, "gone.example.com.", DnsType.A), CLIENT);
  assert.equal(g.rcode, DnsRcode.NXDOMAIN);
  assert.equal(g.answers.length, 1);
  assert.deepEqual(lines(g.authorities), [
    "example.com.\t\t60\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 60",
  ]);
});

Deno.test("authoritative: NXDOMAIN, NODATA, REFUSED, NOTIMP, FORMERR, BADVERS", () => {
  const s = server();
  const nx = s.answer(dnsQuery(6, "nope.example.com.", DnsType.A), CLIENT);
  assert.deepEqual([nx.rcode, nx.aa, nx.authorities[0]!.data.type], [
    DnsRcode.NXDOMAIN,
    true,
    "SOA",
  ]);
  const nodata = s.answer(dnsQuery(7, "www.example.com.", DnsType.AAAA), CLIENT);
  assert.deepEqual([nodata.rcode, nodata.answers.length, nodata.authorities[0]!.ttl], [0, 0, 60]);
  assert.equal(
    s.answer(dnsQuery(8, "www.example.org.", DnsType.A), CLIENT).rcode,
    DnsRcode.REFUSED,
  );
  assert.equal(
    s.answer({ ...dnsQuery(9, "www.example.com.", 1), opcode: 2 }, CLIENT).rcode,
    DnsRcode.NOTIMP,
  );
  assert.equal(
    s.answer({ ...dnsQuery(10, "www.example.com.", 1), questions: [] }, CLIENT).rcode,
    DnsRcode.FORMERR,
  );
  const edns = { udpSize: 1232, version: 1, dnssecOk: false, z: 0, options: [] };
  assert.equal(
    s.answer(dnsQuery(11, "www.example.com.", 1, { edns }), CLIENT).rcode,
    DnsRcode.BADVERS,
  );
  assert.deepEqual(s.log.map((e) => e.rcode), [3, 0, 5, 4, 1, 16]);
});

Deno.test("gslb: nearest region by longest prefix, then by load or weight", () => {
  const g = new Gslb({ ttl: 20, strategy: "least-loaded", defaultRegion: "central" });
  g.addRegion("north", { prefixes: ["10.1.0.0/16"], servers: ["198.51.100.11", "198.51.100.12"] });
  g.addRegion("south", {
    prefixes: ["10.2.0.0/16", "10.2.9.0/24"],
    servers: ["198.51.100.21"],
    fallback: "central",
  });
  g.addRegion("central", { prefixes: [], servers: ["198.51.100.31"] });
  assert.equal(g.choose(ip("10.1.2.3")).region, "north");
  assert.equal(g.choose(ip("10.2.9.9")).region, "south");
  assert.equal(g.choose(ip("172.16.0.1")).region, "central");
  g.setLoad("198.51.100.11", 0.9);
  g.setLoad("198.51.100.12", 0.2);
  assert.deepEqual(g.choose(ip("10.1.0.1")).addresses, [ip("198.51.100.12")]);
  g.setUp("198.51.100.21", false);
  assert.deepEqual(g.choose(ip("10.2.0.1")), {
    region: "central",
    addresses: [ip("198.51.100.31")],
  });
  const w = new Gslb({ strategy: "weighted" });
  w.addRegion("all", {
    prefixes: ["0.0.0.0/0"],
    servers: [{ address: "192.0.2.1", weight: 3 }, "192.0.2.2"],
  });
  const picks = Array.from({ length: 8 }, () => w.choose(ip("10.0.0.1")).addresses[0]);
  // Smooth weighted round robin: a a b a, a a b a.
  assert.deepEqual(picks.map((a) => a === ip("192.0.2.1") ? "a" : "b").join(""), "aabaaaba");
  assert.throws(() => g.addRegion("north", { prefixes: [], servers: [] }), /exists/);
  assert.throws(() => g.addRegion("x", { prefixes: ["10.0.0.0/33"], servers: [] }), /bad prefix/);
});

Deno.test("authoritative: a GSLB policy answers by the client's address", () => {
  const s = server();
  const g = new Gslb({ ttl: 20 });
  g.addRegion("north", { prefixes: ["10.1.0.0/16"], servers: ["198.51.100.11"] });
  g.addRegion("south", { prefixes: ["10.2.0.0/16"], servers: ["198.51.100.21"] });
  s.setPolicy("cdn.example.com.", g);
  const q = dnsQuery(12, "cdn.example.com.", DnsType.A);
  assert.deepEqual(lines(s.answer(q, ip("10.1.0.53")).answers), [
    "cdn.example.com.\t20\tIN\tA\t198.51.100.11",
  ]);
  assert.deepEqual(lines(s.answer(q, ip("10.2.0.53")).answers), [
    "cdn.example.com.\t20\tIN\tA\t198.51.100.21",
  ]);
  // Other types come from the zone data as usual.
  assert.equal(
    s.answer(dnsQuery(13, "cdn.example.com.", DnsType.TXT), ip("10.1.0.53")).answers.length,
    0,
  );
});

Deno.test("cache: TTLs count down in whole seconds; negative entries live min(SOA TTL, MINIMUM)", () => {
  let now = 0.4e9;
  const c = new DnsCache(() => now);
  c.put([{ name: "www.example.com.", class: 1, ttl: 300, data: { type: "A", address: 1 } }]);
  now = 2.9e9;
  assert.equal(c.get("WWW.example.com.", DnsType.A)![0]!.ttl, 298);
  now = 300e9;
  assert.equal(c.get("www.example.com.", DnsType.A), undefined);
  const soa = {
    name: "example.com.",
    class: 1,
    ttl: 3600,
    data: {
      type: "SOA" as const,
      mname: "ns1.example.com.",
      rname: "h.example.com.",
      serial: 1,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: 60,
    },
  };
  c.putNegative("nope.example.com.", undefined, soa);
  assert.deepEqual(c.getNegative("nope.example.com.", DnsType.MX)?.kind, "nxdomain");
  now += 59e9;
  assert.equal(c.getNegative("nope.example.com.", DnsType.A)?.soa.ttl, 1);
  now += 1e9;
  assert.equal(c.getNegative("nope.example.com.", DnsType.A), undefined);
  // Glue never replaces an answer, and is not handed out as one.
  c.put([{ name: "ns.example.com.", class: 1, ttl: 100, data: { type: "A", address: 2 } }], 3);
  c.put([{ name: "ns.example.com.", class: 1, ttl: 100, data: { type: "A", address: 9 } }], 1);
  assert.deepEqual(
    c.get("ns.example.com.", 1)!.map((r) => (r.data as { address: number }).address),
    [2],
  );
  c.put([{ name: "glue.example.com.", class: 1, ttl: 100, data: { type: "A", address: 3 } }], 1);
  assert.equal(c.get("glue.example.com.", 1), undefined);
  assert.equal(c.get("glue.example.com.", 1, 1)!.length, 1);
});
