/**
 * ICMP for IPv4 (RFC 792): the 8-byte header (type, code, checksum, and the
 * 32-bit "rest of header") followed by the message body, with the checksum over
 * the whole message.
 *
 * The codec is generic over type and code; the helpers name the messages the
 * stack uses: echo request and reply (identifier and sequence number in `rest`),
 * destination unreachable, including code 4 "fragmentation needed" with the
 * next-hop MTU in the low 16 bits of `rest` (RFC 1191), time exceeded, and
 * redirect (gateway address in `rest`). An error message's body is the quoted
 * start of the offending datagram: {@link quoteDatagram} builds it (the IP header
 * plus the first 8 bytes of its payload, as RFC 792 asks) and
 * {@link parseQuote} reads it back. Left out: timestamp, information and address
 * mask messages (decoded generically), RFC 4884 extensions, and quoting more than
 * 8 payload bytes (RFC 1812 allows it; the stack does not need it).
 *
 * @module
 */
import {
  type IcmpMessage,
  IpProto,
  type Ipv4Header,
  type Packet,
  payloadLength,
} from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import { type DecodeOptions, foldSum, internetChecksum, onesSum } from "./checksum.ts";
import { readU16, readU32, writeU16, writeU32 } from "./bytes.ts";
import { decodeIpv4Header, encodeIpv4, ipv4HeaderLength } from "./ipv4.ts";
import { encodeUdpHeader, udpLength } from "./udp.ts";
import { tcpLength } from "./tcp.ts";

/** Bytes in an ICMP header. */
export const ICMP_HEADER_LENGTH = 8;
/** Bytes of the offending datagram's payload quoted after its IP header. */
export const ICMP_QUOTE_PAYLOAD_LENGTH = 8;

/** ICMP message types used by the stack. */
export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  REDIRECT: 5,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
  PARAMETER_PROBLEM: 12,
} as const;

/** Codes of destination unreachable messages. */
export const UnreachableCode = {
  NET: 0,
  HOST: 1,
  PROTOCOL: 2,
  PORT: 3,
  FRAG_NEEDED: 4,
  SOURCE_ROUTE_FAILED: 5,
  NET_PROHIBITED: 9,
  HOST_PROHIBITED: 10,
  ADMIN_PROHIBITED: 13,
} as const;

/** Codes of time exceeded messages. */
export const TimeExceededCode = { TTL: 0, REASSEMBLY: 1 } as const;

/** Codes of redirect messages. */
export const RedirectCode = { NET: 0, HOST: 1, TOS_NET: 2, TOS_HOST: 3 } as const;

