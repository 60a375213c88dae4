/**
 * `dnsmasq`: the DHCP side of dnsmasq 2.90, configured on its command line
 * (or in a `--conf-file` from the node's files) with dnsmasq's option syntax:
 * `--dhcp-range` (`-F`), `--dhcp-option` (`-O`) and `--dhcp-option-force`,
 * `--dhcp-host` (`-G`), `--dhcp-boot` (`-M`), `--dhcp-authoritative` (`-K`),
 * `--no-ping`, `--interface` (`-i`), `--except-interface` (`-I`), `--domain`
 * (`-s`), `--port` (`-p`, 0 turns DNS off), `--log-dhcp`, `--dhcp-leasefile`
 * (`-l`), `--no-daemon` (`-d`), `--keep-in-foreground` (`-k`), `--test`,
 * `--version`; DNS-only options (`--no-resolv`, `--no-hosts`, `--bind-interfaces`,
 * …) are accepted and change nothing.
 *
 * Without `-d` or `-k` it daemonizes: the command returns at once, the server
 * keeps running (stop it with `pkill dnsmasq`) and logs to `/var/log/syslog`.
 * With `-d` it stays in the foreground logging to standard error (run it with
 * `&`), and prints "exiting on receipt of SIGTERM" when killed. Bad options
 * print dnsmasq's messages ("bad dhcp-range", "bad dhcp-option", "bad IPv4
 * address", "bad hex constant", "try --help") and exit 1; a second server on
 * the same port fails with "failed to bind DHCP server socket: Address already
 * in use" and exit 2. The lease file (`/var/lib/misc/dnsmasq.leases`) is
 * written in dnsmasq's format after each change.
 *
 * `--enable-tftp` with `--tftp-root=DIR` adds dnsmasq's read-only TFTP server
 * (core/app/tftp's "dnsmasq" flavour) on port 69, logging as dnsmasq-tftp; a
 * root that is no directory fails with "TFTP directory DIR inaccessible" and
 * exit 3, a taken port 69 with "failed to create listening socket for port
 * 69" and exit 2.
 *
 * Simplified: no DNS service (with DNS on, dnsmasq offers itself as the DNS
 * server, as the real one does, but nothing answers on port 53), no tags, no
 * TFTP options beyond the root, no SIGHUP reload.
 *
 * @module
 */
import { formatIp4, formatMac, parseIp4, parseMac } from "../wire/addr.ts";
import type { Mac } from "../wire/packet.ts";
import {
  ADDRESS_OPTIONS,
  type DhcpBootSetting,
  type DhcpOptionSetting,
  type DhcpRange,
  DhcpServer,
  type DhcpServerConfig,
  type DhcpStaticHost,
  OPTION_NAMES,
  prettyTime,
} from "../app/dhcp/server.ts";
import { INFINITE_LEASE } from "../app/dhcp/client.ts";
import type { CommandContext, Process } from "./context.ts";
import { addDaemon, type Daemon, newPid, removeDaemon, syslog } from "./daemons.ts";
import { TftpServer } from "../app/tftp/server.ts";
import { isDirectory } from "../app/tftp/lockstep.ts";

const VERSION = "2.90";
const COMPILE_OPTIONS =
  "IPv6 GNU-getopt DBus no-UBus i18n IDN2 DHCP DHCPv6 no-Lua TFTP conntrack ipset nftset auth cryptohash DNSSEC loop-detect inotify dumpfile";
const dec = new TextDecoder();
const enc = new TextEncoder();

/** A dnsmasq configuration as parsed from the command line. */
export interface DnsmasqConfig {
  /** The DHCP server configuration. */
  dhcp: DhcpServerConfig;
  /** Stay in the foreground logging to stderr (`-d`). */
  debug: boolean;
  /** Stay in the foreground (`-k`). */
  foreground: boolean;
  /** DNS port (0: DNS off). */
  port: number;
  /** Lease file path. */
  leaseFile: string;
  /** `--test`: check the syntax and exit. */
  test: boolean;
  /** `--version`. */
  version: boolean;
  /** `--help`. */
  help: boolean;
  /** `--enable-tftp`, and `--tftp-root` (undefined: files from dnsmasq's working directory, /). */
  tftp: { enabled: boolean; root: string | undefined };
}

