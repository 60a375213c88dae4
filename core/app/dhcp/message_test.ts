/**
 * Tests of the DHCP codec: hand-built fixtures in the shape ISC dhclient and
 * dnsmasq put on the wire, the RFC 2131/2132/3396 corner cases, and property
 * tests (round trip; random and truncated bytes only ever raise WireError).
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ip } from "../../wire/addr.ts";
import { WireError } from "../../wire/errors.ts";
import {
  BOOTP_MIN_SIZE,
  decodeDhcp,
  type DhcpMessage,
  DhcpMessageType,
  dhcpMessageTypeName,
  dhcpOptionCode,
  type DhcpOptions,
  encodeDhcp,
} from "./message.ts";

/** Bytes from a hex string; spaces and newlines are ignored. */
function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, "");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A BOOTP message: the 236-byte fixed part, the cookie, then `options`, zero-padded to `size`. */
function bootp(fixed: Partial<Record<string, string>>, options: string, size = 300): Uint8Array {
  const b = new Uint8Array(Math.max(size, 240 + hex(options).length));
  b.set(hex(fixed.head ?? "01010600"), 0);
  b.set(hex(fixed.xid ?? "00000000"), 4);
  b.set(hex(fixed.secsFlags ?? "00000000"), 8);
  b.set(hex(fixed.ciaddr ?? "00000000"), 12);
  b.set(hex(fixed.yiaddr ?? "00000000"), 16);
  b.set(hex(fixed.siaddr ?? "00000000"), 20);
  b.set(hex(fixed.giaddr ?? "00000000"), 24);
  b.set(hex(fixed.chaddr ?? "000000000000"), 28);
  if (fixed.sname !== undefined) b.set(hex(fixed.sname), 44);
  if (fixed.file !== undefined) b.set(hex(fixed.file), 108);
  b.set(hex("63825363"), 236);
  b.set(hex(options), 240);
  return b;
}

const CLIENT_MAC = 0x525400a1b2c3;

// A DHCPDISCOVER the way ISC dhclient 4.4 (Debian's dhclient.conf) sends it:
// message type, host name, the 13-code parameter request list, end, and zero
// padding to the 300-byte BOOTP minimum. secs counts from the first try.
const DHCLIENT_DISCOVER = bootp(
  { xid: "3903f326", secsFlags: "00030000", chaddr: "525400a1b2c3" },
  "350101" + // 53 message type: DISCOVER
    "0c06" + "6465626961 6e" + // 12 host name "debian"
    "370d 011c02030f06770c2c2f1a792a" + // 55 parameter request list (13 codes)
    "ff",
);

// The DHCPOFFER dnsmasq answers with: siaddr set to itself (next-server),
// options in dnsmasq's order (type, server id, lease, T1, T2, then requested
// ones: mask, broadcast, router, DNS, domain name), end, padding to 300.
const DNSMASQ_OFFER = bootp(
  {
    head: "02010600",
    xid: "3903f326",
    yiaddr: "c0a8017b",
    siaddr: "c0a80101",
    chaddr: "525400a1b2c3",
  },
  "350102" + // 53 OFFER
    "3604 c0a80101" + // 54 server id 192.168.1.1
    "3304 0000a8c0" + // 51 lease 43200 s
    "3a04 00005460" + // 58 T1 21600 s
    "3b04 000093a8" + // 59 T2 37800 s
    "0104 ffffff00" + // 1 subnet mask
    "1c04 c0a801ff" + // 28 broadcast address (raw here)
    "0304 c0a80101" + // 3 router
    "0604 c0a80101" + // 6 DNS server
    "0f03 6c616e" + // 15 domain name "lan"
    "ff",
);

