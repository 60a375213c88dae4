/**
 * `dig` as BIND 9.18.49 (Debian 12) runs it: one query per name, sent over
 * UDP (or TCP with `+tcp`) to `@server` or to the name servers of
 * /etc/resolv.conf, printed in dig's layout (the header lines, the message as
 * {@link formatDnsMessage} prints it, the statistics).
 *
 * Query: a random id, RD (unless `+norecurse`), AD (unless `+noadflag`), an
 * OPT record with a 1232-byte UDP size and an 8-byte client COOKIE (unless
 * `+noedns` / `+nocookie`; `+bufsize=N` sets the size). Tries: `+tries=N`
 * (default 3; `+retry=N` is tries − 1), `+time=N` seconds each (default 5).
 * A server that does not answer, or refuses (ICMP port unreachable), is tried
 * again until its tries are used up, then the next server gets one try, as
 * dig 9.18 does; each failure prints `;; communications error to A#53: timed
 * out` (or `connection refused`); when none answers, `;; no servers could be
 * reached` and exit status 9. A truncated answer prints `;; Truncated,
 * retrying in TCP mode.` and asks again over TCP (unless `+ignore`).
 *
 * Options: `@server`, `-p port`, `-t type`, `-c class`, `-b address[#port]`,
 * `-q name`, `-x address`, `-4`, `-h`, `-v`, a type or class among the
 * arguments, several names (one lookup each), and `+[no]short`, `+[no]tcp`
 * (`+vc`), `+[no]recurse` (`+rdflag`), `+[no]edns`, `+[no]cookie`,
 * `+[no]adflag`, `+[no]ignore`, `+[no]cmd`, `+[no]comments`, `+[no]question`,
 * `+[no]answer`, `+[no]authority`, `+[no]additional`, `+[no]stats`,
 * `+[no]all`, `+[no]trace`, `+bufsize=`, `+time=`/`+timeout=`, `+tries=`,
 * `+retry=`, abbreviated as dig allows (a unique prefix). Bad command lines
 * print dig's messages with its exit status (1, or 10 for a bad value).
 *
 * `+trace` walks down from the root itself: the root NS RRset from the
 * resolver, then one query without RD per zone to the first server of the
 * delegation, printing each response's records and
 * `;; Received N bytes from A#53(NAME) in T ms`.
 *
 * The `;; Query time`, `;; WHEN` lines come from virtual time (the epoch is
 * the start of the simulation). Left out: IPv6 transport, TSIG, DoH/DoT,
 * `+search` (no search list is applied), `-f` batch files, `+multiline` and
 * `+yaml`, names as `@server`.
 *
 * @module
 */
import type { CommandContext, Process } from "./context.ts";
import { formatIp4, parseIp4 } from "../wire/addr.ts";
import type { Ip4 } from "../wire/packet.ts";
import { DnsClass, type DnsMessage, dnsQuery, DnsType, type Edns } from "../app/dns/message.ts";
import { canonicalDnsName } from "../app/dns/name.ts";
import { type DigDisplay, formatDnsMessage, formatRdata, formatRecord } from "../app/dns/format.ts";
import { dnsExchange, type DnsExchangeResult } from "../app/dns/transport.ts";
import { StubResolver } from "../app/dns/stub.ts";

/** The version dig prints. */
export const DIG_VERSION = "9.18.49-1~deb12u3-Debian";

const SHORT_USAGE = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]

