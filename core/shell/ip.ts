/**
 * The `ip` command (iproute2): `link`, `addr`, `route`, `neigh`, `rule` and
 * `netns`, with iproute2's abbreviations (`ip a`, `ip r`, `ip n`), `-j`/`-p`
 * JSON, `-s` statistics, `-br` brief output and `-4`, and iproute2's error
 * messages. `ip netns exec NS CMD` runs CMD inside the namespace.
 *
 * Simplified: IPv4 only; `ip rule` can be listed here (the policy-routing
 * commands come with the routing-policy layer).
 *
 * @module
 */
import { formatIp4, formatMac, networkOf, parseCidr, parseIp4, parseMac } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import { InstantMedium } from "../net/link.ts";
import type { NetNs } from "../node/netns.ts";
import { type Errno, ERRNO_TEXT, type RouteResult } from "../ip/ipv4.ts";
import { type NextHop, type Route, type RouteScope, type RouteType, Table } from "../ip/route.ts";
import type { Command, CommandContext, Process } from "./context.ts";
import {
  addrJson,
  formatAddr,
  formatLink,
  formatNeigh,
  formatRoute,
  linkFlags,
  linkJson,
  linkName,
  neighJson,
  operState,
  routeJson,
} from "./ip_format.ts";

interface IpOpts {
  json: boolean;
  pretty: boolean;
  stats: boolean;
  brief: boolean;
  details: boolean;
}

/** Match an abbreviation as iproute2's `matches()`: a prefix of the keyword. */
function is(word: string | undefined, keyword: string, min = 1): boolean {
  return word !== undefined && word.length >= min && keyword.startsWith(word);
}

/** Objects of `ip`, with the shortest prefix iproute2 accepts for each. */
const OBJECTS: Array<[string, string, number]> = [
  ["address", "address", 1],
  ["link", "link", 1],
  ["route", "route", 1],
  ["rule", "rule", 2],
  ["neighbor", "neighbor", 1],
  ["neighbour", "neighbor", 1],
  ["netns", "netns", 2],
];

class IpError extends Error {
  constructor(msg: string, readonly code = 1) {
    super(msg);
  }
}

function rtnl(errno: string): IpError {
  return new IpError(`RTNETLINK answers: ${errno}`, 2);
}

/** The `ip` command. */
export const ipCommand: Command = (ctx, argv) => {
  const opts: IpOpts = { json: false, pretty: false, stats: false, brief: false, details: false };
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("-")) break;
    const o = a.replace(/^--?/, "");
    if (o === "j" || o === "json") opts.json = true;
    else if (o === "p" || o === "pretty") opts.pretty = true;
    else if (o === "s" || o === "stats" || o === "statistics") opts.stats = true;
    else if (o === "br" || o === "brief") opts.brief = true;
    else if (o === "d" || o === "details") opts.details = true;
    else if (o === "4" || o === "family=inet") continue;
    else if (o === "n" || o === "netns") {
      const name = argv[++i];
      const ns = name ? ctx.node.netns.get(name) : undefined;
      if (!ns) {
        ctx.err(`Cannot open network namespace "${name}": No such file or directory\n`);
        return 1;
      }
      ctx = { ...ctx, ns };
    } else if (o === "V" || o === "Version") {
      ctx.out("ip utility, iproute2-6.1.0, libbpf 1.1.0\n");
      return 0;
    } else {
      ctx.err(`Option "${a}" is unknown, try "ip -help".\n`);
      return 255;
    }
  }
  const obj = argv[i];
  const rest = argv.slice(i + 1);
  if (obj === undefined || obj === "help") {
    ctx.err("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n");
    return obj === undefined ? 255 : 0;
  }
  const match = OBJECTS.find(([k, , min]) => is(obj, k, min));
  try {
    switch (match?.[1]) {
      case "address":
        return ipAddr(ctx, rest, opts);
      case "link":
        return ipLink(ctx, rest, opts);
      case "route":
        return ipRoute(ctx, rest, opts);
      case "neighbor":
        return ipNeigh(ctx, rest, opts);
      case "rule":
        return ipRule(ctx, rest, opts);
      case "netns":
        return ipNetns(ctx, rest);
      default:
        ctx.err(`Object "${obj}" is unknown, try "ip help".\n`);
        return 1;
    }
  } catch (e) {
    if (e instanceof IpError) {
      ctx.err(e.message + "\n");
      return e.code;
    }
    throw e;
  }
};

function printJson(ctx: CommandContext, value: unknown, opts: IpOpts): void {
  ctx.out((opts.pretty ? JSON.stringify(value, null, 4) : JSON.stringify(value)) + "\n");
}