Deno.test("dhcp: dhclient DISCOVER fixture decodes field by field", () => {
  assert.equal(DHCLIENT_DISCOVER.length, 300);
  const m = decodeDhcp(DHCLIENT_DISCOVER);
  assert.equal(m.op, 1);
  assert.equal(m.htype, 1);
  assert.equal(m.hlen, 6);
  assert.equal(m.hops, 0);
  assert.equal(m.xid, 0x3903f326);
  assert.equal(m.secs, 3);
  assert.equal(m.broadcast, false);
  assert.equal(m.ciaddr, 0);
  assert.equal(m.yiaddr, 0);
  assert.equal(m.siaddr, 0);
  assert.equal(m.giaddr, 0);
  assert.equal(m.chaddr, CLIENT_MAC);
  assert.equal(m.sname, "");
  assert.equal(m.file, "");
  assert.deepEqual(m.options, {
    messageType: DhcpMessageType.DISCOVER,
    hostName: "debian",
    parameterRequestList: [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42],
    order: [53, 12, 55],
  });
  assert.equal(dhcpMessageTypeName(m.options.messageType), "DHCPDISCOVER");
  assert.deepEqual(encodeDhcp(m), DHCLIENT_DISCOVER);
});

Deno.test("dhcp: dnsmasq OFFER fixture decodes field by field", () => {
  const m = decodeDhcp(DNSMASQ_OFFER);
  assert.equal(m.op, 2);
  assert.equal(m.xid, 0x3903f326);
  assert.equal(m.secs, 0);
  assert.equal(m.yiaddr, ip("192.168.1.123"));
  assert.equal(m.siaddr, ip("192.168.1.1"));
  assert.equal(m.giaddr, 0);
  assert.equal(m.chaddr, CLIENT_MAC);
  assert.deepEqual(m.options, {
    messageType: DhcpMessageType.OFFER,
    serverId: ip("192.168.1.1"),
    leaseTime: 43200,
    renewalTime: 21600,
    rebindingTime: 37800,
    subnetMask: ip("255.255.255.0"),
    routers: [ip("192.168.1.1")],
    dnsServers: [ip("192.168.1.1")],
    domainName: "lan",
    raw: new Map([[28, hex("c0a801ff")]]),
    order: [53, 54, 51, 58, 59, 1, 28, 3, 6, 15],
  });
  assert.deepEqual(encodeDhcp(m), DNSMASQ_OFFER);
});

Deno.test("dhcp: a message built without order writes type first then ascending codes", () => {
  const m: DhcpMessage = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0xdeadbeef,
    secs: 0,
    broadcast: true,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: CLIENT_MAC,
    sname: "",
    file: "",
    options: {
      requestedAddress: ip("10.0.0.5"),
      messageType: DhcpMessageType.REQUEST,
      serverId: ip("10.0.0.1"),
      clientId: hex("01525400a1b2c3"),
    },
  };
  const b = encodeDhcp(m);
  assert.equal(b.length, BOOTP_MIN_SIZE);
  assert.equal(b[10], 0x80, "broadcast flag");
  assert.deepEqual(
    b.subarray(240, 240 + 3 + 6 + 6 + 9 + 1),
    hex("350103 32040a000005 36040a000001 3d0701525400a1b2c3 ff"),
  );
  assert.deepEqual(decodeDhcp(b).options.order, [53, 50, 54, 61]);
  assert.equal(dhcpOptionCode("clientId"), 61);
});

Deno.test("dhcp: every message type, PXE options kept raw, siaddr/sname/file", () => {
  for (const [name, t] of Object.entries(DhcpMessageType)) {
    const opts = decodeDhcp(bootp({}, `3501${t.toString(16).padStart(2, "0")}ff`)).options;
    assert.equal(opts.messageType, t);
    assert.equal(dhcpMessageTypeName(t), `DHCP${name}`);
  }
  const pxe = bootp(
    {
      head: "02010600",
      siaddr: "0a000001",
      sname: "626f6f74", // "boot"
      file: "7078656c696e75782e30", // "pxelinux.0"
    },
    "350105" +
      "5d020000" + // 93 client architecture
      "2b06 0604 00000000" + // 43 vendor specific (PXE discovery control)
      "3c09 505845436c69656e74" + // 60 "PXEClient"
      "4209 31302e302e302e312e" + // 66 "10.0.0.1." (text, kept verbatim)
      "430a 7078656c696e75782e30" + // 67 "pxelinux.0"
      "ff",
  );
  const m = decodeDhcp(pxe);
  assert.equal(m.siaddr, ip("10.0.0.1"));
  assert.equal(m.sname, "boot");
  assert.equal(m.file, "pxelinux.0");
  assert.equal(m.options.vendorClassId, "PXEClient");
  assert.equal(m.options.tftpServerName, "10.0.0.1.");
  assert.equal(m.options.bootfileName, "pxelinux.0");
  assert.deepEqual(
    m.options.raw,
    new Map([[93, hex("0000")], [43, hex("060400000000")]]),
  );
  assert.deepEqual(encodeDhcp(m), pxe);
});

