/**
 * One network namespace as a whole: its devices, IPv4 layer (addresses,
 * routes, neighbours, ICMP), UDP and ping sockets. Linux gives each namespace
 * its own copy of all of these; so does packetlab.
 *
 * @module
 */
import { Namespace, type NamespaceEnv } from "../net/namespace.ts";
import { Ipv4Stack } from "../ip/ipv4.ts";
import { UdpStack } from "../transport/udp.ts";
import { PingSockets } from "../transport/ping_socket.ts";
import { TcpStack } from "../transport/tcp/stack.ts";
import type { LinuxBridge } from "../l2/bridge.ts";
import type { Interface } from "../net/interface.ts";
import { InstantMedium } from "../net/link.ts";
import { ip as parseIp } from "../wire/addr.ts";
import { Netfilter } from "../netfilter/netfilter.ts";

const LOOPBACK_ADDR = parseIp("127.0.0.1");

/** A network namespace with its full stack. */
export class NetNs {
  /** Namespace name; "" for the root namespace of a node. */
  readonly name: string;
  /** Devices and sysctls. */
  readonly dev: Namespace;
  /** IPv4, ARP and ICMP. */
  readonly ip: Ipv4Stack;
  /** UDP sockets. */
  readonly udp: UdpStack;
  /** ICMP echo sockets. */
  readonly ping: PingSockets;
  /** TCP sockets. */
  readonly tcp: TcpStack;
  /** Linux bridges by device name (`ip link add … type bridge`). */
  readonly bridges: Map<string, LinuxBridge> = new Map();
  /** Name of the node it lives on. */
  readonly nodeName: string;
  #netfilter: Netfilter | undefined;

  /**
   * A namespace with `lo` down and no addresses, as `ip netns add` makes.
   * Bringing `lo` up gives it 127.0.0.1/8 (scope host) if it lacks it, as
   * Linux's inetdev does on NETDEV_UP of a loopback device.
   */
  constructor(env: NamespaceEnv, nodeName: string, name: string) {
    this.name = name;
    this.nodeName = nodeName;
    this.dev = new Namespace(env, nodeName, name);
    this.ip = new Ipv4Stack(this.dev);
    this.udp = new UdpStack(this.ip);
    this.ping = new PingSockets(this.ip);
    this.tcp = new TcpStack(this.ip);
    const lo = this.dev.lo;
    this.dev.listeners.push((iface, what) => {
      if (iface !== lo || what !== "state" || !lo.adminUp) return;
      this.ip.addAddress(lo, LOOPBACK_ADDR, 8, { scope: "host" });
    });
  }

  /** Netfilter (iptables tables, conntrack, NAT), hooked into the IPv4 layer on first use. */
  get netfilter(): Netfilter {
    return this.#netfilter ??= new Netfilter(this.ip).attach();
  }

  /** Whether netfilter has been set up (without setting it up). */
  get hasNetfilter(): boolean {
    return this.#netfilter !== undefined;
  }

  /** An interface by name (throws when absent: for code, not the shell). */
  iface(name: string): Interface {
    const i = this.dev.get(name);
    if (!i) {
      throw new Error(`${this.nodeName}${this.name ? "/" + this.name : ""}: no interface ${name}`);
    }
    return i;
  }

  /** Bring `lo` up, which gives it 127.0.0.1/8 (what a booted machine has). */
  bootLoopback(): void {
    this.dev.lo.setAdmin(true);
  }

  /** Packets held in this namespace's queues (interfaces, neighbours, reassembly). */
  get held(): number {
    let n = this.ip.held;
    for (const i of this.dev.interfaces.values()) {
      n += i.queued;
      if (i.medium instanceof InstantMedium) n += i.medium.inFlight;
    }
    return n;
  }
}