function device(ns: NetNs, name: string | undefined): Interface {
  const d = name === undefined ? undefined : ns.dev.get(name);
  if (!d) throw new IpError(`Cannot find device "${name}"`);
  return d;
}

/** Parse `KEY VALUE` pairs and bare flags into a map, with `dev` defaulting as iproute2. */
function need(args: string[], i: number, what: string): string {
  const v = args[i];
  if (v === undefined) throw new IpError(`Command line is not complete. Try option "help"`);
  void what;
  return v;
}

// ---------------------------------------------------------------- ip address

function ipAddr(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "list") || is(cmd, "lst")) {
    return addrShow(ctx, args.slice(1), opts);
  }
  if (is(cmd, "add") || is(cmd, "replace") || is(cmd, "change")) {
    return addrAdd(ctx, args.slice(1), cmd!);
  }
  if (is(cmd, "delete")) return addrDel(ctx, args.slice(1));
  if (is(cmd, "flush")) return addrFlush(ctx, args.slice(1));
  if (cmd === "help") {
    ctx.err("Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]\n");
    return 0;
  }
  ctx.err(`Command "${cmd}" is unknown, try "ip address help".\n`);
  return 1;
}

function selectDevices(ctx: CommandContext, args: string[]): { devs: Interface[]; up: boolean } {
  let name: string | undefined;
  let up = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "dev") name = need(args, ++k, "dev");
    else if (a === "up") up = true;
    else if (a === "type") k++;
    else if (name === undefined) name = a;
  }
  const devs = name === undefined ? [...ctx.ns.dev.interfaces.values()] : [device(ctx.ns, name)];
  return { devs: devs.filter((d) => !up || d.adminUp), up };
}

function addrShow(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const { devs } = selectDevices(ctx, args);
  const ip = ctx.ns.ip;
  if (opts.json) {
    printJson(ctx, devs.map((d) => addrJson(ctx.ns, d, ip.addressesOf(d))), opts);
    return 0;
  }
  for (const d of devs) {
    const addrs = ip.addressesOf(d);
    if (opts.brief) {
      const list = addrs.map((a) => `${formatIp4(a.addr)}/${a.len}`).join(" ");
      ctx.out(
        `${linkName(ctx.ns, d).padEnd(16)} ${operState(d).padEnd(14)} ${list}${list ? " " : ""}\n`,
      );
      continue;
    }
    ctx.out(formatAddr(ctx.ns, d, addrs, opts.stats) + "\n");
  }
  return 0;
}

function parsePrefixArg(text: string): { addr: number; len: number } {
  const c = parseCidr(text);
  if (!c) {
    const slash = text.indexOf("/");
    if (slash >= 0 && parseIp4(text.slice(0, slash)) !== undefined) {
      throw new IpError(`Error: an inet prefix is expected rather than "${text}".`);
    }
    throw new IpError(`Error: any valid prefix is expected rather than "${text}".`);
  }
  return c;
}

function addrAdd(ctx: CommandContext, args: string[], cmd: string): number {
  let local: { addr: number; len: number } | undefined;
  let dev: string | undefined;
  let brd: number | undefined;
  let scope: RouteScope | undefined;
  let label: string | undefined;
  let noprefixroute = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "dev") dev = need(args, ++k, "dev");
    else if (a === "local") local = parsePrefixArg(need(args, ++k, "local"));
    else if (a === "broadcast" || a === "brd") {
      const v = need(args, ++k, "brd");
      brd = v === "+" ? -1 : parseIp4(v);
      if (brd === undefined) {
        throw new IpError(`Error: inet address is expected rather than "${v}".`);
      }
    } else if (a === "scope") {
      const v = need(args, ++k, "scope");
      if (v !== "global" && v !== "link" && v !== "host") {
        throw new IpError(`Error: argument "${v}" is wrong: invalid scope value.`);
      }
      scope = v;
    } else if (a === "label") label = need(args, ++k, "label");
    else if (a === "noprefixroute") noprefixroute = true;
    else if (a === "valid_lft" || a === "preferred_lft") k++;
    else if (local === undefined) local = parsePrefixArg(a);
    else throw new IpError(`Error: either "local" is duplicate, or "${a}" is a garbage.`);
  }
  if (dev === undefined) {
    throw new IpError('Not enough information: "dev" argument is required.');
  }
  if (local === undefined) {
    throw new IpError('Not enough information: "local" argument is required.');
  }
  const d = device(ctx.ns, dev);
  const broadcast = brd === -1
    ? (local.len < 31 ? (local.addr | ~(0xffffffff << (32 - local.len))) >>> 0 : 0)
    : brd;
  const ip = ctx.ns.ip;
  const exists = ip.addressesOf(d).some((x) => x.addr === local!.addr && x.len === local!.len);
  if (exists) {
    if (is(cmd, "replace") || is(cmd, "change")) return 0;
    throw rtnl("File exists");
  }
  ip.addAddress(d, local.addr, local.len, { broadcast, scope, label, noprefixroute });
  return 0;
}

