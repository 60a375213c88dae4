/**
 * `conntrack` (conntrack-tools 1.4.7): `-L` lists the connection table in the
 * kernel's /proc layout, filtered by `-p PROTO`, `-s/--src`, `-d/--dst` and,
 * after `-p tcp` or `-p udp`, `--sport`, `--dport` (and `--state` for TCP), or
 * after `-p icmp`, `--icmp-type`, `--icmp-code`, `--icmp-id`;
 * `-C` counts entries; `-F` empties the table; `-D` deletes the matching
 * entries and prints each. Summaries go to standard error and errors carry the
 * real tool's messages and exit statuses, as does the usage text without
 * arguments.
 *
 * Left out: expectations (`-L expect` lists none), events (`-E`), `-G`, `-I`,
 * `-U`, output formats (`-o`) and the NAT filters' address argument.
 *
 * @module
 */
import type { Command } from "./context.ts";
import { inetAton } from "./format.ts";
import { type Conn, ConntrackTable, TCP_STATES } from "../netfilter/conntrack.ts";
import { PROTO_BY_NAME } from "../netfilter/rule.ts";

const PROG = "conntrack v1.4.7 (conntrack-tools)";

const USAGE = `Command line interface for the connection tracking system. Version 1.4.7
Usage: conntrack [commands] [options]

Commands:
  -L [table] [options]\t\tList conntrack or expectation table
  -G [table] parameters\t\tGet conntrack or expectation
  -D [table] parameters\t\tDelete conntrack or expectation
  -I [table] parameters\t\tCreate a conntrack or expectation
  -U [table] parameters\t\tUpdate a conntrack
  -E [table] [options]\t\tShow events
  -F [table]\t\t\tFlush table
  -C [table]\t\t\tShow counter
  -S\t\t\t\tShow statistics

Tables: conntrack, expect, dying, unconfirmed

Conntrack parameters and options:
  -n, --src-nat ip\t\t\tsource NAT ip
  -g, --dst-nat ip\t\t\tdestination NAT ip
  -j, --any-nat ip\t\t\tsource or destination NAT ip
  -m, --mark mark\t\t\tSet mark
  -c, --secmark secmark\t\t\tSet selinux secmark
  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY
  -z, --zero \t\t\t\tZero counters while listing
  -o, --output type[,...]\t\tOutput format, eg. xml
  -l, --label label[,...]\t\tconntrack labels

Expectation parameters and options:
  --tuple-src ip\tSource address in expect tuple
  --tuple-dst ip\tDestination address in expect tuple

Updating parameters and options:
  --label-add label\tAdd label
  --label-del label\tDelete label

Common parameters and options:
  -s, --src, --orig-src ip\t\tSource address from original direction
  -d, --dst, --orig-dst ip\t\tDestination address from original direction
  -r, --reply-src ip\t\tSource addres from reply direction
  -q, --reply-dst ip\t\tDestination address from reply direction
  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'
  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout\t\tSet timeout
  -u, --status status\t\tSet status, eg. ASSURED
  -w, --zone value\t\tSet conntrack zone
  --orig-zone value\t\tSet zone for original direction
  --reply-zone value\t\tSet zone for reply direction
  -b, --buffer-size\t\tNetlink socket buffer size
  --mask-src ip\t\t\tSource mask address
  --mask-dst ip\t\t\tDestination mask address

`;

/** Commands by option. */
const COMMANDS: Record<string, string> = {
  "-L": "L",
  "--dump": "L",
  "-C": "C",
  "--count": "C",
  "-F": "F",
  "--flush": "F",
  "-D": "D",
  "--delete": "D",
};

/** Long names of the filter options, as "Illegal option" names them. */
const LONG: Record<string, string> = {
  "-p": "--protonum",
  "--proto": "--protonum",
  "--protonum": "--protonum",
  "-s": "--src",
  "--src": "--src",
  "--orig-src": "--src",
  "-d": "--dst",
  "--dst": "--dst",
  "--orig-dst": "--dst",
};

/** Other options that take a value. */
const VALUED = [
  "--sport",
  "--dport",
  "--state",
  "--icmp-type",
  "--icmp-code",
  "--icmp-id",
  "-f",
  "--family",
];