Deno.test("dhcp: option overload (52) merges options from file and sname", () => {
  const file = new Uint8Array(128);
  file.set(hex("0f0b 6578616d706c652e636f6d ff")); // 15 "example.com", end
  const sname = new Uint8Array(64);
  sname.set(hex("0c04 686f7374 00 ff")); // 12 "host", a pad, end
  const b = bootp(
    { head: "02010600", sname: [...sname].map((x) => x.toString(16).padStart(2, "0")).join("") },
    "340103 350105 ff",
  );
  b.set(file, 108);
  const m = decodeDhcp(b);
  assert.equal(m.sname, "");
  assert.equal(m.file, "");
  assert.deepEqual(m.options, {
    overload: 3,
    messageType: 5,
    domainName: "example.com",
    hostName: "host",
    order: [52, 53, 15, 12],
  });
  // Overload 1 only: sname stays a string.
  const b1 = b.slice();
  b1[242] = 1;
  const m1 = decodeDhcp(b1);
  assert.equal(m1.sname.length, 6);
  assert.equal(m1.options.hostName, undefined);
});

Deno.test("dhcp: encoding with overload spills options past 312 bytes into file then sname", () => {
  const routers = Array.from({ length: 62 }, (_, i) => ip(`10.0.${i}.1`)); // 250 bytes
  const m: DhcpMessage = {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 1,
    secs: 0,
    broadcast: false,
    ciaddr: 0,
    yiaddr: ip("10.0.0.9"),
    siaddr: 0,
    giaddr: 0,
    chaddr: CLIENT_MAC,
    sname: "",
    file: "",
    options: {
      overload: 3,
      messageType: DhcpMessageType.ACK,
      routers,
      dnsServers: routers.slice(0, 13), // 54 bytes: no longer fits the main area
      domainName: "a".repeat(60), // 62 bytes: still fits the file field
      hostName: "h".repeat(40), // 42 bytes: does not, so it goes to sname
      order: [52, 53, 3, 6, 15, 12],
    },
  };
  const b = encodeDhcp(m);
  assert.equal(b.length, 240 + 3 + 3 + 250 + 1); // overload, type, routers, end
  assert.equal(b[108], 6, "file area starts with the DNS servers option");
  assert.equal(b[44], 12, "sname area starts with the host name");
  assert.deepEqual(decodeDhcp(b), m);
  assert.throws(
    () => encodeDhcp({ ...m, options: { ...m.options, hostName: "h".repeat(70) } }),
    WireError,
  );
  assert.throws(() => encodeDhcp({ ...m, file: "x" }), WireError);
});

Deno.test("dhcp: long options split at 255 bytes and concatenate back (RFC 3396)", () => {
  const big = new Uint8Array(600).map((_, i) => i % 251);
  const m = decodeDhcp(bootp({}, "350101 ff"));
  m.options.raw = new Map([[121, big]]);
  m.options.order = [53, 121];
  const b = encodeDhcp(m);
  assert.deepEqual([b[243], b[244]], [121, 255]);
  assert.deepEqual([b[243 + 257], b[244 + 257]], [121, 255]);
  assert.deepEqual([b[243 + 514], b[244 + 514]], [121, 90]);
  assert.deepEqual(decodeDhcp(b), m);
  // Two router options are one list.
  const two = decodeDhcp(bootp({}, "0304 0a000001 0604 08080808 0304 0a000002 ff"));
  assert.deepEqual(two.options.routers, [ip("10.0.0.1"), ip("10.0.0.2")]);
  assert.deepEqual(two.options.order, [3, 6]);
});

