/**
 * The in-memory packet: one Ethernet frame with its headers already parsed into
 * plain representations. The stack works on these objects on the hot path and
 * only turns them into bytes when a capture or a test asks (see `frame.ts`).
 *
 * Addresses are numbers: a MAC is a 48-bit unsigned integer, an IPv4 address a
 * 32-bit unsigned integer (always kept `>>> 0`). Payloads are real bytes or a
 * virtual size (a number) for bulk transfers, encoded as zero bytes.
 *
 * @module
 */

/** A MAC address as a 48-bit unsigned integer (0x020000000001 is 02:00:00:00:00:01). */
export type Mac = number;
/** An IPv4 address as a 32-bit unsigned integer (0x0a000001 is 10.0.0.1). */
export type Ip4 = number;
/** Payload bytes, or a virtual payload of that many bytes (encoded as zeros). */
export type Payload = Uint8Array | number;

/** EtherType values used by the stack. */
export const EtherType = { IPv4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPv6: 0x86dd } as const;
/** IP protocol numbers used by the stack. */
export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, GRE: 47, ESP: 50 } as const;
/** The broadcast MAC address ff:ff:ff:ff:ff:ff. */
export const BROADCAST_MAC: Mac = 0xffffffffffff;

/** An 802.1Q tag (RFC-less; IEEE 802.1Q): priority, drop-eligible bit and VLAN id. */
export interface VlanTag {
  /** Priority code point, 0..7. */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** VLAN identifier, 0..4095 (0 and 4095 reserved). */
  vid: number;
}

/** Ethernet II header; `type` is the EtherType of the payload (after any tag). */
export interface EthernetHeader {
  /** Destination MAC. */
  dst: Mac;
  /** Source MAC. */
  src: Mac;
  /** EtherType of the payload. */
  type: number;
  /** The 802.1Q tag, when the frame carries one. */
  vlan: VlanTag | undefined;
}

/** An ARP packet for IPv4 over Ethernet (RFC 826): htype 1, ptype 0x0800. */
export interface ArpPacket {
  /** 1 = request, 2 = reply. */
  op: number;
  /** Sender's hardware address. */
  senderMac: Mac;
  /** Sender's protocol address. */
  senderIp: Ip4;
  /** Target's hardware address (zero in a request). */
  targetMac: Mac;
  /** Target's protocol address. */
  targetIp: Ip4;
}

/** An IPv4 header (RFC 791); total length and checksum are computed on encode. */
export interface Ipv4Header {
  /** The whole TOS byte (DSCP << 2 | ECN). */
  tos: number;
  /** Identification (for reassembly). */
  id: number;
  /** Don't fragment. */
  df: boolean;
  /** More fragments follow. */
  mf: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragOffset: number;
  /** Time to live. */
  ttl: number;
  /** Protocol of the payload (1 ICMP, 6 TCP, 17 UDP). */
  proto: number;
  /** Source address. */
  src: Ip4;
  /** Destination address. */
  dst: Ip4;
  /** Options bytes, a multiple of 4 long and at most 40, or undefined. */
  options: Uint8Array | undefined;
}

/**
 * An ICMP message (RFC 792). `rest` is bytes 4..7 of the header: identifier << 16 |
 * sequence for echo, next-hop MTU for fragmentation needed, the gateway for a
 * redirect, zero otherwise. For errors the payload holds the quoted datagram.
 */
export interface IcmpMessage {
  /** ICMP type (0 echo reply, 3 unreachable, 8 echo request, 11 time exceeded, …). */
  type: number;
  /** ICMP code within the type. */
  code: number;
  /** Bytes 4..7 of the header (see the interface). */
  rest: number;
  /** Echo data, or the quoted datagram of an error. */
  payload: Payload;
}

/** A UDP datagram (RFC 768); length and checksum are computed on encode. */
export interface UdpDatagram {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** The datagram's data. */
  payload: Payload;
}

/** TCP header flag bits. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

/** TCP options the stack understands (RFC 9293, 7323, 2018). */
export interface TcpOptions {
  /** Maximum segment size (SYN only). */
  mss: number | undefined;
  /** Window scale shift count, 0..14. */
  wscale: number | undefined;
  /** SACK-permitted (SYN only). */
  sackPermitted: boolean;
  /** SACK blocks as [left, right) sequence pairs, at most 4. */
  sack: Array<[number, number]> | undefined;
  /** Timestamp value and echo reply. */
  timestamp: { val: number; ecr: number } | undefined;
}

/** A TCP segment (RFC 9293); data offset and checksum are computed on encode. */
export interface TcpSegment {
  /** Source port. */
  srcPort: number;
  /** Destination port. */
  dstPort: number;
  /** Sequence number (32-bit). */
  seq: number;
  /** Acknowledgment number (32-bit). */
  ack: number;
  /** Bitwise OR of `TcpFlag` values. */
  flags: number;
  /** Window field as sent (before scaling). */
  window: number;
  /** Urgent pointer. */
  urgent: number;
  /** Options carried. */
  options: TcpOptions;
  /** Data, real or virtual. */
  payload: Payload;
}

/**
 * One frame in flight. Every field is always present (undefined when absent) so
 * that all packets share one object shape. A fragment (mf set or a non-zero
 * offset) carries its slice of the transport bytes in `raw`; so does an IP
 * packet of a protocol without a representation, and a frame of an unknown
 * EtherType.
 */
export interface Packet {
  /** Simulator-assigned identity, used for conservation accounting (0 when decoded from bytes). */
  id: number;
  /** The Ethernet header. */
  eth: EthernetHeader;
  /** The ARP packet, for ARP frames. */
  arp: ArpPacket | undefined;
  /** The IPv4 header, for IP packets. */
  ip: Ipv4Header | undefined;
  /** The ICMP message (unfragmented ICMP). */
  icmp: IcmpMessage | undefined;
  /** The UDP datagram (unfragmented UDP). */
  udp: UdpDatagram | undefined;
  /** The TCP segment (unfragmented TCP). */
  tcp: TcpSegment | undefined;
  /** Raw bytes: a fragment's slice, or an unknown protocol's payload. */
  raw: Uint8Array | undefined;
  /**
   * Firewall mark (Linux's skb->mark): set by `iptables -j MARK`, matched by
   * `ip rule fwmark`. Not on the wire; cleared when the packet enters another namespace.
   */
  mark: number;
  /**
   * What connection tracking attached to the packet (skb->_nfct), owned by
   * core/netfilter. Not on the wire; cleared when the packet enters another namespace.
   */
  ct: unknown;
}

/** Length in bytes of a payload, real or virtual. */
export function payloadLength(p: Payload): number {
  return typeof p === "number" ? p : p.length;
}

/** A packet with every field present; fill in what it carries. */
export function newPacket(eth: EthernetHeader): Packet {
  return {
    id: 0,
    eth,
    arp: undefined,
    ip: undefined,
    icmp: undefined,
    udp: undefined,
    tcp: undefined,
    raw: undefined,
    mark: 0,
    ct: undefined,
  };
}

/** Empty TCP options. */
export function noTcpOptions(): TcpOptions {
  return {
    mss: undefined,
    wscale: undefined,
    sackPermitted: false,
    sack: undefined,
    timestamp: undefined,
  };
}
