/**
 * Tests of the DNS codec: RFC 1035 layouts and compression by hand, a dig query
 * and a BIND-style response byte for byte, EDNS(0), truncation, the decoder's
 * defences (pointer loops, limits), and property tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ip } from "../../wire/addr.ts";
import { WireError } from "../../wire/errors.ts";
import {
  decodeDns,
  DnsClass,
  type DnsMessage,
  dnsPayloadLimit,
  dnsQuery,
  type DnsRdata,
  type DnsRecord,
  DnsType,
  type Edns,
  encodeDns,
  truncateDns,
} from "./message.ts";
import { formatDnsName, nameWireLength, parseIp6 } from "./name.ts";

/** Bytes from hex and "quoted ascii" pieces: `b("0377", '"www"', "00")`. */
function b(...parts: string[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p.startsWith('"')) { for (const c of p.slice(1, -1)) out.push(c.charCodeAt(0)); }
    else {
      const t = p.replace(/\s+/g, "");
      for (let i = 0; i < t.length; i += 2) out.push(parseInt(t.slice(i, i + 2), 16));
    }
  }
  return new Uint8Array(out);
}

const rr = (name: string, ttl: number, data: DnsRdata, cls: number = DnsClass.IN): DnsRecord => ({
  name,
  class: cls,
  ttl,
  data,
});

// dig 9.18 `dig www.example.com`: RD and AD set, EDNS with a 1232-byte payload
// and an 8-byte client cookie.
const DIG_QUERY = b(
  "a1b2 0120 0001 0000 0000 0001",
  "03",
  '"www"',
  "07",
  '"example"',
  "03",
  '"com"',
  "00 0001 0001",
  "00 0029 04d0 00 00 0000 000c 000a 0008 0123456789abcdef",
);

// A BIND-style answer: every owner name points back into the question; the
// second NS target shares "iana-servers.net" with the first.
const BIND_RESPONSE = b(
  "a1b2 8180 0001 0001 0002 0000",
  // 12: question www.example.com. A IN (example at 16, com at 24)
  "03",
  '"www"',
  "07",
  '"example"',
  "03",
  '"com"',
  "00 0001 0001",
  // 33: answer, owner -> 12
  "c00c 0001 0001 0000012c 0004 5db8d822",
  // 49: authority, owner -> 16; rdata at 61: a.iana-servers.net. (iana-servers at 63)
  "c010 0002 0001 00015180 0014 01",
  '"a"',
  "0c",
  '"iana-servers"',
  "03",
  '"net"',
  "00",
  // 81: second NS, target b + pointer to 63
  "c010 0002 0001 00015180 0004 01",
  '"b"',
  "c03f",
);

Deno.test("dns: dig's query with EDNS and a cookie, byte for byte", () => {
  const m = decodeDns(DIG_QUERY);
  const expected: DnsMessage = {
    ...dnsQuery(0xa1b2, "www.example.com.", DnsType.A, {
      edns: {
        udpSize: 1232,
        version: 0,
        dnssecOk: false,
        z: 0,
        options: [{ code: 10, data: b("0123456789abcdef") }],
      },
    }),
    ad: true,
  };
  assert.deepEqual(m, expected);
  assert.deepEqual(encodeDns(m), DIG_QUERY);
  assert.equal(dnsPayloadLimit(m), 1232);
  assert.equal(dnsPayloadLimit({ ...m, edns: undefined }), 512);
  assert.equal(dnsPayloadLimit({ ...m, edns: { ...m.edns!, udpSize: 100 } }), 512);
});

