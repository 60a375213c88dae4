/**
 * Text and JSON layouts of iproute2 6.1's `ip link`, `ip addr`, `ip route` and
 * `ip neigh`, for packetlab's interfaces, addresses, routes and neighbours:
 * flags (`NO-CARRIER`, `M-DOWN`, `LOWER_UP`), operational state as Linux's
 * link watch computes it (`LOWERLAYERDOWN` for a veth that lost its carrier
 * while its peer was down in the same namespace, else `DOWN`), `NAME@PEER` and
 * `link-netns NAME`, statistics blocks, brief (`-br`) and one-line (`-o`)
 * forms, and iproute2's JSON writer (compact, or `-p` pretty with its
 * `[ {` … `} ]` layout).
 *
 * @module
 */
import { formatIp4, formatMac } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import type { Namespace } from "../net/namespace.ts";
import type { Node } from "../node/node.ts";
import type { NetNs } from "../node/netns.ts";
import type { IfAddr } from "../ip/ipv4.ts";
import { type NextHop, nextHopDead, type Route } from "../ip/route.ts";
import type { NeighEntry } from "../ip/neigh.ts";

/** Where an `ip` command looks from: its namespace and the machine around it. */
export interface View {
  node: Node;
  ns: NetNs;
}

// ------------------------------------------------------------- link state

interface LinkState {
  /** Operational state computed at the last carrier change. */
  oper: "UP" | "DOWN" | "LOWERLAYERDOWN";
  carrier: boolean;
  /** Carrier transitions (`ip -s -s link`'s transns). */
  transitions: number;
}

const linkStates = new WeakMap<Interface, LinkState>();
const watched = new WeakSet<Namespace>();

/** Linux's default_operstate for a device without carrier: the peer is looked up by index here. */
function operWithoutCarrier(i: Interface, owner: Namespace): "DOWN" | "LOWERLAYERDOWN" {
  const iflink = i.peer?.ifindex;
  if (iflink === undefined || iflink === i.ifindex) return "DOWN";
  const lower = owner.byIndex(iflink);
  if (!lower) return "DOWN";
  // A veth going down drops its own carrier too (veth_close).
  return lower.carrier && lower.adminUp ? "DOWN" : "LOWERLAYERDOWN";
}

/**
 * Record a device's operational state now (as Linux's link watch does after a
 * carrier change); `created` counts the carrier loss of a new veth.
 */
export function noteCarrier(i: Interface, owner: Namespace, created = false): void {
  const s = linkStates.get(i);
  const oper = i.carrier ? "UP" : operWithoutCarrier(i, owner);
  if (!s) {
    linkStates.set(i, { oper, carrier: i.carrier, transitions: created ? 1 : 0 });
    return;
  }
  if (s.carrier !== i.carrier) s.transitions++;
  s.carrier = i.carrier;
  s.oper = oper;
}

/** Follow carrier changes of the veths in a namespace (idempotent). */
export function watchCarrier(owner: Namespace): void {
  if (watched.has(owner)) return;
  watched.add(owner);
  owner.listeners.push((iface, what) => {
    if (what !== "state" || iface.kind !== "veth") return;
    const s = linkStates.get(iface);
    if (s && s.carrier === iface.carrier) return;
    noteCarrier(iface, owner);
  });
}

/** Carrier transitions seen on a device. */
export function carrierTransitions(i: Interface): number {
  return linkStates.get(i)?.transitions ?? 0;
}

/** Interface flags as `ip link` prints them. */
export function linkFlags(v: View, i: Interface): string[] {
  const f: string[] = [];
  if (i.adminUp && !i.carrier && i.kind !== "loopback") f.push("NO-CARRIER");
  if (i.kind === "loopback") f.push("LOOPBACK");
  else f.push("BROADCAST", "MULTICAST");
  if (i.adminUp) f.push("UP");
  if (i.operUp) f.push("LOWER_UP");
  if (peerHere(v, i) && !i.peer!.adminUp) f.push("M-DOWN");
  return f;
}

/** Operational state as `ip link` prints it. */
export function operState(i: Interface): string {
  if (!i.adminUp) return "DOWN";
  if (i.kind === "loopback") return "UNKNOWN";
  if (i.carrier) return "UP";
  return linkStates.get(i)?.oper ?? "DOWN";
}

