/**
 * The packet socket through which DHCP clients and relay agents talk on an
 * interface that may have no address yet, as ISC dhclient and dhcrelay do on
 * Linux (LPF: an AF_PACKET socket with a BPF filter for one UDP port).
 *
 * Sending builds the whole Ethernet/IPv4/UDP frame (a source of 0.0.0.0 is
 * fine) and hands it to the interface: no routing, no ARP, no netfilter.
 * Receiving takes every unfragmented UDP datagram to the socket's port that
 * arrives on its interface addressed to the interface's MAC or to broadcast,
 * whatever its IP destination, before the IP layer sees it.
 *
 * Simplified: Linux gives the packet socket a copy and lets the IP layer
 * process (and usually drop) the original; here the socket takes the frame, so
 * the trace shows one delivery instead of a delivery and a drop. Frames that
 * do not decode as DHCP are dropped as malformed.
 *
 * @module
 */
import {
  EtherType,
  type Ip4,
  IpProto,
  type Mac,
  newPacket,
  type Packet,
  type Payload,
} from "../../wire/packet.ts";
import { DropReason } from "../../sim/trace.ts";
import type { Interface } from "../../net/interface.ts";
import type { Namespace, PacketSocketHandler } from "../../net/namespace.ts";
import { WireError } from "../../wire/errors.ts";
import { decodeDhcp, type DhcpMessage, encodeDhcp } from "./message.ts";

/** The DHCP server port (RFC 2131 §4.1). */
export const DHCP_SERVER_PORT = 67;
/** The DHCP client port (RFC 2131 §4.1). */
export const DHCP_CLIENT_PORT = 68;

/**
 * Decode a UDP payload as DHCP; the error text for bytes that are not DHCP (or
 * a virtual payload), instead of an exception.
 */
export function tryDecodeDhcp(data: Payload): DhcpMessage | string {
  if (typeof data === "number") return "virtual payload";
  try {
    return decodeDhcp(data);
  } catch (e) {
    if (e instanceof WireError) return e.message;
    throw e;
  }
}

/** One frame to build and send on an interface. */
export interface RawDhcpSend {
  /** Destination MAC (broadcast, or the client's chaddr). */
  dstMac: Mac;
  /** IPv4 source (0.0.0.0 before the host has an address). */
  src: Ip4;
  /** IPv4 destination. */
  dst: Ip4;
  /** UDP source port. */
  srcPort: number;
  /** UDP destination port. */
  dstPort: number;
  /** The DHCP message. */
  message: DhcpMessage;
  /** IP TTL (ISC dhclient writes 128 into the headers it builds). */
  ttl?: number;
  /** IP TOS byte (ISC dhclient: 0x10, IPTOS_LOWDELAY). */
  tos?: number;
}

/** A DHCP message received by a packet socket, with where it came from. */
export interface RawDhcpReceived {
  /** The decoded message. */
  message: DhcpMessage;
  /** The frame it came in (a reference, not a copy: read, do not keep). */
  packet: Packet;
  /** IPv4 source of the datagram. */
  src: Ip4;
  /** IPv4 destination of the datagram. */
  dst: Ip4;
  /** Source MAC of the frame. */
  srcMac: Mac;
  /** Arrival time, ns. */
  time: number;
}

/**
 * A packet socket bound to one interface and one UDP port.
 *
 * @example
 * ```ts ignore
 * const sock = new DhcpPacketSocket(ns.dev, ns.iface("eth0"), DHCP_CLIENT_PORT, (r) => seen.push(r));
 * sock.send({ dstMac: BROADCAST_MAC, src: 0, dst: 0xffffffff, srcPort: 68, dstPort: 67, message });
 * ```
 */
export class DhcpPacketSocket {
  /** The interface it is bound to. */
  readonly iface: Interface;
  /** The UDP port it receives. */
  readonly port: number;
  #dev: Namespace;
  #handler: PacketSocketHandler;
  #open = true;

  /** Open a socket on `iface` for datagrams to UDP `port`; `onMessage` gets each one. */
  constructor(
    dev: Namespace,
    iface: Interface,
    port: number,
    onMessage: (r: RawDhcpReceived) => void,
  ) {
    this.#dev = dev;
    this.iface = iface;
    this.port = port;
    this.#handler = (inIf, p, type) => {
      if (inIf !== this.iface || type === "multicast" || p.eth.type !== EtherType.IPv4) {
        return false;
      }
      const ip = p.ip;
      const u = p.udp;
      if (ip === undefined || ip.proto !== IpProto.UDP || u === undefined || u.dstPort !== port) {
        return false;
      }
      const trace = dev.sim.trace;
      const message = tryDecodeDhcp(u.payload);
      if (typeof message === "string") {
        trace.drop(inIf, p, DropReason.malformed, `dhcp: ${message}`);
        return true;
      }
      trace.deliver(inIf, p, `packet socket udp port ${port}`);
      onMessage({
        message,
        packet: p,
        src: ip.src,
        dst: ip.dst,
        srcMac: p.eth.src,
        time: dev.sim.now,
      });
      return true;
    };
    dev.packetSockets.push(this.#handler);
  }

  /** Whether the socket is still open. */
  get open(): boolean {
    return this.#open;
  }

  /** Build the frame and transmit it on the interface (nothing is sent once closed). */
  send(o: RawDhcpSend): void {
    if (!this.#open) return;
    sendRawDhcp(this.#dev, this.iface, o);
  }

  /** Stop receiving. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const i = this.#dev.packetSockets.indexOf(this.#handler);
    if (i >= 0) this.#dev.packetSockets.splice(i, 1);
  }
}

/** Build an Ethernet/IPv4/UDP frame carrying a DHCP message and transmit it on `iface`. */
export function sendRawDhcp(dev: Namespace, iface: Interface, o: RawDhcpSend): void {
  const p = newPacket({ dst: o.dstMac, src: iface.mac, type: EtherType.IPv4, vlan: undefined });
  p.ip = {
    tos: o.tos ?? 0,
    // Headers built by hand carry id 0 and no DF, as dhclient's assemble_udp_ip_header.
    id: 0,
    df: false,
    mf: false,
    fragOffset: 0,
    ttl: o.ttl ?? 64,
    proto: IpProto.UDP,
    src: o.src,
    dst: o.dst,
    options: undefined,
  };
  p.udp = { srcPort: o.srcPort, dstPort: o.dstPort, payload: encodeDhcp(o.message) };
  dev.sim.trace.birth(p);
  iface.transmit(p);
}
