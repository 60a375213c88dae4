/**
 * `conntrack` (conntrack-tools 1.4): `-L` lists the connection table in the
 * kernel's /proc layout, filtered by `-p PROTO`, `-s/--src`, `-d/--dst`,
 * `--sport`, `--dport`, `--state`, `-n/--src-nat`, `-g/--dst-nat`; `-C` counts
 * entries; `-F` empties the table; `-D` deletes matching entries. The summary
 * line goes to standard error, as the real tool prints it.
 *
 * @module
 */
import type { Command } from "./context.ts";
import { parseIp4 } from "../wire/addr.ts";
import { type Conn, ConntrackTable } from "../netfilter/conntrack.ts";
import { PROTO_BY_NAME } from "../netfilter/rule.ts";

const PROG = "conntrack v1.4.7 (conntrack-tools)";

/** `conntrack -L|-C|-F|-D [filters]`. */
export const conntrack: Command = (ctx, argv) => {
  const args = argv.slice(1);
  let op: string | undefined;
  const filters: Array<(c: Conn) => boolean> = [];
  const bad = (msg: string) => {
    ctx.err(`${PROG}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => args[++i];
    switch (a) {
      case "-L":
      case "--dump":
      case "-C":
      case "--count":
      case "-F":
      case "--flush":
      case "-D":
      case "--delete": {
        const long: Record<string, string> = {
          "--dump": "L",
          "--count": "C",
          "--flush": "F",
          "--delete": "D",
        };
        const o = a.length === 2 ? a[1]! : long[a]!;
        if (op !== undefined && op !== o) return bad(`Invalid parameters`);
        op = o;
        if ((o === "L" || o === "D") && (args[i + 1] === "conntrack")) i++;
        break;
      }
      case "-p":
      case "--proto": {
        const v = value();
        const n = v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : PROTO_BY_NAME[v];
        if (n === undefined) return bad(`proto \`${v ?? ""}' unknown`);
        filters.push((c) => c.orig.proto === n);
        break;
      }
      case "-s":
      case "--src":
      case "--orig-src":
      case "-d":
      case "--dst":
      case "--orig-dst": {
        const v = value();
        const ip = v === undefined ? undefined : parseIp4(v);
        if (ip === undefined) return bad(`Bad parameter \`${v ?? ""}'`);
        const src = a === "-s" || a === "--src" || a === "--orig-src";
        filters.push((c) => (src ? c.orig.src : c.orig.dst) === ip);
        break;
      }
      case "--sport":
      case "--orig-port-src":
      case "--dport":
      case "--orig-port-dst": {
        const v = Number(value());
        if (!Number.isInteger(v)) return bad(`Bad parameter`);
        const s = a === "--sport" || a === "--orig-port-src";
        filters.push((c) => (s ? c.orig.sport : c.orig.dport) === v);
        break;
      }
      case "--state": {
        const v = value() ?? "";
        filters.push((c) => c.tcpState === v.toUpperCase());
        break;
      }
      case "-n":
      case "--src-nat":
        filters.push((c) => c.srcNat);
        break;
      case "-g":
      case "--dst-nat":
        filters.push((c) => c.dstNat);
        break;
      default:
        return bad(`Invalid parameter "${a}"`);
    }
  }
  if (op === undefined) {
    ctx.err(
      `${PROG}: no command specified\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`,
    );
    return 2;
  }
  const now = ctx.sim.now;
  const table = ctx.ns.netfilter.conntrack;
  const conns = table.list(now).filter((c) => filters.every((f) => f(c)));
  switch (op) {
    case "L":
      for (const c of conns) ctx.out(ConntrackTable.format(c, now) + "\n");
      ctx.err(`${PROG}: ${conns.length} flow entries have been shown.\n`);
      return 0;
    case "C":
      ctx.out(`${conns.length}\n`);
      return 0;
    case "F":
      table.flush();
      ctx.err(`${PROG}: connection tracking table has been emptied.\n`);
      return 0;
    case "D":
      for (const c of conns) table.remove(c);
      if (conns.length === 0) {
        ctx.err(`${PROG}: 0 flow entries have been deleted.\n`);
        return 1;
      }
      ctx.err(`${PROG}: ${conns.length} flow entries have been deleted.\n`);
      return 0;
  }
  return 0;
};
