/**
 * `curl [options] URL...` as curl 7.88.1 runs HTTP GETs, with its output
 * layout and its error messages and exit codes, over the node's TCP stack
 * with {@link HttpConnection}.
 *
 * Options: `-s/--silent`, `-S/--show-error`, `-i/--include`, `-I/--head`,
 * `-v/--verbose` (the `*` info lines, the `>` request and `<` response head
 * lines with their CRLFs, and the one `{ [N bytes data]` line per response),
 * `-o/--output FILE` (into the node's files), `-f/--fail`, `-H/--header`
 * (replaces, removes with `Name:` or adds a field), `-A/--user-agent`,
 * `--connect-timeout SECONDS`, `-m/--max-time SECONDS`, and
 * `--resolve HOST:PORT:ADDR`. Several URLs run one after the other and reuse
 * a kept-alive connection to the same host and port ("Re-using existing
 * connection"); the exit status is the last transfer's.
 *
 * Standard output is taken to be a pipe (what a script capturing the output
 * sees), so without `-s` the progress meter is written to standard error as
 * curl's lib/progress.c draws it — updated on each event in a new second since
 * the transfer began, and a last time when it ends — with times and speeds in
 * virtual time.
 *
 * Names: `--resolve` entries and names this run already looked up (curl's
 * DNS cache), then `localhost`, then the node's stub resolver —
 * gethostbyname2(AF_INET) through /etc/hosts and DNS (/etc/resolv.conf),
 * so A queries only, where a real curl's getaddrinfo() also asks for AAAA. A
 * name none of them knows fails with curl's "(6) Could not resolve host";
 * with `--connect-timeout` shorter than the lookup, "(28) Resolving timed
 * out".
 *
 * Exit codes: 1 unsupported protocol or an HTTP/0.9 reply, 2 bad command
 * line, 3 bad URL, 6 unresolved host, 7 connect failed (refused, unreachable,
 * the kernel's SYN retries exhausted), 18 a body cut short, 22 an HTTP error
 * with `-f`, 28 a timeout (`--connect-timeout`, `-m`), 49 a bad `--resolve`,
 * 52 an empty reply, 56 a reset or a broken chunked body.
 *
 * Simplified: HTTP only (https is "not supported or disabled", as in a curl
 * built without TLS), GET and HEAD only, IPv4 only, no redirects, proxies,
 * cookies or uploads, no `--trace`.
 *
 * @module
 */
import { formatIp4, parseIp4 } from "../wire/addr.ts";
import { StubResolver } from "../app/dns/stub.ts";
import type { Ip4 } from "../wire/packet.ts";
import { ERRNO_TEXT } from "../ip/ipv4.ts";
import type { TcpError } from "../transport/tcp/socket.ts";
import {
  type HttpClientError,
  HttpConnection,
  type HttpField,
  type HttpRequest,
  utf8,
} from "../app/http/mod.ts";
import type { CommandContext, Process } from "./context.ts";
import { inetAton } from "./format.ts";

/** The version curl reports in User-Agent. */
export const CURL_USER_AGENT = "curl/7.88.1";

const TRY = "curl: try 'curl --help' or 'curl --manual' for more information\n";

const FLAGS: Record<string, string> = {
  "-s": "silent",
  "--silent": "silent",
  "-S": "show-error",
  "--show-error": "show-error",
  "-i": "include",
  "--include": "include",
  "-I": "head",
  "--head": "head",
  "-v": "verbose",
  "--verbose": "verbose",
  "-f": "fail",
  "--fail": "fail",
};

const PARAMS: Record<string, string> = {
  "-o": "output",
  "--output": "output",
  "-m": "max-time",
  "--max-time": "max-time",
  "--connect-timeout": "connect-timeout",
  "-H": "header",
  "--header": "header",
  "-A": "user-agent",
  "--user-agent": "user-agent",
  "--resolve": "resolve",
};

/** Options real curl has that packetlab's does not implement (short form: takes a parameter). */
const UNSUPPORTED_SHORT = "XdLkOuxbceTFrCEKQwzyYtDjJNnpqRU";