Deno.test("dns: a response compressed as BIND compresses it, byte for byte", () => {
  const m = decodeDns(BIND_RESPONSE);
  assert.equal(m.id, 0xa1b2);
  assert.deepEqual(
    [m.qr, m.opcode, m.aa, m.tc, m.rd, m.ra, m.ad, m.cd, m.rcode],
    [true, 0, false, false, true, true, false, false, 0],
  );
  assert.deepEqual(m.questions, [{ name: "www.example.com.", type: 1, class: 1 }]);
  assert.deepEqual(m.answers, [
    rr("www.example.com.", 300, { type: "A", address: ip("93.184.216.34") }),
  ]);
  assert.deepEqual(m.authorities, [
    rr("example.com.", 86400, { type: "NS", target: "a.iana-servers.net." }),
    rr("example.com.", 86400, { type: "NS", target: "b.iana-servers.net." }),
  ]);
  assert.deepEqual(m.additionals, []);
  assert.equal(m.edns, undefined);
  assert.deepEqual(encodeDns(m), BIND_RESPONSE);
});

Deno.test("dns: the RFC 1035 §4.1.4 compression layout decodes", () => {
  // F.ISI.ARPA written out in full, FOO.F.ISI.ARPA as FOO plus a pointer to it,
  // and ARPA as a pointer into the middle of the first name. The full name is
  // the rdata of a raw record so that it sits at a known offset (23 = 0x17;
  // its ARPA label at 29 = 0x1d).
  const wire = b(
    "0000 8000 0000 0002 0000 0000",
    "00 ff00 0001 00000000 000c", // 12: owner ".", TYPE65280, rdlength 12
    "01",
    '"F"',
    "03",
    '"ISI"',
    "04",
    '"ARPA"',
    "00",
    "03",
    '"FOO"',
    "c017 0002 0001 00000e10 0002 c01d",
  );
  const m = decodeDns(wire);
  assert.deepEqual(m.answers[1], rr("FOO.F.ISI.ARPA.", 3600, { type: "NS", target: "ARPA." }));
});

Deno.test("dns: every typed rdata, raw types and classes round-trip", () => {
  const m: DnsMessage = {
    ...dnsQuery(7, "example.org.", DnsType.ANY),
    qr: true,
    aa: true,
    rd: false,
    answers: [
      rr("example.org.", 3600, {
        type: "SOA",
        mname: "ns1.example.org.",
        rname: "hostmaster.example.org.",
        serial: 2024010101,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 300,
      }),
      rr("example.org.", 3600, { type: "MX", preference: 10, exchange: "mail.example.org." }),
      rr("example.org.", 60, {
        type: "TXT",
        strings: ["v=spf1 -all", "", 'quote" and \\ and \u00ff'],
      }),
      rr("mail.example.org.", 60, { type: "AAAA", address: parseIp6("2001:db8::25")! }),
      rr("www.example.org.", 60, { type: "CNAME", target: "example.org." }),
      rr("1.2.0.192.in-addr.arpa.", 60, { type: "PTR", target: "example.org." }),
      rr("_sip._udp.example.org.", 60, { type: DnsType.SRV, data: b("000a 0005 13c4 00") }),
      rr("version.bind.", 0, { type: "TXT", strings: ["9.18"] }, DnsClass.CH),
      rr("example.org.", 0, { type: DnsType.A, data: new Uint8Array(0) }, DnsClass.ANY),
    ],
  };
  const bytes = encodeDns(m);
  assert.deepEqual(decodeDns(bytes), m);
  // MX exchange and SOA names are compressed against earlier names.
  assert.ok(bytes.length < 300, `${bytes.length} bytes`);
});

Deno.test("dns: extended rcode and the DO bit travel in the OPT record", () => {
  const edns: Edns = { udpSize: 4096, version: 0, dnssecOk: true, z: 0, options: [] };
  const m: DnsMessage = { ...dnsQuery(1, "a.", DnsType.A, { edns }), qr: true, rcode: 16 };
  const bytes = encodeDns(m);
  assert.equal(bytes[3]! & 15, 0); // BADVERS = 16: low bits 0 in the header
  const opt = bytes.subarray(bytes.length - 11);
  assert.deepEqual(opt, b("00 0029 1000 01 00 8000 0000"));
  assert.deepEqual(decodeDns(bytes), m);
  assert.throws(() => encodeDns({ ...m, edns: undefined }), WireError);
});

