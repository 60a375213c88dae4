/**
 * `iptables`, `iptables-save` and `iptables-restore` as iptables 1.8 (nf_tables)
 * parses and prints them: commands `-A -C -I -D -R -F -X -N -P -L -S -Z -E`,
 * `-t TABLE`, `-n -v -x --line-numbers`, rule options `-s -d -p -i -o -j -g
 * -m` with `!`, the match extensions tcp, udp, icmp, multiport, conntrack,
 * state, mark and comment, and the targets ACCEPT, DROP, RETURN, REJECT, LOG,
 * MARK, SNAT, DNAT, MASQUERADE, REDIRECT, NOTRACK and CT --notrack. Errors
 * carry the real tool's messages and exit statuses (2 for a bad command line,
 * 1 for what the kernel refuses, 4 for a rule the kernel rejects).
 *
 * Left out: IPv6 (ip6tables), `-f`, and other extensions; `-w` is accepted and
 * ignored (there is no lock to wait for). As iptables-nft, a table and each
 * of its built-in chains come into the kernel on the first command that writes
 * to them (`-A`, `-I`, `-P`, `-F CHAIN`, `-N` for the table, a restore's chain
 * line): until then a chain sees no packets (its policy counters stay at 0),
 * `-D CHAIN N`, `-R`, `-Z CHAIN` and `-X CHAIN` say "No chain/target/match by
 * that name.", and iptables-save leaves the table out. Its policy counters
 * count only once `-P`, `-Z` or a restore's chain line sent counters with the
 * chain (a chain `-A` made shows `policy ACCEPT 0 packets` for good); `-P`
 * zeroes them and ignores `-c`. A built-in chain cannot be renamed (nf_tables
 * lets `-E INPUT NEW` rename the base chain).
 *
 * @module
 */
import type { Command, CommandContext } from "./context.ts";
import { parseIp4 } from "../wire/addr.ts";
import type { Ip4 } from "../wire/packet.ts";
import {
  BUILTIN_CHAINS,
  Chain,
  type Netfilter,
  type NfTable,
  TABLE_NAMES,
  type TableName,
} from "../netfilter/netfilter.ts";
import { CtState } from "../netfilter/conntrack.ts";
import {
  ADDR_TYPES,
  LOG_FLAGS,
  type Match,
  newRule,
  type PortRange,
  PROTO_BY_NAME,
  type Rule,
  type Target,
} from "../netfilter/rule.ts";
import {
  chainHeader,
  ICMP_NAMES,
  type ListFormat,
  listHeader,
  listRule,
  saveRule,
  SERVICES,
} from "../netfilter/format.ts";

const VERSION = "iptables v1.8.9 (nf_tables)";

/** A command-line problem: message and exit status. */
class IptError extends Error {
  constructor(readonly text: string, readonly status: number) {
    super(text);
  }
}

/** xtables_error(PARAMETER_PROBLEM, …): exit 2 with the "Try" line. */
function param(msg: string, prog = "iptables"): IptError {
  return new IptError(
    `${prog === "iptables" ? VERSION : `${prog} v1.8.9 (nf_tables)`}: ${msg}\n` +
      `Try \`${prog} -h' or '${prog} --help' for more information.\n`,
    2,
  );
}

/** What the kernel refuses, as iptables reports it (exit 1). */
function kernel(msg: string): IptError {
  return new IptError(`iptables: ${msg}\n`, 1);
}

const NO_CHAIN = "No chain/target/match by that name.";

const STATE_NAMES: Record<string, number> = {
  INVALID: CtState.INVALID,
  NEW: CtState.NEW,
  RELATED: CtState.RELATED,
  ESTABLISHED: CtState.ESTABLISHED,
  UNTRACKED: CtState.UNTRACKED,
};

const REJECT_TYPES: Record<string, string> = {
  "icmp-net-unreachable": "icmp-net-unreachable",
  "net-unreach": "icmp-net-unreachable",
  "icmp-host-unreachable": "icmp-host-unreachable",
  "host-unreach": "icmp-host-unreachable",
  "icmp-proto-unreachable": "icmp-proto-unreachable",
  "proto-unreach": "icmp-proto-unreachable",
  "icmp-port-unreachable": "icmp-port-unreachable",
  "port-unreach": "icmp-port-unreachable",
  "icmp-net-prohibited": "icmp-net-prohibited",
  "net-prohib": "icmp-net-prohibited",
  "icmp-host-prohibited": "icmp-host-prohibited",
  "host-prohib": "icmp-host-prohibited",
  "icmp-admin-prohibited": "icmp-admin-prohibited",
  "admin-prohib": "icmp-admin-prohibited",
  "tcp-reset": "tcp-reset",
  "tcp-rst": "tcp-reset",
};

/** The names libxt_LOG takes (its own table: "err" and "warn" are not among them). */
const LOG_LEVEL_NAMES: Record<string, number> = {
  emerg: 0,
  panic: 0,
  alert: 1,
  crit: 2,
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

const BUILTIN_TARGETS = new Set([
  "ACCEPT",
  "DROP",
  "RETURN",
  "REJECT",
  "LOG",
  "MARK",
  "SNAT",
  "DNAT",
  "MASQUERADE",
  "REDIRECT",
  "NOTRACK",
  "CT",
]);

// ------------------------------------------------------------------ parsing

/** A parsed `iptables` command line. */
interface Parsed {
  table: TableName;
  op: string | undefined;
  chain: string | undefined;
  num: number | undefined;
  newName: string | undefined;
  policy: string | undefined;
  rule: Rule;
  /** Whether any rule option was given (for -D by specification). */
  hasSpec: boolean;
  targetName: string | undefined;
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
  counters: [number, number] | undefined;
  help: boolean;
  /** -Z together with -L or -S. */
  zero: boolean;
}

function parsePortNumber(text: string): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n <= 65535) return n;
  } else if (Object.hasOwn(SERVICES, text)) return SERVICES[text]!;
  throw param(`invalid port/service \`${text}' specified`);
}

/** `22`, `1000:2000`, `:1023`, `1024:`, or a service name. */
function parsePortRange(text: string): PortRange {
  const colon = text.indexOf(":");
  if (colon < 0) {
    const p = parsePortNumber(text);
    return { lo: p, hi: p };
  }
  const a = text.slice(0, colon);
  const b = text.slice(colon + 1);
  const lo = a === "" ? 0 : parsePortNumber(a);
  const hi = b === "" ? 65535 : parsePortNumber(b);
  if (lo > hi) throw param(`invalid portrange (min > max)`);
  return { lo, hi };
}

/** `10.0.0.0/24`, `10.0.0.1`, `10.1.0.0/255.255.0.255`. */
function parseAddr(text: string): { addr: Ip4; mask: number } {
  const slash = text.indexOf("/");
  const host = slash < 0 ? text : text.slice(0, slash);
  const addr = parseIp4(host) ?? (host === "0" ? 0 : undefined);
  if (addr === undefined) throw param(`host/network \`${host}' not found`);
  if (slash < 0) return { addr, mask: 0xffffffff };
  const m = text.slice(slash + 1);
  if (/^\d+$/.test(m)) {
    const len = Number(m);
    if (len > 32) throw param(`invalid mask \`${m}' specified`);
    return { addr, mask: len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0 };
  }
  const mask = parseIp4(m);
  if (mask === undefined) throw param(`invalid mask \`${m}' specified`);
  return { addr, mask };
}

