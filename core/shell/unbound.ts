/**
 * `unbound [-c FILE] [-d] [-p] [-v] [-h] [-V]`: Unbound 1.17's command line
 * starting the recursive resolver of core/app/dns/resolver.ts with the
 * settings of its configuration file (default /etc/unbound/unbound.conf,
 * read from the node's files). Without `-d` it becomes a daemon (`pkill
 * unbound` stops it); with `-d` it stays in the foreground (run it with `&`).
 *
 * Configuration (unbound.conf(5)), `server:` clause: `interface:` (each one
 * a listening address; default 127.0.0.1), `port:`, `access-control: NET
 * allow|refuse|deny` (default: only 127.0.0.0/8 is allowed; refused clients
 * get REFUSED — `deny`, which drops silently in Unbound, refuses too),
 * `local-data: "RR"`, `root-hints: FILE` (named.root format; default
 * Unbound's built-in root servers), `cache-max-ttl:`,
 * `cache-max-negative-ttl:`. Keywords that change nothing here (username,
 * chroot, directory, pidfile, logfile, verbosity, module-config, …) are
 * accepted; an unknown one gets Unbound's three error lines and the fatal
 * "Could not read config file" (exit 1). A missing file is reported and the
 * defaults used, as Unbound does. An interface that is not local fails with
 * "can't bind socket: Cannot assign requested address".
 *
 * Left out: stub-zone, forward-zone, remote-control (unbound-control),
 * views, include, and every option not named above.
 *
 * @module
 */
import type { CommandContext, Process } from "./context.ts";
import { getopt } from "./getopt.ts";
import { parseIp4 } from "../wire/addr.ts";
import { RecursiveResolver, type RootHint } from "../app/dns/resolver.ts";
import { parseRecords, ZoneError } from "../app/dns/zone.ts";
import type { DnsListener } from "../app/dns/transport.ts";
import { addDaemon, newPid, removeDaemon } from "./daemons.ts";

const USAGE = `usage:  unbound [options]
	start unbound daemon DNS resolver.
-h	this help.
-c file	config file to read instead of /etc/unbound/unbound.conf
	file format is described in unbound.conf(5).
-d	do not fork into the background.
-p	do not create a pidfile.
-v	verbose (more times to increase verbosity).
-V	show version number and build options.

Version 1.17.1
BSD licensed, see LICENSE in source package for details.
Report bugs to unbound-bugs@nlnetlabs.nl or https://github.com/NLnetLabs/unbound/issues
`;

/** Unbound 1.17.1's built-in root hints (Debian's, with b.root-servers.net's 2023 address). */
export const BUILTIN_ROOT_HINTS: RootHint[] = [
  ["a", "198.41.0.4"],
  ["b", "170.247.170.2"],
  ["c", "192.33.4.12"],
  ["d", "199.7.91.13"],
  ["e", "192.203.230.10"],
  ["f", "192.5.5.241"],
  ["g", "192.112.36.4"],
  ["h", "198.97.190.53"],
  ["i", "192.36.148.17"],
  ["j", "192.58.128.30"],
  ["k", "193.0.14.129"],
  ["l", "199.7.83.42"],
  ["m", "202.12.27.33"],
].map(([l, a]) => ({ name: `${l}.root-servers.net.`, address: a! }));

/** server: keywords accepted without effect here. */
const IGNORED = new Set([
  "username",
  "chroot",
  "directory",
  "pidfile",
  "logfile",
  "use-syslog",
  "verbosity",
  "module-config",
  "qname-minimisation",
  "do-ip4",
  "do-ip6",
  "do-udp",
  "do-tcp",
  "num-threads",
  "hide-identity",
  "hide-version",
  "harden-glue",
  "prefetch",
  "so-reuseport",
  "edns-buffer-size",
  "auto-trust-anchor-file",
  "trust-anchor-file",
  "do-not-query-localhost",
]);

interface UnboundConfig {
  interfaces: string[];
  port: number;
  allow: string[];
  localData: string[];
  rootHints: string | undefined;
  maxTtl: number | undefined;
  maxNegativeTtl: number | undefined;
}

const dec = new TextDecoder();