/** Thrown for a bad option, with dnsmasq's text. */
class BadOption extends Error {
  /** A whole message (from a conf file) rather than one for "bad command line options: …". */
  whole = false;
  /** Exit status. */
  status = 1;
}

function confError(message: string, status = 1): BadOption {
  const e = new BadOption(message);
  e.whole = true;
  e.status = status;
  return e;
}

type ArgKind = "none" | "required" | "optional";

/** dnsmasq's long options (the subset modelled) with their short letters. */
const OPTIONS: Record<string, { short?: string; arg: ArgKind }> = {
  "dhcp-range": { short: "F", arg: "required" },
  "dhcp-option": { short: "O", arg: "required" },
  "dhcp-option-force": { arg: "required" },
  "dhcp-host": { short: "G", arg: "required" },
  "dhcp-boot": { short: "M", arg: "required" },
  "dhcp-authoritative": { short: "K", arg: "none" },
  "no-ping": { arg: "none" },
  "interface": { short: "i", arg: "required" },
  "except-interface": { short: "I", arg: "required" },
  "bind-interfaces": { short: "z", arg: "none" },
  "bind-dynamic": { arg: "none" },
  "no-daemon": { short: "d", arg: "none" },
  "keep-in-foreground": { short: "k", arg: "none" },
  "port": { short: "p", arg: "required" },
  "domain": { short: "s", arg: "required" },
  "log-dhcp": { arg: "none" },
  "log-queries": { short: "q", arg: "optional" },
  "log-facility": { short: "8", arg: "required" },
  "conf-file": { short: "C", arg: "required" },
  "dhcp-leasefile": { short: "l", arg: "required" },
  "pid-file": { short: "x", arg: "optional" },
  "test": { arg: "none" },
  "version": { short: "v", arg: "none" },
  "help": { short: "w", arg: "optional" },
  "no-resolv": { short: "R", arg: "none" },
  "no-hosts": { short: "h", arg: "none" },
  "listen-address": { short: "a", arg: "required" },
  "user": { short: "u", arg: "optional" },
  "group": { short: "g", arg: "optional" },
  "quiet-dhcp": { arg: "none" },
  "leasefile-ro": { arg: "none" },
  "dhcp-lease-max": { short: "X", arg: "required" },
  "strict-order": { short: "o", arg: "none" },
  "dhcp-no-override": { arg: "none" },
  "addn-hosts": { short: "H", arg: "required" },
  "dhcp-hostsfile": { arg: "required" },
  "local-service": { arg: "none" },
  "enable-tftp": { arg: "optional" },
  "tftp-root": { arg: "required" },
};

const SHORT = new Map(
  Object.entries(OPTIONS).filter(([, o]) => o.short).map(([name, o]) => [o.short!, name]),
);

/** Options whose value is text. */
const TEXT_OPTIONS = new Set([12, 14, 15, 17, 18, 40, 47, 56, 60, 64, 66, 67, 100, 101]);
/** Options whose value is an integer, by byte width. */
const INT_OPTIONS = new Map<number, number>([
  [2, 4],
  [13, 2],
  [19, 1],
  [20, 1],
  [22, 2],
  [23, 1],
  [24, 4],
  [26, 2],
  [27, 1],
  [29, 1],
  [30, 1],
  [31, 1],
  [34, 1],
  [35, 4],
  [36, 1],
  [37, 1],
  [38, 4],
  [39, 1],
  [46, 1],
  [51, 4],
  [52, 1],
  [57, 2],
  [58, 4],
  [59, 4],
]);

const NAME_TO_CODE = new Map(
  Object.entries(OPTION_NAMES).map(([code, name]) => [name, Number(code)]),
);

