/**
 * `tcpdump -i IF [-w FILE] [-c N] [-n] [-e]`: captures what an interface sends
 * and receives. With `-w` it writes a pcap file (nanosecond timestamps from
 * virtual time) into the node's file system; without it, it prints one line
 * per packet in tcpdump's layout. It runs until `-c` packets, until killed, or
 * (in the foreground) until the network falls quiet.
 *
 * Simplified: no capture filter expressions; both directions are captured.
 *
 * @module
 */
import { formatMac } from "../wire/addr.ts";
import { encodeFrame } from "../wire/frame.ts";
import { PcapWriter } from "../wire/pcap.ts";
import type { Packet } from "../wire/packet.ts";
import { summarize } from "../sim/summary.ts";
import type { CommandContext, Process } from "./context.ts";

/** tcpdump's time stamp for virtual time: HH:MM:SS.micro since the start. */
export function tcpdumpTime(ns: number): string {
  const us = Math.floor(ns / 1000);
  const s = Math.floor(us / 1e6);
  const hh = String(Math.floor(s / 3600) % 24).padStart(2, "0");
  const mm = String(Math.floor(s / 60) % 60).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${hh}:${mm}:${ss}.${String(us % 1e6).padStart(6, "0")}`;
}

/** One line as `tcpdump -n` prints it (`-e` adds the link-level header). */
export function tcpdumpLine(time: number, p: Packet, linkLevel: boolean): string {
  let s = summarize(p);
  if (p.ip) s = "IP " + s;
  if (p.arp) s += ", length 28";
  if (linkLevel) {
    const type = p.arp ? "ARP (0x0806)" : p.ip ? "IPv4 (0x0800)" : `0x${p.eth.type.toString(16)}`;
    const len = encodeFrame(p).length;
    s = `${formatMac(p.eth.src)} > ${formatMac(p.eth.dst)}, ethertype ${type}, length ${len}: ${
      s.replace(/^IP /, "")
    }`;
  }
  return `${tcpdumpTime(time)} ${s}`;
}

/** The `tcpdump` command. */
export function tcpdump(ctx: CommandContext, argv: string[]): number | Process {
  let ifname: string | undefined;
  let file: string | undefined;
  let count = Infinity;
  let linkLevel = false;
  const args = argv.slice(1);
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a === "-i") ifname = args[++k];
    else if (a === "-w") file = args[++k];
    else if (a === "-c") count = Number(args[++k]);
    else if (a === "-e") linkLevel = true;
    else if (a === "-n" || a === "-nn" || a === "-l" || a === "-U" || a === "-q") continue;
    else if (a.startsWith("-")) {
      ctx.err(`tcpdump: invalid option -- '${a.slice(1)}'\n`);
      return 1;
    } else {
      ctx.err("tcpdump: capture filter expressions are not supported\n");
      return 1;
    }
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
    if (stopped || at !== iface) return;
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
