/**
 * ARP for IPv4 over Ethernet (RFC 826): hardware type 1, protocol type 0x0800,
 * 6-byte hardware and 4-byte protocol addresses, a 28-byte packet.
 *
 * Other hardware or protocol types, and other address lengths, are rejected
 * with a WireError. The operation code is carried as is (1 request, 2 reply;
 * anything else is decoded too and left for the ARP layer to ignore). Gratuitous
 * ARP and probes are ordinary requests with particular addresses and need
 * nothing special here.
 *
 * @module
 */
import { type ArpPacket, EtherType } from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import { readMac, writeMac } from "./ethernet.ts";
import { readU16, readU32, writeU16, writeU32 } from "./bytes.ts";

/** Bytes in an ARP packet for IPv4 over Ethernet. */
export const ARP_LENGTH = 28;

/** ARP operation codes. */
export const ArpOp = { REQUEST: 1, REPLY: 2 } as const;

/** Length of an ARP packet on the wire (always 28). */
export function arpLength(_a: ArpPacket): number {
  return ARP_LENGTH;
}

/** Encode an ARP packet at `offset`; returns the bytes written (28). */
export function encodeArp(a: ArpPacket, out: Uint8Array, offset: number): number {
  checkRoom("arp", out, offset, ARP_LENGTH);
  out[offset] = 0;
  out[offset + 1] = 1; // hardware type: Ethernet
  out[offset + 2] = EtherType.IPv4 >>> 8;
  out[offset + 3] = EtherType.IPv4 & 0xff;
  out[offset + 4] = 6;
  out[offset + 5] = 4;
  writeU16(out, offset + 6, a.op);
  writeMac(out, offset + 8, a.senderMac);
  writeU32(out, offset + 14, a.senderIp);
  writeMac(out, offset + 18, a.targetMac);
  writeU32(out, offset + 24, a.targetIp);
  return ARP_LENGTH;
}

/**
 * Decode an ARP packet at `offset` within `length` bytes (default: the rest of
 * `bytes`); trailing bytes (frame padding) are ignored.
 */
export function decodeArp(bytes: Uint8Array, offset: number, length?: number): ArpPacket {
  const end = checkSpan("arp", bytes, offset, length);
  if (end - offset < ARP_LENGTH) throw new WireError("arp", "truncated packet");
  const htype = readU16(bytes, offset);
  if (htype !== 1) throw new WireError("arp", "unsupported hardware type");
  const ptype = readU16(bytes, offset + 2);
  if (ptype !== EtherType.IPv4) throw new WireError("arp", "unsupported protocol type");
  if (bytes[offset + 4] !== 6 || bytes[offset + 5] !== 4) {
    throw new WireError("arp", "bad address length");
  }
  return {
    op: readU16(bytes, offset + 6),
    senderMac: readMac(bytes, offset + 8),
    senderIp: readU32(bytes, offset + 14),
    targetMac: readMac(bytes, offset + 18),
    targetIp: readU32(bytes, offset + 24),
  };
}