/** A lease time: "45m", "12h", "3600", "infinite" — at least two minutes. */
function leaseTime(text: string): number | undefined {
  if (text === "infinite") return INFINITE_LEASE;
  const m = /^(\d+)([smhdw]?)$/.exec(text);
  if (!m) return undefined;
  const unit: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const t = Number(m[1]) * unit[m[2]!]!;
  return Math.max(t, 120);
}

/** Drop leading `tag:`/`set:`/`encap:`/`vendor:`/`id:` selectors from a comma list. */
function stripTags(fields: string[]): string[] {
  let i = 0;
  while (i < fields.length && /^(tag|set|net|encap|vendor|vi-encap|id):/.test(fields[i]!)) i++;
  return fields.slice(i);
}

function parseRange(value: string): DhcpRange {
  const f = stripTags(value.split(","));
  const bad = () => new BadOption("bad dhcp-range");
  const start = parseIp4(f[0] ?? "");
  if (start === undefined || f.length < 2) throw bad();
  let i = 1;
  let end: number;
  let isStatic = false;
  if (f[1] === "static") {
    isStatic = true;
    end = start;
    i = 2;
  } else {
    const e = parseIp4(f[1]!);
    if (e === undefined) throw bad();
    end = e;
    i = 2;
  }
  const addrs: number[] = [];
  let lease = 3600;
  for (; i < f.length; i++) {
    const a = parseIp4(f[i]!);
    if (a !== undefined && addrs.length < 2) {
      addrs.push(a);
      continue;
    }
    if (i !== f.length - 1) throw bad();
    const t = leaseTime(f[i]!);
    if (t === undefined) throw bad();
    lease = t;
  }
  // dnsmasq swaps a range given backwards.
  const lo = Math.min(start, end), hi = Math.max(start, end);
  return {
    start: lo,
    end: isStatic ? lo : hi,
    netmask: addrs[0],
    leaseTime: lease,
    ...(isStatic ? { static: true } : {}),
  };
}

function parseOption(value: string, force: boolean): DhcpOptionSetting {
  const f = stripTags(value.split(","));
  const head = f[0] ?? "";
  let code: number | undefined;
  if (/^\d+$/.test(head)) code = Number(head);
  else if (head.startsWith("option:")) code = NAME_TO_CODE.get(head.slice(7));
  if (code === undefined || code < 1 || code > 254) throw new BadOption("bad dhcp-option");
  const values = f.slice(1);
  if (values.length === 0) return { code, data: new Uint8Array(0), force };
  if (
    ADDRESS_OPTIONS.has(code) ||
    (!TEXT_OPTIONS.has(code) && !INT_OPTIONS.has(code) &&
      values.every((v) => parseIp4(v) !== undefined))
  ) {
    const data = new Uint8Array(values.length * 4);
    values.forEach((v, k) => {
      const a = parseIp4(v);
      if (a === undefined) {
        throw new BadOption(/^[\d.]+$/.test(v) ? "bad IPv4 address" : "bad IP address");
      }
      data.set([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255], k * 4);
    });
    return { code, data, addresses: true, force };
  }
  const width = INT_OPTIONS.get(code);
  if (width !== undefined) {
    const n = Number(values[0]);
    if (!/^-?\d+$/.test(values[0]!) || values.length > 1) throw new BadOption("bad dhcp-option");
    const data = new Uint8Array(width);
    let v = n < 0 ? 2 ** (8 * width) + n : n;
    for (let k = width - 1; k >= 0; k--) {
      data[k] = v % 256;
      v = Math.floor(v / 256);
    }
    return { code, data, force };
  }
  return { code, data: enc.encode(values.join(",")), force };
}

