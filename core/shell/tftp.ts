/**
 * `tftp` as tftp-hpa 5.2 runs it: `tftp [-4][-6][-v][-l][-m mode] [-R
 * from:to] [host [port]] [-c command]`, with the commands connect, mode, put,
 * get, quit, verbose, trace, literal, status, binary, ascii, rexmt, timeout,
 * help and `?` (each may be abbreviated to a unique prefix). `-c` runs one
 * command and exits; without it, or with `-c` and nothing after it, the
 * program reads commands from standard input — which is empty here, so it
 * prints its prompt and exits, as it does with `</dev/null`.
 *
 * Transfers follow tftp-hpa: the default mode is netascii; no RFC 2347
 * options are sent; a lost packet is sent again every 5 s and the transfer
 * gives up at 25 s ("Transfer timed out.", exit status 69); a server ERROR
 * prints "Error code N: text" and leaves the local file created but empty;
 * with `-v` it prints "Connected to …", "getting from …" and tftp-hpa's
 * transfer statistics (including its arithmetic slip of dividing
 * microseconds by 100000). The exit status is 0 even when a transfer fails
 * with an ERROR, as tftp-hpa's is. Messages and usage lines are tftp-hpa's.
 *
 * Simplified: relative local paths are the node's file names as given (as
 * `cat` and redirections read them); opening a local file never fails; no
 * interactive session (standard input is always empty); `trace` output and
 * IPv6 are not modelled (`-6` makes IPv4 addresses fail to resolve, as they
 * do for AF_INET6).
 *
 * @module
 */
import type { CommandContext, Process } from "./context.ts";
import { resolveHost } from "./format.ts";
import { formatIp4 } from "../wire/addr.ts";
import type { Ip4 } from "../wire/packet.ts";
import { TFTP_HPA_CLIENT, TftpClientTransfer, type TftpResult } from "../app/tftp/client.ts";

/** tftp-hpa's usage line (stderr; exit 64, or 0 for -h). */
export const TFTP_USAGE = "Usage: tftp [-4][-6][-v][-l][-m mode] [host [port]] [-c command]\n";

const EX_USAGE = 64;
const EX_UNAVAILABLE = 69;

const MODES: Record<string, "netascii" | "octet"> = {
  netascii: "netascii",
  ascii: "netascii",
  octet: "octet",
  binary: "octet",
  image: "octet",
};

const COMMANDS: Array<[string, string]> = [
  ["connect", "connect to remote tftp"],
  ["mode", "set file transfer mode"],
  ["put", "send file"],
  ["get", "receive file"],
  ["quit", "exit tftp"],
  ["verbose", "toggle verbose mode"],
  ["trace", "toggle packet tracing"],
  ["literal", "toggle literal mode, ignore ':' in file name"],
  ["status", "show current status"],
  ["binary", "set mode to octet"],
  ["ascii", "set mode to netascii"],
  ["rexmt", "set per-packet transmission timeout"],
  ["timeout", "set total retransmission timeout"],
  ["?", "print help information"],
  ["help", "print help information"],
];

/** tftp-hpa's getcmd(): an exact name, a unique prefix, "ambiguous", or nothing. */
function getcmd(name: string): string | "ambiguous" | undefined {
  let longest = 0;
  let matches = 0;
  let found: string | undefined;
  for (const [c] of COMMANDS) {
    if (c === name) return c;
    if (c.startsWith(name)) {
      if (name.length > longest) {
        longest = name.length;
        matches = 1;
        found = c;
      } else if (name.length === longest) matches++;
    }
  }
  return matches > 1 ? "ambiguous" : found;
}

/** The last path component, as tftp-hpa's tail(). */
function tail(name: string): string {
  let s = name;
  while (s.length > 0) {
    const i = s.lastIndexOf("/");
    if (i < 0) break;
    if (i < s.length - 1) return s.slice(i + 1);
    s = s.slice(0, i);
  }
  return s;
}

/** C's printf("%.1f") / ("%.0f") of a double, with inf and nan spelt as glibc does. */
function cfixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "-nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  return x.toFixed(digits);
}

/** A struct timeval of virtual time. */
function timeval(ns: number): { sec: number; usec: number } {
  const us = Math.floor(ns / 1000);
  return { sec: Math.floor(us / 1e6), usec: us % 1e6 };
}

/** tftp-hpa's printstats() line, including its microseconds / 100000 slip. */
function statsLine(direction: string, amount: number, start: number, stop: number): string {
  const a = timeval(start), b = timeval(stop);
  const delta = (b.sec + b.usec / 100000.0) - (a.sec + a.usec / 100000.0);
  return `${direction} ${amount} bytes in ${cfixed(delta, 1)} seconds [${
    cfixed((amount * 8) / delta, 0)
  } bit/s]\n`;
}

