/**
 * A DHCP relay agent (RFC 1542 §4, RFC 2131 §4.1) as ISC dhcrelay 4.4 runs on
 * a router: it takes a client's broadcast BOOTREQUEST on one interface, writes
 * that interface's address into `giaddr` (unless a relay before it did),
 * counts a hop, and unicasts the message from port 67 to each server; a
 * server's BOOTREPLY (sent to giaddr, port 67) goes out of the interface that
 * owns giaddr — broadcast when the client set the BROADCAST flag, else unicast
 * to yiaddr at the client's MAC in a frame built by hand (dhcrelay's LPF
 * socket: TOS 0x10, TTL 128, id 0), since the client has no address yet.
 *
 * Simplified: no relay agent information option (82), no separate upstream
 * and downstream interface roles (every listed interface is both, as
 * `-i`), a request with `hops` at the limit (10) is dropped silently.
 *
 * @module
 */
import { BROADCAST_MAC, type Ip4 } from "../../wire/packet.ts";
import { formatIp4, formatMac } from "../../wire/addr.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Datagram, UdpSocket } from "../../transport/udp.ts";
import { BootpOp, type DhcpMessage, encodeDhcp } from "./message.ts";
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT, sendRawDhcp, tryDecodeDhcp } from "./packet_socket.ts";

const LIMITED_BROADCAST = 0xffffffff;

/** A relay's configuration (dhcrelay's command line). */
export interface DhcpRelayConfig {
  /** The servers every request goes to. */
  servers: Ip4[];
  /** Interfaces to relay on (`-i`); every interface with an address when absent. */
  interfaces?: string[];
  /** Requests that have crossed this many relays are dropped (dhcrelay's -c, default 10). */
  maxHops?: number;
}

/**
 * A relay agent in one namespace (usually a router's root namespace).
 *
 * @example
 * ```ts ignore
 * const relay = new DhcpRelay(router.root, { servers: [ip("172.16.0.1")] });
 * relay.start();
 * ```
 */
export class DhcpRelay {
  /** The namespace it runs in. */
  readonly ns: NetNs;
  /** Its configuration. */
  readonly config: DhcpRelayConfig;
  /** Called with each line dhcrelay logs ("Forwarded BOOTREQUEST for … to …"). */
  onLog: ((line: string) => void) | undefined;
  /** Requests and replies forwarded, and messages dropped. */
  readonly counters = { requests: 0, replies: 0, dropped: 0 };
  #socket: UdpSocket | undefined;

  /** A relay (not yet running) with this configuration. */
  constructor(ns: NetNs, config: DhcpRelayConfig) {
    this.ns = ns;
    this.config = config;
  }

  /** Bind port 67 and relay. Returns "EADDRINUSE" when a server or relay has the port. */
  start(): "EADDRINUSE" | undefined {
    if (this.#socket) return undefined;
    const s = this.ns.udp.socket();
    if (s.bind(0, DHCP_SERVER_PORT) !== undefined) return "EADDRINUSE";
    s.broadcast = true;
    s.onMessage = () => {
      for (let d = s.recv(); d !== undefined; d = s.recv()) this.#packet(d);
    };
    this.#socket = s;
    return undefined;
  }

  /** Stop relaying. */
  stop(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }

  /** Whether it is running. */
  get running(): boolean {
    return this.#socket !== undefined;
  }

  #listens(name: string): boolean {
    const list = this.config.interfaces;
    return list === undefined || list.length === 0 || list.includes(name);
  }

  #packet(d: Datagram): void {
    const m = tryDecodeDhcp(d.data);
    if (typeof m === "string") {
      this.counters.dropped++;
      return;
    }
    if (m.op === BootpOp.REQUEST) this.#request(m, d);
    else if (m.op === BootpOp.REPLY) this.#reply(m);
  }

  #request(m: DhcpMessage, d: Datagram): void {
    if (!this.#listens(d.iface.name)) return;
    if (m.hops >= (this.config.maxHops ?? 10)) {
      this.counters.dropped++;
      return;
    }
    if (m.giaddr === 0) {
      const a = this.ns.ip.addressesOf(d.iface).find((x) => !x.secondary);
      if (a === undefined) {
        this.counters.dropped++;
        return;
      }
      m.giaddr = a.addr;
    }
    m.hops++;
    const bytes = encodeDhcp(m);
    for (const server of this.config.servers) {
      this.#socket!.sendTo(bytes, server, DHCP_SERVER_PORT);
      this.#log(`Forwarded BOOTREQUEST for ${formatMac(m.chaddr)} to ${formatIp4(server)}`);
    }
    this.counters.requests++;
  }

  #reply(m: DhcpMessage): void {
    const owner = this.ns.ip.addrs.find((a) => a.addr === m.giaddr);
    if (owner === undefined || !this.#listens(owner.iface.name)) {
      this.counters.dropped++;
      return;
    }
    const iface = owner.iface;
    const broadcast = m.broadcast;
    const dst = broadcast ? LIMITED_BROADCAST : m.yiaddr;
    this.#log(`BOOTREPLY giaddr: ${formatIp4(m.giaddr)}`);
    this.#log("");
    sendRawDhcp(this.ns.dev, iface, {
      dstMac: broadcast ? BROADCAST_MAC : m.chaddr,
      src: owner.addr,
      dst,
      srcPort: DHCP_SERVER_PORT,
      dstPort: DHCP_CLIENT_PORT,
      message: m,
      ttl: 128,
      tos: 0x10,
    });
    this.#log(`Forwarded BOOTREPLY for ${formatMac(m.chaddr)} to ${formatIp4(dst)}`);
    this.counters.replies++;
  }

  #log(line: string): void {
    this.onLog?.(line);
  }
}
