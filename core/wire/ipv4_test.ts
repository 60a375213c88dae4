import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeIpv4,
  decodeIpv4Header,
  encodeIpv4,
  ipv4HeaderLength,
  ipv4TotalLength,
  isFragment,
} from "./ipv4.ts";
import { internetChecksum } from "./checksum.ts";
import { IpProto, type Ipv4Header } from "./packet.ts";
import { ip } from "./addr.ts";
import { WireError } from "./errors.ts";
import { arbBytes, arbIpv4, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

// An ICMP echo's IP header: IHL 5, total 84, id 1c46, DF, TTL 64, proto 1,
// 192.168.0.1 → 192.168.0.199; checksum 9c4a computed by hand (see checksum_test).
const FIXTURE = hex("4500 0054 1c46 4000 4001 9c4a c0a8 0001 c0a8 00c7");
const FIXTURE_HEADER: Ipv4Header = {
  tos: 0,
  id: 0x1c46,
  df: true,
  mf: false,
  fragOffset: 0,
  ttl: 64,
  proto: IpProto.ICMP,
  src: ip("192.168.0.1"),
  dst: ip("192.168.0.199"),
  options: undefined,
};

function withPayload(header: Uint8Array, payloadLength: number): Uint8Array {
  const b = new Uint8Array(header.length + payloadLength);
  b.set(header);
  return b;
}

Deno.test("ipv4: header fixture encodes byte for byte and decodes back", () => {
  const out = new Uint8Array(20);
  assert.equal(encodeIpv4(FIXTURE_HEADER, out, 0, 64), 20);
  assert.equal(toHex(out), toHex(FIXTURE));
  const packet = withPayload(FIXTURE, 64);
  assert.deepEqual(decodeIpv4(packet, 0), FIXTURE_HEADER);
  assert.equal(ipv4TotalLength(packet, 0), 84);
  assert.equal(ipv4HeaderLength(FIXTURE_HEADER), 20);
  assert.equal(isFragment(FIXTURE_HEADER), false);
});

Deno.test("ipv4: options set IHL and are covered by the checksum", () => {
  const h: Ipv4Header = { ...FIXTURE_HEADER, options: hex("01010100") };
  const out = new Uint8Array(24);
  assert.equal(encodeIpv4(h, out, 0, 0), 24);
  assert.equal(out[0], 0x46);
  assert.equal(toHex(out.subarray(2, 4)), "0018");
  assert.equal(toHex(out.subarray(20)), "01010100");
  assert.equal(internetChecksum(out, 0, 24), 0);
  assert.deepEqual(decodeIpv4(out, 0), h);
  assert.equal(ipv4HeaderLength(h), 24);
});

Deno.test("ipv4: fragment offset is bytes in the representation, 8-byte units on the wire", () => {
  const first: Ipv4Header = { ...FIXTURE_HEADER, df: false, mf: true, proto: IpProto.UDP };
  const second: Ipv4Header = { ...first, mf: false, fragOffset: 1480 };
  const out = new Uint8Array(20);
  encodeIpv4(first, out, 0, 1480);
  assert.equal(toHex(out.subarray(6, 8)), "2000");
  encodeIpv4({ ...first, fragOffset: 1480 }, out, 0, 1480);
  assert.equal(toHex(out.subarray(6, 8)), "20b9"); // MF | 185
  encodeIpv4(second, out, 0, 100);
  assert.equal(toHex(out.subarray(6, 8)), "00b9");
  assert.deepEqual(decodeIpv4(withPayload(out, 100), 0), second);
  assert.equal(isFragment(first), true);
  assert.equal(isFragment(second), true);
  // The reserved flag is ignored on decode.
  const evil = FIXTURE.slice();
  evil[6] = 0xc0;
  assert.equal(decodeIpv4(withPayload(evil, 64), 0, undefined, { verifyChecksum: false }).df, true);
});

Deno.test("ipv4: encode rejects what the wire cannot carry", () => {
  const out = new Uint8Array(80);
  const bad: Array<[Partial<Ipv4Header>, number, string]> = [
    [{ fragOffset: 4 }, 0, "ipv4: bad fragment offset"],
    [{ fragOffset: 0x2000 * 8 }, 0, "ipv4: bad fragment offset"],
    [{ options: new Uint8Array(3) }, 0, "ipv4: bad options length"],
    [{ options: new Uint8Array(44) }, 0, "ipv4: bad options length"],
    [{}, 65516, "ipv4: bad total length"],
    [{}, -1, "ipv4: bad total length"],
  ];
  for (const [patch, len, message] of bad) {
    assert.throws(() => encodeIpv4({ ...FIXTURE_HEADER, ...patch }, out, 0, len), { message });
  }
  assert.equal(encodeIpv4(FIXTURE_HEADER, out, 0, 65515), 20);
  assert.throws(() => encodeIpv4(FIXTURE_HEADER, out, 61, 0), {
    message: "ipv4: output buffer too small",
  });
});

Deno.test("ipv4: decode errors", () => {
  const packet = withPayload(FIXTURE, 64);
  const cases: Array<[(b: Uint8Array) => void, string]> = [
    [(b) => b[0] = 0x65, "ipv4: bad version"],
    [(b) => b[0] = 0x44, "ipv4: bad header length"],
    [(b) => b[11] = b[11]! ^ 1, "ipv4: bad header checksum"],
  ];
  for (const [mutate, message] of cases) {
    const b = packet.slice();
    mutate(b);
    assert.throws(() => decodeIpv4(b, 0), { message });
  }
  assert.throws(() => decodeIpv4(packet, 0, 19), { message: "ipv4: truncated header" });
  assert.throws(() => decodeIpv4(packet, 0, 83), { message: "ipv4: truncated packet" });
  const short = new Uint8Array(20);
  encodeIpv4(FIXTURE_HEADER, short, 0, 0);
  short[3] = 19; // total length below the header length
  assert.throws(() => decodeIpv4(short, 0, undefined, { verifyChecksum: false }), {
    message: "ipv4: bad total length",
  });
  const ihl15 = packet.slice(0, 40);
  ihl15[0] = 0x4f;
  assert.throws(() => decodeIpv4(ihl15, 0, undefined, { verifyChecksum: false }), {
    message: "ipv4: truncated header",
  });
});

Deno.test("ipv4: verifyChecksum false accepts a bad checksum; header-only decode ignores total", () => {
  const b = withPayload(FIXTURE, 64);
  b[10] = 0;
  b[11] = 0;
  assert.deepEqual(decodeIpv4(b, 0, undefined, { verifyChecksum: false }), FIXTURE_HEADER);
  // A quoted header: total says 84 but only the header (plus 8 bytes) is there.
  assert.deepEqual(decodeIpv4Header(FIXTURE, 0), FIXTURE_HEADER);
  assert.throws(() => decodeIpv4(FIXTURE, 0), { message: "ipv4: truncated packet" });
});

Deno.test("ipv4: decode(encode(h)) = h with a valid checksum (property)", () => {
  fc.assert(
    fc.property(arbIpv4(), fc.nat(100), fc.nat(3), (h, payload, off) => {
      const hl = ipv4HeaderLength(h);
      const out = new Uint8Array(off + hl + payload);
      assert.equal(encodeIpv4(h, out, off, payload), hl);
      assert.equal(internetChecksum(out, off, hl), 0);
      assert.equal(ipv4TotalLength(out, off), hl + payload);
      assert.deepEqual(decodeIpv4(out, off), h);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

Deno.test("ipv4: random bytes, truncations and corruptions decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(90), fc.boolean(), (b, n, verify) => {
      // Force version 4 half the time so the deeper checks run.
      if (b.length > 0 && n % 2 === 0) b[0] = 0x40 | (b[0]! & 0x0f);
      const o = { verifyChecksum: verify };
      decodesOrWireError(() => decodeIpv4(b, 0, undefined, o));
      decodesOrWireError(() => decodeIpv4(b, n, undefined, o));
      decodesOrWireError(() => decodeIpv4(b, 0, n, o));
      decodesOrWireError(() => decodeIpv4Header(b, 0, undefined, o));
    }),
    { seed: SEED, numRuns: 1000 },
  );
  fc.assert(
    fc.property(arbIpv4(), arbBytes(16), fc.nat(60), fc.nat(255), (h, payload, at, v) => {
      const hl = ipv4HeaderLength(h);
      const out = new Uint8Array(hl + payload.length);
      encodeIpv4(h, out, 0, payload.length);
      out.set(payload, hl);
      for (let n = 0; n <= out.length; n++) {
        const ok = decodesOrWireError(() => decodeIpv4(out.subarray(0, n), 0));
        assert.equal(ok, n === out.length);
      }
      const bad = out.slice();
      bad[at % bad.length] = v;
      decodesOrWireError(() => decodeIpv4(bad, 0));
      decodesOrWireError(() => decodeIpv4(bad, 0, undefined, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 300 },
  );
  assert.throws(() => decodeIpv4(new Uint8Array(4), 5), WireError);
});