/** One step of the program: a transfer to run, or lines to print. */
type Step = { kind: "get" | "put"; host: string; server: Ip4; remote: string; local: string };

interface TftpState {
  verbose: boolean;
  literal: boolean;
  trace: boolean;
  mode: "netascii" | "octet";
  connected: boolean;
  hostname: string;
  peer: Ip4;
  port: number;
  ipv6: boolean;
  rexmt: number;
  maxTimeout: number;
  portRange: [number, number] | undefined;
}

/** The `tftp` command. */
export function tftp(ctx: CommandContext, argv: string[]): number | Process {
  const prog = argv[0]!;
  const st: TftpState = {
    verbose: false,
    literal: false,
    trace: false,
    mode: "netascii",
    connected: false,
    hostname: "",
    peer: 0,
    port: 69,
    ipv6: false,
    rexmt: 5,
    maxTimeout: 25,
    portRange: undefined,
  };
  const peerArgs: string[] = [prog];
  let iscmd = false;
  let arg = 1;
  for (; !iscmd && arg < argv.length; arg++) {
    const a = argv[arg]!;
    if (a.startsWith("-")) {
      for (const ch of a.slice(1)) {
        switch (ch) {
          case "4":
            st.ipv6 = false;
            break;
          case "6":
            st.ipv6 = true;
            break;
          case "v":
            st.verbose = true;
            break;
          case "V":
            ctx.out("tftp-hpa 5.2, without readline\n");
            return 0;
          case "l":
            st.literal = true;
            break;
          case "m": {
            const m = argv[++arg];
            if (m === undefined) return usage(ctx, EX_USAGE);
            if (!Object.hasOwn(MODES, m)) {
              ctx.err(`${prog}: invalid mode: ${m}\n`);
              return EX_USAGE;
            }
            setMode(ctx, st, MODES[m]!);
            break;
          }
          case "c":
            iscmd = true;
            break;
          case "R": {
            const r = argv[++arg];
            if (r === undefined) return usage(ctx, EX_USAGE);
            const m = /^(\d+):(\d+)/.exec(r);
            const from = Number(m?.[1]), to = Number(m?.[2]);
            if (!m || from > to || to > 65535) {
              ctx.err(`Bad port range: ${r}\n`);
              return EX_USAGE;
            }
            st.portRange = [from, to];
            break;
          }
          case "h":
            return usage(ctx, 0);
          default:
            return usage(ctx, EX_USAGE);
        }
      }
    } else {
      if (peerArgs.length >= 3) return usage(ctx, EX_USAGE);
      peerArgs.push(a);
    }
  }
  const pargv = argv.slice(arg);
  // main() always calls setpeer() (its peerargc counts argv[0]).
  if (!setpeer(ctx, st, peerArgs)) return 0; // prompted "(to) " and read EOF
  if (!iscmd || pargv.length === 0) {
    ctx.out("tftp> "); // the interactive prompt, then EOF on standard input
    return 0;
  }
  const c = getcmd(pargv[0]!);
  if (c === undefined || c === "ambiguous") {
    ctx.err(`${prog}: invalid command: ${pargv[1] ?? "(null)"}\n`);
    return EX_USAGE;
  }
  const steps: Step[] = [];
  const more = runCommand(ctx, st, c, pargv, steps);
  if (!more || steps.length === 0) return 0;
  return runTransfers(ctx, st, steps);
}

function usage(ctx: CommandContext, status: number): number {
  ctx.err(TFTP_USAGE);
  return status;
}

function setMode(ctx: CommandContext, st: TftpState, mode: "netascii" | "octet"): void {
  st.mode = mode;
  if (st.verbose) ctx.out(`mode set to ${mode}\n`);
}

/**
 * tftp-hpa's setpeer(); false when it had to prompt for more arguments (and
 * so read end of file and exited).
 */
function setpeer(ctx: CommandContext, st: TftpState, args: string[]): boolean {
  if (args.length < 2) {
    ctx.out("(to) ");
    return false;
  }
  if (args.length > 3) {
    ctx.out(`usage: ${args[0]} host-name [port]\n`);
    return true;
  }
  const host = args[1]!;
  const r = lookup(st, host);
  if (typeof r === "string") {
    ctx.out(`Error: ${r}\n${host}: unknown host\n`);
    st.connected = false;
    return true;
  }
  st.peer = r;
  st.hostname = host;
  st.port = 69;
  if (args.length === 3) {
    const p = args[2]!;
    if (p === "tftp") st.port = 69;
    else if (/^\d+$/.test(p) && Number(p) <= 65535) st.port = Number(p);
    else {
      ctx.out(`${p}: bad port number\n`);
      st.connected = false;
      return true;
    }
  }
  if (st.verbose) ctx.out(`Connected to ${host} (${formatIp4(st.peer)}), port ${st.port}\n`);
  st.connected = true;
  return true;
}

