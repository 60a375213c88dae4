/**
 * Ethernet II framing (the DIX header: destination, source, EtherType) with at
 * most one IEEE 802.1Q VLAN tag.
 *
 * The tag sits between the source address and the EtherType: TPID 0x8100, then
 * the 16-bit TCI holding PCP (3 bits), DEI (1 bit) and VID (12 bits). Only one
 * tag is understood; a second tag (QinQ) is left in place and shows up as an
 * EtherType of 0x8100 whose payload nobody parses. Not modelled: the preamble,
 * the FCS, minimum-size padding (the frame codec neither adds nor needs it),
 * 802.3 length/LLC framing (a type below 0x0600 is just an unknown type) and
 * 802.1ad S-tags (TPID 0x88a8).
 *
 * Fields other than the VLAN tag are written modulo their width.
 *
 * @module
 */
import { type EthernetHeader, EtherType, type Mac, type VlanTag } from "./packet.ts";
import { checkRoom, checkSpan, WireError } from "./errors.ts";
import { readU16, writeU16 } from "./bytes.ts";

/** Bytes in an untagged Ethernet II header. */
export const ETHERNET_HEADER_LENGTH = 14;
/** Bytes added by one 802.1Q tag. */
export const VLAN_TAG_LENGTH = 4;

/** Write a 48-bit MAC big-endian at `offset` (no bounds check). */
export function writeMac(out: Uint8Array, offset: number, mac: Mac): void {
  const hi = Math.floor(mac / 0x100000000);
  const lo = mac >>> 0;
  out[offset] = (hi >>> 8) & 0xff;
  out[offset + 1] = hi & 0xff;
  out[offset + 2] = lo >>> 24;
  out[offset + 3] = (lo >>> 16) & 0xff;
  out[offset + 4] = (lo >>> 8) & 0xff;
  out[offset + 5] = lo & 0xff;
}

/** Read a 48-bit MAC big-endian at `offset` (no bounds check). */
export function readMac(bytes: Uint8Array, offset: number): Mac {
  const hi = (bytes[offset]! << 8) | bytes[offset + 1]!;
  const lo = ((bytes[offset + 2]! << 24) | (bytes[offset + 3]! << 16) |
    (bytes[offset + 4]! << 8) | bytes[offset + 5]!) >>> 0;
  return hi * 0x100000000 + lo;
}

/** Length of the header on the wire: 14, or 18 with a VLAN tag. */
export function ethernetLength(h: EthernetHeader): number {
  return h.vlan === undefined ? ETHERNET_HEADER_LENGTH : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
}

/**
 * Encode the header (and tag) at `offset`; returns the bytes written (14 or 18).
 * Throws a WireError for a tag with PCP outside 0..7 or VID outside 0..4095.
 */
export function encodeEthernet(h: EthernetHeader, out: Uint8Array, offset: number): number {
  const n = ethernetLength(h);
  checkRoom("ethernet", out, offset, n);
  writeMac(out, offset, h.dst);
  writeMac(out, offset + 6, h.src);
  let o = offset + 12;
  const tag = h.vlan;
  if (tag !== undefined) {
    if (!(tag.pcp >= 0 && tag.pcp <= 7) || !(tag.vid >= 0 && tag.vid <= 0xfff)) {
      throw new WireError("ethernet", "bad VLAN tag");
    }
    const tci = (tag.pcp << 13) | (tag.dei ? 0x1000 : 0) | tag.vid;
    writeU16(out, o, EtherType.VLAN);
    writeU16(out, o + 2, tci);
    o += 4;
  }
  writeU16(out, o, h.type);
  return n;
}

/**
 * Decode an Ethernet II header at `offset` within `length` bytes (default: the
 * rest of `bytes`). A TPID of 0x8100 is taken as one 802.1Q tag.
 */
export function decodeEthernet(bytes: Uint8Array, offset: number, length?: number): EthernetHeader {
  const end = checkSpan("ethernet", bytes, offset, length);
  if (end - offset < ETHERNET_HEADER_LENGTH) throw new WireError("ethernet", "truncated header");
  const dst = readMac(bytes, offset);
  const src = readMac(bytes, offset + 6);
  let type = readU16(bytes, offset + 12);
  let vlan: VlanTag | undefined = undefined;
  if (type === EtherType.VLAN) {
    if (end - offset < ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH) {
      throw new WireError("ethernet", "truncated VLAN tag");
    }
    const tci = readU16(bytes, offset + 14);
    vlan = { pcp: tci >>> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff };
    type = readU16(bytes, offset + 16);
  }
  return { dst, src, type, vlan };
}