/**
 * `VALUE[/MASK]` as xtables_parse_mark_mask reads it: each number as strtoul
 * with base 0 reads its start (hex, octal or decimal); a number missing or
 * above 2^32-1 is a bad integer, anything left after it trailing garbage.
 * `ext` and `opt` name the extension and option in the message.
 */
function parseMarkValue(
  text: string,
  ext: string,
  opt: string,
): { value: number; mask: number | undefined } {
  const bad = () => param(`${ext}: bad integer value for option "${opt}", or out of range.\n`);
  let rest = text;
  const num = (): number => {
    const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(rest);
    if (m === null) throw bad();
    const digits = m[1]!;
    const n = /^0[xX]/.test(digits)
      ? parseInt(digits.slice(2), 16)
      : /^0./.test(digits)
      ? parseInt(digits, 8)
      : Number(digits);
    if (n > 0xffffffff) throw bad();
    rest = rest.slice(m[0].length);
    return n;
  };
  const value = num();
  let mask: number | undefined;
  if (rest.startsWith("/")) {
    rest = rest.slice(1);
    mask = num();
  }
  if (rest !== "") throw param(`${ext}: trailing garbage after value for option "${opt}".\n`);
  return { value, mask };
}

/** An address selector; `0.0.0.0/0` is no selector at all (listed and saved as absent). */
function addrSel(a: { addr: Ip4; mask: number }, invert: boolean) {
  return a.mask === 0 && !invert ? undefined : { ...a, invert };
}

/** A rule number: 1 or more (`Invalid rule number` otherwise). */
function ruleNumber(text: string, prog: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : 0;
  if (n < 1) throw param(`Invalid rule number \`${text}'`, prog);
  return n;
}

/** `--to-source`/`--to-destination`: `A[-B][:p[-q]]`. */
function parseNatRange(
  text: string,
): { minAddr: Ip4; maxAddr: Ip4; minPort: number; maxPort: number } {
  const colon = text.indexOf(":");
  const addrs = colon < 0 ? text : text.slice(0, colon);
  const ports = colon < 0 ? "" : text.slice(colon + 1);
  let minAddr = 0;
  let maxAddr = 0;
  if (addrs !== "") {
    const [a, b] = addrs.split("-");
    const lo = parseIp4(a!);
    const hi = b === undefined ? lo : parseIp4(b);
    if (lo === undefined || hi === undefined) throw param(`Bad IP address "${addrs}"`);
    minAddr = lo;
    maxAddr = hi;
  }
  let minPort = 0;
  let maxPort = 0;
  if (ports !== "") {
    const [a, b] = ports.split("-");
    minPort = Number(a);
    maxPort = b === undefined ? minPort : Number(b);
    if (
      !Number.isInteger(minPort) || !Number.isInteger(maxPort) || minPort < 1 || maxPort > 65535
    ) {
      throw param(`Port \`${ports}' not valid`);
    }
  }
  return { minAddr, maxAddr, minPort, maxPort };
}

function parseToPorts(text: string): { minPort: number; maxPort: number } {
  const [a, b] = text.split("-");
  const minPort = Number(a);
  const maxPort = b === undefined ? minPort : Number(b);
  if (!Number.isInteger(minPort) || !Number.isInteger(maxPort) || minPort < 1 || maxPort > 65535) {
    throw param(`Port "${text}" not valid`);
  }
  return { minPort, maxPort };
}

function parseStates(text: string, what: string): number {
  let bits = 0;
  for (const s of text.split(",")) {
    const b = STATE_NAMES[s.toUpperCase()];
    if (b === undefined) throw param(`Bad ${what} "${s}"`);
    bits |= b;
  }
  return bits;
}

function parseTcpFlags(text: string): number {
  let f = 0;
  for (const n of text.split(",")) {
    const u = n.toUpperCase();
    const bit = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ALL: 63, NONE: 0 }[u];
    if (bit === undefined) throw param(`Unknown TCP flag \`${n}'`);
    f |= bit;
  }
  return f;
}

function parseIcmpType(text: string): { type: number; code: number } {
  for (const [name, type, code] of ICMP_NAMES) {
    if (name === text) return { type, code };
  }
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  if (m && Number(m[1]) <= 255 && (m[2] === undefined || Number(m[2]) <= 255)) {
    return { type: Number(m[1]), code: m[2] === undefined ? -1 : Number(m[2]) };
  }
  throw param(`Unknown ICMP type \`${text}'`);
}

/** Options that take an argument (for "requires an argument" errors). */
const WITH_ARG = new Set([
  "-t",
  "--table",
  "-A",
  "--append",
  "-D",
  "--delete",
  "-I",
  "--insert",
  "-R",
  "--replace",
  "-N",
  "--new-chain",
  "-P",
  "--policy",
  "-E",
  "--rename-chain",
  "-s",
  "--source",
  "--src",
  "-d",
  "--destination",
  "--dst",
  "-p",
  "--protocol",
  "-i",
  "--in-interface",
  "-o",
  "--out-interface",
  "-j",
  "--jump",
  "-g",
  "--goto",
  "-m",
  "--match",
]);

const COMMANDS: Record<string, string> = {
  "-A": "A",
  "--append": "A",
  "-C": "C",
  "--check": "C",
  "-D": "D",
  "--delete": "D",
  "-I": "I",
  "--insert": "I",
  "-R": "R",
  "--replace": "R",
  "-L": "L",
  "--list": "L",
  "-S": "S",
  "--list-rules": "S",
  "-F": "F",
  "--flush": "F",
  "-Z": "Z",
  "--zero": "Z",
  "-N": "N",
  "--new-chain": "N",
  "-X": "X",
  "--delete-chain": "X",
  "-P": "P",
  "--policy": "P",
  "-E": "E",
  "--rename-chain": "E",
};

/** Expand clustered short flags (`-nvL`, `-vnxL INPUT`). */
function expand(args: string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (/^-[nvxLSFZX]{2,}$/.test(a)) { for (const c of a.slice(1)) out.push("-" + c); }
    else out.push(a);
  }
  return out;
}

