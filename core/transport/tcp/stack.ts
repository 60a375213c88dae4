/**
 * The TCP layer of one namespace: socket creation with the namespace's sysctl
 * defaults, bind/listen/connect with ephemeral ports drawn at random from
 * `ip_local_port_range` (as Linux's connect does), demultiplexing of arriving
 * segments to connections and listeners, the SYN and accept queues of a
 * listener (`backlog`), RSTs for segments nobody wants (RFC 9293 §3.10.7.1),
 * and ICMP errors handed to the connection they concern.
 *
 * @module
 */
import {
  EtherType,
  type Ip4,
  IpProto,
  newPacket,
  type Packet,
  TcpFlag,
  type TcpSegment,
} from "../../wire/packet.ts";
import { noTcpOptions } from "../../wire/packet.ts";
import { DropReason } from "../../sim/trace.ts";
import type { Timer } from "../../sim/simulator.ts";
import type { Interface } from "../../net/interface.ts";
import type { Errno, Ipv4Stack } from "../../ip/ipv4.ts";
import { createCongestionControl } from "../cc/registry.ts";
import { type TcpHost, TcpSocket, type TcpSocketOptions } from "./socket.ts";

/** The TCP layer of a namespace. */
export class TcpStack {
  /** The IPv4 layer underneath. */
  readonly ip: Ipv4Stack;
  /** Connected sockets by 4-tuple key. */
  #conns = new Map<number, TcpSocket>();
  /** The connection the last segment went to (most segments follow one): cleared when `#conns` changes. */
  #last: TcpSocket | undefined;
  /** Listening sockets by port. */
  #listeners = new Map<number, TcpSocket[]>();
  /** Ports held by bound sockets (with their address). */
  #bound = new Map<number, TcpSocket[]>();
  #host: TcpHost;
  /** MSL, ns: TIME-WAIT lasts 2·MSL (Linux: 60 s in all). */
  msl = 30e9;
  /** Counters in the spirit of `nstat`. */
  readonly stats = {
    activeOpens: 0,
    passiveOpens: 0,
    attemptFails: 0,
    estabResets: 0,
    inSegs: 0,
    outSegs: 0,
    retransSegs: 0,
    outRsts: 0,
    listenOverflows: 0,
    listenDrops: 0,
  };

  /** TCP over an IPv4 layer; registers for protocol 6 and its ICMP errors. */
  constructor(ip: Ipv4Stack) {
    this.ip = ip;
    const ns = ip.ns;
    const sim = ns.sim;
    const isnRng = sim.rng(`tcp isn ${ns.nodeName}/${ns.name}`);
    const sysctl = ns.sysctl;
    // deno-lint-ignore no-this-alias
    const stack = this;
    this.#host = {
      clock: sim,
      after: (dt: number, fn: () => void): Timer => sim.after(dt, fn),
      reusable: (fn: () => void) => sim.reusable(fn),
      schedule: (ev, dt) => sim.schedule(ev, sim.now + dt),
      output: (sock, seg) => this.#output(sock, seg),
      release: (sock) => this.#release(sock),
      acceptQueueFull: (child) => {
        if (!acceptQueueFull(child.parent!)) return false;
        this.stats.listenOverflows++;
        this.stats.listenDrops++;
        return true;
      },
      established: (child) => this.#established(child),
      isn: () => isnRng.nextU32(),
      get timeWait() {
        return 2 * stack.msl;
      },
      get finTimeout() {
        return sysctl.num("net.ipv4.tcp_fin_timeout") * 1e9;
      },
      get synRetries() {
        return sysctl.num("net.ipv4.tcp_syn_retries");
      },
      get synackRetries() {
        return sysctl.num("net.ipv4.tcp_synack_retries");
      },
      get retries2() {
        return sysctl.num("net.ipv4.tcp_retries2");
      },
    };
    ip.protocols.set(IpProto.TCP, (p, iface) => this.#receive(p, iface));
    ip.errorHandlers.set(IpProto.TCP, (e) => {
      const q = e.quoted;
      if (q.srcPort === undefined || q.dstPort === undefined) return;
      const s = this.#conns.get(key(q.ip.src, q.srcPort, q.ip.dst, q.dstPort));
      s?.icmpError(e.type, e.code, e.rest & 0xffff);
    });
  }

