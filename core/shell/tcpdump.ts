/**
 * `tcpdump -i IF [-w FILE] [-c N] [-n] [-e] [-l] [EXPRESSION]`: captures what an
 * interface sends and receives. With `-w` it writes a pcap file (nanosecond
 * timestamps from virtual time) into the node's file system; without it, it
 * prints one line per packet as tcpdump 4.99 does without `-v`: `ARP, Request
 * who-has A tell B, length 28`, `IP A > B: ICMP echo request, id I, seq S,
 * length L`, `IP A > B: ICMP B udp port P unreachable, length L`, `IP A.p >
 * B.q: UDP, length L`, the first fragment of a datagram decoded and later ones
 * as `ip-proto-N`; `-e` puts the link-level header first. Time stamps are
 * virtual time (HH:MM:SS.micro since the simulation started). It runs until
 * `-c` packets, until killed, or (in the foreground) until the network falls
 * quiet.
 *
 * Capture filters take the usual primitives — `arp`, `ip`, `icmp`, `udp`,
 * `tcp`, `[src|dst] host A`, `[src|dst] net A/LEN`, `[tcp|udp] [src|dst] port
 * N`, `ether [src|dst] host MAC`, `broadcast` — combined with `and`/`&&`,
 * `or`/`||`, `not`/`!` and parentheses.
 *
 * Simplified: no `-v` decoding, no `-r`.
 *
 * @module
 */
import { formatIp4, formatMac, parseMac } from "../wire/addr.ts";
import { encodeFrame } from "../wire/frame.ts";
import { PcapWriter } from "../wire/pcap.ts";
import { BROADCAST_MAC, type Packet, payloadLength } from "../wire/packet.ts";
import { parseQuote } from "../wire/icmp.ts";
import { summarize } from "../sim/summary.ts";
import type { CommandContext, Process } from "./context.ts";
import { inetAton } from "./format.ts";

/** tcpdump's time stamp for virtual time: HH:MM:SS.micro since the start. */
export function tcpdumpTime(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  const hh = String(Math.floor(s / 3600) % 24).padStart(2, "0");
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}.${String(us % 1e6).padStart(6, "0")}`;
}

const UNREACH: Record<number, string> = {
  0: "net %s unreachable",
  1: "host %s unreachable",
  5: "%s unreachable - source route failed",
  6: "net %s unreachable - unknown",
  7: "host %s unreachable - unknown",
  8: "%s unreachable - source host isolated",
  9: "net %s unreachable - admin prohibited",
  10: "host %s unreachable - admin prohibited",
  11: "net %s unreachable - tos prohibited",
  12: "host %s unreachable - tos prohibited",
  13: "host %s unreachable - admin prohibited filter",
  14: "host %s unreachable - host precedence violation",
  15: "host %s unreachable - precedence cutoff",
};

const PROTO_NAME: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp" };

/** The ICMP part of a line, from the message's bytes (type, code, rest, body). */
function icmpText(type: number, code: number, rest: number, body: Uint8Array | undefined): string {
  switch (type) {
    case 0:
    case 8:
      return `ICMP echo ${type === 8 ? "request" : "reply"}, id ${rest >>> 16}, seq ${
        rest & 0xffff
      }`;
    case 3: {
      let q;
      try {
        q = body ? parseQuote(body) : undefined;
      } catch {
        q = undefined;
      }
      const dst = q ? formatIp4(q.ip.dst) : "?";
      if (code === 2) return `ICMP ${dst} protocol ${q?.ip.proto ?? 0} unreachable`;
      if (code === 3) {
        const proto = PROTO_NAME[q?.ip.proto ?? 0] ?? `ip-proto-${q?.ip.proto}`;
        return `ICMP ${dst} ${proto} port ${q?.dstPort ?? 0} unreachable`;
      }
      if (code === 4) {
        const mtu = rest & 0xffff;
        return `ICMP ${dst} unreachable - need to frag${mtu ? ` (mtu ${mtu})` : ""}`;
      }
      const f = UNREACH[code];
      return f ? `ICMP ${f.replace("%s", dst)}` : `ICMP ${dst} unreachable - #${code}`;
    }
    case 11:
      return code === 0 ? "ICMP time exceeded in-transit" : "ICMP ip reassembly time exceeded";
    case 5: {
      let dst = "?";
      try {
        if (body) dst = formatIp4(parseQuote(body).ip.dst);
      } catch { /* a short quote */ }
      return `ICMP redirect ${dst} to host ${formatIp4(rest >>> 0)}`;
    }
    default:
      return `ICMP type-#${type}`;
  }
}

