/**
 * `dmesg` (util-linux 2.38): the kernel log of a node, which in packetlab
 * holds what the iptables LOG target wrote, from every namespace of the node
 * (the kernel log is one per machine), in time order with dmesg's
 * `[seconds.micros]` stamps in virtual time.
 *
 * Options: `-l/--level LIST` (only these levels: emerg, alert, crit, err,
 * warn, notice, info, debug; LOG's `--log-level` sets a line's), `-t/--notime`,
 * `-c/--read-clear`, `-C/--clear`, `-L/--color[=WHEN]` (accepted; output is
 * taken to be a pipe, so never colored). Errors carry util-linux's messages.
 *
 * @module
 */
import type { Command } from "./context.ts";
import { getopt, getoptMessage } from "./getopt.ts";

/** Syslog level names, in order (0 emerg … 7 debug). */
const LEVELS = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];

const LONG: Record<string, string> = {
  "--level": "l",
  "--notime": "t",
  "--read-clear": "c",
  "--clear": "C",
};

const TRY = "Try 'dmesg --help' for more information.\n";

/** `dmesg [-c] [-C] [-l LIST] [-t] [-L[=WHEN]]`. */
export const dmesg: Command = (ctx, argv) => {
  // Long options become their short forms; --color's optional value is checked here.
  const args: string[] = [];
  const rest = argv.slice(1);
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const color = /^(--color|-L)(?:=(.*))?$/.exec(a);
    if (color) {
      const when = color[2];
      if (when !== undefined && !["auto", "always", "never"].includes(when)) {
        ctx.err(`dmesg: unsupported color mode: '${when}'\n`);
        return 1;
      }
      continue;
    }
    if (!a.startsWith("--")) {
      args.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq < 0 ? a : a.slice(0, eq);
    const short = LONG[name];
    if (short === undefined) {
      ctx.err(`dmesg: unrecognized option '${a}'\n${TRY}`);
      return 1;
    }
    if (short !== "l") {
      args.push(`-${short}`);
      continue;
    }
    const value = eq < 0 ? rest[++i] : a.slice(eq + 1);
    if (value === undefined) {
      ctx.err(`dmesg: option '${name}' requires an argument\n${TRY}`);
      return 1;
    }
    args.push("-l", value);
  }
  const r = getopt(args, "cCl:tL");
  if (!r.ok) {
    ctx.err(getoptMessage("dmesg", r) + TRY);
    return 1;
  }
  let print = true;
  let clear = false;
  let notime = false;
  let levels: Set<number> | undefined;
  for (const [o, v] of r.opts) {
    if (o === "c") clear = true;
    else if (o === "C") [print, clear] = [false, true];
    else if (o === "t") notime = true;
    else if (o === "l") {
      levels ??= new Set();
      for (const name of v!.split(",")) {
        const n = LEVELS.indexOf(name);
        if (n < 0) {
          ctx.err(`dmesg: unknown level '${name}'\n`);
          return 1;
        }
        levels.add(n);
      }
    }
  }
  const namespaces = [ctx.node.root, ...ctx.node.netns.values()].filter((n) => n.hasNetfilter);
  if (print) {
    const all = namespaces.flatMap((n) => n.netfilter.log)
      .filter((l) => levels === undefined || levels.has(l.level));
    all.sort((a, b) => a.time - b.time);
    for (const l of all) {
      const us = Math.floor(l.time / 1000);
      const secs = Math.floor(us / 1e6);
      const stamp = notime
        ? ""
        : `[${String(secs).padStart(5)}.${String(us % 1e6).padStart(6, "0")}] `;
      ctx.out(`${stamp}${l.text}\n`);
    }
  }
  if (clear) { for (const n of namespaces) n.netfilter.log.length = 0; }
  return 0;
};
