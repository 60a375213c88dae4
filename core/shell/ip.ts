/**
 * The `ip` command (iproute2 6.1): `link`, `address`, `route`, `neigh`, `rule`
 * and `netns`, with iproute2's prefix matching of objects, commands and
 * keywords (`ip a`, `ip r s`, `ip link set dev X mtu N`), global options
 * (`-s`, `-d`, `-j`, `-p`, `-br`, `-o`, `-4`, `-6`, `-n NS`, `-V`), its
 * messages, and its exit statuses: 1 for local errors (no such device, bad
 * prefix), 2 when the kernel refuses (`RTNETLINK answers: …`, `Error: …`
 * from an extended ack), 255 for usage errors (unknown command, garbage
 * argument, help). `ip netns exec NS CMD` runs CMD inside the namespace.
 *
 * `ip rule` adds, deletes, flushes and lists policy rules with Linux's
 * selectors, actions, default priorities and messages; table names come from
 * the node's /etc/iproute2/rt_tables, read as iproute2 reads it (see
 * docs/routing.md).
 *
 * Simplified: IPv4 only (`-6` shows nothing, `inet6` addresses do not exist);
 * `ip rule` has no uidrange, l3mdev, realms, nat, tun_id or save/restore;
 * veth and bridge are the only link types `ip link add` makes.
 *
 * @module
 */
import { formatIp4, formatMac, isGroupMac, networkOf, parseIp4, parseMac } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import { InstantMedium } from "../net/link.ts";
import { LinuxBridge } from "../l2/bridge.ts";
import type { NetNs } from "../node/netns.ts";
import { blankRule, ERRNO_TEXT, type IfAddr, type RouteResult, type Rule } from "../ip/ipv4.ts";
import { type NextHop, type Route, type RouteScope, type RouteType, Table } from "../ip/route.ts";
import type { NeighState } from "../ip/neigh.ts";
import type { Command, CommandContext, Process } from "./context.ts";
import {
  addrInfoJson,
  etherLine,
  formatNeigh,
  formatRoute,
  headerNetns,
  inetLines,
  iprouteJson,
  linkFlags,
  linkHeader,
  linkJson,
  linkName,
  neighJson,
  noteCarrier,
  operState,
  routeJson,
  type RouteOmit,
  statsLines,
  type View,
  watchCarrier,
} from "./ip_format.ts";
import {
  ADDR_USAGE,
  IP_USAGE,
  LINK_USAGE,
  NEIGH_USAGE,
  NETNS_USAGE,
  ROUTE_USAGE,
  RULE_USAGE,
} from "./ip_usage.ts";

interface IpOpts {
  json: boolean;
  pretty: boolean;
  stats: number;
  brief: boolean;
  details: boolean;
  oneline: boolean;
  /** -4 / -6 / -f: undefined for any family. */
  family: "inet" | "inet6" | "link" | undefined;
}

/** iproute2's matches(): `word` is a non-empty prefix of `keyword`. */
function is(word: string | undefined, keyword: string): boolean {
  return word !== undefined && word.length > 0 && keyword.startsWith(word);
}

/** A failure with iproute2's message and exit status. */
class IpError extends Error {
  constructor(msg: string, readonly code = 1) {
    super(msg);
  }
}

function rtnl(errno: string): IpError {
  return new IpError(`RTNETLINK answers: ${errno}`, 2);
}

/** The kernel's extended-ack message. */
function extack(msg: string): IpError {
  return new IpError(`Error: ${msg}`, 2);
}

/** iproute2's invarg(): `Error: argument "X" is wrong: MSG` (MSG often ends in a newline). */
function invarg(msg: string, arg: string): IpError {
  return new IpError(`Error: argument "${arg}" is wrong: ${msg}`, 255);
}

function duparg2(key: string, arg: string): IpError {
  return new IpError(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`, 255);
}

function usage(text: string): IpError {
  return new IpError(text.replace(/\n$/, ""), 255);
}

const TABLE_TOUCHED = new WeakMap<NetNs, Set<number>>();

function touchTable(ns: NetNs, id: number): void {
  let s = TABLE_TOUCHED.get(ns);
  if (!s) {
    s = new Set();
    TABLE_TOUCHED.set(ns, s);
  }
  s.add(id);
}

/** Whether Linux would have this table: main always, others once a route went in. */
function tableExists(ns: NetNs, id: number): boolean {
  if (id === Table.main) return true;
  if (TABLE_TOUCHED.get(ns)?.has(id)) return true;
  return (ns.ip.tables.get(id)?.size ?? 0) > 0;
}

/** The `ip` command. */
export const ipCommand: Command = (ctx, argv) => {
  const opts: IpOpts = {
    json: false,
    pretty: false,
    stats: 0,
    brief: false,
    details: false,
    oneline: false,
    family: undefined,
  };
  let i = 1;
  for (; i < argv.length; i++) {
    let o = argv[i]!;
    if (o === "--") {
      i++;
      break;
    }
    if (!o.startsWith("-")) break;
    if (o[1] === "-") o = o.slice(1);
    if (is(o, "-loops")) i++;
    else if (is(o, "-family")) {
      const f = argv[++i];
      if (f === "inet" || f === "inet6" || f === "link") opts.family = f;
      else if (f === undefined) return fail(ctx, usage(IP_USAGE));
      else return fail(ctx, invarg("invalid protocol family\n", f));
    } else if (o === "-4") opts.family = "inet";
    else if (o === "-6") opts.family = "inet6";
    else if (o === "-0") opts.family = "link";
    else if (o === "-M" || o === "-B") continue;
    else if (is(o, "-human") || is(o, "-human-readable") || is(o, "-iec")) continue;
    else if (is(o, "-stats") || is(o, "-statistics")) opts.stats++;
    else if (is(o, "-details")) opts.details = true;
    else if (is(o, "-resolve")) continue;
    else if (is(o, "-oneline")) opts.oneline = true;
    else if (is(o, "-timestamp") || is(o, "-tshort")) continue;
    else if (is(o, "-Version")) {
      ctx.out("ip utility, iproute2-6.1.0, libbpf 1.1.2\n");
      return 0;
    } else if (is(o, "-force")) continue;
    else if (is(o, "-batch")) {
      return fail(ctx, new IpError("ip: -batch is not supported by packetlab", 255));
    } else if (is(o, "-brief")) opts.brief = true;
    else if (is(o, "-json")) opts.json = true;
    else if (is(o, "-pretty")) opts.pretty = true;
    else if (is(o, "-rcvbuf")) i++;
    else if (o === "-c" || is(o, "-color") || o.startsWith("-color=")) continue;
    else if (is(o, "-help")) return fail(ctx, usage(IP_USAGE));
    else if (is(o, "-netns")) {
      const name = argv[++i];
      if (name === undefined) return fail(ctx, usage(IP_USAGE));
      const ns = ctx.node.netns.get(name);
      if (!ns) {
        ctx.err(`Cannot open network namespace "${name}": No such file or directory\n`);
        return 255;
      }
      ctx = { ...ctx, ns };
    } else if (is(o, "-Numeric") || is(o, "-all")) continue;
    else {
      ctx.err(`Option "${o}" is unknown, try "ip -help".\n`);
      return 255;
    }
  }
  const obj = argv[i];
  const rest = argv.slice(i + 1);
  if (obj === undefined) return fail(ctx, usage(IP_USAGE));
  try {
    if (is(obj, "address")) return ipAddr(ctx, rest, opts);
    if (is(obj, "addrlabel") || is(obj, "maddress")) return unsupported(obj);
    if (is(obj, "route")) return ipRoute(ctx, rest, opts);
    if (is(obj, "rule")) return ipRule(ctx, rest, opts);
    if (is(obj, "neighbor") || is(obj, "neighbour")) return ipNeigh(ctx, rest, opts);
    if (is(obj, "ntable") || is(obj, "ntbl")) return unsupported(obj);
    if (is(obj, "link")) return ipLink(ctx, rest, opts);
    if (is(obj, "netns")) return ipNetns(ctx, rest);
    if (is(obj, "help")) throw usage(IP_USAGE);
    const known = [
      "l2tp",
      "fou",
      "ila",
      "macsec",
      "tunnel",
      "tunl",
      "tuntap",
      "tap",
      "token",
      "tcpmetrics",
      "tcp_metrics",
      "monitor",
      "xfrm",
      "mroute",
      "mrule",
      "netconf",
      "vrf",
      "sr",
      "nexthop",
      "mptcp",
      "ioam",
      "stats",
    ];
    if (known.some((k) => is(obj, k))) return unsupported(obj);
    ctx.err(`Object "${obj}" is unknown, try "ip help".\n`);
    return 1;
  } catch (e) {
    if (e instanceof IpError) return fail(ctx, e);
    throw e;
  }
};

function unsupported(obj: string): number {
  throw new IpError(`ip: object "${obj}" is not supported by packetlab`, 255);
}

function fail(ctx: CommandContext, e: IpError): number {
  ctx.err(e.message + "\n");
  return e.code;
}

function printJson(ctx: CommandContext, value: unknown, opts: IpOpts): void {
  ctx.out(iprouteJson(value, opts.pretty) + "\n");
}

function view(ctx: CommandContext): View {
  return { node: ctx.node, ns: ctx.ns };
}

function nextArg(args: string[], k: number, help: string): string {
  const v = args[k];
  if (v === undefined) {
    throw new IpError('Command line is not complete. Try option "help"', 255);
  }
  void help;
  return v;
}

/** iproute2's get_addr_ipv4: up to four parts (decimal, 0x hex, 0 octal), filled from the left. */
export function ipv4Arg(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length > 4) return undefined;
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const p = parts[k];
    let n = 0;
    if (p !== undefined) {
      if (/^0[xX][0-9a-fA-F]+$/.test(p)) n = parseInt(p.slice(2), 16);
      else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
      else if (/^[1-9]\d*$/.test(p)) n = Number(p);
      else return undefined;
      if (n > 255) return undefined;
    }
    v = v * 256 + n;
  }
  return v >>> 0;
}

function familyVerbose(opts: IpOpts): string {
  return opts.family === "inet" ? "inet" : opts.family === "inet6" ? "inet6" : "any valid";
}

/** get_prefix(): `A[/LEN]` (LEN or a netmask), `default`, `any`, `all`. */
function prefixArg(
  text: string,
  opts: IpOpts,
): { addr: number; len: number; lenGiven: boolean } {
  if (text === "default" || text === "any" || text === "all") {
    return { addr: 0, len: 0, lenGiven: true };
  }
  const slash = text.indexOf("/");
  const addr = ipv4Arg(slash < 0 ? text : text.slice(0, slash));
  let len = 32;
  let ok = addr !== undefined;
  if (ok && slash >= 0) {
    const l = text.slice(slash + 1);
    if (/^\d+$/.test(l) && Number(l) <= 32) len = Number(l);
    else {
      const m = ipv4Arg(l);
      const inv = m === undefined ? 1 : ~m >>> 0;
      if (m === undefined || (inv & (inv + 1)) !== 0) ok = false;
      else len = 32 - Math.log2(inv + 1);
    }
  }
  if (!ok) {
    throw new IpError(
      `Error: ${familyVerbose(opts)} prefix is expected rather than "${text}".`,
    );
  }
  return { addr: addr!, len, lenGiven: slash >= 0 };
}

/** get_addr(): a single address. */
function addrArg(text: string, opts: IpOpts): number {
  const a = text.includes("/") ? undefined : ipv4Arg(text);
  if (a === undefined) {
    throw new IpError(
      `Error: ${familyVerbose(opts)} address is expected rather than "${text}".`,
    );
  }
  return a;
}

function findDevice(ns: NetNs, name: string): Interface {
  const d = ns.dev.get(name);
  if (!d) throw new IpError(`Cannot find device "${name}"`);
  return d;
}

function devicesByIndex(ns: NetNs): Interface[] {
  return [...ns.dev.interfaces.values()].sort((a, b) => a.ifindex - b.ifindex);
}

// ---------------------------------------------------------------- ip address

function ipAddr(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "lst") || is(cmd, "list")) {
    return linkList(ctx, args.slice(1), opts, true);
  }
  if (is(cmd, "add") || is(cmd, "change") || is(cmd, "chg") || is(cmd, "replace")) {
    return addrModify(ctx, args.slice(1), opts, is(cmd, "add") ? "add" : "replace");
  }
  if (is(cmd, "delete")) return addrModify(ctx, args.slice(1), opts, "del");
  if (is(cmd, "flush")) return addrFlush(ctx, args.slice(1), opts);
  if (is(cmd, "help")) throw usage(ADDR_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip address help".`, 255);
}

