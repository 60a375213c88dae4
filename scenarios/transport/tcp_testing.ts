/**
 * Shared set-ups and tools for the transport scenarios: two hosts on one link
 * (optionally with static neighbour entries), a listener that accepts
 * everything and collects each connection's bytes, the TCP segments on the
 * wire as tcpdump would print them with relative sequence numbers, byte
 * patterns to compare transfers byte for byte, rules that drop or hold back
 * exactly the frames a scenario chooses (what `iptables -A INPUT … -j DROP`
 * with a match on the segment, or a reordering path, does to a real machine),
 * and hand-made segments from no socket (what hping3 sends).
 *
 *   a 10.0.0.1 ──── 10.0.0.2 b
 */
import type { ConnectOptions, Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { Link } from "../../core/net/link.ts";
import type { Interface } from "../../core/net/interface.ts";
import { DropReason, type TraceEvent } from "../../core/sim/trace.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import {
  EtherType,
  newPacket,
  noTcpOptions,
  type Packet,
  type Payload,
  TcpFlag,
  type TcpSegment,
} from "../../core/wire/packet.ts";
import type { TcpSocket, TcpSocketOptions } from "../../core/transport/tcp/socket.ts";

export { ip };

/** Socket options as `tcp.socket()` takes them. */
export type SocketOptions = Partial<TcpSocketOptions> & { congestion?: string };

/**
 * Two hosts on one link: a 10.0.0.1/24, b 10.0.0.2/24. With `permanent`, each
 * knows the other's MAC from a static neighbour entry (`ip neigh add … nud
 * permanent`), so no ARP runs and long outages cannot fail the neighbour.
 */
