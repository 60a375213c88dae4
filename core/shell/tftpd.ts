/**
 * `in.tftpd`, the tftpd-hpa 5.2 server: `in.tftpd -L -s /srv/tftp` serves the
 * node's files below /srv/tftp on UDP port 69 in the foreground (run it with
 * `&`, stop it with `kill %N`); `-l` detaches as a daemon and the command
 * returns at once. Options: -4 -6 -c (--create) -s (--secure) -p -v
 * (--verbose, --verbosity=N) -V -l -L -a addr[:port] -B blksize -u user -U umask
 * -r option -t secs -T usecs -R from:to -P pidfile, long forms as
 * getopt_long() takes them (unique prefixes too). The transfer engine is
 * core/app/tftp/server.ts.
 *
 * As on Linux, in.tftpd says nothing on the terminal except what getopt
 * prints for an unknown option; its complaints go to syslog — the node's
 * /var/log/syslog, "Jan  1 00:00:00 host in.tftpd[PID]: MESSAGE", each
 * request's lines with the pid of the child it forks for it — and its exit
 * status is the sysexits.h code tftpd-hpa uses (64 for a bad value, 66 for a
 * missing directory, 67 for an unknown user, 71 when the port cannot be
 * bound, 74 without -l/-L, where inetd would have passed a socket). A daemon
 * started with `-l` is stopped by `pkill in.tftpd` or `kill PID`. Stopping
 * the server closes port 69; transfers already running go on to their end,
 * as the children tftpd-hpa forks for them do not act on SIGTERM.
 *
 * Simplified: `-m` remap files are refused (not modelled); `-u`, `-U`, `-p`,
 * `-P` and `-t` are accepted and change nothing; the users that exist are
 * root, nobody and tftp.
 *
 * @module
 */
import type { CommandContext, Process } from "./context.ts";
import type { NetNs } from "../node/netns.ts";
import { addDaemon, type Daemon, newPid, removeDaemon, syslog } from "./daemons.ts";
import { getopt } from "./getopt.ts";
import { inetAton } from "./format.ts";
import { TftpServer } from "../app/tftp/server.ts";
import { isDirectory } from "../app/tftp/lockstep.ts";
import { TFTP_MAX_BLKSIZE } from "../app/tftp/message.ts";

const SHORT = "46cspvVlLa:B:u:U:r:t:T:R:m:P:";
const LONG: Array<[string, string, boolean]> = [
  ["ipv4", "4", false],
  ["ipv6", "6", false],
  ["create", "c", false],
  ["secure", "s", false],
  ["permissive", "p", false],
  ["verbose", "v", false],
  ["verbosity", "verbosity", true],
  ["version", "V", false],
  ["listen", "l", false],
  ["foreground", "L", false],
  ["address", "a", true],
  ["blocksize", "B", true],
  ["user", "u", true],
  ["umask", "U", true],
  ["refuse", "r", true],
  ["timeout", "t", true],
  ["retransmit", "T", true],
  ["port-range", "R", true],
  ["map-file", "m", true],
  ["map-steps", "map-steps", true],
  ["pidfile", "P", true],
];
const REFUSABLE = ["blksize", "blksize2", "tsize", "timeout", "utimeout", "rollover"];
const USERS = ["root", "nobody", "tftp"];

const EX_USAGE = 64;
const EX_NOINPUT = 66;
const EX_NOUSER = 67;
const EX_OSERR = 71;
const EX_IOERR = 74;

const servers = new WeakMap<NetNs, TftpServer[]>();

/** The in.tftpd servers running in a namespace (started by the shell), oldest first. */
export function tftpdOf(ns: NetNs): readonly TftpServer[] {
  return servers.get(ns)?.filter((s) => s.listening) ?? [];
}

/**
 * Long options to short ones (getopt_long() semantics: `--name value`,
 * `--name=value`, unique prefixes); unknown ones are reported and dropped.
 */
