import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeTcp,
  encodeTcp,
  TCP_MIN_HEADER_LENGTH,
  tcpHeaderLength,
  tcpLength,
  tcpOptionsLength,
} from "./tcp.ts";
import { internetChecksum, pseudoHeaderSum } from "./checksum.ts";
import { IpProto, noTcpOptions, TcpFlag, type TcpSegment } from "./packet.ts";
import { ip } from "./addr.ts";
import { WireError } from "./errors.ts";
import { arbBytes, arbIp4, arbTcp, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

const A = ip("10.0.0.1");
const B = ip("10.0.0.2");

// 10.0.0.1:49152 → 10.0.0.2:80 SYN, seq 01020304, window ffff, options
// MSS 1460, SACK-permitted, TS val abcd ecr 0, NOP, WS 7: data offset 10.
// Checksum by hand: header words sum to 327f2, pseudo-header (len 40) 1431;
// 33c23 folds to 3c26, complement c3d9.
const SYN = hex(`
  c000 0050 01020304 00000000 a002 ffff c3d9 0000
  0204 05b4 0402 080a 0000abcd 00000000 0103 0307`);

function syn(): TcpSegment {
  return {
    srcPort: 49152,
    dstPort: 80,
    seq: 0x01020304,
    ack: 0,
    flags: TcpFlag.SYN,
    window: 0xffff,
    urgent: 0,
    options: {
      mss: 1460,
      wscale: 7,
      sackPermitted: true,
      sack: undefined,
      timestamp: { val: 0xabcd, ecr: 0 },
    },
    payload: new Uint8Array(0),
  };
}

function encode(s: TcpSegment, src = A, dst = B): Uint8Array {
  const out = new Uint8Array(tcpLength(s));
  assert.equal(encodeTcp(s, out, 0, src, dst), out.length);
  return out;
}

Deno.test("tcp: SYN with MSS, SACK-perm, TS, NOP, WS matches the hand-derived bytes", () => {
  assert.equal(toHex(encode(syn())), toHex(SYN));
  assert.deepEqual(decodeTcp(SYN, 0, undefined, A, B), syn());
  assert.equal(tcpHeaderLength(syn()), 40);
  assert.equal(tcpOptionsLength(syn().options), 20);
});

Deno.test("tcp: option layouts for data segments", () => {
  const s: TcpSegment = {
    ...syn(),
    flags: TcpFlag.ACK | TcpFlag.PSH,
    ack: 0x11223344,
    options: { ...noTcpOptions(), timestamp: { val: 1, ecr: 2 }, sack: [[10, 20], [30, 40]] },
    payload: hex("deadbeef01"),
  };
  const b = encode(s);
  assert.equal(b[12], (20 + 12 + 20) << 2);
  assert.equal(b[13], 0x18);
  assert.equal(
    toHex(b.subarray(20, 52)),
    "0101080a" + "00000001" + "00000002" + "01010512" +
      "0000000a" + "00000014" + "0000001e" + "00000028",
  );
  assert.equal(toHex(b.subarray(52)), "deadbeef01");
  assert.equal(internetChecksum(b, 0, b.length, pseudoHeaderSum(A, B, IpProto.TCP, b.length)), 0);
  assert.deepEqual(decodeTcp(b, 0, undefined, A, B), s);
  // SACK-permitted alone, window scale alone.
  const o = { ...noTcpOptions(), sackPermitted: true, wscale: 14 };
  const c = encode({ ...s, options: o, payload: new Uint8Array(0) });
  assert.equal(toHex(c.subarray(20)), "01010402" + "0103030e");
  const empty = encode({ ...s, options: { ...noTcpOptions(), sack: [] } });
  assert.equal(empty[12], 0x50);
});

Deno.test("tcp: decode skips unknown options, honours EOL, clamps window scale", () => {
  // Options: unknown kind 30 len 4, NOP, WS 20 (clamped to 14), EOL, then junk.
  const seg = new Uint8Array(32);
  seg.set(SYN.subarray(0, 20));
  seg[12] = 8 << 4;
  seg.set(hex("1e04abcd 01030314 00 ff ff ff"), 20);
  const s = decodeTcp(seg, 0, undefined, A, B, { verifyChecksum: false });
  assert.deepEqual(s.options, { ...noTcpOptions(), wscale: 14 });
  assert.deepEqual(s.payload, new Uint8Array(0));
});

Deno.test("tcp: errors", () => {
  const cases: Array<[string, string]> = [
    ["0203 05b4", "tcp: bad MSS option"],
    ["0302 0000", "tcp: bad window scale option"],
    ["0403 0000", "tcp: bad SACK-permitted option"],
    ["0506 00000000", "tcp: bad SACK option"],
    ["080a 0000 0000", "tcp: bad option length"],
    ["0809 0000 0000 0000 0000 0000", "tcp: bad timestamp option"],
    ["1e01 0000", "tcp: bad option length"],
    ["0101 0102", "tcp: bad option length"],
    ["0101 0101 02", "tcp: bad option length"],
  ];
  for (const [opts, message] of cases) {
    const o = hex(opts);
    const words = Math.ceil(o.length / 4);
    const seg = new Uint8Array(20 + words * 4);
    seg.set(SYN.subarray(0, 20));
    seg[12] = (5 + words) << 4;
    seg.set(o, 20);
    assert.throws(() => decodeTcp(seg, 0, undefined, A, B, { verifyChecksum: false }), {
      message,
    }, opts);
  }
  const b = SYN.slice();
  b[12] = 0x40;
  assert.throws(() => decodeTcp(b, 0, undefined, A, B), { message: "tcp: bad data offset" });
  b[12] = 0xb0;
  assert.throws(() => decodeTcp(b, 0, undefined, A, B), { message: "tcp: truncated header" });
  assert.throws(() => decodeTcp(SYN, 0, 19, A, B), { message: "tcp: truncated header" });
  assert.throws(() => decodeTcp(SYN, 0, undefined, A, ip("10.0.0.3")), {
    message: "tcp: bad checksum",
  });
  assert.throws(() => encode({ ...syn(), options: { ...syn().options, wscale: 15 } }), {
    message: "tcp: bad window scale",
  });
  const tooMany = { ...syn().options, sack: [[1, 2], [3, 4], [5, 6]] as Array<[number, number]> };
  assert.throws(() => encode({ ...syn(), options: tooMany }), { message: "tcp: options too long" });
  assert.throws(() => encodeTcp({ ...syn(), payload: 65500 }, new Uint8Array(70000), 0, A, B), {
    message: "tcp: segment too long",
  });
  assert.throws(() => encodeTcp(syn(), new Uint8Array(39), 0, A, B), WireError);
});

Deno.test("tcp: virtual payload is written as zeros", () => {
  const s: TcpSegment = { ...syn(), options: noTcpOptions(), payload: 1460 };
  const out = new Uint8Array(1480).fill(0xaa);
  assert.equal(encodeTcp(s, out, 0, A, B), 1480);
  assert.ok(out.subarray(TCP_MIN_HEADER_LENGTH).every((b) => b === 0));
  assert.equal(internetChecksum(out, 0, 1480, pseudoHeaderSum(A, B, IpProto.TCP, 1480)), 0);
  assert.deepEqual(decodeTcp(out, 0, undefined, A, B).payload, new Uint8Array(1460));
});

Deno.test("tcp: decode(encode(s)) = s (property)", () => {
  fc.assert(
    fc.property(arbTcp, arbIp4, arbIp4, fc.nat(3), (s, src, dst, off) => {
      const out = new Uint8Array(off + tcpLength(s));
      assert.equal(encodeTcp(s, out, off, src, dst), tcpLength(s));
      assert.equal((out[off + 12]! >>> 4) * 4, tcpHeaderLength(s));
      assert.deepEqual(decodeTcp(out, off, undefined, src, dst), s);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

Deno.test("tcp: random bytes, options, truncations decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(90), (b, n) => {
      decodesOrWireError(() => decodeTcp(b, 0, undefined, A, B));
      decodesOrWireError(() => decodeTcp(b, n, undefined, A, B, { verifyChecksum: false }));
      decodesOrWireError(() => decodeTcp(b, 0, n, A, B, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 1000 },
  );
  // A sane fixed header in front of random option bytes.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 }), arbBytes(40), (words, opts) => {
      const seg = new Uint8Array(20 + words * 4 + 4);
      seg.set(SYN.subarray(0, 20));
      seg[12] = (5 + words) << 4;
      seg.set(opts.subarray(0, words * 4), 20);
      decodesOrWireError(() => decodeTcp(seg, 0, undefined, A, B, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 2000 },
  );
  fc.assert(
    fc.property(arbTcp, fc.nat(), fc.nat(255), (s, at, v) => {
      const out = encode(s);
      for (let n = 0; n < out.length; n++) {
        decodesOrWireError(() => decodeTcp(out, 0, n, A, B));
        decodesOrWireError(() => decodeTcp(out, 0, n, A, B, { verifyChecksum: false }));
      }
      const bad = out.slice();
      bad[at % bad.length] = v;
      decodesOrWireError(() => decodeTcp(bad, 0, undefined, A, B, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 200 },
  );
});