/** The queueing discipline name shown for a device. */
export function qdiscName(i: Interface): string {
  if (!i.everUp) return "noop";
  return i.kind === "ether" ? "pfifo_fast" : "noqueue";
}

function peerHere(v: View, i: Interface): boolean {
  return i.kind === "veth" && i.peer !== undefined && v.ns.dev.get(i.peer.name) === i.peer;
}

/** The namespace a device lives in, on this machine. */
export function nsOf(node: Node, i: Interface): NetNs | undefined {
  for (const n of node.namespaces()) if (n.dev.get(i.name) === i) return n;
  return undefined;
}

const nsids = new WeakMap<NetNs, Map<NetNs, number>>();

/** The id a namespace gives a peer namespace (allocated on first use, from 0). */
export function nsid(from: NetNs, to: NetNs): number {
  let m = nsids.get(from);
  if (!m) {
    m = new Map();
    nsids.set(from, m);
  }
  let id = m.get(to);
  if (id === undefined) {
    id = m.size;
    m.set(to, id);
  }
  return id;
}

/** `NAME@PEER` (peer here) or `NAME@ifN` (peer elsewhere) for a veth, else NAME. */
export function linkName(v: View, i: Interface): string {
  if (i.kind !== "veth" || !i.peer) return i.name;
  return `${i.name}@${peerHere(v, i) ? i.peer.name : `if${i.peer.ifindex}`}`;
}

/** ` link-netns NAME` / ` link-netnsid N` for a veth whose peer lives elsewhere. */
function linkNetns(v: View, i: Interface): string {
  if (i.kind !== "veth" || !i.peer || peerHere(v, i)) return "";
  const other = nsOf(v.node, i.peer);
  if (!other) return "";
  return other.name ? ` link-netns ${other.name}` : ` link-netnsid ${nsid(v.ns, other)}`;
}

/** The first line of `ip link` / `ip addr` for a device. */
export function linkHeader(v: View, i: Interface, mode: boolean): string {
  return `${i.ifindex}: ${linkName(v, i)}: <${linkFlags(v, i).join(",")}> mtu ${i.mtu} qdisc ${
    qdiscName(i)
  }${i.master ? ` master ${i.master}` : ""} state ${operState(i)}${
    mode ? " mode DEFAULT" : ""
  } group default qlen ${i.txqueuelen}`;
}

/** The `link/ether …` line (with its leading spaces). */
export function etherLine(v: View, i: Interface): string {
  if (i.kind === "loopback") return "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00";
  return `    link/ether ${formatMac(i.mac)} brd ff:ff:ff:ff:ff:ff${linkNetns(v, i)}`;
}

/** The ` link-netns NAME` that `ip -4 addr` appends to the header when it skips the link line. */
export function headerNetns(v: View, i: Interface): string {
  return linkNetns(v, i);
}

/** Byte and packet counters block of `ip -s link` (`-s -s` adds the error rows). */
export function statsLines(i: Interface, level: number): string[] {
  const c = i.counters;
  const row = (vals: number[], widths: number[]) =>
    "    " + vals.map((x, k) => String(x).padStart(widths[k]!)).join(" ") + " ";
  const main = [10, 7, 6, 7, 7, 7];
  const lines = [
    "    RX:  bytes packets errors dropped  missed   mcast           ",
    row([c.rxBytes, c.rxPackets, 0, c.rxDropped, 0, 0], main),
  ];
  if (level > 1) {
    lines.push(
      "    RX errors:  length    crc   frame    fifo overrun",
      row([0, 0, 0, 0, 0], [18, 6, 7, 7, 7]),
    );
  }
  lines.push(
    "    TX:  bytes packets errors dropped carrier collsns           ",
    row([c.txBytes, c.txPackets, 0, c.txDropped, 0, 0], main),
  );
  if (level > 1) {
    lines.push(
      "    TX errors: aborted   fifo  window heartbt transns",
      row([0, 0, 0, 0, carrierTransitions(i)], [18, 6, 7, 7, 7]),
    );
  }
  return lines;
}