interface Options {
  silent: boolean;
  showError: boolean;
  include: boolean;
  head: boolean;
  verbose: boolean;
  fail: boolean;
  output: string | undefined;
  maxTime: number | undefined;
  connectTimeout: number | undefined;
  headers: string[];
  userAgent: string;
  resolve: Map<string, Ip4>;
  resolveAdded: string[];
  urls: string[];
}

type Parsed = { ok: true; o: Options } | { ok: false; message: string; status: number };

function parseSeconds(opt: string, v: string): number | string {
  if (!/^\d*\.?\d+$|^\d+\.$/.test(v)) {
    return /^-/.test(v)
      ? `curl: option ${opt}: expected a positive numerical parameter\n`
      : `curl: option ${opt}: expected a proper numerical parameter\n`;
  }
  return parseFloat(v) * 1e9;
}

/** Parse curl's command line (curl's own getopt: long options, clustered short flags). */
function parseArgs(args: string[]): Parsed {
  const o: Options = {
    silent: false,
    showError: false,
    include: false,
    head: false,
    verbose: false,
    fail: false,
    output: undefined,
    maxTime: undefined,
    connectTimeout: undefined,
    headers: [],
    userAgent: CURL_USER_AGENT,
    resolve: new Map(),
    resolveAdded: [],
    urls: [],
  };
  const usage = (m: string) => ({ ok: false as const, message: m + TRY, status: 2 });
  const setParam = (name: string, opt: string, v: string): Parsed | undefined => {
    switch (name) {
      case "output":
        o.output = v;
        return;
      case "header":
        o.headers.push(v);
        return;
      case "user-agent":
        o.userAgent = v;
        return;
      case "resolve": {
        const m = /^([^:]+):(\d+):(.+)$/.exec(v);
        const addr = m ? inetAton(m[3]!) : undefined;
        if (!m || addr === undefined) {
          return {
            ok: false,
            message: `curl: (49) Couldn't parse CURLOPT_RESOLVE entry '${v}'\n`,
            status: 49,
          };
        }
        o.resolve.set(`${m[1]!.toLowerCase()}:${Number(m[2])}`, addr);
        o.resolveAdded.push(`${m[1]}:${m[2]}:${m[3]}`);
        return;
      }
      default: {
        const t = parseSeconds(opt, v);
        if (typeof t === "string") return usage(t);
        if (name === "max-time") o.maxTime = t;
        else o.connectTimeout = t;
        return;
      }
    }
  };
  const setFlag = (name: string) => {
    switch (name) {
      case "silent":
        o.silent = true;
        break;
      case "show-error":
        o.showError = true;
        break;
      case "include":
        o.include = true;
        break;
      case "head":
        o.head = true;
        break;
      case "verbose":
        o.verbose = true;
        break;
      case "fail":
        o.fail = true;
        break;
    }
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      if (FLAGS[a]) setFlag(FLAGS[a]);
      else if (PARAMS[a]) {
        const v = args[++i];
        if (v === undefined) return usage(`curl: option ${a}: requires parameter\n`);
        const r = setParam(PARAMS[a], a, v);
        if (r) return r;
      } else return usage(`curl: option ${a}: is unknown\n`);
      continue;
    }
    if (a.startsWith("-") && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const opt = "-" + a[j];
        if (FLAGS[opt]) {
          setFlag(FLAGS[opt]);
          continue;
        }
        if (PARAMS[opt]) {
          let v: string | undefined = a.slice(j + 1);
          if (v === "") v = args[++i];
          if (v === undefined) return usage(`curl: option ${opt}: requires parameter\n`);
          const r = setParam(PARAMS[opt], opt, v);
          if (r) return r;
          break;
        }
        if (UNSUPPORTED_SHORT.includes(a[j]!)) {
          return {
            ok: false,
            message: `curl: option ${opt}: is not supported by packetlab\n`,
            status: 2,
          };
        }
        return usage(`curl: option ${a}: is unknown\n`);
      }
      continue;
    }
    o.urls.push(a);
  }
  if (o.urls.length === 0) {
    return args.length === 0 ? usage("") : usage("curl: no URL specified!\n");
  }
  return { ok: true, o };
}

