/**
 * Shared set-ups and tools for the DHCP scenarios: a LAN with a server and
 * clients on a switch (the client MACs are the ones used on real machines to
 * record dnsmasq and dhclient, so the addresses dnsmasq hashes them to are the
 * real ones), and the DHCP messages on the wire, decoded from the frames each
 * node transmitted, with their Ethernet, IP and UDP headers — what a person
 * reads in tshark.
 *
 *   srv 192.168.1.1 ─┐
 *   pc  (dhcp)      ─┼─ sw
 *   pc2 (dhcp)      ─┘
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { formatIp4, formatMac, ip } from "../../core/wire/addr.ts";
import { decodeDhcp, type DhcpMessage, dhcpMessageTypeName } from "../../core/app/dhcp/message.ts";

export { formatIp4, formatMac, ip };

/** The MAC of the machine the real exchanges were recorded with; dnsmasq gives it .135 of .100–.200. */
export const PC_MAC = "52:54:00:a1:b2:c3";
/** A second client's MAC. */
export const PC2_MAC = "52:54:00:00:02:01";

/** One DHCP message as transmitted by a node. */
export interface WireDhcp {
  /** Virtual time, ns. */
  time: number;
  /** The node that sent it. */
  node: string;
  /** Its interface. */
  iface: string;
  /** Ethernet source and destination. */
  srcMac: string;
  dstMac: string;
  /** IPv4 source and destination. */
  src: string;
  dst: string;
  /** UDP ports. */
  srcPort: number;
  dstPort: number;
  /** IP TTL and TOS. */
  ttl: number;
  tos: number;
  /** Message type name ("DHCPDISCOVER", …). */
  type: string;
  /** The decoded message. */
  message: DhcpMessage;
}

/**
 * The DHCP messages the nodes (not the switches) transmitted, in time order,
 * optionally only those of one type or one sender.
 */
export function dhcpOnWire(
  net: Network,
  o: { type?: string; node?: string } = {},
): WireDhcp[] {
  const out: WireDhcp[] = [];
  for (const e of net.trace.events) {
    if (e.kind !== "tx" || !net.nodeMap.has(e.node)) continue;
    const p = e.packet;
    const u = p.udp;
    if (p.ip === undefined || u === undefined || typeof u.payload === "number") continue;
    if (![67, 68].includes(u.dstPort)) continue;
    const message = decodeDhcp(u.payload);
    const type = dhcpMessageTypeName(message.options.messageType);
    if (o.type !== undefined && type !== o.type) continue;
    if (o.node !== undefined && e.node !== o.node) continue;
    out.push({
      time: e.time,
      node: e.node,
      iface: e.iface,
      srcMac: formatMac(p.eth.src),
      dstMac: formatMac(p.eth.dst),
      src: formatIp4(p.ip.src),
      dst: formatIp4(p.ip.dst),
      srcPort: u.srcPort,
      dstPort: u.dstPort,
      ttl: p.ip.ttl,
      tos: p.ip.tos,
      type,
      message,
    });
  }
  return out;
}

/** Seconds, for readable timelines. */
export function secs(ns: number): number {
  return ns / 1e9;
}

/**
 * A LAN: `srv` (192.168.1.1/24) and the named clients on switch `sw`, each
 * client with a fixed MAC (PC_MAC, PC2_MAC, then 52:54:00:00:02:0N).
 */
export function lan(net: Network, ...clients: string[]): { srv: Node; pcs: Node[] } {
  const srv = net.node("srv");
  const sw = net.switch("sw");
  net.connect(srv, sw);
  srv.sh("ip addr add 192.168.1.1/24 dev eth0");
  const pcs = clients.map((name, i) => {
    const pc = net.node(name);
    net.connect(pc, sw);
    const mac = i === 0 ? PC_MAC : i === 1 ? PC2_MAC : `52:54:00:00:02:0${i}`;
    pc.sh(`ip link set eth0 address ${mac}`);
    return pc;
  });
  return { srv, pcs };
}

/** The first lines `dhclient -v` prints: its banner and the packet-socket lines for one interface. */
export function dhclientHeader(ifname: string, mac: string): string[] {
  return [
    "Internet Systems Consortium DHCP Client 4.4.3-P1",
    "Copyright 2004-2022 Internet Systems Consortium.",
    "All rights reserved.",
    "For info, please visit https://www.isc.org/software/dhcp/",
    "",
    `Listening on LPF/${ifname}/${mac}`,
    `Sending on   LPF/${ifname}/${mac}`,
    "Sending on   Socket/fallback",
  ];
}

/** The text of a node's file. */
export function fileText(node: Node, path: string): string | undefined {
  const f = node.files.get(path);
  if (f === undefined) return undefined;
  return new TextDecoder().decode(typeof f === "function" ? f() : f);
}

/** The lines a node's daemons logged to /var/log/syslog, without the timestamp and host. */
export function syslogLines(node: Node, tag?: string): string[] {
  const text = fileText(node, "/var/log/syslog") ?? "";
  return text.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\w+ +\d+ [\d:]+ \S+ /, ""))
    .filter((l) => tag === undefined || l.startsWith(tag + "["))
    .map((l) => l.replace(/^[\w.-]+\[\d+\]: /, ""));
}