/** One `inet` address as `ip addr` prints it (two lines, or one joined by `\` with -o). */
export function inetLines(a: IfAddr): [string, string] {
  const brd = a.broadcast ? ` brd ${formatIp4(a.broadcast)}` : "";
  const sec = a.secondary ? " secondary" : "";
  const npr = a.noprefixroute ? " noprefixroute" : "";
  return [
    `    inet ${formatIp4(a.addr)}/${a.len}${brd} scope ${a.scope}${sec}${npr} ${a.label}`,
    "       valid_lft forever preferred_lft forever",
  ];
}

/** `ip -j link` object for one device (`-j addr` omits linkmode and adds addr_info). */
export function linkJson(v: View, i: Interface, withMode: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { ifindex: i.ifindex };
  if (i.kind === "veth" && i.peer) {
    if (peerHere(v, i)) o.link = i.peer.name;
    else o.link_index = i.peer.ifindex;
  }
  o.ifname = i.name;
  o.flags = linkFlags(v, i);
  o.mtu = i.mtu;
  o.qdisc = qdiscName(i);
  if (i.master) o.master = i.master;
  o.operstate = operState(i);
  if (withMode) o.linkmode = "DEFAULT";
  o.group = "default";
  o.txqlen = i.txqueuelen;
  o.link_type = i.kind === "loopback" ? "loopback" : "ether";
  o.address = i.kind === "loopback" ? "00:00:00:00:00:00" : formatMac(i.mac);
  o.broadcast = i.kind === "loopback" ? "00:00:00:00:00:00" : "ff:ff:ff:ff:ff:ff";
  if (i.kind === "veth" && i.peer && !peerHere(v, i)) {
    const other = nsOf(v.node, i.peer);
    if (other) o.link_netnsid = nsid(v.ns, other);
  }
  return o;
}