Deno.test("dns: OPT records that are not the EDNS record stay records", () => {
  // An OPT with a non-root owner, and a second OPT: both kept raw.
  const m = decodeDns(b(
    "0000 0000 0000 0000 0000 0003",
    "00 0029 0200 00000000 0000",
    "01",
    '"x"',
    "00 0029 0200 00000000 0000",
    "00 0029 0400 00000000 0000",
  ));
  assert.equal(m.edns?.udpSize, 512);
  assert.deepEqual(m.additionals.map((r) => [r.name, r.class]), [["x.", 0x200], [".", 0x400]]);
});

Deno.test("dns: truncation drops whole RRsets and sets TC like a server", () => {
  const q = dnsQuery(9, "big.example.", DnsType.A);
  const many = Array.from(
    { length: 40 },
    (_, i) => rr("big.example.", 60, { type: "A", address: ip(`10.0.0.${i}`) }),
  );
  const resp: DnsMessage = { ...q, qr: true, answers: many };
  assert.ok(encodeDns(resp).length > 512);
  // One RRset that does not fit: none of it is sent.
  const t1 = truncateDns(resp, 512);
  assert.equal(t1.truncated, true);
  assert.equal(t1.message.tc, true);
  assert.deepEqual(t1.message.answers, []);
  assert.deepEqual(decodeDns(t1.bytes), t1.message);
  // A CNAME then the big RRset: the CNAME is kept.
  const chain: DnsMessage = {
    ...resp,
    answers: [
      rr("big.example.", 60, { type: "CNAME", target: "pool.example." }),
      ...many.map((r) => ({ ...r, name: "pool.example." })),
    ],
  };
  const t2 = truncateDns(chain, 512);
  assert.equal(t2.message.answers.length, 1);
  assert.equal(t2.message.tc, true);
  // Additional records that do not fit are dropped without TC.
  const glue: DnsMessage = {
    ...q,
    qr: true,
    answers: [many[0]!],
    additionals: many.slice(1).map((r, i) => ({ ...r, name: `ns${i}.example.` })),
  };
  const t3 = truncateDns(glue, 512);
  assert.equal(t3.truncated, false);
  assert.equal(t3.message.tc, false);
  assert.equal(t3.message.answers.length, 1);
  assert.ok(t3.message.additionals.length > 5 && t3.message.additionals.length < 39);
  assert.ok(t3.bytes.length <= 512);
  assert.deepEqual(decodeDns(t3.bytes), t3.message);
  // The OPT record survives truncation; a larger payload size lets everything in.
  const edns: Edns = { udpSize: 1232, version: 0, dnssecOk: false, z: 0, options: [] };
  const t4 = truncateDns({ ...resp, edns }, 512);
  assert.deepEqual(decodeDns(t4.bytes).edns, edns);
  assert.equal(t4.message.tc, true);
  const t5 = truncateDns({ ...resp, edns }, dnsPayloadLimit({ ...q, edns }));
  assert.equal(t5.truncated, false);
  assert.equal(t5.message.answers.length, 40);
  assert.throws(() => truncateDns(resp, 20), WireError);
});

