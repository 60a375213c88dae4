/**
 * One-line packet summaries in the style of `tcpdump -n`, for traces and labs.
 *
 * @module
 */
import { formatIp4, formatMac } from "../wire/addr.ts";
import { type Packet, payloadLength, TcpFlag } from "../wire/packet.ts";

const ICMP_UNREACH: Record<number, string> = {
  0: "net",
  1: "host",
  2: "protocol",
  3: "port",
  4: "frag needed",
  13: "admin prohibited",
};

function tcpFlags(f: number): string {
  let s = "";
  if (f & TcpFlag.SYN) s += "S";
  if (f & TcpFlag.FIN) s += "F";
  if (f & TcpFlag.RST) s += "R";
  if (f & TcpFlag.PSH) s += "P";
  if (f & TcpFlag.URG) s += "U";
  if (f & TcpFlag.ECE) s += "E";
  if (f & TcpFlag.CWR) s += "W";
  if (f & TcpFlag.ACK) s += ".";
  return s || "none";
}

/** A tcpdump-like one-line description of a packet. */
export function summarize(p: Packet): string {
  const vlan = p.eth.vlan ? `vlan ${p.eth.vlan.vid}, ` : "";
  if (p.arp) {
    const a = p.arp;
    if (a.op === 1) {
      if (a.senderIp === a.targetIp) return `${vlan}ARP, Announcement, ${formatIp4(a.senderIp)}`;
      return `${vlan}ARP, Request who-has ${formatIp4(a.targetIp)} tell ${formatIp4(a.senderIp)}`;
    }
    return `${vlan}ARP, Reply ${formatIp4(a.senderIp)} is-at ${formatMac(a.senderMac)}`;
  }
  const ip = p.ip;
  if (!ip) return `${vlan}ethertype 0x${p.eth.type.toString(16).padStart(4, "0")}`;
  const src = formatIp4(ip.src);
  const dst = formatIp4(ip.dst);
  const frag = ip.mf || ip.fragOffset > 0
    ? ` (frag ${ip.id}:${p.raw?.length ?? 0}@${ip.fragOffset}${ip.mf ? "+" : ""})`
    : "";
  if (p.icmp && !frag) {
    const m = p.icmp;
    const len = payloadLength(m.payload) + 8;
    let what: string;
    switch (m.type) {
      case 0:
      case 8:
        what = `ICMP echo ${m.type === 8 ? "request" : "reply"}, id ${m.rest >>> 16}, seq ${
          m.rest & 0xffff
        }`;
        break;
      case 3:
        what = `ICMP ${dst} unreachable - ${ICMP_UNREACH[m.code] ?? `code ${m.code}`}${
          m.code === 4 ? `, mtu ${m.rest & 0xffff}` : ""
        }`;
        break;
      case 11:
        what = m.code === 0 ? "ICMP time exceeded in-transit" : "ICMP ip reassembly time exceeded";
        break;
      case 5:
        what = `ICMP redirect to host ${formatIp4(m.rest >>> 0)}`;
        break;
      default:
        what = `ICMP type ${m.type} code ${m.code}`;
    }
    return `${vlan}${src} > ${dst}: ${what}, length ${len}`;
  }
  if (p.udp && !frag) {
    const u = p.udp;
    return `${vlan}${src}.${u.srcPort} > ${dst}.${u.dstPort}: UDP, length ${
      payloadLength(u.payload)
    }`;
  }
  if (p.tcp && !frag) {
    const t = p.tcp;
    const len = payloadLength(t.payload);
    const seq = len > 0 ? `seq ${t.seq >>> 0}:${(t.seq + len) >>> 0}` : `seq ${t.seq >>> 0}`;
    const ack = t.flags & TcpFlag.ACK ? `, ack ${t.ack >>> 0}` : "";
    return `${vlan}${src}.${t.srcPort} > ${dst}.${t.dstPort}: Flags [${
      tcpFlags(t.flags)
    }], ${seq}${ack}, win ${t.window}, length ${len}`;
  }
  return `${vlan}${src} > ${dst}: ip-proto-${ip.proto}${frag}`;
}