function addrDel(ctx: CommandContext, args: string[]): number {
  let local: { addr: number; len: number } | undefined;
  let dev: string | undefined;
  let explicitLen = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "dev") dev = need(args, ++k, "dev");
    else if (local === undefined) {
      local = parsePrefixArg(a);
      explicitLen = a.includes("/");
    }
  }
  if (dev === undefined) throw new IpError('Not enough information: "dev" argument is required.');
  const d = device(ctx.ns, dev);
  if (local === undefined) {
    throw new IpError('Not enough information: "local" argument is required.');
  }
  if (!ctx.ns.ip.delAddress(d, local.addr, explicitLen ? local.len : -1)) {
    throw new IpError("Error: ipv4: Address not found.", 2);
  }
  return 0;
}

function addrFlush(ctx: CommandContext, args: string[]): number {
  const { devs } = selectDevices(ctx, args);
  if (args.length === 0) throw new IpError("Flush requires arguments.");
  for (const d of devs) {
    for (const a of ctx.ns.ip.addressesOf(d).filter((x) => !x.secondary)) {
      ctx.ns.ip.delAddress(d, a.addr, a.len);
    }
  }
  return 0;
}

// ------------------------------------------------------------------- ip link

function ipLink(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "list") || is(cmd, "lst")) {
    const { devs } = selectDevices(ctx, args.slice(1));
    const typeIdx = args.indexOf("type");
    const type = typeIdx >= 0 ? args[typeIdx + 1] : undefined;
    const shown = devs.filter((d) => type === undefined || d.kind === type);
    if (opts.json) {
      printJson(ctx, shown.map((d) => linkJson(ctx.ns, d)), opts);
      return 0;
    }
    for (const d of shown) {
      if (opts.brief) {
        const mac = d.kind === "loopback" ? "00:00:00:00:00:00" : formatMac(d.mac);
        ctx.out(
          `${linkName(ctx.ns, d).padEnd(16)} ${operState(d).padEnd(14)} ${mac} <${
            linkFlags(d).join(",")
          }> \n`,
        );
        continue;
      }
      ctx.out(formatLink(ctx.ns, d, opts.stats) + "\n");
    }
    return 0;
  }
  if (is(cmd, "add")) return linkAdd(ctx, args.slice(1));
  if (is(cmd, "set")) return linkSet(ctx, args.slice(1));
  if (is(cmd, "delete")) {
    const name = args[1] === "dev" ? args[2] : args[1];
    const d = device(ctx.ns, name);
    if (d.kind === "loopback") throw new IpError("RTNETLINK answers: Operation not supported", 2);
    if (d.kind !== "veth") throw new IpError("RTNETLINK answers: Operation not supported", 2);
    deleteVeth(ctx, d);
    return 0;
  }
  ctx.err(`Command "${cmd}" is unknown, try "ip link help".\n`);
  return 1;
}

function ownerOf(ctx: CommandContext, iface: Interface): NetNs | undefined {
  for (const ns of ctx.node.namespaces()) if (ns.dev.get(iface.name) === iface) return ns;
  return undefined;
}

function deleteVeth(ctx: CommandContext, d: Interface): void {
  const peer = d.peer;
  d.setAdmin(false);
  ctx.ns.dev.release(d);
  if (peer) {
    peer.setAdmin(false);
    ownerOf(ctx, peer)?.dev.release(peer);
  }
}