/** getaddrinfo() as tftp-hpa calls it: an address, or gai_strerror()'s text. */
function lookup(st: TftpState, host: string): Ip4 | string {
  const r = resolveHost(host);
  if (r === undefined) return "Name or service not known";
  if (st.ipv6) return "Address family for hostname not supported";
  return r.addr;
}

/**
 * Run one command. Transfers are appended to `steps` to run in virtual time;
 * returns false when the command prompted for more input (and so ended).
 */
function runCommand(
  ctx: CommandContext,
  st: TftpState,
  cmd: string,
  args: string[],
  steps: Step[],
): boolean {
  const name = args[0]!;
  switch (cmd) {
    case "connect":
      return setpeer(ctx, st, args);
    case "mode":
      if (args.length < 2) {
        ctx.out(`Using ${st.mode} mode to transfer files.\n`);
        return true;
      }
      if (args.length === 2) {
        const m = args[1]!;
        if (Object.hasOwn(MODES, m)) {
          setMode(ctx, st, MODES[m]!);
          return true;
        }
        ctx.out(`${m}: unknown mode\n`);
      }
      ctx.out(`usage: ${name} [ ${Object.keys(MODES).join(" | ")} ]\n`);
      return true;
    case "binary":
      setMode(ctx, st, "octet");
      return true;
    case "ascii":
      setMode(ctx, st, "netascii");
      return true;
    case "verbose":
      st.verbose = !st.verbose;
      ctx.out(`Verbose mode ${st.verbose ? "on" : "off"}.\n`);
      return true;
    case "trace":
      st.trace = !st.trace;
      ctx.out(`Packet tracing ${st.trace ? "on" : "off"}.\n`);
      return true;
    case "literal":
      st.literal = !st.literal;
      ctx.out(`Literal mode ${st.literal ? "on" : "off"}.\n`);
      return true;
    case "status": {
      const on = (b: boolean) => (b ? "on" : "off");
      ctx.out(st.connected ? `Connected to ${st.hostname}.\n` : "Not connected.\n");
      ctx.out(
        `Mode: ${st.mode} Verbose: ${on(st.verbose)} Tracing: ${on(st.trace)} Literal: ${
          on(st.literal)
        }\n`,
      );
      ctx.out(`Rexmt-interval: ${st.rexmt} seconds, Max-timeout: ${st.maxTimeout} seconds\n`);
      return true;
    }
    case "rexmt":
    case "timeout": {
      if (args.length < 2) {
        ctx.out(cmd === "rexmt" ? "(value) " : "(value) ");
        return false;
      }
      if (args.length !== 2) {
        ctx.out(`usage: ${name} value\n`);
        return true;
      }
      const t = Number.parseInt(args[1]!, 10) || 0; // atoi()
      if (t < 0) ctx.out(`${args[1]}: bad value\n`);
      else if (cmd === "rexmt") st.rexmt = t;
      else st.maxTimeout = t;
      return true;
    }
    case "?":
    case "help":
      ctx.out("tftp-hpa 5.2\n");
      if (args.length === 1) {
        ctx.out("Commands may be abbreviated.  Commands are:\n\n");
        for (const [c, h] of COMMANDS) ctx.out(`${c.padEnd(8)}\t${h}\n`);
        return true;
      }
      for (const a of args.slice(1)) {
        const c = getcmd(a);
        if (c === "ambiguous") ctx.out(`?Ambiguous help command ${a}\n`);
        else if (c === undefined) ctx.out(`?Invalid help command ${a}\n`);
        else ctx.out(`${COMMANDS.find(([n]) => n === c)![1]}\n`);
      }
      return true;
    case "quit":
      return true;
    case "get":
      return get(ctx, st, args, steps);
    case "put":
      return put(ctx, st, args, steps);
  }
  return true;
}

/** tftp-hpa's get(): which transfers to run. */
function get(ctx: CommandContext, st: TftpState, args: string[], steps: Step[]): boolean {
  if (args.length < 2) {
    ctx.out("(files) ");
    return false;
  }
  const usageLines = () =>
    ctx.out(
      `usage: ${args[0]} host:file host:file ... file, or\n       ${
        args[0]
      } file file ... file if connected\n`,
    );
  if (!st.connected) {
    for (const a of args.slice(1)) {
      if (st.literal || !a.includes(":")) {
        usageLines();
        return true;
      }
    }
  }
  for (let n = 1; n < args.length; n++) {
    const a = args[n]!;
    let src = a;
    const colon = a.indexOf(":");
    if (!st.literal && colon >= 0) {
      const host = a.slice(0, colon);
      src = a.slice(colon + 1);
      const r = lookup(st, host);
      if (typeof r === "string") {
        ctx.out(`Warning: ${r}\n${args[1]}: unknown host\n`);
        continue;
      }
      st.peer = r;
      st.hostname = host;
      st.connected = true;
    }
    if (args.length < 4) {
      const local = args.length === 3 ? args[2]! : tail(src);
      steps.push({ kind: "get", host: st.hostname, server: st.peer, remote: src, local });
      break;
    }
    steps.push({ kind: "get", host: st.hostname, server: st.peer, remote: src, local: tail(src) });
  }
  return true;
}