  /** Socket defaults from the sysctls (tcp_sack, tcp_timestamps, tcp_window_scaling, tcp_rmem/wmem). */
  #defaults(): TcpSocketOptions {
    const sc = this.ip.ns.sysctl;
    const triple = (k: string) => (sc.get(k) ?? "").split(/\s+/).map(Number);
    return {
      nodelay: false,
      sndbuf: triple("net.ipv4.tcp_wmem")[2] ?? 4194304,
      rcvbuf: triple("net.ipv4.tcp_rmem")[2] ?? 6291456,
      sack: sc.num("net.ipv4.tcp_sack") === 1,
      timestamps: sc.num("net.ipv4.tcp_timestamps") === 1,
      windowScaling: sc.num("net.ipv4.tcp_window_scaling") === 1,
      delayedAck: true,
      rtoMin: 200e6,
      autoRead: true,
    };
  }

  /**
   * A new socket. `congestion` names an algorithm (default: the namespace's
   * `net.ipv4.tcp_congestion_control`, cubic as on Linux).
   */
  socket(
    o: Partial<TcpSocketOptions> & { congestion?: string; ccOptions?: unknown } = {},
  ): TcpSocket {
    const name = o.congestion ?? this.ip.ns.sysctl.get("net.ipv4.tcp_congestion_control") ??
      "cubic";
    const cc = createCongestionControl(name, o.ccOptions);
    const { congestion: _c, ccOptions: _o, ...rest } = o;
    return new TcpSocket(this.#host, { ...this.#defaults(), ...rest }, cc);
  }

  /** Bind a socket to an address and port (0 = ephemeral). */
  bind(s: TcpSocket, addr: Ip4 = 0, port = 0): Errno | "EADDRINUSE" | undefined {
    if (addr !== 0 && !this.ip.isLocal(addr)) return "EADDRNOTAVAIL";
    if (port === 0) {
      const p = this.#ephemeral(addr, 0, 0);
      if (p === 0) return "EADDRINUSE";
      port = p;
    } else if (
      (this.#bound.get(port) ?? []).some((o) =>
        o.localAddr === 0 || addr === 0 || o.localAddr === addr
      )
    ) {
      return "EADDRINUSE";
    }
    s.localAddr = addr;
    s.localPort = port;
    const list = this.#bound.get(port) ?? [];
    list.push(s);
    this.#bound.set(port, list);
    return undefined;
  }

  /**
   * Listen with a backlog: the accept queue's length (Linux caps it at
   * net.core.somaxconn and, as `sk_acceptq_is_full` compares with `>`, admits
   * one connection more than the backlog).
   */
  listen(s: TcpSocket, backlog = 128): Errno | undefined {
    if (s.localPort === 0) {
      const e = this.bind(s);
      if (e) return e === "EADDRINUSE" ? "EINVAL" : e;
    }
    const max = this.ip.ns.sysctl.num("net.core.somaxconn");
    s.listenNow(Math.min(backlog, max));
    const list = this.#listeners.get(s.localPort) ?? [];
    list.push(s);
    this.#listeners.set(s.localPort, list);
    return undefined;
  }

  /** Active open towards dst:port; errors come back through `onError`. Returns an errno if it cannot even start. */
  connect(s: TcpSocket, dst: Ip4, port: number): Errno | "EADDRINUSE" | undefined {
    const r = this.ip.route(dst, { src: s.localAddr || undefined });
    if (typeof r === "string") return r;
    const src = s.localAddr || r.src;
    if (s.localPort === 0) {
      const p = this.#ephemeral(src, dst, port);
      // Linux's connect with every ephemeral port taken: "Cannot assign requested address".
      if (p === 0) return "EADDRNOTAVAIL";
      s.localPort = p;
      const list = this.#bound.get(p) ?? [];
      list.push(s);
      this.#bound.set(p, list);
    }
    s.localAddr = src;
    s.remoteAddr = dst;
    s.remotePort = port;
    this.#conns.set(key(src, s.localPort, dst, port), s);
    this.#last = undefined;
    this.stats.activeOpens++;
    s.connectNow(r.mtu - 40);
    return undefined;
  }

  /** Take an established connection from a listener's accept queue. */
  accept(listener: TcpSocket): TcpSocket | undefined {
    const c = listener.acceptQueue.shift();
    c?.acceptedNow();
    return c;
  }

  /** Every socket: connections, then listeners (for `ss`). */
  sockets(): TcpSocket[] {
    return [...this.#conns.values(), ...[...this.#listeners.values()].flat()];
  }

  /** A random free port (Linux's connect: random start, then the first free one). */
  #ephemeral(src: Ip4, dst: Ip4, dport: number): number {
    const ns = this.ip.ns;
    const range = (ns.sysctl.get("net.ipv4.ip_local_port_range") ?? "32768\t60999").split(/\s+/)
      .map(Number);
    const lo = range[0] ?? 32768, hi = range[1] ?? 60999;
    const n = hi - lo + 1;
    const start = ns.sim.rng(`tcp ports ${ns.nodeName}/${ns.name}`).int(0, n - 1);
    for (let i = 0; i < n; i++) {
      const p = lo + ((start + i) % n);
      if (this.#bound.has(p) || this.#listeners.has(p)) continue;
      if (dst !== 0 && this.#conns.has(key(src, p, dst, dport))) continue;
      return p;
    }
    return 0;
  }

  #release(s: TcpSocket): void {
    this.#conns.delete(key(s.localAddr, s.localPort, s.remoteAddr, s.remotePort));
    this.#last = undefined;
    const l = this.#listeners.get(s.localPort);
    if (l && l.includes(s) && s.remotePort === 0) {
      l.splice(l.indexOf(s), 1);
      if (l.length === 0) this.#listeners.delete(s.localPort);
    }
    if (!s.parent) {
      const b = this.#bound.get(s.localPort);
      if (b && b.includes(s)) {
        b.splice(b.indexOf(s), 1);
        if (b.length === 0) this.#bound.delete(s.localPort);
      }
    } else {
      const q = s.parent.synQueue;
      if (q.includes(s)) q.splice(q.indexOf(s), 1);
      const a = s.parent.acceptQueue;
      if (a.includes(s)) a.splice(a.indexOf(s), 1);
    }
    if (s.error === "ECONNRESET") this.stats.estabResets++;
  }

  #established(child: TcpSocket): void {
    const l = child.parent!;
    const q = l.synQueue;
    if (q.includes(child)) q.splice(q.indexOf(child), 1);
    l.acceptQueue.push(child);
    l.onAccept?.(child);
  }

  #ttlVersion = -1;
  #ttlValue = 64;
  /** net.ipv4.ip_default_ttl, re-read only when a sysctl changed. */
  #ttl(): number {
    const sc = this.ip.ns.sysctl;
    if (sc.version !== this.#ttlVersion) {
      this.#ttlValue = sc.num("net.ipv4.ip_default_ttl");
      this.#ttlVersion = sc.version;
    }
    return this.#ttlValue;
  }

  #output(s: TcpSocket, seg: TcpSegment): Errno | undefined {
    const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
    p.ip = {
      tos: 0,
      id: this.ip.nextId(),
      df: true,
      mf: false,
      fragOffset: 0,
      ttl: this.#ttl(),
      proto: IpProto.TCP,
      src: s.localAddr,
      dst: s.remoteAddr,
      options: undefined,
    };
    p.tcp = seg;
    this.ip.ns.sim.trace.birth(p);
    this.stats.outSegs++;
    if (seg.flags & TcpFlag.RST) this.stats.outRsts++;
    return this.ip.output(p);
  }

  #receive(p: Packet, iface: Interface): void {
    const trace = this.ip.ns.sim.trace;
    const t = p.tcp;
    const ip = p.ip!;
    if (t === undefined) {
      trace.drop(iface, p, DropReason.malformed, "tcp");
      return;
    }
    this.stats.inSegs++;
    let c = this.#last;
    if (
      c === undefined || c.localPort !== t.dstPort || c.remotePort !== t.srcPort ||
      c.localAddr !== ip.dst || c.remoteAddr !== ip.src
    ) {
      const found = this.#conns.get(key(ip.dst, t.dstPort, ip.src, t.srcPort));
      c = found && found.localAddr === ip.dst && found.remoteAddr === ip.src ? found : undefined;
      if (c) this.#last = c;
    }
    if (c) {
      // The detail is only kept by a full trace: no string per segment otherwise.
      trace.deliver(iface, p, trace.mode === "full" ? `tcp ${c.state}` : "");
      c.receive(t);
      return;
    }
    const listeners = this.#listeners.get(t.dstPort);
    const l = listeners?.find((x) => x.localAddr === ip.dst) ??
      listeners?.find((x) => x.localAddr === 0);
    if (l && l.state === "LISTEN") {
      this.#listenReceive(l, p, iface);
      return;
    }
    trace.drop(iface, p, DropReason.noListener, `tcp port ${t.dstPort}`);
    this.#reset(ip.dst, ip.src, t);
  }

  #listenReceive(l: TcpSocket, p: Packet, iface: Interface): void {
    const trace = this.ip.ns.sim.trace;
    const t = p.tcp!;
    const ip = p.ip!;
    if (t.flags & TcpFlag.RST) {
      trace.consume(iface, p, "rst to listener");
      return;
    }
    if (t.flags & TcpFlag.ACK) {
      trace.consume(iface, p, "ack to listener");
      this.#reset(ip.dst, ip.src, t);
      return;
    }
    if (!(t.flags & TcpFlag.SYN)) {
      trace.consume(iface, p, "no syn");
      return;
    }
    // Linux drops SYNs while the accept queue is full, and beyond the SYN backlog.
    const synMax = Math.max(l.backlog, this.ip.ns.sysctl.num("net.ipv4.tcp_max_syn_backlog"));
    if (acceptQueueFull(l) || l.synQueue.length >= synMax) {
      this.stats.listenDrops++;
      this.stats.listenOverflows++;
      trace.drop(iface, p, DropReason.queueFull, "listen queue");
      return;
    }
    const child = new TcpSocket(this.#host, { ...l.options }, l.cc.clone());
    child.parent = l;
    child.localAddr = ip.dst;
    child.localPort = t.dstPort;
    child.remoteAddr = ip.src;
    child.remotePort = t.srcPort;
    this.#conns.set(key(ip.dst, t.dstPort, ip.src, t.srcPort), child);
    this.#last = undefined;
    l.synQueue.push(child);
    this.stats.passiveOpens++;
    trace.deliver(iface, p, "tcp syn to listener");
    const r = this.ip.route(ip.src, { src: ip.dst });
    child.acceptSyn(t, (typeof r === "string" ? 1500 : r.mtu) - 40);
  }

  /** RFC 9293 §3.10.7.1: the RST for a segment that no connection wants. */
  #reset(src: Ip4, dst: Ip4, t: TcpSegment): void {
    if (t.flags & TcpFlag.RST) return;
    const len = (typeof t.payload === "number" ? t.payload : t.payload.length) +
      (t.flags & TcpFlag.SYN ? 1 : 0) + (t.flags & TcpFlag.FIN ? 1 : 0);
    const seg: TcpSegment = t.flags & TcpFlag.ACK
      ? {
        srcPort: t.dstPort,
        dstPort: t.srcPort,
        seq: t.ack,
        ack: 0,
        flags: TcpFlag.RST,
        window: 0,
        urgent: 0,
        options: noTcpOptions(),
        payload: 0,
      }
      : {
        srcPort: t.dstPort,
        dstPort: t.srcPort,
        seq: 0,
        ack: (t.seq + len) >>> 0,
        flags: TcpFlag.RST | TcpFlag.ACK,
        window: 0,
        urgent: 0,
        options: noTcpOptions(),
        payload: 0,
      };
    const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
    p.ip = {
      tos: 0,
      id: 0,
      df: true,
      mf: false,
      fragOffset: 0,
      ttl: this.ip.ns.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.TCP,
      src,
      dst,
      options: undefined,
    };
    p.tcp = seg;
    this.ip.ns.sim.trace.birth(p);
    this.stats.outRsts++;
    this.ip.output(p);
  }
}

/** Linux's sk_acceptq_is_full: more queued than the backlog (so backlog + 1 fit). */
function acceptQueueFull(l: TcpSocket): boolean {
  return l.acceptQueue.length > l.backlog;
}

/** A connection's 4-tuple as one number-pair string-free key (ports and a mix of the addresses). */
function key(la: Ip4, lp: number, ra: Ip4, rp: number): number {
  // 32 bits of ports and 21 bits of an address mix stay exact in a double;
  // collisions between different address pairs are resolved by the caller's check.
  return (lp * 65536 + rp) * 2097152 + (((la ^ Math.imul(ra, 0x9e3779b1)) >>> 11) & 0x1fffff);
}