function linkAdd(ctx: CommandContext, args: string[]): number {
  let name: string | undefined;
  let type: string | undefined;
  let peerName: string | undefined;
  let peerNs: string | undefined;
  let mtu: number | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "name") name = need(args, ++k, "name");
    else if (a === "type") type = need(args, ++k, "type");
    else if (a === "mtu") mtu = Number(need(args, ++k, "mtu"));
    else if (a === "peer") {
      if (args[k + 1] === "name") k++;
      peerName = need(args, ++k, "peer");
      if (args[k + 1] === "netns") {
        k += 2;
        peerNs = args[k];
      }
    } else if (name === undefined && type === undefined) name = a;
  }
  if (type === undefined) throw new IpError('Not enough information: "type" argument is required');
  if (type !== "veth") {
    throw new IpError(`Error: Unknown device type.`, 2);
  }
  if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.');
  const ns = ctx.ns;
  peerName ??= `veth${[...ns.dev.interfaces.keys()].filter((n) => n.startsWith("veth")).length}`;
  const target = peerNs ? ctx.node.netns.get(peerNs) : ns;
  if (!target) throw new IpError(`Cannot find netns "${peerNs}"`);
  if (ns.dev.get(name) || (target.dev.get(peerName)) || name === peerName) {
    throw rtnl("File exists");
  }
  const a = ns.dev.addInterface({ name, kind: "veth", mtu });
  const b = target.dev.addInterface({ name: peerName, kind: "veth", mtu });
  a.peer = b;
  b.peer = a;
  a.medium = new InstantMedium(ctx.sim, () => a.peer);
  b.medium = new InstantMedium(ctx.sim, () => b.peer);
  // A veth has carrier only while its peer is up.
  a.setCarrier(false);
  b.setCarrier(false);
  return 0;
}

function linkSet(ctx: CommandContext, args: string[]): number {
  let k = 0;
  if (args[0] === "dev") k = 1;
  const name = args[k];
  if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.');
  const d = device(ctx.ns, name);
  const actions: Array<() => void> = [];
  for (k = k + 1; k < args.length; k++) {
    const a = args[k]!;
    if (a === "up") actions.push(() => d.setAdmin(true));
    else if (a === "down") actions.push(() => d.setAdmin(false));
    else if (a === "mtu") {
      const v = need(args, ++k, "mtu");
      const mtu = Number(v);
      if (!/^\d+$/.test(v)) {
        throw new IpError(`Error: argument "${v}" is wrong: Invalid "mtu" value\n`);
      }
      if (mtu < 68 || mtu > 65535) throw rtnl("Invalid argument");
      actions.push(() => {
        d.mtu = mtu;
      });
    } else if (a === "txqueuelen" || a === "txqlen") {
      const v = Number(need(args, ++k, "txqueuelen"));
      actions.push(() => {
        d.txqueuelen = v;
      });
    } else if (a === "name") {
      const v = need(args, ++k, "name");
      if (ctx.ns.dev.get(v)) throw rtnl("File exists");
      actions.push(() => ctx.ns.dev.rename(d, v));
    } else if (a === "address") {
      const v = need(args, ++k, "address");
      const mac = parseMac(v);
      if (mac === undefined) throw new IpError(`"${v}" is invalid lladdr.`);
      actions.push(() => {
        d.mac = mac;
      });
    } else if (a === "netns") {
      const v = need(args, ++k, "netns");
      const target = ctx.node.netns.get(v);
      if (!target) {
        throw new IpError(`Error: argument "${v}" is wrong: Invalid "netns" value\n`);
      }
      if (d.kind === "loopback") throw rtnl("Invalid argument");
      actions.push(() => {
        if (target.dev.get(d.name)) throw rtnl("File exists");
        d.setAdmin(false);
        ctx.ns.dev.release(d);
        target.dev.adopt(d);
      });
    } else if (a === "master" || a === "nomaster") {
      if (a === "master") k++;
      throw new IpError("Error: master devices are not supported here.", 2);
    } else {
      throw new IpError(`Error: either "dev" is duplicate, or "${a}" is a garbage.`);
    }
  }
  for (const f of actions) f();
  return 0;
}

// ------------------------------------------------------------------ ip route

function tableNames(ctx: CommandContext): Map<number, string> {
  const m = new Map<number, string>();
  const f = ctx.node.files.get("/etc/iproute2/rt_tables");
  const bytes = typeof f === "function" ? f() : f;
  if (bytes) {
    for (const line of new TextDecoder().decode(bytes).split("\n")) {
      const t = line.replace(/#.*/, "").trim().split(/\s+/);
      if (t.length >= 2 && /^\d+$/.test(t[0]!)) m.set(Number(t[0]), t[1]!);
    }
  }
  return m;
}

function tableId(ctx: CommandContext, name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const [id, n] of tableNames(ctx)) if (n === name) return id;
  if (name === "all") return -1;
  throw new IpError(`Error: argument "${name}" is wrong: "table" value is invalid\n`);
}

interface RouteSpec {
  type: RouteType;
  dst: { addr: number; len: number } | undefined;
  gateway: number;
  dev: Interface | undefined;
  metric: number;
  table: number;
  proto: string;
  scope: RouteScope | undefined;
  src: number;
  mtu: number;
  onlink: boolean;
  nexthops: Array<{ gateway: number; dev: Interface | undefined; weight: number }>;
}

