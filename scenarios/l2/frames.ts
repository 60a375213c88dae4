/**
 * Small helpers shared by the l2 scenarios: who received which frames, ARP
 * fields as text, and hand-made ARP frames for the cases no command sends
 * (what `arping` would put on the wire).
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { TraceEvent, TraceFilter } from "../../core/sim/trace.ts";
import { formatIp4, formatMac, ip, parseMac } from "../../core/wire/addr.ts";
import { BROADCAST_MAC, EtherType, newPacket } from "../../core/wire/packet.ts";

/** "node:iface" of every event matching `f`, in trace order. */
export function where(net: Network, f: TraceFilter): string[] {
  return net.trace.filter(f).map((e) => `${e.node}:${e.iface}`);
}

/** How many events match `f` at each "node:iface". */
export function perPort(net: Network, f: TraceFilter): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of where(net, f)) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** Frames whose Ethernet source is `mac` (text). */
export function fromMac(mac: string): (e: TraceEvent) => boolean {
  const m = parseMac(mac)!;
  return (e) => e.packet.eth.src === m;
}

/** Frames whose Ethernet destination is `mac` (text). */
export function toMac(mac: string): (e: TraceEvent) => boolean {
  const m = parseMac(mac)!;
  return (e) => e.packet.eth.dst === m;
}

/** An ARP frame as a person reads it off a capture. */
export interface ArpView {
  ethSrc: string;
  ethDst: string;
  op: "request" | "reply";
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** The Ethernet and ARP fields of an ARP event. */
export function arpView(e: TraceEvent): ArpView {
  const a = e.packet.arp!;
  return {
    ethSrc: formatMac(e.packet.eth.src),
    ethDst: formatMac(e.packet.eth.dst),
    op: a.op === 1 ? "request" : "reply",
    senderMac: formatMac(a.senderMac),
    senderIp: formatIp4(a.senderIp),
    targetMac: formatMac(a.targetMac),
    targetIp: formatIp4(a.targetIp),
  };
}

/** `who-has T tell S` / `S is-at M` for every ARP frame `node` transmitted. */
export function arpSent(net: Network, node: string, since = 0): string[] {
  return net.trace.filter({ kind: "tx", node, arp: true }).filter((e) => e.time >= since).map(
    (e) => {
      const v = arpView(e);
      return v.op === "request"
        ? `who-has ${v.targetIp} tell ${v.senderIp} to ${v.ethDst}`
        : `${v.senderIp} is-at ${v.senderMac} to ${v.ethDst}`;
    },
  );
}

/** Fields of a hand-made ARP frame (addresses as text). */
export interface RawArp {
  op: "request" | "reply";
  senderIp: string;
  targetIp: string;
  /** Default: the interface's MAC. */
  senderMac?: string;
  /** Default: 00:00:00:00:00:00 for a request, the sender MAC for a reply. */
  targetMac?: string;
  /** Ethernet destination; default broadcast. */
  ethDst?: string;
}

/** Put a hand-made ARP frame on `node`'s interface, as `arping` would. */
export function sendArp(net: Network, node: Node, ifname: string, f: RawArp): void {
  const iface = node.iface(ifname);
  const senderMac = f.senderMac ? parseMac(f.senderMac)! : iface.mac;
  const p = newPacket({
    dst: f.ethDst ? parseMac(f.ethDst)! : BROADCAST_MAC,
    src: iface.mac,
    type: EtherType.ARP,
    vlan: undefined,
  });
  p.arp = {
    op: f.op === "request" ? 1 : 2,
    senderMac,
    senderIp: ip(f.senderIp),
    targetMac: f.targetMac ? parseMac(f.targetMac)! : f.op === "request" ? 0 : senderMac,
    targetIp: ip(f.targetIp),
  };
  net.trace.birth(p);
  iface.transmit(p);
}

/** The lines of `ip neigh` on a node, trailing blanks trimmed. */
export function ipNeigh(node: Node): string[] {
  return node.sh("ip neigh").stdout.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
}