Deno.test("dhcp: known options with the wrong length are kept raw", () => {
  const m = decodeDhcp(bootp({}, "0103 ffffff 3302 0001 0305 0102030405 3700 ff"));
  assert.equal(m.options.subnetMask, undefined);
  assert.equal(m.options.leaseTime, undefined);
  assert.deepEqual(
    m.options.raw,
    new Map([[1, hex("ffffff")], [51, hex("0001")], [3, hex("0102030405")], [55, hex("")]]),
  );
  assert.deepEqual(decodeDhcp(encodeDhcp(m)), m);
});

Deno.test("dhcp: bad bytes raise WireError", () => {
  const ok = DHCLIENT_DISCOVER;
  assert.throws(
    () => decodeDhcp(ok.subarray(0, 239)),
    (e) => e instanceof WireError && /truncated/.test(e.message),
  );
  const badCookie = ok.slice();
  badCookie[239] = 0x64;
  assert.throws(() => decodeDhcp(badCookie), /dhcp: bad magic cookie 0x63825364/);
  // Host-name option claims 200 bytes: overruns the message.
  const overrun = ok.slice(0, 260);
  overrun[244] = 200;
  assert.throws(
    () => decodeDhcp(overrun),
    (e) => e instanceof WireError && /overruns/.test(e.message),
  );
  // An option code as the very last byte has no length.
  const noLen = bootp({}, "0c", 241);
  assert.throws(() => decodeDhcp(noLen), /no length byte/);
  // No end option (the area just stops): accepted, as real servers do.
  assert.equal(decodeDhcp(bootp({}, "350101", 243)).options.messageType, 1);
});

Deno.test("dhcp: encoding rejects values that do not fit", () => {
  const base = decodeDhcp(DHCLIENT_DISCOVER);
  const bad: Array<Partial<DhcpMessage> | { options: DhcpOptions }> = [
    { xid: 2 ** 32 },
    { secs: 70000 },
    { chaddr: 2 ** 48 },
    { sname: "s".repeat(65) },
    { file: "\u0100" },
    { options: { routers: [] } },
    { options: { parameterRequestList: [256] } },
    { options: { leaseTime: -1 } },
    { options: { raw: new Map([[255, new Uint8Array(0)]]) } },
    { options: { messageType: 1, raw: new Map([[53, new Uint8Array([1])]]) } },
  ];
  for (const patch of bad) {
    assert.throws(() => encodeDhcp({ ...base, ...patch } as DhcpMessage), WireError);
  }
});

// ---- property tests ----

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.tuple(u16, u16).map(([h, l]) => h * 0x10000 + l);
const mac = fc.tuple(u16, u16, u16).map(([a, b, c]) => (a * 0x10000 + b) * 0x10000 + c);
const byteText = (maxLength: number, minChar = 0) =>
  fc.string({
    unit: fc.integer({ min: minChar, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength,
  });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength });
const TYPED_CODES = new Set([1, 3, 6, 12, 15, 50, 51, 52, 53, 54, 55, 57, 58, 59, 60, 61, 66, 67]);
const rawCode = u8.filter((c) => c !== 0 && c !== 255 && !TYPED_CODES.has(c));

const typedOptions = fc.record(
  {
    messageType: u8,
    subnetMask: u32,
    routers: fc.array(u32, { minLength: 1, maxLength: 3 }),
    dnsServers: fc.array(u32, { minLength: 1, maxLength: 3 }),
    hostName: byteText(20),
    domainName: byteText(300),
    requestedAddress: u32,
    leaseTime: u32,
    serverId: u32,
    parameterRequestList: fc.array(u8, { minLength: 1, maxLength: 20 }),
    maxMessageSize: u16,
    renewalTime: u32,
    rebindingTime: u32,
    vendorClassId: byteText(40),
    clientId: bytes(20),
    tftpServerName: byteText(20),
    bootfileName: byteText(30),
  },
  { requiredKeys: [] },
);