Deno.test("dns: malformed messages raise WireError, pointer loops included", () => {
  const header = (qd: number, an = 0) =>
    `0000 0000 ${qd.toString(16).padStart(4, "0")} ${an.toString(16).padStart(4, "0")} 0000 0000`;
  const cases: Array<[Uint8Array, RegExp]> = [
    [b("0000 0000 0000"), /header needs 12/],
    [b(header(1)), /truncated name/],
    [b(header(1), "c00c 0001 0001"), /does not point backwards/], // points at itself
    [b(header(1), "c00e 0001 0001"), /does not point backwards/], // points forward
    // two pointers chasing each other: 14 -> 12 -> 14
    [b(header(1), "c00e c00c 0001 0001"), /does not point backwards/],
    [b(header(1), "01", '"a"', "c00c 0001 0001"), /does not point backwards/], // into its own run
    [b(header(1), "40"), /unsupported label type 0x40/],
    [b(header(1), "80"), /unsupported label type 0x80/],
    [b(header(1), "05", '"ab"'), /truncated label/],
    [b(header(1), "c0"), /truncated compression pointer/],
    [b(header(1), "00 0001"), /truncated/],
    [b(header(0, 1), "00 0001 0001 00000000 0005 01020304"), /truncated rdata/],
    [b(header(0, 1), "00 0001 0001 00000000 0003 010203"), /A rdata length 3/],
    [b(header(0, 1), "00 0005 0001 00000000 0004 01", '"a"', "00 00"), /CNAME/],
    [b(header(0, 1), "00 0010 0001 00000000 0003 05", '"ab"'), /TXT string runs past/],
    [b(header(0, 1), "00 000f 0001 00000000 0002 000a"), /MX rdata too short/],
    [
      b("0000 0000 0000 0000 0000 0001 00 0029 0200 00000000 0005 000a 0005 00"),
      /EDNS option runs past/,
    ],
  ];
  for (const [wire, re] of cases) {
    assert.throws(
      () => decodeDns(wire),
      (e) => e instanceof WireError && re.test(e.message),
      String(re),
    );
  }
  // A name over 255 bytes through a chain of backward pointers: each question
  // adds a 63-byte label in front of the previous question's name (65, 129, 193,
  // then 257 bytes).
  const parts: number[] = [...b(header(4))];
  const label = [63, ...new Array<number>(63).fill(0x61)];
  parts.push(...label, 0, ...b("0001 0001"));
  let prev = 12;
  for (let i = 0; i < 3; i++) {
    const at = parts.length;
    parts.push(...label, 0xc0, prev, ...b("0001 0001"));
    prev = at;
  }
  assert.throws(() => decodeDns(new Uint8Array(parts)), /name longer than 255 bytes/);
  const three = new Uint8Array(parts.slice(0, prev));
  three[5] = 3;
  assert.equal(decodeDns(three).questions[2]!.name, ("a".repeat(63) + ".").repeat(3));
});

// ---- property tests ----

const plain = { noNullPrototype: true };
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.tuple(u16, u16).map(([h, l]) => h * 0x10000 + l);
const byteString = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength,
  });
const POOL = ["www", "example", "com", "Example", "mail", "ns1", "a", "iana-servers", "net", "x.y"]
  .map((s) => new Uint8Array([...s].map((c) => c.charCodeAt(0))));
const label = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...POOL) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 63 }) },
);
const name = fc
  .array(label, { maxLength: 5 })
  .filter((ls) => nameWireLength(ls) <= 255)
  .map(formatDnsName);
const TYPED = new Set([1, 2, 5, 6, 12, 15, 16, 28, 41]);
const rdata: fc.Arbitrary<DnsRdata> = fc.oneof(
  u32.map((address) => ({ type: "A" as const, address })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((address) => ({
    type: "AAAA" as const,
    address,
  })),
  name.map((target) => ({ type: "NS" as const, target })),
  name.map((target) => ({ type: "CNAME" as const, target })),
  name.map((target) => ({ type: "PTR" as const, target })),
  fc.record({ type: fc.constant("MX" as const), preference: u16, exchange: name }, plain),
  fc.record({
    type: fc.constant("SOA" as const),
    mname: name,
    rname: name,
    serial: u32,
    refresh: u32,
    retry: u32,
    expire: u32,
    minimum: u32,
  }, plain),
  fc.array(byteString(255), { minLength: 1, maxLength: 3 }).map((strings) => ({
    type: "TXT" as const,
    strings,
  })),
  fc.record(
    { type: u16.filter((t) => !TYPED.has(t)), data: fc.uint8Array({ maxLength: 30 }) },
    plain,
  ),
);
const record: fc.Arbitrary<DnsRecord> = fc.record(
  { name, class: u16, ttl: u32, data: rdata },
  plain,
);
const edns: fc.Arbitrary<Edns> = fc.record({
  udpSize: u16,
  version: fc.integer({ min: 0, max: 255 }),
  dnssecOk: fc.boolean(),
  z: fc.integer({ min: 0, max: 0x7fff }),
  options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 12 }) }, plain), {
    maxLength: 3,
  }),
}, plain);
const records = fc.array(record, { maxLength: 6 });
const message: fc.Arbitrary<DnsMessage> = fc
  .record({
    id: u16,
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    ad: fc.boolean(),
    cd: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 4095 }),
    questions: fc.array(fc.record({ name, type: u16, class: u16 }, plain), { maxLength: 2 }),
    answers: records,
    authorities: records,
    additionals: records,
    edns: fc.option(edns, { nil: undefined }),
  }, plain)
  .map((m) => (m.edns === undefined ? { ...m, rcode: m.rcode & 15 } : m));

function onlyWireErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
}

Deno.test("dns property: decode(encode(m)) deep-equals m", () => {
  fc.assert(
    fc.property(message, (m) => {
      const bytes = encodeDns(m);
      assert.deepEqual(decodeDns(bytes), m);
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("dns property: truncateDns fits the limit and says what it sent", () => {
  fc.assert(
    fc.property(message, fc.integer({ min: 0, max: 2000 }), (m, extra) => {
      const full = encodeDns(m).length;
      const minimal = truncateDns(
        { ...m, answers: [], authorities: [], additionals: [] },
        Infinity,
      );
      const limit = Math.min(full, minimal.bytes.length + extra);
      const t = truncateDns(m, limit);
      assert.ok(t.bytes.length <= limit);
      assert.deepEqual(decodeDns(t.bytes), t.message);
      if (!t.truncated) {
        assert.deepEqual(t.message.answers, m.answers);
        assert.deepEqual(t.message.authorities, m.authorities);
      } else assert.deepEqual(t.message.additionals, []);
      if (limit === full) assert.deepEqual(t.message, m);
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("dns property: random bytes and truncations only raise WireError", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 300 }),
      (bytes) => onlyWireErrors(() => decodeDns(bytes)),
    ),
    { seed: 42, numRuns: 300 },
  );
  // Small counts and pointer-heavy bodies, to reach the name and rdata paths.
  const body = fc.array(
    fc.oneof(fc.constant(0), fc.constant(0xc0), fc.integer({ min: 0, max: 255 })),
    { maxLength: 120 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      body,
      (counts, rest) => {
        const bytes = new Uint8Array([0, 0, 0x81, 0x80, ...counts.flatMap((c) => [0, c]), ...rest]);
        onlyWireErrors(() => decodeDns(bytes));
      },
    ),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(message, fc.nat(), (m, cut) => {
      const bytes = encodeDns(m);
      onlyWireErrors(() => decodeDns(bytes.subarray(0, cut % (bytes.length + 1))));
    }),
    { seed: 42, numRuns: 300 },
  );
});

Deno.test("dns truncate: partial RRsets as BIND sends them, whole RRsets as Unbound does", () => {
  const q = dnsQuery(7, "many.example.com.", DnsType.A);
  const big: DnsMessage = {
    ...q,
    qr: true,
    aa: true,
    answers: Array.from({ length: 40 }, (_, i) => ({
      name: "many.example.com.",
      class: 1,
      ttl: 300,
      data: { type: "A" as const, address: 0x0a010001 + i },
    })),
  };
  const whole = truncateDns(big, 512);
  assert.deepEqual([whole.truncated, whole.message.answers.length, whole.bytes.length], [
    true,
    0,
    34,
  ]);
  const partial = truncateDns(big, 512, { partialRRsets: true });
  // 12 + 22 bytes of header and question, then 16 bytes per compressed A record: 29 fit (BIND's count).
  assert.deepEqual([partial.truncated, partial.message.answers.length, partial.bytes.length], [
    true,
    29,
    498,
  ]);
  assert.equal(decodeDns(partial.bytes).answers.length, 29);
  assert.equal(decodeDns(partial.bytes).tc, true);
});
