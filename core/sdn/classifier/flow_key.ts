/**
 * The flow key: the fields an OpenFlow switch (modelled on Open vSwitch) matches a
 * packet against, laid out flat in a fixed-length `Uint32Array` so that
 * classification is arithmetic on machine words rather than object walks.
 *
 * Every field has a named word offset in {@link W}. Fields wider than 32 bits are
 * split into a high and a low word (`DL_SRC_HI` holds the top 16 bits of the MAC,
 * `DL_SRC_LO` the bottom 32; `TUN_ID_HI`/`TUN_ID_LO` and `METADATA_HI`/`METADATA_LO`
 * are the halves of 64-bit values). The words are grouped in the order Open vSwitch
 * uses for staged lookup: metadata (in_port, tunnel id, metadata, registers),
 * then L2, L3 and L4; {@link STAGE_ENDS} gives the boundaries.
 *
 * Field encodings follow Open vSwitch:
 * - `VLAN_TCI` is the 802.1Q TCI with the CFI bit (0x1000) meaning "a tag is
 *   present", so an untagged frame has TCI 0 and "no tag" is distinguishable from
 *   VID 0. The real DEI bit is not kept.
 * - `DL_TYPE` is the EtherType after any VLAN tag (0x05ff for an 802.3 length).
 * - For ARP, `NW_SRC`/`NW_DST` hold the sender/target protocol addresses and
 *   `NW_PROTO` the low 8 bits of the opcode.
 * - `NW_TOS` is the whole TOS byte (DSCP and ECN); `NW_FRAG` holds
 *   {@link FRAG_ANY} for any fragment and {@link FRAG_LATER} for a non-first one.
 * - `TP_SRC`/`TP_DST` are the TCP/UDP ports, or the ICMP type and code. They are
 *   zero for later fragments, whose transport header is elsewhere.
 *
 * Left out: IPv6, MPLS, ARP hardware addresses (arp_sha/arp_tha), nw_ttl,
 * tcp_flags, conntrack state, a second VLAN tag, and tunnel metadata other than
 * the tunnel id.
 *
 * @module
 */
import { EtherType, IpProto, type Packet } from "../../wire/packet.ts";

/** Word offsets of the flow key fields. */
export const W = {
  /** OpenFlow ingress port. */
  IN_PORT: 0,
  /** Tunnel id, top 32 bits. */
  TUN_ID_HI: 1,
  /** Tunnel id, bottom 32 bits. */
  TUN_ID_LO: 2,
  /** OpenFlow metadata, top 32 bits. */
  METADATA_HI: 3,
  /** OpenFlow metadata, bottom 32 bits. */
  METADATA_LO: 4,
  /** Register 0; registers 1..7 follow at REG0 + n. */
  REG0: 5,
  REG1: 6,
  REG2: 7,
  REG3: 8,
  REG4: 9,
  REG5: 10,
  REG6: 11,
  REG7: 12,
  /** Ethernet source, top 16 bits. */
  DL_SRC_HI: 13,
  /** Ethernet source, bottom 32 bits. */
  DL_SRC_LO: 14,
  /** Ethernet destination, top 16 bits. */
  DL_DST_HI: 15,
  /** Ethernet destination, bottom 32 bits. */
  DL_DST_LO: 16,
  /** EtherType after any 802.1Q tag. */
  DL_TYPE: 17,
  /** 802.1Q TCI with CFI set when a tag is present; 0 when untagged. */
  VLAN_TCI: 18,
  /** IPv4 source or ARP sender protocol address. */
  NW_SRC: 19,
  /** IPv4 destination or ARP target protocol address. */
  NW_DST: 20,
  /** IP protocol or the low 8 bits of the ARP opcode. */
  NW_PROTO: 21,
  /** The IPv4 TOS byte (DSCP << 2 | ECN). */
  NW_TOS: 22,
  /** Fragment bits: FRAG_ANY | FRAG_LATER. */
  NW_FRAG: 23,
  /** TCP/UDP source port or ICMP type. */
  TP_SRC: 24,
  /** TCP/UDP destination port or ICMP code. */
  TP_DST: 25,
} as const;

/** Number of 32-bit words in a flow key. */
export const KEY_WORDS = 26;

/**
 * Exclusive end word of each lookup stage, in order: metadata, L2, L3, L4. A stage
 * holds the words from the previous end (0 for the first) up to its end.
 */
export const STAGE_ENDS: readonly number[] = [W.DL_SRC_HI, W.NW_SRC, W.TP_SRC, KEY_WORDS];

/** NW_FRAG bit: the packet is a fragment. */
export const FRAG_ANY = 1;
/** NW_FRAG bit: the packet is a fragment other than the first. */
export const FRAG_LATER = 2;
/** VLAN_TCI bit meaning "an 802.1Q tag is present". */
export const VLAN_CFI = 0x1000;
/** dl_type given to frames whose type/length field is an 802.3 length. */
export const DL_TYPE_NONE = 0x05ff;

/** A flow key: {@link KEY_WORDS} words laid out as {@link W}. */
export type FlowKey = Uint32Array;

/** A 64-bit field value (tunnel id, metadata) as a bigint or a safe integer. */
export type U64 = bigint | number;

/** Values that do not come from the packet itself. */
export interface KeyExtras {
  /** Tunnel id of the tunnel the packet arrived on (default 0). */
  tunId?: U64;
  /** OpenFlow metadata (default 0). */
  metadata?: U64;
  /** Registers 0..7 (missing entries are 0). */
  regs?: ArrayLike<number>;
}

