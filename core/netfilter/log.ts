/**
 * The lines the LOG target writes to the kernel log, in the layout of the
 * kernel's nf_log_syslog (nf_log_ip_packet and dump_ipv4_packet): the devices,
 * the link-layer header of a received packet (`MAC=` destination, source and
 * EtherType), the IP header, the transport header, and for an ICMP error the
 * packet it quotes in brackets (once, not recursively), then `MARK=` when the
 * packet carries a firewall mark. The rule's flags add `SEQ=`/`ACK=`
 * (`--log-tcp-sequence`), the TCP and IP options in hex (`--log-tcp-options`,
 * `--log-ip-options`: `OPT (…)`, also inside the brackets), and
 * `MACSRC=`/`MACDST=`/`MACPROTO=` for an Ethernet device (`--log-macdecode`).
 *
 * Left out: `--log-uid`'s `UID=`/`GID=` (packets do not carry the socket that
 * sent them), and the AH/ESP/SCTP/UDP-Lite details (those protocols print
 * `PROTO=n`).
 *
 * @module
 */
import { IpProto, type Packet, TcpFlag } from "../wire/packet.ts";
import { formatIp4, formatMac } from "../wire/addr.ts";
import { ipPayloadLength } from "../wire/frame.ts";
import { readU16, readU32 } from "../wire/bytes.ts";
import { encodeTcp, tcpHeaderLength } from "../wire/tcp.ts";
import type { TcpSegment } from "../wire/packet.ts";
import { decodeIpv4Header } from "../wire/ipv4.ts";
import { ipHeaderLength } from "../ip/ipv4.ts";
import type { Interface } from "../net/interface.ts";

/** The IP header fields a log line shows. */
interface IpFields {
  src: number;
  dst: number;
  /** Total length. */
  len: number;
  tos: number;
  ttl: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes. */
  fragOffset: number;
  /** IP options, if any. */
  options: Uint8Array | undefined;
}

/** The LOG flags this module acts on (xt_log_info.logflags). */
const TCPSEQ = 0x01;
const TCPOPT = 0x02;
const IPOPT = 0x04;
const MACDECODE = 0x20;

const FLAG_NAMES: Array<[number, string]> = [
  [TcpFlag.CWR, "CWR"],
  [TcpFlag.ECE, "ECE"],
  [TcpFlag.URG, "URG"],
  [TcpFlag.ACK, "ACK"],
  [TcpFlag.PSH, "PSH"],
  [TcpFlag.RST, "RST"],
  [TcpFlag.SYN, "SYN"],
  [TcpFlag.FIN, "FIN"],
];

/** Bytes an ICMP message of each type must have for its fields to be shown. */
const ICMP_REQUIRED: Record<number, number> = {
  0: 4,
  3: 28,
  4: 28,
  5: 28,
  8: 4,
  11: 28,
  12: 28,
  13: 20,
  14: 20,
  17: 12,
  18: 12,
};

function hex2(v: number): string {
  return v.toString(16).padStart(2, "0").toUpperCase();
}

/** `OPT (0204…) `: option bytes in upper-case hex, as the kernel prints them. */
function optText(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += hex2(b);
  return `OPT (${s}) `;
}

function ipText(h: IpFields, logFlags: number): string {
  let s = `SRC=${formatIp4(h.src)} DST=${formatIp4(h.dst)} LEN=${h.len} ` +
    `TOS=0x${hex2(h.tos & 0x1e)} PREC=0x${hex2(h.tos & 0xe0)} TTL=${h.ttl} ID=${h.id} `;
  if (h.df) s += "DF ";
  if (h.mf) s += "MF ";
  if (h.fragOffset !== 0) s += `FRAG:${h.fragOffset >>> 3} `;
  if ((logFlags & IPOPT) && h.options !== undefined && h.options.length > 0) {
    s += optText(h.options);
  }
  return s;
}

/** The TCP header fields a log line shows. */
interface TcpFields {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  window: number;
  flags: number;
  urgp: number;
  /** Option bytes, if any. */
  options: Uint8Array | undefined;
}

function tcpText(t: TcpFields, logFlags: number) {
  let s = `SPT=${t.sport} DPT=${t.dport} `;
  if (logFlags & TCPSEQ) s += `SEQ=${t.seq >>> 0} ACK=${t.ack >>> 0} `;
  s += `WINDOW=${t.window} RES=0x00 `;
  for (const [bit, name] of FLAG_NAMES) if (t.flags & bit) s += name + " ";
  s += `URGP=${t.urgp} `;
  if ((logFlags & TCPOPT) && t.options !== undefined && t.options.length > 0) {
    s += optText(t.options);
  }
  return s;
}

/** A segment's option bytes as they go on the wire. */
function tcpOptionBytes(seg: TcpSegment): Uint8Array {
  const hl = tcpHeaderLength(seg);
  const buf = new Uint8Array(hl);
  encodeTcp({ ...seg, payload: 0 }, buf, 0, 0, 0);
  return buf.subarray(20, hl);
}