function expandLong(ctx: CommandContext, args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    if (!a.startsWith("--")) {
      out.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const exact = LONG.find(([n]) => n === name);
    const prefixed = LONG.filter(([n]) => n.startsWith(name));
    const opt = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
    if (opt === undefined) {
      ctx.err(
        prefixed.length > 1
          ? `in.tftpd: option '${a}' is ambiguous\n`
          : `in.tftpd: unrecognized option '${a}'\n`,
      );
      continue;
    }
    const [long, short, hasArg] = opt;
    let value = eq < 0 ? undefined : a.slice(eq + 1);
    if (hasArg && value === undefined) value = args[++i];
    if (hasArg && value === undefined) {
      ctx.err(`in.tftpd: option '--${long}' requires an argument\n`);
      continue;
    }
    if (!hasArg && value !== undefined) {
      ctx.err(`in.tftpd: option '--${long}' doesn't allow an argument\n`);
      continue;
    }
    if (short.length > 1) out.push(`--${short}=${value}`);
    else out.push(`-${short}`, ...(hasArg ? [value!] : []));
  }
  return out;
}

/** getopt() over the arguments, going on past bad options as tftpd-hpa's loop does. */
function parse(
  ctx: CommandContext,
  args: string[],
  log: (line: string) => void,
): { opts: Array<[string, string | undefined]>; operands: string[] } {
  let rest = args.filter((a) => !a.startsWith("--") || a === "--");
  const special = args.filter((a) => a.startsWith("--") && a !== "--" && a.includes("="));
  for (;;) {
    const g = getopt(rest, SHORT);
    if (g.ok) {
      const opts = g.opts;
      for (const s of special) {
        const [n, v] = s.slice(2).split(/=(.*)/s) as [string, string];
        opts.push([n, v]);
      }
      return { opts, operands: g.operands };
    }
    ctx.err(
      g.error === "invalid"
        ? `in.tftpd: invalid option -- '${g.ch}'\n`
        : `in.tftpd: option requires an argument -- '${g.ch}'\n`,
    );
    log(`Unknown option: '${g.ch}'`);
    // Drop the offending character and parse again.
    const at = rest.findIndex((a) => a.startsWith("-") && a !== "--" && a.includes(g.ch));
    const a = rest[at]!;
    const stripped = a.replace(g.ch, "");
    rest = stripped === "-" ? rest.toSpliced(at, 1) : rest.toSpliced(at, 1, stripped);
  }
}

