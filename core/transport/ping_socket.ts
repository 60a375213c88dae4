/**
 * ICMP echo ("ping") sockets: send echo requests with an identifier and
 * sequence number, receive the matching echo replies and the ICMP errors that
 * quote this socket's requests (Linux's ping socket / raw socket with a filter).
 *
 * @module
 */
import { EtherType, type Ip4, IpProto, newPacket, type Packet } from "../wire/packet.ts";
import type { Interface } from "../net/interface.ts";
import type { Errno, IcmpError, Ipv4Stack, OutputOptions } from "../ip/ipv4.ts";

/** An echo reply as the socket sees it. */
export interface EchoReply {
  from: Ip4;
  seq: number;
  ttl: number;
  data: Uint8Array | number;
  /** Bytes of ICMP message (header + data). */
  bytes: number;
  time: number;
  iface: Interface;
}

/** One ping socket, identified by its echo identifier. */
export class PingSocket {
  readonly id: number;
  onReply: ((r: EchoReply) => void) | undefined;
  onError: ((e: IcmpError) => void) | undefined;
  #layer: PingSockets;

  /** Use `PingSockets.open()`. */
  constructor(layer: PingSockets, id: number) {
    this.#layer = layer;
    this.id = id;
  }

  /** Send one echo request. */
  send(
    dst: Ip4,
    seq: number,
    data: Uint8Array | number,
    o: OutputOptions & { ttl?: number; tos?: number; df?: boolean; src?: Ip4 } = {},
  ): Errno | undefined {
    return this.#layer.send(this, dst, seq, data, o);
  }

  /** Stop receiving. */
  close(): void {
    this.#layer.close(this);
  }
}

/** The ping sockets of one namespace. */
export class PingSockets {
  readonly ip: Ipv4Stack;
  #sockets = new Map<number, PingSocket>();
  #nextId: number;

  /** Ping sockets over an IPv4 layer. */
  constructor(ip: Ipv4Stack) {
    this.ip = ip;
    this.#nextId = ip.ns.sim.rng(`ping ids ${ip.ns.nodeName}/${ip.ns.name}`).int(1, 0xfff0);
    ip.icmpListeners.push((p, iface) => this.#receive(p, iface));
    ip.errorHandlers.set(IpProto.ICMP, (e) => this.#error(e));
  }

  /** Open a socket with a fresh identifier (or the one given). */
  open(id?: number): PingSocket {
    let ident = id ?? this.#nextId++;
    while (id === undefined && this.#sockets.has(ident)) ident = (this.#nextId++ & 0xffff) || 1;
    const s = new PingSocket(this, ident & 0xffff);
    this.#sockets.set(s.id, s);
    return s;
  }

  /** Forget a socket. */
  close(s: PingSocket): void {
    this.#sockets.delete(s.id);
  }

  /** Build and send an echo request. */
  send(
    s: PingSocket,
    dst: Ip4,
    seq: number,
    data: Uint8Array | number,
    o: OutputOptions & { ttl?: number; tos?: number; df?: boolean; src?: Ip4 },
  ): Errno | undefined {
    const ns = this.ip.ns;
    const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
    p.ip = {
      tos: o.tos ?? 0,
      id: this.ip.nextId(),
      df: o.df ?? ns.sysctl.num("net.ipv4.ip_no_pmtu_disc") === 0,
      mf: false,
      fragOffset: 0,
      ttl: o.ttl ?? ns.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.ICMP,
      src: o.src ?? 0,
      dst,
      options: undefined,
    };
    p.icmp = { type: 8, code: 0, rest: ((s.id << 16) | (seq & 0xffff)) >>> 0, payload: data };
    ns.sim.trace.birth(p);
    return this.ip.output(p, o);
  }

  #receive(p: Packet, iface: Interface): boolean {
    const m = p.icmp!;
    if (m.type !== 0) return false;
    const s = this.#sockets.get(m.rest >>> 16);
    if (!s) return false;
    const len = typeof m.payload === "number" ? m.payload : m.payload.length;
    this.ip.ns.sim.trace.deliver(iface, p, `ping id ${s.id}`);
    s.onReply?.({
      from: p.ip!.src,
      seq: m.rest & 0xffff,
      ttl: p.ip!.ttl,
      data: m.payload,
      bytes: len + 8,
      time: this.ip.ns.sim.now,
      iface,
    });
    return true;
  }

  #error(e: IcmpError): void {
    const id = e.quoted.echoId;
    if (id === undefined) return;
    this.#sockets.get(id)?.onError?.(e);
  }
}
