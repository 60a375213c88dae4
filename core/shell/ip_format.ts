/**
 * Text and JSON layouts of iproute2's `ip link`, `ip addr`, `ip route` and
 * `ip neigh`, for packetlab's interfaces, addresses, routes and neighbours.
 *
 * @module
 */
import { formatIp4, formatMac } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import type { NetNs } from "../node/netns.ts";
import type { IfAddr } from "../ip/ipv4.ts";
import type { Route } from "../ip/route.ts";
import type { NeighEntry } from "../ip/neigh.ts";

/** Interface flags as `ip link` prints them. */
export function linkFlags(i: Interface): string[] {
  const f: string[] = [];
  if (i.kind === "loopback") {
    f.push("LOOPBACK");
  } else {
    if (i.adminUp && !i.carrier) f.push("NO-CARRIER");
    f.push("BROADCAST", "MULTICAST");
  }
  if (i.adminUp) f.push("UP");
  if (i.operUp) f.push("LOWER_UP");
  return f;
}

/** Operational state as `ip link` prints it. */
export function operState(i: Interface): string {
  if (!i.adminUp) return "DOWN";
  if (i.kind === "loopback") return "UNKNOWN";
  if (!i.carrier) return i.kind === "veth" ? "LOWERLAYERDOWN" : "DOWN";
  return "UP";
}

/** The queueing discipline name shown for a device. */
export function qdiscName(i: Interface): string {
  if (!i.everUp) return "noop";
  return i.kind === "ether" ? "pfifo_fast" : "noqueue";
}

/** `NAME@PEER` for veth devices, as `ip link` shows them. */
export function linkName(ns: NetNs, i: Interface): string {
  if (i.kind !== "veth" || !i.peer) return i.name;
  const peerHere = ns.dev.get(i.peer.name) === i.peer;
  return `${i.name}@${peerHere ? i.peer.name : `if${i.peer.ifindex}`}`;
}

function linkLine(ns: NetNs, i: Interface, withMode: boolean): string {
  return `${i.ifindex}: ${linkName(ns, i)}: <${linkFlags(i).join(",")}> mtu ${i.mtu} qdisc ${
    qdiscName(i)
  }${i.master ? ` master ${i.master}` : ""} state ${operState(i)}${
    withMode ? " mode DEFAULT" : ""
  } group default qlen ${i.txqueuelen}`;
}

function etherLine(ns: NetNs, i: Interface): string {
  if (i.kind === "loopback") return "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00";
  let extra = "";
  if (i.kind === "veth" && i.peer && ns.dev.get(i.peer.name) !== i.peer) extra = " link-netnsid 0";
  return `    link/ether ${formatMac(i.mac)} brd ff:ff:ff:ff:ff:ff${extra}`;
}

/** Byte and packet counters block of `ip -s link`. */
function statsLines(i: Interface): string[] {
  const c = i.counters;
  const row = (vals: number[]) =>
    "    " + vals.map((v, k) => String(v).padStart(k === 0 ? 10 : 7)).join(" ") + " ";
  return [
    "    RX:  bytes packets errors dropped  missed   mcast           ",
    row([c.rxBytes, c.rxPackets, 0, c.rxDropped, 0, 0]),
    "    TX:  bytes packets errors dropped carrier collsns           ",
    row([c.txBytes, c.txPackets, 0, c.txDropped, 0, 0]),
  ];
}

/** `ip link show` text for one device. */
export function formatLink(ns: NetNs, i: Interface, stats: boolean): string {
  const lines = [linkLine(ns, i, true), etherLine(ns, i)];
  if (stats) lines.push(...statsLines(i));
  return lines.join("\n");
}

/** `ip addr show` text for one device. */
export function formatAddr(ns: NetNs, i: Interface, addrs: IfAddr[], stats: boolean): string {
  const lines = [linkLine(ns, i, false), etherLine(ns, i)];
  for (const a of addrs) {
    const brd = a.broadcast ? ` brd ${formatIp4(a.broadcast)}` : "";
    const sec = a.secondary ? " secondary" : "";
    const npr = a.noprefixroute ? " noprefixroute" : "";
    lines.push(
      `    inet ${formatIp4(a.addr)}/${a.len}${brd} scope ${a.scope}${sec}${npr} ${a.label}`,
    );
    lines.push("       valid_lft forever preferred_lft forever");
  }
  if (stats) lines.push(...statsLines(i));
  return lines.join("\n");
}

/** `ip -j addr` object for one device. */
export function addrJson(ns: NetNs, i: Interface, addrs: IfAddr[]): Record<string, unknown> {
  const o: Record<string, unknown> = linkJson(ns, i);
  o.addr_info = addrs.map((a) => ({
    family: "inet",
    local: formatIp4(a.addr),
    prefixlen: a.len,
    ...(a.broadcast ? { broadcast: formatIp4(a.broadcast) } : {}),
    scope: a.scope,
    ...(a.secondary ? { secondary: true } : {}),
    ...(a.noprefixroute ? { noprefixroute: true } : {}),
    label: a.label,
    valid_life_time: 4294967295,
    preferred_life_time: 4294967295,
  }));
  return o;
}