Use "dig -h" (or "dig -h | more") for complete list of options
`;

const LONG_USAGE = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]
Where:  domain	  is in the Domain Name System
        q-class  is one of (in,hs,ch,...) [default: in]
        q-type   is one of (a,any,mx,ns,soa,hinfo,axfr,txt,...) [default:a]
                 (Use ixfr=version for type ixfr)
        q-opt    is one of:
                 -4                  (use IPv4 query transport only)
                 -6                  (use IPv6 query transport only)
                 -b address[#port]   (bind to source address/port)
                 -c class            (specify query class)
                 -p port             (specify port number)
                 -q name             (specify query name)
                 -t type             (specify query type)
                 -x dot-notation     (shortcut for reverse lookups)
        d-opt    is of the form +keyword[=value], where keyword is:
                 +[no]aaflag         (Set AA flag in query (+[no]aaflag))
                 +[no]additional     (Control display of additional section)
                 +[no]adflag         (Set AD flag in query (default on))
                 +[no]all            (Set or clear all display flags)
                 +[no]answer         (Control display of answer section)
                 +[no]authority      (Control display of authority section)
                 +bufsize[=###]      (Set EDNS0 Max UDP packet size)
                 +[no]cmd            (Control display of command line -
                                      global option)
                 +[no]comments       (Control display of packet header
                                      and section name comments)
                 +[no]cookie         (Add a COOKIE option to the request)
                 +[no]edns[=###]     (Set EDNS version) [0]
                 +[no]ignore         (Don't revert to TCP for TC responses.)
                 +[no]question       (Control display of question section)
                 +[no]recurse        (Recursive mode (+[no]rdflag))
                 +retry=###          (Set number of UDP retries) [2]
                 +[no]short          (Display nothing except short
                                      form of answers - global option)
                 +[no]stats          (Control display of statistics)
                 +[no]tcp            (TCP mode (+[no]vc))
                 +timeout=###        (Set query timeout) [5]
                 +[no]trace          (Trace delegation down from root [implies
                                      +dnssec])
                 +tries=###          (Set number of UDP attempts) [3]
                 +[no]vc             (TCP mode (+[no]vc))
        global d-opts and servers (before host name) affect all queries.
        local d-opts and servers (after host name) affect only that lookup.
        -h                           (print help and exit)
        -v                           (print version and exit)
`;

interface Settings {
  short: boolean;
  tcp: boolean;
  recurse: boolean;
  edns: boolean;
  cookie: boolean;
  adflag: boolean;
  aaflag: boolean;
  ignore: boolean;
  cmd: boolean;
  stats: boolean;
  trace: boolean;
  display: DigDisplay;
  bufsize: number;
  timeout: number;
  tries: number;
  port: number;
  source: Ip4 | undefined;
  sourcePort: number | undefined;
}

interface Lookup {
  name: string;
  type: number;
  cls: number;
  /** A type was given after the name (a second type word is then a name). */
  typeSet?: boolean;
}

/** Boolean options: name → setter. Order decides abbreviations (first match wins). */
const FLAGS: Array<[string, (s: Settings, on: boolean) => void]> = [
  ["short", (s, on) => (s.short = on)],
  ["tcp", (s, on) => (s.tcp = on)],
  ["vc", (s, on) => (s.tcp = on)],
  ["recurse", (s, on) => (s.recurse = on)],
  ["rdflag", (s, on) => (s.recurse = on)],
  ["edns", (s, on) => (s.edns = on)],
  ["cookie", (s, on) => (s.cookie = on)],
  ["adflag", (s, on) => (s.adflag = on)],
  ["aaflag", (s, on) => (s.aaflag = on)],
  ["aaonly", (s, on) => (s.aaflag = on)],
  ["ignore", (s, on) => (s.ignore = on)],
  ["cmd", (s, on) => (s.cmd = on)],
  ["comments", (s, on) => (s.display.comments = on)],
  ["question", (s, on) => (s.display.question = on)],
  ["answer", (s, on) => (s.display.answer = on)],
  ["authority", (s, on) => (s.display.authority = on)],
  ["additional", (s, on) => (s.display.additional = on)],
  ["stats", (s, on) => (s.stats = on)],
  ["trace", (s, on) => (s.trace = on)],
  [
    "all",
    (s, on) => {
      s.cmd = s.stats = on;
      s.display = { comments: on, question: on, answer: on, authority: on, additional: on };
    },
  ],
];

