/**
 * The Internet checksum (RFC 1071): the 16-bit ones' complement of the ones'
 * complement sum of the data taken as big-endian 16-bit words, a trailing odd
 * byte padded with a zero byte on the right.
 *
 * Also here: the IPv4 pseudo-header sum that UDP (RFC 768) and TCP (RFC 9293)
 * add to their checksums, and the incremental update of RFC 1624 (equation 3,
 * `HC' = ~(~HC + ~m + m')`) for a router that changes one header word, with a
 * helper for the commonest case, a TTL decrement.
 *
 * Sums are kept as plain non-negative numbers and folded (end-around carry) to
 * 16 bits on return, so a partial sum can be passed on as the `initial` value of
 * the next range. Ranges combined this way must each start at an even offset
 * from the start of the checksummed message. Nothing here allocates.
 *
 * @module
 */
import type { Ip4 } from "./packet.ts";
import { WireError } from "./errors.ts";

/** Options shared by the decoders that check a checksum. */
export interface DecodeOptions {
  /** Verify checksums (default true); set false to accept bytes with bad or offloaded checksums. */
  verifyChecksum?: boolean;
}

/** Fold a non-negative sum (below 2^53) to 16 bits with end-around carry. */
export function foldSum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/**
 * The ones' complement sum of `bytes[offset .. offset + length)` as big-endian
 * 16-bit words, added to `initial` and folded to 16 bits. Not complemented.
 */
export function onesSum(bytes: Uint8Array, offset: number, length: number, initial = 0): number {
  // Sum the high (even-offset) and low (odd-offset) bytes separately, eight
  // bytes per step, and combine once: the same total as adding 16-bit words.
  let hi = 0;
  let lo = 0;
  const end = offset + length;
  const end8 = offset + (length - (length & 7));
  let i = offset;
  for (; i < end8; i += 8) {
    hi += bytes[i]! + bytes[i + 2]! + bytes[i + 4]! + bytes[i + 6]!;
    lo += bytes[i + 1]! + bytes[i + 3]! + bytes[i + 5]! + bytes[i + 7]!;
  }
  for (; i + 1 < end; i += 2) {
    hi += bytes[i]!;
    lo += bytes[i + 1]!;
  }
  if (i < end) hi += bytes[i]!;
  return foldSum(initial + hi * 256 + lo);
}

/**
 * The Internet checksum of `bytes[offset .. offset + length)` with an initial
 * partial sum (for example a pseudo-header sum): `~(initial + data)` in 16 bits.
 * Over data that already contains a correct checksum the result is 0.
 */
export function internetChecksum(
  bytes: Uint8Array,
  offset: number,
  length: number,
  initial = 0,
): number {
  return ~onesSum(bytes, offset, length, initial) & 0xffff;
}

/**
 * The folded sum of the IPv4 pseudo-header used by UDP and TCP: source and
 * destination address, zero byte, protocol, and the transport length in bytes.
 */
export function pseudoHeaderSum(src: Ip4, dst: Ip4, proto: number, length: number): number {
  return foldSum(
    (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + (proto & 0xff) + length,
  );
}

/**
 * RFC 1624 incremental update: the new checksum after one 16-bit word of the
 * covered data changes from `oldWord` to `newWord`, `HC' = ~(~HC + ~m + m')`.
 * Equals a full recompute whenever the covered data is not all zeros.
 */
export function updateChecksum(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldSum(sum) & 0xffff;
}

/**
 * The IPv4 header checksum after the TTL goes from `ttl` to `ttl - 1` (the TTL
 * is the high byte of the word it shares with the protocol, which cancels out).
 */
export function ttlDecrementChecksum(checksum: number, ttl: number): number {
  return updateChecksum(checksum, (ttl & 0xff) << 8, ((ttl - 1) & 0xff) << 8);
}

/**
 * Decrement the TTL of an encoded IPv4 header at `offset` in place and patch its
 * header checksum incrementally. Returns the new TTL. Throws a
 * {@link WireError} when the header is truncated or the TTL is already zero.
 */
export function decrementTtlInPlace(bytes: Uint8Array, offset: number): number {
  if (!Number.isInteger(offset) || offset < 0 || offset + 20 > bytes.length) {
    throw new WireError("ipv4", "truncated header");
  }
  const ttl = bytes[offset + 8]!;
  if (ttl === 0) throw new WireError("ipv4", "ttl already zero");
  const old = (bytes[offset + 10]! << 8) | bytes[offset + 11]!;
  const hc = ttlDecrementChecksum(old, ttl);
  bytes[offset + 8] = ttl - 1;
  bytes[offset + 10] = hc >>> 8;
  bytes[offset + 11] = hc & 0xff;
  return ttl - 1;
}
