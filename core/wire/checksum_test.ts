import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decrementTtlInPlace,
  foldSum,
  internetChecksum,
  onesSum,
  pseudoHeaderSum,
  ttlDecrementChecksum,
  updateChecksum,
} from "./checksum.ts";
import { WireError } from "./errors.ts";
import { hex, SEED } from "./test_util.ts";

Deno.test("onesSum: the worked example of RFC 1071 section 3", () => {
  // 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2; checksum is its complement.
  const b = hex("0001 f203 f4f5 f6f7");
  assert.equal(onesSum(b, 0, 8), 0xddf2);
  assert.equal(internetChecksum(b, 0, 8), 0x220d);
});

Deno.test("onesSum: odd trailing byte is padded on the right, ranges chain via initial", () => {
  assert.equal(onesSum(hex("01"), 0, 1), 0x0100);
  assert.equal(onesSum(hex("0102 03"), 0, 3), 0x0402);
  const b = hex("0001 f203 f4f5 f6f7");
  assert.equal(onesSum(b, 4, 4, onesSum(b, 0, 4)), onesSum(b, 0, 8));
  assert.equal(onesSum(b, 2, 0, 0x1234), 0x1234);
});

Deno.test("internetChecksum: data including its checksum sums to zero", () => {
  const b = hex("4500 0054 1c46 4000 4001 0000 c0a8 0001 c0a8 00c7");
  const c = internetChecksum(b, 0, b.length);
  // Hand sum: 263b3 → 63b5 → complement 9c4a.
  assert.equal(c, 0x9c4a);
  b[10] = c >>> 8;
  b[11] = c & 0xff;
  assert.equal(internetChecksum(b, 0, b.length), 0);
});

Deno.test("foldSum: end-around carry for large sums", () => {
  assert.equal(foldSum(0), 0);
  assert.equal(foldSum(0xffff), 0xffff);
  assert.equal(foldSum(0x10000), 1);
  assert.equal(foldSum(0x1fffe), 0xffff);
  assert.equal(foldSum(0x123456789), foldSum(0x6789 + 0x2345 + 0x1));
});

Deno.test("pseudoHeaderSum: addresses, protocol and length", () => {
  // 0a00 + 0001 + 0a00 + 0002 + 0011 + 000c = 1420
  assert.equal(pseudoHeaderSum(0x0a000001, 0x0a000002, 17, 12), 0x1420);
  // ffff + ffff + ffff + ffff + 06 + ffff carries around.
  assert.equal(
    pseudoHeaderSum(0xffffffff, 0xffffffff, 6, 0xffff),
    foldSum(5 * 0xffff + 6),
  );
});

Deno.test("updateChecksum: the example of RFC 1624 section 4", () => {
  // HC = dd2f, m = 5555 → m' = 3285: ~(22d0 + aaaa + 3285) = ~ffff = 0000.
  assert.equal(updateChecksum(0xdd2f, 0x5555, 0x3285), 0x0000);
});

function headerWithChecksum(words: number[]): Uint8Array {
  const b = new Uint8Array(words.length * 2);
  for (let i = 0; i < words.length; i++) {
    b[2 * i] = words[i]! >>> 8;
    b[2 * i + 1] = words[i]! & 0xff;
  }
  b[0] = 0x45; // a real IPv4 header is never all zeros
  b[10] = 0;
  b[11] = 0;
  const c = internetChecksum(b, 0, b.length);
  b[10] = c >>> 8;
  b[11] = c & 0xff;
  return b;
}

Deno.test("updateChecksum: equals a full recompute for any one-word change (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 10, maxLength: 10 }),
      fc.integer({ min: 1, max: 9 }).filter((i) => i !== 5),
      fc.integer({ min: 0, max: 0xffff }),
      (words, idx, next) => {
        const b = headerWithChecksum(words);
        const hc = (b[10]! << 8) | b[11]!;
        const old = (b[2 * idx]! << 8) | b[2 * idx + 1]!;
        b[2 * idx] = next >>> 8;
        b[2 * idx + 1] = next & 0xff;
        b[10] = 0;
        b[11] = 0;
        assert.equal(updateChecksum(hc, old, next), internetChecksum(b, 0, 20));
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
});

Deno.test("ttlDecrementChecksum / decrementTtlInPlace: match a full recompute (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 10, maxLength: 10 }),
      fc.integer({ min: 1, max: 255 }),
      (words, ttl) => {
        words[4] = (ttl << 8) | (words[4]! & 0xff);
        const b = headerWithChecksum(words);
        const hc = (b[10]! << 8) | b[11]!;
        const copy = b.slice();
        assert.equal(decrementTtlInPlace(b, 0), ttl - 1);
        assert.equal(b[8], ttl - 1);
        assert.equal((b[10]! << 8) | b[11]!, ttlDecrementChecksum(hc, ttl));
        assert.equal(internetChecksum(b, 0, 20), 0);
        copy[8] = ttl - 1;
        copy[10] = 0;
        copy[11] = 0;
        assert.equal((b[10]! << 8) | b[11]!, internetChecksum(copy, 0, 20));
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
});

Deno.test("decrementTtlInPlace: rejects a zero TTL and a short header", () => {
  const b = headerWithChecksum([0x4500, 20, 0, 0, 0x0001, 0, 0, 0, 0, 0]);
  assert.throws(() => decrementTtlInPlace(b, 0), { message: "ipv4: ttl already zero" });
  assert.throws(() => decrementTtlInPlace(b, 1), WireError);
  assert.throws(() => decrementTtlInPlace(new Uint8Array(19), 0), WireError);
});

Deno.test("onesSum: equals a word-by-word reference for any range (property)", () => {
  const reference = (b: Uint8Array, off: number, len: number, init: number): number => {
    let sum = init;
    for (let i = off; i < off + len; i += 2) {
      sum += (b[i]! << 8) | (i + 1 < off + len ? b[i + 1]! : 0);
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return foldSum(sum);
  };
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 200 }),
      fc.nat(200),
      fc.nat(200),
      fc.integer({ min: 0, max: 0xfffff }),
      (b, x, y, init) => {
        const off = Math.min(x, b.length);
        const len = Math.min(y, b.length - off);
        assert.equal(onesSum(b, off, len, init), reference(b, off, len, init));
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
});
