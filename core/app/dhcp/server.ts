/**
 * A DHCP server (RFC 2131 §4.3) that decides as dnsmasq 2.90 does and logs
 * dnsmasq's lines: address ranges ("contexts") tied to the interface a request
 * came in on or to the relay agent's giaddr, static hosts by MAC, options,
 * PXE boot fields, authoritative mode, and the ICMP echo check of an address
 * before offering it.
 *
 * What it models:
 * - Address choice on DISCOVER, in dnsmasq's order: the host's static address,
 *   the client's current lease, its reservation, the address it asks for
 *   (option 50), else a free one starting at the SDBM hash of its MAC within
 *   the range (so a MAC gets the same address dnsmasq would give it). Each new
 *   candidate is pinged first (3 s, during which the server hears no other
 *   DHCP message, as dnsmasq); an answer makes it skip the address. A clean
 *   result is remembered 30 s.
 * - Reservations: an offered address is held for the client `offerHold`
 *   seconds (RFC 2131 §4.3.1), freed early when the client's broadcast REQUEST
 *   names another server (§3.1 step 4) or when it takes another address.
 * - REQUEST in SELECTING, INIT-REBOOT, RENEWING and REBINDING with dnsmasq's
 *   checks and NAK texts ("wrong network", "address not available", "lease not
 *   found", "wrong address", "address in use", "address reserved", "static
 *   lease available", "wrong server-ID"); without `authoritative` a request
 *   about a lease it does not know is ignored.
 * - DECLINE (the lease goes, the address is marked unusable for ten minutes as
 *   RFC 2131 §4.3.3 asks; dnsmasq also moves the hash start), RELEASE, expiry,
 *   pool exhaustion ("no address available").
 * - Replies to the relay (giaddr, port 67), to ciaddr, by broadcast (BROADCAST
 *   flag, NAKs) or unicast to yiaddr at chaddr through an injected ARP entry, as
 *   dnsmasq on Linux; TOS 0xc0, no DF. Options in dnsmasq's order (53, 54, 51,
 *   boot 66/67 when asked, 58, 59, 1, 28, 3, 6, 15, 12, then configured ones
 *   newest first, only those asked for); siaddr is the boot server or itself.
 *
 * What it leaves out: client identifiers as lease keys (leases go by MAC),
 * tags, DHCPINFORM, BOOTP clients, option 82, the lease file and lease-change
 * scripts, DNS (with `dns` on, it only advertises itself as DNS server, as
 * dnsmasq does), and the load limit on pings.
 *
 * @module
 */
import type { Ip4, Mac } from "../../wire/packet.ts";
import { broadcastOf, formatIp4, formatMac, inPrefix, maskLength } from "../../wire/addr.ts";
import type { Interface } from "../../net/interface.ts";
import type { NetNs } from "../../node/netns.ts";
import type { Rng } from "../../sim/rng.ts";
import type { Datagram, UdpSocket } from "../../transport/udp.ts";
import type { PingSocket } from "../../transport/ping_socket.ts";
import {
  BootpOp,
  type DhcpMessage,
  DhcpMessageType,
  dhcpMessageTypeName,
  encodeDhcp,
} from "./message.ts";
import { DHCP_CLIENT_PORT, DHCP_SERVER_PORT, tryDecodeDhcp } from "./packet_socket.ts";
import { INFINITE_LEASE } from "./client.ts";

const SEC = 1e9;
const LIMITED_BROADCAST = 0xffffffff;
/** dnsmasq's PING_WAIT: seconds to wait for an echo reply. */
const PING_WAIT = 3;
/** dnsmasq's PING_CACHE_TIME: seconds a clean ping result is trusted. */
const PING_CACHE_TIME = 30;
/** dnsmasq's DECLINE_BACKOFF: seconds a declined address is left alone. */
const DECLINE_BACKOFF = 600;
/** Option 56, a message text (RFC 2132 §9.9). */
const OPTION_MESSAGE = 56;

/** An address range (`--dhcp-range=START,END[,NETMASK][,LEASE]`). */
export interface DhcpRange {
  /** First address. */
  start: Ip4;
  /** Last address (for a static range, equal to start). */
  end: Ip4;
  /** Netmask; required for a subnet served through a relay, else the interface's. */
  netmask?: Ip4;
  /** Lease time in seconds ({@link INFINITE_LEASE} for infinite). */
  leaseTime: number;
  /** `static`: only hosts with a configured address are served from it. */
  static?: boolean;
}

/** A host configured by MAC (`--dhcp-host=MAC[,IP][,NAME][,LEASE][,ignore]`). */
export interface DhcpStaticHost {
  /** The host's MAC. */
  mac: Mac;
  /** Its fixed address. */
  address?: Ip4;
  /** Its host name. */
  hostName?: string;
  /** Its lease time in seconds. */
  leaseTime?: number;
  /** Never answer it. */
  ignore?: boolean;
}

/** One configured option (`--dhcp-option=CODE,VALUE…`). */
export interface DhcpOptionSetting {
  /** Option code. */
  code: number;
  /** The option's bytes. */
  data: Uint8Array;
  /** A list of addresses: a 0.0.0.0 in it means "this server's address". */
  addresses?: boolean;
  /** Send it even when the client did not ask (`--dhcp-option-force`). */
  force?: boolean;
}