/** `ip -j addr` entries of `addr_info` for one device. */
export function addrInfoJson(addrs: IfAddr[]): Array<Record<string, unknown>> {
  return addrs.map((a) => ({
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
}

// ------------------------------------------------------------------ routes

/** What `ip route show` leaves out because the selector already says it. */
export interface RouteOmit {
  dev?: boolean;
  proto?: boolean;
  scope?: boolean;
  /** Print `table NAME` for routes outside main (`table all`). */
  table?: boolean;
}

function dstText(r: Route): string {
  if (r.len === 0 && r.dst === 0) return "default";
  return r.len === 32 ? formatIp4(r.dst) : `${formatIp4(r.dst)}/${r.len}`;
}

/** Table name for `table X` output. */
export function tableName(id: number, names: Map<number, string>): string {
  return names.get(id) ?? String(id);
}

/** Whether a route's device has lost its carrier (iproute2's `linkdown`). */
function linkdown(r: Route): boolean {
  const nh = r.nexthops;
  return nh.length === 1 && !nh[0]!.dev.carrier && nh[0]!.dev.kind !== "loopback" &&
    r.type === "unicast";
}

/**
 * A multipath next hop's flags: `dead` while its device is down (RTNH_F_DEAD),
 * `linkdown` while the device has no carrier or is down (RTNH_F_LINKDOWN).
 */
function nextHopFlags(n: NextHop): string[] {
  const flags: string[] = [];
  if (nextHopDead(n)) flags.push("dead");
  if (!n.dev.operUp) flags.push("linkdown");
  return flags;
}

/** One `ip route show` line (with its trailing space, and nexthop lines for multipath). */
export function formatRoute(r: Route, omit: RouteOmit, names: Map<number, string>): string {
  const parts: string[] = [];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(dstText(r));
  const nh = r.nexthops;
  if (nh.length === 1) {
    if (nh[0]!.gateway) parts.push("via", formatIp4(nh[0]!.gateway));
    if (!omit.dev) parts.push("dev", nh[0]!.dev.name);
  }
  if (omit.table && r.table !== 254) parts.push("table", tableName(r.table, names));
  if (r.proto !== "boot" && r.proto !== "unspec" && !omit.proto) parts.push("proto", r.proto);
  if (r.scope !== "global" && !omit.scope) parts.push("scope", r.scope);
  if (r.prefsrc) parts.push("src", formatIp4(r.prefsrc));
  if (r.metric) parts.push("metric", String(r.metric));
  if (r.mtu) parts.push("mtu", String(r.mtu));
  if (nh.length === 1 && nh[0]!.onlink) parts.push("onlink");
  if (linkdown(r)) parts.push("linkdown");
  let line = parts.join(" ") + " ";
  if (nh.length > 1) {
    for (const n of nh) {
      const flags = nextHopFlags(n);
      line += `\n\tnexthop ${
        n.gateway ? `via ${formatIp4(n.gateway)} ` : ""
      }dev ${n.dev.name} weight ${n.weight} ${flags.length ? flags.join(" ") + " " : ""}`;
    }
  }
  return line;
}

/** `ip -j route` object for one route. */
export function routeJson(
  r: Route,
  omit: RouteOmit,
  names: Map<number, string>,
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== "unicast") o.type = r.type;
  o.dst = dstText(r);
  const nh = r.nexthops;
  if (nh.length === 1) {
    if (nh[0]!.gateway) o.gateway = formatIp4(nh[0]!.gateway);
    if (!omit.dev) o.dev = nh[0]!.dev.name;
  }
  if (omit.table && r.table !== 254) o.table = tableName(r.table, names);
  if (r.proto !== "boot" && r.proto !== "unspec" && !omit.proto) o.protocol = r.proto;
  if (r.scope !== "global" && !omit.scope) o.scope = r.scope;
  if (r.prefsrc) o.prefsrc = formatIp4(r.prefsrc);
  if (r.metric) o.metric = r.metric;
  const flags: string[] = [];
  if (nh.length === 1 && nh[0]!.onlink) flags.push("onlink");
  if (linkdown(r)) flags.push("linkdown");
  o.flags = flags;
  if (nh.length > 1) {
    o.nexthops = nh.map((n) => ({
      ...(n.gateway ? { gateway: formatIp4(n.gateway) } : {}),
      dev: n.dev.name,
      weight: n.weight,
      flags: nextHopFlags(n),
    }));
  }
  return o;
}

// --------------------------------------------------------------- neighbours

/** One `ip neigh show` line (without `dev X` when listing one device), with its trailing space. */
export function formatNeigh(e: NeighEntry, withDev: boolean): string {
  const ll = e.mac && e.state !== "INCOMPLETE" && e.state !== "FAILED"
    ? ` lladdr ${formatMac(e.mac)}`
    : "";
  return `${formatIp4(e.ip)}${withDev ? ` dev ${e.iface.name}` : ""}${ll} ${e.state} `;
}

/** `ip -j neigh` object for one entry. */
export function neighJson(e: NeighEntry, withDev: boolean): Record<string, unknown> {
  return {
    dst: formatIp4(e.ip),
    ...(withDev ? { dev: e.iface.name } : {}),
    ...(e.mac && e.state !== "INCOMPLETE" && e.state !== "FAILED"
      ? { lladdr: formatMac(e.mac) }
      : {}),
    state: [e.state],
  };
}

// ---------------------------------------------------------------------- JSON

/**
 * iproute2's json_writer: compact (`[{"a":1}]`) or pretty, where objects open
 * on the same line as the array (`[ {`), members sit four spaces deeper per
 * level, arrays of values stay on one line (`[ "UP","LOWER_UP" ]`, `[ ]`), and
 * objects in a row join as `},{`.
 */
export function iprouteJson(value: unknown, pretty: boolean): string {
  if (!pretty) return JSON.stringify(value);
  let out = "";
  let depth = 0;
  let sep = "";
  const eol = () => {
    out += "\n" + "    ".repeat(depth);
  };
  const eor = () => {
    out += sep;
    sep = ",";
  };
  const begin = (c: string) => {
    eor();
    out += c;
    depth++;
    sep = "";
  };
  const end = (c: string) => {
    depth--;
    if (sep !== "") eol();
    out += c;
    sep = ",";
  };
  const write = (v: unknown): void => {
    if (Array.isArray(v)) {
      begin("[");
      out += " ";
      for (const x of v) write(x);
      if (sep) out += " ";
      sep = "";
      end("]");
    } else if (v !== null && typeof v === "object") {
      begin("{");
      for (const [k, x] of Object.entries(v)) {
        eor();
        eol();
        sep = "";
        out += JSON.stringify(k) + ": ";
        write(x);
      }
      end("}");
    } else {
      eor();
      out += JSON.stringify(v);
    }
  };
  write(value);
  return out;
}