interface LinkFilter {
  dev: string | undefined;
  up: boolean;
  type: string | undefined;
  scope: string | undefined;
  label: string | undefined;
  to: { addr: number; len: number } | undefined;
  primary: boolean | undefined;
}

function parseLinkFilter(args: string[], opts: IpOpts, addr: boolean): LinkFilter {
  const f: LinkFilter = {
    dev: undefined,
    up: false,
    type: undefined,
    scope: undefined,
    label: undefined,
    to: undefined,
    primary: undefined,
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "up") f.up = true;
    else if (a === "type") f.type = nextArg(args, ++k, "type");
    else if (addr && a === "scope") f.scope = nextArg(args, ++k, "scope");
    else if (addr && a === "label") f.label = nextArg(args, ++k, "label");
    else if (addr && a === "to") f.to = prefixArg(nextArg(args, ++k, "to"), opts);
    else if (addr && (a === "primary" || a === "secondary")) f.primary = a === "primary";
    else if (a === "master" || a === "vrf") k++;
    else if (a === "nomaster" || a === "dynamic" || a === "permanent") continue;
    else {
      if (a === "dev") {
        k++;
        if (args[k] === undefined) {
          throw new IpError('Command line is not complete. Try option "help"', 255);
        }
      } else if (is(a, "help")) throw usage(addr ? ADDR_USAGE : LINK_USAGE);
      if (f.dev !== undefined) throw duparg2("dev", args[k]!);
      f.dev = args[k]!;
    }
  }
  return f;
}

function addrMatches(a: IfAddr, f: LinkFilter): boolean {
  if (f.scope !== undefined && f.scope !== "all" && a.scope !== f.scope) return false;
  if (f.label !== undefined && a.label !== f.label) return false;
  if (
    f.to && !(a.len >= f.to.len && networkOf(a.addr, f.to.len) === networkOf(f.to.addr, f.to.len))
  ) {
    return false;
  }
  if (f.primary !== undefined && a.secondary === f.primary) return false;
  return true;
}

/** `ip link show` and `ip addr show`, in every layout. */
function linkList(ctx: CommandContext, args: string[], opts: IpOpts, withAddrs: boolean): number {
  const f = parseLinkFilter(args, opts, withAddrs);
  const v = view(ctx);
  let devs = devicesByIndex(ctx.ns);
  if (f.dev !== undefined) {
    const d = ctx.ns.dev.get(f.dev);
    if (!d) throw new IpError(`Device "${f.dev}" does not exist.`);
    devs = [d];
  }
  devs = devs.filter((d) => (!f.up || d.adminUp) && (f.type === undefined || d.kind === f.type));
  const inet6 = opts.family === "inet6";
  const onlyInet = opts.family === "inet";
  const addrsOf = (d: Interface) =>
    inet6 ? [] : ctx.ns.ip.addressesOf(d).filter((a) => addrMatches(a, f));
  const addrFilter = f.scope !== undefined || f.label !== undefined || f.to !== undefined ||
    f.primary !== undefined;
  if (withAddrs && (onlyInet || inet6 || addrFilter)) {
    // A family or address filter shows only devices with matching addresses.
    devs = devs.filter((d) => addrsOf(d).length > 0);
  }
  if (inet6 && withAddrs) devs = [];
  if (opts.json) {
    printJson(
      ctx,
      devs.map((d) => {
        if (opts.brief) {
          const full = linkJson(v, d, false);
          const o: Record<string, unknown> = {};
          if ("link" in full) o.link = full.link;
          if ("link_index" in full) o.link_index = full.link_index;
          o.ifname = d.name;
          o.operstate = operState(d);
          if (withAddrs) {
            o.addr_info = addrsOf(d).map((a) => ({ local: formatIp4(a.addr), prefixlen: a.len }));
          } else {
            o.address = full.address;
            o.flags = full.flags;
          }
          return o;
        }
        const o = linkJson(v, d, !withAddrs);
        if (withAddrs) o.addr_info = addrInfoJson(addrsOf(d));
        if (opts.stats) o.stats64 = statsJson(d);
        return o;
      }),
      opts,
    );
    return 0;
  }
  for (const d of devs) {
    if (opts.brief) {
      const head = `${linkName(v, d).padEnd(16)} ${operState(d).padEnd(14)} `;
      if (withAddrs) {
        ctx.out(head + addrsOf(d).map((a) => `${formatIp4(a.addr)}/${a.len} `).join("") + "\n");
      } else {
        const mac = d.kind === "loopback" ? "00:00:00:00:00:00" : formatMac(d.mac);
        ctx.out(`${head}${mac} <${linkFlags(v, d).join(",")}> \n`);
      }
      continue;
    }
    if (opts.oneline) {
      if (!withAddrs) {
        ctx.out(`${linkHeader(v, d, true)}\\${etherLine(v, d)}\n`);
      } else {
        for (const a of addrsOf(d)) {
          const [l1, l2] = inetLines(a);
          ctx.out(`${d.ifindex}: ${d.name}${l1}\\${l2}\n`);
        }
      }
      continue;
    }
    const lines: string[] = [];
    if (onlyInet && withAddrs) lines.push(linkHeader(v, d, false) + headerNetns(v, d));
    else lines.push(linkHeader(v, d, !withAddrs), etherLine(v, d));
    if (withAddrs) { for (const a of addrsOf(d)) lines.push(...inetLines(a)); }
    if (opts.stats && !onlyInet) lines.push(...statsLines(d, opts.stats));
    ctx.out(lines.join("\n") + "\n");
  }
  return 0;
}

/** The `stats64` object of `ip -s -j link`. */
function statsJson(d: Interface): Record<string, unknown> {
  const c = d.counters;
  return {
    rx: {
      bytes: c.rxBytes,
      packets: c.rxPackets,
      errors: 0,
      dropped: c.rxDropped,
      over_errors: 0,
      multicast: 0,
    },
    tx: {
      bytes: c.txBytes,
      packets: c.txPackets,
      errors: 0,
      dropped: c.txDropped,
      carrier_errors: 0,
      collisions: 0,
    },
  };
}

function addrModify(
  ctx: CommandContext,
  args: string[],
  opts: IpOpts,
  cmd: "add" | "replace" | "del",
): number {
  let local: { addr: number; len: number; lenGiven: boolean } | undefined;
  let localArg = "";
  let dev: string | undefined;
  let brd: number | "+" | "-" | undefined;
  let scope: RouteScope | undefined;
  let label: string | undefined;
  let noprefixroute = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    // Once the local address is read, iproute2 knows the family is inet.
    const fam: IpOpts = local === undefined ? opts : { ...opts, family: "inet" };
    if (a === "peer" || a === "remote") {
      throw new IpError("ip: peer addresses are not supported by packetlab", 255);
    } else if (is(a, "broadcast") || a === "brd") {
      const x = nextArg(args, ++k, "brd");
      brd = x === "+" || x === "-" ? x : addrArg(x, fam);
    } else if (a === "anycast") k++;
    else if (a === "scope") {
      const x = nextArg(args, ++k, "scope");
      if (x !== "global" && x !== "link" && x !== "host") {
        throw invarg("invalid scope value.", x);
      }
      scope = x;
    } else if (a === "dev") dev = nextArg(args, ++k, "dev");
    else if (a === "label") label = nextArg(args, ++k, "label");
    else if (is(a, "metric") || is(a, "priority") || is(a, "preference")) k++;
    else if (is(a, "valid_lft") || is(a, "preferred_lft")) k++;
    else if (
      ["home", "nodad", "optimistic", "mngtmpaddr", "autojoin"].includes(a)
    ) continue;
    else if (a === "noprefixroute") noprefixroute = true;
    else {
      let x = a;
      if (a === "local") x = nextArg(args, ++k, "local");
      if (local !== undefined) throw duparg2("local", x);
      localArg = x;
      local = prefixArg(x, opts);
    }
  }
  if (dev === undefined) {
    throw new IpError('Not enough information: "dev" argument is required.');
  }
  const d = findDevice(ctx.ns, dev);
  if (local === undefined) throw rtnl("Operation not supported");
  const ip = ctx.ns.ip;
  if (cmd === "del") {
    if (!local.lenGiven) {
      ctx.err(
        "Warning: Executing wildcard deletion to stay compatible with old scripts.\n" +
          `         Explicitly specify the prefix length (${localArg}/32) to avoid this warning.\n` +
          "         This special behaviour is likely to disappear in further releases,\n" +
          "         fix your scripts!\n",
      );
    }
    if (!ip.delAddress(d, local.addr, local.lenGiven ? local.len : -1)) {
      throw extack("ipv4: Address not found.");
    }
    return 0;
  }
  const broadcast = brd === "+"
    ? (local.len < 31 ? (local.addr | ~(0xffffffff << (32 - local.len))) >>> 0 : 0)
    : brd === "-"
    ? 0
    : brd;
  const exists = ip.addressesOf(d).some((x) => x.addr === local!.addr && x.len === local!.len);
  if (exists) {
    if (cmd === "replace") return 0;
    throw extack("ipv4: Address already assigned.");
  }
  ip.addAddress(d, local.addr, local.len, { broadcast, scope, label, noprefixroute });
  return 0;
}

function addrFlush(ctx: CommandContext, args: string[], opts: IpOpts): number {
  if (args.length === 0) throw new IpError("Flush requires arguments.");
  const f = parseLinkFilter(args, opts, true);
  let devs = devicesByIndex(ctx.ns);
  if (f.dev !== undefined) {
    const d = ctx.ns.dev.get(f.dev);
    if (!d) throw new IpError(`Device "${f.dev}" does not exist.`);
    devs = [d];
  }
  for (const d of devs) {
    if (f.up && !d.adminUp) continue;
    for (const a of ctx.ns.ip.addressesOf(d).filter((x) => addrMatches(x, f))) {
      ctx.ns.ip.delAddress(d, a.addr, a.len);
    }
  }
  return 0;
}

// ------------------------------------------------------------------- ip link