/** PXE boot information (`--dhcp-boot=FILE[,SERVERNAME[,SERVERADDRESS]]`). */
export interface DhcpBootSetting {
  /** Boot file name, e.g. "pxelinux.0". */
  file: string;
  /** TFTP server name (sname). */
  serverName?: string;
  /** TFTP server address (siaddr); the DHCP server's own address when absent. */
  serverAddress?: Ip4;
}

/** A server's configuration. */
export interface DhcpServerConfig {
  /** Address ranges, in the order given. */
  ranges: DhcpRange[];
  /** Hosts by MAC. */
  hosts?: DhcpStaticHost[];
  /** Options, in the order given (sent newest first, as dnsmasq). */
  options?: DhcpOptionSetting[];
  /** PXE boot file and server. */
  boot?: DhcpBootSetting;
  /** `--dhcp-authoritative`: NAK requests about unknown leases instead of ignoring them. */
  authoritative?: boolean;
  /** Ping an address before offering it (default true; `--no-ping` turns it off). */
  ping?: boolean;
  /** Seconds an offered address stays reserved for the client (default 60). */
  offerHold?: number;
  /** Serve only requests arriving on these interfaces (`--interface`). */
  interfaces?: string[];
  /** Never serve requests arriving on these (`--except-interface`). */
  exceptInterfaces?: string[];
  /** Domain (`--domain`), sent as option 15 when asked. */
  domain?: string;
  /** The server also does DNS on port 53: it offers itself as DNS server (dnsmasq's default). */
  dns?: boolean;
  /** `--log-dhcp`: log every option sent, with the xid. */
  logDhcp?: boolean;
  /** `--dhcp-no-override`: boot file and server name always in the fixed fields, never as options. */
  noOverride?: boolean;
}

/** A lease the server has granted. */
export interface DhcpServerLease {
  /** The leased address. */
  address: Ip4;
  /** The client's MAC. */
  mac: Mac;
  /** Host name the client gave or the configuration assigned. */
  hostName: string | undefined;
  /** When it expires, ns (Infinity for an infinite lease). */
  expires: number;
  /** The interface the client is reached through. */
  iface: string;
}

/** An address held for a client between OFFER and REQUEST. */
export interface DhcpReservation {
  /** The offered address. */
  address: Ip4;
  /** The client's MAC. */
  mac: Mac;
  /** Until when it is held, ns. */
  until: number;
}

/** One served subnet as matched for a request (dnsmasq's dhcp_context). */
interface Context {
  range: DhcpRange;
  netmask: Ip4;
  prefix: number;
  /** The server's own address towards this subnet (server identifier). */
  local: Ip4;
  /** Default router (the server itself, or the relay for a relayed subnet). */
  router: Ip4;
  broadcast: Ip4;
}

/** What the processing of one request produced. */
interface Outcome {
  reply: DhcpMessage | undefined;
  /** The reply must be broadcast (NAK rules). */
  forceBroadcast?: boolean;
}

/**
 * A DHCP server in one namespace, listening on UDP port 67.
 *
 * @example
 * ```ts ignore
 * const server = new DhcpServer(router.root, {
 *   ranges: [{ start: ip("192.168.1.100"), end: ip("192.168.1.200"), leaseTime: 43200 }],
 *   options: [{ code: 3, data: new Uint8Array([192, 168, 1, 1]), addresses: true }],
 *   boot: { file: "pxelinux.0" },
 * });
 * server.start();
 * ```
 */
export class DhcpServer {
  /** The namespace it runs in. */
  readonly ns: NetNs;
  /** Its configuration. */
  readonly config: DhcpServerConfig;
  /** Called with each line dnsmasq would log ("DHCPOFFER(eth0) 192.168.1.135 52:54:00:a1:b2:c3 "). */
  onLog: ((line: string) => void) | undefined;
  /** Messages received and sent, by type name. */
  readonly counters: Map<string, number> = new Map();
  #socket: UdpSocket | undefined;
  #leases = new Map<Mac, DhcpServerLease>();
  #reserved = new Map<Mac, DhcpReservation>();
  #declined = new Map<Ip4, number>();
  #staticDeclined = new Map<Mac, number>();
  #pingCache = new Map<Ip4, number>();
  #epoch = 0;
  #busy = false;
  /** The relay a range was last reached through (dnsmasq keeps it in the context). */
  #relayRouter = new Map<DhcpRange, Ip4>();
  #rng: Rng;

  /** A server (not yet listening) with this configuration. */
  constructor(ns: NetNs, config: DhcpServerConfig) {
    this.ns = ns;
    this.config = config;
    this.#rng = ns.dev.sim.rng(`dhcp server ${ns.nodeName}/${ns.name}`);
  }

  /** Whether it is listening. */
  get running(): boolean {
    return this.#socket !== undefined;
  }