/** A new all-zero flow key. */
export function newFlowKey(): FlowKey {
  return new Uint32Array(KEY_WORDS);
}

/** Split a 64-bit value into [high 32 bits, low 32 bits]. */
export function splitU64(v: U64): [number, number] {
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`not a u64: ${v}`);
    return [Math.floor(v / 4294967296) >>> 0, v >>> 0];
  }
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`not a u64: ${v}`);
  return [Number(v >> 32n) >>> 0, Number(v & 0xffffffffn) >>> 0];
}

/** Join two 32-bit halves into a 64-bit bigint. */
export function joinU64(hi: number, lo: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Read a 64-bit field whose high word is at `hiWord` (the low word follows). */
export function getKey64(key: FlowKey, hiWord: number): bigint {
  return joinU64(key[hiWord] ?? 0, key[hiWord + 1] ?? 0);
}

/** Write a 64-bit field whose high word is at `hiWord` (the low word follows). */
export function setKey64(key: FlowKey, hiWord: number, v: U64): void {
  const [hi, lo] = splitU64(v);
  key[hiWord] = hi;
  key[hiWord + 1] = lo;
}

/** Read a 48-bit MAC field whose high word is at `hiWord`. */
export function getKeyMac(key: FlowKey, hiWord: number): number {
  return (key[hiWord] ?? 0) * 4294967296 + (key[hiWord + 1] ?? 0);
}

/** Write a 48-bit MAC field whose high word is at `hiWord`. */
export function setKeyMac(key: FlowKey, hiWord: number, mac: number): void {
  key[hiWord] = Math.floor(mac / 4294967296) & 0xffff;
  key[hiWord + 1] = mac >>> 0;
}

/**
 * Build the flow key of packet `p` received on OpenFlow port `inPort`, as Open
 * vSwitch's flow extraction does. Writes into `into` when given (every word is
 * overwritten) so a hot path can reuse one buffer; otherwise allocates.
 */
export function keyFromPacket(
  p: Packet,
  inPort: number,
  extras?: KeyExtras,
  into?: FlowKey,
): FlowKey {
  const k = into ?? new Uint32Array(KEY_WORDS);
  if (into !== undefined) k.fill(0);
  k[W.IN_PORT] = inPort;
  if (extras !== undefined) {
    if (extras.tunId !== undefined) setKey64(k, W.TUN_ID_HI, extras.tunId);
    if (extras.metadata !== undefined) setKey64(k, W.METADATA_HI, extras.metadata);
    const regs = extras.regs;
    if (regs !== undefined) {
      const n = Math.min(regs.length, 8);
      for (let i = 0; i < n; i++) k[W.REG0 + i] = regs[i] ?? 0;
    }
  }
  const eth = p.eth;
  setKeyMac(k, W.DL_SRC_HI, eth.src);
  setKeyMac(k, W.DL_DST_HI, eth.dst);
  const type = eth.type < 0x600 ? DL_TYPE_NONE : eth.type;
  k[W.DL_TYPE] = type;
  const tag = eth.vlan;
  if (tag !== undefined) k[W.VLAN_TCI] = ((tag.pcp & 7) << 13) | VLAN_CFI | (tag.vid & 0xfff);

  if (type === EtherType.IPv4) {
    const ip = p.ip;
    if (ip === undefined) return k;
    k[W.NW_SRC] = ip.src;
    k[W.NW_DST] = ip.dst;
    k[W.NW_PROTO] = ip.proto;
    k[W.NW_TOS] = ip.tos & 0xff;
    if (ip.fragOffset > 0) {
      k[W.NW_FRAG] = FRAG_ANY | FRAG_LATER;
      return k; // later fragments carry no transport header
    }
    if (ip.mf) k[W.NW_FRAG] = FRAG_ANY;
    if (p.tcp !== undefined) {
      k[W.TP_SRC] = p.tcp.srcPort;
      k[W.TP_DST] = p.tcp.dstPort;
    } else if (p.udp !== undefined) {
      k[W.TP_SRC] = p.udp.srcPort;
      k[W.TP_DST] = p.udp.dstPort;
    } else if (p.icmp !== undefined) {
      k[W.TP_SRC] = p.icmp.type;
      k[W.TP_DST] = p.icmp.code;
    } else if (p.raw !== undefined) {
      // A first fragment (or an unparsed datagram) keeps its transport bytes raw.
      const r = p.raw;
      if ((ip.proto === IpProto.TCP || ip.proto === IpProto.UDP) && r.length >= 4) {
        k[W.TP_SRC] = ((r[0] ?? 0) << 8) | (r[1] ?? 0);
        k[W.TP_DST] = ((r[2] ?? 0) << 8) | (r[3] ?? 0);
      } else if (ip.proto === IpProto.ICMP && r.length >= 2) {
        k[W.TP_SRC] = r[0] ?? 0;
        k[W.TP_DST] = r[1] ?? 0;
      }
    }
  } else if (type === EtherType.ARP) {
    const arp = p.arp;
    if (arp === undefined) return k;
    k[W.NW_SRC] = arp.senderIp;
    k[W.NW_DST] = arp.targetIp;
    k[W.NW_PROTO] = arp.op <= 0xff ? arp.op : 0;
  }
  return k;
}