function ipLink(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "show") || is(cmd, "lst") || is(cmd, "list")) {
    return linkList(ctx, args.slice(1), opts, false);
  }
  if (is(cmd, "add")) return linkAdd(ctx, args.slice(1), opts);
  if (is(cmd, "set") || is(cmd, "change")) return linkSet(ctx, args.slice(1), opts);
  if (is(cmd, "delete")) return linkDel(ctx, args.slice(1));
  if (is(cmd, "help")) throw usage(LINK_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip link help".`, 255);
}

/** What iplink_parse() read. */
interface LinkArgs {
  dev: string | undefined;
  name: string | undefined;
  up: boolean | undefined;
  mtu: number | undefined;
  txqlen: number | undefined;
  /** `address LLADDR`, as ll_addr_a2n read it (any number of bytes). */
  address: number[] | undefined;
  netns: NetNs | undefined;
  type: string | undefined;
  /** Words after `type X`, for the link type's own parser. */
  typeArgs: string[];
  /** `master BR` (a bridge name) or `nomaster` (""). */
  master: string | undefined;
}

/** iplink_parse(): keywords in iproute2's order and matching; anything else names the device. */
function parseLinkArgs(ctx: CommandContext, args: string[], opts: IpOpts): LinkArgs {
  const r: LinkArgs = {
    dev: undefined,
    name: undefined,
    up: undefined,
    mtu: undefined,
    txqlen: undefined,
    address: undefined,
    netns: undefined,
    type: undefined,
    typeArgs: [],
    master: undefined,
  };
  const next = (k: number) => nextArg(args, k, "");
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "up") r.up = true;
    else if (a === "down") r.up = false;
    else if (a === "name") {
      r.name = next(++k);
      if (!validIfname(r.name)) throw invarg('"name" not a valid ifname', r.name);
    } else if (a === "index") k++;
    else if (is(a, "link")) k++;
    else if (is(a, "address")) r.address = llAddrBytes(next(++k));
    else if (is(a, "broadcast") || a === "brd") k++;
    else if (is(a, "txqueuelen") || a === "qlen" || is(a, "txqlen")) {
      const x = next(++k);
      if (!/^\d+$/.test(x)) throw invarg('Invalid "txqueuelen" value\n', x);
      r.txqlen = Number(x);
    } else if (a === "mtu") {
      const x = next(++k);
      if (!/^\d+$/.test(x)) throw invarg('Invalid "mtu" value\n', x);
      r.mtu = Number(x);
    } else if (a === "netns") {
      const x = next(++k);
      const target = ctx.node.netns.get(x);
      if (!target) throw invarg('Invalid "netns" value\n', x);
      r.netns = target;
    } else if (
      ["multicast", "allmulticast", "promisc", "trailers", "arp", "carrier"].includes(a)
    ) {
      k++;
    } else if (is(a, "master")) {
      r.master = next(++k);
    } else if (a === "vrf") {
      throw new IpError("ip: VRF devices are not supported by packetlab", 255);
    } else if (is(a, "nomaster")) r.master = "";
    else if (is(a, "dynamic")) k++;
    else if (is(a, "type")) {
      r.type = next(++k);
      r.typeArgs = args.slice(k + 1);
      break;
    } else if (is(a, "alias") || is(a, "group") || is(a, "mode") || is(a, "state")) k++;
    else if (is(a, "numtxqueues") || is(a, "numrxqueues") || is(a, "addrgenmode")) k++;
    else {
      if (is(a, "help")) throw usage(LINK_USAGE);
      let x = a;
      if (a === "dev") x = next(++k);
      if (r.dev !== undefined) throw duparg2("dev", x);
      if (!validIfname(x, ALTIFNAMSIZ)) throw invarg('"dev" not a valid ifname', x);
      r.dev = x;
    }
  }
  void opts;
  return r;
}

function linkAdd(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const p = parseLinkArgs(ctx, args, opts);
  const name = p.name ?? p.dev;
  if (p.type === undefined) {
    throw new IpError('Not enough information: "type" argument is required');
  }
  if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.');
  // The kernel's IFLA_IFNAME policy: a name given as `dev` may be an altname's length.
  if (name.length >= IFNAMSIZ) throw extack("Attribute failed policy validation.");
  const address = p.address === undefined ? undefined : unicastMac(p.address, false);
  if (p.type === "bridge") {
    if (p.typeArgs.length > 0) throw duparg2("dev", p.typeArgs[0]!);
    if (ctx.ns.dev.get(name)) throw rtnl("File exists");
    const br = new LinuxBridge(ctx.ns.dev, name);
    ctx.ns.bridges.set(name, br);
    if (address !== undefined) br.dev.mac = address;
    if (p.mtu !== undefined) br.dev.mtu = p.mtu;
    if (p.up) br.dev.setAdmin(true);
    return 0;
  }
  if (p.type !== "veth") {
    const known = ["dummy", "vlan", "macvlan", "bond", "vxlan", "gre", "ipip", "vrf"];
    if (known.includes(p.type)) {
      throw new IpError(`ip: link type "${p.type}" is not supported by packetlab`, 2);
    }
    throw extack("Unknown device type.");
  }
  // veth: [peer [name] NAME [netns NS] …]
  let peerName: string | undefined;
  let peerNs: NetNs | undefined;
  const ta = p.typeArgs;
  if (ta.length > 0) {
    if (ta[0] !== "peer") throw duparg2("dev", ta[0]!);
    const pp = parseLinkArgs(ctx, ta.slice(1), opts);
    peerName = pp.name ?? pp.dev;
    peerNs = pp.netns;
    if (peerName !== undefined && peerName.length >= IFNAMSIZ) {
      throw extack("Attribute failed policy validation.");
    }
  }
  const ns = ctx.ns;
  const target = peerNs ?? ns;
  if (ns.dev.get(name)) throw rtnl("File exists");
  if (peerName === undefined) {
    let n = 0;
    while (target.dev.get(`veth${n}`) || (target === ns && name === `veth${n}`)) n++;
    peerName = `veth${n}`;
  }
  if (target.dev.get(peerName) || (target === ns && peerName === name)) throw rtnl("File exists");
  // Linux registers the peer first: it gets the lower index.
  const b = target.dev.addInterface({ name: peerName, kind: "veth", mtu: p.mtu });
  const a = ns.dev.addInterface({ name, kind: "veth", mtu: p.mtu });
  a.peer = b;
  b.peer = a;
  a.medium = new InstantMedium(ctx.sim, () => a.peer);
  b.medium = new InstantMedium(ctx.sim, () => b.peer);
  if (address !== undefined) a.mac = address;
  if (p.txqlen !== undefined) a.txqueuelen = p.txqlen;
  // A veth has carrier only while its peer is up.
  a.setCarrier(false);
  b.setCarrier(false);
  watchCarrier(ns.dev);
  watchCarrier(target.dev);
  noteCarrier(a, ns.dev, true);
  noteCarrier(b, target.dev, true);
  if (p.up) a.setAdmin(true);
  return 0;
}

function linkDel(ctx: CommandContext, args: string[]): number {
  let name = args[0];
  if (name === "dev") name = args[1];
  if (name === undefined) throw new IpError('Not enough information: "dev" argument is required.');
  const d = findDevice(ctx.ns, name);
  if (d.kind === "bridge") {
    const br = ctx.ns.bridges.get(d.name);
    if (br) { for (const port of [...br.ports]) br.removePort(port); }
    ctx.ns.bridges.delete(d.name);
    d.setAdmin(false);
    ctx.ns.dev.release(d);
    return 0;
  }
  if (d.kind !== "veth") throw rtnl("Operation not supported");
  deleteVeth(ctx, d);
  return 0;
}

function ownerOf(ctx: CommandContext, iface: Interface): NetNs | undefined {
  for (const ns of ctx.node.namespaces()) if (ns.dev.get(iface.name) === iface) return ns;
  return undefined;
}

function deleteVeth(ctx: CommandContext, d: Interface): void {
  const peer = d.peer;
  const owner = ownerOf(ctx, d) ?? ctx.ns;
  d.setAdmin(false);
  owner.dev.release(d);
  if (peer) {
    peer.setAdmin(false);
    ownerOf(ctx, peer)?.dev.release(peer);
  }
}

/** Linux's MTU limits of a device. */
function mtuLimits(d: Interface): [number, number] {
  return d.kind === "loopback" ? [0, 2147483647] : [68, 65535];
}

function linkSet(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const p = parseLinkArgs(ctx, args, opts);
  if (p.dev === undefined) {
    throw new IpError('Not enough information: "dev" argument is required.');
  }
  if (p.type !== undefined) throw new IpError("ip: link type options are not supported", 255);
  const d = findDevice(ctx.ns, p.dev);
  const address = p.address === undefined ? undefined : unicastMac(p.address, true);
  if (p.mtu !== undefined) {
    const [min, max] = mtuLimits(d);
    if (p.mtu < min) throw extack("mtu less than device minimum.");
    if (p.mtu > max) throw extack("mtu greater than device maximum.");
  }
  if (p.name !== undefined && p.name !== d.name && ctx.ns.dev.get(p.name)) {
    throw rtnl("File exists");
  }
  if (p.netns !== undefined) {
    if (d.kind === "loopback") throw extack("The interface netns is immutable.");
    if (p.netns !== ctx.ns && p.netns.dev.get(p.name ?? d.name)) throw rtnl("File exists");
  }
  if (p.mtu !== undefined) d.mtu = p.mtu;
  if (p.txqlen !== undefined) d.txqueuelen = p.txqlen;
  if (address !== undefined) d.mac = address;
  if (p.name !== undefined && p.name !== d.name) ctx.ns.dev.rename(d, p.name);
  if (p.netns !== undefined && p.netns !== ctx.ns) {
    d.setAdmin(false);
    ctx.ns.dev.release(d);
    p.netns.dev.adopt(d);
    watchCarrier(p.netns.dev);
  }
  if (p.master !== undefined) {
    const current = d.master === undefined ? undefined : ctx.ns.bridges.get(d.master);
    if (p.master === "") current?.removePort(d);
    else {
      const br = ctx.ns.bridges.get(p.master);
      if (!br) {
        if (!ctx.ns.dev.get(p.master)) throw new IpError(`Device "${p.master}" does not exist.`);
        throw rtnl("Operation not supported");
      }
      if (d === br.dev) throw extack("Can not enslave a bridge to itself.");
      if (d.kind === "loopback") throw extack("Can not enslave loopback device.");
      current?.removePort(d);
      br.addPort(d);
    }
  }
  if (p.up !== undefined) d.setAdmin(p.up);
  return 0;
}

// ------------------------------------------------------------------ ip route

/** Commands (by their stderr writer) already told that rt_tables is corrupted: iproute2 reads it once. */
const RT_TABLES_WARNED = new WeakSet<(text: string) => void>();

/**
 * rtnl_rttable_initialize: `ID NAME` lines of /etc/iproute2/rt_tables (ID
 * decimal or 0x hex; `#` lines and blank ones skipped). At the first line
 * that is neither, iproute2 says the database is corrupted and reads no further.
 * local, main and default are built in; the file may rename them.
 */