export function pair(
  net: Network,
  link: ConnectOptions = {},
  o: { permanent?: boolean } = {},
): { a: Node; b: Node; link: Link } {
  const [a, b] = net.nodes("a", "b");
  const l = net.connect(a, b, link);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  if (o.permanent) {
    a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0 nud permanent`);
    b.sh(`ip neigh add 10.0.0.1 lladdr ${a.mac("eth0")} dev eth0 nud permanent`);
  }
  return { a, b, link: l };
}

/** A listener on `port` that accepts every connection as soon as it is ready. */
export interface Server {
  listener: TcpSocket;
  /** Accepted connections, in order. */
  conns: TcpSocket[];
  /** Bytes received per connection (same order as `conns`). */
  received: Uint8Array[];
}

/**
 * Listen on `node` port `port` and accept everything (unless `accept` is false);
 * real bytes are collected per connection. `onConn` runs for each new one.
 */
export function serve(
  node: Node,
  port: number,
  o: {
    options?: SocketOptions;
    backlog?: number;
    accept?: boolean;
    onConn?: (c: TcpSocket, i: number) => void;
  } = {},
): Server {
  const tcp = node.root.tcp;
  const listener = tcp.socket(o.options);
  tcp.bind(listener, 0, port);
  tcp.listen(listener, o.backlog ?? 128);
  const server: Server = { listener, conns: [], received: [] };
  if (o.accept !== false) {
    listener.onAccept = () => {
      for (let c = tcp.accept(listener); c; c = tcp.accept(listener)) adopt(server, c, o.onConn);
    };
  }
  return server;
}

/** Register an accepted connection with a server (collects its bytes). */
export function adopt(
  server: Server,
  c: TcpSocket,
  onConn?: (c: TcpSocket, i: number) => void,
): void {
  const i = server.conns.length;
  server.conns.push(c);
  const chunks: Uint8Array[] = [];
  server.received.push(new Uint8Array(0));
  const prev = c.onData;
  c.onData = (d) => {
    chunks.push(typeof d === "number" ? new Uint8Array(d) : d);
    server.received[i] = concat(chunks);
    prev?.(d);
  };
  onConn?.(c, i);
}

/** Concatenate byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes as an application reads them (virtual payloads become zeros). */
export function bytesOf(parts: Payload[]): Uint8Array {
  return concat(parts.map((p) => typeof p === "number" ? new Uint8Array(p) : p));
}

/** `n` bytes of a recognisable pattern (position-dependent, so a shifted or swapped byte shows). */
export function pattern(n: number, salt = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >>> 8) * 7 + salt) & 0xff;
  return out;
}

/** tcpdump's flag letters: S, F, R, P, then "." for ACK. */
export function flagText(f: number): string {
  let s = "";
  if (f & TcpFlag.SYN) s += "S";
  if (f & TcpFlag.FIN) s += "F";
  if (f & TcpFlag.RST) s += "R";
  if (f & TcpFlag.PSH) s += "P";
  if (f & TcpFlag.ACK) s += ".";
  return s || "none";
}

/** One TCP segment on the wire, tcpdump-style, sequence numbers relative to each side's ISN. */
export interface Seg {
  /** Virtual time, ns. */
  time: number;
  /** The node that transmitted it. */
  node: string;
  /** Flags as tcpdump prints them ("S", "S.", ".", "P.", "F.", "R."). */
  flags: string;
  /** Relative sequence number (0 = the sender's SYN). */
  seq: number;
  /** Relative acknowledgment number (0 when the ACK flag is off). */
  ack: number;
  /** Payload length. */
  len: number;
  /** The window field as sent (unscaled). */
  win: number;
  /** The raw segment. */
  tcp: TcpSegment;
  /** The whole trace event. */
  event: TraceEvent;
}

/**
 * TCP segments transmitted by the hosts (routers forwarding are skipped by
 * default), with relative sequence numbers per direction. `port` limits them to
 * one connection (either port of the pair).
 */
export function segments(
  net: Network,
  o: { node?: string; port?: number; hosts?: string[] } = {},
): Seg[] {
  const hosts = o.hosts;
  const events = net.trace.filter({ kind: "tx", proto: 6 }).filter((e) => {
    const t = e.packet.tcp!;
    if (o.port !== undefined && t.srcPort !== o.port && t.dstPort !== o.port) return false;
    // A host's own segments: the source address is one of its own.
    const own = net.nodeMap.get(e.node)?.root.ip.isLocal(e.packet.ip!.src) ?? false;
    if (!own) return false;
    if (hosts && !hosts.includes(e.node)) return false;
    return true;
  });
  // ISN per direction (src ip:port > dst ip:port), from the first SYN seen.
  const isn = new Map<string, number>();
  const dir = (p: Packet, rev = false) => {
    const t = p.tcp!, i = p.ip!;
    return rev
      ? `${i.dst}:${t.dstPort}>${i.src}:${t.srcPort}`
      : `${i.src}:${t.srcPort}>${i.dst}:${t.dstPort}`;
  };
  for (const e of events) {
    const t = e.packet.tcp!;
    if (t.flags & TcpFlag.SYN && !isn.has(dir(e.packet))) isn.set(dir(e.packet), t.seq);
  }
  return events
    .filter((e) => o.node === undefined || e.node === o.node)
    .map((e) => {
      const t = e.packet.tcp!;
      const mine = isn.get(dir(e.packet)) ?? 0;
      const theirs = isn.get(dir(e.packet, true)) ?? 0;
      return {
        time: e.time,
        node: e.node,
        flags: flagText(t.flags),
        seq: (t.seq - mine) >>> 0,
        ack: t.flags & TcpFlag.ACK ? (t.ack - theirs) >>> 0 : 0,
        len: typeof t.payload === "number" ? t.payload : t.payload.length,
        win: t.window,
        tcp: t,
        event: e,
      };
    });
}

/** A segment as one short line: "a S 0:0 ack 0 win 65535" (for readable assertions). */
export function brief(s: Seg): string {
  const ack = s.tcp.flags & TcpFlag.ACK ? ` ack ${s.ack}` : "";
  const range = s.len > 0 ? `${s.seq}:${s.seq + s.len}` : `${s.seq}`;
  return `${s.node} ${s.flags} ${range}${ack}`;
}

/**
 * Drop the frames arriving on `iface` for which `pred` says so, before the host
 * sees them (recorded in the trace as random loss with the detail "chosen").
 * Returns a function that removes the rule.
 */
export function dropWhere(
  net: Network,
  iface: Interface,
  pred: (p: Packet) => boolean,
): () => void {
  const original = iface.receive;
  iface.receive = function (this: Interface, p: Packet) {
    if (pred(p)) {
      net.trace.drop(iface, p, DropReason.randomLoss, "chosen");
      return;
    }
    original.call(this, p);
  };
  return () => {
    iface.receive = original;
  };
}

/**
 * Hold the frames arriving on `iface` for which `pred` says so for `dt` ns
 * before the host sees them (a frame overtaken on the way). Returns a function
 * that removes the rule.
 */
export function delayWhere(
  net: Network,
  iface: Interface,
  pred: (p: Packet) => boolean,
  dt: number,
): () => void {
  const original = iface.receive;
  iface.receive = function (this: Interface, p: Packet) {
    if (pred(p)) {
      net.sim.after(dt, () => original.call(iface, p));
      return;
    }
    original.call(this, p);
  };
  return () => {
    iface.receive = original;
  };
}

/** A predicate for `dropWhere`: the `n`-th, … arrivals (1-based) of segments carrying data. */
export function nthData(...n: number[]): (p: Packet) => boolean {
  let seen = 0;
  return (p) => {
    const t = p.tcp;
    if (!t || (typeof t.payload === "number" ? t.payload : t.payload.length) === 0) return false;
    seen++;
    return n.includes(seen);
  };
}

/**
 * Send a hand-made TCP segment from `node` (what hping3 or scapy would send):
 * routed, resolved and traced as any packet the node sends, but from no socket.
 */
export function sendTcp(
  node: Node,
  o: {
    src: string;
    dst: string;
    srcPort: number;
    dstPort: number;
    seq: number;
    ack?: number;
    flags: number;
    window?: number;
    payload?: Payload;
  },
): void {
  const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
  p.ip = {
    tos: 0,
    id: node.root.ip.nextId(),
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto: 6,
    src: ip(o.src),
    dst: ip(o.dst),
    options: undefined,
  };
  p.tcp = {
    srcPort: o.srcPort,
    dstPort: o.dstPort,
    seq: o.seq >>> 0,
    ack: (o.ack ?? 0) >>> 0,
    flags: o.flags,
    window: o.window ?? 1024,
    urgent: 0,
    options: noTcpOptions(),
    payload: o.payload ?? 0,
  };
  node.root.dev.sim.trace.birth(p);
  node.root.ip.output(p);
}

/** An address as text. */
export const addr = formatIp4;

/** Differences between consecutive values. */
export function gaps(xs: number[]): number[] {
  return xs.slice(1).map((x, i) => x - xs[i]!);
}