/** Parse an iptables command line (without the program name). */
function parse(argv: string[], nf: Netfilter | undefined, prog = "iptables"): Parsed {
  const args = expand(argv);
  const p: Parsed = {
    table: "filter",
    op: undefined,
    chain: undefined,
    num: undefined,
    newName: undefined,
    policy: undefined,
    rule: newRule({ kind: "none" }),
    hasSpec: false,
    targetName: undefined,
    numeric: false,
    verbose: false,
    exact: false,
    lineNumbers: false,
    counters: undefined,
    help: false,
    zero: false,
  };
  const r = p.rule;
  let invert = false;
  let target: Target | undefined;
  const targetOpts: Array<[string, string | undefined, boolean]> = [];
  let i = 0;
  const next = (opt: string): string => {
    const v = args[++i];
    if (v === undefined || (v.startsWith("-") && v.length > 1 && !/^-\d/.test(v))) {
      throw param(`option "${opt}" requires an argument`, prog);
    }
    return v;
  };
  const optional = (): string | undefined => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("-") || v === "!") return undefined;
    i++;
    return v;
  };
  const setOp = (op: string) => {
    // -Z may go with -L or -S: list, then zero what was listed.
    const listing = (o: string | undefined) => o === "L" || o === "S";
    if (op === "Z" && listing(p.op)) {
      p.zero = true;
      return;
    }
    if (p.op === "Z" && listing(op)) {
      p.zero = true;
      p.op = op;
      return;
    }
    if (p.op !== undefined && p.op !== op) {
      throw param(`Cannot use -${op} with -${p.op}`, prog);
    }
    p.op = op;
  };
  const needProto = (kind: "tcp" | "udp" | "icmp") => {
    const existing = r.matches.find((m) => m.kind === kind);
    if (existing) return existing;
    const m: Match = kind === "icmp"
      ? { kind, type: 255, code: -1, invert: false, explicit: false }
      : kind === "tcp"
      ? {
        kind,
        sport: undefined,
        sportInvert: false,
        dport: undefined,
        dportInvert: false,
        flags: undefined,
        explicit: false,
      }
      : {
        kind,
        sport: undefined,
        sportInvert: false,
        dport: undefined,
        dportInvert: false,
        explicit: false,
      };
    r.matches.push(m);
    return m;
  };
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === "!") {
      invert = true;
      continue;
    }
    const inv = invert;
    invert = false;
    if (WITH_ARG.has(a) && (args[i + 1] === undefined)) {
      throw param(`option "${a}" requires an argument`, prog);
    }
    const op = COMMANDS[a];
    if (op !== undefined) {
      setOp(op);
      if (op === "A" || op === "C" || op === "N") p.chain = next(a);
      else if (op === "I" || op === "D") {
        p.chain = next(a);
        // A word after the chain is a rule number (parse_rulenumber), not a stray argument.
        const n = args[i + 1];
        if (n !== undefined && !n.startsWith("-") && n !== "!") {
          p.num = ruleNumber(n, prog);
          i++;
        }
      } else if (op === "R") {
        p.chain = next(a);
        const n = args[++i];
        if (n === undefined || !/^\d+$/.test(n)) {
          throw param(`option "-R" requires an argument`, prog);
        }
        p.num = ruleNumber(n, prog);
      } else if (op === "P") {
        p.chain = next(a);
        const v = args[i + 1];
        if (v === undefined || v.startsWith("-")) {
          throw param("-P requires a chain and a policy", prog);
        }
        p.policy = v;
        i++;
      } else if (op === "E") {
        p.chain = next(a);
        const n = args[i + 1];
        if (n === undefined || (n.startsWith("-") && n.length > 1)) {
          throw param("-E requires old-chain-name and new-chain-name", prog);
        }
        p.newName = n;
        i++;
      } else {
        p.chain = optional() ?? p.chain;
        const n = args[i + 1];
        if ("LSZ".includes(op) && p.chain !== undefined && n !== undefined && !n.startsWith("-")) {
          p.num = ruleNumber(n, prog);
          i++;
        }
      }
      continue;
    }
    switch (a) {
      case "-t":
      case "--table": {
        const t = next(a);
        if (!(TABLE_NAMES as readonly string[]).includes(t)) {
          throw new IptError(
            `${VERSION}: table '${t}' does not exist\nPerhaps iptables or your kernel needs to be upgraded.\n`,
            3,
          );
        }
        p.table = t as TableName;
        continue;
      }
      case "-n":
      case "--numeric":
        p.numeric = true;
        continue;
      case "-v":
      case "--verbose":
        p.verbose = true;
        continue;
      case "-x":
      case "--exact":
        p.exact = true;
        continue;
      case "--line-numbers":
        p.lineNumbers = true;
        continue;
      case "-w":
      case "--wait":
        optional();
        continue;
      case "-h":
      case "--help":
        p.help = true;
        continue;
      case "-c":
      case "--set-counters": {
        const pk = Number(next(a));
        const by = Number(next(a));
        p.counters = [pk, by];
        continue;
      }
      case "-s":
      case "--source":
      case "--src":
        r.src = addrSel(parseAddr(next(a)), inv);
        p.hasSpec = true;
        continue;
      case "-d":
      case "--destination":
      case "--dst":
        r.dst = addrSel(parseAddr(next(a)), inv);
        p.hasSpec = true;
        continue;
      case "-p":
      case "--protocol": {
        const v = next(a).toLowerCase();
        const n = /^\d+$/.test(v) ? Number(v) : PROTO_BY_NAME[v];
        if (n === undefined || n > 255) throw param(`unknown protocol "${v}" specified`, prog);
        r.proto = n;
        r.protoInvert = inv;
        p.hasSpec = true;
        continue;
      }
      case "-i":
      case "--in-interface":
        r.inIf = { name: next(a), invert: inv };
        p.hasSpec = true;
        continue;
      case "-o":
      case "--out-interface":
        r.outIf = { name: next(a), invert: inv };
        p.hasSpec = true;
        continue;
      case "-j":
      case "--jump":
      case "-g":
      case "--goto": {
        const t = next(a);
        if (p.targetName !== undefined) throw param("multiple -j flags not allowed", prog);
        p.targetName = t;
        p.hasSpec = true;
        const goto = a === "-g" || a === "--goto";
        if (BUILTIN_TARGETS.has(t) && !goto) target = undefined;
        else target = { kind: "jump", chain: t, goto };
        continue;
      }
      case "-m":
      case "--match": {
        const name = next(a);
        p.hasSpec = true;
        if (name === "tcp" || name === "udp" || name === "icmp") {
          const m = needProto(name);
          if ("explicit" in m) m.explicit = true;
        } else if (name === "multiport") {
          if (r.proto !== 6 && r.proto !== 17) {
            throw param(
              "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
              prog,
            );
          }
          r.matches.push({ kind: "multiport", which: "ports", ports: [], invert: false });
        } else if (name === "conntrack" || name === "state") {
          r.matches.push({ kind: name, states: 0, invert: false });
        } else if (name === "mark") {
          r.matches.push({ kind: "mark", value: 0, mask: 0xffffffff, invert: false });
        } else if (name === "comment") {
          r.matches.push({ kind: "comment", text: "" });
        } else if (name === "addrtype") {
          r.matches.push({ kind: "addrtype", src: 0, srcInvert: false, dst: 0, dstInvert: false });
        } else {
          throw param(`Couldn't load match \`${name}':No such file or directory\n`, prog);
        }
        continue;
      }
    }
    if (!a.startsWith("-")) {
      // A word where an option should be (xtables' "Bad argument").
      throw new IptError(
        `Bad argument \`${a}'\nTry \`${prog} -h' or '${prog} --help' for more information.\n`,
        2,
      );
    }
    if (!a.startsWith("--")) throw param(`unknown option "${a}"`, prog);
    // An extension option: the matches loaded so far, the target's, or the protocol's.
    const value = (): string => next(a);
    if (matchOption(a, inv, r, value, needProto)) {
      p.hasSpec = true;
      continue;
    }
    if (p.targetName !== undefined && BUILTIN_TARGETS.has(p.targetName)) {
      // An option the target does not have is unknown before any value is read.
      if (!(TARGET_OPTIONS[p.targetName] ?? []).includes(a)) {
        throw param(`unknown option "${a}"`, prog);
      }
      const takes = ![
        "--random",
        "--persistent",
        "--notrack",
        "--log-uid",
        "--log-tcp-sequence",
        "--log-tcp-options",
        "--log-ip-options",
        "--log-macdecode",
        "--fully-random",
      ].includes(a);
      targetOpts.push([a, takes ? value() : undefined, inv]);
      continue;
    }
    throw param(`unknown option "${a}"`, prog);
  }
  if (p.targetName !== undefined && BUILTIN_TARGETS.has(p.targetName) && target === undefined) {
    target = buildTarget(p.targetName, targetOpts, r, prog);
  }
  if (target !== undefined) r.target = target;
  for (const m of r.matches) {
    if ((m.kind === "conntrack" || m.kind === "state") && m.states === 0) {
      throw param(
        `${m.kind}: option "--${m.kind === "state" ? "state" : "ctstate"}" must be specified\n`,
        prog,
      );
    }
  }
  void nf;
  return p;
}

