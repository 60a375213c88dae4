import assert from "node:assert/strict";
import fc from "fast-check";
import { ARP_LENGTH, arpLength, ArpOp, decodeArp, encodeArp } from "./arp.ts";
import type { ArpPacket } from "./packet.ts";
import { ip } from "./addr.ts";
import { arbArp, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

// who-has 10.0.0.2 tell 10.0.0.1, from 02:00:00:00:00:01 (RFC 826 field order:
// hrd, pro, hln, pln, op, sha, spa, tha, tpa).
const REQUEST = hex(`
  0001 0800 06 04 0001
  020000000001 0a000001
  000000000000 0a000002`);

Deno.test("arp: request fixture", () => {
  const a: ArpPacket = {
    op: ArpOp.REQUEST,
    senderMac: 0x020000000001,
    senderIp: ip("10.0.0.1"),
    targetMac: 0,
    targetIp: ip("10.0.0.2"),
  };
  const out = new Uint8Array(ARP_LENGTH);
  assert.equal(encodeArp(a, out, 0), 28);
  assert.equal(toHex(out), toHex(REQUEST));
  assert.deepEqual(decodeArp(REQUEST, 0), a);
  assert.equal(arpLength(a), 28);
});

Deno.test("arp: reply fixture with trailing frame padding ignored", () => {
  const bytes = hex(`
    0001 0800 06 04 0002
    020000000002 0a000002
    020000000001 0a000001
    0000000000000000000000000000000000`);
  assert.deepEqual(decodeArp(bytes, 0), {
    op: ArpOp.REPLY,
    senderMac: 0x020000000002,
    senderIp: ip("10.0.0.2"),
    targetMac: 0x020000000001,
    targetIp: ip("10.0.0.1"),
  });
});

Deno.test("arp: rejects other hardware/protocol types and lengths", () => {
  const cases: Array<[number, number, string]> = [
    [0, 0x06, "arp: unsupported hardware type"],
    [2, 0x86, "arp: unsupported protocol type"],
    [4, 0x08, "arp: bad address length"],
    [5, 0x10, "arp: bad address length"],
  ];
  for (const [i, v, message] of cases) {
    const b = REQUEST.slice();
    b[i] = v;
    assert.throws(() => decodeArp(b, 0), { message });
  }
  assert.throws(() => decodeArp(REQUEST, 0, 27), { message: "arp: truncated packet" });
  assert.throws(() => decodeArp(REQUEST, 1), { message: "arp: truncated packet" });
});

Deno.test("arp: decode(encode(a)) = a (property)", () => {
  fc.assert(
    fc.property(arbArp, fc.nat(8), (a, off) => {
      const out = new Uint8Array(off + ARP_LENGTH);
      encodeArp(a, out, off);
      assert.deepEqual(decodeArp(out, off), a);
    }),
    { seed: SEED },
  );
});

Deno.test("arp: random bytes and truncations decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(40), (b, n) => {
      decodesOrWireError(() => decodeArp(b, 0));
      decodesOrWireError(() => decodeArp(b, n));
      decodesOrWireError(() => decodeArp(b, 0, n));
      // Random bytes with a valid fixed part always decode.
      const c = new Uint8Array(28);
      c.set(b.subarray(0, 28));
      c.set(REQUEST.subarray(0, 6));
      assert.ok(decodesOrWireError(() => decodeArp(c, 0)));
    }),
    { seed: SEED },
  );
  for (let n = 0; n <= 28; n++) {
    assert.equal(decodesOrWireError(() => decodeArp(REQUEST.subarray(0, n), 0)), n === 28);
  }
});