function tableNames(ctx: CommandContext): Map<number, string> {
  const m = new Map<number, string>([
    [Table.default, "default"],
    [Table.main, "main"],
    [Table.local, "local"],
  ]);
  const path = "/etc/iproute2/rt_tables";
  const f = ctx.node.files.get(path);
  const bytes = typeof f === "function" ? f() : f;
  if (bytes) {
    for (const raw of new TextDecoder().decode(bytes).split(/(?<=\n)/)) {
      const line = raw.replace(/^[ \t]+/, "");
      if (line === "" || line[0] === "#" || line[0] === "\n") continue;
      const t = /^(?:0x([0-9a-fA-F]+)|(-?\d+))\s+(\S+)/.exec(line);
      if (t === null) {
        if (!RT_TABLES_WARNED.has(ctx.err)) {
          RT_TABLES_WARNED.add(ctx.err);
          ctx.err(`Database ${path} is corrupted at ${line}\n`);
        }
        break;
      }
      const id = t[1] !== undefined ? parseInt(t[1], 16) : Number(t[2]);
      m.set(id >>> 0, t[3]!);
    }
  }
  return m;
}

/** rtnl_rttable_a2n: a table name or number; undefined if neither. */
function tableId(ctx: CommandContext, name: string): number | undefined {
  // iproute2 reads the file first, whatever the argument (and so reports it corrupted).
  for (const [id, n] of tableNames(ctx)) if (n === name) return id;
  if (/^\d+$/.test(name)) return Number(name);
  if (/^0x[0-9a-f]+$/i.test(name)) return parseInt(name, 16);
  return undefined;
}

const ROUTE_TYPES: Record<string, RouteType> = {
  unicast: "unicast",
  local: "local",
  broadcast: "broadcast",
  brd: "broadcast",
  blackhole: "blackhole",
  unreachable: "unreachable",
  prohibit: "prohibit",
  throw: "throw",
};

const OTHER_TYPES = ["nat", "anycast", "multicast", "xresolve"];

interface RouteSpec {
  type: RouteType;
  typeGiven: boolean;
  dst: { addr: number; len: number } | undefined;
  gateway: number;
  dev: string | undefined;
  metric: number;
  metricGiven: boolean;
  table: number | undefined;
  proto: string | undefined;
  scope: RouteScope | undefined;
  src: number;
  mtu: number;
  onlink: boolean;
  nexthops: Array<{ gateway: number; dev: string | undefined; weight: number; onlink: boolean }>;
}

/** iproute_modify()'s parser, shared by add, change, replace, append and del. */
function parseRouteSpec(ctx: CommandContext, args: string[], opts: IpOpts): RouteSpec {
  const spec: RouteSpec = {
    type: "unicast",
    typeGiven: false,
    dst: undefined,
    gateway: 0,
    dev: undefined,
    metric: 0,
    metricGiven: false,
    table: undefined,
    proto: undefined,
    scope: undefined,
    src: 0,
    mtu: 0,
    onlink: false,
    nexthops: [],
  };
  const next = (k: number) => nextArg(args, k, "");
  // iproute_modify: the family is unset until the first address fixes it to inet.
  let fam = opts;
  const inet = { ...opts, family: "inet" as const };
  const addr = (text: string) => {
    const a = addrArg(text, fam);
    fam = inet;
    return a;
  };
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "src") spec.src = addr(next(++k));
    else if (a === "via") {
      let x = next(++k);
      if (x === "inet") x = next(++k);
      spec.gateway = addr(x);
    } else if (a === "from" || a === "tos" || is(a, "dsfield") || a === "expires") k++;
    else if (is(a, "metric") || is(a, "priority") || a === "preference") {
      const x = next(++k);
      if (!/^\d+$/.test(x)) throw invarg('"metric" value is invalid\n', x);
      spec.metric = Number(x);
      spec.metricGiven = true;
    } else if (a === "scope") {
      const x = next(++k);
      if (x !== "global" && x !== "link" && x !== "host") {
        throw invarg('invalid "scope" value\n', x);
      }
      spec.scope = x;
    } else if (a === "mtu") {
      let x = next(++k);
      if (x === "lock") x = next(++k);
      if (!/^\d+$/.test(x)) throw invarg('"mtu" value is invalid\n', x);
      spec.mtu = Number(x);
    } else if (a === "onlink") spec.onlink = true;
    else if (a === "nexthop") {
      // parse_nexthops: nothing but next hops may follow the first one.
      while (k < args.length) {
        if (args[k] !== "nexthop") {
          throw new IpError(
            `Error: "nexthop" or end of line is expected instead of "${args[k]}"`,
            255,
          );
        }
        if (k + 1 >= args.length) {
          throw new IpError('Error: unexpected end of line after "nexthop"', 255);
        }
        const nh = { gateway: 0, dev: undefined as string | undefined, weight: 1, onlink: false };
        k++;
        // parse_one_nh: its keywords, up to the first word it does not know.
        for (; k < args.length; k++) {
          const w = args[k]!;
          if (w === "via") {
            let x = next(++k);
            if (x === "inet") x = next(++k);
            nh.gateway = addr(x);
          } else if (w === "dev") {
            nh.dev = next(++k);
            if (!ctx.ns.dev.get(nh.dev)) {
              throw new IpError(`Cannot find device "${nh.dev}"\nError: cannot parse nexthop`, 255);
            }
          } else if (is(w, "weight")) {
            const x = next(++k);
            if (!/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 256) {
              throw invarg('"weight" is invalid\n', x);
            }
            nh.weight = Number(x);
          } else if (w === "onlink") nh.onlink = true;
          else break;
        }
        spec.nexthops.push(nh);
      }
      break;
    } else if (is(a, "protocol")) {
      const x = next(++k);
      if (!/^[a-z0-9_]+$/i.test(x)) throw invarg('"protocol" value is invalid\n', x);
      spec.proto = x;
    } else if (is(a, "table")) {
      const x = next(++k);
      const id = tableId(ctx, x);
      if (id === undefined) throw invarg('"table" value is invalid\n', x);
      spec.table = id;
    } else if (a === "dev" || a === "oif") spec.dev = next(++k);
    else {
      let x = a;
      if (a === "to") x = next(++k);
      if (!/^\d/.test(x) && (ROUTE_TYPES[x] !== undefined || OTHER_TYPES.includes(x))) {
        if (OTHER_TYPES.includes(x)) {
          throw new IpError(`ip: route type "${x}" is not supported by packetlab`, 255);
        }
        spec.type = ROUTE_TYPES[x]!;
        spec.typeGiven = true;
        x = next(++k);
      }
      if (is(x, "help")) throw usage(ROUTE_USAGE);
      if (spec.dst !== undefined) throw duparg2("to", x);
      const p = prefixArg(x, fam);
      fam = inet;
      spec.dst = { addr: p.addr, len: p.len };
    }
  }
  return spec;
}

function ipRoute(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (cmd === undefined || is(cmd, "list") || is(cmd, "show") || is(cmd, "lst")) {
    return routeShow(ctx, args.slice(1), opts, false);
  }
  if (is(cmd, "get")) return routeGet(ctx, args.slice(1), opts);
  if (is(cmd, "add")) return routeModify(ctx, args.slice(1), opts, "add");
  if (is(cmd, "change") || cmd === "chg") return routeModify(ctx, args.slice(1), opts, "change");
  if (is(cmd, "replace")) return routeModify(ctx, args.slice(1), opts, "replace");
  if (is(cmd, "prepend")) return routeModify(ctx, args.slice(1), opts, "prepend");
  if (is(cmd, "append")) return routeModify(ctx, args.slice(1), opts, "append");
  if (is(cmd, "delete")) return routeDel(ctx, args.slice(1), opts);
  if (is(cmd, "flush")) {
    if (args[1] === "cache") {
      ctx.ns.ip.flushCache();
      return 0;
    }
    return routeShow(ctx, args.slice(1), opts, true);
  }
  if (is(cmd, "help")) throw usage(ROUTE_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip route help".`, 255);
}

/** `ip route show` / `ip route flush` with iproute2's selectors. */
function routeShow(ctx: CommandContext, args: string[], opts: IpOpts, flush: boolean): number {
  let table: number | "all" = Table.main;
  let dev: Interface | undefined;
  let proto: string | undefined;
  let scope: RouteScope | undefined;
  let type: RouteType | undefined;
  let exact: { addr: number; len: number } | undefined;
  let match: { addr: number; len: number } | undefined;
  let root: { addr: number; len: number } | undefined;
  let via: number | undefined;
  let src: number | undefined;
  let metric: number | undefined;
  const next = (k: number) => nextArg(args, k, "");
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (is(a, "table")) {
      const x = next(++k);
      if (x === "all" || x === "0" || x === "unspec") table = "all";
      else if (x === "cache") continue;
      else {
        const id = tableId(ctx, x);
        if (id === undefined) throw invarg("table id value is invalid\n", x);
        table = id;
      }
    } else if (is(a, "vrf")) k++;
    else if (a === "cached" || a === "cloned") continue;
    else if (a === "tos" || is(a, "dsfield")) k++;
    else if (is(a, "protocol")) proto = next(++k);
    else if (is(a, "scope")) {
      const x = next(++k);
      if (x === "all") continue;
      if (x !== "global" && x !== "link" && x !== "host") {
        throw invarg('invalid "scope" value\n', x);
      }
      scope = x;
    } else if (is(a, "type")) {
      const x = next(++k);
      const t = ROUTE_TYPES[x];
      if (t === undefined) throw invarg("node type value is invalid\n", x);
      type = t;
    } else if (a === "dev" || a === "oif") {
      const x = next(++k);
      const d = ctx.ns.dev.get(x);
      if (!d) throw new IpError(`Cannot find device "${x}"`);
      dev = d;
    } else if (a === "iif") k++;
    else if (a === "mark") k++;
    else if (is(a, "metric") || is(a, "priority") || a === "preference") {
      const x = next(++k);
      if (!/^\d+$/.test(x)) throw invarg('"metric" value is invalid\n', x);
      metric = Number(x);
    } else if (a === "via") via = addrArg(next(++k), opts);
    else if (a === "src") src = addrArg(next(++k), opts);
    else if (is(a, "realms") || a === "from") k++;
    else {
      let x = a;
      if (is(x, "to")) x = next(++k);
      if (is(x, "root")) root = prefixArg(next(++k), opts);
      else if (is(x, "match")) match = prefixArg(next(++k), opts);
      else {
        if (is(x, "exact")) x = next(++k);
        if (is(x, "help")) throw usage(ROUTE_USAGE);
        exact = prefixArg(x, opts);
      }
    }
  }
  const ns = ctx.ns;
  if (opts.family === "inet6" || opts.family === "link") {
    if (opts.json) ctx.out("[]\n");
    return 0;
  }
  if (table !== "all" && !tableExists(ns, table)) {
    if (opts.json && !flush) {
      ctx.err("Error: ipv4: FIB table does not exist.\nDump terminated\n");
      ctx.out("[");
      return 2;
    }
    throw new IpError("Error: ipv4: FIB table does not exist.\nDump terminated", 2);
  }
  if (
    flush && table === Table.main && !dev && !proto && !scope && !type && !exact && !match &&
    !root && via === undefined && src === undefined
  ) {
    throw new IpError('"ip route flush" requires arguments.');
  }
  const names = tableNames(ctx);
  // Linux dumps its table hash in bucket order: by id modulo 256.
  const tables = table === "all"
    ? [...ns.ip.tables.values()].sort((a, b) => (a.id & 255) - (b.id & 255))
    : [ns.ip.tables.get(table)].filter((t) => t !== undefined);
  const routes: Route[] = [];
  for (const t of tables) {
    for (const r of t!.list()) {
      if (dev && !(r.nexthops.length === 1 && r.nexthops[0]!.dev === dev)) continue;
      if (proto !== undefined && r.proto !== proto) continue;
      if (scope !== undefined && r.scope !== scope) continue;
      if (type !== undefined && r.type !== type) continue;
      if (exact && !(r.dst === networkOf(exact.addr, exact.len) && r.len === exact.len)) continue;
      if (match && !(r.len <= match.len && networkOf(match.addr, r.len) === r.dst)) continue;
      if (
        root &&
        !(r.len >= root.len && networkOf(r.dst, root.len) === networkOf(root.addr, root.len))
      ) {
        continue;
      }
      // RTA_GATEWAY: a multipath route has none to match.
      if (via !== undefined && !(r.nexthops.length === 1 && r.nexthops[0]!.gateway === via)) {
        continue;
      }
      if (src !== undefined && r.prefsrc !== src) continue;
      if (metric !== undefined && r.metric !== metric) continue;
      routes.push(r);
    }
  }
  if (flush) {
    for (const r of routes) ns.ip.tables.get(r.table)?.remove(r);
    return 0;
  }
  const omit: RouteOmit = {
    dev: dev !== undefined,
    proto: proto !== undefined,
    scope: scope !== undefined,
    table: table === "all",
  };
  if (opts.json) {
    printJson(ctx, routes.map((r) => routeJson(r, omit, names)), opts);
    return 0;
  }
  for (const r of routes) ctx.out(formatRoute(r, omit, names) + "\n");
  return 0;
}