/** The packet part of a line as tcpdump 4.99 prints it without -v (and without -e). */
export function tcpdumpSummary(p: Packet): string {
  if (p.arp) {
    const a = p.arp;
    if (a.op === 1) {
      return `ARP, Request who-has ${formatIp4(a.targetIp)} tell ${
        formatIp4(a.senderIp)
      }, length 28`;
    }
    return `ARP, Reply ${formatIp4(a.senderIp)} is-at ${formatMac(a.senderMac)}, length 28`;
  }
  const ip = p.ip;
  if (!ip) return summarize(p);
  const src = formatIp4(ip.src);
  const dst = formatIp4(ip.dst);
  if (ip.fragOffset > 0) return `IP ${src} > ${dst}: ip-proto-${ip.proto}`;
  if (ip.mf) {
    // The first fragment: its transport header is decoded, its length is the fragment's.
    const raw = p.raw ?? new Uint8Array(0);
    if (ip.proto === 1 && raw.length >= 8) {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return `IP ${src} > ${dst}: ${
        icmpText(raw[0]!, raw[1]!, dv.getUint32(4), raw.subarray(8))
      }, length ${raw.length}`;
    }
    if (ip.proto === 17 && raw.length >= 8) {
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return `IP ${src}.${dv.getUint16(0)} > ${dst}.${dv.getUint16(2)}: UDP, length ${
        dv.getUint16(4) - 8
      }`;
    }
    return `IP ${src} > ${dst}: ip-proto-${ip.proto}`;
  }
  if (p.icmp) {
    const m = p.icmp;
    const body = typeof m.payload === "number" ? undefined : m.payload;
    return `IP ${src} > ${dst}: ${icmpText(m.type, m.code, m.rest, body)}, length ${
      payloadLength(m.payload) + 8
    }`;
  }
  if (p.udp) {
    return `IP ${src}.${p.udp.srcPort} > ${dst}.${p.udp.dstPort}: UDP, length ${
      payloadLength(p.udp.payload)
    }`;
  }
  return "IP " + summarize(p);
}

/** One line as `tcpdump -n` prints it (`-e` adds the link-level header). */
export function tcpdumpLine(time: number, p: Packet, linkLevel: boolean): string {
  let s = tcpdumpSummary(p);
  if (linkLevel) {
    const type = p.arp ? "ARP (0x0806)" : p.ip ? "IPv4 (0x0800)" : `0x${p.eth.type.toString(16)}`;
    const len = encodeFrame(p).length;
    s = `${formatMac(p.eth.src)} > ${formatMac(p.eth.dst)}, ethertype ${type}, length ${len}: ${
      s.replace(/^(IP|ARP,) /, "")
    }`;
  }
  return `${tcpdumpTime(time)} ${s}`;
}

// ------------------------------------------------------------------- filters

/** A compiled capture filter. */
export type PacketFilter = (p: Packet) => boolean;

/** Thrown for a filter tcpdump would refuse. */
export class FilterError extends Error {}

/**
 * Compile a capture filter expression (the subset described in the module
 * documentation); an empty expression matches everything.
 */
export function compileFilter(text: string): PacketFilter {
  const tokens = text.replaceAll("(", " ( ").replaceAll(")", " ) ").replaceAll("!", " ! ")
    .split(/\s+/).filter((t) => t !== "");
  if (tokens.length === 0) return () => true;
  let k = 0;
  const peek = () => tokens[k];
  const take = () => {
    const t = tokens[k++];
    if (t === undefined) throw new FilterError("syntax error");
    return t;
  };
  const orExpr = (): PacketFilter => {
    let f = andExpr();
    while (peek() === "or" || peek() === "||") {
      k++;
      const a = f, b = andExpr();
      f = (p) => a(p) || b(p);
    }
    return f;
  };
  const andExpr = (): PacketFilter => {
    let f = notExpr();
    while (peek() === "and" || peek() === "&&") {
      k++;
      const a = f, b = notExpr();
      f = (p) => a(p) && b(p);
    }
    return f;
  };
  const notExpr = (): PacketFilter => {
    if (peek() === "not" || peek() === "!") {
      k++;
      const f = notExpr();
      return (p) => !f(p);
    }
    return primary();
  };
  const addr = (t: string) => {
    const a = inetAton(t);
    if (a === undefined) throw new FilterError(`can't parse host '${t}'`);
    return a;
  };
  const primary = (): PacketFilter => {
    const t = take();
    if (t === "(") {
      const f = orExpr();
      if (take() !== ")") throw new FilterError("syntax error");
      return f;
    }
    let proto: string | undefined;
    let dir: "src" | "dst" | undefined;
    let word = t;
    if (["ip", "arp", "icmp", "udp", "tcp", "ether"].includes(word)) {
      const next = peek();
      if (next === undefined || !["src", "dst", "host", "port", "net"].includes(next)) {
        switch (word) {
          case "ip":
            return (p) => p.ip !== undefined;
          case "arp":
            return (p) => p.arp !== undefined;
          case "icmp":
            return (p) => p.ip?.proto === 1;
          case "udp":
            return (p) => p.ip?.proto === 17;
          case "tcp":
            return (p) => p.ip?.proto === 6;
        }
        throw new FilterError("syntax error");
      }
      proto = word;
      word = take();
    }
    if (word === "broadcast") return (p) => p.eth.dst === BROADCAST_MAC;
    if (word === "src" || word === "dst") {
      dir = word;
      word = take();
    }
    if (word === "host" || (dir && !["net", "port"].includes(word))) {
      const v = word === "host" ? take() : word;
      if (proto === "ether") {
        const mac = parseMac(v);
        if (mac === undefined) throw new FilterError(`bad ethernet address '${v}'`);
        return (p) => (dir !== "dst" && p.eth.src === mac) || (dir !== "src" && p.eth.dst === mac);
      }
      const a = addr(v);
      return (p) => {
        const s = p.ip?.src ?? (proto === "ip" ? undefined : p.arp?.senderIp);
        const d = p.ip?.dst ?? (proto === "ip" ? undefined : p.arp?.targetIp);
        return (dir !== "dst" && s === a) || (dir !== "src" && d === a);
      };
    }
    if (word === "net") {
      const v = take();
      const [base, lenText] = v.split("/");
      const a = addr(base ?? "");
      const len = lenText === undefined ? 32 : Number(lenText);
      const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
      const inNet = (x: number | undefined) =>
        x !== undefined && ((x & mask) >>> 0) === ((a & mask) >>> 0);
      return (p) => {
        const s = p.ip?.src ?? p.arp?.senderIp;
        const d = p.ip?.dst ?? p.arp?.targetIp;
        return (dir !== "dst" && inNet(s)) || (dir !== "src" && inNet(d));
      };
    }
    if (word === "port") {
      const v = take();
      if (!/^\d+$/.test(v)) throw new FilterError(`illegal port number ${v}`);
      const port = Number(v);
      return (p) => {
        const l4 = (proto === undefined || proto === "udp") && p.udp
          ? p.udp
          : (proto === undefined || proto === "tcp") && p.tcp
          ? p.tcp
          : undefined;
        if (!l4 || (p.ip?.fragOffset ?? 0) > 0) return false;
        return (dir !== "dst" && l4.srcPort === port) || (dir !== "src" && l4.dstPort === port);
      };
    }
    throw new FilterError("syntax error");
  };
  const f = orExpr();
  if (k < tokens.length) throw new FilterError("syntax error");
  return f;
}