const ROUTE_TYPES: RouteType[] = [
  "unicast",
  "local",
  "broadcast",
  "blackhole",
  "unreachable",
  "prohibit",
];

function parseRouteSpec(ctx: CommandContext, args: string[]): RouteSpec {
  const spec: RouteSpec = {
    type: "unicast",
    dst: undefined,
    gateway: 0,
    dev: undefined,
    metric: 0,
    table: Table.main,
    proto: "boot",
    scope: undefined,
    src: 0,
    mtu: 0,
    onlink: false,
    nexthops: [],
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "via") {
      const v = need(args, ++k, "via");
      const g = parseIp4(v === "inet" ? need(args, ++k, "via") : v);
      if (g === undefined) throw new IpError(`Error: inet address is expected rather than "${v}".`);
      spec.gateway = g;
    } else if (a === "dev" || a === "oif") spec.dev = device(ctx.ns, need(args, ++k, "dev"));
    else if (a === "metric" || a === "priority" || a === "preference") {
      const v = need(args, ++k, "metric");
      if (!/^\d+$/.test(v)) {
        throw new IpError(`Error: argument "${v}" is wrong: "metric" value is invalid\n`);
      }
      spec.metric = Number(v);
    } else if (a === "table") spec.table = tableId(ctx, need(args, ++k, "table"));
    else if (a === "proto" || a === "protocol") spec.proto = need(args, ++k, "proto");
    else if (a === "scope") {
      const v = need(args, ++k, "scope");
      if (v !== "global" && v !== "link" && v !== "host") {
        throw new IpError(`Error: argument "${v}" is wrong: invalid scope value.`);
      }
      spec.scope = v;
    } else if (a === "src") {
      const v = need(args, ++k, "src");
      const s = parseIp4(v);
      if (s === undefined) throw new IpError(`Error: inet address is expected rather than "${v}".`);
      spec.src = s;
    } else if (a === "mtu") spec.mtu = Number(need(args, ++k, "mtu"));
    else if (a === "onlink") spec.onlink = true;
    else if (a === "nexthop") {
      const nh = { gateway: 0, dev: undefined as Interface | undefined, weight: 1 };
      while (k + 1 < args.length && args[k + 1] !== "nexthop") {
        const w = args[++k]!;
        if (w === "via") nh.gateway = parseIp4(need(args, ++k, "via")) ?? 0;
        else if (w === "dev") nh.dev = device(ctx.ns, need(args, ++k, "dev"));
        else if (w === "weight") nh.weight = Number(need(args, ++k, "weight"));
        else if (w === "onlink") continue;
        else throw new IpError(`Error: argument "${w}" is wrong: Invalid nexthop\n`);
      }
      spec.nexthops.push(nh);
    } else if ((ROUTE_TYPES as string[]).includes(a) && spec.dst === undefined) {
      spec.type = a as RouteType;
    } else if (a === "to") {
      spec.dst = parseDst(need(args, ++k, "to"));
    } else if (spec.dst === undefined) {
      spec.dst = parseDst(a);
    } else {
      throw new IpError(`Error: either "to" is duplicate, or "${a}" is a garbage.`);
    }
  }
  return spec;
}

function parseDst(text: string): { addr: number; len: number } {
  if (text === "default" || text === "all" || text === "any") return { addr: 0, len: 0 };
  const c = parsePrefixArg(text);
  return { addr: networkOf(c.addr, c.len), len: c.len };
}

function ipRoute(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "list") || is(cmd, "lst")) {
    return routeShow(ctx, args.slice(1), opts);
  }
  if (is(cmd, "get")) return routeGet(ctx, args.slice(1), opts);
  if (is(cmd, "add") || is(cmd, "append") || is(cmd, "replace") || is(cmd, "change")) {
    return routeAdd(ctx, args.slice(1), cmd!);
  }
  if (is(cmd, "delete")) return routeDel(ctx, args.slice(1));
  if (is(cmd, "flush")) {
    if (args[1] === "cache") return 0;
    const spec = parseRouteSpec(ctx, args.slice(1));
    const t = ctx.ns.ip.tables.get(spec.table);
    t?.removeWhere((r) =>
      (spec.dev === undefined || r.nexthops.some((n) => n.dev === spec.dev)) &&
      (spec.dst === undefined || (r.dst === spec.dst.addr && r.len === spec.dst.len))
    );
    return 0;
  }
  ctx.err(`Command "${cmd}" is unknown, try "ip route help".\n`);
  return 1;
}