function parseHost(value: string): DhcpStaticHost {
  const h: Partial<DhcpStaticHost> = {};
  for (const field of value.split(",")) {
    if (/^(set|tag|id):/.test(field)) continue;
    if (field.includes(":")) {
      const m = parseMac(field);
      if (m === undefined) throw new BadOption("bad hex constant");
      h.mac = m;
    } else if (parseIp4(field) !== undefined) h.address = parseIp4(field);
    else if (field === "ignore") h.ignore = true;
    else if (leaseTime(field) !== undefined) h.leaseTime = leaseTime(field);
    else if (/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(field)) h.hostName = field;
    else throw new BadOption("bad DHCP host name");
  }
  if (h.mac === undefined) throw new BadOption("bad dhcp-host");
  return h as DhcpStaticHost;
}

function parseBoot(value: string): DhcpBootSetting {
  const f = stripTags(value.split(","));
  const b: DhcpBootSetting = { file: f[0] ?? "" };
  if (f[1] !== undefined && f[1] !== "") b.serverName = f[1];
  if (f[2] !== undefined) {
    // A name that is not an address would be looked up in /etc/hosts: unresolved here, so 0.0.0.0.
    b.serverAddress = parseIp4(f[2]) ?? 0;
  }
  return b;
}

/** Parse dnsmasq's argv (without the program name); throws BadOption. */
export function parseDnsmasq(
  args: string[],
  readFile: (path: string) => string | undefined,
): DnsmasqConfig {
  const cfg: DnsmasqConfig = {
    dhcp: { ranges: [], hosts: [], options: [], dns: true },
    debug: false,
    foreground: false,
    port: 53,
    leaseFile: "/var/lib/misc/dnsmasq.leases",
    test: false,
    version: false,
    help: false,
    tftp: { enabled: false, root: undefined },
  };
  const apply = (name: string, value: string | undefined) => {
    const d = cfg.dhcp;
    switch (name) {
      case "dhcp-range":
        d.ranges.push(parseRange(value!));
        break;
      case "enable-tftp":
        cfg.tftp.enabled = true;
        break;
      case "tftp-root":
        cfg.tftp.root = value!.split(",")[0]!;
        break;
      case "dhcp-option":
      case "dhcp-option-force":
        d.options!.push(parseOption(value!, name === "dhcp-option-force"));
        break;
      case "dhcp-host":
        d.hosts!.push(parseHost(value!));
        break;
      case "dhcp-boot":
        d.boot = parseBoot(value!);
        break;
      case "dhcp-authoritative":
        d.authoritative = true;
        break;
      case "no-ping":
        d.ping = false;
        break;
      case "dhcp-no-override":
        d.noOverride = true;
        break;
      case "interface":
        (d.interfaces ??= []).push(...value!.split(","));
        break;
      case "except-interface":
        (d.exceptInterfaces ??= []).push(...value!.split(","));
        break;
      case "no-daemon":
        cfg.debug = true;
        break;
      case "keep-in-foreground":
        cfg.foreground = true;
        break;
      case "port": {
        if (!/^\d+$/.test(value!)) throw new BadOption("bad port");
        cfg.port = Number(value);
        d.dns = cfg.port !== 0;
        break;
      }
      case "domain":
        d.domain = value!.split(",")[0];
        break;
      case "log-dhcp":
        d.logDhcp = true;
        break;
      case "dhcp-leasefile":
        cfg.leaseFile = value!;
        break;
      case "test":
        cfg.test = true;
        break;
      case "version":
        cfg.version = true;
        break;
      case "help":
        cfg.help = true;
        break;
      case "conf-file": {
        if (value === undefined || value === "/dev/null") break;
        const text = readFile(value);
        if (text === undefined) {
          throw confError(`cannot read ${value}: No such file or directory`, 3);
        }
        text.split("\n").forEach((raw, n) => {
          const line = raw.trim();
          if (line === "" || line.startsWith("#")) return;
          const at = `at line ${n + 1} of ${value}`;
          const eq = line.indexOf("=");
          const key = eq < 0 ? line : line.slice(0, eq);
          const v = eq < 0 ? undefined : line.slice(eq + 1);
          const o = OPTIONS[key];
          if (o === undefined) throw confError(`bad option ${at}`);
          if (o.arg === "required" && v === undefined) throw confError(`missing parameter ${at}`);
          try {
            apply(key, v);
          } catch (e) {
            if (e instanceof BadOption && !e.whole) throw confError(`${e.message} ${at}`);
            throw e;
          }
        });
        break;
      }
      default:
        break; // Accepted DNS-side options change nothing here.
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const o = OPTIONS[name];
      if (o === undefined) throw new BadOption("try --help");
      let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
      if (o.arg === "required" && value === undefined) {
        value = args[++i];
        if (value === undefined) throw new BadOption("try --help");
      }
      if (o.arg === "none" && value !== undefined) throw new BadOption("try --help");
      apply(name, value);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const name = SHORT.get(a[j]!);
        if (name === undefined) throw new BadOption("try --help");
        const o = OPTIONS[name]!;
        if (o.arg === "none") {
          apply(name, undefined);
          continue;
        }
        let value: string | undefined = a.slice(j + 1);
        if (value === "") value = o.arg === "required" ? args[++i] : undefined;
        if (o.arg === "required" && value === undefined) throw new BadOption("try --help");
        apply(name, value);
        break;
      }
      continue;
    }
    // dnsmasq takes no operands.
    throw new BadOption("try --help");
  }
  return cfg;
}