  /** Bind port 67 and serve. Returns "EADDRINUSE" when another server has the port. */
  start(): "EADDRINUSE" | undefined {
    if (this.#socket) return undefined;
    const s = this.ns.udp.socket();
    const e = s.bind(0, DHCP_SERVER_PORT);
    if (e !== undefined) return "EADDRINUSE";
    s.broadcast = true;
    s.onMessage = () => this.#drain();
    this.#socket = s;
    return undefined;
  }

  /** Stop serving (the port is freed; leases are kept in memory). */
  stop(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }

  /** Unexpired leases, by address. */
  leases(): DhcpServerLease[] {
    this.#prune();
    return [...this.#leases.values()].sort((a, b) => a.address - b.address);
  }

  /** Addresses held for clients that were offered them. */
  reservations(): DhcpReservation[] {
    this.#prune();
    return [...this.#reserved.values()].sort((a, b) => a.address - b.address);
  }

  /** Add a lease (as read back from a lease file when the server starts). */
  addLease(lease: DhcpServerLease): void {
    this.#leases.set(lease.mac, { ...lease });
  }

  /** The lease of a MAC, if any. */
  leaseOf(mac: Mac): DhcpServerLease | undefined {
    this.#prune();
    return this.#leases.get(mac);
  }

  get #now(): number {
    return this.ns.dev.sim.now;
  }

  #count(name: string): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + 1);
  }

  #log(line: string): void {
    this.onLog?.(line);
  }

  #prune(): void {
    const now = this.#now;
    for (const [mac, l] of this.#leases) if (l.expires <= now) this.#leases.delete(mac);
    for (const [mac, r] of this.#reserved) if (r.until <= now) this.#reserved.delete(mac);
  }

  /** Process queued datagrams, unless a ping is under way (dnsmasq is deaf meanwhile). */
  #drain(): void {
    while (!this.#busy && this.#socket !== undefined) {
      const d = this.#socket.recv();
      if (d === undefined) return;
      this.#packet(d);
    }
  }

  // ------------------------------------------------------------- one packet