function routeShow(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const spec = parseRouteSpec(ctx, args.filter((a) => a !== "all"));
  const names = tableNames(ctx);
  const tableArg = args.indexOf("table");
  const all = tableArg >= 0 && args[tableArg + 1] === "all";
  const tables = all
    ? [...ctx.ns.ip.tables.values()].sort((a, b) => a.id - b.id)
    : [ctx.ns.ip.tables.get(spec.table)].filter((t) => t !== undefined);
  const routes: Route[] = [];
  for (const t of tables) {
    for (const r of t!.list()) {
      if (spec.dev && !r.nexthops.some((n) => n.dev === spec.dev)) continue;
      if (spec.dst && !(r.dst === spec.dst.addr && r.len === spec.dst.len)) continue;
      if (spec.type !== "unicast" && r.type !== spec.type) continue;
      routes.push(r);
    }
  }
  const showTable = (r: Route) => all && r.table !== Table.main;
  if (opts.json) {
    printJson(ctx, routes.map((r) => routeJson(r, showTable(r), names)), opts);
    return 0;
  }
  for (const r of routes) {
    let line = formatRoute(r, showTable(r), names);
    if (spec.dev) line = line.replace(` dev ${spec.dev.name}`, "");
    ctx.out(line.replace(/^ /, "") + "\n");
  }
  return 0;
}

function routeAdd(ctx: CommandContext, args: string[], cmd: string): number {
  const spec = parseRouteSpec(ctx, args);
  if (spec.dst === undefined) throw new IpError("Error: destination is required.");
  const ip = ctx.ns.ip;
  const table = ip.table(spec.table);
  const reject = spec.type === "blackhole" || spec.type === "unreachable" ||
    spec.type === "prohibit";
  let nexthops: NextHop[] = [];
  if (!reject) {
    const list = spec.nexthops.length > 0
      ? spec.nexthops
      : [{ gateway: spec.gateway, dev: spec.dev, weight: 1 }];
    for (const nh of list) {
      let dev = nh.dev;
      if (nh.gateway) {
        // The gateway must be reachable on-link (a connected route), unless onlink.
        const r = ip.route(nh.gateway, { oif: undefined });
        const viaLink = typeof r !== "string" && r.gateway === 0 && r.type === "unicast" &&
          (dev === undefined || r.dev === dev);
        if (!spec.onlink && !viaLink) throw new IpError("Error: Nexthop has invalid gateway.", 2);
        if (dev === undefined && typeof r !== "string") dev = r.dev;
      }
      if (dev === undefined) {
        throw new IpError("Error: Device for nexthop is not up.", 2);
      }
      if (!dev.adminUp) throw new IpError("Error: Device for nexthop is not up.", 2);
      nexthops.push({ gateway: nh.gateway, dev, weight: nh.weight, onlink: spec.onlink });
    }
  } else {
    nexthops = [];
  }
  const scope: RouteScope = spec.scope ??
    (spec.type === "local"
      ? "host"
      : spec.type === "broadcast"
      ? "link"
      : reject
      ? "global"
      : nexthops.every((n) => n.gateway === 0)
      ? "link"
      : "global");
  const route: Route = {
    table: spec.table,
    type: spec.type,
    dst: spec.dst.addr,
    len: spec.dst.len,
    metric: spec.metric,
    proto: spec.proto,
    scope,
    prefsrc: spec.src,
    nexthops,
    mtu: spec.mtu,
  };
  if (spec.src && !ip.isLocal(spec.src)) throw new IpError("Error: Invalid prefsrc address.", 2);
  const existing = table.exact(route.dst, route.len).find((r) => r.metric === route.metric);
  if (existing) {
    if (is(cmd, "replace") || is(cmd, "change")) table.remove(existing);
    else throw rtnl("File exists");
  } else if (is(cmd, "change")) throw rtnl("No such file or directory");
  table.add(route);
  return 0;
}

function routeDel(ctx: CommandContext, args: string[]): number {
  const spec = parseRouteSpec(ctx, args);
  if (spec.dst === undefined) throw new IpError("Error: destination is required.");
  const t = ctx.ns.ip.tables.get(spec.table);
  const metricGiven = args.includes("metric") || args.includes("priority");
  const victim = t?.exact(spec.dst.addr, spec.dst.len).find((r) =>
    (!metricGiven || r.metric === spec.metric) &&
    (spec.dev === undefined || r.nexthops.some((n) => n.dev === spec.dev)) &&
    (spec.gateway === 0 || r.nexthops.some((n) => n.gateway === spec.gateway)) &&
    (spec.type === "unicast" || r.type === spec.type)
  );
  if (!t || !victim) throw rtnl("No such process");
  t.remove(victim);
  return 0;
}

