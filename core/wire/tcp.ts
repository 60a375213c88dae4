/**
 * The TCP header (RFC 9293) and the options the stack uses: maximum segment
 * size (RFC 9293), window scale and timestamps (RFC 7323), SACK-permitted and
 * SACK blocks (RFC 2018); checksum over the IPv4 pseudo-header.
 *
 * Options are written in one fixed, 4-byte aligned layout, so the header length
 * follows from which options are present (no trailing EOL or padding needed):
 *
 * - MSS: `02 04 mm mm`
 * - SACK-permitted with timestamps: `04 02 08 0a <val> <ecr>`; timestamps
 *   alone: `01 01 08 0a <val> <ecr>`; SACK-permitted alone: `01 01 04 02`
 * - window scale: `01 03 03 ss`
 * - SACK blocks: `01 01 05 <2+8n> <left right>...`
 *
 * A SYN with all of them is the familiar 20-byte MSS, SACK-perm, TS, NOP, WS.
 * At most 40 bytes of options fit, so with timestamps at most 3 SACK blocks can
 * be sent; encoding more throws a WireError. An empty SACK block list is
 * written as no SACK option.
 *
 * On decode, NOP is skipped, EOL ends the list, unknown options are skipped by
 * their length, and a malformed length (below 2, running past the header, or
 * wrong for a known kind) is a WireError. A window scale above 14 is read as 14
 * (RFC 7323 section 2.3). Left out: the urgent pointer's meaning (the field is
 * carried as is), the reserved bits of the flags word (written as zero, ignored),
 * TCP-AO/MD5 and other options (skipped).
 *
 * @module
 */
import { type Ip4, IpProto, payloadLength, type TcpOptions, type TcpSegment } from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import {
  type DecodeOptions,
  foldSum,
  internetChecksum,
  onesSum,
  pseudoHeaderSum,
} from "./checksum.ts";
import { readU16, readU32, writeU16, writeU32 } from "./bytes.ts";

/** Bytes in a TCP header without options. */
export const TCP_MIN_HEADER_LENGTH = 20;
/** Largest TCP options field in bytes. */
export const TCP_MAX_OPTIONS_LENGTH = 40;
/** Largest window scale shift (RFC 7323). */
export const TCP_MAX_WSCALE = 14;

/** TCP option kinds. */
export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
} as const;

/** Bytes the options take on the wire in this codec's layout (a multiple of 4). */
export function tcpOptionsLength(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.timestamp !== undefined) n += 12;
  else if (o.sackPermitted) n += 4;
  if (o.wscale !== undefined) n += 4;
  const sack = o.sack;
  if (sack !== undefined && sack.length > 0) n += 4 + 8 * sack.length;
  return n;
}

/** Length of the header on the wire: 20 plus the options. */
export function tcpHeaderLength(s: TcpSegment): number {
  return TCP_MIN_HEADER_LENGTH + tcpOptionsLength(s.options);
}

/** Length of the segment on the wire: header plus payload. */
export function tcpLength(s: TcpSegment): number {
  return TCP_MIN_HEADER_LENGTH + tcpOptionsLength(s.options) + payloadLength(s.payload);
}

/**
 * Encode the segment (header, options, payload; a virtual payload as zeros) at
 * `offset` with the checksum over the pseudo-header of `src` and `dst`. Returns
 * the bytes written. Throws a WireError for options over 40 bytes, a window
 * scale above 14, a segment over 65535 bytes, or too small an `out`.
 */
export function encodeTcp(
  s: TcpSegment,
  out: Uint8Array,
  offset: number,
  src: Ip4,
  dst: Ip4,
): number {
  const o = s.options;
  const optLen = tcpOptionsLength(o);
  if (optLen > TCP_MAX_OPTIONS_LENGTH) throw new WireError("tcp", "options too long");
  const hl = TCP_MIN_HEADER_LENGTH + optLen;
  const p = s.payload;
  const len = hl + payloadLength(p);
  if (len > 0xffff) throw new WireError("tcp", "segment too long");
  checkRoom("tcp", out, offset, len);
  writeU16(out, offset, s.srcPort);
  writeU16(out, offset + 2, s.dstPort);
  writeU32(out, offset + 4, s.seq);
  writeU32(out, offset + 8, s.ack);
  out[offset + 12] = (hl >>> 2) << 4;
  out[offset + 13] = s.flags & 0xff;
  writeU16(out, offset + 14, s.window);
  out[offset + 16] = 0;
  out[offset + 17] = 0;
  writeU16(out, offset + 18, s.urgent);
  writeOptions(o, out, offset + TCP_MIN_HEADER_LENGTH);
  let sum = onesSum(out, offset, hl, pseudoHeaderSum(src, dst, IpProto.TCP, len));
  if (typeof p === "number") {
    out.fill(0, offset + hl, offset + len);
  } else {
    out.set(p, offset + hl);
    sum = onesSum(p, 0, p.length, sum);
  }
  writeU16(out, offset + 16, ~foldSum(sum) & 0xffff);
  return len;
}