type ValueOption = [string, string, (s: Settings, n: number) => void, number, number];
/** Numeric options: name, what dig calls the value in errors, setter, range. */
const VALUES: ValueOption[] = [
  ["bufsize", "buffer size", (s, n) => (s.bufsize = n), 0, 65535],
  ["time", "timeout", (s, n) => (s.timeout = Math.max(1, n)), 0, 0xffffffff],
  ["timeout", "timeout", (s, n) => (s.timeout = Math.max(1, n)), 0, 0xffffffff],
  ["tries", "tries", (s, n) => (s.tries = Math.max(1, n)), 0, 0xffffffff],
  ["retry", "retries", (s, n) => (s.tries = n + 1), 0, 0xffffffff],
];

const TYPES = new Map<string, number>(Object.entries(DnsType).map(([k, v]) => [k, v]));
const CLASSES = new Map<string, number>([["IN", DnsClass.IN], ["CH", DnsClass.CH], [
  "HS",
  DnsClass.HS,
]]);

function typeOf(text: string): number | undefined {
  const u = text.toUpperCase();
  if (TYPES.has(u) && u !== "OPT") return TYPES.get(u);
  const m = /^TYPE(\d+)$/.exec(u);
  return m && Number(m[1]) < 65536 ? Number(m[1]) : undefined;
}

function classOf(text: string): number | undefined {
  const u = text.toUpperCase();
  if (CLASSES.has(u)) return CLASSES.get(u);
  const m = /^CLASS(\d+)$/.exec(u);
  return m && Number(m[1]) < 65536 ? Number(m[1]) : undefined;
}

/** date(1)'s `%a %b %d %H:%M:%S UTC %Y` for virtual time counted from the epoch (1970-01-01). */
export function whenText(ns: number): string {
  const secs = Math.floor(ns / 1e9);
  const days = Math.floor(secs / 86400);
  const t = secs - days * 86400;
  // Days to a civil date (H. Hinnant's algorithm, proleptic Gregorian).
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7];
  const mon =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1];
  const p = (n: number) => String(n).padStart(2, "0");
  const hms = `${p(Math.floor(t / 3600))}:${p(Math.floor(t / 60) % 60)}:${p(t % 60)}`;
  return `${weekday} ${mon} ${p(day)} ${hms} UTC ${year}`;
}

class ParseError {
  constructor(readonly text: string, readonly stdout: string, readonly status: number) {}
}