/** Apply one extension option to a loaded match; false when none takes it. */
function matchOption(
  opt: string,
  inv: boolean,
  r: Rule,
  value: () => string,
  needProto: (kind: "tcp" | "udp" | "icmp") => Match,
): boolean {
  const portOpts = [
    "--sport",
    "--source-port",
    "--dport",
    "--destination-port",
    "--syn",
    "--tcp-flags",
  ];
  for (const m of r.matches) {
    switch (m.kind) {
      case "multiport":
        if (
          ["--sports", "--source-ports", "--dports", "--destination-ports", "--ports"].includes(opt)
        ) {
          m.which = opt.startsWith("--s") ? "sports" : opt.startsWith("--d") ? "dports" : "ports";
          m.ports = value().split(",").map(parsePortRange);
          m.invert = inv;
          return true;
        }
        break;
      case "conntrack":
        if (opt === "--ctstate") {
          m.states = parseStates(value(), "ctstate");
          m.invert = inv;
          return true;
        }
        break;
      case "state":
        if (opt === "--state") {
          m.states = parseStates(value(), "state");
          m.invert = inv;
          return true;
        }
        break;
      case "mark":
        if (opt === "--mark") {
          const v = parseMarkValue(value(), "mark", "--mark");
          m.value = v.value;
          m.mask = v.mask ?? 0xffffffff;
          m.invert = inv;
          return true;
        }
        break;
      case "comment":
        if (opt === "--comment") {
          m.text = value();
          return true;
        }
        break;
      case "addrtype":
        if (opt === "--src-type" || opt === "--dst-type") {
          let bits = 0;
          for (const t of value().split(",")) {
            const k = (ADDR_TYPES as readonly string[]).indexOf(t.toUpperCase());
            if (k < 0) throw param(`addrtype: bad type "${t}"`);
            bits |= 1 << k;
          }
          if (opt === "--src-type") [m.src, m.srcInvert] = [bits, inv];
          else [m.dst, m.dstInvert] = [bits, inv];
          return true;
        }
        break;
    }
  }
  const proto = r.proto === 6 ? "tcp" : r.proto === 17 ? "udp" : r.proto === 1 ? "icmp" : undefined;
  const loaded = r.matches.find((m) => m.kind === "tcp" || m.kind === "udp" || m.kind === "icmp");
  const kind = loaded?.kind ?? proto;
  if (kind === "icmp" && opt === "--icmp-type") {
    const m = needProto("icmp");
    if (m.kind !== "icmp") return false;
    const t = parseIcmpType(value());
    m.type = t.type;
    m.code = t.code;
    m.invert = inv;
    return true;
  }
  if ((kind === "tcp" || kind === "udp") && portOpts.includes(opt)) {
    const m = needProto(kind);
    if (m.kind !== "tcp" && m.kind !== "udp") return false;
    if (opt === "--sport" || opt === "--source-port") {
      m.sport = parsePortRange(value());
      m.sportInvert = inv;
    } else if (opt === "--dport" || opt === "--destination-port") {
      m.dport = parsePortRange(value());
      m.dportInvert = inv;
    } else if (m.kind === "tcp" && opt === "--syn") {
      m.flags = { mask: 0x17, comp: 0x02, invert: inv };
    } else if (m.kind === "tcp" && opt === "--tcp-flags") {
      const mask = parseTcpFlags(value());
      const comp = parseTcpFlags(value());
      m.flags = { mask, comp, invert: inv };
    } else return false;
    return true;
  }
  return false;
}

/** The options each target takes. */
const TARGET_OPTIONS: Record<string, string[]> = {
  REJECT: ["--reject-with"],
  LOG: [
    "--log-prefix",
    "--log-level",
    "--log-uid",
    "--log-tcp-sequence",
    "--log-tcp-options",
    "--log-ip-options",
    "--log-macdecode",
  ],
  MARK: ["--set-mark", "--set-xmark", "--and-mark", "--or-mark", "--xor-mark"],
  SNAT: ["--to-source", "--random", "--persistent", "--fully-random"],
  DNAT: ["--to-destination", "--random", "--persistent"],
  MASQUERADE: ["--to-ports", "--random", "--fully-random"],
  REDIRECT: ["--to-ports", "--random"],
  CT: ["--notrack"],
};

function buildTarget(
  name: string,
  opts: Array<[string, string | undefined, boolean]>,
  r: Rule,
  prog: string,
): Target {
  const get = (o: string) => opts.find(([k]) => k === o)?.[1];
  const has = (o: string) => opts.some(([k]) => k === o);
  for (const [k] of opts) {
    if (opts.filter(([o]) => o === k).length > 1) {
      throw param(`${name}: option "${k}" can only be used once.\n`, prog);
    }
  }
  const portsOk = r.proto === 6 || r.proto === 17 || r.proto === 132 || r.proto === 33;
  switch (name) {
    case "ACCEPT":
    case "DROP":
    case "RETURN":
      return { kind: name };
    case "NOTRACK":
      return { kind: "NOTRACK", ct: false };
    case "CT":
      if (!has("--notrack")) throw param("CT: only --notrack is supported here", prog);
      return { kind: "NOTRACK", ct: true };
    case "REJECT": {
      const w = get("--reject-with") ?? "icmp-port-unreachable";
      const t = REJECT_TYPES[w];
      if (t === undefined) throw param(`unknown reject type "${w}"`, prog);
      return { kind: "REJECT", with: t };
    }
    case "LOG": {
      const given = get("--log-prefix");
      if (given === "") {
        throw param("Argument must have a minimum length of 1 characters\n", prog);
      }
      // The kernel's prefix field holds 29 characters; iptables cuts longer ones.
      const prefix = (given ?? "").slice(0, 29);
      const lv = get("--log-level");
      let level = 4;
      if (lv !== undefined) {
        const n = /^\d+$/.test(lv) ? Number(lv) : LOG_LEVEL_NAMES[lv];
        if (n === undefined || n > 7) throw param(`log level "${lv}" unknown\n`, prog);
        level = n;
      }
      const flags = LOG_FLAGS.reduce((f, [bit, option]) => has(option) ? f | bit : f, 0);
      return { kind: "LOG", prefix, level, flags };
    }
    case "MARK": {
      const [k, v] = opts[0] ?? [];
      if (k === undefined || v === undefined) {
        throw param(
          "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
          prog,
        );
      }
      const mv = parseMarkValue(v, "MARK", k);
      if (k === "--set-xmark") {
        return { kind: "MARK", value: mv.value, mask: mv.mask ?? 0xffffffff };
      }
      if (k === "--set-mark") {
        return { kind: "MARK", value: mv.value, mask: ((mv.mask ?? 0xffffffff) | mv.value) >>> 0 };
      }
      if (k === "--and-mark") return { kind: "MARK", value: 0, mask: ~mv.value >>> 0 };
      if (k === "--or-mark") return { kind: "MARK", value: mv.value, mask: mv.value };
      return { kind: "MARK", value: mv.value, mask: 0 };
    }
    case "SNAT":
    case "DNAT": {
      const opt = name === "SNAT" ? "--to-source" : "--to-destination";
      const v = get(opt);
      if (v === undefined) throw param(`${name}: option "${opt}" must be specified\n`, prog);
      const range = parseNatRange(v);
      if (range.minPort !== 0 && !portsOk) {
        throw param("Need TCP, UDP, SCTP or DCCP with port specification", prog);
      }
      return { kind: name, range: { ...range, random: has("--random") } };
    }
    case "MASQUERADE":
    case "REDIRECT": {
      const v = get("--to-ports");
      const ports = v === undefined ? { minPort: 0, maxPort: 0 } : parseToPorts(v);
      if (v !== undefined && !portsOk) {
        throw param("Need TCP, UDP, SCTP or DCCP with port specification", prog);
      }
      return { kind: name, range: { minAddr: 0, maxAddr: 0, ...ports, random: has("--random") } };
    }
  }
  throw param(`Couldn't load target \`${name}'`, prog);
}

