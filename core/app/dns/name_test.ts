/**
 * Tests of DNS name text and IPv6 address text: escapes, RFC 1035 limits,
 * RFC 4343 case-insensitive comparison, RFC 5952 formatting.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { WireError } from "../../wire/errors.ts";
import {
  canonicalDnsName,
  dnsNameEquals,
  formatDnsName,
  formatIp6,
  formatLabel,
  nameWireLength,
  parseDnsName,
  parseIp6,
} from "./name.ts";

const enc = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

Deno.test("dns name: text to labels and back", () => {
  assert.deepEqual(parseDnsName("www.example.com."), [enc("www"), enc("example"), enc("com")]);
  assert.deepEqual(parseDnsName("www.example.com"), parseDnsName("www.example.com."));
  assert.deepEqual(parseDnsName("."), []);
  assert.equal(formatDnsName([]), ".");
  assert.equal(formatDnsName(parseDnsName("WWW.Example.COM")), "WWW.Example.COM.");
  assert.equal(nameWireLength(parseDnsName("www.example.com.")), 17);
});

Deno.test("dns name: escapes as dig prints them", () => {
  const labels = parseDnsName("a\\.b.c\\\\d.\\032x\\255.e\\@f.");
  assert.deepEqual(labels, [enc("a.b"), enc("c\\d"), new Uint8Array([32, 0x78, 255]), enc("e@f")]);
  assert.equal(formatDnsName(labels), "a\\.b.c\\\\d.\\032x\\255.e\\@f.");
  assert.equal(
    formatLabel(new Uint8Array([0, 0x22, 0x28, 0x29, 0x3b, 0x24, 0x7f, 0x2d, 0x5f])),
    '\\000\\"\\(\\)\\;\\$\\127-_',
  );
  assert.equal(canonicalDnsName("\\065"), "a.");
});

Deno.test("dns name: limits and bad text raise WireError", () => {
  const bad = [
    "",
    "a..b",
    ".a",
    "a\\",
    "a\\256",
    "\u2603.com",
    "x".repeat(64) + ".com",
    Array(128).fill("a").join("."), // 256 bytes on the wire
  ];
  for (const t of bad) assert.throws(() => parseDnsName(t), WireError, t);
  assert.equal(parseDnsName("x".repeat(63)).length, 1);
  // 127 one-letter labels: 254 bytes plus the root byte is exactly 255.
  assert.equal(parseDnsName(Array(127).fill("a").join(".")).length, 127);
});

Deno.test("dns name: comparison ignores ASCII case only", () => {
  assert.ok(dnsNameEquals("WWW.Example.com", "www.example.COM."));
  assert.ok(dnsNameEquals("\\065.b", "a.B."));
  assert.ok(!dnsNameEquals("\\196.b", "\\228.b")); // Ä and ä are different bytes
  assert.ok(!dnsNameEquals("a.b", "a.b.c"));
  assert.equal(canonicalDnsName("Mail.EXAMPLE.org"), "mail.example.org.");
});

Deno.test("dns name: IPv6 text as inet_ntop writes it", () => {
  const cases: Array<[string, string]> = [
    ["2001:db8::1", "2001:db8::1"],
    ["2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"], // longest run wins
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // first of equal runs wins
    ["2001:db8:1:1:1:1:0:1", "2001:db8:1:1:1:1:0:1"], // a single zero group stays
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["::192.0.2.1", "::192.0.2.1"],
    ["64:ff9b::192.0.2.1", "64:ff9b::c000:201"],
    ["fe80::1:2:3:4", "fe80::1:2:3:4"],
  ];
  for (const [input, out] of cases) {
    const b = parseIp6(input);
    assert.ok(b !== undefined, input);
    assert.equal(formatIp6(b), out, input);
  }
  for (
    const t of [
      "",
      ":",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "12345::",
      "::1.2.3",
      "g::",
      "1:2:3:4:5:6:7:8::",
    ]
  ) {
    assert.equal(parseIp6(t), undefined, t);
  }
});

Deno.test("dns name property: format/parse round trip for any labels; IPv6 too", () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 63 });
  fc.assert(
    fc.property(fc.array(label, { maxLength: 4 }), (labels) => {
      assert.deepEqual(parseDnsName(formatDnsName(labels)), labels);
    }),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.integer({ min: 0, max: 15 }),
      (b, zeros) => {
        b.fill(0, zeros % 8, zeros); // make zero runs common
        assert.deepEqual(parseIp6(formatIp6(b)), b);
      },
    ),
    { seed: 42, numRuns: 300 },
  );
});
