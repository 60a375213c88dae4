/**
 * The lines the LOG target writes to the kernel log, in the layout of the
 * kernel's nf_log_syslog (nf_log_ip_packet and dump_ipv4_packet): the devices,
 * the link-layer header of a received packet (`MAC=` destination, source and
 * EtherType), the IP header, the transport header, and for an ICMP error the
 * packet it quotes in brackets (once, not recursively), then `MARK=` when the
 * packet carries a firewall mark.
 *
 * Left out: the `--log-tcp-sequence`, `--log-tcp-options`, `--log-ip-options`
 * and `--log-uid` extras, and the AH/ESP/SCTP/UDP-Lite details (those
 * protocols print `PROTO=n`).
 *
 * @module
 */
import { IpProto, type Packet, TcpFlag } from "../wire/packet.ts";
import { formatIp4, formatMac } from "../wire/addr.ts";
import { ipPayloadLength } from "../wire/frame.ts";
import { readU16, readU32 } from "../wire/bytes.ts";
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
}

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

function ipText(h: IpFields): string {
  let s = `SRC=${formatIp4(h.src)} DST=${formatIp4(h.dst)} LEN=${h.len} ` +
    `TOS=0x${hex2(h.tos & 0x1e)} PREC=0x${hex2(h.tos & 0xe0)} TTL=${h.ttl} ID=${h.id} `;
  if (h.df) s += "DF ";
  if (h.mf) s += "MF ";
  if (h.fragOffset !== 0) s += `FRAG:${h.fragOffset >>> 3} `;
  return s;
}

function tcpText(sport: number, dport: number, window: number, flags: number, urgp: number) {
  let s = `SPT=${sport} DPT=${dport} WINDOW=${window} RES=0x00 `;
  for (const [bit, name] of FLAG_NAMES) if (flags & bit) s += name + " ";
  return s + `URGP=${urgp} `;
}

/** ICMP type and code, then what the type carries; `quote` is an error's quoted packet. */
function icmpText(type: number, code: number, rest: number, quote: Uint8Array | undefined) {
  let s = `TYPE=${type} CODE=${code} `;
  if (type === 0 || type === 8) s += `ID=${rest >>> 16} SEQ=${rest & 0xffff} `;
  else if (type === 12) s += `PARAMETER=${rest >>> 24} `;
  else if (type === 5) s += `GATEWAY=${formatIp4(rest >>> 0)} `;
  if ((type === 3 || type === 4 || type === 5 || type === 11) && quote !== undefined) {
    s += `[${quotedText(quote)}] `;
  }
  if (type === 3 && code === 4) s += `MTU=${rest & 0xffff} `;
  return s;
}

/** The packet quoted by an ICMP error, from its bytes (dump_ipv4_packet at an offset). */
function quotedText(q: Uint8Array): string {
  if (q.length < 20) return `INCOMPLETE [${q.length} bytes] `;
  const h = decodeIpv4Header(q, 0, q.length, { verifyChecksum: false });
  const hl = (q[0]! & 0x0f) * 4;
  let s = ipText({ ...h, len: readU16(q, 2) });
  const at = hl;
  const left = q.length - at;
  const frag = h.fragOffset !== 0;
  switch (h.proto) {
    case IpProto.TCP:
      s += "PROTO=TCP ";
      if (frag) return s;
      if (left < 20) return s + `INCOMPLETE [${left} bytes] `;
      return s + tcpText(
        readU16(q, at),
        readU16(q, at + 2),
        readU16(q, at + 14),
        q[at + 13]!,
        readU16(q, at + 18),
      );
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
      return s + icmpText(type, q[at + 1]!, readU32(q, at + 4), undefined);
    }
    default:
      return s + `PROTO=${h.proto} `;
  }
}

/**
 * A LOG line without its timestamp: `PREFIX IN=eth0 OUT=eth1 MAC=… SRC=… DST=…
 * LEN=… TOS=… PREC=… TTL=… ID=… [DF] PROTO=… …`. `inIf` is the device the
 * packet came in on (also for a forwarded packet at POSTROUTING), `outIf` the
 * one it leaves by.
 */
export function logLine(
  p: Packet,
  prefix: string,
  inIf: Interface | undefined,
  outIf: Interface | undefined,
): string {
  const ip = p.ip!;
  let s = `${prefix}IN=${inIf?.name ?? ""} OUT=${outIf?.name ?? ""} `;
  if (inIf) {
    // Loopback has a zeroed Ethernet header, as the kernel's loopback device does.
    const [dst, src] = inIf.kind === "loopback" ? [0, 0] : [p.eth.dst, p.eth.src];
    s += `MAC=${formatMac(dst)}:${formatMac(src)}:08:00 `;
  }
  s += ipText({ ...ip, len: ipHeaderLength(p) + ipPayloadLength(p) });
  const frag = ip.fragOffset !== 0;
  if (p.tcp) {
    s += "PROTO=TCP ";
    if (!frag) {
      const t = p.tcp;
      s += tcpText(t.srcPort, t.dstPort, t.window, t.flags, t.urgent);
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
      s += icmpText(c.type, c.code, c.rest, typeof c.payload === "number" ? undefined : c.payload);
    }
  } else s += `PROTO=${ip.proto} `;
  if (p.mark !== 0) s += `MARK=0x${p.mark.toString(16)} `;
  return s;
}
