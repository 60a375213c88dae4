import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeEthernet,
  encodeEthernet,
  ETHERNET_HEADER_LENGTH,
  ethernetLength,
  readMac,
  writeMac,
} from "./ethernet.ts";
import { BROADCAST_MAC, type EthernetHeader, EtherType } from "./packet.ts";
import { WireError } from "./errors.ts";
import { arbEth, arbU16, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

Deno.test("ethernet: untagged header fixture", () => {
  const h: EthernetHeader = {
    dst: BROADCAST_MAC,
    src: 0x020000000001,
    type: EtherType.ARP,
    vlan: undefined,
  };
  const out = new Uint8Array(16);
  assert.equal(encodeEthernet(h, out, 1), 14);
  assert.equal(toHex(out), "00" + "ffffffffffff" + "020000000001" + "0806" + "00");
  assert.deepEqual(decodeEthernet(out, 1, 14), h);
  assert.equal(ethernetLength(h), ETHERNET_HEADER_LENGTH);
});

Deno.test("ethernet: 802.1Q tag fixture (PCP 5, DEI, VID 100)", () => {
  const h: EthernetHeader = {
    dst: 0x0a1b2c3d4e5f,
    src: 0xfedcba987654,
    type: EtherType.IPv4,
    vlan: { pcp: 5, dei: true, vid: 100 },
  };
  const out = new Uint8Array(18);
  assert.equal(encodeEthernet(h, out, 0), 18);
  // TCI = 101 1 000001100100 = b064
  assert.equal(toHex(out), "0a1b2c3d4e5f" + "fedcba987654" + "8100" + "b064" + "0800");
  assert.deepEqual(decodeEthernet(out, 0), h);
  const tci = decodeEthernet(hex("000000000000 000000000000 8100 efff 86dd"), 0);
  assert.deepEqual(tci.vlan, { pcp: 7, dei: false, vid: 0xfff });
  assert.equal(tci.type, EtherType.IPv6);
});

Deno.test("ethernet: MAC helpers are exact over 48 bits", () => {
  const b = new Uint8Array(6);
  for (const m of [0, 1, 0xffffffffffff, 0x800000000000, 0x0000ffffffff, 0x123456789abc]) {
    writeMac(b, 0, m);
    assert.equal(readMac(b, 0), m);
  }
  writeMac(b, 0, 0x123456789abc);
  assert.equal(toHex(b), "123456789abc");
});

Deno.test("ethernet: errors", () => {
  assert.throws(() => decodeEthernet(new Uint8Array(13), 0), {
    message: "ethernet: truncated header",
  });
  assert.throws(() => decodeEthernet(hex("000000000000 000000000000 8100 0001"), 0), {
    message: "ethernet: truncated VLAN tag",
  });
  const h: EthernetHeader = { dst: 0, src: 0, type: 0x800, vlan: { pcp: 8, dei: false, vid: 1 } };
  assert.throws(() => encodeEthernet(h, new Uint8Array(18), 0), WireError);
  h.vlan = { pcp: 0, dei: false, vid: 4096 };
  assert.throws(() => encodeEthernet(h, new Uint8Array(18), 0), WireError);
  h.vlan = undefined;
  assert.throws(() => encodeEthernet(h, new Uint8Array(13), 0), {
    message: "ethernet: output buffer too small",
  });
});

Deno.test("ethernet: decode(encode(h)) = h (property)", () => {
  fc.assert(
    fc.property(arbEth(arbU16.filter((t) => t !== EtherType.VLAN)), (h) => {
      const out = new Uint8Array(ethernetLength(h));
      assert.equal(encodeEthernet(h, out, 0), out.length);
      assert.deepEqual(decodeEthernet(out, 0), h);
    }),
    { seed: SEED },
  );
});

Deno.test("ethernet: random bytes and truncations decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 24 }), fc.nat(30), (b, off) => {
      decodesOrWireError(() => decodeEthernet(b, 0));
      decodesOrWireError(() => decodeEthernet(b, off));
      decodesOrWireError(() => decodeEthernet(b, 0, off));
    }),
    { seed: SEED },
  );
  fc.assert(
    fc.property(arbEth(arbU16), (h) => {
      const out = new Uint8Array(ethernetLength(h));
      encodeEthernet(h, out, 0);
      for (let n = 0; n <= out.length; n++) {
        const ok = decodesOrWireError(() => decodeEthernet(out.subarray(0, n), 0));
        assert.equal(ok, n >= ethernetLength(h) || (n >= 14 && n < 18 && h.vlan === undefined));
      }
    }),
    { seed: SEED },
  );
});
