/**
 * `ping` as iputils 20221126 runs it as root: echo requests carrying a send
 * timestamp (the first 16 payload bytes, a struct timeval in virtual time) and
 * iputils' fill pattern, replies matched by identifier and sequence, RTT taken
 * from the echoed timestamp, ICMP errors reported as "From X icmp_seq=N …",
 * and the statistics block.
 *
 * The main loop follows iputils': a request every interval until `-c` are sent
 * (with `-w`, until the deadline); after the last one, wait `-W` seconds (10 by
 * default) when nothing was received yet, else twice the longest RTT but at
 * least one interval; stop early once every request is answered (replies plus
 * errors). The summary's `time` runs from the start to the last transmission;
 * `pipe N` reports the most requests outstanding at once (iputils'
 * pipesize) when above 1; the exit status is 0 with a reply, else 1 (2 for
 * errors before the first request).
 *
 * Options: -4 -b -c -i -I -M do|dont|want -n -q -s -t -W -w -h -V; -v, -U,
 * -a, -d, -L and -B are accepted and change nothing here. Addresses are taken
 * in inet_aton() form ("10.1", "0x0a000002"); the only name known is
 * localhost (there is no DNS).
 *
 * @module
 */
import { formatIp4 } from "../wire/addr.ts";
import type { Interface } from "../net/interface.ts";
import type { IcmpError } from "../ip/ipv4.ts";
import { ERRNO_TEXT } from "../ip/ipv4.ts";
import type { CommandContext, Process } from "./context.ts";
import type { EchoReply } from "../transport/ping_socket.ts";
import { getopt, getoptMessage } from "./getopt.ts";
import { formatG, inetAton, resolveHost, reverseName } from "./format.ts";

/** iputils 20221126's usage text (printed to stderr, exit 2). */
export const PING_USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -a                 use audible ping
  -A                 use adaptive ping
  -B                 sticky source address
  -c <count>         stop after <count> replies
  -C                 call connect() syscall on socket creation
  -D                 print timestamps
  -d                 use SO_DEBUG socket option
  -e <identifier>    define identifier for ping session, default is random for
                     SOCK_RAW and kernel defined for SOCK_DGRAM
                     Imply using SOCK_RAW (for IPv4 only for identifier 0)
  -f                 flood ping
  -h                 print help and exit
  -I <interface>     either interface name or address
  -i <interval>      seconds between sending each packet
  -L                 suppress loopback of multicast packets
  -l <preload>       send <preload> number of packages while waiting replies
  -m <mark>          tag the packets going out
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -O                 report outstanding replies
  -p <pattern>       contents of padding byte
  -q                 quiet output
  -Q <tclass>        use quality of service <tclass> bits
  -s <size>          use <size> as number of data bytes to be sent
  -S <size>          use <size> as SO_SNDBUF socket option value
  -t <ttl>           define time to live
  -U                 print user-to-user latency
  -v                 verbose output
  -V                 print version and exit
  -w <deadline>      reply wait <deadline> in seconds
  -W <timeout>       time to wait for response

IPv4 options:
  -4                 use IPv4
  -b                 allow pinging broadcast
  -R                 record route
  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>

IPv6 options:
  -6                 use IPv6
  -F <flowlabel>     define flow label, default is random
  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument

For more details see ping(8).
`;

const VERSION = "ping from iputils 20221126\n" +
  "libcap: yes, IDN: yes, NLS: no, error.h: yes, getrandom(): yes, __fpending(): yes\n";

const OPTSTRING = "h?4bRT:6F:N:aABCc:dDe:fi:I:l:Lm:M:nOp:qQ:rs:S:t:UvVw:W:";

const UNREACHABLE: Record<number, string> = {
  0: "Destination Net Unreachable",
  1: "Destination Host Unreachable",
  2: "Destination Protocol Unreachable",
  3: "Destination Port Unreachable",
  5: "Source Route Failed",
  6: "Destination Net Unknown",
  7: "Destination Host Unknown",
  8: "Source Host Isolated",
  9: "Destination Net Prohibited",
  10: "Destination Host Prohibited",
  11: "Destination Net Unreachable for Type of Service",
  12: "Destination Host Unreachable for Type of Service",
  13: "Packet filtered",
  14: "Precedence Violation",
  15: "Precedence Cutoff",
};

/** The text iputils prints for an ICMP error (pr_icmph). */
export function icmpErrorText(e: { type: number; code: number; rest: number }): string {
  if (e.type === 3) {
    if (e.code === 4) return `Frag needed and DF set (mtu = ${e.rest & 0xffff})`;
    return UNREACHABLE[e.code] ?? `Dest Unreachable, Bad Code: ${e.code}`;
  }
  if (e.type === 11) {
    if (e.code === 0) return "Time to live exceeded";
    if (e.code === 1) return "Frag reassembly time exceeded";
    return `Time exceeded, Bad Code: ${e.code}`;
  }
  if (e.type === 5) {
    const kind = ["Redirect Network", "Redirect Host", "Redirect Type of Service and Network"][
      e.code
    ] ?? (e.code === 3 ? "Redirect Type of Service and Host" : `Redirect, Bad Code: ${e.code}`);
    return `${kind}(New nexthop: ${formatIp4(e.rest >>> 0)})`;
  }
  if (e.type === 12) return `Parameter problem: pointer = ${(e.rest >>> 24) & 0xff}`;
  return `Bad ICMP type: ${e.type}`;
}

/** iputils' per-reply RTT (microseconds in): 3 decimals below 1 ms, fewer above, rounded. */
export function formatRtt(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5) {
    return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  }
  if (us >= 1000) {
    return `${Math.floor((us + 5) / 1000)}.${
      String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, "0")
    }`;
  }
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;
}

function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;
}

/** Integer square root by Newton's method, as iputils' llsqrt. */
function isqrt(a: bigint): bigint {
  if (a <= 0n) return 0n;
  let prev = a + 1n;
  let x = a;
  while (x < prev) {
    prev = x;
    x = (x + a / x) / 2n;
  }
  return x;
}

/** strtol_or_err: an integer in [min, max], else iputils' message. */
function intArg(text: string, min: number, max: number): number | string {
  const m = /^\s*[-+]?\d+$/.exec(text);
  if (!m) return `ping: invalid argument: '${text}'\n`;
  const n = Number(text);
  if (n < min || n > max) {
    return `ping: invalid argument: '${text}': out of range: ${min} <= value <= ${
      max === Number.MAX_SAFE_INTEGER ? "9223372036854775807" : max
    }\n`;
  }
  return n;
}

/** strtod-style number (for -i and -W); undefined when not a number. */
function floatArg(text: string): number | undefined {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined;
}

const IGNORED = "4aBdLUvn";
const UNSUPPORTED = "6ADfFlNOpRTQSmeC";

/** The `ping` command. */
export function ping(ctx: CommandContext, argv: string[]): number | Process {
  const g = getopt(argv.slice(1), OPTSTRING);
  if (!g.ok) {
    ctx.err(getoptMessage("ping", g) + PING_USAGE);
    return 2;
  }
  let npackets = 0;
  let interval = 1000; // ms
  let datalen = 56;
  let ttl: number | undefined;
  let lingertime = 10000; // ms
  let deadline = 0; // s
  let pmtudisc: "do" | "dont" | "want" | undefined;
  let device: string | undefined;
  let sourceArg: number | undefined;
  let quiet = false;
  let broadcastOk = false;
  for (const [ch, v] of g.opts) {
    const val = v ?? "";
    switch (ch) {
      case "h":
      case "?":
        ctx.err(PING_USAGE);
        return 2;
      case "V":
        ctx.out(VERSION);
        return 0;
      case "c": {
        const n = intArg(val, 1, Number.MAX_SAFE_INTEGER);
        if (typeof n === "string") return fail(ctx, n, 1);
        npackets = n;
        break;
      }
      case "s": {
        const n = intArg(val, 0, 2147483647);
        if (typeof n === "string") return fail(ctx, n, 1);
        datalen = n;
        break;
      }
      case "t": {
        const n = intArg(val, 0, 255);
        if (typeof n === "string") return fail(ctx, n, 1);
        ttl = n;
        break;
      }
      case "w": {
        const n = intArg(val, 0, 2147483647);
        if (typeof n === "string") return fail(ctx, n, 1);
        deadline = n;
        break;
      }
      case "i": {
        const n = floatArg(val);
        if (n === undefined || n < 0 || n > 2147483) {
          return fail(ctx, `ping: bad timing interval: ${val}\n`, 2);
        }
        interval = Math.floor(n * 1000);
        break;
      }
      case "W": {
        const n = floatArg(val);
        if (n === undefined) {
          ctx.err(
            `ping: option argument contains garbage: ${val}\n` +
              "ping: this will become fatal error in the future\n",
          );
          break;
        }
        if (n < 0.001 || n > 2147483) return fail(ctx, `ping: bad linger time: ${val}\n`, 2);
        lingertime = Math.floor(n * 1000);
        break;
      }
      case "M":
        if (val !== "do" && val !== "dont" && val !== "want") {
          return fail(ctx, `ping: invalid -M argument: ${val}\n`, 2);
        }
        pmtudisc = val;
        break;
      case "I": {
        const a = inetAton(val);
        if (a !== undefined && /^[\d.]+$/.test(val)) sourceArg = a;
        else device = val;
        break;
      }
      case "q":
        quiet = true;
        break;
      case "b":
        broadcastOk = true;
        break;
      default:
        if (IGNORED.includes(ch)) break;
        if (UNSUPPORTED.includes(ch)) {
          return fail(ctx, `ping: option -${ch} is not supported by packetlab\n`, 2);
        }
    }
  }
  const targets = g.operands;
  if (targets.length === 0) {
    return fail(ctx, "ping: usage error: Destination address required\n", 1);
  }
  const target = targets[targets.length - 1]!;
  const resolved = resolveHost(target);
  if (!resolved) return fail(ctx, `ping: ${target}: Name or service not known\n`, 2);
  if (targets.length > 1) {
    // Several hosts make iputils ask for loose source routing, which Linux refuses.
    for (const t of targets) {
      if (!resolveHost(t)) return fail(ctx, `ping: ${t}: Name or service not known\n`, 2);
    }
    return fail(ctx, "ping: record route: Operation not permitted\n", 2);
  }
  const numeric = resolved.name === undefined;
  const ns = ctx.ns;
  let oif: Interface | undefined;
  if (device !== undefined) {
    oif = ns.dev.get(device);
    if (!oif) return fail(ctx, `ping: SO_BINDTODEVICE ${device}: No such device\n`, 2);
  }
  if (sourceArg !== undefined && !ns.ip.isLocal(sourceArg)) {
    return fail(ctx, "ping: bind: Cannot assign requested address\n", 2);
  }
  // connect() of a probe socket: the route decides the source, or fails.
  let dst = resolved.addr;
  let source = sourceArg ?? 0;
  let warnBroadcast = false;
  if (dst === 0) {
    // Linux routes 0.0.0.0 to the host itself, from 127.0.0.1 unless bound.
    source ||= 0x7f000001;
  } else {
    const route = ns.ip.route(dst, { oif, src: sourceArg });
    if (typeof route === "string" || route.type === "broadcast") {
      const errno = typeof route === "string" ? route : "EACCES";
      if (errno === "EACCES") {
        if (!broadcastOk) {
          return fail(
            ctx,
            "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
            2,
          );
        }
        if (typeof route === "string") {
          ctx.err("WARNING: pinging broadcast address\n");
          return fail(ctx, `ping: connect: ${ERRNO_TEXT[errno]}\n`, 2);
        }
        warnBroadcast = true;
      } else {
        return fail(ctx, `ping: connect: ${ERRNO_TEXT[errno]}\n`, 2);
      }
    }
    if (typeof route !== "string") source ||= route.src;
  }
  if (dst === 0) dst = source;
  if (warnBroadcast) ctx.err("WARNING: pinging broadcast address\n");
  if (ttl === 0) return fail(ctx, "ping: cannot set unicast time-to-live: Invalid argument\n", 2);
  if (broadcastOk && pmtudisc === undefined) pmtudisc = "do";
  const pmtu = pmtudisc ?? (ns.dev.sysctl.num("net.ipv4.ip_no_pmtu_disc") === 0 ? "want" : "dont");
  const timing = datalen >= 16;

  const from = (a: number) => {
    const text = formatIp4(a);
    if (numeric) return text;
    return `${reverseName(a) ?? text} (${text})`;
  };
  const sim = ctx.sim;
  const sock = ns.ping.open();
  const strict = sourceArg !== undefined || device !== undefined;
  ctx.out(
    `PING ${target} (${formatIp4(dst)}) ${
      strict ? `from ${formatIp4(source)} ${device ?? ""}: ` : ""
    }${datalen}(${datalen + 28}) bytes of data.\n`,
  );

  const start = sim.now;
  let lastSend = start;
  let ntransmitted = 0;
  let nreceived = 0;
  let nerrors = 0;
  let nrepeats = 0;
  let pipesize = 0;
  let acked = 0;
  let tmin = Infinity;
  let tmax = 0;
  let tsum = 0n;
  let tsum2 = 0n;
  const rcvd = new Set<number>();
  let finished = false;
  let status = 1;
  let sendTimer: { cancel(): void } | undefined;
  let exitTimer: { cancel(): void } | undefined;
  let deadlineTimer: { cancel(): void } | undefined;

  /** iputils' acknowledge(): track the widest window of unanswered requests. */
  const acknowledge = (seq: number) => {
    const diff = (ntransmitted - seq) & 0xffff;
    if (diff <= 0x7fff) {
      if (diff + 1 > pipesize) pipesize = diff + 1;
      if (((seq - acked) << 16 >> 16) > 0 || ((ntransmitted - acked) & 0xffff) > 0x7fff) {
        acked = seq;
      }
    }
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    sendTimer?.cancel();
    exitTimer?.cancel();
    deadlineTimer?.cancel();
    sock.close();
    const elapsed = Math.floor((lastSend - start + 500000) / 1e6);
    let line = `${ntransmitted} packets transmitted, ${nreceived} received`;
    if (nrepeats) line += `, +${nrepeats} duplicates`;
    if (nerrors) line += `, +${nerrors} errors`;
    if (ntransmitted) {
      const loss = ((ntransmitted - nreceived) * 100) / ntransmitted;
      line += `, ${formatG(Math.fround(loss))}% packet loss, time ${elapsed}ms`;
    }
    let tail = "";
    let comma = "";
    if (nreceived && timing) {
      const total = BigInt(nreceived + nrepeats);
      const tmavg = tsum / total;
      const tmvar = tsum < 2147483647n
        ? (tsum2 - (tsum * tsum) / total) / total
        : tsum2 / total - tmavg * tmavg;
      const mdev = Number(isqrt(tmvar));
      tail += `rtt min/avg/max/mdev = ${ms3(tmin)}/${ms3(Number(tmavg))}/${ms3(tmax)}/${
        ms3(mdev)
      } ms`;
      comma = ", ";
    }
    if (pipesize > 1) tail += `${comma}pipe ${pipesize}`;
    ctx.out(`\n--- ${target} ping statistics ---\n${line}\n${tail}\n`);
    status = !nreceived || (deadline && nreceived < npackets) ? 1 : 0;
  };

  const checkExit = () => {
    if (finished) return;
    if (npackets && nreceived + nerrors >= npackets) finish();
    else if (deadline && nerrors) finish();
  };

  const sendOne = () => {
    if (finished) return;
    const seq = (ntransmitted + 1) & 0xffff;
    const payload = new Uint8Array(datalen);
    for (let k = 0; k < datalen; k++) payload[k] = k & 0xff;
    if (timing) {
      const now = sim.now;
      const dv = new DataView(payload.buffer);
      dv.setUint32(0, Math.floor(now / 1e9) >>> 0, true);
      dv.setUint32(4, 0, true);
      dv.setUint32(8, Math.floor((now % 1e9) / 1e3), true);
      dv.setUint32(12, 0, true);
    }
    lastSend = sim.now;
    ntransmitted++;
    const errorsBefore = nerrors;
    if (datalen + 8 <= 0xffff) {
      if (datalen + 28 > 0xffff) {
        nerrors++;
        if (!quiet) ctx.err(`ping: local error: message too long, mtu=${mtuTowards()}\n`);
      } else {
        const err = sock.send(dst, seq, payload, {
          ttl,
          df: pmtu !== "dont",
          dontFragment: pmtu === "do",
          oif,
          src: source || undefined,
        });
        if (err === "EMSGSIZE") {
          nerrors++;
          if (!quiet) ctx.err(`ping: local error: message too long, mtu=${mtuTowards()}\n`);
        }
        // Any other local failure (a netfilter drop's EPERM, a route gone):
        // iputils 20221126 looks in the error queue, finds nothing there and
        // prints nothing — the request just counts as sent and unanswered.
      }
    }
    const more = deadline > 0 || npackets === 0 || ntransmitted < npackets;
    if (more) sendTimer = sim.after(interval * 1e6, sendOne);
    else if (exitTimer === undefined) {
      // iputils' schedule_exit: armed once, when the last request has gone.
      const wait = nreceived ? Math.max(2 * tmax, 1000 * interval) * 1e3 : lingertime * 1e6;
      exitTimer = sim.after(wait, finish);
    }
    // After a local error iputils sleeps a whole interval (or until something
    // arrives) before it looks at its exit conditions again.
    if (nerrors > errorsBefore) sim.after(interval * 1e6, checkExit);
    else checkExit();
  };
  const mtuTowards = () => {
    const r = ns.ip.route(dst, { oif, src: source || undefined });
    return typeof r === "string" ? 0 : r.mtu;
  };

  sock.onReply = (r: EchoReply) => {
    if (finished) return;
    nreceived++;
    acknowledge(r.seq);
    let triptime = 0;
    if (timing && r.data instanceof Uint8Array && r.data.length >= 16) {
      const dv = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      const sentUs = dv.getUint32(0, true) * 1e6 + dv.getUint32(8, true);
      triptime = Math.floor(sim.now / 1e3) - sentUs;
      tsum += BigInt(triptime);
      tsum2 += BigInt(triptime) * BigInt(triptime);
      if (triptime < tmin) tmin = triptime;
      if (triptime > tmax) tmax = triptime;
    }
    let dup = false;
    if (rcvd.has(r.seq)) {
      nrepeats++;
      nreceived--;
      dup = true;
    } else rcvd.add(r.seq);
    if (!quiet) {
      let line = `${r.bytes} bytes from ${from(r.from)}: icmp_seq=${r.seq} ttl=${r.ttl}`;
      if (r.bytes < datalen + 8) line += " (truncated)";
      else {
        if (timing) line += ` time=${formatRtt(triptime)} ms`;
        if (dup) line += " (DUP!)";
      }
      ctx.out(line + "\n");
    }
    checkExit();
  };
  sock.onError = (e: IcmpError) => {
    if (finished || e.quoted.ip.dst !== dst) return;
    const seq = e.quoted.echoSeq ?? 0;
    if (e.type === 5) {
      // Redirects are not errors: reported from the raw socket, colon after the address.
      if (!quiet) ctx.out(`From ${from(e.from)}: icmp_seq=${seq} ${icmpErrorText(e)}\n`);
      return;
    }
    acknowledge(seq);
    nerrors++;
    if (!quiet) ctx.out(`From ${from(e.from)} icmp_seq=${seq} ${icmpErrorText(e)}\n`);
    checkExit();
  };
  if (deadline) deadlineTimer = sim.after(deadline * 1e9, finish);
  sendOne();
  return {
    done: () => finished,
    status: () => status,
    stop: finish,
  };
}

function fail(ctx: CommandContext, msg: string, code: number): number {
  ctx.err(msg);
  return code;
}