/** The lines dnsmasq logs as it starts. */
function startupLines(cfg: DnsmasqConfig, ctx: CommandContext): string[] {
  const out = [
    cfg.port === 0
      ? `dnsmasq: started, version ${VERSION} DNS disabled`
      : `dnsmasq: started, version ${VERSION} cachesize 150`,
    `dnsmasq: compile time options: ${COMPILE_OPTIONS}`,
  ];
  for (const name of cfg.dhcp.interfaces ?? []) {
    if (!ctx.ns.dev.get(name)) {
      out.push(`dnsmasq: warning: interface ${name} does not currently exist`);
    }
  }
  // dnsmasq keeps its ranges newest first.
  for (const r of [...cfg.dhcp.ranges].reverse()) {
    out.push(
      r.static
        ? `dnsmasq-dhcp: DHCP, static leases only on ${formatIp4(r.start)}, lease time ${
          prettyTime(r.leaseTime)
        }`
        : `dnsmasq-dhcp: DHCP, IP range ${formatIp4(r.start)} -- ${formatIp4(r.end)}, lease time ${
          prettyTime(r.leaseTime)
        }`,
    );
  }
  if (cfg.tftp.enabled) {
    // "TFTP %s%s %s %s": the root (or "enabled"), then the secure-mode and port-range words.
    const root = cfg.tftp.root;
    out.push(`dnsmasq-tftp: TFTP ${root === undefined ? "enabled" : `root is ${root}`}  `);
  }
  return out;
}

/** The lease file in dnsmasq's format: "EXPIRY MAC IP HOSTNAME CLIENTID", expiry in seconds. */
function leaseFileText(server: DhcpServer): string {
  return server.leases().map((l) =>
    `${l.expires === Infinity ? 0 : Math.floor(l.expires / 1e9)} ${formatMac(l.mac as Mac)} ${
      formatIp4(l.address)
    } ${l.hostName ?? "*"} *\n`
  ).join("");
}

