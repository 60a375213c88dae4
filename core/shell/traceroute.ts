/**
 * `traceroute` (the Linux traceroute 2.1.2): probes with TTL 1, 2, … (three
 * per hop by default) to UDP ports from 33434 upward; each router whose TTL
 * runs out answers with ICMP time exceeded, the destination with port
 * unreachable, which ends the trace. `-I` probes with ICMP echo requests
 * instead (the destination answers with an echo reply). Lines keep
 * traceroute's layout: ` 1  addr  0.093 ms  0.014 ms  0.010 ms`, the address
 * repeated only when it changes, `*` for a probe unanswered within the wait,
 * `!N`, `!H`, `!P`, `!X`, `!S`, `!F`, `!V`, `!C` or `!<code>` after an
 * unreachable answer (which also ends the trace after that hop). Without `-n`
 * hosts print as `name (addr)`; packetlab has no resolver, so the name is the
 * address. `--mtu` sends with DF from 65000 bytes down, marking `F=N` where the
 * path MTU changed.
 *
 * Options: -4 -n -I -U -F -f N -m N -q N -w MAX[,HERE,NEAR] -p PORT -s ADDR
 * -i DEV -z N -N N --mtu, their long forms, and a packet length; -V, --help.
 *
 * Simplified: probes go one after another (traceroute sends up to 16 at once),
 * each waiting up to MAX seconds; the lines printed are the same unless a
 * router rate-limits its ICMP errors (Linux does by default, packetlab does not).
 * No TCP, DCCP or raw-protocol methods.
 *
 * @module
 */
import { formatIp4 } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import { type Errno, ERRNO_TEXT, type IcmpError } from "../ip/ipv4.ts";
import type { EchoReply } from "../transport/ping_socket.ts";
import {
  type CommandContext,
  type Coroutine,
  coroutine,
  type Process,
  type Wait,
} from "./context.ts";
import { inetAton, nameAndAddr, resolveHost } from "./format.ts";