type ModifyCmd = "add" | "change" | "replace" | "prepend" | "append";

function routeModify(ctx: CommandContext, args: string[], opts: IpOpts, cmd: ModifyCmd): number {
  const spec = parseRouteSpec(ctx, args, opts);
  if (spec.dst === undefined) throw usage(ROUTE_USAGE);
  const ns = ctx.ns;
  const ip = ns.ip;
  if (spec.dev !== undefined) findDevice(ns, spec.dev);
  const tableId = spec.table ??
    (spec.type === "local" || spec.type === "broadcast" ? Table.local : Table.main);
  if (networkOf(spec.dst.addr, spec.dst.len) !== spec.dst.addr) {
    throw extack("Invalid prefix for given prefix length.");
  }
  const reject = spec.type === "blackhole" || spec.type === "unreachable" ||
    spec.type === "prohibit" || spec.type === "throw";
  let nexthops: NextHop[] = [];
  if (!reject) {
    const list = spec.nexthops.length > 0
      ? spec.nexthops
      : [{ gateway: spec.gateway, dev: spec.dev, weight: 1, onlink: spec.onlink }];
    for (const nh of list) {
      let dev = nh.dev === undefined ? undefined : findDevice(ns, nh.dev);
      if (nh.gateway && nh.onlink) checkOnlink(ns, nh.gateway, dev, spec.scope);
      if (nh.gateway && !nh.onlink) {
        // fib_check_nh: the gateway must be covered by a link-scope route (a
        // connected prefix) or be a local address, through the named device if any.
        const gwDev = gatewayDevice(ns, nh.gateway, dev);
        if (!gwDev) throw extack("Nexthop has invalid gateway.");
        dev ??= gwDev;
      }
      if (dev === undefined) throw rtnl("No such device");
      if (!dev.adminUp) throw extack("Device for nexthop is not up.");
      nexthops.push({ gateway: nh.gateway, dev, weight: nh.weight, onlink: nh.onlink });
    }
  } else {
    nexthops = [];
  }
  const scope: RouteScope = spec.scope ??
    (spec.type === "local"
      ? "host"
      : spec.type === "broadcast"
      ? "link"
      : reject || spec.nexthops.length > 0
      ? "global"
      : nexthops.every((n) => n.gateway === 0)
      ? "link"
      : "global");
  if (spec.src && !ip.isLocal(spec.src)) throw extack("Invalid prefsrc address.");
  const route: Route = {
    table: tableId,
    type: spec.type,
    dst: spec.dst.addr,
    len: spec.dst.len,
    metric: spec.metric,
    proto: spec.proto ?? "boot",
    scope,
    prefsrc: spec.src,
    nexthops,
    mtu: spec.mtu,
  };
  const table = ip.table(tableId);
  touchTable(ns, tableId);
  const same = table.exact(route.dst, route.len).filter((r) => r.metric === route.metric);
  if (cmd === "add" || cmd === "prepend") {
    if (same.length > 0 && cmd === "add") throw rtnl("File exists");
  } else if (cmd === "change" || cmd === "replace") {
    if (same.length === 0 && cmd === "change") throw rtnl("No such file or directory");
    if (same.length > 0) table.remove(same[0]!);
  } else if (cmd === "append") {
    const dup = same.some((r) =>
      r.type === route.type && r.nexthops.length === route.nexthops.length &&
      r.nexthops.every((n, k) =>
        n.gateway === route.nexthops[k]!.gateway && n.dev === route.nexthops[k]!.dev
      )
    );
    if (dup) throw rtnl("File exists");
  }
  table.add(route, cmd === "append");
  return 0;
}

/**
 * Linux's fib_check_nh_v4_gw: a lookup of the gateway in the local, then the
 * main table, among routes of link or host scope (through `dev` when given);
 * it must find a unicast (connected) or local route. The device it names, or
 * undefined when the gateway is not on a link.
 */
/**
 * fib_check_nh_v4_gw for an `onlink` next hop: no prefix need cover the
 * gateway, but the route must be of universe scope, the device given and up,
 * and the gateway an ordinary address (not one of the host's own, a broadcast
 * or a multicast address).
 */
function checkOnlink(
  ns: NetNs,
  gw: number,
  dev: Interface | undefined,
  scope: RouteScope | undefined,
): void {
  if (scope === "link" || scope === "host") throw extack("Nexthop has invalid scope.");
  if (dev === undefined) throw extack("Nexthop device required for onlink.");
  if (!dev.adminUp) throw extack("Nexthop device is not up.");
  const own = ns.ip.tables.get(Table.local)?.exact(gw, 32).some((r) =>
    r.type === "local" || r.type === "broadcast"
  );
  if (own || gw === 0xffffffff || gw >>> 28 === 0xe) {
    throw extack("Nexthop has invalid gateway.");
  }
}

function gatewayDevice(ns: NetNs, gw: number, dev: Interface | undefined): Interface | undefined {
  for (const t of [ns.ip.tables.get(Table.local), ns.ip.tables.get(Table.main)]) {
    let best: Route | undefined;
    for (const r of t?.list() ?? []) {
      if (networkOf(gw, r.len) !== r.dst || (best && best.len >= r.len)) continue;
      const nh = r.nexthops[0];
      if (r.scope === "global" || r.nexthops.length !== 1 || !nh || (dev && nh.dev !== dev)) {
        continue;
      }
      best = r;
    }
    if (best === undefined) continue;
    const ok = best.type === "local" ||
      (best.type === "unicast" && best.nexthops[0]!.gateway === 0);
    return ok ? best.nexthops[0]!.dev : undefined;
  }
  return undefined;
}

function routeDel(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const spec = parseRouteSpec(ctx, args, opts);
  if (spec.dst === undefined) throw usage(ROUTE_USAGE);
  const devIf = spec.dev === undefined ? undefined : findDevice(ctx.ns, spec.dev);
  const t = ctx.ns.ip.tables.get(spec.table ?? Table.main);
  const victim = t?.exact(spec.dst.addr, spec.dst.len).find((r) =>
    (!spec.metricGiven || r.metric === spec.metric) &&
    (!spec.typeGiven || r.type === spec.type) &&
    (spec.scope === undefined || r.scope === spec.scope) &&
    (spec.proto === undefined || r.proto === spec.proto) &&
    (!spec.src || r.prefsrc === spec.src) &&
    (devIf === undefined || r.nexthops.some((n) => n.dev === devIf)) &&
    (spec.gateway === 0 || r.nexthops.some((n) => n.gateway === spec.gateway))
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
  let mark = 0;
  let tos = 0;
  let proto = 0;
  let sport = 0;
  let dport = 0;
  let fibmatch = false;
  // iproute_get: the family is unset until the first address fixes it to inet.
  let fam = opts;
  const inet = { ...opts, family: "inet" as const };
  const next = (k: number) => nextArg(args, k, "");
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "from") {
      from = prefixArg(next(++k), fam).addr;
      fam = inet;
    } else if (a === "iif") iif = findDevice(ctx.ns, next(++k));
    else if (a === "oif" || a === "dev") oif = findDevice(ctx.ns, next(++k));
    else if (a === "mark") {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined) throw invarg("invalid mark value", x);
      mark = n;
    } else if (a === "tos" || is(a, "dsfield")) {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined || n > 255) throw invarg("TOS value is invalid\n", x);
      tos = n;
    } else if (a === "ipproto") {
      const x = next(++k);
      const n = ipProtoArg(x);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', x);
      proto = n;
    } else if (a === "sport" || a === "dport") {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined || n > 0xffff) throw invarg(`invalid ${a}\n`, x);
      if (a === "sport") sport = n;
      else dport = n;
    } else if (a === "uid" || a === "vrf") k++;
    else if (a === "fibmatch") fibmatch = true;
    else if (a === "connected") continue;
    else {
      let x = a;
      if (a === "to") x = next(++k);
      if (is(x, "help")) throw usage(ROUTE_USAGE);
      dst = prefixArg(x, fam).addr;
      fam = inet;
    }
  }
  if (dst === undefined) throw new IpError("need at least a destination address");
  const ip = ctx.ns.ip;
  // __ip_route_output_key: a source that is none of this host's addresses routes nowhere.
  if (!iif && from && !ip.isLocal(from)) throw rtnl("Network is unreachable");
  const r = ip.route(dst, {
    src: iif ? from : from || undefined,
    iif,
    oif,
    mark,
    tos: tos & (iif ? 0x1c : 0x1e),
    proto,
    sport,
    dport,
  });
  // ip_route_input_slow: an interface that does not forward routes nothing but local traffic.
  const forwarding = iif === undefined ||
    ctx.ns.dev.sysctl.get(`net.ipv4.conf.${iif.name}.forwarding`) === "1";
  if (typeof r === "string") {
    throw rtnl(ERRNO_TEXT[r === "ENETUNREACH" && !forwarding ? "EHOSTUNREACH" : r]);
  }
  if (r.type === "unicast" && !forwarding) throw rtnl("No route to host");
  if (fibmatch && r.route) {
    const names = tableNames(ctx);
    // The kernel's answer names the table unless it is main.
    if (opts.json) printJson(ctx, [routeJson(r.route, { table: true }, names)], opts);
    else ctx.out(formatRoute(r.route, { table: true }, names) + "\n");
    return 0;
  }
  const pmtu = ip.pmtu.get(dst);
  const now = ctx.sim.now;
  const shown: RouteGetShown = {
    dst,
    from: from || undefined,
    iif,
    mark,
    redirect: iif !== undefined && from !== undefined && wouldRedirect(ctx.ns, iif, from, r),
    expires: pmtu && pmtu.expires > now && r.mtu < r.dev.mtu
      ? Math.floor((pmtu.expires - now) / 1e9)
      : undefined,
    // Until the rules change, the kernel keeps table local merged into main.
    table: r.table === Table.main || (r.table === Table.local && !ip.customRules)
      ? undefined
      : (tableNames(ctx).get(r.table) ?? String(r.table)),
  };
  if (opts.json) {
    printJson(ctx, [routeGetJson(r, shown)], opts);
    return 0;
  }
  ctx.out(routeGetText(r, shown));
  return 0;
}