/** The `dnsmasq` command. */
export function dnsmasq(ctx: CommandContext, argv: string[]): number | Process {
  let cfg: DnsmasqConfig;
  try {
    cfg = parseDnsmasq(argv.slice(1), (path) => {
      const f = ctx.node.files.get(path);
      if (f === undefined) return undefined;
      return dec.decode(typeof f === "function" ? f() : f);
    });
  } catch (e) {
    if (!(e instanceof BadOption)) throw e;
    ctx.err(`\ndnsmasq: ${e.whole ? "" : "bad command line options: "}${e.message}\n`);
    return e.status;
  }
  if (cfg.help) {
    ctx.out(`Usage: dnsmasq [options]\n\n`);
    return 0;
  }
  if (cfg.version) {
    ctx.out(
      `Dnsmasq version ${VERSION}  Copyright (c) 2000-2024 Simon Kelley\nCompile time options: ${COMPILE_OPTIONS}\n\n` +
        "This software comes with ABSOLUTELY NO WARRANTY.\nDnsmasq is free software, and you are welcome to redistribute it\nunder the terms of the GNU General Public License, version 2 or 3.\n",
    );
    return 0;
  }
  if (cfg.test) {
    ctx.err("dnsmasq: syntax check OK.\n");
    return 0;
  }
  const server = new DhcpServer(ctx.ns, cfg.dhcp);
  if (server.start() !== undefined) {
    ctx.err("\ndnsmasq: failed to bind DHCP server socket: Address already in use\n");
    return 2;
  }
  let tftp: TftpServer | undefined;
  if (cfg.tftp.enabled) {
    const root = cfg.tftp.root ?? "/";
    tftp = new TftpServer(ctx.ns, ctx.node.files, {
      flavour: "dnsmasq",
      dirs: [root],
      log: (line) => log(`dnsmasq-tftp: ${line}`),
    });
    if (tftp.start() !== undefined) {
      server.stop();
      ctx.err("\ndnsmasq: failed to create listening socket for port 69: Address already in use\n");
      return 2;
    }
    if (root !== "/" && !isDirectory(ctx.node.files, root)) {
      const why = ctx.node.files.has(root) ? "Not a directory" : "No such file or directory";
      tftp.stop();
      server.stop();
      ctx.err(`\ndnsmasq: TFTP directory ${root} inaccessible: ${why}\n`);
      return 3;
    }
  }
  const node = ctx.node;
  const pid = newPid(node);
  const sim = ctx.sim;
  const toStderr = cfg.debug;
  const log = (line: string) => {
    // "dnsmasq: …" lines come from the DNS side and startup; the rest from dnsmasq-dhcp.
    const full = line.startsWith("dnsmasq") ? line : `dnsmasq-dhcp: ${line}`;
    if (toStderr) ctx.err(full + "\n");
    const colon = full.indexOf(": ");
    syslog(node, sim.now, full.slice(0, colon), pid, full.slice(colon + 2));
  };
  // dnsmasq reads its lease file back when it starts: leases survive a restart.
  const old = ctx.node.files.get(cfg.leaseFile);
  for (
    const line of old === undefined
      ? []
      : dec.decode(typeof old === "function" ? old() : old).split("\n")
  ) {
    const [expiry, mac, addr, host] = line.split(" ");
    const m = parseMac(mac ?? ""), a = parseIp4(addr ?? "");
    if (m === undefined || a === undefined) continue;
    const expires = expiry === "0" ? Infinity : Number(expiry) * 1e9;
    if (expires <= sim.now) continue;
    server.addLease({
      address: a,
      mac: m,
      hostName: host === "*" ? undefined : host,
      expires,
      iface: "",
    });
  }
  const writeLeases = () => node.files.set(cfg.leaseFile, enc.encode(leaseFileText(server)));
  server.onLog = (line) => {
    log(line);
    writeLeases();
  };
  for (const line of startupLines(cfg, ctx)) log(line);
  writeLeases();
  let stopped = false;
  const daemon: Daemon = {
    name: "dnsmasq",
    pid,
    ns: ctx.ns,
    command: argv.join(" "),
    stop: () => {
      if (stopped) return;
      stopped = true;
      server.stop();
      tftp?.stop();
      removeDaemon(node, daemon);
      log("dnsmasq: exiting on receipt of SIGTERM");
    },
  };
  addDaemon(node, daemon);
  if (!cfg.debug && !cfg.foreground) return 0;
  return { done: () => stopped, status: () => 0, stop: () => daemon.stop() };
}
