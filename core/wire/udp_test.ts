import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeUdp, encodeUdp, encodeUdpHeader, UDP_HEADER_LENGTH, udpLength } from "./udp.ts";
import { internetChecksum, pseudoHeaderSum } from "./checksum.ts";
import { IpProto, type UdpDatagram } from "./packet.ts";
import { ip } from "./addr.ts";
import { WireError } from "./errors.ts";
import { arbIp4, arbUdp, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

const A = ip("10.0.0.1");
const B = ip("10.0.0.2");

Deno.test("udp: datagram fixture with a hand-computed checksum", () => {
  // pseudo 0a00+0001+0a00+0002+0011+000a = 141e; header+data 04d2+0035+000a+6869 = 6d7a;
  // 141e + 6d7a = 8198 → checksum 7e67.
  const d: UdpDatagram = { srcPort: 1234, dstPort: 53, payload: hex("6869") };
  const out = new Uint8Array(10);
  assert.equal(encodeUdp(d, out, 0, A, B), 10);
  assert.equal(toHex(out), "04d2" + "0035" + "000a" + "7e67" + "6869");
  assert.deepEqual(decodeUdp(out, 0, undefined, A, B), d);
  assert.equal(udpLength(d), 10);
});

Deno.test("udp: a computed checksum of zero is sent as ffff and verifies", () => {
  // Addresses and ports 0, length 10: pseudo 0011+000a, header 000a → 0025;
  // data ffda brings the sum to ffff, whose complement is 0.
  const d: UdpDatagram = { srcPort: 0, dstPort: 0, payload: hex("ffda") };
  const out = new Uint8Array(10);
  encodeUdp(d, out, 0, 0, 0);
  assert.equal(toHex(out), "0000" + "0000" + "000a" + "ffff" + "ffda");
  assert.deepEqual(decodeUdp(out, 0, undefined, 0, 0), d);
});

Deno.test("udp: zero checksum means none; bad checksum, lengths and truncation", () => {
  const d: UdpDatagram = { srcPort: 1234, dstPort: 53, payload: hex("6869") };
  const out = new Uint8Array(12);
  encodeUdp(d, out, 0, A, B);
  // IP payload longer than the UDP length: the extra bytes are ignored.
  assert.deepEqual(decodeUdp(out, 0, 12, A, B), d);
  const none = out.slice(0, 10);
  none[6] = 0;
  none[7] = 0;
  assert.deepEqual(decodeUdp(none, 0, undefined, 0x01020304, 0x05060708), d);
  assert.throws(() => decodeUdp(out, 0, 10, A, ip("10.0.0.3")), { message: "udp: bad checksum" });
  assert.deepEqual(
    decodeUdp(out, 0, 10, A, ip("10.0.0.3"), { verifyChecksum: false }),
    d,
  );
  assert.throws(() => decodeUdp(out, 0, 7, A, B), { message: "udp: truncated header" });
  assert.throws(() => decodeUdp(out, 0, 9, A, B), { message: "udp: truncated datagram" });
  const short = out.slice(0, 10);
  short[5] = 7;
  assert.throws(() => decodeUdp(short, 0, undefined, A, B), { message: "udp: bad length" });
});

Deno.test("udp: virtual payload is zeros; header-only encode matches", () => {
  const d: UdpDatagram = { srcPort: 9, dstPort: 9, payload: 1000 };
  const out = new Uint8Array(1008).fill(0xee);
  assert.equal(encodeUdp(d, out, 0, A, B), 1008);
  assert.ok(out.subarray(8).every((b) => b === 0));
  assert.equal(internetChecksum(out, 0, 1008, pseudoHeaderSum(A, B, IpProto.UDP, 1008)), 0);
  const head = new Uint8Array(8);
  assert.equal(encodeUdpHeader(d, head, 0, A, B), UDP_HEADER_LENGTH);
  assert.equal(toHex(head), toHex(out.subarray(0, 8)));
  const decoded = decodeUdp(out, 0, undefined, A, B);
  assert.deepEqual(decoded.payload, new Uint8Array(1000));
  assert.throws(() => encodeUdp({ ...d, payload: 65528 }, new Uint8Array(70000), 0, A, B), {
    message: "udp: datagram too long",
  });
  assert.throws(() => encodeUdp(d, out, 1, A, B), WireError);
});

Deno.test("udp: decode(encode(d)) = d (property)", () => {
  fc.assert(
    fc.property(arbUdp, arbIp4, arbIp4, fc.nat(3), (d, src, dst, off) => {
      const out = new Uint8Array(off + udpLength(d));
      assert.equal(encodeUdp(d, out, off, src, dst), udpLength(d));
      assert.notEqual((out[off + 6]! << 8) | out[off + 7]!, 0);
      assert.deepEqual(decodeUdp(out, off, undefined, src, dst), d);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

Deno.test("udp: random bytes, truncations and corruptions decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(50), arbIp4, (b, n, src) => {
      decodesOrWireError(() => decodeUdp(b, 0, undefined, src, 0));
      decodesOrWireError(() => decodeUdp(b, n, undefined, src, 0));
      decodesOrWireError(() => decodeUdp(b, 0, n, src, 0, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 1000 },
  );
  fc.assert(
    fc.property(arbUdp, arbIp4, fc.nat(), fc.nat(255), (d, src, at, v) => {
      const out = new Uint8Array(udpLength(d));
      encodeUdp(d, out, 0, src, B);
      for (let n = 0; n < out.length; n++) {
        assert.equal(decodesOrWireError(() => decodeUdp(out.subarray(0, n), 0, n, src, B)), false);
      }
      const bad = out.slice();
      bad[at % bad.length] = v;
      decodesOrWireError(() => decodeUdp(bad, 0, undefined, src, B));
    }),
    { seed: SEED, numRuns: 300 },
  );
});
