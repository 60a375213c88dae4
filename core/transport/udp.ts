/**
 * UDP (RFC 768) sockets of one namespace: bind to an address and port (0 picks
 * an ephemeral port at random from `ip_local_port_range`, as Linux does), send
 * datagrams, receive them with the sender's address, and learn of ICMP errors
 * about what they sent (Linux's IP_RECVERR error queue). A datagram for a port
 * nobody listens on gets an ICMP port unreachable.
 *
 * Simplified: no SO_REUSEPORT load balancing (the first bound socket wins), no
 * multicast group membership, receive buffers count datagrams (`rcvbufDatagrams`).
 *
 * @module
 */
import {
  EtherType,
  type Ip4,
  IpProto,
  newPacket,
  type Packet,
  type Payload,
} from "../wire/packet.ts";
import { DropReason } from "../sim/trace.ts";
import type { Interface } from "../net/interface.ts";
import type { PacketType } from "../net/namespace.ts";
import type { Errno, IcmpError, Ipv4Stack } from "../ip/ipv4.ts";

/** A received datagram. */
export interface Datagram {
  data: Payload;
  from: Ip4;
  fromPort: number;
  /** The destination address it was sent to (IP_PKTINFO). */
  to: Ip4;
  /** Interface it arrived on. */
  iface: Interface;
  /** TTL as received. */
  ttl: number;
  /** Arrival time, ns. */
  time: number;
}

/** Options for one send. */
export interface SendOptions {
  ttl?: number;
  tos?: number;
  /** Set DF (default: Linux's IP_PMTUDISC_WANT, i.e. DF set). */
  df?: boolean;
  /** Report EMSGSIZE instead of fragmenting locally. */
  dontFragment?: boolean;
  /** Source address override (must be local). */
  src?: Ip4;
  /** Output device for this datagram (IP_PKTINFO's ipi_ifindex), overriding the bound one. */
  oif?: Interface;
}

/** One UDP socket. */
export class UdpSocket {
  /** Bound local address (0 = any). */
  localAddr: Ip4 = 0;
  /** Bound local port (0 until bound). */
  localPort = 0;
  /** Bound device (SO_BINDTODEVICE). */
  boundDev: Interface | undefined;
  /** Received datagrams not yet read. */
  readonly inbox: Datagram[] = [];
  /** ICMP errors about datagrams this socket sent. */
  readonly errors: IcmpError[] = [];
  /** Called on each received datagram (after it is queued). */
  onMessage: ((d: Datagram) => void) | undefined;
  /** Called on each ICMP error. */
  onError: ((e: IcmpError) => void) | undefined;
  /** Receive queue limit in datagrams. */
  rcvbufDatagrams = 1024;
  /** Default TTL for sends. */
  ttl: number | undefined;
  /** Allow sending to broadcast addresses (SO_BROADCAST). */
  broadcast = false;
  #udp: UdpStack;
  #closed = false;

  /** Use `UdpStack.socket()`. */
  constructor(udp: UdpStack) {
    this.#udp = udp;
  }

  /** Bind to an address and port; port 0 picks an ephemeral one. Returns an errno on failure. */
  bind(addr: Ip4 = 0, port = 0): Errno | "EADDRINUSE" | undefined {
    return this.#udp.bind(this, addr, port);
  }