/** What `ip route get` shows besides the decision itself. */
interface RouteGetShown {
  dst: number;
  /** The `from` address asked about, if any. */
  from: number | undefined;
  iif: Interface | undefined;
  mark: number;
  /** The router would send a redirect for this packet (RTCF_DOREDIRECT). */
  redirect: boolean;
  /** Seconds left of a learned path MTU. */
  expires: number | undefined;
  /** Table name, when the kernel names it. */
  table: string | undefined;
}

/**
 * __mkroute_input's IPSKB_DOREDIRECT: a packet leaving by the device it came
 * in on, from a sender on that link to a gateway (or destination) on it, with
 * send_redirects on.
 */
function wouldRedirect(ns: NetNs, iif: Interface, src: number, r: RouteResult): boolean {
  if (r.type !== "unicast" || r.dev !== iif) return false;
  if (ns.dev.sysctl.get(`net.ipv4.conf.${iif.name}.send_redirects`) !== "1") return false;
  return ns.ip.addressesOf(iif).some((a) =>
    networkOf(src, a.len) === networkOf(a.addr, a.len) &&
    (r.gateway === 0 || networkOf(r.gateway, a.len) === networkOf(a.addr, a.len))
  );
}

function cacheFlags(r: RouteResult, s: RouteGetShown): string[] {
  if (s.redirect) return ["redirect"];
  return r.type === "local" ? ["local"] : r.type === "broadcast" ? ["local", "brd"] : [];
}

function routeGetText(r: RouteResult, s: RouteGetShown): string {
  const parts: string[] = [];
  if (r.type !== "unicast") parts.push(r.type);
  parts.push(formatIp4(s.dst));
  if (s.from !== undefined) parts.push("from", formatIp4(s.from));
  if (r.gateway) parts.push("via", formatIp4(r.gateway));
  parts.push("dev", r.dev.name);
  if (s.table !== undefined) parts.push("table", s.table);
  // The kernel reports the source it chose only when it differs from the one asked about.
  if (!s.iif && s.from === undefined) parts.push("src", formatIp4(r.src));
  // iproute2 prints small marks in decimal, the rest in hex.
  if (s.mark) parts.push("mark", s.mark >= 16 ? `0x${s.mark.toString(16)}` : String(s.mark));
  if (!s.iif) parts.push("uid", "0");
  const flags = cacheFlags(r, s);
  let cache = "    cache " + (flags.length ? `<${flags.join(",")}> ` : "");
  if (s.expires !== undefined) cache += `expires ${s.expires}sec mtu ${r.mtu} `;
  if (s.iif) cache += `iif ${s.iif.name} `;
  return `${parts.join(" ")} \n${cache}\n`;
}

function routeGetJson(r: RouteResult, s: RouteGetShown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r.type !== "unicast") o.type = r.type;
  o.dst = formatIp4(s.dst);
  if (s.from !== undefined) o.from = formatIp4(s.from);
  if (r.gateway) o.gateway = formatIp4(r.gateway);
  o.dev = r.dev.name;
  if (s.table !== undefined) o.table = s.table;
  if (!s.iif && s.from === undefined) o.prefsrc = formatIp4(r.src);
  o.flags = [];
  if (s.mark) o.mark = s.mark;
  if (!s.iif) o.uid = 0;
  o.cache = cacheFlags(r, s);
  if (s.expires !== undefined) {
    o.expires = s.expires;
    o.metrics = [{ mtu: r.mtu }];
  }
  if (s.iif) o.iif = s.iif.name;
  return o;
}

// ------------------------------------------------------------------ ip neigh

const NUD: Record<string, NeighState> = {
  permanent: "PERMANENT",
  reachable: "REACHABLE",
  stale: "STALE",
  delay: "DELAY",
  probe: "PROBE",
  failed: "FAILED",
  incomplete: "INCOMPLETE",
  noarp: "NOARP",
};

function ipNeigh(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  const neigh = ctx.ns.ip.neigh;
  if (
    cmd === undefined || is(cmd, "show") || is(cmd, "list") || is(cmd, "lst") || is(cmd, "flush")
  ) {
    const flush = cmd !== undefined && is(cmd, "flush");
    let dev: Interface | undefined;
    let to: { addr: number; len: number } | undefined;
    let states: NeighState[] | undefined;
    let any = false;
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a === "dev") {
        const x = nextArg(args, ++k, "dev");
        const d = ctx.ns.dev.get(x);
        if (!d) throw new IpError(`Cannot find device "${x}"`);
        dev = d;
      } else if (a === "nud") {
        const x = nextArg(args, ++k, "nud");
        if (x === "all") states = undefined;
        else {
          const s = NUD[x];
          if (s === undefined) throw invarg("nud state is bad\n", x);
          (states ??= []).push(s);
        }
      } else if (a === "all") any = true;
      else if (a === "proxy" || a === "nomaster" || a === "unused") continue;
      else if (a === "vrf" || a === "master") k++;
      else {
        let x = a;
        if (a === "to") x = nextArg(args, ++k, "to");
        if (is(x, "help")) throw usage(NEIGH_USAGE);
        to = prefixArg(x, opts);
      }
    }
    if (flush && !dev && !to && !any && states === undefined) {
      throw new IpError("Flush requires arguments.");
    }
    const entries = neigh.list().filter((e) =>
      (!dev || e.iface === dev) &&
      (!to || networkOf(e.ip, to.len) === networkOf(to.addr, to.len)) &&
      (states ? states.includes(e.state) : e.state !== "NOARP") &&
      (!flush || (e.state !== "PERMANENT" && e.state !== "NOARP"))
    );
    if (flush) {
      for (const e of entries) neigh.delete(e.iface, e.ip);
      return 0;
    }
    if (opts.json) {
      printJson(ctx, entries.map((e) => neighJson(e, !dev)), opts);
      return 0;
    }
    for (const e of entries) {
      if (opts.brief) {
        const ll = e.mac && e.state !== "INCOMPLETE" && e.state !== "FAILED"
          ? formatMac(e.mac)
          : "";
        ctx.out(
          `${formatIp4(e.ip).padEnd(39)} ${e.iface.name.padEnd(16)} ${ll.padEnd(17)} ${e.state} \n`,
        );
      } else ctx.out(formatNeigh(e, !dev) + "\n");
    }
    return 0;
  }
  if (is(cmd, "add") || is(cmd, "change") || is(cmd, "replace") || is(cmd, "delete")) {
    const del = is(cmd, "delete");
    let addr: number | undefined;
    let mac: number | undefined;
    let dev: Interface | undefined;
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a === "lladdr") {
        const x = nextArg(args, ++k, "lladdr");
        mac = parseMac(x);
        if (mac === undefined) throw new IpError(`"${x}" is invalid lladdr.`);
      } else if (a === "dev") dev = findDevice(ctx.ns, nextArg(args, ++k, "dev"));
      else if (a === "nud") k++;
      else if (["permanent", "router", "use", "managed", "extern_learn", "proxy"].includes(a)) {
        continue;
      } else if (a === "protocol") k++;
      else {
        let x = a;
        if (a === "to") x = nextArg(args, ++k, "to");
        if (addr !== undefined) throw duparg2("to", x);
        addr = addrArg(x, opts);
      }
    }
    if (addr === undefined || dev === undefined) {
      throw new IpError("Device and destination are required arguments.", 255);
    }
    if (del) {
      if (!neigh.delete(dev, addr)) throw rtnl("No such file or directory");
      return 0;
    }
    if (mac === undefined) throw rtnl("Invalid argument");
    if (is(cmd, "add") && neigh.get(dev, addr)) throw rtnl("File exists");
    if (is(cmd, "change") && !neigh.get(dev, addr)) throw rtnl("No such file or directory");
    neigh.setPermanent(dev, addr, mac);
    return 0;
  }
  if (is(cmd, "get")) {
    let addr: number | undefined;
    let dev: Interface | undefined;
    for (let k = 1; k < args.length; k++) {
      const a = args[k]!;
      if (a === "dev") dev = findDevice(ctx.ns, nextArg(args, ++k, "dev"));
      else if (a !== "proxy") addr = addrArg(a === "to" ? nextArg(args, ++k, "to") : a, opts);
    }
    if (addr === undefined || dev === undefined) {
      throw new IpError("Device and address are required arguments.", 255);
    }
    const e = neigh.get(dev, addr);
    if (!e) throw rtnl("No such file or directory");
    if (opts.json) printJson(ctx, [neighJson(e, true)], opts);
    else ctx.out(formatNeigh(e, true) + "\n");
    return 0;
  }
  if (is(cmd, "help")) throw usage(NEIGH_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip neigh help".`, 255);
}

// ------------------------------------------------------------------- ip rule

/** IP protocol names iproute2 resolves through /etc/protocols. */
const IP_PROTOCOLS: Record<string, number> = {
  ip: 0,
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  udp: 17,
  ipv6: 41,
  gre: 47,
  esp: 50,
  ah: 51,
  sctp: 132,
  udplite: 136,
};

/** inet_proto_a2n: a protocol name or a number 0-255; undefined if neither. */
function ipProtoArg(text: string): number | undefined {
  if (IP_PROTOCOLS[text] !== undefined) return IP_PROTOCOLS[text];
  const n = u32Arg(text);
  return n !== undefined && n <= 255 ? n : undefined;
}

/** inet_proto_n2a. */
function ipProtoName(n: number): string {
  for (const [name, v] of Object.entries(IP_PROTOCOLS)) if (v === n && name !== "ip") return name;
  return `ipproto-${n}`;
}

/** get_u32(…, 0): decimal, 0x hex or 0 octal, at most 2^32 - 1. */
function u32Arg(text: string): number | undefined {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) n = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) n = parseInt(text, 8);
  else if (/^[1-9]\d*$/.test(text)) n = Number(text);
  else return undefined;
  return n <= 0xffffffff ? n : undefined;
}

/** sscanf("%hu-%hu"): a port or an inclusive port range (each part wraps at 65536, as %hu does). */
function portRangeArg(text: string): [number, number] | undefined {
  const m = /^\+?(\d+)(?:-\+?(\d+))?/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]) % 65536;
  return [start, m[2] === undefined ? start : Number(m[2]) % 65536];
}

/** check_ifname: 1-15 characters, no slash or white space. */
/** Linux's IFNAMSIZ: an interface name has at most 15 characters. */
const IFNAMSIZ = 16;
/** Linux's ALTIFNAMSIZ: what iproute2 lets through as `dev NAME` before the kernel sees it. */
const ALTIFNAMSIZ = 128;

/** iproute2's check_ifname (check_altifname with `size` ALTIFNAMSIZ): no '/', no spaces. */
function validIfname(name: string, size = IFNAMSIZ): boolean {
  return name.length > 0 && name.length < size && !/[/\s]/.test(name);
}