  #packet(d: Datagram): void {
    const m = tryDecodeDhcp(d.data);
    if (typeof m === "string") return;
    if (m.op !== BootpOp.REQUEST) return;
    const iface = d.iface;
    const c = this.config;
    if (
      c.interfaces !== undefined && c.interfaces.length > 0 && !c.interfaces.includes(iface.name)
    ) {
      return;
    }
    if (c.exceptInterfaces?.includes(iface.name)) return;
    const local = this.ns.ip.addressesOf(iface).find((a) => !a.secondary);
    if (local === undefined) {
      this.#log(`DHCP packet received on ${iface.name} which has no address`);
      return;
    }
    this.#count(dhcpMessageTypeName(m.options.messageType));
    this.#prune();
    const contexts = this.#contexts(iface, m.giaddr, m.ciaddr, local.addr);
    if (contexts.length === 0) {
      this.#log(
        `no address range available for DHCP request via ${
          m.giaddr !== 0 ? formatIp4(m.giaddr) : iface.name
        }`,
      );
      return;
    }
    const run = this.#reply(m, d, contexts, iface);
    this.#drive(run, d, iface);
  }

  /** Run a reply computation that may stop to ping addresses. */
  #drive(run: Generator<Ip4, Outcome, boolean>, d: Datagram, iface: Interface): void {
    let step = run.next();
    const go = (inUse: boolean) => {
      step = run.next(inUse);
      finish();
    };
    const finish = () => {
      if (!step.done) {
        this.#busy = true;
        this.#ping(step.value, go);
        return;
      }
      this.#busy = false;
      const out = step.value;
      if (out.reply !== undefined) this.#send(out.reply, d, iface, out.forceBroadcast ?? false);
      this.#drain();
    };
    finish();
  }

  /** Ping an address; `done(true)` when something answered within 3 s. */
  #ping(addr: Ip4, done: (inUse: boolean) => void): void {
    const sock: PingSocket = this.ns.ping.open(this.#rng.int(1, 0xffff));
    let answered = false;
    sock.onReply = (r) => {
      if (r.from !== addr || answered) return;
      answered = true;
    };
    // struct icmp is 28 bytes: the 8-byte header and 20 bytes of zeros.
    sock.send(addr, 0, new Uint8Array(20));
    // The wait ends after whatever else is due at that instant (the kernel giving up ARP).
    const sim = this.ns.dev.sim;
    sim.after(PING_WAIT * SEC, () =>
      sim.after(0, () => {
        sock.close();
        if (!answered) this.#pingCache.set(addr, this.#now);
        done(answered);
      }));
  }

  /** The contexts serving a request: by giaddr for relayed ones, else by the interface's subnet. */
  /**
   * The contexts serving a request (dnsmasq's dhcp_reply prologue): by giaddr
   * for a relayed one; else those on the arrival interface's subnet — or, for a
   * renewal (ciaddr) from a subnet behind a relay, the range holding ciaddr. A
   * range without a netmask gets its address class's mask there, as dnsmasq
   * guesses it; the router of a relayed subnet is the relay.
   */
  #contexts(iface: Interface, giaddr: Ip4, ciaddr: Ip4, local: Ip4): Context[] {
    const onLink: Context[] = [];
    for (const range of this.config.ranges) {
      for (const a of this.ns.ip.addressesOf(iface)) {
        const len = range.netmask !== undefined ? (maskLength(range.netmask) ?? a.len) : a.len;
        if (!inPrefix(range.start, a.addr, len) || !inPrefix(range.end, a.addr, len)) continue;
        onLink.push(context(range, len, a.addr, a.addr));
        break;
      }
    }
    const addr = giaddr !== 0 ? giaddr : ciaddr;
    if (addr === 0) return onLink;
    if (giaddr === 0 && onLink.some((c) => inPrefix(ciaddr, c.range.start, c.prefix))) {
      return onLink;
    }
    const out: Context[] = [];
    for (const range of this.config.ranges) {
      const mask = range.netmask ?? classMask(range.start, range.end);
      const len = maskLength(mask) ?? 32;
      if (!inPrefix(addr, range.start, len) || !inPrefix(addr, range.end, len)) continue;
      if (giaddr !== 0) this.#relayRouter.set(range, giaddr);
      out.push(context(range, len, local, this.#relayRouter.get(range) ?? 0));
    }
    return giaddr !== 0 || out.length > 0 ? out : onLink;
  }

  #hostOf(mac: Mac): DhcpStaticHost | undefined {
    return this.config.hosts?.find((h) => h.mac === mac);
  }

  #hostWithAddress(addr: Ip4): DhcpStaticHost | undefined {
    return this.config.hosts?.find((h) => h.address === addr);
  }

  #leaseByAddress(addr: Ip4): DhcpServerLease | undefined {
    for (const l of this.#leases.values()) if (l.address === addr) return l;
    return undefined;
  }

  #reservedByAddress(addr: Ip4): DhcpReservation | undefined {
    for (const r of this.#reserved.values()) if (r.address === addr) return r;
    return undefined;
  }

  /** dnsmasq's address_available: inside a dynamic range of these contexts, not the server's own. */
  #inRange(contexts: Context[], addr: Ip4): Context | undefined {
    for (const c of contexts) {
      if (c.range.static) continue;
      if (addr >= c.range.start && addr <= c.range.end && addr !== c.router && addr !== c.local) {
        return c;
      }
    }
    return undefined;
  }

  /** The context whose subnet holds `addr` (dnsmasq's narrow_context). */
  #narrow(contexts: Context[], addr: Ip4): Context | undefined {
    return this.#inRange(contexts, addr) ??
      contexts.find((c) => inPrefix(addr, c.range.start, c.prefix));
  }

  /** Free for `mac`: nobody else leases, holds, owns statically or declined it. */
  #freeFor(addr: Ip4, mac: Mac): boolean {
    const l = this.#leaseByAddress(addr);
    if (l !== undefined && l.mac !== mac) return false;
    const r = this.#reservedByAddress(addr);
    if (r !== undefined && r.mac !== mac) return false;
    const h = this.#hostWithAddress(addr);
    if (h !== undefined && h.mac !== mac) return false;
    const d = this.#declined.get(addr);
    if (d !== undefined && this.#now - d < DECLINE_BACKOFF * SEC) return false;
    return true;
  }

  #pingCached(addr: Ip4): boolean {
    if (this.config.ping === false) return true;
    const t = this.#pingCache.get(addr);
    return t !== undefined && this.#now - t <= PING_CACHE_TIME * SEC;
  }

  /** dnsmasq's address_allocate: from the MAC's SDBM hash, the first free address that no one answers for. */
  *#allocate(contexts: Context[], mac: Mac): Generator<Ip4, Ip4 | undefined, boolean> {
    let j = 0;
    for (let i = 5; i >= 0; i--) {
      const b = Math.floor(mac / 2 ** (8 * i)) % 256;
      j = (b + ((j << 6) >>> 0) + ((j << 16) >>> 0) - j) >>> 0;
    }
    if (j === 0) j = 1;
    for (const c of contexts) {
      if (c.range.static) continue;
      const size = c.range.end - c.range.start + 1;
      const start = c.range.start + ((j + this.#epoch) % size);
      let addr = start;
      do {
        const classC = (addr >>> 29) === 6;
        const octet = addr & 0xff;
        if (
          addr !== c.router && addr !== c.local && this.#freeFor(addr, mac) &&
          !(classC && (octet === 0 || octet === 255))
        ) {
          if (this.#pingCached(addr)) return addr;
          const inUse: boolean = yield addr;
          if (!inUse) return addr;
          this.#epoch++;
        }
        addr = addr === c.range.end ? c.range.start : addr + 1;
      } while (addr !== start);
    }
    return undefined;
  }

  #logPacket(
    type: string,
    iface: string,
    addr: Ip4 | undefined,
    mac: Mac,
    extra: string,
    xid: number,
  ) {
    const a = addr === undefined ? "" : formatIp4(addr) + " ";
    const prefix = this.config.logDhcp ? `${xid} ` : "";
    this.#log(`${prefix}${type}(${iface}) ${a}${formatMac(mac)} ${extra}`);
  }

  /** dnsmasq's dhcp_reply: what to answer to one request. */
  *#reply(
    m: DhcpMessage,
    d: Datagram,
    contexts: Context[],
    iface: Interface,
  ): Generator<Ip4, Outcome, boolean> {
    const c = this.config;
    const mac = m.chaddr;
    const ifname = iface.name;
    const host = this.#hostOf(mac);
    const lease = this.#leases.get(mac);
    const type = m.options.messageType;
    const serverId = contexts[0]!.local;
    const unicastDest = d.to !== LIMITED_BROADCAST;
    if (this.config.logDhcp) {
      const ranges = contexts.map((x) =>
        `${formatIp4(x.range.start)} -- ${formatIp4(x.range.end)}`
      );
      for (const r of ranges) this.#log(`${m.xid} available DHCP range: ${r}`);
      if (m.options.hostName !== undefined) {
        this.#log(`${m.xid} client provides name: ${m.options.hostName}`);
      }
    }
    switch (type) {
      case DhcpMessageType.DECLINE: {
        if (m.options.serverId !== serverId) return { reply: undefined };
        const addr = m.options.requestedAddress;
        if (addr === undefined) return { reply: undefined };
        this.#logPacket("DHCPDECLINE", ifname, addr, mac, "", m.xid);
        if (lease !== undefined && lease.address === addr) this.#leases.delete(mac);
        this.#reserved.delete(mac);
        this.#declined.set(addr, this.#now);
        if (host?.address === addr) {
          this.#log(`disabling DHCP static address ${formatIp4(addr)} for 10m`);
          this.#staticDeclined.set(mac, this.#now);
        } else this.#epoch++;
        return { reply: undefined };
      }
      case DhcpMessageType.RELEASE: {
        const ctx = this.#narrow(contexts, m.ciaddr);
        if (ctx === undefined || m.options.serverId !== serverId) return { reply: undefined };
        let message = "";
        if (lease !== undefined && lease.address === m.ciaddr) this.#leases.delete(mac);
        else message = "unknown lease";
        this.#logPacket("DHCPRELEASE", ifname, m.ciaddr, mac, message, m.xid);
        return { reply: undefined };
      }
      case DhcpMessageType.DISCOVER: {
        const requested = m.options.requestedAddress;
        if (host?.ignore) {
          this.#logPacket("DHCPDISCOVER", ifname, requested, mac, "ignored", m.xid);
          return { reply: undefined };
        }
        let yiaddr: Ip4 | undefined;
        let conf: Ip4 | undefined;
        if (host?.address !== undefined) {
          const other = this.#leaseByAddress(host.address);
          const declinedAt = this.#staticDeclined.get(mac);
          if (other !== undefined && other.mac !== mac) {
            this.#log(
              `not using configured address ${formatIp4(host.address)} because it is leased to ${
                formatMac(other.mac)
              }`,
            );
          } else if (declinedAt !== undefined && this.#now - declinedAt < DECLINE_BACKOFF * SEC) {
            this.#log(
              `not using configured address ${
                formatIp4(host.address)
              } because it was previously declined`,
            );
          } else conf = host.address;
        }
        const held = this.#reserved.get(mac);
        if (conf !== undefined) yiaddr = conf;
        else if (
          lease !== undefined && this.#inRange(contexts, lease.address) &&
          this.#hostWithAddress(lease.address) === undefined
        ) {
          yiaddr = lease.address;
        } else if (held !== undefined && this.#inRange(contexts, held.address)) {
          yiaddr = held.address;
        } else if (
          requested !== undefined && this.#inRange(contexts, requested) &&
          this.#freeFor(requested, mac)
        ) {
          const inUse = this.#pingCached(requested) ? false : yield requested;
          if (!inUse) yiaddr = requested;
        }
        if (yiaddr === undefined) yiaddr = yield* this.#allocate(contexts, mac);
        if (yiaddr === undefined) {
          this.#logPacket("DHCPDISCOVER", ifname, requested, mac, "no address available", m.xid);
          return { reply: undefined };
        }
        this.#logPacket("DHCPDISCOVER", ifname, requested, mac, "", m.xid);
        if (c.logDhcp) this.#log(`${m.xid} tags: ${ifname}`);
        const ctx = this.#narrow(contexts, yiaddr);
        if (ctx === undefined) return { reply: undefined };
        // Hold the address for this client (RFC 2131 §4.3.1).
        this.#reserved.set(mac, {
          address: yiaddr,
          mac,
          until: this.#now + (c.offerHold ?? 60) * SEC,
        });
        this.#logPacket("DHCPOFFER", ifname, yiaddr, mac, "", m.xid);
        const time = this.#leaseTime(ctx, host, m.options.leaseTime);
        return {
          reply: this.#answer(m, DhcpMessageType.OFFER, yiaddr, ctx, time, host?.hostName, 0),
        };
      }
      case DhcpMessageType.REQUEST: {
        if (host?.ignore) return { reply: undefined };
        let yiaddr: Ip4;
        let message = "";
        let selecting = false;
        let broadcastNak = !unicastDest;
        let renewing = false;
        const requested = m.options.requestedAddress;
        if (requested !== undefined) {
          yiaddr = requested;
          const sid = m.options.serverId;
          if (sid !== undefined) {
            selecting = true;
            if (!contexts.some((x) => x.local === sid)) {
              // The client chose another server: our offer is declined (RFC 2131 §3.1 step 4).
              this.#reserved.delete(mac);
              if (!c.authoritative) return { reply: undefined };
              message = "wrong server-ID";
            }
            if (lease !== undefined && lease.address !== yiaddr) {
              this.#leases.delete(mac);
            }
          } else {
            // INIT-REBOOT.
            if (lease === undefined && !c.authoritative) return { reply: undefined };
            if (lease !== undefined && lease.address !== yiaddr) message = "wrong address";
          }
        } else {
          // RENEWING or REBINDING.
          renewing = true;
          yiaddr = m.ciaddr;
          if (
            (lease !== undefined && m.ciaddr !== lease.address) ||
            (lease === undefined && !c.authoritative)
          ) {
            if (!unicastDest) return { reply: undefined };
            message = "lease not found";
            broadcastNak = true;
          }
        }
        const currentLease = this.#leases.get(mac);
        this.#logPacket("DHCPREQUEST", ifname, yiaddr, mac, "", m.xid);
        let ctx: Context | undefined;
        if (message === "") {
          ctx = this.#narrow(contexts, yiaddr);
          const staticFree = host?.address !== undefined &&
            !(this.#staticDeclined.has(mac) &&
              this.#now - this.#staticDeclined.get(mac)! < DECLINE_BACKOFF * SEC);
          if (ctx === undefined || !inPrefix(yiaddr, ctx.range.start, ctx.prefix)) {
            message = "wrong network";
            broadcastNak = true;
          } else if (this.#inRange(contexts, yiaddr) === undefined && host?.address !== yiaddr) {
            message = "address not available";
          } else if (
            !selecting && staticFree && host!.address !== yiaddr &&
            (this.#leaseByAddress(host!.address!) === undefined ||
              this.#leaseByAddress(host!.address!)?.mac === mac)
          ) {
            message = "static lease available";
          } else if (
            this.#hostWithAddress(yiaddr) !== undefined && this.#hostWithAddress(yiaddr) !== host
          ) {
            message = "address reserved";
          } else if (currentLease === undefined && !this.#freeFor(yiaddr, mac)) {
            message = "address in use";
          }
        }
        if (message !== "") {
          this.#logPacket("DHCPNAK", ifname, yiaddr, mac, message, m.xid);
          const nak = this.#nak(m, serverId, message);
          const force = broadcastNak || m.giaddr !== 0 || m.ciaddr === 0 ||
            contexts.some((x) => inPrefix(m.ciaddr, x.local, x.prefix));
          if (force) {
            nak.broadcast = true;
            nak.ciaddr = 0;
          }
          return { reply: nak, forceBroadcast: force };
        }
        const time = this.#leaseTime(ctx!, host, m.options.leaseTime);
        const hostName = host?.hostName ?? m.options.hostName;
        this.#reserved.delete(mac);
        for (const [other, r] of this.#reserved) {
          if (r.address === yiaddr) this.#reserved.delete(other);
        }
        this.#leases.set(mac, {
          address: yiaddr,
          mac,
          hostName,
          expires: time === INFINITE_LEASE ? Infinity : this.#now + time * SEC,
          iface: ifname,
        });
        if (c.logDhcp) this.#log(`${m.xid} tags: ${ifname}`);
        this.#logPacket("DHCPACK", ifname, yiaddr, mac, hostName ?? "", m.xid);
        // Renewals are desynchronised (dnsmasq's rand16 fuzz on T1 and T2).
        const fuzz = renewing ? this.#rng.int(0, 0xffff) : 0;
        return {
          reply: this.#answer(m, DhcpMessageType.ACK, yiaddr, ctx!, time, hostName, fuzz),
        };
      }
      default:
        return { reply: undefined };
    }
  }

  /** dnsmasq's calc_time: the host's or the range's lease time, shortened by the client's wish (at least 120 s). */
  #leaseTime(ctx: Context, host: DhcpStaticHost | undefined, asked: number | undefined): number {
    let time = host?.leaseTime ?? ctx.range.leaseTime;
    if (asked !== undefined) {
      const req = Math.max(asked, 120);
      if (time === INFINITE_LEASE || (req !== INFINITE_LEASE && req < time)) time = req;
    }
    return time;
  }

  #base(m: DhcpMessage, yiaddr: Ip4): DhcpMessage {
    return {
      op: BootpOp.REPLY,
      htype: m.htype,
      hlen: m.hlen,
      // dnsmasq builds the reply in the request's buffer: hops, secs and flags stay.
      hops: m.hops,
      xid: m.xid,
      secs: m.secs,
      broadcast: m.broadcast,
      ciaddr: m.ciaddr,
      yiaddr,
      siaddr: 0,
      giaddr: m.giaddr,
      chaddr: m.chaddr,
      sname: "",
      file: "",
      options: {},
    };
  }

  #nak(m: DhcpMessage, serverId: Ip4, message: string): DhcpMessage {
    const r = this.#base(m, 0);
    r.options = {
      messageType: DhcpMessageType.NAK,
      serverId,
      raw: new Map([[OPTION_MESSAGE, latin1(message)]]),
      order: [53, 54, OPTION_MESSAGE],
    };
    return r;
  }

  /** An OFFER or ACK with dnsmasq's do_options. */
  #answer(
    m: DhcpMessage,
    type: number,
    yiaddr: Ip4,
    ctx: Context,
    time: number,
    hostName: string | undefined,
    fuzz: number,
  ): DhcpMessage {
    const c = this.config;
    const r = this.#base(m, yiaddr);
    const prl = m.options.parameterRequestList;
    const asked = (code: number) => prl === undefined || prl.includes(code);
    const configured = new Map<number, DhcpOptionSetting>();
    for (const o of c.options ?? []) configured.set(o.code, o);
    const out: Array<[number, Uint8Array]> = [];
    out.push([54, u32(ctx.local)]);
    out.push([51, u32(time)]);
    r.siaddr = ctx.local;
    const boot = c.boot;
    // The boot file and server name go in options 67 and 66 when the client asks for them.
    const asOption = (code: number) => !c.noOverride && prl !== undefined && prl.includes(code);
    if (boot !== undefined) {
      if (boot.serverName !== undefined) {
        if (asOption(66)) out.push([66, latin1(boot.serverName + "\0")]);
        else r.sname = boot.serverName;
      }
      if (asOption(67)) out.push([67, latin1(boot.file + "\0")]);
      else r.file = boot.file;
      if (boot.serverAddress !== undefined) r.siaddr = boot.serverAddress;
    }
    if (time !== INFINITE_LEASE) {
      let t1 = Math.floor(time / 2);
      let t2 = Math.floor(time * 7 / 8);
      const cfg1 = configured.get(58);
      const cfg2 = configured.get(59);
      if (cfg1?.data.length === 4) {
        const v = readU32(cfg1.data);
        if (v < time && v > 2) t1 = v;
      }
      if (cfg2?.data.length === 4) {
        const v = readU32(cfg2.data);
        if (v < time && v > 2) t2 = v;
      }
      if (t2 <= t1) t1 = t2 - 1;
      while (fuzz > Math.floor(t1 / 8)) fuzz = Math.floor(fuzz / 2);
      out.push([58, u32(t1 - fuzz)]);
      out.push([59, u32(t2 - fuzz)]);
    }
    if (!configured.has(1)) out.push([1, u32(ctx.netmask)]);
    if (!configured.has(28)) out.push([28, u32(ctx.broadcast)]);
    if (ctx.router !== 0 && asked(3) && !configured.has(3)) out.push([3, u32(ctx.router)]);
    if (c.dns && asked(6) && !configured.has(6)) out.push([6, u32(ctx.local)]);
    if (c.domain !== undefined && asked(15) && !configured.has(15)) {
      out.push([15, latin1(c.domain)]);
    }
    if (hostName !== undefined && asked(12) && !configured.has(12)) {
      out.push([12, latin1(hostName)]);
    }
    const list = [...(c.options ?? [])].reverse();
    for (const o of list) {
      if (!o.force && !asked(o.code)) continue;
      if ([58, 59, 57, 52, 81, 0, 255].includes(o.code)) continue;
      if (o.data.length === 0 && [1, 28, 3, 6, 15, 12].includes(o.code)) continue;
      if (out.some(([code]) => code === o.code)) continue;
      let data = o.data;
      if (o.addresses) {
        data = o.data.slice();
        for (let i = 0; i + 4 <= data.length; i += 4) {
          if (readU32(data.subarray(i, i + 4)) === 0) data.set(u32(ctx.local), i);
        }
      }
      out.push([o.code, data]);
    }
    r.options = {
      messageType: type,
      raw: new Map(out),
      order: [53, ...out.map(([code]) => code)],
    };
    if (this.config.logDhcp) this.#logOptions(r, prl);
    return r;
  }

  /** --log-dhcp: the requested options, boot fields and every option sent. */
  #logOptions(r: DhcpMessage, prl: number[] | undefined): void {
    const x = r.xid;
    if (prl !== undefined) {
      let line = "";
      prl.forEach((code, i) => {
        const name = OPTION_NAMES[code];
        line += `${code}${name ? ":" + name : ""}${i + 1 === prl.length ? "" : ", "}`;
        if (i + 1 === prl.length || line.length > 40) {
          this.#log(`${x} requested options: ${line}`);
          line = "";
        }
      });
    }
    if (r.file !== "") this.#log(`${x} bootfile name: ${r.file}`);
    if (r.sname !== "") this.#log(`${x} server name: ${r.sname}`);
    if (r.siaddr !== 0) this.#log(`${x} next server: ${formatIp4(r.siaddr)}`);
    if (r.broadcast && r.ciaddr === 0) this.#log(`${x} broadcast response`);
    const entries: Array<[number, Uint8Array]> = [[53, new Uint8Array([r.options.messageType!])]];
    for (const code of r.options.order!.slice(1)) entries.push([code, r.options.raw!.get(code)!]);
    for (const [code, data] of entries) {
      this.#log(
        `${x} sent size:${String(data.length).padStart(3)} option:${String(code).padStart(3)} ${
          OPTION_NAMES[code] ?? ""
        }  ${optionText(code, data)}`,
      );
    }
  }

  /** Send a reply the way dnsmasq's dhcp_packet does. */
  #send(r: DhcpMessage, d: Datagram, iface: Interface, forceBroadcast: boolean): void {
    const s = this.#socket;
    if (s === undefined) return;
    const bytes = encodeDhcp(r);
    this.#count(dhcpMessageTypeName(r.options.messageType));
    const opts = { tos: 0xc0, df: false };
    if (r.giaddr !== 0) {
      s.sendTo(bytes, r.giaddr, DHCP_SERVER_PORT, opts);
      return;
    }
    if (r.ciaddr !== 0 && !forceBroadcast) {
      const port = d.from === r.ciaddr && d.fromPort !== 0 ? d.fromPort : DHCP_CLIENT_PORT;
      s.sendTo(bytes, r.ciaddr, port, opts);
      return;
    }
    if (r.broadcast || r.hlen === 0 || r.htype === 0 || forceBroadcast) {
      s.sendTo(bytes, LIMITED_BROADCAST, DHCP_CLIENT_PORT, { ...opts, oif: iface });
      return;
    }
    // Unicast to a client without an address: put its MAC in the ARP table first (SIOCSARP).
    this.ns.ip.neigh.inject(iface, r.yiaddr, r.chaddr);
    s.sendTo(bytes, r.yiaddr, DHCP_CLIENT_PORT, { ...opts, oif: iface });
  }
}