/** `ip -j link` object for one device. */
export function linkJson(ns: NetNs, i: Interface): Record<string, unknown> {
  const o: Record<string, unknown> = { ifindex: i.ifindex };
  if (i.kind === "veth" && i.peer) {
    const peerHere = ns.dev.get(i.peer.name) === i.peer;
    if (peerHere) o.link = i.peer.name;
    else o.link_index = i.peer.ifindex;
  }
  Object.assign(o, {
    ifname: i.name,
    flags: linkFlags(i),
    mtu: i.mtu,
    qdisc: qdiscName(i),
    ...(i.master ? { master: i.master } : {}),
    operstate: operState(i),
    group: "default",
    txqlen: i.txqueuelen,
    link_type: i.kind === "loopback" ? "loopback" : "ether",
    address: i.kind === "loopback" ? "00:00:00:00:00:00" : formatMac(i.mac),
    broadcast: i.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff",
  });
  if (i.kind === "veth" && i.peer && ns.dev.get(i.peer.name) !== i.peer) o.link_netnsid = 0;
  return o;
}

function dstText(r: Route): string {
  if (r.len === 0 && r.table !== 255) return "default";
  return r.len === 32 ? formatIp4(r.dst) : `${formatIp4(r.dst)}/${r.len}`;
}

/** Table name for `table X` output (main is never printed). */
export function tableName(id: number, names: Map<number, string>): string {
  return names.get(id) ?? String(id);
}

/** One `ip route show` line. */
export function formatRoute(r: Route, showTable: boolean, names: Map<number, string>): string {
  const parts: string[] = [];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(dstText(r));
  if (showTable) parts.push("table", tableName(r.table, names));
  const nh = r.nexthops;
  if (nh.length === 1) {
    if (nh[0]!.gateway) parts.push("via", formatIp4(nh[0]!.gateway));
    parts.push("dev", nh[0]!.dev.name);
  }
  if (r.proto !== "boot" && r.proto !== "unspec") parts.push("proto", r.proto);
  const defaultScope = r.type === "local" ? "host" : r.type === "broadcast" ? "link" : "global";
  if (r.scope !== defaultScope || r.type === "local" || r.type === "broadcast") {
    parts.push("scope", r.scope);
  }
  if (r.prefsrc) parts.push("src", formatIp4(r.prefsrc));
  if (r.metric) parts.push("metric", String(r.metric));
  if (r.mtu) parts.push("mtu", String(r.mtu));
  if (nh.length === 1 && nh[0]!.onlink) parts.push("onlink");
  if (
    nh.length === 1 && !nh[0]!.dev.carrier && nh[0]!.dev.kind !== "loopback" && r.type === "unicast"
  ) {
    parts.push("linkdown");
  }
  let line = parts.join(" ") + " ";
  if (nh.length > 1) {
    for (const n of nh) {
      line += `\n\tnexthop ${
        n.gateway ? `via ${formatIp4(n.gateway)} ` : ""
      }dev ${n.dev.name} weight ${n.weight} `;
    }
  }
  return line;
}

/** `ip -j route` object for one route. */
export function routeJson(
  r: Route,
  showTable: boolean,
  names: Map<number, string>,
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== "unicast") o.type = r.type;
  o.dst = dstText(r);
  if (showTable) o.table = tableName(r.table, names);
  const nh = r.nexthops;
  if (nh.length === 1) {
    if (nh[0]!.gateway) o.gateway = formatIp4(nh[0]!.gateway);
    o.dev = nh[0]!.dev.name;
  }
  if (r.proto !== "boot") o.protocol = r.proto;
  const defaultScope = r.type === "local" ? "host" : r.type === "broadcast" ? "link" : "global";
  if (r.scope !== defaultScope || r.type === "local" || r.type === "broadcast") o.scope = r.scope;
  if (r.prefsrc) o.prefsrc = formatIp4(r.prefsrc);
  if (r.metric) o.metric = r.metric;
  o.flags = nh.length === 1 && nh[0]!.onlink ? ["onlink"] : [];
  if (nh.length > 1) {
    o.nexthops = nh.map((n) => ({
      ...(n.gateway ? { gateway: formatIp4(n.gateway) } : {}),
      dev: n.dev.name,
      weight: n.weight,
      flags: [],
    }));
  }
  return o;
}

/** One `ip neigh show` line. */
export function formatNeigh(e: NeighEntry): string {
  const ll = e.mac && e.state !== "INCOMPLETE" && e.state !== "FAILED"
    ? ` lladdr ${formatMac(e.mac)}`
    : "";
  return `${formatIp4(e.ip)} dev ${e.iface.name}${ll} ${e.state}`;
}

/** `ip -j neigh` object for one entry. */
export function neighJson(e: NeighEntry): Record<string, unknown> {
  return {
    dst: formatIp4(e.ip),
    dev: e.iface.name,
    ...(e.mac && e.state !== "INCOMPLETE" && e.state !== "FAILED"
      ? { lladdr: formatMac(e.mac) }
      : {}),
    state: [e.state],
  };
}