const message: fc.Arbitrary<DhcpMessage> = fc
  .record({
    op: u8,
    htype: u8,
    hlen: u8,
    hops: u8,
    xid: u32,
    secs: u16,
    broadcast: fc.boolean(),
    ciaddr: u32,
    yiaddr: u32,
    siaddr: u32,
    giaddr: u32,
    chaddr: mac,
    sname: byteText(64, 1),
    file: byteText(128, 1),
    typed: typedOptions,
    raw: fc.uniqueArray(fc.tuple(rawCode, bytes(40)), { selector: ([c]) => c, maxLength: 5 }),
    overload: fc.option(fc.constantFrom(1 as const, 2 as const, 3 as const), { freq: 4 }),
    seed: fc.integer(),
  })
  .map((r) => {
    const options: DhcpOptions = { ...r.typed };
    if (r.raw.length > 0) options.raw = new Map(r.raw);
    if (r.overload !== null) options.overload = r.overload;
    // A deterministic shuffle of the present codes (overload always first).
    const codes = [
      ...Object.keys(r.typed).map((k) => dhcpOptionCode(k as keyof typeof r.typed)),
      ...r.raw.map(([c]) => c),
    ];
    let s = r.seed >>> 0;
    for (let i = codes.length - 1; i > 0; i--) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const j = s % (i + 1);
      [codes[i], codes[j]] = [codes[j]!, codes[i]!];
    }
    options.order = r.overload !== null ? [52, ...codes] : codes;
    const ov = r.overload ?? 0;
    return {
      op: r.op,
      htype: r.htype,
      hlen: r.hlen,
      hops: r.hops,
      xid: r.xid,
      secs: r.secs,
      broadcast: r.broadcast,
      ciaddr: r.ciaddr,
      yiaddr: r.yiaddr,
      siaddr: r.siaddr,
      giaddr: r.giaddr,
      chaddr: r.chaddr,
      sname: (ov & 2) !== 0 ? "" : r.sname,
      file: (ov & 1) !== 0 ? "" : r.file,
      options,
    };
  });

/** Run `f`; anything it throws must be a WireError. */
function onlyWireErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof WireError)) throw e;
  }
}

Deno.test("dhcp property: decode(encode(m)) deep-equals m", () => {
  let overloaded = 0;
  fc.assert(
    fc.property(message, (m) => {
      let b: Uint8Array;
      try {
        b = encodeDhcp(m);
      } catch (e) {
        // Only an overloaded message may legitimately not fit its fields.
        if (!(e instanceof WireError) || m.options.overload === undefined) throw e;
        return;
      }
      if (m.options.overload !== undefined) overloaded++;
      assert.ok(b.length >= BOOTP_MIN_SIZE);
      assert.deepEqual(decodeDhcp(b), m);
      assert.deepEqual(encodeDhcp(decodeDhcp(b)), b);
    }),
    { seed: 42, numRuns: 300 },
  );
  assert.ok(overloaded > 10, `only ${overloaded} overloaded messages were encodable`);
});

Deno.test("dhcp property: random bytes and truncations only raise WireError", () => {
  // A valid header and cookie, an overload option, then noise in every options area.
  const cookieThenNoise = fc
    .record({
      fields: fc.uint8Array({ minLength: 192, maxLength: 192 }),
      ov: fc.integer({ min: 0, max: 3 }),
      tail: fc.uint8Array({ maxLength: 200 }),
    })
    .map(({ fields, ov, tail }) => {
      const b = new Uint8Array(243 + tail.length);
      b.set(fields, 44);
      b.set(hex("63825363 3401"), 236);
      b[242] = ov;
      b.set(tail, 243);
      return b;
    });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => onlyWireErrors(() => decodeDhcp(b))),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(cookieThenNoise, (b) => onlyWireErrors(() => decodeDhcp(b))),
    { seed: 42, numRuns: 300 },
  );
  fc.assert(
    fc.property(message, fc.nat(), (m, cut) => {
      let b: Uint8Array;
      try {
        b = encodeDhcp(m);
      } catch {
        return;
      }
      onlyWireErrors(() => decodeDhcp(b.subarray(0, cut % (b.length + 1))));
    }),
    { seed: 42, numRuns: 300 },
  );
});