function parse(ctx: CommandContext, args: string[]) {
  const s: Settings = {
    short: false,
    tcp: false,
    recurse: true,
    edns: true,
    cookie: true,
    adflag: true,
    aaflag: false,
    ignore: false,
    cmd: true,
    stats: true,
    trace: false,
    display: { comments: true, question: true, answer: true, authority: true, additional: true },
    bufsize: 1232,
    timeout: 5,
    tries: 3,
    port: 53,
    source: undefined,
    sourcePort: undefined,
  };
  const lookups: Lookup[] = [];
  let server: string | undefined;
  let pendingType: number | undefined;
  let pendingClass: number | undefined;
  const invalid = (a: string) => new ParseError(`Invalid option: ${a}\n${SHORT_USAGE}`, "", 1);
  const addName = (name: string) => {
    lookups.push({ name, type: pendingType ?? DnsType.A, cls: pendingClass ?? DnsClass.IN });
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("@")) {
      server = a.slice(1);
      continue;
    }
    if (a.startsWith("+")) {
      let body = a.slice(1);
      const eq = body.indexOf("=");
      const value = eq >= 0 ? body.slice(eq + 1) : undefined;
      if (eq >= 0) body = body.slice(0, eq);
      const on = !body.startsWith("no");
      const word = on ? body : body.slice(2);
      if (word === "") throw invalid(a);
      const numeric = VALUES.find(([n]) => n === word) ?? VALUES.find(([n]) => n.startsWith(word));
      if (numeric && on && (value !== undefined || numeric[0] !== "bufsize")) {
        const [, what, set, min, max] = numeric;
        if (value === undefined || !/^\d+$/.test(value)) {
          throw new ParseError(
            `dig: Couldn't parse ${what}\n`,
            `invalid ${what} '${value ?? ""}': not a valid number\n`,
            10,
          );
        }
        const n = Number(value);
        if (n < min || n > max) {
          throw new ParseError(
            `dig: Couldn't parse ${what}\n`,
            `invalid ${what} '${value}': out of range\n`,
            10,
          );
        }
        set(s, n);
        continue;
      }
      const flag = FLAGS.find(([n]) => n === word) ?? FLAGS.find(([n]) => n.startsWith(word));
      if (!flag || (value !== undefined && flag[0] !== "edns")) throw invalid(a);
      flag[1](s, on);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      const opt = a[1]!;
      if (opt === "h") throw new ParseError("", LONG_USAGE, 0);
      if (opt === "v") throw new ParseError(`DiG ${DIG_VERSION}\n`, "", 0);
      if (opt === "4") continue;
      if (!"ptcbqx".includes(opt) || a.length > 2 && !"ptcbqx".includes(opt)) throw invalid(a);
      const v = a.length > 2 ? a.slice(2) : args[++i];
      if (v === undefined) throw invalid(a);
      switch (opt) {
        case "p": {
          const n = /^\d+$/.test(v) ? Number(v) : NaN;
          if (!(n <= 65535)) {
            throw new ParseError(
              "dig: Couldn't parse port number\n",
              `invalid port number '${v}': ${
                isNaN(n) && !/^\d+$/.test(v) ? "not a valid number" : "out of range"
              }\n`,
              1,
            );
          }
          s.port = n;
          break;
        }
        case "t": {
          const t = typeOf(v);
          if (t === undefined) ctx.err(`;; Warning, ignoring invalid type ${v}\n`);
          else pendingType = t;
          if (t !== undefined && lookups.length > 0) lookups[lookups.length - 1]!.type = t;
          break;
        }
        case "c": {
          const c = classOf(v);
          if (c === undefined) ctx.err(`;; Warning, ignoring invalid class ${v}\n`);
          else pendingClass = c;
          if (c !== undefined && lookups.length > 0) lookups[lookups.length - 1]!.cls = c;
          break;
        }
        case "b": {
          const [addr, port] = v.split("#");
          const src = parseIp4(addr!);
          if (src === undefined) throw new ParseError(`dig: invalid address ${addr}\n`, "", 1);
          s.source = src;
          if (port !== undefined) s.sourcePort = Number(port);
          break;
        }
        case "q":
          addName(v);
          break;
        case "x": {
          const ip = parseIp4(v);
          if (ip === undefined) {
            throw new ParseError(`dig: '${v}' is not a legal IPv4 address\n`, "", 10);
          }
          const o = formatIp4(ip).split(".").reverse().join(".");
          lookups.push({ name: `${o}.in-addr.arpa.`, type: DnsType.PTR, cls: DnsClass.IN });
          break;
        }
      }
      continue;
    }
    const last = lookups[lookups.length - 1];
    const t = typeOf(a);
    const c = classOf(a);
    if (t !== undefined && (last === undefined || !last.typeSet)) {
      if (last) (last.type = t, last.typeSet = true);
      else pendingType = t;
      continue;
    }
    if (c !== undefined) {
      if (last) last.cls = c;
      else pendingClass = c;
      continue;
    }
    addName(a);
  }
  if (lookups.length === 0) {
    lookups.push({ name: ".", type: pendingType ?? DnsType.NS, cls: pendingClass ?? DnsClass.IN });
    if (pendingType === undefined) lookups[0]!.type = DnsType.NS;
  }
  return { s, lookups, server };
}