/**
 * iproute2's ll_addr_a2n: a dotted IPv4 address (4 bytes), or colon-separated
 * pieces each read as sscanf("%x") reads them (leading hex digits, "0x"
 * allowed, trailing garbage ignored) and at most 255.
 */
function llAddrBytes(arg: string): number[] {
  if (arg.includes(".")) {
    const a = parseIp4(arg);
    if (a === undefined) throw new IpError(`"${arg}" is invalid lladdr.`);
    return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255];
  }
  const bytes: number[] = [];
  for (const piece of arg.split(":").slice(0, 32)) {
    const m = /^\s*([+-]?)(?:0[xX])?([0-9a-fA-F]+)/.exec(piece);
    const v = m ? parseInt(m[2]!, 16) : NaN;
    if (!m || v > 255 || (m[1] === "-" && v !== 0)) {
      throw new IpError(`"${piece}" is invalid lladdr.`);
    }
    bytes.push(v);
  }
  return bytes;
}

/**
 * An Ethernet device's new address: iproute2 wants the device's length (on
 * `set`; the kernel refuses other lengths on `add`), and the kernel a unicast,
 * non-zero address (is_valid_ether_addr).
 */
function unicastMac(bytes: number[], existing: boolean): number {
  if (bytes.length !== 6) {
    if (existing) throw new IpError(`Invalid address length ${bytes.length} - must be 6 bytes`);
    throw rtnl("Invalid argument");
  }
  const mac = bytes.reduce((m, b) => m * 256 + b, 0);
  if (mac === 0 || isGroupMac(mac)) throw rtnl("Cannot assign requested address");
  return mac;
}

/** What `ip rule add|del` said, with which selectors were given (deletion matches only those). */
interface RuleSpec {
  rule: Rule;
  priorityGiven: boolean;
  tableGiven: boolean;
  actionGiven: boolean;
  protoGiven: boolean;
}

const RULE_ACTIONS: Record<string, Rule["action"]> = {
  blackhole: "blackhole",
  unreachable: "unreachable",
  prohibit: "prohibit",
  unicast: "table",
};

/** iprule_modify()'s parser. */
function parseRuleSpec(ctx: CommandContext, args: string[], opts: IpOpts, add: boolean): RuleSpec {
  const rule = blankRule(0, 0);
  const spec: RuleSpec = {
    rule,
    priorityGiven: false,
    tableGiven: false,
    actionGiven: false,
    protoGiven: false,
  };
  const next = (k: number) => nextArg(args, k, "");
  let fwmaskGiven = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "not") rule.not = true;
    else if (a === "from" || a === "to") {
      const p = prefixArg(next(++k), opts);
      rule[a] = { addr: p.addr, len: p.len };
    } else if (is(a, "preference") || is(a, "order") || is(a, "priority")) {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined) throw invarg("preference value is invalid\n", x);
      rule.priority = n;
      spec.priorityGiven = true;
    } else if (a === "tos" || is(a, "dsfield")) {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined || n > 255) throw invarg("TOS value is invalid\n", x);
      rule.tos = n;
    } else if (a === "fwmark") {
      const x = next(++k);
      const [markText, maskText] = x.split("/", 2) as [string, string | undefined];
      const mark = u32Arg(markText);
      if (mark === undefined) throw invarg("fwmark value is invalid\n", markText);
      let mask = 0xffffffff;
      if (maskText !== undefined) {
        const m = u32Arg(maskText);
        if (m === undefined) throw invarg("fwmask value is invalid\n", maskText);
        mask = m;
        fwmaskGiven = true;
      }
      // fib_nl2rule: a zero mark without a mask matches every packet.
      rule.fwmark = { mark, mask: fwmaskGiven || mark !== 0 ? mask : 0 };
    } else if (is(a, "protocol")) {
      const x = next(++k);
      if (!/^[a-z0-9_]+$/i.test(x)) throw invarg('"protocol" value is invalid\n', x);
      rule.proto = x;
      spec.protoGiven = true;
    } else if (is(a, "table") || a === "lookup") {
      const x = next(++k);
      const id = tableId(ctx, x);
      if (id === undefined || id > 0xffffffff) throw invarg("invalid table ID\n", x);
      rule.table = id;
      spec.tableGiven = true;
    } else if (is(a, "suppress_prefixlength") || a === "sup_pl") {
      const x = next(++k);
      if (!/^\d+$/.test(x) || Number(x) > 0x7fffffff) {
        throw invarg("suppress_prefixlength value is invalid\n", x);
      }
      rule.suppressPrefixLength = Number(x);
    } else if (a === "dev" || a === "iif" || a === "oif") {
      const x = next(++k);
      if (!validIfname(x)) {
        throw new IpError(
          `Error: argument "${x}" is wrong: ${
            a === "oif" ? '"oif"' : '"iif"/"dev"'
          } not a valid ifname`,
          255,
        );
      }
      if (a === "oif") rule.oif = x;
      else rule.iif = x;
    } else if (a === "ipproto") {
      const x = next(++k);
      const n = ipProtoArg(x);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', x);
      rule.ipproto = n;
    } else if (a === "sport" || a === "dport") {
      const x = next(++k);
      const r = portRangeArg(x);
      if (r === undefined) throw invarg(`invalid ${a === "sport" ? "port" : "dport"} range\n`, x);
      rule[a] = r;
    } else if (
      is(a, "realms") || is(a, "tun_id") || is(a, "suppress_ifgroup") || a === "sup_group" ||
      a === "l3mdev" || a === "uidrange" || a === "nat" || is(a, "map-to") || a === "dscp"
    ) {
      throw new IpError(`ip: rule selector "${a}" is not supported by packetlab`, 255);
    } else {
      let x = a;
      if (a === "type") x = next(++k);
      if (is(x, "help")) throw usage(RULE_USAGE);
      if (is(x, "goto")) {
        const t = next(++k);
        const n = u32Arg(t);
        if (n === undefined) throw invarg("invalid target\n", t);
        rule.action = "goto";
        rule.goto = n;
      } else if (is(x, "nop")) rule.action = "nop";
      else if (RULE_ACTIONS[x] !== undefined) rule.action = RULE_ACTIONS[x]!;
      else throw invarg("Failed to parse rule type", x);
      spec.actionGiven = true;
      spec.tableGiven ||= rule.action !== "table";
    }
  }
  if (add && !spec.tableGiven) rule.table = Table.main;
  if (!add && !spec.actionGiven && !spec.tableGiven) rule.action = "table";
  return spec;
}

/** rule_exists(): what an `ip rule add` (NLM_F_EXCL) must not duplicate. */
function sameRule(r: Rule, n: Rule): boolean {
  return r.action === n.action && r.table === n.table && r.priority === n.priority &&
    r.iif === n.iif && r.oif === n.oif &&
    (r.fwmark?.mark ?? 0) === (n.fwmark?.mark ?? 0) &&
    (r.fwmark?.mask ?? 0) === (n.fwmark?.mask ?? 0) &&
    r.suppressPrefixLength === n.suppressPrefixLength && r.ipproto === n.ipproto &&
    r.proto === n.proto && String(r.sport) === String(n.sport) &&
    String(r.dport) === String(n.dport) && r.goto === n.goto &&
    // fib4_rule_compare looks only at what the new rule names.
    (n.from.len === 0 || (r.from.len === n.from.len && r.from.addr === n.from.addr)) &&
    (n.to.len === 0 || (r.to.len === n.to.len && r.to.addr === n.to.addr)) &&
    (n.tos === 0 || r.tos === n.tos);
}

/** rule_find(): the first rule an `ip rule del` names (only what was given is compared). */
function ruleMatchesDeletion(r: Rule, s: RuleSpec): boolean {
  const n = s.rule;
  return (!s.actionGiven || r.action === n.action) &&
    (n.table === 0 || r.table === n.table) &&
    (!s.priorityGiven || r.priority === n.priority) &&
    (n.iif === undefined || r.iif === n.iif) &&
    (n.oif === undefined || r.oif === n.oif) &&
    (!n.fwmark?.mark || r.fwmark?.mark === n.fwmark.mark) &&
    (!n.fwmark?.mask || r.fwmark?.mask === n.fwmark.mask) &&
    (n.suppressPrefixLength === -1 || r.suppressPrefixLength === n.suppressPrefixLength) &&
    (n.ipproto === 0 || r.ipproto === n.ipproto) &&
    (!s.protoGiven || r.proto === n.proto) &&
    (n.sport === undefined || String(r.sport) === String(n.sport)) &&
    (n.dport === undefined || String(r.dport) === String(n.dport)) &&
    (n.from.len === 0 || (r.from.len === n.from.len && r.from.addr === n.from.addr)) &&
    (n.to.len === 0 || (r.to.len === n.to.len && r.to.addr === n.to.addr)) &&
    (n.tos === 0 || r.tos === n.tos);
}

function ruleAdd(ctx: CommandContext, args: string[], opts: IpOpts): number {
  if (args.length === 0) throw new IpError('"ip rule add" requires arguments.', 1);
  const spec = parseRuleSpec(ctx, args, opts, true);
  const ip = ctx.ns.ip;
  const rule = spec.rule;
  if (!spec.priorityGiven) rule.priority = ip.defaultRulePriority();
  // fib_nl2rule: a goto may only jump forward.
  if (rule.action === "goto" && rule.goto <= rule.priority) {
    throw extack("Backward goto not supported.");
  }
  // fib_nl2rule's dsfield check (the ECN bits are no part of a rule).
  if (rule.tos & 3) throw extack("Invalid dsfield (tos): ECN bits must be 0.");
  if (ip.rules.some((r) => sameRule(r, rule))) throw rtnl("File exists");
  if (rule.action === "table" && rule.table === 0) {
    // fib_empty_table: table 0 means "a new, empty table" (the first unused id).
    let id = 1;
    while (tableExists(ctx.ns, id)) id++;
    rule.table = id;
    touchTable(ctx.ns, id);
  }
  ip.addRule(rule);
  return 0;
}

function ruleDel(ctx: CommandContext, args: string[], opts: IpOpts): number {
  if (args.length === 0) throw new IpError('"ip rule del" requires arguments.', 1);
  const spec = parseRuleSpec(ctx, args, opts, false);
  const victim = ctx.ns.ip.rules.find((r) => ruleMatchesDeletion(r, spec));
  if (!victim) throw rtnl("No such file or directory");
  ctx.ns.ip.deleteRule(victim);
  return 0;
}