/** ICMP type and code, then what the type carries; `quote` is an error's quoted packet. */
function icmpText(
  type: number,
  code: number,
  rest: number,
  quote: Uint8Array | undefined,
  logFlags: number,
) {
  let s = `TYPE=${type} CODE=${code} `;
  if (type === 0 || type === 8) s += `ID=${rest >>> 16} SEQ=${rest & 0xffff} `;
  else if (type === 12) s += `PARAMETER=${rest >>> 24} `;
  else if (type === 5) s += `GATEWAY=${formatIp4(rest >>> 0)} `;
  if ((type === 3 || type === 4 || type === 5 || type === 11) && quote !== undefined) {
    s += `[${quotedText(quote, logFlags)}] `;
  }
  if (type === 3 && code === 4) s += `MTU=${rest & 0xffff} `;
  return s;
}

/** The packet quoted by an ICMP error, from its bytes (dump_ipv4_packet at an offset). */
function quotedText(q: Uint8Array, logFlags: number): string {
  if (q.length < 20) return `INCOMPLETE [${q.length} bytes] `;
  const h = decodeIpv4Header(q, 0, q.length, { verifyChecksum: false });
  const hl = (q[0]! & 0x0f) * 4;
  let s = ipText({ ...h, len: readU16(q, 2), options: q.subarray(20, hl) }, logFlags);
  const at = hl;
  const left = q.length - at;
  const frag = h.fragOffset !== 0;
  switch (h.proto) {
    case IpProto.TCP:
      s += "PROTO=TCP ";
      if (frag) return s;
      if (left < 20) return s + `INCOMPLETE [${left} bytes] `;
      return s + tcpText({
        sport: readU16(q, at),
        dport: readU16(q, at + 2),
        seq: readU32(q, at + 4),
        ack: readU32(q, at + 8),
        window: readU16(q, at + 14),
        flags: q[at + 13]!,
        urgp: readU16(q, at + 18),
        options: q.subarray(at + 20, Math.min(q.length, at + (q[at + 12]! >>> 4) * 4)),
      }, logFlags);
    case IpProto.UDP:
      s += "PROTO=UDP ";
      if (frag) return s;
      if (left < 8) return s + `INCOMPLETE [${left} bytes] `;
      return s + `SPT=${readU16(q, at)} DPT=${readU16(q, at + 2)} LEN=${readU16(q, at + 4)} `;
    case IpProto.ICMP: {
      s += "PROTO=ICMP ";
      if (frag) return s;
      if (left < 8) return s + `INCOMPLETE [${left} bytes] `;
      const type = q[at]!;
      if (left < (ICMP_REQUIRED[type] ?? 0)) {
        return s + `TYPE=${type} CODE=${q[at + 1]!} INCOMPLETE [${left} bytes] `;
      }
      return s + icmpText(type, q[at + 1]!, readU32(q, at + 4), undefined, logFlags);
    }
    default:
      return s + `PROTO=${h.proto} `;
  }
}

/**
 * A LOG line without its timestamp: `PREFIX IN=eth0 OUT=eth1 MAC=… SRC=… DST=…
 * LEN=… TOS=… PREC=… TTL=… ID=… [DF] PROTO=… …`. `inIf` is the device the
 * packet came in on (also for a forwarded packet at POSTROUTING), `outIf` the
 * one it leaves by; `logFlags` the rule's LOG flags.
 */
export function logLine(
  p: Packet,
  prefix: string,
  inIf: Interface | undefined,
  outIf: Interface | undefined,
  logFlags = 0,
): string {
  const ip = p.ip!;
  let s = `${prefix}IN=${inIf?.name ?? ""} OUT=${outIf?.name ?? ""} `;
  if (inIf) {
    if (inIf.kind !== "loopback" && (logFlags & MACDECODE)) {
      s += `MACSRC=${formatMac(p.eth.src)} MACDST=${formatMac(p.eth.dst)} MACPROTO=0800 `;
    } else {
      // Loopback has a zeroed Ethernet header, as the kernel's loopback device does.
      const [dst, src] = inIf.kind === "loopback" ? [0, 0] : [p.eth.dst, p.eth.src];
      s += `MAC=${formatMac(dst)}:${formatMac(src)}:08:00 `;
    }
  }
  s += ipText({ ...ip, len: ipHeaderLength(p) + ipPayloadLength(p) }, logFlags);
  const frag = ip.fragOffset !== 0;
  if (p.tcp) {
    s += "PROTO=TCP ";
    if (!frag) {
      const t = p.tcp;
      s += tcpText({
        sport: t.srcPort,
        dport: t.dstPort,
        seq: t.seq,
        ack: t.ack,
        window: t.window,
        flags: t.flags,
        urgp: t.urgent,
        options: (logFlags & TCPOPT) ? tcpOptionBytes(t) : undefined,
      }, logFlags);
    }
  } else if (p.udp) {
    s += "PROTO=UDP ";
    if (!frag) {
      const len = 8 + (typeof p.udp.payload === "number" ? p.udp.payload : p.udp.payload.length);
      s += `SPT=${p.udp.srcPort} DPT=${p.udp.dstPort} LEN=${len} `;
    }
  } else if (p.icmp) {
    s += "PROTO=ICMP ";
    if (!frag) {
      const c = p.icmp;
      const quote = typeof c.payload === "number" ? undefined : c.payload;
      s += icmpText(c.type, c.code, c.rest, quote, logFlags);
    }
  } else s += `PROTO=${ip.proto} `;
  if (p.mark !== 0) s += `MARK=0x${p.mark.toString(16)} `;
  return s;
}