// ---------------------------------------------------------------- execution

/** Hooks a built-in chain sits at; user chains may be called from anywhere. */
const TARGET_PLACES: Partial<Record<Target["kind"], { tables: TableName[]; chains: string[] }>> = {
  SNAT: { tables: ["nat"], chains: ["POSTROUTING", "INPUT"] },
  MASQUERADE: { tables: ["nat"], chains: ["POSTROUTING"] },
  DNAT: { tables: ["nat"], chains: ["PREROUTING", "OUTPUT"] },
  REDIRECT: { tables: ["nat"], chains: ["PREROUTING", "OUTPUT"] },
  REJECT: { tables: ["filter", "mangle", "raw"], chains: ["INPUT", "FORWARD", "OUTPUT"] },
  NOTRACK: { tables: ["raw"], chains: ["PREROUTING", "OUTPUT"] },
};

/** A rule the kernel refused: `RULE_APPEND failed (Invalid argument): rule in chain X`, exit 4. */
function ruleFailed(what: string, reason: string, chain: Chain): IptError {
  return new IptError(`${VERSION}:  ${what} failed (${reason}): rule in chain ${chain.name}\n`, 4);
}

/**
 * nf_tables' validation of the jumps reachable from the table's base chains:
 * a path of 16 jumps (NFT_JUMP_STACK_SIZE), which any loop makes, is refused
 * with EMLINK. Loops among chains no base chain reaches are let be.
 */
function jumpsTooDeep(table: NfTable): boolean {
  const height = new Map<Chain, number>();
  const onPath = new Set<Chain>();
  const climb = (c: Chain): number => {
    const known = height.get(c);
    if (known !== undefined) return known;
    if (onPath.has(c)) return Infinity;
    onPath.add(c);
    let h = 0;
    for (const r of c.rules) {
      const sub = r.target.kind === "jump" ? table.chains.get(r.target.chain) : undefined;
      if (sub !== undefined) h = Math.max(h, 1 + climb(sub));
    }
    onPath.delete(c);
    height.set(c, h);
    return h;
  };
  return [...table.chains.values()].some((c) => c.builtin && c.created && climb(c) >= 16);
}

/** The kernel's checks of a rule for a chain (RULE_APPEND failed (Invalid argument)). */
function checkPlace(p: Parsed, chain: Chain, what: string): void {
  const t = p.rule.target;
  const place = TARGET_PLACES[t.kind];
  const bad = () => ruleFailed(what, "Invalid argument", chain);
  if (place) {
    if (!place.tables.includes(p.table)) throw bad();
    if (chain.builtin && !place.chains.includes(chain.name)) throw bad();
  }
  if (t.kind === "REJECT" && t.with === "tcp-reset" && (p.rule.proto !== 6 || p.rule.protoInvert)) {
    throw bad();
  }
  if (chain.builtin) {
    if (p.rule.outIf && (chain.name === "INPUT" || chain.name === "PREROUTING")) {
      throw param(`Can't use -o with ${chain.name}\n`);
    }
    if (p.rule.inIf && (chain.name === "OUTPUT" || chain.name === "POSTROUTING")) {
      throw param(`Can't use -i with ${chain.name}\n`);
    }
  }
}

/**
 * Whether a rule makes conntrack necessary: a NAT target or a state match
 * (their checkentry calls nf_ct_netns_get). A nat table holding only other
 * rules (LOG, ACCEPT, jumps) does not: its chains then see no packets.
 */
function needsConntrack(r: Rule): boolean {
  const k = r.target.kind;
  return k === "SNAT" || k === "DNAT" || k === "MASQUERADE" || k === "REDIRECT" ||
    r.matches.some((m) => m.kind === "conntrack" || m.kind === "state");
}

/** Rules compare equal for `-D` when their specifications print the same. */
function sameRule(a: Rule, b: Rule): boolean {
  return saveRule(a, false) === saveRule(b, false);
}

function listChains(nf: Netfilter, p: Parsed, out: (s: string) => void): void {
  const table = nf.tables[p.table];
  const f: ListFormat = {
    numeric: p.numeric,
    verbose: p.verbose,
    exact: p.exact,
    lineNumbers: p.lineNumbers,
  };
  const chains = p.chain !== undefined ? [table.chains.get(p.chain)!] : [...table.chains.values()];
  if (p.num !== undefined) {
    // `-L CHAIN N`: the rule's row alone, no chain header (nothing when absent).
    const r = chains[0]!.rules[p.num - 1];
    if (r !== undefined) out(listRule(r, p.num, f) + "\n");
    return;
  }
  const blocks: string[] = [];
  for (const c of chains) {
    let s = chainHeader(c, table.references(c.name), f) + "\n" + listHeader(f) + "\n";
    c.rules.forEach((r, k) => {
      if (p.num === undefined || p.num === k + 1) s += listRule(r, k + 1, f) + "\n";
    });
    blocks.push(s);
  }
  out(blocks.join("\n"));
}

function ruleLines(
  nf: Netfilter,
  table: TableName,
  only: string | undefined,
  counters: boolean,
): string[] {
  const t = nf.tables[table];
  const lines: string[] = [];
  const chains = [...t.chains.values()].filter((c) => only === undefined || c.name === only);
  for (const c of chains) {
    if (c.builtin) {
      lines.push(`-P ${c.name} ${c.policy}${counters ? ` -c ${c.pkts} ${c.bytes}` : ""}`);
    }
  }
  for (const c of chains) if (!c.builtin) lines.push(`-N ${c.name}`);
  for (const c of chains) {
    for (const r of c.rules) lines.push(`-A ${c.name}${saveRule(r, counters)}`);
  }
  return lines;
}

/**
 * Add a user chain where libiptc keeps it: after the built-in chains, user
 * chains in the order of their names (so -L, -S and iptables-save list them so).
 */
function addChain(table: NfTable, chain: Chain): void {
  const all = [...table.chains.values(), chain];
  const builtin = all.filter((c) => c.builtin);
  const user = all.filter((c) => !c.builtin).sort((a, b) => a.name < b.name ? -1 : 1);
  table.chains.clear();
  for (const c of [...builtin, ...user]) table.chains.set(c.name, c);
}

/**
 * `-Z [CHAIN [N]]`: zero the counters of every chain, one chain, or one rule;
 * with `-v`, iptables says which chains it zeroed.
 */