/** Whether a message type is an error (its body quotes a datagram) rather than a query. */
export function isIcmpError(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** The `rest` field of an echo request or reply: identifier << 16 | sequence. */
export function echoRest(id: number, seq: number): number {
  return (((id & 0xffff) << 16) | (seq & 0xffff)) >>> 0;
}

/** The identifier of an echo request or reply. */
export function echoId(m: IcmpMessage): number {
  return m.rest >>> 16;
}

/** The sequence number of an echo request or reply. */
export function echoSeq(m: IcmpMessage): number {
  return m.rest & 0xffff;
}

/** The next-hop MTU of a "fragmentation needed" message (0 from pre-RFC 1191 routers). */
export function nextHopMtu(m: IcmpMessage): number {
  return m.rest & 0xffff;
}

/** Length of the message on the wire: 8 plus the body. */
export function icmpLength(m: IcmpMessage): number {
  return ICMP_HEADER_LENGTH + payloadLength(m.payload);
}

/**
 * Encode only the 8-byte header at `offset`, with the checksum computed over the
 * header and the body (which is not written). Returns 8.
 */
export function encodeIcmpHeader(m: IcmpMessage, out: Uint8Array, offset: number): number {
  checkRoom("icmp", out, offset, ICMP_HEADER_LENGTH);
  const tc = ((m.type & 0xff) << 8) | (m.code & 0xff);
  writeU16(out, offset, tc);
  const rest = m.rest >>> 0;
  writeU32(out, offset + 4, rest);
  let sum = tc + (rest >>> 16) + (rest & 0xffff);
  const p = m.payload;
  if (typeof p !== "number") sum = onesSum(p, 0, p.length, sum);
  writeU16(out, offset + 2, ~foldSum(sum) & 0xffff);
  return ICMP_HEADER_LENGTH;
}

/**
 * Encode the whole message (a virtual body as zeros) at `offset`; returns the
 * bytes written. Throws a WireError when `out` is too small.
 */
export function encodeIcmp(m: IcmpMessage, out: Uint8Array, offset: number): number {
  const len = icmpLength(m);
  checkRoom("icmp", out, offset, len);
  encodeIcmpHeader(m, out, offset);
  const p = m.payload;
  if (typeof p === "number") out.fill(0, offset + ICMP_HEADER_LENGTH, offset + len);
  else out.set(p, offset + ICMP_HEADER_LENGTH);
  return len;
}

/**
 * Decode a message at `offset` within `length` bytes (default: the rest of
 * `bytes`; normally the IP payload length), verifying the checksum unless
 * `options.verifyChecksum` is false. The body is a copy.
 */
export function decodeIcmp(
  bytes: Uint8Array,
  offset: number,
  length?: number,
  options?: DecodeOptions,
): IcmpMessage {
  const end = checkSpan("icmp", bytes, offset, length);
  if (end - offset < ICMP_HEADER_LENGTH) throw new WireError("icmp", "truncated header");
  if (options?.verifyChecksum !== false && internetChecksum(bytes, offset, end - offset) !== 0) {
    throw new WireError("icmp", "bad checksum");
  }
  return {
    type: bytes[offset]!,
    code: bytes[offset + 1]!,
    rest: readU32(bytes, offset + 4),
    payload: bytes.slice(offset + ICMP_HEADER_LENGTH, end),
  };
}

/** Length of the transport part of an IP packet, by the same precedence as the frame codec. */
function transportLength(p: Packet): number {
  if (p.raw !== undefined) return p.raw.length;
  if (p.icmp !== undefined) return icmpLength(p.icmp);
  if (p.udp !== undefined) return udpLength(p.udp);
  if (p.tcp !== undefined) return tcpLength(p.tcp);
  return 0;
}

/**
 * The body of an ICMP error about `p`: its IPv4 header as it would be sent
 * (total length and checksum filled in) followed by the first 8 bytes of its
 * payload, or all of it when shorter. Encodes only those bytes, not the whole
 * datagram. Throws a WireError when `p` has no IPv4 header.
 */
export function quoteDatagram(p: Packet): Uint8Array {
  const ip = p.ip;
  if (ip === undefined) throw new WireError("icmp", "quoted packet is not IPv4");
  const hl = ipv4HeaderLength(ip);
  const l4 = transportLength(p);
  const q = Math.min(l4, ICMP_QUOTE_PAYLOAD_LENGTH);
  const out = new Uint8Array(hl + q);
  encodeIpv4(ip, out, 0, l4);
  if (p.raw !== undefined) {
    out.set(p.raw.subarray(0, q), hl);
  } else if (p.icmp !== undefined) {
    encodeIcmpHeader(p.icmp, out, hl);
  } else if (p.udp !== undefined) {
    encodeUdpHeader(p.udp, out, hl, ip.src, ip.dst);
  } else if (p.tcp !== undefined) {
    const t = p.tcp;
    writeU16(out, hl, t.srcPort);
    writeU16(out, hl + 2, t.dstPort);
    writeU32(out, hl + 4, t.seq);
  }
  return out;
}

/** What an ICMP error's quote tells about the datagram that caused it. */
export interface QuotedDatagram {
  /** The quoted IPv4 header. */
  ip: Ipv4Header;
  /** The total length field of the quoted header (the original datagram's size). */
  totalLength: number;
  /** UDP or TCP source port, when the quote has it (first fragment, 2+ bytes). */
  srcPort: number | undefined;
  /** UDP or TCP destination port, when the quote has it (first fragment, 4+ bytes). */
  dstPort: number | undefined;
  /** TCP sequence number, when the quote has it (first fragment, 8 bytes). */
  tcpSeq: number | undefined;
  /** Identifier of a quoted ICMP echo request or reply. */
  echoId: number | undefined;
  /** Sequence number of a quoted ICMP echo request or reply. */
  echoSeq: number | undefined;
}

/**
 * Read the quote in an ICMP error body at `offset` within `length` bytes
 * (default: the rest of `bytes`). The quoted header's checksum is not verified
 * and its total length may exceed what is quoted. Transport fields are reported
 * only for a first fragment (offset 0) and only as far as the quote reaches.
 */
export function parseQuote(bytes: Uint8Array, offset = 0, length?: number): QuotedDatagram {
  const end = checkSpan("icmp", bytes, offset, length);
  const ip = decodeIpv4Header(bytes, offset, end - offset, { verifyChecksum: false });
  const at = offset + ipv4HeaderLength(ip);
  const n = end - at;
  const q: QuotedDatagram = {
    ip,
    totalLength: readU16(bytes, offset + 2),
    srcPort: undefined,
    dstPort: undefined,
    tcpSeq: undefined,
    echoId: undefined,
    echoSeq: undefined,
  };
  if (ip.fragOffset !== 0) return q;
  if (ip.proto === IpProto.UDP || ip.proto === IpProto.TCP) {
    if (n >= 2) q.srcPort = readU16(bytes, at);
    if (n >= 4) q.dstPort = readU16(bytes, at + 2);
    if (ip.proto === IpProto.TCP && n >= 8) q.tcpSeq = readU32(bytes, at + 4);
  } else if (ip.proto === IpProto.ICMP && n >= 8) {
    const type = bytes[at]!;
    if (type === IcmpType.ECHO_REQUEST || type === IcmpType.ECHO_REPLY) {
      q.echoId = readU16(bytes, at + 4);
      q.echoSeq = readU16(bytes, at + 6);
    }
  }
  return q;
}