/** A context for a range with this prefix, server address and router. */
function context(range: DhcpRange, len: number, local: Ip4, router: Ip4): Context {
  const netmask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return { range, netmask, prefix: len, local, router, broadcast: broadcastOf(range.start, len) };
}

/** The netmask of the address class both ends of a range are in (dnsmasq's guess for relayed ranges). */
function classMask(start: Ip4, end: Ip4): Ip4 {
  const cls = (a: Ip4) => (a >>> 31 === 0 ? 8 : a >>> 30 === 2 ? 16 : a >>> 29 === 6 ? 24 : 0);
  const len = cls(start) === cls(end) ? cls(start) : 0;
  return len === 0 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

function u32(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

function readU32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 255;
  return out;
}

/** dnsmasq's names of the options it logs (dhcp-common.c opttab). */
export const OPTION_NAMES: Record<number, string> = {
  1: "netmask",
  2: "time-offset",
  3: "router",
  6: "dns-server",
  7: "log-server",
  9: "lpr-server",
  12: "hostname",
  13: "boot-file-size",
  15: "domain-name",
  16: "swap-server",
  17: "root-path",
  18: "extension-path",
  19: "ip-forward-enable",
  20: "non-local-source-routing",
  21: "policy-filter",
  22: "max-datagram-reassembly",
  23: "default-ttl",
  26: "mtu",
  27: "all-subnets-local",
  28: "broadcast",
  31: "router-discovery",
  32: "router-solicitation",
  33: "static-route",
  34: "trailer-encapsulation",
  35: "arp-timeout",
  36: "ethernet-encap",
  37: "tcp-ttl",
  38: "tcp-keepalive",
  40: "nis-domain",
  41: "nis-server",
  42: "ntp-server",
  44: "netbios-ns",
  45: "netbios-dd",
  46: "netbios-nodetype",
  47: "netbios-scope",
  48: "x-windows-fs",
  49: "x-windows-dm",
  50: "requested-address",
  51: "lease-time",
  52: "option-overload",
  53: "message-type",
  54: "server-identifier",
  55: "parameter-request",
  56: "message",
  57: "max-message-size",
  58: "T1",
  59: "T2",
  60: "vendor-class",
  61: "client-id",
  64: "nis+-domain",
  65: "nis+-server",
  66: "tftp-server",
  67: "bootfile-name",
  68: "mobile-ip-home",
  69: "smtp-server",
  70: "pop3-server",
  71: "nntp-server",
  74: "irc-server",
  77: "user-class",
  80: "rapid-commit",
  93: "client-arch",
  94: "client-interface-id",
  97: "client-machine-id",
  100: "posix-timezone",
  101: "tzdb-timezone",
  108: "ipv6-only",
  119: "domain-search",
  120: "sip-server",
  121: "classless-static-route",
  125: "vendor-id-encap",
  150: "tftp-server-address",
  252: "wpad",
};

/** Options whose value is a list of IPv4 addresses (dnsmasq's OT_ADDR_LIST). */
export const ADDRESS_OPTIONS: ReadonlySet<number> = new Set([
  1,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  16,
  28,
  32,
  41,
  42,
  44,
  45,
  48,
  49,
  54,
  65,
  69,
  70,
  71,
  72,
  73,
  74,
  75,
  76,
  150,
]);

/** dnsmasq's prettyprint_time: "12h", "10h30m", "2m", "infinite". */
export function prettyTime(t: number): string {
  if (t === INFINITE_LEASE) return "infinite";
  let out = "";
  const d = Math.floor(t / 86400), h = Math.floor((t % 86400) / 3600);
  const m = Math.floor((t % 3600) / 60), s = t % 60;
  if (d > 0) out += `${d}d`;
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (s > 0 || out === "") out += `${s}s`;
  return out;
}

/** An option's value as dnsmasq's --log-dhcp prints it. */
function optionText(code: number, data: Uint8Array): string {
  if (code === 51 || code === 58 || code === 59) return prettyTime(readU32(data));
  if (code === 53) return String(data[0]);
  if (ADDRESS_OPTIONS.has(code) && data.length % 4 === 0 && data.length > 0) {
    const out: string[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(formatIp4(readU32(data.subarray(i, i + 4))));
    return out.join(", ");
  }
  let text = "";
  let printable = true;
  for (const b of data) {
    if (b === 0) continue;
    if (b < 32 || b > 126) printable = false;
    text += String.fromCharCode(b);
  }
  if (printable) return text;
  return [...data].map((b) => b.toString(16).padStart(2, "0")).join(":");
}