/** `conntrack -L|-C|-F|-D [filters]`. */
export const conntrack: Command = (ctx, argv) => {
  const args = argv.slice(1);
  if (args.length === 0) {
    ctx.out(USAGE);
    return 0;
  }
  let op: string | undefined;
  let proto: number | undefined;
  let table = "conntrack";
  let illegal: string | undefined;
  const filters: Array<(c: Conn) => boolean> = [];
  const bad = (msg: string) => {
    ctx.err(`${PROG}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const cmd = COMMANDS[a];
    if (cmd !== undefined) {
      if (op !== undefined) return bad("Invalid commands combination");
      op = cmd;
      const t = args[i + 1];
      if ((cmd === "L" || cmd === "D" || cmd === "F" || cmd === "C") && t && !t.startsWith("-")) {
        table = t;
        i++;
      }
      continue;
    }
    const needsValue = a in LONG || VALUED.includes(a);
    const v = needsValue ? args[++i] : undefined;
    if (needsValue && v === undefined) return bad(`option \`${a}' requires an argument`);
    if (a in LONG) illegal ??= LONG[a];
    switch (a) {
      case "-p":
      case "--proto":
      case "--protonum": {
        const n = /^\d+$/.test(v!) ? Number(v) : PROTO_BY_NAME[v!];
        if (n === undefined || n > 255) return bad(`\`${v}' unsupported protocol`);
        proto = n;
        filters.push((c) => c.orig.proto === n);
        break;
      }
      case "-s":
      case "--src":
      case "--orig-src":
      case "-d":
      case "--dst":
      case "--orig-dst": {
        // inet_aton's forms ("10", "0x0a000001"), an optional /prefix, or an
        // IPv6 address (which no IPv4 entry matches).
        const slash = v!.indexOf("/");
        const text = slash < 0 ? v! : v!.slice(0, slash);
        const ip = inetAton(text);
        const v6 = ip === undefined && text.includes(":") && /^[0-9a-fA-F:.]+$/.test(text);
        if (ip === undefined && !v6) return bad(`Invalid IP address \`${v}'`);
        const bits = slash < 0 ? "32" : v!.slice(slash + 1);
        if (!/^\d*$/.test(bits) || Number(bits) > (v6 ? 128 : 32)) return bad("Invalid netmask");
        const mask = bits === "" || bits === "0" ? 0 : (~0 << (32 - Number(bits))) >>> 0;
        const src = LONG[a] === "--src";
        filters.push((c) =>
          ip !== undefined && (((src ? c.orig.src : c.orig.dst) ^ ip) & mask) === 0
        );
        break;
      }
      case "--sport":
      case "--dport": {
        // Options of the TCP and UDP modules: known only once -p named one.
        if (proto !== 6 && proto !== 17) return bad(`unknown option \`${a}'`);
        // strtoul: what does not parse is 0, as the real tool reads it.
        const port = /^\d+/.test(v!) ? Number(/^\d+/.exec(v!)![0]) & 0xffff : 0;
        const s = a === "--sport";
        filters.push((c) => (s ? c.orig.sport : c.orig.dport) === port);
        break;
      }
      case "--state": {
        if (proto !== 6) return bad(`unknown option \`${a}'`);
        if (!(TCP_STATES as readonly string[]).includes(v!) || v === "NONE") {
          return bad(`unknown TCP state \`${v}'`);
        }
        filters.push((c) => c.tcpState === v);
        break;
      }
      case "--icmp-type":
      case "--icmp-code":
      case "--icmp-id": {
        if (proto !== 1) return bad(`unknown option \`${a}'`);
        const n = /^\d+/.test(v!) ? Number(/^\d+/.exec(v!)![0]) : 0;
        // The tuple keeps type·256+code in dport and the id in sport.
        filters.push((c) =>
          a === "--icmp-type"
            ? c.orig.dport >>> 8 === n
            : a === "--icmp-code"
            ? (c.orig.dport & 0xff) === n
            : c.orig.sport === n
        );
        break;
      }
      case "-f":
      case "--family":
        if (v !== "ipv4") return bad(`\`${v}' unsupported family`);
        break;
      case "-n":
      case "--src-nat":
        filters.push((c) => c.srcNat);
        break;
      case "-g":
      case "--dst-nat":
        filters.push((c) => c.dstNat);
        break;
      default:
        return bad(`unknown option \`${a}'`);
    }
  }
  // Filters make sense for listing and deleting only.
  if (illegal !== undefined && (op === undefined || op === "C" || op === "F")) {
    return bad(`Illegal option \`${illegal}' with this command`);
  }
  if (op === undefined) return bad("no command specified");
  const now = ctx.sim.now;
  const ct = ctx.ns.netfilter.conntrack;
  if (table === "expect") {
    if (op === "L") ctx.err(`${PROG}: 0 expectations have been shown.\n`);
    return 0;
  }
  const conns = ct.list(now).filter((c) => filters.every((f) => f(c)));
  switch (op) {
    case "L":
      for (const c of conns) ctx.out(ConntrackTable.format(c, now) + "\n");
      ctx.err(`${PROG}: ${conns.length} flow entries have been shown.\n`);
      return 0;
    case "C":
      ctx.out(`${conns.length}\n`);
      return 0;
    case "F":
      ct.flush();
      ctx.err(`${PROG}: connection tracking table has been emptied.\n`);
      return 0;
    case "D":
      // Each entry is printed as it goes.
      for (const c of conns) {
        ctx.out(ConntrackTable.format(c, now) + "\n");
        ct.remove(c);
      }
      ctx.err(`${PROG}: ${conns.length} flow entries have been deleted.\n`);
      return conns.length === 0 ? 1 : 0;
  }
  return 0;
};