function zero(ctx: CommandContext, p: Parsed, only: Chain | undefined): void {
  const table = ctx.ns.netfilter.tables[p.table];
  // Built-in chains iptables-nft has not created have nothing to zero.
  const chains = only === undefined ? [...table.chains.values()].filter((c) => c.created) : [only];
  for (const c of chains) {
    if (p.num !== undefined) {
      const r = c.rules[p.num - 1];
      if (r !== undefined) r.pkts = r.bytes = 0;
      continue;
    }
    c.pkts = c.bytes = 0;
    // Zeroing sends counters with the chain: from now on its policy counts.
    if (c.builtin) c.counting = true;
    for (const r of c.rules) r.pkts = r.bytes = 0;
    if (p.verbose) ctx.out(`Zeroing chain \`${c.name}'\n`);
  }
}

/**
 * Create a table in the kernel and, if given, one of its built-in chains, as
 * iptables-nft does on a chain's first write.
 */
function create(table: NfTable, chain?: Chain): void {
  table.created = true;
  if (chain) chain.created = true;
}

/** Run one parsed command against a namespace's netfilter; returns the exit status. */
function execute(ctx: CommandContext, p: Parsed): number {
  const nf = ctx.ns.netfilter;
  const table = nf.tables[p.table];
  const op = p.op;
  if (p.table === "nat" && (p.targetName === "DROP" || (op === "P" && p.policy === "DROP"))) {
    throw param(
      '\nThe "nat" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n',
    );
  }
  const chainOr = (name: string | undefined): Chain => {
    const c = name === undefined ? undefined : table.chains.get(name);
    if (c === undefined) throw kernel(NO_CHAIN);
    return c;
  };
  /** A chain the kernel has: a built-in one iptables-nft has not created yet is missing. */
  const existing = (name: string | undefined): Chain => {
    const c = chainOr(name);
    if (!c.created) throw kernel(NO_CHAIN);
    return c;
  };
  const checkJump = () => {
    const t = p.rule.target;
    if (t.kind === "jump" && !table.chains.has(t.chain)) {
      throw param(`Chain '${t.chain}' does not exist`);
    }
  };
  switch (op) {
    case undefined:
      throw param("no command specified");
    case "A":
    case "I":
    case "R": {
      const c = op === "R" ? existing(p.chain) : chainOr(p.chain);
      checkJump();
      const what = op === "A" ? "RULE_APPEND" : op === "I" ? "RULE_INSERT" : "RULE_REPLACE";
      checkPlace(p, c, what);
      const t = p.rule.target;
      const to = t.kind === "jump" ? table.chains.get(t.chain) : undefined;
      if (to?.builtin) {
        // nf_tables cannot jump to a base chain; one not created yet is missing.
        throw ruleFailed(
          what,
          to.created || to === c ? "Operation not supported" : "No such file or directory",
          c,
        );
      }
      if (p.counters) [p.rule.pkts, p.rule.bytes] = p.counters;
      const before = { rules: [...c.rules], created: c.created, tableCreated: table.created };
      if (op === "A") {
        c.rules.push(p.rule);
        create(table, c);
      } else if (op === "I") {
        const n = p.num ?? 1;
        if (n < 1 || n > c.rules.length + 1) throw kernel("Index of insertion too big.");
        c.rules.splice(n - 1, 0, p.rule);
        create(table, c);
      } else {
        const n = p.num!;
        if (n < 1 || n > c.rules.length) throw kernel("Index of replacement too big.");
        c.rules[n - 1] = p.rule;
      }
      if (to !== undefined && jumpsTooDeep(table)) {
        // The transaction fails as a whole: the rule and any chain it created go.
        c.rules.splice(0, c.rules.length, ...before.rules);
        c.created = before.created;
        table.created = before.tableCreated;
        throw ruleFailed(what, "Too many links", c);
      }
      if (needsConntrack(p.rule)) nf.tracking = true;
      return 0;
    }
    case "C": {
      // A missing chain, built-in or not, holds no matching rule either.
      const c = table.chains.get(p.chain!);
      if (c === undefined || !c.rules.some((r) => sameRule(r, p.rule))) {
        throw kernel("Bad rule (does a matching rule exist in that chain?).");
      }
      return 0;
    }
    case "D": {
      const c = chainOr(p.chain);
      if (p.num !== undefined) {
        if (!c.created) throw kernel(NO_CHAIN);
        if (p.num < 1 || p.num > c.rules.length) throw kernel("Index of deletion too big.");
        c.rules.splice(p.num - 1, 1);
        return 0;
      }
      const k = c.rules.findIndex((r) => sameRule(r, p.rule));
      if (k < 0) throw kernel("Bad rule (does a matching rule exist in that chain?).");
      c.rules.splice(k, 1);
      return 0;
    }
    case "F": {
      // Flushing a named chain creates it; flushing all leaves missing ones missing.
      const chains = p.chain === undefined ? [...table.chains.values()] : [chainOr(p.chain)];
      for (const c of chains) c.rules.length = 0;
      if (p.chain !== undefined) create(table, chains[0]);
      return 0;
    }
    case "Z":
      zero(ctx, p, p.chain === undefined ? undefined : existing(p.chain));
      return 0;
    case "N": {
      const name = p.chain!;
      if (BUILTIN_TARGETS.has(name)) throw param("chain name may not clash with target name");
      if (table.chains.has(name)) throw kernel("Chain already exists.");
      if (name.length > 28) throw param(`chain name \`${name}' too long (must be under 29 chars)`);
      addChain(table, new Chain(name, false));
      create(table);
      return 0;
    }
    case "X": {
      const victims = p.chain === undefined
        ? [...table.chains.values()].filter((c) => !c.builtin)
        : [existing(p.chain)];
      for (const c of victims) {
        if (c.builtin) {
          // nf_tables deletes an empty base chain with the default policy (its
          // counters go with it; iptables recreates it on next use) and refuses
          // any other.
          if (c.rules.length > 0 || c.policy !== "ACCEPT") throw kernel("Directory not empty.");
          continue;
        }
        // A chain still jumped to, or still holding rules, cannot go (-F it first).
        if (table.references(c.name) > 0 || c.rules.length > 0) {
          throw new IptError(
            `${VERSION}:  CHAIN_DEL failed (Device or resource busy): chain ${c.name}\n`,
            4,
          );
        }
      }
      for (const c of victims) {
        if (c.builtin) {
          c.pkts = c.bytes = 0;
          c.created = c.counting = false;
        } else table.chains.delete(c.name);
      }
      return 0;
    }
    case "P": {
      const c = table.chains.get(p.chain!);
      if (c === undefined || !c.builtin) throw kernel("Bad built-in chain name.");
      if (p.policy !== "ACCEPT" && p.policy !== "DROP") {
        throw kernel("Bad policy name. Run `dmesg' for more information.");
      }
      // iptables-nft sends the chain with fresh counters (-c is not passed on).
      c.policy = p.policy;
      c.pkts = c.bytes = 0;
      c.counting = true;
      create(table, c);
      return 0;
    }
    case "E": {
      if (table.chains.has(p.newName!)) throw kernel("File exists.");
      const c = existing(p.chain);
      if (c.builtin) throw kernel("Bad built-in chain name.");
      const renamed = new Chain(p.newName!, false);
      renamed.rules.push(...c.rules);
      table.chains.delete(c.name);
      addChain(table, renamed);
      for (const ch of table.chains.values()) {
        for (const r of ch.rules) {
          if (r.target.kind === "jump" && r.target.chain === c.name) {
            r.target = { ...r.target, chain: p.newName! };
          }
        }
      }
      return 0;
    }
    case "L": {
      if (p.chain !== undefined && !table.chains.has(p.chain)) {
        throw new IptError(
          `${VERSION}: chain \`${p.chain}' in table \`${p.table}' is incompatible, use 'nft' tool.\n`,
          1,
        );
      }
      listChains(nf, p, ctx.out);
      if (p.zero) zero(ctx, p, p.chain === undefined ? undefined : table.chains.get(p.chain));
      return 0;
    }
    case "S": {
      if (p.chain !== undefined && !table.chains.has(p.chain)) {
        throw new IptError(
          `${VERSION}: chain \`${p.chain}' in table \`${p.table}' is incompatible, use 'nft' tool.\n`,
          1,
        );
      }
      let lines = ruleLines(nf, p.table, p.chain, p.verbose);
      // With a rule number, only that rule (`-A …`), without the policy line.
      if (p.num !== undefined) {
        lines = lines.filter((l) => l.startsWith("-A ")).slice(p.num - 1, p.num);
      }
      ctx.out(lines.map((l) => l + "\n").join(""));
      if (p.zero) zero(ctx, p, p.chain === undefined ? undefined : table.chains.get(p.chain));
      return 0;
    }
  }
  return 0;
}