/** The `in.tftpd` command. */
export function tftpd(ctx: CommandContext, argv: string[]): number | Process {
  const node = ctx.node;
  const pid = newPid(node);
  const log = (line: string, p = pid) => syslog(node, ctx.sim.now, "in.tftpd", p, line);
  const args = expandLong(ctx, argv.slice(1));
  const { opts, operands } = parse(ctx, args, log);
  const fail = (message: string, status: number) => {
    log(message);
    return status;
  };
  let secure = false, create = false, standalone = false, foreground = false;
  let verbosity = 0;
  let address: string | undefined;
  let maxBlksize = TFTP_MAX_BLKSIZE;
  let rexmt: number | undefined;
  let portRange: [number, number] | undefined;
  const refuse: string[] = [];
  let user = "nobody";
  for (const [ch, v] of opts) {
    const val = v ?? "";
    switch (ch) {
      case "c":
        create = true;
        break;
      case "s":
        secure = true;
        break;
      case "l":
        standalone = true;
        break;
      case "L":
        standalone = true;
        foreground = true;
        break;
      case "a":
        address = val;
        break;
      case "B":
        if (!/^\d+$/.test(val) || Number(val) < 512 || Number(val) > TFTP_MAX_BLKSIZE) {
          return fail(
            `Bad maximum blocksize value (range 512-${TFTP_MAX_BLKSIZE}): ${val}`,
            EX_USAGE,
          );
        }
        maxBlksize = Number(val);
        break;
      case "T":
        if (!/^\d+$/.test(val) || Number(val) < 10000 || Number(val) > 255000000) {
          return fail(`Bad timeout value: ${val}`, EX_USAGE);
        }
        rexmt = Number(val) * 1000;
        break;
      case "R": {
        const m = /^(\d+):(\d+)/.exec(val);
        if (!m || Number(m[1]) > Number(m[2]) || Number(m[2]) >= 65535) {
          return fail(`Bad port range: ${val}`, EX_USAGE);
        }
        portRange = [Number(m[1]), Number(m[2])];
        break;
      }
      case "r":
        if (!REFUSABLE.includes(val.toLowerCase())) return fail(`Unknown option: ${val}`, EX_USAGE);
        refuse.push(val);
        break;
      case "u":
        user = val;
        break;
      case "U":
        if (!/^[0-7]*$/.test(val)) return fail(`Invalid umask: ${val}`, EX_USAGE);
        break;
      case "m":
        ctx.err("in.tftpd: -m remapping is not modelled by packetlab\n");
        return EX_USAGE;
      case "v":
        verbosity++;
        break;
      case "verbosity":
        verbosity = Number.parseInt(val, 10) || 0;
        break;
      case "V":
        ctx.out("tftp-hpa 5.2, with remap, with tcpwrappers\n");
        return 0;
    }
  }
  if (secure) {
    if (operands.length === 0) return fail("no -s directory", EX_USAGE);
    if (operands.length > 1) return fail("too many -s directories", EX_USAGE);
    if (!isDirectory(ctx.node.files, operands[0]!)) {
      return fail(`${operands[0]}: No such file or directory`, EX_NOINPUT);
    }
  }
  if (!USERS.includes(user)) return fail(`no user ${user}: Success`, EX_NOUSER);
  if (!standalone) {
    // Started by inetd, fd 0 would be the request socket; here it is not a socket.
    return fail("recvfrom: Socket operation on non-socket", EX_IOERR);
  }
  let bindAddr = 0;
  let port = 69;
  if (address !== undefined) {
    const colon = address.lastIndexOf(":");
    const host = colon < 0 ? address : address.slice(0, colon);
    const portText = colon < 0 ? undefined : address.slice(colon + 1);
    if (host !== "") {
      const a = inetAton(host);
      if (a === undefined) {
        return fail(
          `cannot resolve local IPv4 bind address: ${host}, Name or service not known`,
          EX_NOINPUT,
        );
      }
      bindAddr = a;
    }
    if (portText !== undefined && portText !== "" && portText !== "tftp") {
      const n = /^\d+$/.test(portText) ? Number(portText) : NaN;
      if (!(n > 0 && n <= 65535)) {
        return fail(`cannot resolve local bind port: ${portText}`, EX_NOINPUT);
      }
      port = n;
    }
  }
  const children = new WeakMap<object, number>();
  const server = new TftpServer(ctx.ns, ctx.node.files, {
    flavour: "tftpd-hpa",
    dirs: operands,
    secure,
    create,
    maxBlksize,
    rexmt,
    refuse,
    address: bindAddr,
    port,
    portRange,
    verbosity,
    log: (line, t) => {
      if (t === undefined) return log(line);
      // The child forked for the request logs with its own pid.
      let p = children.get(t);
      if (p === undefined) children.set(t, p = newPid(node));
      log(line, p);
    },
  });
  const e = server.start();
  if (e) {
    const text = e === "EADDRINUSE" ? "Address already in use" : "Cannot assign requested address";
    return fail(`cannot bind to local IPv4 socket: ${text}`, EX_OSERR);
  }
  const list = servers.get(ctx.ns) ?? [];
  list.push(server);
  servers.set(ctx.ns, list);
  if (!foreground) {
    // daemon(): the parent returns at once; the server runs on.
    const daemon: Daemon = {
      name: "in.tftpd",
      pid,
      ns: ctx.ns,
      command: argv.join(" "),
      stop: () => {
        server.stop();
        removeDaemon(node, daemon);
      },
    };
    addDaemon(node, daemon);
    return 0;
  }
  return {
    done: () => !server.listening,
    status: () => 0,
    stop: () => server.stop(),
  };
}