function routeGet(ctx: CommandContext, args: string[], opts: IpOpts): number {
  let dst: number | undefined;
  let from: number | undefined;
  let iif: Interface | undefined;
  let oif: Interface | undefined;
  let mark: number | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "from") from = parseIp4(need(args, ++k, "from"));
    else if (a === "iif") iif = device(ctx.ns, need(args, ++k, "iif"));
    else if (a === "oif" || a === "dev") oif = device(ctx.ns, need(args, ++k, "oif"));
    else if (a === "mark" || a === "fwmark") mark = Number(need(args, ++k, "mark"));
    else if (a === "to") dst = parseIp4(need(args, ++k, "to"));
    else if (dst === undefined) {
      dst = parseIp4(a);
      if (dst === undefined) {
        throw new IpError(`Error: inet prefix is expected rather than "${a}".`);
      }
    }
  }
  if (dst === undefined) throw new IpError("need at least a destination address");
  const ip = ctx.ns.ip;
  if (iif && from === undefined) from = 0;
  const r = ip.route(dst, { src: from || undefined, iif, oif, mark });
  if (typeof r === "string") throw rtnl(ERRNO_TEXT[r as Errno]);
  if (
    iif && r.type === "unicast" &&
    ctx.ns.dev.sysctl.get(`net.ipv4.conf.${iif.name}.forwarding`) !== "1"
  ) {
    throw rtnl("Network is unreachable");
  }
  const line = routeGetLine(dst, r, from, iif);
  if (opts.json) {
    printJson(ctx, [routeGetJson(dst, r, from, iif)], opts);
    return 0;
  }
  ctx.out(line);
  return 0;
}

function routeGetLine(
  dst: number,
  r: RouteResult,
  from: number | undefined,
  iif: Interface | undefined,
): string {
  const parts: string[] = [];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(formatIp4(dst));
  if (from) parts.push("from", formatIp4(from));
  if (r.gateway) parts.push("via", formatIp4(r.gateway));
  parts.push("dev", r.dev.name);
  if (r.table !== Table.main && r.table !== Table.local) parts.push("table", String(r.table));
  if (!iif) parts.push("src", formatIp4(r.src), "uid", "0");
  const flags = r.type === "local" ? "<local> " : r.type === "broadcast" ? "<local,brd> " : "";
  const mtu = r.mtu < r.dev.mtu ? `expires 600sec mtu ${r.mtu} ` : "";
  const iifText = iif ? `iif ${iif.name} ` : "";
  return `${parts.join(" ")} \n    cache ${flags}${mtu}${iifText}\n`;
}

function routeGetJson(
  dst: number,
  r: RouteResult,
  from: number | undefined,
  iif: Interface | undefined,
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== "unicast") o.type = r.type;
  o.dst = formatIp4(dst);
  if (from) o.from = formatIp4(from);
  if (r.gateway) o.gateway = formatIp4(r.gateway);
  o.dev = r.dev.name;
  if (!iif) {
    o.prefsrc = formatIp4(r.src);
    o.uid = 0;
  } else o.iif = iif.name;
  o.flags = [];
  o.cache = [];
  return o;
}

// ------------------------------------------------------------------ ip neigh

function ipNeigh(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  const neigh = ctx.ns.ip.neigh;
  if (cmd === undefined || is(cmd, "show") || is(cmd, "list")) {
    const { devs } = selectDevices(ctx, args.slice(1).filter((a) => !/^\d/.test(a)));
    const entries = neigh.list().filter((e) => devs.includes(e.iface));
    if (opts.json) {
      printJson(ctx, entries.map(neighJson), opts);
      return 0;
    }
    for (const e of entries) ctx.out(formatNeigh(e) + " \n");
    return 0;
  }
  if (is(cmd, "add") || is(cmd, "replace") || is(cmd, "change")) {
    let addr: number | undefined;
    let mac: number | undefined;
    let dev: Interface | undefined;
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a === "lladdr") mac = parseMac(need(args, ++k, "lladdr"));
      else if (a === "dev") dev = device(ctx.ns, need(args, ++k, "dev"));
      else if (a === "nud") k++;
      else if (a === "permanent") continue;
      else if (addr === undefined) addr = parseIp4(a);
    }
    if (addr === undefined || dev === undefined) {
      throw new IpError("Device and destination are required arguments.");
    }
    if (mac === undefined) throw new IpError("Error: lladdr is required.");
    if (is(cmd, "add") && neigh.get(dev, addr)?.state === "PERMANENT") throw rtnl("File exists");
    neigh.setPermanent(dev, addr, mac);
    return 0;
  }
  if (is(cmd, "delete")) {
    let addr: number | undefined;
    let dev: Interface | undefined;
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a === "dev") dev = device(ctx.ns, need(args, ++k, "dev"));
      else if (addr === undefined) addr = parseIp4(a);
    }
    if (addr === undefined || dev === undefined) {
      throw new IpError("Device and destination are required arguments.");
    }
    if (!neigh.delete(dev, addr)) throw rtnl("No such file or directory");
    return 0;
  }
  if (is(cmd, "flush")) {
    const { devs } = selectDevices(ctx, args.slice(1));
    for (const e of neigh.list()) {
      if (devs.includes(e.iface) && e.state !== "PERMANENT") neigh.delete(e.iface, e.ip);
    }
    return 0;
  }
  ctx.err(`Command "${cmd}" is unknown, try "ip neigh help".\n`);
  return 1;
}