/** iptables 1.8.9's `-h` text (recorded from the real tool). */
const HELP = `iptables v1.8.9 (nf_tables)

Usage: iptables -[ACD] chain rule-specification [options]
       iptables -I chain [rulenum] rule-specification [options]
       iptables -R chain rulenum rule-specification [options]
       iptables -D chain rulenum [options]
       iptables -[LS] [chain [rulenum]] [options]
       iptables -[FZ] [chain] [options]
       iptables -[NX] chain
       iptables -E old-chain-name new-chain-name
       iptables -P chain target [options]
       iptables -h (print this help information)

Commands:
Either long or short options are allowed.
  --append  -A chain\t\tAppend to chain
  --check   -C chain\t\tCheck for the existence of a rule
  --delete  -D chain\t\tDelete matching rule from chain
  --delete  -D chain rulenum
\t\t\t\tDelete rule rulenum (1 = first) from chain
  --insert  -I chain [rulenum]
\t\t\t\tInsert in chain as rulenum (default 1=first)
  --replace -R chain rulenum
\t\t\t\tReplace rule rulenum (1 = first) in chain
  --list    -L [chain [rulenum]]
\t\t\t\tList the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]
\t\t\t\tPrint the rules in a chain or all chains
  --flush   -F [chain]\t\tDelete all rules in  chain or all chains
  --zero    -Z [chain [rulenum]]
\t\t\t\tZero counters in chain or all chains
  --new     -N chain\t\tCreate a new user-defined chain
  --delete-chain
            -X [chain]\t\tDelete a user-defined chain
  --policy  -P chain target
\t\t\t\tChange policy on chain to target
  --rename-chain
            -E old-chain new-chain
\t\t\t\tChange chain name, (moving any references)

Options:
    --ipv4\t-4\t\tNothing (line is ignored by ip6tables-restore)
    --ipv6\t-6\t\tError (line is ignored by iptables-restore)
[!] --protocol\t-p proto\tprotocol: by number or name, eg. \`tcp'
[!] --source\t-s address[/mask][...]
\t\t\t\tsource specification
[!] --destination -d address[/mask][...]
\t\t\t\tdestination specification
[!] --in-interface -i input name[+]
\t\t\t\tnetwork interface name ([+] for wildcard)
 --jump\t-j target
\t\t\t\ttarget for rule (may load target extension)
  --goto      -g chain
\t\t\t       jump to chain with no return
  --match\t-m match
\t\t\t\textended match (may load extension)
  --numeric\t-n\t\tnumeric output of addresses and ports
[!] --out-interface -o output name[+]
\t\t\t\tnetwork interface name ([+] for wildcard)
  --table\t-t table\ttable to manipulate (default: \`filter')
  --verbose\t-v\t\tverbose mode
  --wait\t-w [seconds]\tmaximum wait to acquire xtables lock before give up
  --line-numbers\t\tprint line numbers when listing
  --exact\t-x\t\texpand numbers (display exact values)
[!] --fragment\t-f\t\tmatch second or further fragments only
  --modprobe=<command>\t\ttry to insert modules using this command
  --set-counters -c PKTS BYTES\tset the counter during insert/append
[!] --version\t-V\t\tprint package version.
`;

/** `iptables …`. */
export const iptables: Command = (ctx, argv) => {
  try {
    const p = parse(argv.slice(1), undefined);
    if (p.help) {
      ctx.out(HELP);
      return 0;
    }
    return execute(ctx, p);
  } catch (e) {
    if (e instanceof IptError) {
      ctx.err(e.text);
      return e.status;
    }
    throw e;
  }
};

// ------------------------------------------------------------ save / restore

const DAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ctime(3) of the virtual clock, counted from the epoch: "Thu Jan  1 00:00:05 1970". */
export function ctime(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  const day = Math.floor(secs / 86400);
  const rem = secs % 86400;
  // Civil date from days since 1970-01-01.
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[day % 7]} ${MONTHS[m - 1]} ${String(d).padStart(2)} ${
    two(Math.floor(rem / 3600))
  }:${two(Math.floor(rem / 60) % 60)}:${two(rem % 60)} ${y}`;
}

/** The order iptables-save prints tables in. */
const SAVE_ORDER: TableName[] = ["mangle", "raw", "filter", "nat"];

/** `iptables-save [-c] [-t TABLE]`. */
export const iptablesSave: Command = (ctx, argv) => {
  let counters = false;
  let only: TableName | undefined;
  const args = argv.slice(1);
  const manual = "Look at manual page `iptables-save.8' for more information.\n";
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c" || a === "--counters") counters = true;
    else if (a === "-t" || a === "--table") {
      const t = args[++i];
      if (t === undefined) {
        ctx.err(`iptables-save: option requires an argument -- 't'\n${manual}`);
        return 1;
      }
      if (!(TABLE_NAMES as readonly string[]).includes(t)) {
        ctx.err(`Table \`${t}' does not exist\n`);
        return 1;
      }
      only = t as TableName;
    } else {
      ctx.err(
        a.startsWith("--")
          ? `iptables-save: unrecognized option '${a}'\n${manual}`
          : a.startsWith("-")
          ? `iptables-save: invalid option -- '${a.slice(1, 2)}'\n${manual}`
          : "Unknown arguments found on commandline\n",
      );
      return 1;
    }
  }
  const nf = ctx.ns.netfilter;
  const when = ctime(ctx.sim.now);
  let s = "";
  for (const t of SAVE_ORDER) {
    if (only !== undefined ? t !== only : !nf.tables[t].created) continue;
    s += `# Generated by iptables-save v1.8.9 (nf_tables) on ${when}\n*${t}\n`;
    const table = nf.tables[t];
    for (const c of table.chains.values()) {
      s += c.builtin ? `:${c.name} ${c.policy} [${c.pkts}:${c.bytes}]\n` : `:${c.name} - [0:0]\n`;
    }
    for (const c of table.chains.values()) {
      for (const r of c.rules) {
        s += `${counters ? `[${r.pkts}:${r.bytes}] ` : ""}-A ${c.name}${saveRule(r, false)}\n`;
      }
    }
    s += `COMMIT\n# Completed on ${when}\n`;
  }
  ctx.out(s);
  return 0;
};