function writeOptions(o: TcpOptions, out: Uint8Array, at: number): void {
  if (o.mss !== undefined) {
    out[at] = TcpOptionKind.MSS;
    out[at + 1] = 4;
    writeU16(out, at + 2, o.mss);
    at += 4;
  }
  const ts = o.timestamp;
  if (ts !== undefined) {
    if (o.sackPermitted) {
      out[at] = TcpOptionKind.SACK_PERMITTED;
      out[at + 1] = 2;
    } else {
      out[at] = TcpOptionKind.NOP;
      out[at + 1] = TcpOptionKind.NOP;
    }
    out[at + 2] = TcpOptionKind.TIMESTAMP;
    out[at + 3] = 10;
    writeU32(out, at + 4, ts.val);
    writeU32(out, at + 8, ts.ecr);
    at += 12;
  } else if (o.sackPermitted) {
    out[at] = TcpOptionKind.NOP;
    out[at + 1] = TcpOptionKind.NOP;
    out[at + 2] = TcpOptionKind.SACK_PERMITTED;
    out[at + 3] = 2;
    at += 4;
  }
  const ws = o.wscale;
  if (ws !== undefined) {
    if (!(ws >= 0 && ws <= TCP_MAX_WSCALE)) throw new WireError("tcp", "bad window scale");
    out[at] = TcpOptionKind.NOP;
    out[at + 1] = TcpOptionKind.WSCALE;
    out[at + 2] = 3;
    out[at + 3] = ws;
    at += 4;
  }
  const sack = o.sack;
  if (sack !== undefined && sack.length > 0) {
    out[at] = TcpOptionKind.NOP;
    out[at + 1] = TcpOptionKind.NOP;
    out[at + 2] = TcpOptionKind.SACK;
    out[at + 3] = 2 + 8 * sack.length;
    at += 4;
    for (let i = 0; i < sack.length; i++) {
      const block = sack[i]!;
      writeU32(out, at, block[0]);
      writeU32(out, at + 4, block[1]);
      at += 8;
    }
  }
}

/**
 * Decode a segment at `offset` within `length` bytes (default: the rest of
 * `bytes`; normally the IP payload length, since TCP has no length field),
 * verifying the checksum against the pseudo-header of `src` and `dst` unless
 * `options.verifyChecksum` is false. The payload is a copy.
 */
export function decodeTcp(
  bytes: Uint8Array,
  offset: number,
  length: number | undefined,
  src: Ip4,
  dst: Ip4,
  options?: DecodeOptions,
): TcpSegment {
  const end = checkSpan("tcp", bytes, offset, length);
  const len = end - offset;
  if (len < TCP_MIN_HEADER_LENGTH) throw new WireError("tcp", "truncated header");
  const hl = (bytes[offset + 12]! >>> 4) << 2;
  if (hl < TCP_MIN_HEADER_LENGTH) throw new WireError("tcp", "bad data offset");
  if (hl > len) throw new WireError("tcp", "truncated header");
  if (len > 0xffff) throw new WireError("tcp", "segment too long");
  if (options?.verifyChecksum !== false) {
    const pseudo = pseudoHeaderSum(src, dst, IpProto.TCP, len);
    if (internetChecksum(bytes, offset, len, pseudo) !== 0) {
      throw new WireError("tcp", "bad checksum");
    }
  }
  return {
    srcPort: readU16(bytes, offset),
    dstPort: readU16(bytes, offset + 2),
    seq: readU32(bytes, offset + 4),
    ack: readU32(bytes, offset + 8),
    flags: bytes[offset + 13]!,
    window: readU16(bytes, offset + 14),
    urgent: readU16(bytes, offset + 18),
    options: readOptions(bytes, offset + TCP_MIN_HEADER_LENGTH, offset + hl),
    payload: bytes.slice(offset + hl, end),
  };
}

function readOptions(b: Uint8Array, at: number, end: number): TcpOptions {
  const o: TcpOptions = {
    mss: undefined,
    wscale: undefined,
    sackPermitted: false,
    sack: undefined,
    timestamp: undefined,
  };
  while (at < end) {
    const kind = b[at]!;
    if (kind === TcpOptionKind.EOL) break;
    if (kind === TcpOptionKind.NOP) {
      at++;
      continue;
    }
    if (at + 1 >= end) throw new WireError("tcp", "bad option length");
    const len = b[at + 1]!;
    if (len < 2 || at + len > end) throw new WireError("tcp", "bad option length");
    switch (kind) {
      case TcpOptionKind.MSS:
        if (len !== 4) throw new WireError("tcp", "bad MSS option");
        o.mss = readU16(b, at + 2);
        break;
      case TcpOptionKind.WSCALE:
        if (len !== 3) throw new WireError("tcp", "bad window scale option");
        o.wscale = Math.min(b[at + 2]!, TCP_MAX_WSCALE);
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (len !== 2) throw new WireError("tcp", "bad SACK-permitted option");
        o.sackPermitted = true;
        break;
      case TcpOptionKind.SACK: {
        if (len < 10 || (len - 2) % 8 !== 0) throw new WireError("tcp", "bad SACK option");
        const blocks: Array<[number, number]> = [];
        for (let i = at + 2; i < at + len; i += 8) blocks.push([readU32(b, i), readU32(b, i + 4)]);
        o.sack = blocks;
        break;
      }
      case TcpOptionKind.TIMESTAMP:
        if (len !== 10) throw new WireError("tcp", "bad timestamp option");
        o.timestamp = { val: readU32(b, at + 2), ecr: readU32(b, at + 6) };
        break;
    }
    at += len;
  }
  return o;
}
