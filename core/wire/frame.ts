/**
 * Whole frames: a {@link Packet} to and from the bytes of one Ethernet II frame
 * (without preamble, FCS or minimum-size padding), plus the helpers the IP layer
 * needs around fragmentation and reassembly, and a cheap deep copy.
 *
 * What a packet carries is chosen in this order, by both the encoder and
 * {@link frameLength}: `arp`; else `ip` followed by `raw`, `icmp`, `udp` or `tcp`
 * (the first present); else `raw` after the Ethernet header. The Ethernet type
 * field is written as given, so it should agree. Decoding fills every field of
 * the packet (id 0): ARP and IPv4 by EtherType, then the IPv4 payload by
 * protocol, except that a fragment (MF or a non-zero offset), an unknown
 * protocol, or an unknown EtherType keeps its bytes in `raw`. Bytes after the IP
 * total length (frame padding) are dropped; for other EtherTypes everything
 * after the header is `raw`.
 *
 * @module
 */
import { EtherType, IpProto, type Ipv4Header, newPacket, type Packet } from "./packet.ts";
import { WireError } from "./errors.ts";
import type { DecodeOptions } from "./checksum.ts";
import {
  decodeEthernet,
  encodeEthernet,
  ETHERNET_HEADER_LENGTH,
  VLAN_TAG_LENGTH,
} from "./ethernet.ts";
import { ARP_LENGTH, decodeArp, encodeArp } from "./arp.ts";
import { decodeIpv4, encodeIpv4, ipv4HeaderLength, ipv4TotalLength, isFragment } from "./ipv4.ts";
import { decodeIcmp, encodeIcmp, icmpLength } from "./icmp.ts";
import { decodeUdp, encodeUdp, udpLength } from "./udp.ts";
import { decodeTcp, encodeTcp, tcpLength } from "./tcp.ts";

/**
 * Length in bytes of the IPv4 payload of `p` (its transport header and data, or
 * its `raw` bytes); 0 when it carries nothing. Arithmetic only.
 */
export function ipPayloadLength(p: Packet): number {
  if (p.raw !== undefined) return p.raw.length;
  if (p.icmp !== undefined) return icmpLength(p.icmp);
  if (p.udp !== undefined) return udpLength(p.udp);
  if (p.tcp !== undefined) return tcpLength(p.tcp);
  return 0;
}

/**
 * Length in bytes of the frame `encodeFrame(p)` would produce (no FCS, no
 * padding). Arithmetic only: no encoding and no allocation, for the hot path.
 */
export function frameLength(p: Packet): number {
  const eth = p.eth.vlan === undefined
    ? ETHERNET_HEADER_LENGTH
    : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
  if (p.arp !== undefined) return eth + ARP_LENGTH;
  if (p.ip !== undefined) return eth + ipv4HeaderLength(p.ip) + ipPayloadLength(p);
  if (p.raw !== undefined) return eth + p.raw.length;
  return eth;
}

/** Write the IPv4 payload of `p` (`ipPayloadLength(p)` bytes) at `offset`. */
function writeTransport(p: Packet, ip: Ipv4Header, out: Uint8Array, offset: number): void {
  if (p.raw !== undefined) out.set(p.raw, offset);
  else if (p.icmp !== undefined) encodeIcmp(p.icmp, out, offset);
  else if (p.udp !== undefined) encodeUdp(p.udp, out, offset, ip.src, ip.dst);
  else if (p.tcp !== undefined) encodeTcp(p.tcp, out, offset, ip.src, ip.dst);
}

/**
 * Encode `p` as one Ethernet frame with every length and checksum filled in (a
 * virtual payload as zeros). Throws a WireError when a header cannot be
 * encoded.
 */
export function encodeFrame(p: Packet): Uint8Array {
  const out = new Uint8Array(frameLength(p));
  let o = encodeEthernet(p.eth, out, 0);
  if (p.arp !== undefined) {
    encodeArp(p.arp, out, o);
  } else if (p.ip !== undefined) {
    o += encodeIpv4(p.ip, out, o, ipPayloadLength(p));
    writeTransport(p, p.ip, out, o);
  } else if (p.raw !== undefined) {
    out.set(p.raw, o);
  }
  return out;
}

/**
 * The IPv4 payload of `p` as bytes (transport header and data, or `raw`), as
 * the fragmentation code slices it. Throws a WireError when `p` has no IPv4
 * header (the UDP and TCP checksums need its addresses).
 */
export function encodeTransport(p: Packet): Uint8Array {
  const ip = p.ip;
  if (ip === undefined) throw new WireError("ipv4", "packet has no IPv4 header");
  const out = new Uint8Array(ipPayloadLength(p));
  writeTransport(p, ip, out, 0);
  return out;
}

/** The transport part of a packet, every field present. */
export type Transport = Pick<Packet, "icmp" | "udp" | "tcp" | "raw">;