// ------------------------------------------------------------------- ip rule

function ipRule(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "list")) {
    const names = tableNames(ctx);
    const rows = ctx.ns.ip.rules.map((r) => {
      const from = r.from.len === 0
        ? "all"
        : r.from.len === 32
        ? formatIp4(r.from.addr)
        : `${formatIp4(r.from.addr)}/${r.from.len}`;
      const to = r.to.len === 0
        ? ""
        : ` to ${r.to.len === 32 ? formatIp4(r.to.addr) : `${formatIp4(r.to.addr)}/${r.to.len}`}`;
      const target = r.action === "table" ? `lookup ${names.get(r.table) ?? r.table}` : r.action;
      return {
        r,
        text: `${r.priority}:\t${r.not ? "not " : ""}from ${from}${to}${
          r.fwmark ? ` fwmark 0x${r.fwmark.mark.toString(16)}` : ""
        }${r.iif ? ` iif ${r.iif}` : ""}${r.oif ? ` oif ${r.oif}` : ""} ${target}`,
        from,
        target,
      };
    });
    if (opts.json) {
      printJson(
        ctx,
        rows.map(({ r, from }) => ({
          priority: r.priority,
          src: from,
          table: names.get(r.table) ?? String(r.table),
        })),
        opts,
      );
      return 0;
    }
    for (const row of rows) ctx.out(row.text + "\n");
    return 0;
  }
  ctx.err(`Command "${cmd}" is unknown, try "ip rule help".\n`);
  return 1;
}

// ------------------------------------------------------------------ ip netns

function ipNetns(ctx: CommandContext, args: string[]): number | Process {
  const cmd = args[0];
  const node = ctx.node;
  if (cmd === undefined || is(cmd, "list") || is(cmd, "show")) {
    for (const name of [...node.netns.keys()].reverse()) ctx.out(`${name}\n`);
    return 0;
  }
  if (is(cmd, "add")) {
    const name = args[1];
    if (name === undefined) throw new IpError("No netns name specified");
    if (!node.addNetns(name)) {
      throw new IpError(`Cannot create namespace file "/var/run/netns/${name}": File exists`);
    }
    return 0;
  }
  if (is(cmd, "delete")) {
    const name = args[1];
    if (name === undefined) throw new IpError("No netns name specified");
    const ns = node.netns.get(name);
    if (!ns) {
      throw new IpError(
        `Cannot remove namespace file "/var/run/netns/${name}": No such file or directory`,
      );
    }
    // Deleting a namespace destroys its veths (and so their peers elsewhere).
    for (const d of [...ns.dev.interfaces.values()]) {
      if (d.kind === "veth") deleteVeth({ ...ctx, ns }, d);
      else d.setAdmin(false);
    }
    node.netns.delete(name);
    return 0;
  }
  if (is(cmd, "exec")) {
    const name = args[1];
    const ns = name === undefined ? undefined : node.netns.get(name);
    if (!ns) {
      ctx.err(`Cannot open network namespace "${name}": No such file or directory\n`);
      return 255;
    }
    const sub = args.slice(2);
    if (sub.length === 0) {
      ctx.err("No command specified\n");
      return 255;
    }
    return runIn({ ...ctx, ns }, sub);
  }
  if (is(cmd, "identify") || is(cmd, "pids")) return 0;
  ctx.err(`Command "${cmd}" is unknown, try "ip netns help".\n`);
  return 1;
}

let runIn: (ctx: CommandContext, argv: string[]) => number | Process = () => 127;

/** Install how `ip netns exec` runs its command (the shell does this). */
export function setNetnsExec(f: (ctx: CommandContext, argv: string[]) => number | Process): void {
  runIn = f;
}