/** The `dig` command. */
export function dig(ctx: CommandContext, argv: string[]): number | Process {
  const args = argv.slice(1);
  let parsed;
  try {
    parsed = parse(ctx, args);
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    if (e.stdout) ctx.out(e.stdout);
    if (e.text) ctx.err(e.text);
    return e.status;
  }
  const { s, lookups } = parsed;
  let servers: Ip4[];
  if (parsed.server !== undefined) {
    const a = /^\d+\.\d+\.\d+\.\d+$/.test(parsed.server) ? parseIp4(parsed.server) : undefined;
    if (a === undefined) {
      ctx.err(`dig: couldn't get address for '${parsed.server}': not found\n`);
      return 1;
    }
    servers = [a];
  } else {
    servers = new StubResolver(ctx.node, ctx.ns).conf().nameservers;
  }
  for (const l of lookups) {
    try {
      l.name = canonicalDnsName(l.name);
    } catch (e) {
      ctx.err(
        `dig: '${l.name}' is not a legal name (${(e as Error).message.replace(/^dns: /, "")})\n`,
      );
      return 10;
    }
  }
  const sim = ctx.sim;
  const rng = sim.rng(`dig ${ctx.node.name}/${ctx.ns.name}`);
  let finished = false;
  let status = 0;
  let cmdPrinted = false;
  const printCmd = () => {
    if (cmdPrinted || !s.cmd || s.short) return;
    cmdPrinted = true;
    ctx.out(`\n; <<>> DiG ${DIG_VERSION} <<>> ${args.join(" ")}\n`);
    if (parsed.server !== undefined) ctx.out("; (1 server found)\n");
    ctx.out(";; global options: +cmd\n");
  };

  const query = (l: Lookup, rd: boolean): DnsMessage => {
    const id = rng.int(0, 0xffff);
    let edns: Edns | undefined;
    if (s.edns) {
      const options = s.cookie
        ? [{ code: 10, data: Uint8Array.from({ length: 8 }, () => rng.int(0, 255)) }]
        : [];
      // +trace implies +dnssec: the DO bit is set.
      edns = { udpSize: s.bufsize, version: 0, dnssecOk: s.trace, z: 0, options };
    }
    const q = dnsQuery(id, l.name, l.type, { rd, edns, class: l.cls });
    q.ad = s.adflag;
    q.aa = s.aaflag;
    return q;
  };

  const printAnswer = (r: DnsExchangeResult & { ok: true }, server: Ip4) => {
    const m = r.message;
    if (s.short) {
      for (const rr of m.answers) ctx.out(formatRdata(rr.data) + "\n");
      return;
    }
    printCmd();
    if (s.display.comments) ctx.out(";; Got answer:\n");
    ctx.out(formatDnsMessage(m, s.display));
    if (s.stats) {
      const a = formatIp4(server);
      ctx.out(`;; Query time: ${Math.floor(r.rtt / 1e6)} msec\n`);
      ctx.out(`;; SERVER: ${a}#${s.port}(${a}) (${r.transport.toUpperCase()})\n`);
      ctx.out(`;; WHEN: ${whenText(sim.now)}\n`);
      ctx.out(`;; MSG SIZE  rcvd: ${r.size}\n\n`);
    }
  };

  /** One lookup over the servers with dig's tries; calls back with the answer or undefined. */
  const run = (
    l: Lookup,
    list: Ip4[],
    rd: boolean,
    then: (r: (DnsExchangeResult & { ok: true }) | undefined, server: Ip4, pair: boolean) => void,
  ) => {
    const q = query(l, rd);
    let pair = false;
    let serverIndex = 0;
    let left = s.tries;
    const attempt = (transport: "udp" | "tcp") => {
      const server = list[serverIndex];
      if (server === undefined) return then(undefined, 0, pair);
      dnsExchange(
        ctx.ns,
        q,
        {
          server,
          port: s.port,
          transport,
          timeout: s.timeout * 1e9,
          source: s.source,
          sourcePort: s.sourcePort,
        },
        (r) => {
          if (r.ok) {
            if (r.message.tc && transport === "udp" && !s.ignore) {
              if (!s.short) ctx.out(";; Truncated, retrying in TCP mode.\n");
              return attempt("tcp");
            }
            return then(r, server, false);
          }
          const a = formatIp4(server);
          pair = transport === "tcp" || r.error === "network unreachable" ||
            r.error === "address not available";
          if (transport === "tcp") {
            ctx.out(
              `;; Connection to ${a}#${s.port}(${a}) for ${
                l.name.replace(/\.$/, "") || "."
              } failed: ${r.error}.\n`,
            );
            ctx.out(";; no servers could be reached\n");
          } else if (r.error === "network unreachable" || r.error === "address not available") {
            ctx.out(
              `;; UDP setup with ${a}#${s.port}(${a}) for ${
                l.name.replace(/\.$/, "") || "."
              } failed: ${r.error}.\n`,
            );
            ctx.out(";; no servers could be reached\n");
          } else {
            ctx.out(`;; communications error to ${a}#${s.port}: ${r.error}\n`);
          }
          if (left > 1) left--;
          else serverIndex++;
          if (serverIndex >= list.length) return then(undefined, server, pair);
          attempt(s.tcp ? "tcp" : "udp");
        },
      );
    };
    attempt(s.tcp ? "tcp" : "udp");
  };

  /** No server answered: dig's closing lines (already printed with each setup or TCP failure). */
  const fail = (pair: boolean) => {
    status = 9;
    if (pair) return;
    printCmd();
    ctx.out(";; no servers could be reached\n");
  };

  const normal = (i: number) => {
    const l = lookups[i];
    if (l === undefined) {
      finished = true;
      return;
    }
    run(l, servers, s.recurse, (r, server, pair) => {
      if (!r) fail(pair);
      else printAnswer(r, server);
      normal(i + 1);
    });
  };

  if (s.trace) trace(lookups[0]!, () => (finished = true));
  else normal(0);

  /** +trace: the root NS from the resolver, then each zone's first server, without RD. */
  function trace(l: Lookup, end: () => void) {
    printCmd();
    run({ name: ".", type: DnsType.NS, cls: DnsClass.IN }, servers, true, (r, server, pair) => {
      if (!r) {
        fail(pair);
        return end();
      }
      for (const rr of r.message.answers) ctx.out(formatRecord(rr) + "\n");
      const a = formatIp4(server);
      ctx.out(
        `;; Received ${r.size} bytes from ${a}#${s.port}(${a}) in ${
          Math.floor(r.rtt / 1e6)
        } ms\n\n`,
      );
      step(r.message, ".", 0);
    });
    const step = (prev: DnsMessage, zone: string, depth: number) => {
      const ns = [...prev.answers, ...prev.authorities].filter((rr) => rr.data.type === "NS");
      const glue = new Map<string, Ip4>();
      for (const rr of prev.additionals) {
        if (rr.data.type === "A") glue.set(canonicalDnsName(rr.name), rr.data.address);
      }
      const names = ns.map((rr) => canonicalDnsName((rr.data as { target: string }).target));
      const first = names.find((n) => glue.has(n)) ?? names[0];
      if (first === undefined || depth > 16) {
        ctx.out(`;; no servers could be reached\n`);
        status = 9;
        return end();
      }
      const known = glue.get(first);
      if (known !== undefined) return ask(first, known, zone, depth);
      // No glue (the resolver's minimal answer for the root): ask the resolver for the address.
      run({ name: first, type: DnsType.A, cls: DnsClass.IN }, servers, true, (r) => {
        const a = r?.message.answers.find((rr) => rr.data.type === "A");
        if (!a || a.data.type !== "A") {
          ctx.out(`;; no servers could be reached\n`);
          status = 9;
          return end();
        }
        ask(first, a.data.address, zone, depth);
      });
    };
    const ask = (first: string, addr: Ip4, zone: string, depth: number) => {
      run(l, [addr], false, (r) => {
        if (!r) {
          status = 9;
          return end();
        }
        const m = r.message;
        for (const rr of [...m.answers, ...m.authorities]) ctx.out(formatRecord(rr) + "\n");
        const name = first.replace(/\.$/, "");
        ctx.out(
          `;; Received ${r.size} bytes from ${formatIp4(addr)}#${s.port}(${name}) in ${
            Math.floor(r.rtt / 1e6)
          } ms\n\n`,
        );
        const referral = !m.aa && m.answers.length === 0 &&
          m.authorities.some((rr) => rr.data.type === "NS");
        const cut = m.authorities.find((rr) => rr.data.type === "NS")?.name;
        if (referral && cut !== undefined && canonicalDnsName(cut) !== zone) {
          return step(m, canonicalDnsName(cut), depth + 1);
        }
        end();
      });
    };
  }

  return {
    done: () => finished,
    status: () => status,
    stop: () => {
      finished = true;
    },
  };
}
