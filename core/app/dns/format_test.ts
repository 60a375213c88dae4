/**
 * Tests of dig-style presentation: column layout with tabs, each rdata type,
 * question lines and a whole message.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import {
  dnsClassName,
  dnsRcodeName,
  dnsTypeName,
  formatDnsMessage,
  formatQuestion,
  formatRdata,
  formatRecord,
} from "./format.ts";
import {
  DnsClass,
  type DnsMessage,
  dnsQuery,
  type DnsRdata,
  type DnsRecord,
  DnsType,
} from "./message.ts";
import { parseIp6 } from "./name.ts";

const rr = (name: string, ttl: number, data: DnsRdata, cls: number = DnsClass.IN): DnsRecord => ({
  name,
  class: cls,
  ttl,
  data,
});

Deno.test("dns format: dig's columns", () => {
  const a = { type: "A" as const, address: ip("93.184.216.34") };
  assert.equal(
    formatRecord(rr("www.example.com.", 300, a)),
    "www.example.com.\t300\tIN\tA\t93.184.216.34",
  );
  assert.equal(
    formatRecord(rr("example.com", 86400, a)),
    "example.com.\t\t86400\tIN\tA\t93.184.216.34",
  );
  assert.equal(formatRecord(rr(".", 0, a)), ".\t\t\t0\tIN\tA\t93.184.216.34");
  // Past column 24 a single space separates, until a tab stop is reached again.
  assert.equal(
    formatRecord(
      rr("a-rather-long-owner-name.example.com.", 300, { type: "A", address: ip("192.0.2.1") }),
    ),
    "a-rather-long-owner-name.example.com. 300 IN A\t192.0.2.1",
  );
  assert.equal(
    formatRecord(rr("34.216.184.93.in-addr.arpa.", 3600, { type: "PTR", target: "example.com" })),
    "34.216.184.93.in-addr.arpa. 3600 IN\tPTR\texample.com.",
  );
  // Exactly 23 characters: one tab; exactly 24: a single space.
  assert.equal(formatRecord(rr("abcdefghij.klmnopqrstu.", 1, a)).slice(23, 26), "\t1\t");
  assert.equal(formatRecord(rr("abcdefghij.klmnopqrstuv.", 1, a)).slice(24, 27), " 1\t");
});

Deno.test("dns format: every rdata type as dig prints it", () => {
  const cases: Array<[DnsRdata, string]> = [
    [
      { type: "AAAA", address: parseIp6("2606:2800:0220:0001:0248:1893:25c8:1946")! },
      "2606:2800:220:1:248:1893:25c8:1946",
    ],
    [{ type: "NS", target: "a.iana-servers.net." }, "a.iana-servers.net."],
    [{ type: "CNAME", target: "github.com" }, "github.com."],
    [{ type: "MX", preference: 0, exchange: "." }, "0 ."],
    [{ type: "MX", preference: 10, exchange: "mail.example.com." }, "10 mail.example.com."],
    [
      {
        type: "SOA",
        mname: "ns.icann.org.",
        rname: "noc.dns.icann.org.",
        serial: 2024081325,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 3600,
      },
      "ns.icann.org. noc.dns.icann.org. 2024081325 7200 3600 1209600 3600",
    ],
    [{ type: "TXT", strings: ["v=spf1 -all"] }, '"v=spf1 -all"'],
    [
      { type: "TXT", strings: ["a b", 'say "hi"', "back\\slash", "\u0000\u00e9", ""] },
      '"a b" "say \\"hi\\"" "back\\\\slash" "\\000\\233" ""',
    ],
    [
      { type: DnsType.SRV, data: new Uint8Array([0, 10, 0, 5, 0x13, 0xc4, 0]) },
      "\\# 7 000A000513C400",
    ],
    [{ type: 65280, data: new Uint8Array(0) }, "\\# 0"],
  ];
  for (const [d, text] of cases) assert.equal(formatRdata(d), text);
  assert.equal(
    formatRecord(rr("example.com.", 3600, cases[5]![0])),
    "example.com.\t\t3600\tIN\tSOA\tns.icann.org. noc.dns.icann.org. 2024081325 7200 3600 1209600 3600",
  );
  assert.equal(
    formatRecord(rr("x.", 1, { type: 65280, data: new Uint8Array([1]) })),
    "x.\t\t\t1\tIN\tTYPE65280 \\# 1 01",
  );
  assert.equal(
    formatRecord(rr("version.bind.", 0, { type: "TXT", strings: ["9.18.28"] }, DnsClass.CH)),
    'version.bind.\t\t0\tCH\tTXT\t"9.18.28"',
  );
  assert.equal(dnsTypeName(28), "AAAA");
  assert.equal(dnsTypeName(999), "TYPE999");
  assert.equal(dnsClassName(1), "IN");
  assert.equal(dnsClassName(42), "CLASS42");
  assert.equal(dnsRcodeName(3), "NXDOMAIN");
  assert.equal(dnsRcodeName(16), "BADVERS");
});

Deno.test("dns format: questions and a whole message", () => {
  assert.equal(
    formatQuestion({ name: "example.com.", type: 1, class: 1 }),
    ";example.com.\t\t\tIN\tA",
  );
  assert.equal(
    formatQuestion({ name: "www.example.com.", type: 28, class: 1 }),
    ";www.example.com.\t\tIN\tAAAA",
  );
  const m: DnsMessage = {
    ...dnsQuery(4242, "example.com.", DnsType.A, {
      edns: { udpSize: 1232, version: 0, dnssecOk: false, z: 0, options: [] },
    }),
    qr: true,
    ra: true,
    answers: [rr("example.com.", 86400, { type: "A", address: ip("93.184.216.34") })],
  };
  assert.equal(
    formatDnsMessage(m),
    [
      ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242",
      ";; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1",
      "",
      ";; OPT PSEUDOSECTION:",
      "; EDNS: version: 0, flags:; udp: 1232",
      ";; QUESTION SECTION:",
      ";example.com.\t\t\tIN\tA",
      "",
      ";; ANSWER SECTION:",
      "example.com.\t\t86400\tIN\tA\t93.184.216.34",
      "",
      "",
    ].join("\n"),
  );
});