// ------------------------------------------------------------------- command

/** The `tcpdump` command. */
export function tcpdump(ctx: CommandContext, argv: string[]): number | Process {
  let ifname: string | undefined;
  let file: string | undefined;
  let count = Infinity;
  let linkLevel = false;
  const expr: string[] = [];
  const args = argv.slice(1);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-i") ifname = args[++k];
    else if (a === "-w") file = args[++k];
    else if (a === "-c") count = Number(args[++k]);
    else if (a === "-e") linkLevel = true;
    else if (/^-[nlUqe]+$/.test(a)) {
      if (a.includes("e")) linkLevel = true;
    } else if (a === "-v" || a === "-vv" || a === "-vvv") {
      ctx.err("tcpdump: -v decoding is not supported by packetlab\n");
      return 1;
    } else if (a.startsWith("-")) {
      ctx.err(`tcpdump: invalid option -- '${a.slice(1)}'\n`);
      return 1;
    } else expr.push(a);
  }
  let filter: PacketFilter;
  try {
    filter = compileFilter(expr.join(" "));
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    ctx.err(`tcpdump: ${e.message}\n`);
    return 1;
  }
  const iface = ifname === undefined
    ? [...ctx.ns.dev.interfaces.values()].find((i) => i.kind !== "loopback")
    : ctx.ns.dev.get(ifname);
  if (!iface) {
    ctx.err(`tcpdump: ${ifname ?? "any"}: No such device exists\n(No such device exists)\n`);
    return 1;
  }
  const sim = ctx.sim;
  const writer = file ? new PcapWriter() : undefined;
  if (file) {
    const path = file.startsWith("/") ? file : `/root/${file}`;
    ctx.node.files.set(path, () => writer!.bytes());
    ctx.err(
      `tcpdump: listening on ${iface.name}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`,
    );
  } else {
    ctx.err(
      `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${iface.name}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`,
    );
  }
  let captured = 0;
  let stopped = false;
  const tap = (_kind: "tx" | "rx", at: unknown, p: Packet) => {
    if (stopped || at !== iface || !filter(p)) return;
    captured++;
    if (writer) writer.write(sim.now, encodeFrame(p));
    else ctx.out(tcpdumpLine(sim.now, p, linkLevel) + "\n");
    if (captured >= count) stop();
  };
  const taps = sim.trace.taps;
  taps.push(tap);
  const stop = () => {
    if (stopped) return;
    stopped = true;
    const i = taps.indexOf(tap);
    if (i >= 0) taps.splice(i, 1);
    ctx.err(
      `${captured} packet${captured === 1 ? "" : "s"} captured\n${captured} packet${
        captured === 1 ? "" : "s"
      } received by filter\n0 packets dropped by kernel\n`,
    );
  };
  return { done: () => stopped, status: () => 0, stop };
}