/** tftp-hpa's put(): which transfers to run. */
function put(ctx: CommandContext, st: TftpState, args: string[], steps: Step[]): boolean {
  if (args.length < 2) {
    ctx.out("(file) ");
    return false;
  }
  let targ = args[args.length - 1]!;
  if (!st.literal && targ.includes(":")) {
    for (let n = 1; n < args.length - 1; n++) {
      if (args[n]!.includes(":")) {
        ctx.out(
          `usage: ${args[0]} file ... host:target, or\n       ${
            args[0]
          } file ... target (when already connected)\n`,
        );
        return true;
      }
    }
    const colon = targ.indexOf(":");
    const host = targ.slice(0, colon);
    targ = targ.slice(colon + 1);
    const r = lookup(st, host);
    if (typeof r === "string") {
      ctx.out(`Error: ${r}\n${args[1]}: unknown host\n`);
      st.connected = false;
      return true;
    }
    st.peer = r;
    st.hostname = host;
    st.connected = true;
  }
  if (!st.connected) {
    ctx.out("No target machine specified.\n");
    return true;
  }
  if (args.length < 4) {
    const local = args.length === 2 ? tail(targ) : args[1]!;
    steps.push({ kind: "put", host: st.hostname, server: st.peer, remote: targ, local });
    return true;
  }
  for (let n = 1; n < args.length - 1; n++) {
    const remote = `${targ}/${tail(args[n]!)}`;
    steps.push({ kind: "put", host: st.hostname, server: st.peer, remote, local: args[n]! });
  }
  return true;
}

/** Run the transfers one after another in virtual time. */
function runTransfers(ctx: CommandContext, st: TftpState, steps: Step[]): Process {
  const files = ctx.node.files;
  let finished = false;
  let status = 0;
  let current: TftpClientTransfer | undefined;
  let i = 0;
  const next = (): void => {
    while (i < steps.length) {
      const s = steps[i++]!;
      let data: Uint8Array | undefined;
      if (s.kind === "put") {
        const f = files.get(s.local);
        data = typeof f === "function" ? f() : f;
        if (data === undefined) {
          ctx.err(`tftp: ${s.local}: No such file or directory\n`);
          continue;
        }
        if (st.verbose) {
          ctx.out(`putting ${s.local} to ${s.host}:${s.remote} [${st.mode}]\n`);
        }
      } else {
        files.set(s.local, new Uint8Array(0)); // open(O_CREAT | O_TRUNC) before the transfer
        if (st.verbose) ctx.out(`getting from ${s.host}:${s.remote} to ${s.local} [${st.mode}]\n`);
      }
      let localPort = 0;
      if (st.portRange) {
        const [lo, hi] = st.portRange;
        localPort = lo + ctx.sim.rng(`tftp ports ${ctx.node.name}`).int(0, hi - lo);
      }
      current = new TftpClientTransfer(ctx.ns, {
        server: s.server,
        port: st.port,
        op: s.kind === "get" ? "RRQ" : "WRQ",
        filename: s.remote,
        mode: st.mode,
        data,
        localPort,
        profile: TFTP_HPA_CLIENT,
        onDone: (r) => done(s, r),
      });
      return;
    }
    finished = true;
  };
  const done = (s: Step, r: TftpResult): void => {
    current = undefined;
    if (r.state === "error" && r.error) {
      ctx.out(`Error code ${r.error.code}: ${r.error.message}\n`);
    }
    if (s.kind === "get") files.set(s.local, r.data);
    if (r.state === "timeout") {
      ctx.out("Transfer timed out.\n");
      status = EX_UNAVAILABLE;
      finished = true;
      return;
    }
    if (st.verbose && r.wireBytes > 0) {
      const dir = s.kind === "get" ? "Received" : "Sent";
      ctx.out(statsLine(dir, r.wireBytes, r.startedAt, r.endedAt!));
    }
    next();
  };
  next();
  return {
    done: () => finished,
    status: () => status,
    stop: () => {
      if (finished) return;
      current?.cancel();
      finished = true;
      status = EX_UNAVAILABLE; // SIGINT: longjmp to toplevel, exit(EX_UNAVAILABLE)
    },
  };
}
