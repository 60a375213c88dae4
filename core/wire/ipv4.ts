/**
 * The IPv4 header (RFC 791).
 *
 * Modelled: version 4, IHL with up to 40 bytes of options (kept as opaque bytes,
 * a multiple of 4 long), the whole TOS byte (DSCP and ECN, RFC 2474/3168),
 * identification, the DF and MF flags, the fragment offset, TTL, protocol,
 * addresses, the total length (computed on encode from the payload length) and
 * the header checksum (filled on encode, verified on decode unless told not to).
 *
 * The representation stores the fragment offset in bytes; the wire carries it
 * in 8-byte units, so encoding rejects an offset that is not a multiple of 8.
 * Left out: option parsing (options are bytes), and the reserved flag bit, which
 * is written as zero and ignored when read.
 *
 * @module
 */
import type { Ipv4Header } from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import { type DecodeOptions, internetChecksum } from "./checksum.ts";
import { readU16, readU32, writeU16, writeU32 } from "./bytes.ts";

/** Bytes in an IPv4 header without options. */
export const IPV4_MIN_HEADER_LENGTH = 20;
/** Largest IPv4 options field in bytes. */
export const IPV4_MAX_OPTIONS_LENGTH = 40;
/** Largest IPv4 total length (header plus payload). */
export const IPV4_MAX_TOTAL_LENGTH = 0xffff;

/** Length of the header on the wire: 20 plus the options. */
export function ipv4HeaderLength(h: Ipv4Header): number {
  return h.options === undefined
    ? IPV4_MIN_HEADER_LENGTH
    : IPV4_MIN_HEADER_LENGTH + h.options.length;
}

/** Whether the header describes a fragment: MF set or a non-zero offset. */
export function isFragment(h: Ipv4Header): boolean {
  return h.mf || h.fragOffset !== 0;
}

/**
 * Encode the header at `offset` for a payload of `payloadLength` bytes (the
 * total length field becomes header + payload) and fill in the header checksum.
 * Returns the header bytes written. Throws a WireError for bad options, a
 * fragment offset that is not a multiple of 8 (or too large), or a total length
 * above 65535.
 */
export function encodeIpv4(
  h: Ipv4Header,
  out: Uint8Array,
  offset: number,
  payloadLength: number,
): number {
  const opts = h.options;
  const optLen = opts === undefined ? 0 : opts.length;
  if ((optLen & 3) !== 0 || optLen > IPV4_MAX_OPTIONS_LENGTH) {
    throw new WireError("ipv4", "bad options length");
  }
  const hl = IPV4_MIN_HEADER_LENGTH + optLen;
  const total = hl + payloadLength;
  if (!(payloadLength >= 0) || total > IPV4_MAX_TOTAL_LENGTH) {
    throw new WireError("ipv4", "bad total length");
  }
  const fo = h.fragOffset;
  if ((fo & 7) !== 0 || !(fo >= 0 && fo <= 0x1fff * 8)) {
    throw new WireError("ipv4", "bad fragment offset");
  }
  checkRoom("ipv4", out, offset, hl);
  out[offset] = 0x40 | (hl >>> 2);
  out[offset + 1] = h.tos & 0xff;
  writeU16(out, offset + 2, total);
  writeU16(out, offset + 4, h.id);
  writeU16(out, offset + 6, (h.df ? 0x4000 : 0) | (h.mf ? 0x2000 : 0) | (fo >>> 3));
  out[offset + 8] = h.ttl & 0xff;
  out[offset + 9] = h.proto & 0xff;
  out[offset + 10] = 0;
  out[offset + 11] = 0;
  writeU32(out, offset + 12, h.src);
  writeU32(out, offset + 16, h.dst);
  if (opts !== undefined) out.set(opts, offset + IPV4_MIN_HEADER_LENGTH);
  writeU16(out, offset + 10, internetChecksum(out, offset, hl));
  return hl;
}

/**
 * Decode the header at `offset` within `length` bytes (default: the rest of
 * `bytes`). Checks version, IHL, that the total length covers the header and
 * fits in the window (bytes past it, e.g. frame padding, are allowed), and the
 * header checksum unless `options.verifyChecksum` is false. The payload is
 * `bytes[offset + ipv4HeaderLength(h) .. offset + ipv4TotalLength(bytes, offset))`.
 */
export function decodeIpv4(
  bytes: Uint8Array,
  offset: number,
  length?: number,
  options?: DecodeOptions,
): Ipv4Header {
  const end = checkSpan("ipv4", bytes, offset, length);
  const h = decodeIpv4Header(bytes, offset, length, options);
  const total = readU16(bytes, offset + 2);
  if (total < ipv4HeaderLength(h)) throw new WireError("ipv4", "bad total length");
  if (offset + total > end) throw new WireError("ipv4", "truncated packet");
  return h;
}

/**
 * The total length field of an encoded header at `offset` (no checks: call it
 * after {@link decodeIpv4} succeeded on the same bytes).
 */
export function ipv4TotalLength(bytes: Uint8Array, offset: number): number {
  return readU16(bytes, offset + 2);
}

/**
 * Decode only the header at `offset` within `length` bytes (default: the rest
 * of `bytes`), without checking the total length field against the window: for
 * quoted headers inside ICMP errors, which are cut short by design. Checks the
 * version, IHL and (unless `options.verifyChecksum` is false) the checksum.
 */
export function decodeIpv4Header(
  bytes: Uint8Array,
  offset: number,
  length?: number,
  options?: DecodeOptions,
): Ipv4Header {
  const end = checkSpan("ipv4", bytes, offset, length);
  if (end - offset < IPV4_MIN_HEADER_LENGTH) throw new WireError("ipv4", "truncated header");
  const vihl = bytes[offset]!;
  if (vihl >>> 4 !== 4) throw new WireError("ipv4", "bad version");
  const hl = (vihl & 0x0f) << 2;
  if (hl < IPV4_MIN_HEADER_LENGTH) throw new WireError("ipv4", "bad header length");
  if (end - offset < hl) throw new WireError("ipv4", "truncated header");
  if (options?.verifyChecksum !== false && internetChecksum(bytes, offset, hl) !== 0) {
    throw new WireError("ipv4", "bad header checksum");
  }
  const frag = readU16(bytes, offset + 6);
  return {
    tos: bytes[offset + 1]!,
    id: readU16(bytes, offset + 4),
    df: (frag & 0x4000) !== 0,
    mf: (frag & 0x2000) !== 0,
    fragOffset: (frag & 0x1fff) << 3,
    ttl: bytes[offset + 8]!,
    proto: bytes[offset + 9]!,
    src: readU32(bytes, offset + 12),
    dst: readU32(bytes, offset + 16),
    options: hl > IPV4_MIN_HEADER_LENGTH
      ? bytes.slice(offset + IPV4_MIN_HEADER_LENGTH, offset + hl)
      : undefined,
  };
}
