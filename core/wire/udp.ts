/**
 * UDP (RFC 768): ports, length and the checksum over the IPv4 pseudo-header,
 * the UDP header and the data.
 *
 * On encode the length field comes from the payload and the checksum is always
 * computed; a computed checksum of 0 is sent as 0xffff, since 0 on the wire means
 * "no checksum". On decode a zero checksum is accepted without verification, the
 * length field bounds the payload (extra bytes after it are ignored), and a
 * length field below 8 or beyond the available bytes is an error. Left out:
 * UDP-Lite and IPv6 (whose pseudo-header differs and where a zero checksum is
 * not allowed).
 *
 * @module
 */
import { type Ip4, IpProto, payloadLength, type UdpDatagram } from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import {
  type DecodeOptions,
  foldSum,
  internetChecksum,
  onesSum,
  pseudoHeaderSum,
} from "./checksum.ts";
import { readU16, writeU16 } from "./bytes.ts";

/** Bytes in a UDP header. */
export const UDP_HEADER_LENGTH = 8;
/** Largest UDP length (header plus data). */
export const UDP_MAX_LENGTH = 0xffff;

/** Length of the datagram on the wire: 8 plus the payload. */
export function udpLength(d: UdpDatagram): number {
  return UDP_HEADER_LENGTH + payloadLength(d.payload);
}

/**
 * Encode only the 8-byte header at `offset`, with the checksum computed over the
 * pseudo-header, the header and the payload (which is not written). Returns 8.
 * Used where only the header is needed, e.g. when quoting a datagram in ICMP.
 */
export function encodeUdpHeader(
  d: UdpDatagram,
  out: Uint8Array,
  offset: number,
  src: Ip4,
  dst: Ip4,
): number {
  const len = udpLength(d);
  if (len > UDP_MAX_LENGTH) throw new WireError("udp", "datagram too long");
  checkRoom("udp", out, offset, UDP_HEADER_LENGTH);
  const sp = d.srcPort & 0xffff;
  const dp = d.dstPort & 0xffff;
  writeU16(out, offset, sp);
  writeU16(out, offset + 2, dp);
  writeU16(out, offset + 4, len);
  let sum = pseudoHeaderSum(src, dst, IpProto.UDP, len) + sp + dp + len;
  const p = d.payload;
  if (typeof p !== "number") sum = onesSum(p, 0, p.length, sum);
  const cs = ~foldSum(sum) & 0xffff;
  writeU16(out, offset + 6, cs === 0 ? 0xffff : cs);
  return UDP_HEADER_LENGTH;
}

/**
 * Encode the whole datagram (header and payload, a virtual payload as zeros) at
 * `offset` with the pseudo-header addresses `src` and `dst`. Returns the bytes
 * written. Throws a WireError when it would exceed 65535 bytes or `out`.
 */
export function encodeUdp(
  d: UdpDatagram,
  out: Uint8Array,
  offset: number,
  src: Ip4,
  dst: Ip4,
): number {
  const len = udpLength(d);
  checkRoom("udp", out, offset, len);
  encodeUdpHeader(d, out, offset, src, dst);
  const p = d.payload;
  if (typeof p === "number") out.fill(0, offset + UDP_HEADER_LENGTH, offset + len);
  else out.set(p, offset + UDP_HEADER_LENGTH);
  return len;
}

/**
 * Decode a datagram at `offset` within `length` bytes (default: the rest of
 * `bytes`; normally the IP payload length), verifying a non-zero checksum
 * against the pseudo-header of `src` and `dst` unless `options.verifyChecksum`
 * is false. The payload is a copy.
 */
export function decodeUdp(
  bytes: Uint8Array,
  offset: number,
  length: number | undefined,
  src: Ip4,
  dst: Ip4,
  options?: DecodeOptions,
): UdpDatagram {
  const end = checkSpan("udp", bytes, offset, length);
  if (end - offset < UDP_HEADER_LENGTH) throw new WireError("udp", "truncated header");
  const len = readU16(bytes, offset + 4);
  if (len < UDP_HEADER_LENGTH) throw new WireError("udp", "bad length");
  if (len > end - offset) throw new WireError("udp", "truncated datagram");
  if (options?.verifyChecksum !== false && readU16(bytes, offset + 6) !== 0) {
    const pseudo = pseudoHeaderSum(src, dst, IpProto.UDP, len);
    if (internetChecksum(bytes, offset, len, pseudo) !== 0) {
      throw new WireError("udp", "bad checksum");
    }
  }
  return {
    srcPort: readU16(bytes, offset),
    dstPort: readU16(bytes, offset + 2),
    payload: bytes.slice(offset + UDP_HEADER_LENGTH, offset + len),
  };
}