/** Split a restore line into words, honouring double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      quoted = !quoted;
      any = true;
    } else if (c === "\\" && quoted && i + 1 < line.length) cur += line[++i];
    else if (/\s/.test(c) && !quoted) {
      if (cur !== "" || any) out.push(cur);
      cur = "";
      any = false;
    } else cur += c;
  }
  if (cur !== "" || any) out.push(cur);
  return out;
}

/**
 * The state of every table, to put back when a restore fails: iptables-nft
 * sends a whole restore as one transaction, so a bad line leaves nothing
 * changed.
 */
function snapshot(nf: Netfilter): () => void {
  const saved = TABLE_NAMES.map((t) => {
    const tb = nf.tables[t];
    const chains = [...tb.chains.values()].map((c) => ({
      c,
      rules: [...c.rules],
      fields: { policy: c.policy, pkts: c.pkts, bytes: c.bytes, created: c.created },
      counting: c.counting,
    }));
    return { tb, created: tb.created, chains };
  });
  return () => {
    for (const { tb, created, chains } of saved) {
      tb.created = created;
      tb.chains.clear();
      for (const { c, rules, fields, counting } of chains) {
        c.rules.splice(0, c.rules.length, ...rules);
        Object.assign(c, fields);
        c.counting = counting;
        tb.chains.set(c.name, c);
      }
    }
  };
}

const RESTORE = "iptables-restore v1.8.9 (nf_tables)";
const RESTORE_TRY =
  "Try `iptables-restore -h' or 'iptables-restore --help' for more information.\n";

/**
 * What iptables-restore prints for an error at line `n`: a command-line
 * problem with "Error occurred at line" before the "Try" line (exit 2), what
 * the kernel refuses as "line N failed: …" (exit 1), a refused rule as
 * "line N: RULE_APPEND failed …" (exit 4).
 */
function restoreError(e: IptError, n: number): IptError {
  if (e.status === 1) {
    return new IptError(
      `iptables-restore: line ${n} failed: ${e.text.replace(/^iptables: /, "")}`,
      1,
    );
  }
  if (e.status === 4) {
    return new IptError(
      `${RESTORE}: \nline ${n}: ${e.text.replace(/^\S+ \S+ \(nf_tables\):\s+/, "")}`,
      4,
    );
  }
  const text = e.text.replace(/^iptables v1\.8\.9 \(nf_tables\)/, RESTORE)
    .replace(/Try `iptables -h' or 'iptables --help' for more information\.\n$/, RESTORE_TRY);
  const at = text.lastIndexOf("Try `");
  return new IptError(
    `${text.slice(0, at)}Error occurred at line: ${n}\n${text.slice(at)}`,
    e.status,
  );
}

/** `iptables-restore [-c] [-n] < FILE`: replace tables from iptables-save text, all or nothing. */
export const iptablesRestore: Command = (ctx, argv) => {
  let counters = false;
  let noflush = false;
  for (const a of argv.slice(1)) {
    if (a === "-c" || a === "--counters") counters = true;
    else if (a === "-n" || a === "--noflush") noflush = true;
    else {
      ctx.err(
        (a.startsWith("--")
          ? `iptables-restore: unrecognized option '${a}'\n`
          : a.startsWith("-")
          ? `iptables-restore: invalid option -- '${a.slice(1, 2)}'\n`
          : `Can't open ${a}: No such file or directory\n`) +
          (a.startsWith("-") ? "Try `iptables-restore -h' for more information.\n" : ""),
      );
      return 1;
    }
  }
  const text = ctx.stdin ?? "";
  const rollback = snapshot(ctx.ns.netfilter);
  try {
    restoreLines(ctx, text, counters, noflush);
    return 0;
  } catch (e) {
    if (!(e instanceof IptError)) throw e;
    rollback();
    ctx.err(e.text);
    return e.status;
  }
};

/** Apply a restore file line by line; an IptError in iptables-restore's words on failure. */
function restoreLines(
  ctx: CommandContext,
  text: string,
  counters: boolean,
  noflush: boolean,
): void {
  const nf = ctx.ns.netfilter;
  let table: TableName | undefined;
  // A jump to a chain that does not exist is reported at the table's COMMIT
  // line (iptables-nft checks it when the batch is built), even if a later
  // line declares the chain.
  let missingChain: IptError | undefined;
  const lines = text.split("\n");
  for (let n = 1; n <= lines.length; n++) {
    const line = lines[n - 1]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const failed = (why: string) =>
      new IptError(`iptables-restore: line ${n} failed${why === "" ? "" : `: ${why}`}\n`, 1);
    if (line.startsWith("*")) {
      const t = line.slice(1);
      if (!(TABLE_NAMES as readonly string[]).includes(t)) {
        throw new IptError(
          `${RESTORE}: iptables-restore: line ${n} table name '${t}' invalid\n` +
            `Error occurred at line: ${n}\n${RESTORE_TRY}`,
          2,
        );
      }
      table = t as TableName;
      if (!noflush) {
        // The table is deleted and built again from what follows: built-in
        // chains come back only if a chain line names them, counters at zero.
        const tb = nf.tables[table];
        for (const c of [...tb.chains.values()]) {
          c.rules.length = 0;
          if (!c.builtin) tb.chains.delete(c.name);
          c.pkts = c.bytes = 0;
          c.policy = "ACCEPT";
          c.created = !c.builtin;
          c.counting = false;
        }
        tb.created = false;
      }
      continue;
    }
    if (table === undefined) throw failed("");
    if (line === "COMMIT") {
      if (missingChain) throw restoreError(missingChain, n);
      table = undefined;
      continue;
    }
    if (line.startsWith(":")) {
      const m = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(line);
      if (!m) throw failed("");
      const [, name, policy, pk, by] = m;
      const tb = nf.tables[table];
      let c = tb.chains.get(name!);
      if (c === undefined) {
        if ((BUILTIN_CHAINS[table] as readonly string[]).includes(name!) || policy !== "-") {
          throw failed("Bad built-in chain name.");
        }
        c = new Chain(name!, false);
        addChain(tb, c);
      }
      tb.created = true;
      if (c.builtin) {
        if (policy !== "ACCEPT" && policy !== "DROP") throw failed("Bad policy name.");
        c.policy = policy;
        c.created = c.counting = true;
        c.pkts = counters && pk !== undefined ? Number(pk) : 0;
        c.bytes = counters && by !== undefined ? Number(by) : 0;
      }
      continue;
    }
    let w = words(line);
    let cnt: string[] = [];
    const m = /^\[(\d+):(\d+)\]$/.exec(w[0] ?? "");
    if (m) {
      w = w.slice(1);
      if (counters) cnt = ["-c", m[1]!, m[2]!];
    }
    try {
      const p = parse([...w, ...cnt], nf, "iptables-restore");
      p.table = table;
      execute(ctx, p);
    } catch (e) {
      if (!(e instanceof IptError)) throw e;
      if (/: Chain '.*' does not exist\n/.test(e.text)) {
        missingChain ??= e;
        continue;
      }
      throw restoreError(e, n);
    }
  }
  if (table !== undefined) {
    const last = text.endsWith("\n") ? lines.length : lines.length + 1;
    throw new IptError(`iptables-restore: COMMIT expected at line ${last}\n`, 1);
  }
}