/** A URL taken apart as curl's URL parser does for http. */
interface Url {
  host: string;
  /** The address when the host is an IPv4 literal (any inet_aton form). */
  literal: Ip4 | undefined;
  port: number;
  /** Whether the port was given and is not 80 (then it is part of Host). */
  explicitPort: boolean;
  /** Path and query, "/" at least. */
  target: string;
}

type UrlResult = { ok: true; url: Url } | { ok: false; code: number; message: string };

function parseUrl(text: string): UrlResult {
  const bad = {
    ok: false as const,
    code: 3,
    message: "URL using bad/illegal format or missing URL",
  };
  let rest = text;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    const s = scheme[1]!.toLowerCase();
    if (s !== "http") {
      return {
        ok: false,
        code: 1,
        message: `Protocol "${scheme[1]}" not supported or disabled in libcurl`,
      };
    }
    rest = rest.slice(scheme[0].length);
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const slash = rest.search(/[/?]/);
  let authority = slash < 0 ? rest : rest.slice(0, slash);
  let target = slash < 0 ? "/" : rest.slice(slash);
  if (target.startsWith("?")) target = "/" + target;
  const at = authority.lastIndexOf("@");
  if (at >= 0) authority = authority.slice(at + 1);
  if (authority === "" || authority.startsWith("[")) return bad;
  const m = /^([^:]+)(?::(\d*))?$/.exec(authority);
  if (!m) return bad;
  let port = 80;
  let explicitPort = false;
  if (m[2] !== undefined && m[2] !== "") {
    port = Number(m[2]);
    if (port > 65535) return bad;
    explicitPort = port !== 80;
  }
  const hostText = m[1]!.toLowerCase();
  if (!/^[a-z0-9._-]+$/.test(hostText)) return bad;
  const literal = /^[0-9.]+$|^0x/i.test(hostText) ? inetAton(hostText) : undefined;
  const host = literal !== undefined ? formatIp4(literal) : hostText;
  if (/^[0-9.]+$/.test(hostText) && literal === undefined) return bad;
  if (/\s/.test(target)) return bad;
  return { ok: true, url: { host, literal, port, explicitPort, target } };
}

/**
 * Name resolution for curl: localhost, then gethostbyname2(AF_INET) through
 * the node's stub resolver (/etc/hosts, then DNS as /etc/resolv.conf says);
 * calls back with undefined when no source knows the name.
 */
function lookupHost(ctx: CommandContext, name: string, cb: (addr: Ip4 | undefined) => void): void {
  if (name === "localhost") return cb(0x7f000001);
  new StubResolver(ctx.node, ctx.ns).gethostbyname2(name, 4, (r) => {
    cb(typeof r === "string" ? undefined : parseIp4(r.addresses[0] ?? ""));
  });
}

/** curl's max5data(): a size in five columns with k, M, G, T, P suffixes. */
export function max5data(bytes: number): string {
  const K = 1024, M = K * K, G = M * K, T = G * K, P = T * K;
  const pad = (s: string) => s.padStart(5);
  if (bytes < 100000) return pad(String(bytes));
  if (bytes < 10000 * K) return pad(`${Math.floor(bytes / K)}k`);
  if (bytes < 100 * M) {
    return pad(`${Math.floor(bytes / M)}.${Math.floor((bytes % M) / (M / 10))}M`);
  }
  if (bytes < 10000 * M) return pad(`${Math.floor(bytes / M)}M`);
  if (bytes < 100 * G) {
    return pad(`${Math.floor(bytes / G)}.${Math.floor((bytes % G) / (G / 10))}G`);
  }
  if (bytes < 10000 * G) return pad(`${Math.floor(bytes / G)}G`);
  if (bytes < 10000 * T) return pad(`${Math.floor(bytes / T)}T`);
  return pad(`${Math.floor(bytes / P)}P`);
}