/** traceroute 2.1.2's help text (printed to stderr, exit 0). */
export const TRACEROUTE_USAGE = `Usage:
  traceroute [ -46dFITnreAUDV ] [ -f first_ttl ] [ -g gate,... ] [ -i device ] [ -m max_ttl ] [ -N squeries ] [ -p port ] [ -t tos ] [ -l flow_label ] [ -w MAX,HERE,NEAR ] [ -q nqueries ] [ -s src_addr ] [ -z sendwait ] [ --fwmark=num ] host [ packetlen ]
Options:
  -4                          Use IPv4
  -6                          Use IPv6
  -d  --debug                 Enable socket level debugging
  -F  --dont-fragment         Do not fragment packets
  -f first_ttl  --first=first_ttl
                              Start from the first_ttl hop (instead from 1)
  -g gate,...  --gateway=gate,...
                              Route packets through the specified gateway
                              (maximum 8 for IPv4 and 127 for IPv6)
  -I  --icmp                  Use ICMP ECHO for tracerouting
  -T  --tcp                   Use TCP SYN for tracerouting (default port is 80)
  -i device  --interface=device
                              Specify a network interface to operate with
  -m max_ttl  --max-hops=max_ttl
                              Set the max number of hops (max TTL to be
                              reached). Default is 30
  -N squeries  --sim-queries=squeries
                              Set the number of probes to be tried
                              simultaneously (default is 16)
  -n                          Do not resolve IP addresses to their domain names
  -p port  --port=port        Set the destination port to use. It is either
                              initial udp port value for "default" method
                              (incremented by each probe, default is 33434), or
                              initial seq for "icmp" (incremented as well,
                              default from 1), or some constant destination
                              port for other methods (with default of 80 for
                              "tcp", 53 for "udp", etc.)
  -t tos  --tos=tos           Set the TOS (IPv4 type of service) or TC (IPv6
                              traffic class) value for outgoing packets
  -l flow_label  --flowlabel=flow_label
                              Use specified flow_label for IPv6 packets
  -w MAX,HERE,NEAR  --wait=MAX,HERE,NEAR
                              Wait for a probe no more than HERE (default 3)
                              times longer than a response from the same hop,
                              or no more than NEAR (default 10) times than some
                              next hop, or MAX (default 5.0) seconds (float
                              point values allowed too)
  -q nqueries  --queries=nqueries
                              Set the number of probes per each hop. Default is
                              3
  -r                          Bypass the normal routing and send directly to a
                              host on an attached network
  -s src_addr  --source=src_addr
                              Use source src_addr for outgoing packets
  -z sendwait  --sendwait=sendwait
                              Minimal time interval between probes (default 0).
                              If the value is more than 10, then it specifies a
                              number in milliseconds, else it is a number of
                              seconds (float point values allowed too)
  -e  --extensions            Show ICMP extensions (if present), including MPLS
  -A  --as-path-lookups       Perform AS path lookups in routing registries and
                              print results directly after the corresponding
                              addresses
  -M name  --module=name      Use specified module (either builtin or external)
                              for traceroute operations. Most methods have
                              their shortcuts (\`-I' means \`-M icmp' etc.)
  -O OPTS,...  --options=OPTS,...
                              Use module-specific option OPTS for the
                              traceroute module. Several OPTS allowed,
                              separated by comma. If OPTS is "help", print info
                              about available options
  --sport=num                 Use source port num for outgoing packets. Implies
                              \`-N 1'
  --fwmark=num                Set firewall mark for outgoing packets
  -U  --udp                   Use UDP to particular port for tracerouting
                              (instead of increasing the port per each probe),
                              default port is 53
  -UL                         Use UDPLITE for tracerouting (default dest port
                              is 53)
  -D  --dccp                  Use DCCP Request for tracerouting (default port
                              is 33434)
  -P prot  --protocol=prot    Use raw packet of protocol prot for tracerouting
  --mtu                       Discover MTU along the path being traced. Implies
                              \`-F -N 1'
  --back                      Guess the number of hops in the backward path and
                              print if it differs
  -V  --version               Print version info and exit
  --help                      Read this help and exit

Arguments:
+     host          The host to traceroute to
      packetlen     The full packet length (default is the length of an IP
                    header plus 40). Can be ignored or increased to a minimal
                    allowed value
`;

const VERSION = "Modern traceroute for Linux, version 2.1.2\n" +
  "Copyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n";

/** traceroute's mark for an ICMP unreachable code ("" for port unreachable). */
export function unreachableMark(code: number): string {
  switch (code) {
    case 0:
    case 6:
    case 8:
    case 11:
      return "!N";
    case 1:
    case 7:
    case 12:
      return "!H";
    case 9:
    case 10:
    case 13:
      return "!X";
    case 2:
      return "!P";
    case 3:
      return "";
    case 4:
      return "!F";
    case 5:
      return "!S";
    case 14:
      return "!V";
    case 15:
      return "!C";
    default:
      return `!<${code}>`;
  }
}

/** One probe's outcome. */
interface Probe {
  from: number | undefined;
  rtt: number;
  mark: string;
  final: boolean;
  mtu: number;
}

/** Options that take a value, short and long. */
const VALUE_OPTS: Record<string, string> = {
  f: "f",
  first: "f",
  g: "g",
  gateway: "g",
  i: "i",
  interface: "i",
  m: "m",
  "max-hops": "m",
  N: "N",
  "sim-queries": "N",
  p: "p",
  port: "p",
  t: "t",
  tos: "t",
  l: "l",
  flowlabel: "l",
  w: "w",
  wait: "w",
  q: "q",
  queries: "q",
  s: "s",
  source: "s",
  z: "z",
  sendwait: "z",
  M: "M",
  module: "M",
  O: "O",
  options: "O",
  sport: "sport",
  fwmark: "fwmark",
  P: "P",
  protocol: "P",
};