/** `ip rule list|flush SELECTOR`'s filter (iprule.c's filter_nlmsg). */
function ruleFilter(
  ctx: CommandContext,
  args: string[],
  opts: IpOpts,
): (r: Rule) => boolean {
  const tests: Array<(r: Rule) => boolean> = [];
  const inet = { ...opts, family: "inet" as const };
  const next = (k: number) => nextArg(args, k, "");
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (is(a, "preference") || is(a, "order") || is(a, "priority")) {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined) throw invarg("preference value is invalid\n", x);
      tests.push((r) => r.priority === n);
    } else if (a === "not") tests.push((r) => r.not);
    else if (a === "tos" || a === "dsfield") {
      const x = next(++k);
      const n = u32Arg(x);
      if (n === undefined || n > 255) throw invarg("TOS value is invalid\n", x);
      tests.push((r) => r.tos === n);
    } else if (a === "fwmark") {
      const [markText, maskText] = next(++k).split("/", 2) as [string, string | undefined];
      const mark = u32Arg(markText);
      if (mark === undefined) throw invarg("fwmark value is invalid\n", markText);
      if (mark) tests.push((r) => (r.fwmark?.mark ?? 0) === mark);
      if (maskText !== undefined) {
        const mask = u32Arg(maskText);
        if (mask === undefined) throw invarg("fwmask value is invalid\n", maskText);
        if (mask) tests.push((r) => (r.fwmark?.mask ?? 0) === mask);
      }
    } else if (a === "dev" || a === "iif") {
      const x = next(++k);
      if (!validIfname(x)) {
        throw new IpError(`Error: argument "${x}" is wrong: "iif"/"dev" not a valid ifname`, 255);
      }
      tests.push((r) => r.iif === x);
    } else if (a === "oif") {
      const x = next(++k);
      if (!validIfname(x)) {
        throw new IpError(`Error: argument "${x}" is wrong: "oif" not a valid ifname`, 255);
      }
      tests.push((r) => r.oif === x);
    } else if (is(a, "lookup") || is(a, "table")) {
      const x = next(++k);
      const id = tableId(ctx, x);
      if (id === undefined) throw invarg("table id value is invalid\n", x);
      if (id > 0) tests.push((r) => r.action === "table" && r.table === id);
    } else if (is(a, "protocol")) {
      const x = next(++k);
      if (x !== "all") tests.push((r) => r.proto === x);
    } else if (a === "ipproto") {
      const x = next(++k);
      const n = ipProtoArg(x);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', x);
      tests.push((r) => r.ipproto === n);
    } else if (a === "sport" || a === "dport") {
      const x = next(++k);
      const range = portRangeArg(x);
      if (range === undefined) {
        throw invarg(`invalid ${a === "sport" ? "port" : "dport"} range\n`, x);
      }
      if (range[0]) tests.push((r) => String(r[a]) === String(range));
    } else if (is(a, "uidrange") || is(a, "tun_id") || a === "l3mdev" || a === "dscp") {
      throw new IpError(`ip: rule selector "${a}" is not supported by packetlab`, 255);
    } else {
      const from = is(a, "from") || is(a, "src");
      const x = from || is(a, "dst") || is(a, "to") ? next(++k) : a;
      const p = prefixArg(x, inet);
      // inet_addr_match_rta: the rule's prefix must be at least as long and share the first bits.
      if (p.len > 0) {
        tests.push((r) => {
          const q = from ? r.from : r.to;
          return q.len >= p.len && networkOf(q.addr, p.len) === networkOf(p.addr, p.len);
        });
      }
    }
  }
  return (r) => tests.every((t) => t(r));
}

/** One `ip rule show` line (print_rule), without its newline. */
function formatRule(ctx: CommandContext, r: Rule, names: Map<number, string>, details: boolean) {
  const prefix = (p: { addr: number; len: number }) =>
    p.len === 32 ? formatIp4(p.addr) : `${formatIp4(p.addr)}/${p.len}`;
  let line = `${r.priority}:\t${r.not ? "not " : ""}from ${r.from.len ? prefix(r.from) : "all"}`;
  if (r.to.len) line += ` to ${prefix(r.to)}`;
  if (r.tos) line += ` tos 0x${r.tos.toString(16).padStart(2, "0")}`;
  if (r.fwmark && (r.fwmark.mark || r.fwmark.mask)) {
    const hex = (n: number) => (n ? `0x${n.toString(16)}` : "0");
    line += ` fwmark ${hex(r.fwmark.mark)}`;
    if (r.fwmark.mask !== 0xffffffff) line += `/${hex(r.fwmark.mask)}`;
  }
  if (r.iif !== undefined) line += ` iif ${r.iif}${ctx.ns.dev.get(r.iif) ? "" : " [detached]"}`;
  if (r.oif !== undefined) line += ` oif ${r.oif}${ctx.ns.dev.get(r.oif) ? "" : " [detached]"}`;
  if (r.ipproto) line += ` ipproto ${ipProtoName(r.ipproto)}`;
  for (const key of ["sport", "dport"] as const) {
    const range = r[key];
    if (range) line += ` ${key} ${range[0] === range[1] ? range[0] : `${range[0]}-${range[1]}`}`;
  }
  if (r.action === "table" && r.table) {
    line += ` lookup ${names.get(r.table) ?? r.table}`;
    if (r.suppressPrefixLength !== -1) line += ` suppress_prefixlength ${r.suppressPrefixLength}`;
  }
  if (r.action === "goto") {
    line += ` goto ${r.goto}`;
    if (!ctx.ns.ip.rules.some((x) => x.priority === r.goto)) line += " [unresolved]";
  } else if (r.action === "nop") line += " nop";
  else if (r.action !== "table") line += ` ${r.action}`;
  if ((r.proto !== "unspec" && r.proto !== "kernel") || details) line += ` proto ${r.proto}`;
  return line;
}

/** `ip -j rule` object for one rule (print_rule's JSON keys, in its order). */
function ruleJson(
  ctx: CommandContext,
  r: Rule,
  names: Map<number, string>,
  details: boolean,
): Record<string, unknown> {
  const o: Record<string, unknown> = { priority: r.priority };
  if (r.not) o.not = null;
  o.src = r.from.len ? formatIp4(r.from.addr) : "all";
  if (r.from.len && r.from.len !== 32) o.srclen = r.from.len;
  if (r.to.len) {
    o.dst = formatIp4(r.to.addr);
    if (r.to.len !== 32) o.dstlen = r.to.len;
  }
  if (r.tos) o.tos = `0x${r.tos.toString(16).padStart(2, "0")}`;
  if (r.fwmark && (r.fwmark.mark || r.fwmark.mask)) {
    const hex = (n: number) => (n ? `0x${n.toString(16)}` : "0");
    o.fwmark = hex(r.fwmark.mark);
    if (r.fwmark.mask !== 0xffffffff) o.fwmask = hex(r.fwmark.mask);
  }
  if (r.iif !== undefined) {
    o.iif = r.iif;
    if (!ctx.ns.dev.get(r.iif)) o.iif_detached = null;
  }
  if (r.oif !== undefined) {
    o.oif = r.oif;
    if (!ctx.ns.dev.get(r.oif)) o.oif_detached = null;
  }
  if (r.ipproto) o.ipproto = ipProtoName(r.ipproto);
  for (const key of ["sport", "dport"] as const) {
    const range = r[key];
    if (!range) continue;
    if (range[0] === range[1]) o[key] = range[0];
    else {
      o[`${key}_start`] = range[0];
      o[`${key}_end`] = range[1];
    }
  }
  if (r.action === "table" && r.table) {
    o.table = names.get(r.table) ?? String(r.table);
    if (r.suppressPrefixLength !== -1) o.suppress_prefixlen = r.suppressPrefixLength;
  }
  if (r.action === "goto") {
    o.goto = r.goto;
    if (!ctx.ns.ip.rules.some((x) => x.priority === r.goto)) o.unresolved = null;
  } else if (r.action === "nop") o.nop = null;
  else if (r.action !== "table") o.action = r.action;
  if ((r.proto !== "unspec" && r.proto !== "kernel") || details) o.protocol = r.proto;
  return o;
}

function ipRule(ctx: CommandContext, args: string[], opts: IpOpts): number {
  const cmd = args[0];
  if (opts.family === "inet6" || opts.family === "link") {
    if (cmd === undefined || is(cmd, "list") || is(cmd, "show") || is(cmd, "lst")) {
      if (opts.json) ctx.out("[]\n");
      return 0;
    }
  }
  if (cmd === undefined || is(cmd, "list") || is(cmd, "show") || is(cmd, "lst")) {
    const names = tableNames(ctx);
    const keep = ruleFilter(ctx, args.slice(1), opts);
    const rules = ctx.ns.ip.rules.filter(keep);
    if (opts.json) {
      printJson(ctx, rules.map((r) => ruleJson(ctx, r, names, opts.details)), opts);
      return 0;
    }
    for (const r of rules) ctx.out(formatRule(ctx, r, names, opts.details) + "\n");
    return 0;
  }
  if (is(cmd, "add")) return ruleAdd(ctx, args.slice(1), opts);
  if (is(cmd, "delete")) return ruleDel(ctx, args.slice(1), opts);
  if (is(cmd, "flush")) {
    // flush_rule deletes every listed rule that has a priority attribute (the kernel omits 0).
    const keep = ruleFilter(ctx, args.slice(1), opts);
    for (const r of ctx.ns.ip.rules.filter(keep)) {
      if (r.priority !== 0) ctx.ns.ip.deleteRule(r);
    }
    return 0;
  }
  if (is(cmd, "save") || is(cmd, "restore")) {
    throw new IpError(`ip: "ip rule ${cmd}" is not supported by packetlab`, 255);
  }
  if (is(cmd, "help")) throw usage(RULE_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip rule help".`, 255);
}

// ------------------------------------------------------------------ ip netns

function ipNetns(ctx: CommandContext, args: string[]): number | Process {
  const cmd = args[0];
  const node = ctx.node;
  if (cmd === undefined || is(cmd, "list") || is(cmd, "show") || is(cmd, "lst")) {
    // Linux lists /run/netns in directory order: newest first on tmpfs.
    for (const name of [...node.netns.keys()].reverse()) ctx.out(`${name}\n`);
    return 0;
  }
  if (is(cmd, "add")) {
    const name = args[1];
    if (name === undefined) throw usage(NETNS_USAGE);
    if (!node.addNetns(name)) {
      throw new IpError(`Cannot create namespace file "/run/netns/${name}": File exists`);
    }
    return 0;
  }
  if (is(cmd, "delete")) {
    const name = args[1];
    if (name === undefined) throw new IpError("No netns name specified");
    const ns = node.netns.get(name);
    if (!ns) {
      throw new IpError(
        `Cannot remove namespace file "/run/netns/${name}": No such file or directory`,
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
    if (name === undefined) throw new IpError("No netns name specified");
    const ns = node.netns.get(name);
    if (!ns) {
      ctx.err(`Cannot open network namespace "${name}": No such file or directory\n`);
      return 255;
    }
    const sub = args.slice(2);
    if (sub.length === 0) throw new IpError("No command specified");
    if (!commandExists(sub[0]!)) {
      throw new IpError(`exec of "${sub[0]}" failed: No such file or directory`);
    }
    return runIn({ ...ctx, ns }, sub);
  }
  if (is(cmd, "identify")) {
    if (ctx.ns.name) ctx.out(`${ctx.ns.name}\n`);
    return 0;
  }
  if (is(cmd, "pids") || is(cmd, "list-id")) return 0;
  if (is(cmd, "help")) throw usage(NETNS_USAGE);
  throw new IpError(`Command "${cmd}" is unknown, try "ip netns help".`, 255);
}

let runIn: (ctx: CommandContext, argv: string[]) => number | Process = () => 127;
let commandExists: (name: string) => boolean = () => false;

/** Install how `ip netns exec` runs its command and tells which commands exist (the shell does this). */
export function setNetnsExec(
  f: (ctx: CommandContext, argv: string[]) => number | Process,
  exists: (name: string) => boolean,
): void {
  runIn = f;
  commandExists = exists;
}