/** curl's time2str(): "--:--:--" for nothing, " H:MM:SS", or days. */
export function time2str(seconds: number): string {
  if (seconds <= 0) return "--:--:--";
  const h = Math.floor(seconds / 3600);
  if (h <= 99) {
    const m = Math.floor((seconds - h * 3600) / 60);
    const s = seconds - h * 3600 - m * 60;
    return `${String(h).padStart(2)}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
  }
  const d = Math.floor(seconds / 86400);
  const hh = Math.floor((seconds - d * 86400) / 3600);
  return d <= 999
    ? `${String(d).padStart(3)}d ${String(hh).padStart(2, "0")}h`
    : `${String(d).padStart(7)}d`;
}

const CURR_TIME = 6;

/**
 * curl's progress meter (lib/progress.c) for one transfer, in virtual time:
 * the header, then a line whenever an update falls in a new second since the
 * transfer began, and a forced last line followed by a newline.
 */
class ProgressMeter {
  #start: number;
  #lastshow = -1;
  #speeder: number[] = new Array(CURR_TIME).fill(0);
  #speederTime: number[] = new Array(CURR_TIME).fill(0);
  #speederC = 0;
  #current = 0;
  #err: (t: string) => void;
  /** Body bytes received. */
  downloaded = 0;
  /** Expected body size, when a Content-Length gave it. */
  size: number | undefined;

  constructor(start: number, err: (t: string) => void) {
    this.#start = start;
    this.#err = err;
    err(
      "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n" +
        "                                 Dload  Upload   Total   Spent    Left  Speed\n",
    );
  }

  update(now: number, force = false): void {
    if (force) this.#lastshow = -1;
    const us = Math.floor((now - this.#start) / 1000);
    const dl = this.downloaded;
    const speed = us < 1 ? dl * 1e6 : Math.floor((dl * 1e6) / us);
    const sec = Math.floor((now - this.#start) / 1e9);
    if (this.#lastshow === sec) return;
    this.#lastshow = sec;
    const nowindex = this.#speederC % CURR_TIME;
    this.#speeder[nowindex] = dl;
    this.#speederTime[nowindex] = now;
    this.#speederC++;
    const countindex = Math.min(this.#speederC, CURR_TIME) - 1;
    if (countindex) {
      const check = this.#speederC >= CURR_TIME ? this.#speederC % CURR_TIME : 0;
      const span = Math.floor((now - this.#speederTime[check]!) / 1e6) || 1;
      const amount = this.#speeder[nowindex]! - this.#speeder[check]!;
      this.#current = Math.floor((amount * 1000) / span);
    } else {
      this.#current = speed;
    }
    const known = this.size !== undefined;
    const total = known ? this.size! : dl;
    const pct = (t: number, c: number) =>
      t > 10000 ? Math.floor(c / Math.floor(t / 100)) : t > 0 ? Math.floor((c * 100) / t) : 0;
    const estSecs = known && speed > 0 ? Math.floor(total / speed) : 0;
    const dlPct = known && speed > 0 ? pct(total, dl) : 0;
    const curSecs = Math.floor(us / 1e6);
    const p3 = (n: number) => String(n).padStart(3);
    this.#err(
      `\r${p3(pct(total, dl))} ${max5data(total)}  ${p3(dlPct)} ${max5data(dl)}  ${p3(0)} ${
        max5data(0)
      }  ${max5data(speed)}  ${max5data(0)} ${time2str(estSecs)} ${time2str(curSecs)} ${
        time2str(estSecs > 0 ? estSecs - curSecs : 0)
      } ${max5data(this.#current)}`,
    );
  }

  done(now: number): void {
    this.update(now, true);
    this.#err("\n");
  }
}

/** What one transfer ended with: 0, or curl's code and message. */
interface Outcome {
  code: number;
  message: string;
}

interface Conn {
  http: HttpConnection;
  id: number;
  host: string;
  port: number;
}

/** The `curl` command. */
export function curl(ctx: CommandContext, argv: string[]): number | Process {
  const parsed = parseArgs(argv.slice(1));
  if (!parsed.ok) {
    ctx.err(parsed.message);
    return parsed.status;
  }
  const o = parsed.o;
  const sim = ctx.sim;
  const info = (t: string) => {
    if (o.verbose) ctx.err(`* ${t}\n`);
  };
  const conns: Conn[] = [];
  let nextConnId = 0;
  let finished = false;
  let status = 0;
  let urlIndex = 0;
  let stopCurrent: (() => void) | undefined;
  const decoder = new TextDecoder();
  const output = (bytes: Uint8Array) => {
    if (o.output !== undefined) {
      const old = ctx.node.files.get(o.output);
      const prev = typeof old === "function" ? old() : old ?? new Uint8Array();
      const both = new Uint8Array(prev.length + bytes.length);
      both.set(prev);
      both.set(bytes, prev.length);
      ctx.node.files.set(o.output, both);
    } else {
      ctx.out(decoder.decode(bytes, { stream: true }));
    }
  };
  if (o.output !== undefined) ctx.node.files.set(o.output, new Uint8Array());
  for (const r of o.resolveAdded) info(`Added ${r} to DNS cache`);
  /** curl's DNS cache: --resolve entries and names looked up by this run, by host:port. */
  const dnsCache = new Map(o.resolve);

  const finishAll = () => {
    finished = true;
    // curl_easy_cleanup: kept-alive connections are closed as curl exits.
    for (const c of conns) c.http.close();
    if (o.output === undefined) ctx.out(decoder.decode());
  };

  const nextUrl = () => {
    if (urlIndex >= o.urls.length) {
      finishAll();
      return;
    }
    const text = o.urls[urlIndex++]!;
    transfer(text, (r) => {
      status = r.code;
      if (r.code !== 0 && (!o.silent || o.showError)) ctx.err(`curl: (${r.code}) ${r.message}\n`);
      nextUrl();
    });
  };

  const transfer = (text: string, done: (r: Outcome) => void) => {
    const u = parseUrl(text);
    if (!u.ok) {
      // Refused before any transfer begins: no meter, no connection.
      if (u.code !== 3) info(u.message);
      info("Closing connection -1");
      done({ code: u.code, message: u.message });
      return;
    }
    const url = u.url;
    const start = sim.now;
    let meter: ProgressMeter | undefined;
    const startMeter = () => {
      if (o.silent) return;
      meter = new ProgressMeter(start, (t) => ctx.err(t));
      meter.update(sim.now);
    };
    const elapsedMs = () => Math.floor((sim.now - start) / 1e6);
    let conn: Conn | undefined;
    let ended = false;
    let phase: "resolve" | "connect" | "transfer" = "resolve";
    let received = 0;
    let size: number | undefined;
    const timers: Array<{ cancel(): void }> = [];
    /** End the transfer: the info line, the meter's last line, then the connection's fate. */
    const end = (r: Outcome, keep: boolean, o2: { meter?: boolean } = {}) => {
      if (ended) return;
      ended = true;
      for (const t of timers) t.cancel();
      stopCurrent = undefined;
      if (r.code !== 0) info(r.message);
      if (o2.meter !== false) meter?.done(sim.now);
      if (conn && keep && conn.http.state === "open") {
        info(`Connection #${conn.id} to host ${conn.host} left intact`);
      } else if (conn) {
        info(`Closing connection ${conn.id}`);
        conn.http.close();
        const i = conns.indexOf(conn);
        if (i >= 0) conns.splice(i, 1);
      } else {
        info(`Closing connection ${nextConnId++}`);
      }
      done(r);
    };
    stopCurrent = () => end({ code: 130, message: "" }, false);
    if (o.maxTime !== undefined) {
      timers.push(sim.after(o.maxTime, () => {
        const ms = elapsedMs();
        if (phase === "resolve") {
          end({ code: 28, message: `Resolving timed out after ${ms} milliseconds` }, false);
        } else if (phase === "connect") {
          end({ code: 28, message: `Connection timed out after ${ms} milliseconds` }, false);
        } else {
          const of = size !== undefined ? ` out of ${size}` : "";
          end({
            code: 28,
            message:
              `Operation timed out after ${ms} milliseconds with ${received}${of} bytes received`,
          }, false);
        }
      }));
    }

    const sendRequest = (c: Conn) => {
      phase = "transfer";
      const req = buildRequest(url, o);
      if (o.verbose) {
        const head = new TextDecoder().decode(encodeHead(req));
        for (const line of head.split("\r\n").slice(0, -1)) ctx.err(`> ${line}\r\n`);
      }
      let dataShown = false;
      c.http.request(req, {
        onHead: (h) => {
          if (ended) return;
          const status = (h.message as { status: number }).status;
          if (o.verbose) {
            const lines = h.rawLines;
            for (let i = 0; i < lines.length - 1; i++) ctx.err(`< ${lines[i]}`);
            if (h.framing === "close" && status >= 200) {
              info("no chunk, no close, no size. Assume close to signal end");
            }
            ctx.err(`< ${lines[lines.length - 1]}`);
          }
          if (status < 200) return;
          size = h.contentLength;
          if (meter) meter.size = size;
          if (o.fail && status >= 400) {
            end({ code: 22, message: `The requested URL returned error: ${status}` }, false);
            return;
          }
          if (o.include || o.head) output(utf8(h.rawLines.join("")));
        },
        onBody: (wire, data) => {
          if (ended) return;
          if (o.verbose && !dataShown) {
            dataShown = true;
            ctx.err(`{ [${wire} bytes data]\n`);
          }
          received += data.length;
          if (meter) {
            meter.downloaded = received;
            meter.update(sim.now);
          }
          if (data.length > 0) output(data);
        },
        onResponse: () => end({ code: 0, message: "" }, true),
        onError: (e) => end(transferError(e), false),
      });
    };

    // A kept-alive connection to the same host and port is used again.
    const reuse = conns.find((c) => c.host === url.host && c.port === url.port && c.http.idle);
    if (reuse) {
      info(`Found bundle for host: ${bundleAddress(reuse.id)} [serially]`);
      info("Can not multiplex, even if we wanted to");
      info(`Re-using existing connection #${reuse.id} with host ${url.host}`);
      conn = reuse;
      startMeter();
      sendRequest(reuse);
      return;
    }

    const connect = (dst: Ip4) => {
      phase = "connect";
      info(`  Trying ${formatIp4(dst)}:${url.port}...`);
      const http = new HttpConnection(ctx.ns, dst, url.port);
      const c: Conn = { http, id: nextConnId++, host: url.host, port: url.port };
      conn = c;
      conns.push(c);
      const ct = o.connectTimeout;
      if (ct !== undefined) {
        timers.push(sim.after(Math.max(0, start + ct - sim.now), () => {
          if (phase !== "connect") return;
          info(`ipv4 connect timeout after ${Math.round(ct / 1e6)}ms, move on!`);
          end({
            code: 28,
            message: `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: ` +
              "Timeout was reached",
          }, false);
        }));
      }
      http.onConnect = () => {
        if (ended) return;
        info(`Connected to ${url.host} (${formatIp4(dst)}) port ${url.port} (#${c.id})`);
        meter?.update(sim.now);
        sendRequest(c);
      };
      http.onError = (e) => {
        if (ended || phase !== "connect" || e.kind !== "connect") return;
        const errno = e.errno ?? "ECONNREFUSED";
        info(
          e.immediate
            ? `Immediate connect fail for ${formatIp4(dst)}: ${errnoText(errno)}`
            : `connect to ${formatIp4(dst)} port ${url.port} failed: ${errnoText(errno)}`,
        );
        end({
          code: 7,
          message: `Failed to connect to ${url.host} port ${url.port} after ${elapsedMs()} ms: ` +
            "Couldn't connect to server",
        }, false);
      };
    };

    // Names: an address literal, curl's DNS cache (--resolve, earlier lookups), then getaddrinfo().
    if (url.literal !== undefined) {
      startMeter();
      connect(url.literal);
      return;
    }
    const cached = dnsCache.get(`${url.host}:${url.port}`);
    if (cached !== undefined) {
      info(`Hostname ${url.host} was found in DNS cache`);
      startMeter();
      connect(cached);
      return;
    }
    startMeter();
    lookupHost(ctx, url.host, (addr) => {
      if (ended) return;
      if (addr === undefined) {
        // curl reports the failure before the meter's last line, which never comes.
        end({ code: 6, message: `Could not resolve host: ${url.host}` }, false, { meter: false });
        return;
      }
      dnsCache.set(`${url.host}:${url.port}`, addr);
      connect(addr);
    });
    if (o.connectTimeout !== undefined && !ended && phase === "resolve") {
      const ct = o.connectTimeout;
      timers.push(sim.after(ct, () => {
        if (phase === "resolve") {
          end(
            { code: 28, message: `Resolving timed out after ${elapsedMs()} milliseconds` },
            false,
          );
        }
      }));
    }
  };

  nextUrl();
  return {
    done: () => finished,
    status: () => status,
    stop: () => {
      if (finished) return;
      stopCurrent?.();
      finished = true;
      status = 130;
      for (const c of conns) c.http.close();
    },
  };
}

/** A stand-in for the heap address curl prints for a connection bundle (fixed per connection). */
function bundleAddress(id: number): string {
  return `0x${(0x55d0c0a0b000 + id * 0x1c0).toString(16)}`;
}

function errnoText(e: TcpError): string {
  switch (e) {
    case "ECONNREFUSED":
      return "Connection refused";
    case "ECONNRESET":
      return "Connection reset by peer";
    case "ETIMEDOUT":
      return "Connection timed out";
    case "EPIPE":
      return "Broken pipe";
    case "ENOPROTOOPT":
      return "Protocol not available";
    default:
      return ERRNO_TEXT[e];
  }
}

/** curl's code and message for a failed exchange on an open connection. */
function transferError(e: HttpClientError): Outcome {
  switch (e.kind) {
    case "empty":
      return { code: 52, message: "Empty reply from server" };
    case "partial":
      return e.remaining !== undefined
        ? { code: 18, message: `transfer closed with ${e.remaining} bytes remaining to read` }
        : { code: 18, message: "transfer closed with outstanding read data remaining" };
    case "reset":
      return { code: 56, message: `Recv failure: ${errnoText(e.errno ?? "ECONNRESET")}` };
    case "parse":
      if (e.parse?.kind === "http09") {
        return { code: 1, message: "Received HTTP/0.9 when not allowed" };
      }
      if (e.parse?.kind === "chunk") return { code: 56, message: e.parse.message };
      return { code: 8, message: "Weird server reply" };
    default:
      return { code: 56, message: "Recv failure: Connection reset by peer" };
  }
}

/** The request curl sends for `url`: Host, User-Agent, Accept, then -H fields (which replace or remove). */
function buildRequest(url: Url, o: Options): HttpRequest {
  const headers: HttpField[] = [
    { name: "Host", value: url.explicitPort ? `${url.host}:${url.port}` : url.host },
    { name: "User-Agent", value: o.userAgent },
    { name: "Accept", value: "*/*" },
  ];
  for (const h of o.headers) {
    const semi = /^([^:;]+);$/.exec(h);
    const m = /^([^:]+):\s*(.*)$/.exec(h);
    if (semi) {
      headers.push({ name: semi[1]!, value: "" });
      continue;
    }
    if (!m) continue;
    const name = m[1]!.trim();
    const value = m[2]!.trim();
    const at = headers.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (value === "") {
      if (at >= 0) headers.splice(at, 1);
    } else if (at >= 0 && at < 3) headers[at] = { name, value };
    else headers.push({ name, value });
  }
  return {
    method: o.head ? "HEAD" : "GET",
    target: url.target,
    version: "HTTP/1.1",
    headers,
    body: new Uint8Array(),
  };
}

function encodeHead(r: HttpRequest): Uint8Array {
  let s = `${r.method} ${r.target} ${r.version}\r\n`;
  for (const f of r.headers) s += `${f.name}: ${f.value}\r\n`;
  return utf8(s + "\r\n");
}
