import assert from "node:assert/strict";
import { parseRecords, parseTtl, parseZone, Zone, ZoneError } from "./zone.ts";
import { DnsType } from "./message.ts";
import { formatRecord } from "./format.ts";

const TEXT = `
$ORIGIN example.com.
$TTL 1h
@       IN SOA ns1 hostmaster (
                2024010101 ; serial
                7200 3600 1209600
                60 )        ; minimum
        IN NS   ns1
        IN NS   ns.other.net.
ns1     IN A    192.0.2.53
www 300 IN A    192.0.2.10
        IN AAAA 2001:db8::10
alias   IN CNAME www
txt     IN TXT  "hello world" "a \\"quote\\""
a.b.c   IN A    192.0.2.3
sub     IN NS   ns.sub
ns.sub  IN A    192.0.2.99
mx      IN MX   10 mail
`;

Deno.test("zone: master-file text reads into the records BIND would load", () => {
  const z = parseZone(TEXT);
  assert.equal(z.origin, "example.com.");
  assert.deepEqual(z.records().map(formatRecord), [
    "example.com.\t\t3600\tIN\tSOA\tns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 60",
    "example.com.\t\t3600\tIN\tNS\tns1.example.com.",
    "example.com.\t\t3600\tIN\tNS\tns.other.net.",
    "ns1.example.com.\t3600\tIN\tA\t192.0.2.53",
    "www.example.com.\t300\tIN\tA\t192.0.2.10",
    "www.example.com.\t3600\tIN\tAAAA\t2001:db8::10", // $TTL, not the previous TTL
    "alias.example.com.\t3600\tIN\tCNAME\twww.example.com.",
    'txt.example.com.\t3600\tIN\tTXT\t"hello world" "a \\"quote\\""',
    "a.b.c.example.com.\t3600\tIN\tA\t192.0.2.3",
    "sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.",
    "ns.sub.example.com.\t3600\tIN\tA\t192.0.2.99",
    "mx.example.com.\t\t3600\tIN\tMX\t10 mail.example.com.",
  ]);
  assert.equal(parseTtl("1h30m"), 5400);
  assert.equal(parseTtl("2w"), 1209600);
  assert.equal(parseTtl("x"), undefined);
});

Deno.test("zone: lookups give answers, CNAMEs, referrals, NXDOMAIN and NODATA", () => {
  const z = parseZone(TEXT);
  const r = z.lookup("WWW.example.com.", DnsType.A);
  assert.equal(r.kind, "answer");
  assert.equal(z.lookup("alias.example.com.", DnsType.A).kind, "cname");
  assert.equal(z.lookup("alias.example.com.", DnsType.CNAME).kind, "answer");
  const ref = z.lookup("www.sub.example.com.", DnsType.A);
  assert.ok(ref.kind === "referral");
  assert.deepEqual(ref.ns.map(formatRecord), [
    "sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.",
  ]);
  assert.deepEqual(ref.glue.map(formatRecord), ["ns.sub.example.com.\t3600\tIN\tA\t192.0.2.99"]);
  const nx = z.lookup("nope.example.com.", DnsType.A);
  assert.ok(nx.kind === "nxdomain");
  // RFC 2308 §3: the negative TTL is min(SOA TTL 3600, MINIMUM 60).
  assert.equal(nx.soa.ttl, 60);
  assert.equal(z.lookup("www.example.com.", DnsType.TXT).kind, "nodata");
  // b.c.example.com. has no records but a descendant: an empty non-terminal, NODATA (RFC 8020).
  assert.equal(z.lookup("b.c.example.com.", DnsType.A).kind, "nodata");
  assert.equal(z.lookup("www.example.org.", DnsType.A).kind, "outside");
});

Deno.test("zone: bad text and bad data are refused with the line that is wrong", () => {
  const bad: Array<[string, RegExp]> = [
    [
      "$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nwww IN FOO 1",
      /line 5: unknown RR type FOO/,
    ],
    [
      "$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nwww IN A 300.1.1.1",
      /line 5: A: bad IPv4 address/,
    ],
    ["$ORIGIN example.com.\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nwww IN A 1.2.3.4", /^(?!x)/],
    ["www.example.com. IN A 1.2.3.4", /line 1: no TTL specified/],
    [
      "$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nwww IN CNAME a\nwww IN A 1.2.3.4",
      /CNAME and other data/,
    ],
    ["$ORIGIN example.com.\n$TTL 60\n@ IN NS ns1", /no SOA record/],
    [
      '$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nt IN TXT "open',
      /line 5: unterminated quoted string/,
    ],
    ["$TTL 60\nwww IN A 1.2.3.4", /relative name www without \$ORIGIN/],
  ];
  for (const [text, re] of bad) {
    if (re.source === "^(?!x)") {
      // The SOA's MINIMUM stands in for a missing $TTL only for the SOA itself; the rest inherits it.
      assert.equal(parseZone(text).rrset("www.example.com.", DnsType.A)[0]!.ttl, 5);
      continue;
    }
    assert.throws(() => parseZone(text), (e) => e instanceof ZoneError && re.test(e.message), text);
  }
  assert.throws(
    () =>
      new Zone("example.com.").add({
        name: "www.example.org.",
        class: 1,
        ttl: 1,
        data: { type: "A", address: 1 },
      }),
    /outside zone/,
  );
  assert.equal(parseRecords("a.example. 60 IN A 10.0.0.1").length, 1);
});
