/**
 * `ping` as iputils prints it: echo requests carrying a send timestamp (the
 * first 16 payload bytes, a struct timeval in virtual time) and iputils' fill
 * pattern, replies matched by identifier and sequence, RTT taken from the
 * echoed timestamp, ICMP errors reported as "From X icmp_seq=N …", and the
 * statistics block. Options: -c -i -s -t -W -w -M do|dont|want -I -q -n.
 *
 * @module
 */
import { formatIp4, parseIp4 } from "../wire/addr.ts";
import { parseArgs } from "node:util";
import type { IcmpError } from "../ip/ipv4.ts";
import { ERRNO_TEXT } from "../ip/ipv4.ts";
import type { CommandContext, Process } from "./context.ts";
import type { EchoReply } from "../transport/ping_socket.ts";

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -I <interface>     either interface name or address
  -M <pmtud opt>     define path MTU discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -W <timeout>       time to wait for response
  -w <deadline>      reply wait <deadline> in seconds
`;

const UNREACHABLE: Record<number, string> = {
  0: "Destination Net Unreachable",
  1: "Destination Host Unreachable",
  2: "Destination Protocol Unreachable",
  3: "Destination Port Unreachable",
  9: "Packet filtered",
  10: "Packet filtered",
  13: "Packet filtered",
};

/** The text iputils prints for an ICMP error. */
export function icmpErrorText(e: { type: number; code: number; rest: number }): string {
  if (e.type === 3) {
    if (e.code === 4) return `Frag needed and DF set (mtu = ${e.rest & 0xffff})`;
    return UNREACHABLE[e.code] ?? `Dest Unreachable, Bad Code: ${e.code}`;
  }
  if (e.type === 11) {
    return e.code === 0 ? "Time to live exceeded" : "Frag reassembly time exceeded";
  }
  if (e.type === 5) return `Redirect Host(New nexthop: ${formatIp4(e.rest >>> 0)})`;
  return `Bad ICMP type: ${e.type}`;
}

/** iputils' RTT format: 3 significant decimals below 1 ms, fewer above. */
export function formatRtt(ns: number): string {
  const us = Math.floor(ns / 1000);
  if (us >= 100000) return `${Math.floor(us / 1000)}`;
  if (us >= 10000) return `${Math.floor(us / 1000)}.${Math.floor((us % 1000) / 100)}`;
  if (us >= 1000) {
    return `${Math.floor(us / 1000)}.${String(Math.floor((us % 1000) / 10)).padStart(2, "0")}`;
  }
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, "0")}`;
}