/** Flags, short and long. */
const FLAG_OPTS: Record<string, string> = {
  "4": "4",
  "6": "6",
  d: "d",
  debug: "d",
  F: "F",
  "dont-fragment": "F",
  I: "I",
  icmp: "I",
  T: "T",
  tcp: "T",
  n: "n",
  r: "r",
  e: "e",
  extensions: "e",
  A: "A",
  "as-path-lookups": "A",
  U: "U",
  udp: "U",
  D: "D",
  dccp: "D",
  V: "V",
  version: "V",
  help: "help",
  mtu: "mtu",
  back: "back",
};

const UNSUPPORTED = new Set(["6", "T", "D", "P", "g", "M", "O", "A", "e", "l", "back", "r"]);

/** The `traceroute` command. */
export function traceroute(ctx: CommandContext, argv: string[]): number | Process {
  const opts = new Map<string, string>();
  const operands: Array<{ text: string; argc: number }> = [];
  for (let k = 1; k < argv.length; k++) {
    const a = argv[k]!;
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (FLAG_OPTS[name] !== undefined && eq < 0) {
        opts.set(FLAG_OPTS[name]!, "");
        continue;
      }
      const key = VALUE_OPTS[name];
      if (key === undefined || name.length === 1) {
        ctx.err(`Bad option \`${a}' (argc ${k})\n`);
        return 2;
      }
      const v = eq < 0 ? argv[++k] : a.slice(eq + 1);
      if (v === undefined) {
        ctx.err(`Option \`${a}' (argc ${k - 1}) requires an argument: \`--${name}=...'\n`);
        return 2;
      }
      opts.set(key, v);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j]!;
        if (ch === "U" && a[j + 1] === "L") {
          ctx.err("traceroute: UDPLITE is not supported by packetlab\n");
          return 2;
        }
        if (FLAG_OPTS[ch] !== undefined) {
          opts.set(FLAG_OPTS[ch]!, "");
          continue;
        }
        const key = VALUE_OPTS[ch];
        if (key === undefined) {
          ctx.err(`Bad option \`-${ch}' (argc ${k})\n`);
          return 2;
        }
        let v: string | undefined = a.slice(j + 1);
        if (v === "") v = argv[++k];
        if (v === undefined) {
          ctx.err(`Option \`-${ch}' (argc ${k - 1}) requires an argument: \`-${ch} ${key}'\n`);
          return 2;
        }
        opts.set(key, v);
        break;
      }
      continue;
    }
    operands.push({ text: a, argc: k });
  }
  if (opts.has("help")) {
    ctx.err(TRACEROUTE_USAGE);
    return 0;
  }
  if (opts.has("V")) {
    ctx.out(VERSION);
    return 0;
  }
  for (const o of opts.keys()) {
    if (UNSUPPORTED.has(o)) {
      ctx.err(
        `traceroute: option ${o.length > 1 ? "--" : "-"}${o} is not supported by packetlab\n`,
      );
      return 2;
    }
  }
  if (operands.length === 0) {
    ctx.err(TRACEROUTE_USAGE);
    return 0;
  }
  const argcOf = (key: string): number => {
    for (let k = 1; k < argv.length; k++) if (argv[k]!.includes(key)) return k + 1;
    return 0;
  };
  const num = (key: string, dflt: number, float = false): number | undefined => {
    const v = opts.get(key);
    if (v === undefined) return dflt;
    const ok = float ? /^\d+(\.\d*)?$|^\.\d+$/.test(v) : /^\d+$/.test(v);
    if (!ok) {
      const flag = argv.find((x) => x === `-${key}` || x.startsWith(`-${key}`)) ?? `-${key}`;
      ctx.err(
        `Cannot handle \`${flag.slice(0, 2)}' option with arg \`${v}' (argc ${argcOf(v) - 1})\n`,
      );
      return undefined;
    }
    return Number(v);
  };
  const mtuDisc = opts.has("mtu");
  const icmp = opts.has("I");
  const numeric = opts.has("n");
  const maxHopsArg = num("m", 30);
  const firstTtlArg = num("f", 1);
  const queriesArg = num("q", 3);
  const waitText = opts.get("w") ?? "5";
  const waitMax = Number(waitText.split(",")[0]);
  const basePortArg = num("p", icmp ? 1 : 33434);
  if (
    maxHopsArg === undefined || firstTtlArg === undefined || queriesArg === undefined ||
    basePortArg === undefined
  ) return 2;
  const maxHops: number = maxHopsArg;
  const firstTtl: number = firstTtlArg;
  const queries: number = queriesArg;
  const basePort: number = basePortArg;
  if (!/^\d+(\.\d*)?(,\d+(\.\d*)?){0,2}$/.test(waitText)) {
    ctx.err(`Cannot handle \`-w' option with arg \`${waitText}' (argc ${argcOf(waitText) - 1})\n`);
    return 2;
  }
  if (num("N", 16) === undefined || num("z", 0, true) === undefined) return 2;
  if (maxHops > 255) {
    ctx.err("max hops cannot be more than 255\n");
    return 2;
  }
  if (firstTtl < 1 || firstTtl > maxHops) {
    ctx.err("first hop out of range\n");
    return 2;
  }
  if (queries < 1 || queries > 10) {
    ctx.err("no more than 10 probes per hop\n");
    return 2;
  }
  const hostArg = operands[0]!;
  const resolved = resolveHost(hostArg.text);
  if (!resolved) {
    ctx.err(
      `${hostArg.text}: Name or service not known\nCannot handle "host" cmdline arg \`${hostArg.text}' on position 1 (argc ${hostArg.argc})\n`,
    );
    return 2;
  }
  let packetLen = mtuDisc ? 65000 : 60;
  if (operands.length > 1) {
    const p = operands[1]!;
    if (!/^\d+$/.test(p.text)) {
      ctx.err(
        `Cannot handle "packetlen" cmdline arg \`${p.text}' on position 2 (argc ${p.argc})\n`,
      );
      return 2;
    }
    packetLen = Number(p.text);
  }
  if (operands.length > 2) {
    const x = operands[2]!;
    ctx.err(`Extra arg \`${x.text}' (position 3, argc ${x.argc})\n`);
    return 2;
  }
  if (packetLen > 65000) {
    ctx.err(`too big packetlen ${packetLen} specified\n`);
    return 2;
  }
  const minLen = icmp ? 28 : 28;
  if (packetLen < minLen) packetLen = minLen;
  const dst = resolved.addr;
  const ns = ctx.ns;
  let oif: Interface | undefined;
  const dev = opts.get("i");
  if (dev !== undefined) {
    oif = ns.dev.get(dev);
    if (!oif) {
      ctx.err(`setsockopt SO_BINDTODEVICE: No such device\n`);
      return 1;
    }
  }
  const srcText = opts.get("s");
  const src = srcText === undefined ? undefined : inetAton(srcText);
  if (srcText !== undefined && (src === undefined || !ns.ip.isLocal(src))) {
    ctx.err("bind: Cannot assign requested address\n");
    return 1;
  }
  ctx.out(
    `traceroute to ${hostArg.text} (${
      formatIp4(dst)
    }), ${maxHops} hops max, ${packetLen} byte packets\n`,
  );
  const route = ns.ip.route(dst, { oif, src });
  if (typeof route === "string" || route.type === "broadcast") {
    ctx.err(`connect: ${ERRNO_TEXT[typeof route === "string" ? route : "EACCES"]}\n`);
    return 1;
  }
  const sim = ctx.sim;
  const df = mtuDisc || opts.has("F");
  let size = packetLen;
  let lastSize = 0;
  const udp = icmp ? undefined : ns.udp.socket();
  udp?.bind(src ?? 0, 0);
  const echo = icmp ? ns.ping.open() : undefined;
  let pending: { key: number; answer: Probe | undefined; sentAt: number } | undefined;
  const self: { proc?: Coroutine } = {};

  const onError = (e: IcmpError, key: number | undefined) => {
    if (!pending || key !== pending.key || pending.answer) return;
    if (e.quoted.ip.dst !== dst) return;
    const rtt = e.time - pending.sentAt;
    if (e.type === 3 && e.code === 4 && mtuDisc) {
      pending.answer = { from: e.from, rtt, mark: "", final: false, mtu: -1 };
    } else if (e.type === 3) {
      const mark = unreachableMark(e.code);
      pending.answer = { from: e.from, rtt, mark, final: true, mtu: 0 };
    } else if (e.type === 11 && e.code === 0) {
      // A time exceeded never ends the trace, even from the destination's
      // address (a DNAT router's own errors come back under the public one).
      pending.answer = { from: e.from, rtt, mark: "", final: false, mtu: 0 };
    } else return;
    self.proc?.poke();
  };
  if (udp) udp.onError = (e) => onError(e, e.quoted.dstPort);
  if (echo) {
    echo.onError = (e) => onError(e, e.quoted.echoSeq);
    echo.onReply = (r: EchoReply) => {
      if (!pending || r.seq !== pending.key || pending.answer || r.from !== dst) return;
      pending.answer = {
        from: r.from,
        rtt: r.time - pending.sentAt,
        mark: "",
        final: true,
        mtu: 0,
      };
      self.proc?.poke();
    };
  }

  const pathMtu = () => {
    const r = ns.ip.route(dst, { oif, src });
    return typeof r === "string" ? size : r.mtu;
  };

  let sendError: Errno | undefined;
  /** Send one probe and wait for its answer; undefined when none came in time. */
  function* probe(ttl: number, n: number): Generator<Wait, Probe | undefined, void> {
    for (;;) {
      if (mtuDisc) size = Math.min(size, pathMtu());
      const key = (basePort + n) & 0xffff;
      pending = { key, answer: undefined, sentAt: sim.now };
      const err = echo
        ? echo.send(dst, key, Math.max(0, size - 28), {
          ttl,
          df,
          dontFragment: df,
          oif,
          src,
        })
        : udp!.sendTo(Math.max(0, size - 28), dst, key, { ttl, df, dontFragment: df });
      if (err === "EMSGSIZE" && mtuDisc) {
        size = pathMtu();
        continue;
      }
      if (err !== undefined) {
        // do_send: any other failure (EPERM from a netfilter drop, no route)
        // ends the run with perror("send").
        sendError = err;
        return undefined;
      }
      yield { ready: () => pending?.answer !== undefined, timeout: waitMax * 1e9 };
      const answer = pending.answer;
      pending = undefined;
      if (answer?.mtu === -1) {
        // Frag needed on the way: the path MTU dropped; send this probe again, smaller.
        size = pathMtu();
        continue;
      }
      if (answer && mtuDisc && size !== lastSize) answer.mtu = size;
      if (mtuDisc) lastSize = size;
      return answer;
    }
  }

  function* main(): Generator<Wait, number, void> {
    let n = (firstTtl - 1) * queries;
    for (let ttl = firstTtl; ttl <= maxHops; ttl++) {
      let line = String(ttl).padStart(2) + " ";
      let prev: number | undefined;
      let final = false;
      for (let q = 0; q < queries; q++) {
        const p = yield* probe(ttl, n++);
        if (sendError !== undefined) {
          close();
          ctx.err(`send: ${ERRNO_TEXT[sendError]}\n`);
          return 1;
        }
        if (!p || p.from === undefined) {
          line += " *";
          continue;
        }
        if (prev === undefined || prev !== p.from) {
          line += numeric ? ` ${formatIp4(p.from)}` : ` ${nameAndAddr(p.from)}`;
          prev = p.from;
        }
        line += `  ${(Math.floor(p.rtt / 1000) / 1000).toFixed(3)} ms`;
        if (p.mtu > 0) line += ` F=${p.mtu}`;
        if (p.mark) line += ` ${p.mark}`;
        if (p.final) final = true;
      }
      ctx.out(line + "\n");
      if (final) break;
    }
    close();
    return 0;
  }
  const close = () => {
    udp?.close();
    echo?.close();
  };
  const proc = coroutine(sim, main(), () => {
    close();
    return 130;
  });
  self.proc = proc;
  return proc;
}
