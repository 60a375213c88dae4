/**
 * The packet quoted inside an ICMP error, as conntrack and NAT see it: its
 * tuple (to find the connection the error is RELATED to) and the rewrite NAT
 * applies to it, so that an error about a translated packet quotes the packet
 * as its receiver sent it. Checksums inside the quote (IP header, and the
 * transport checksum when quoted) are patched incrementally (RFC 1624), as
 * the kernel's nf_nat_ipv4_manip_pkt does.
 *
 * @module
 */
import { IpProto, type Packet } from "../wire/packet.ts";
import { readU16, readU32, writeU16 } from "../wire/bytes.ts";
import { internetChecksum, updateChecksum } from "../wire/checksum.ts";
import type { Tuple } from "./conntrack.ts";

/** The tuple of the datagram quoted by an ICMP error, or undefined when too short. */
export function quotedTuple(p: Packet): Tuple | undefined {
  const q = p.icmp?.payload;
  if (q === undefined || typeof q === "number" || q.length < 20) return undefined;
  const ihl = (q[0]! & 0x0f) * 4;
  if (q.length < ihl + 4) return undefined;
  const proto = q[9]!;
  const src = readU32(q, 12);
  const dst = readU32(q, 16);
  if (proto === IpProto.TCP || proto === IpProto.UDP) {
    return { src, dst, proto, sport: readU16(q, ihl), dport: readU16(q, ihl + 2) };
  }
  if (proto === IpProto.ICMP) {
    if (q.length < ihl + 8) return undefined;
    return { src, dst, proto, sport: readU16(q, ihl + 4), dport: (q[ihl]! << 8) | q[ihl + 1]! };
  }
  return { src, dst, proto, sport: 0, dport: 0 };
}

/**
 * Rewrite the quoted datagram's source (or destination) address and port to
 * `target`'s, patching its checksums. The quote is copied first, so earlier
 * snapshots of the packet keep what they saw.
 */
export function natQuote(p: Packet, target: Tuple, srcManip: boolean): void {
  const icmp = p.icmp;
  const orig = icmp?.payload;
  if (icmp === undefined || orig === undefined || typeof orig === "number" || orig.length < 20) {
    return;
  }
  const q = orig.slice();
  const ihl = (q[0]! & 0x0f) * 4;
  const proto = q[9]!;
  const addrAt = srcManip ? 12 : 16;
  const oldAddr = readU32(q, addrAt);
  const newAddr = srcManip ? target.src : target.dst;
  q[addrAt] = newAddr >>> 24;
  q[addrAt + 1] = (newAddr >>> 16) & 0xff;
  q[addrAt + 2] = (newAddr >>> 8) & 0xff;
  q[addrAt + 3] = newAddr & 0xff;
  writeU16(q, 10, 0);
  writeU16(q, 10, internetChecksum(q, 0, ihl));
  const csumAt = proto === IpProto.TCP ? ihl + 16 : proto === IpProto.UDP ? ihl + 6 : -1;
  const patch = (oldWord: number, newWord: number) => {
    if (csumAt < 0 || q.length < csumAt + 2) return;
    const c = readU16(q, csumAt);
    if (proto === IpProto.UDP && c === 0) return; // no checksum
    writeU16(q, csumAt, updateChecksum(c, oldWord, newWord));
  };
  patch(oldAddr >>> 16, newAddr >>> 16);
  patch(oldAddr & 0xffff, newAddr & 0xffff);
  if ((proto === IpProto.TCP || proto === IpProto.UDP) && q.length >= ihl + 4) {
    const at = srcManip ? ihl : ihl + 2;
    const old = readU16(q, at);
    const port = srcManip ? target.sport : target.dport;
    writeU16(q, at, port);
    patch(old, port);
  } else if (proto === IpProto.ICMP && q.length >= ihl + 8) {
    const old = readU16(q, ihl + 4);
    writeU16(q, ihl + 4, target.sport);
    writeU16(q, ihl + 2, updateChecksum(readU16(q, ihl + 2), old, target.sport));
  }
  p.icmp = { ...icmp, payload: q };
}