/** Split "key: value" lines into tokens as Unbound's lexer sees them (quotes kept together). */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([^\s:"]+:?)|(:)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1] !== undefined ? `"${m[1]}"` : m[2] ?? m[3]!);
  }
  return out;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** Read unbound.conf text; returns the settings or Unbound's error lines. */
export function parseUnboundConf(
  text: string,
  file: string,
): { ok: true; config: UnboundConfig } | { ok: false; errors: string[] } {
  const c: UnboundConfig = {
    interfaces: [],
    port: 53,
    allow: [],
    localData: [],
    rootHints: undefined,
    maxTtl: undefined,
    maxNegativeTtl: undefined,
  };
  const errors: string[] = [];
  let clause = "";
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const toks = tokens(line);
    const head = toks[0]!;
    const where = `${file}:${i + 1}: error:`;
    if (/^(server|remote-control|stub-zone|forward-zone):$/.test(head) && toks.length === 1) {
      clause = head.slice(0, -1);
      return;
    }
    const key = head.endsWith(":") ? head.slice(0, -1) : head;
    const value = toks[1] === undefined ? "" : unquote(toks[1]);
    const known = clause === "server" &&
      (IGNORED.has(key) ||
        [
          "interface",
          "port",
          "access-control",
          "local-data",
          "root-hints",
          "cache-max-ttl",
          "cache-max-negative-ttl",
        ]
          .includes(key));
    if (!known || !head.endsWith(":")) {
      errors.push(`${where} unknown keyword '${key}'`);
      if (head.endsWith(":")) errors.push(`${where} stray ':'`);
      for (const t of toks.slice(1)) errors.push(`${where} unknown keyword '${unquote(t)}'`);
      return;
    }
    const num = () => {
      if (!/^\d+$/.test(value)) errors.push(`${where} number expected: ${value}`);
      return Number(value);
    };
    switch (key) {
      case "interface":
        c.interfaces.push(value);
        break;
      case "port":
        c.port = num();
        break;
      case "access-control": {
        const action = toks[2] === undefined ? "" : unquote(toks[2]);
        if (action === "allow" || action === "allow_snoop") c.allow.push(value);
        break;
      }
      case "local-data":
        c.localData.push(value);
        break;
      case "root-hints":
        c.rootHints = value;
        break;
      case "cache-max-ttl":
        c.maxTtl = num();
        break;
      case "cache-max-negative-ttl":
        c.maxNegativeTtl = num();
        break;
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: c };
}

/** The `unbound` command. */
export function unbound(ctx: CommandContext, argv: string[]): number | Process {
  const g = getopt(argv.slice(1), "c:dhpvV");
  if (!g.ok) {
    ctx.err(
      `unbound: ${
        g.error === "invalid" ? "invalid option" : "option requires an argument"
      } -- '${g.ch}'\n`,
    );
    ctx.out(USAGE);
    return 1;
  }
  let file = "/etc/unbound/unbound.conf";
  let foreground = false;
  for (const [o, v] of g.opts) {
    if (o === "h") {
      ctx.out(USAGE);
      return 1;
    }
    if (o === "V") {
      ctx.out("Version 1.17.1\n\n");
      return 0;
    }
    if (o === "c") file = v!;
    if (o === "d") foreground = true;
  }
  const pid = newPid(ctx.node);
  const log = (level: string, text: string) =>
    ctx.err(`[${Math.floor(ctx.sim.now / 1e9)}] unbound[${pid}:0] ${level}: ${text}\n`);
  const f = ctx.node.files.get(file);
  let text = "";
  if (f === undefined) {
    log("error", `Could not open ${file}: No such file or directory`);
    log("warning", "Continuing with default config settings");
  } else {
    text = dec.decode(typeof f === "function" ? f() : f);
  }
  const parsed = parseUnboundConf(text, file);
  if (!parsed.ok) {
    for (const e of parsed.errors) ctx.err(e + "\n");
    ctx.err(`read ${file} failed: ${parsed.errors.length} errors in configuration file\n`);
    log(
      "fatal error",
      `Could not read config file: ${file}. Maybe try unbound -dd, it stays on the commandline to see more errors, or unbound-checkconf`,
    );
    return 1;
  }
  const c = parsed.config;
  let hints = BUILTIN_ROOT_HINTS;
  if (c.rootHints !== undefined) {
    const h = ctx.node.files.get(c.rootHints);
    if (h === undefined) {
      log("error", `Could not read root hints ${c.rootHints}: No such file or directory`);
      log("fatal error", "Could not set root or stub hints");
      return 1;
    }
    try {
      const records = parseRecords(dec.decode(typeof h === "function" ? h() : h), {
        origin: ".",
        ttl: 3600000,
      });
      hints = records.filter((r) => r.data.type === "A").map((r) => ({
        name: r.name,
        address: (r.data as { address: number }).address,
      }));
    } catch (e) {
      if (!(e instanceof ZoneError)) throw e;
      log("error", `reading root hints ${c.rootHints}: ${e.message}`);
      log("fatal error", "Could not set root or stub hints");
      return 1;
    }
  }
  const resolver = new RecursiveResolver(ctx.ns, {
    rootHints: hints,
    allow: c.allow.length > 0 ? c.allow : ["127.0.0.0/8"],
    maxTtl: c.maxTtl,
    maxNegativeTtl: c.maxNegativeTtl,
  });
  try {
    for (const rr of c.localData) resolver.addLocalData(rr);
  } catch (e) {
    if (!(e instanceof ZoneError)) throw e;
    log("error", `Bad local-data RR ${c.localData.join(" ")}`);
    log("fatal error", "Could not set up local zones");
    return 1;
  }
  const listeners: DnsListener[] = [];
  for (const ifc of c.interfaces.length > 0 ? c.interfaces : ["127.0.0.1"]) {
    const address = parseIp4(ifc);
    try {
      if (address === undefined || (address !== 0 && !ctx.ns.ip.isLocal(address))) {
        throw new Error("EADDRNOTAVAIL");
      }
      listeners.push(resolver.listen({ address, port: c.port }));
    } catch (e) {
      for (const l of listeners) l.close();
      const why = String((e as Error).message).includes("EADDRINUSE")
        ? "Address already in use"
        : "Cannot assign requested address";
      log("error", `can't bind socket: ${why} for ${ifc} port ${c.port}`);
      log("fatal error", "could not open ports");
      return 1;
    }
  }
  let running = true;
  const stop = () => {
    if (!running) return;
    running = false;
    for (const l of listeners) l.close();
    removeDaemon(ctx.node, daemon);
  };
  const daemon = { name: "unbound", pid, ns: ctx.ns, command: argv.join(" "), stop };
  addDaemon(ctx.node, daemon);
  if (!foreground) return 0;
  return { done: () => !running, status: () => 0, stop };
}