  /** Send a datagram; binds to an ephemeral port first if needed. */
  sendTo(data: Payload, dst: Ip4, dstPort: number, o: SendOptions = {}): Errno | undefined {
    if (this.#closed) return "EINVAL";
    if (this.localPort === 0) {
      const e = this.bind(0, 0);
      if (e) return e === "EADDRINUSE" ? "EINVAL" : e;
    }
    return this.#udp.send(this, data, dst, dstPort, o);
  }

  /** Take the oldest received datagram. */
  recv(): Datagram | undefined {
    return this.inbox.shift();
  }

  /** Close: the port becomes free. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#udp.unbind(this);
  }
}

/** The UDP layer of one namespace. */
export class UdpStack {
  /** The IPv4 layer underneath. */
  readonly ip: Ipv4Stack;
  #ports = new Map<number, UdpSocket[]>();
  /** Counters as /proc/net/snmp's Udp line. */
  readonly stats = { inDatagrams: 0, noPorts: 0, inErrors: 0, outDatagrams: 0, rcvbufErrors: 0 };

  /** UDP over an IPv4 layer; registers for protocol 17 and its ICMP errors. */
  constructor(ip: Ipv4Stack) {
    this.ip = ip;
    ip.protocols.set(IpProto.UDP, (p, iface, type) => this.#receive(p, iface, type));
    ip.errorHandlers.set(IpProto.UDP, (e) => this.#error(e));
  }

  /** A new unbound socket. */
  socket(): UdpSocket {
    return new UdpSocket(this);
  }

  /** Sockets bound to a port. */
  boundTo(port: number): readonly UdpSocket[] {
    return this.#ports.get(port) ?? [];
  }

  /** All bound sockets (`ss -u`). */
  sockets(): UdpSocket[] {
    return [...this.#ports.values()].flat();
  }

  /** Bind a socket (used by `UdpSocket.bind`). */
  bind(s: UdpSocket, addr: Ip4, port: number): Errno | "EADDRINUSE" | undefined {
    if (addr !== 0 && !this.ip.isLocal(addr)) return "EADDRNOTAVAIL";
    if (port === 0) {
      const range = (this.ip.ns.sysctl.get("net.ipv4.ip_local_port_range") ?? "32768\t60999")
        .split(/\s+/).map(Number);
      const lo = range[0] ?? 32768, hi = range[1] ?? 60999;
      const n = hi - lo + 1;
      const start = this.ip.ns.sim.rng(`udp ports ${this.ip.ns.nodeName}/${this.ip.ns.name}`).int(
        0,
        n - 1,
      );
      for (let i = 0; i < n; i++) {
        const cand = lo + ((start + i) % n);
        if (!this.#ports.has(cand)) {
          port = cand;
          break;
        }
      }
      if (port === 0) return "EADDRINUSE";
    } else {
      const list = this.#ports.get(port) ?? [];
      if (list.some((o) => o.localAddr === 0 || addr === 0 || o.localAddr === addr)) {
        return "EADDRINUSE";
      }
    }
    s.localAddr = addr;
    s.localPort = port;
    const list = this.#ports.get(port) ?? [];
    list.push(s);
    this.#ports.set(port, list);
    return undefined;
  }

  /** Forget a socket's binding. */
  unbind(s: UdpSocket): void {
    const list = this.#ports.get(s.localPort);
    if (!list) return;
    const i = list.indexOf(s);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#ports.delete(s.localPort);
  }

  /** Build and send one datagram. */
  send(s: UdpSocket, data: Payload, dst: Ip4, dstPort: number, o: SendOptions): Errno | undefined {
    const ns = this.ip.ns;
    if (!s.broadcast && (dst === 0xffffffff)) return "EACCES";
    const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
    p.ip = {
      tos: o.tos ?? 0,
      id: this.ip.nextId(),
      df: o.df ?? this.ip.ns.sysctl.num("net.ipv4.ip_no_pmtu_disc") === 0,
      mf: false,
      fragOffset: 0,
      ttl: o.ttl ?? s.ttl ?? ns.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.UDP,
      src: o.src ?? s.localAddr,
      dst,
      options: undefined,
    };
    p.udp = { srcPort: s.localPort, dstPort, payload: data };
    ns.sim.trace.birth(p);
    this.stats.outDatagrams++;
    return this.ip.output(p, { oif: o.oif ?? s.boundDev, dontFragment: o.dontFragment });
  }

  #lookup(dst: Ip4, port: number, iface: Interface): UdpSocket | undefined {
    const list = this.#ports.get(port);
    if (!list) return undefined;
    let wildcard: UdpSocket | undefined;
    for (const s of list) {
      if (s.boundDev !== undefined && s.boundDev !== iface) continue;
      if (s.localAddr === dst) return s;
      if (s.localAddr === 0 && wildcard === undefined) wildcard = s;
    }
    return wildcard;
  }

  #receive(p: Packet, iface: Interface, type: PacketType): void {
    const trace = this.ip.ns.sim.trace;
    const u = p.udp;
    if (u === undefined) {
      this.stats.inErrors++;
      trace.drop(iface, p, DropReason.malformed, "udp");
      return;
    }
    const ip = p.ip!;
    const s = this.#lookup(ip.dst, u.dstPort, iface);
    if (s === undefined) {
      this.stats.noPorts++;
      if (type === "host") this.ip.icmpError(p, 3, 3, 0, iface);
      trace.drop(iface, p, DropReason.noSocket, `udp port ${u.dstPort}`);
      return;
    }
    if (s.inbox.length >= s.rcvbufDatagrams) {
      this.stats.rcvbufErrors++;
      trace.drop(iface, p, DropReason.socketBufferFull, `udp port ${u.dstPort}`);
      return;
    }
    this.stats.inDatagrams++;
    const d: Datagram = {
      data: u.payload,
      from: ip.src,
      fromPort: u.srcPort,
      to: ip.dst,
      iface,
      ttl: ip.ttl,
      time: this.ip.ns.sim.now,
    };
    s.inbox.push(d);
    trace.deliver(iface, p, `udp port ${u.dstPort}`);
    s.onMessage?.(d);
  }

  #error(e: IcmpError): void {
    const q = e.quoted;
    if (q.srcPort === undefined) return;
    const list = this.#ports.get(q.srcPort);
    if (!list) return;
    for (const s of list) {
      if (s.localAddr !== 0 && s.localAddr !== q.ip.src) continue;
      s.errors.push(e);
      s.onError?.(e);
      return;
    }
  }
}