function decodeInto(
  t: Transport,
  ip: Ipv4Header,
  bytes: Uint8Array,
  offset: number,
  length: number,
  options: DecodeOptions | undefined,
): void {
  switch (ip.proto) {
    case IpProto.ICMP:
      t.icmp = decodeIcmp(bytes, offset, length, options);
      break;
    case IpProto.UDP:
      t.udp = decodeUdp(bytes, offset, length, ip.src, ip.dst, options);
      break;
    case IpProto.TCP:
      t.tcp = decodeTcp(bytes, offset, length, ip.src, ip.dst, options);
      break;
    default:
      t.raw = bytes.slice(offset, offset + length);
  }
}

/**
 * Decode a whole IPv4 payload (for example one just reassembled from
 * fragments) by `ip.proto`, ignoring the fragment fields of `ip`: ICMP, UDP or
 * TCP into their representations, anything else into `raw`. Checksums are
 * verified unless `options.verifyChecksum` is false.
 */
export function decodeTransport(
  ip: Ipv4Header,
  bytes: Uint8Array,
  options?: DecodeOptions,
): Transport {
  const t: Transport = { icmp: undefined, udp: undefined, tcp: undefined, raw: undefined };
  decodeInto(t, ip, bytes, 0, bytes.length, options);
  return t;
}

/**
 * Decode one Ethernet frame into a packet (id 0, every field present). Throws a
 * WireError for malformed or truncated headers and, unless
 * `options.verifyChecksum` is false, for bad checksums.
 */
export function decodeFrame(bytes: Uint8Array, options?: DecodeOptions): Packet {
  const eth = decodeEthernet(bytes, 0);
  const p = newPacket(eth);
  const o = eth.vlan === undefined
    ? ETHERNET_HEADER_LENGTH
    : ETHERNET_HEADER_LENGTH + VLAN_TAG_LENGTH;
  if (eth.type === EtherType.ARP) {
    p.arp = decodeArp(bytes, o);
  } else if (eth.type === EtherType.IPv4) {
    const ip = decodeIpv4(bytes, o, undefined, options);
    p.ip = ip;
    const start = o + ipv4HeaderLength(ip);
    const end = o + ipv4TotalLength(bytes, o);
    if (isFragment(ip)) p.raw = bytes.slice(start, end);
    else decodeInto(p, ip, bytes, start, end - start, options);
  } else {
    p.raw = bytes.slice(o);
  }
  return p;
}

/**
 * A deep copy of every header of `p` (VLAN tag, IP options, TCP options and SACK
 * blocks included), keeping `id`. Payload byte arrays and `raw` are shared, not
 * copied: the stack never mutates payload bytes.
 */
export function clonePacket(p: Packet): Packet {
  const e = p.eth;
  const v = e.vlan;
  const a = p.arp;
  const ip = p.ip;
  const ic = p.icmp;
  const u = p.udp;
  const t = p.tcp;
  return {
    id: p.id,
    eth: {
      dst: e.dst,
      src: e.src,
      type: e.type,
      vlan: v === undefined ? undefined : { pcp: v.pcp, dei: v.dei, vid: v.vid },
    },
    arp: a === undefined ? undefined : {
      op: a.op,
      senderMac: a.senderMac,
      senderIp: a.senderIp,
      targetMac: a.targetMac,
      targetIp: a.targetIp,
    },
    ip: ip === undefined ? undefined : {
      tos: ip.tos,
      id: ip.id,
      df: ip.df,
      mf: ip.mf,
      fragOffset: ip.fragOffset,
      ttl: ip.ttl,
      proto: ip.proto,
      src: ip.src,
      dst: ip.dst,
      options: ip.options === undefined ? undefined : ip.options.slice(),
    },
    icmp: ic === undefined
      ? undefined
      : { type: ic.type, code: ic.code, rest: ic.rest, payload: ic.payload },
    udp: u === undefined
      ? undefined
      : { srcPort: u.srcPort, dstPort: u.dstPort, payload: u.payload },
    tcp: t === undefined ? undefined : {
      srcPort: t.srcPort,
      dstPort: t.dstPort,
      seq: t.seq,
      ack: t.ack,
      flags: t.flags,
      window: t.window,
      urgent: t.urgent,
      options: {
        mss: t.options.mss,
        wscale: t.options.wscale,
        sackPermitted: t.options.sackPermitted,
        sack: t.options.sack === undefined ? undefined : cloneSack(t.options.sack),
        timestamp: t.options.timestamp === undefined
          ? undefined
          : { val: t.options.timestamp.val, ecr: t.options.timestamp.ecr },
      },
      payload: t.payload,
    },
    raw: p.raw,
    mark: p.mark,
    ct: p.ct,
  };
}

function cloneSack(s: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < s.length; i++) {
    const b = s[i]!;
    out.push([b[0], b[1]]);
  }
  return out;
}