function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, "0")}`;
}

function bad(ctx: CommandContext, msg: string): number {
  ctx.err(msg);
  return 2;
}

/** The `ping` command. */
export function ping(ctx: CommandContext, argv: string[]): number | Process {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      allowPositionals: true,
      options: {
        c: { type: "string" },
        i: { type: "string" },
        s: { type: "string" },
        t: { type: "string" },
        W: { type: "string" },
        w: { type: "string" },
        M: { type: "string" },
        I: { type: "string" },
        q: { type: "boolean" },
        n: { type: "boolean" },
        b: { type: "boolean" },
      },
    });
  } catch (e) {
    const m = /'(-\w)'/.exec(String(e));
    ctx.err(`ping: invalid option -- '${(m?.[1] ?? "?").slice(1)}'\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  const target = parsed.positionals[0];
  if (target === undefined) {
    ctx.err(`ping: usage error: Destination address required\n`);
    return 1;
  }
  const num = (text: string | undefined, name: string, min: number, max: number, dflt: number) => {
    if (text === undefined) return dflt;
    if (!/^\d+(\.\d+)?$/.test(text)) return `ping: invalid argument: '${text}'\n`;
    const n = Number(text);
    if (n < min || n > max) {
      return `ping: invalid argument: '${text}': out of range: ${min} <= value <= ${max}\n`;
    }
    void name;
    return n;
  };
  const count = num(v.c, "count", 1, 9223372036854775807, Infinity);
  const size = num(v.s, "size", 0, 65507, 56);
  const ttl = num(v.t, "ttl", 0, 255, 64);
  const timeout = num(v.W, "timeout", 0, 2147483, 10);
  const deadline = num(v.w, "deadline", 0, 2147483, Infinity);
  const interval = num(v.i, "interval", 0, 2147483, 1);
  for (const x of [count, size, ttl, timeout, deadline, interval]) {
    if (typeof x === "string") return bad(ctx, x);
  }
  if (v.t !== undefined && ttl === 0) {
    return bad(ctx, "ping: invalid argument: '0': out of range: 1 <= value <= 255\n");
  }
  const dst = parseIp4(target);
  if (dst === undefined) {
    ctx.err(
      `ping: ${target}: ${
        /^[\d.]+$/.test(target) ? "Name or service not known" : "Name or service not known"
      }\n`,
    );
    return 2;
  }
  const pmtu = v.M ?? "want";
  if (!["do", "dont", "want", "probe"].includes(pmtu)) {
    ctx.err(`ping: invalid -M argument: ${pmtu}\n`);
    return 2;
  }
  const ns = ctx.ns;
  let oif = undefined;
  if (v.I !== undefined) {
    oif = ns.dev.get(v.I);
    if (!oif && parseIp4(v.I) === undefined) {
      ctx.err(`ping: SO_BINDTODEVICE ${v.I}: No such device\n`);
      return 2;
    }
  }
  const src = v.I !== undefined && !oif ? parseIp4(v.I) : undefined;
  // connect(): resolve the route first, as iputils does to learn its source.
  const route = ns.ip.route(dst, { oif, src });
  if (typeof route === "string") {
    ctx.err(`ping: connect: ${ERRNO_TEXT[route]}\n`);
    return 2;
  }
  if (route.type === "broadcast" && !v.b) {
    ctx.err(
      `ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n`,
    );
    return 2;
  }
  const datalen = size as number;
  const sim = ctx.sim;
  const sock = ns.ping.open();
  const quiet = v.q === true;
  ctx.out(`PING ${target} (${formatIp4(dst)}) ${datalen}(${datalen + 28}) bytes of data.\n`);
  const start = sim.now;
  const sent = new Map<number, number>();
  let transmitted = 0;
  let received = 0;
  let errors = 0;
  let dups = 0;
  const seen = new Set<number>();
  const rtts: number[] = [];
  let finished = false;
  let lastSend = start;
  let timer: { cancel(): void } | undefined;
  let deadlineTimer: { cancel(): void } | undefined;
  let lingerTimer: { cancel(): void } | undefined;
  const maxCount = count as number;

  const payload = (seq: number): Uint8Array => {
    const d = new Uint8Array(datalen);
    for (let k = 16; k < datalen; k++) d[k] = k & 0xff;
    if (datalen >= 16) {
      const now = sim.now;
      const sec = Math.floor(now / 1e9);
      const usec = Math.floor((now % 1e9) / 1e3);
      const dv = new DataView(d.buffer);
      dv.setUint32(0, sec >>> 0, true);
      dv.setUint32(8, usec, true);
    }
    void seq;
    return d;
  };

  const finish = () => {
    if (finished) return;
    finished = true;
    timer?.cancel();
    deadlineTimer?.cancel();
    lingerTimer?.cancel();
    sock.close();
    const elapsed = Math.floor((sim.now - start) / 1e6);
    const loss = transmitted === 0 ? 0 : Math.floor(((transmitted - received) * 100) / transmitted);
    let line = `${transmitted} packets transmitted, ${received} received`;
    if (dups) line += `, +${dups} duplicates`;
    if (errors) line += `, +${errors} errors`;
    line += `, ${loss}% packet loss, time ${elapsed}ms`;
    ctx.out(`\n--- ${target} ping statistics ---\n${line}\n`);
    if (received > 0 && rtts.length > 0) {
      const us = rtts.map((x) => x / 1000);
      const min = Math.min(...us), max = Math.max(...us);
      const avg = us.reduce((a, b) => a + b, 0) / us.length;
      const sq = us.reduce((a, b) => a + b * b, 0) / us.length;
      const mdev = Math.sqrt(Math.max(0, sq - avg * avg));
      ctx.out(`rtt min/avg/max/mdev = ${ms3(min)}/${ms3(avg)}/${ms3(max)}/${ms3(mdev)} ms\n`);
    } else if (errors > 0 && transmitted > 1) {
      ctx.out(`pipe ${Math.min(transmitted, errors)}\n`);
    }
  };

  const allAnswered = () => transmitted >= maxCount && received + errors >= maxCount;

  const sendOne = () => {
    if (finished) return;
    const seq = transmitted + 1;
    const err = sock.send(dst, seq, payload(seq), {
      ttl: ttl as number,
      df: pmtu === "do" || pmtu === "want" && ns.dev.sysctl.num("net.ipv4.ip_no_pmtu_disc") === 0,
      dontFragment: pmtu === "do",
      oif,
      src,
    });
    transmitted++;
    lastSend = sim.now;
    sent.set(seq, sim.now);
    if (err === "EMSGSIZE") {
      errors++;
      ctx.err(`ping: local error: message too long, mtu=${mtuOf()}\n`);
    } else if (err) {
      errors++;
      ctx.err(`ping: sendmsg: ${ERRNO_TEXT[err]}\n`);
    }
    if (transmitted < maxCount) {
      timer = sim.after((interval as number) * 1e9, sendOne);
    } else {
      // After the last request, wait for its answer at most -W seconds.
      lingerTimer = sim.after((timeout as number) * 1e9, finish);
      if (allAnswered()) finish();
    }
  };
  const mtuOf = () => {
    const r = ns.ip.route(dst, { oif, src });
    return typeof r === "string" ? 0 : r.mtu;
  };

  sock.onReply = (r: EchoReply) => {
    if (finished) return;
    if (seen.has(r.seq)) {
      dups++;
      if (!quiet) {
        ctx.out(
          `${r.bytes} bytes from ${formatIp4(r.from)}: icmp_seq=${r.seq} ttl=${r.ttl} (DUP!)\n`,
        );
      }
      return;
    }
    seen.add(r.seq);
    received++;
    let rtt = sim.now - (sent.get(r.seq) ?? sim.now);
    if (r.data instanceof Uint8Array && r.data.length >= 16) {
      const dv = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      const stamp = dv.getUint32(0, true) * 1e9 + dv.getUint32(8, true) * 1e3;
      rtt = sim.now - stamp;
    }
    rtts.push(rtt);
    if (!quiet) {
      const time = datalen >= 16 ? ` time=${formatRtt(rtt)} ms` : "";
      ctx.out(
        `${r.bytes} bytes from ${formatIp4(r.from)}: icmp_seq=${r.seq} ttl=${r.ttl}${time}\n`,
      );
    }
    if (allAnswered()) finish();
  };
  sock.onError = (e: IcmpError) => {
    if (finished) return;
    errors++;
    if (!quiet) {
      ctx.out(`From ${formatIp4(e.from)} icmp_seq=${e.quoted.echoSeq} ${icmpErrorText(e)}\n`);
    }
    if (allAnswered()) finish();
  };
  if (deadline !== Infinity) deadlineTimer = sim.after((deadline as number) * 1e9, finish);
  sendOne();
  void lastSend;
  return {
    done: () => finished,
    status: () => (received > 0 ? 0 : transmitted > 0 && errors >= 0 ? 1 : 2),
    stop: finish,
  };
}
