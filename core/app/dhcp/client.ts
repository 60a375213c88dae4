/**
 * The DHCP client (RFC 2131 §4.4): the state machine of Figure 5 driving one
 * interface — INIT → SELECTING → REQUESTING → BOUND → RENEWING → REBINDING,
 * and INIT-REBOOT → REBOOTING when it remembers a lease — with the
 * configuration dhclient-script applies on each transition.
 *
 * What it models:
 * - DISCOVER from 0.0.0.0:68 to 255.255.255.255:67 with the interface's MAC
 *   in chaddr; the first OFFER wins; the REQUEST is broadcast naming the
 *   chosen server (option 54) and address (option 50), with the DISCOVER's xid;
 *   all sent and received on a packet socket (see `packet_socket.ts`), so the
 *   host needs no address and hears unicast replies to the offered address.
 * - On ACK: an optional ARP probe of the address (RFC 5227: PROBE_WAIT 0–1 s,
 *   three probes 1–2 s apart from 0.0.0.0, ANNOUNCE_WAIT 2 s; any ARP from
 *   another host claiming the address is a conflict → DHCPDECLINE, ten seconds
 *   in INIT, RFC 2131 §3.1.5), then the address with its prefix and broadcast,
 *   a default route via each router (metrics 1, 2, … when there are several,
 *   as dhclient-script), the resolver (`/etc/resolv.conf` in the node's files,
 *   `/etc/netns/NAME/resolv.conf` in a named namespace, as `ip netns exec`
 *   shows it) and two ARP announcements.
 * - Renewal at T1 by unicast to the server (from the leased address, through
 *   the IP stack), rebinding at T2 by broadcast, expiry: the address goes, and
 *   with it (the last address of the device) its routes; then INIT again.
 * - NAK: the configuration goes and the client starts over with a DISCOVER.
 * - RELEASE (`release()`): unicast to the server; once it has left the
 *   interface (ARP may come first) the address goes.
 * - Retransmission (RFC 2131 §4.1): 4 s, 8 s, 16 s … up to 64 s, each ±1 s
 *   from a seeded stream; or ISC dhclient's schedule (`timing: "dhclient"`):
 *   3 s plus up to twice the last interval, cut back under 15 s, renewal at a
 *   random point in the last quarter before T1, whole-second timestamps.
 * - Giving up: no OFFER within `timeout` (60 s) logs "No DHCPOFFERS received."
 *   and tries again after 150–450 s; no answer to a REQUEST within
 *   `rebootTimeout` (10 s) of SELECTING/INIT-REBOOT goes back to INIT.
 *
 * Simplified: dhclient-script's work takes no time (only a RELEASE waits for
 * its frame to leave); an infinite lease is never renewed.
 *
 * What it leaves out: BOOTP-only servers, option overload in what it sends,
 * classless static routes (option 121), interface MTU (26), address lifetimes
 * in `ip addr` (the client removes the address itself at expiry), the
 * "Trying recorded lease" fallback after a timeout, DHCPINFORM, and media
 * selection. ISC dhclient 4.4 on Debian does not probe the address with ARP
 * (its script's ARPCHECK does nothing), so the `dhclient` command turns the
 * probe off; RFC 2131 §4.4.1 says a client SHOULD, and dhcpcd does.
 *
 * @module
 */
import { BROADCAST_MAC, EtherType, type Ip4, IpProto, newPacket } from "../../wire/packet.ts";
import { broadcastOf, formatIp4, inPrefix, maskLength, networkOf } from "../../wire/addr.ts";
import type { Timer } from "../../sim/simulator.ts";
import type { Rng } from "../../sim/rng.ts";
import type { Interface } from "../../net/interface.ts";
import type { PacketSocketHandler } from "../../net/namespace.ts";
import type { NetNs } from "../../node/netns.ts";
import { Table } from "../../ip/route.ts";
import {
  BootpOp,
  type DhcpMessage,
  DhcpMessageType,
  dhcpMessageTypeName,
  type DhcpOptions,
  encodeDhcp,
} from "./message.ts";
import {
  DHCP_CLIENT_PORT,
  DHCP_SERVER_PORT,
  DhcpPacketSocket,
  type RawDhcpReceived,
} from "./packet_socket.ts";

const LIMITED_BROADCAST = 0xffffffff;
const SEC = 1e9;
/** Lease time meaning "forever" (RFC 2132 §9.2). */
export const INFINITE_LEASE = 0xffffffff;

/**
 * A lease as the client holds it: what the ACK said, and when each phase
 * starts. This is the object other protocols read — a PXE boot takes
 * `nextServer` and `bootFile` from it.
 */
export interface DhcpLease {
  /** The leased address (the ACK's yiaddr). */
  address: Ip4;
  /** Subnet mask (option 1), or the class default when the server sent none. */
  subnetMask: Ip4;
  /** Prefix length of `subnetMask`. */
  prefixLength: number;
  /** Broadcast address (option 28), or computed from address and mask. */
  broadcast: Ip4;
  /** Routers (option 3), in order of preference; empty when none. */
  routers: Ip4[];
  /** DNS servers (option 6); empty when none. */
  dnsServers: Ip4[];
  /** Domain name (option 15). */
  domainName: string | undefined;
  /** Host name the server assigned or echoed (option 12). */
  hostName: string | undefined;
  /** Server identifier (option 54): where renewals and the release go. */
  serverId: Ip4;
  /** Lease time, seconds ({@link INFINITE_LEASE} for an infinite lease). */
  leaseTime: number;
  /** T1 as the server sent it (option 58), or half the lease. Seconds. */
  renewalTime: number;
  /** T2 as the server sent it (option 59), or 7/8 of the lease. Seconds. */
  rebindingTime: number;
  /** `siaddr`: the next server to boot from (PXE's TFTP server); 0 when unset. */
  nextServer: Ip4;
  /** Boot file: option 67 when present, else the `file` field; "" when neither. */
  bootFile: string;
  /** TFTP server name: option 66 when present, else the `sname` field; "" when neither. */
  serverName: string;
  /** When the lease started (the time the REQUEST was sent, RFC 2131 §4.4.1), ns. */
  obtained: number;
  /** When the client moves to RENEWING, ns (Infinity for an infinite lease). */
  renewAt: number;
  /** When the client moves to REBINDING, ns. */
  rebindAt: number;
  /** When the lease runs out, ns. */
  expiresAt: number;
  /** The DHCPACK the lease came from. */
  ack: DhcpMessage;
}

/** The client's states (RFC 2131 Figure 5, plus PROBING for the ARP check and STOPPED). */
export type DhcpClientState =
  | "INIT"
  | "SELECTING"
  | "REQUESTING"
  | "PROBING"
  | "BOUND"
  | "RENEWING"
  | "REBINDING"
  | "INIT-REBOOT"
  | "REBOOTING"
  | "STOPPED";

/** How a client spaces its retransmissions and places its renewal time. */
export type DhcpTiming = "rfc2131" | "dhclient";

/** Options for a {@link DhcpClient}. */
export interface DhcpClientOptions {
  /** The namespace whose interface it configures. */
  ns: NetNs;
  /** The interface (or its name in `ns`). */
  iface: Interface | string;
  /** The node's files, for the resolver configuration (left alone when absent). */
  files?: Map<string, Uint8Array | (() => Uint8Array)>;
  /** Path of the resolver file (default: /etc/resolv.conf, or /etc/netns/NAME/resolv.conf). */
  resolvConf?: string;
  /** Host name to send (option 12); none when undefined. */
  hostName?: string;
  /** Parameter request list (option 55); default: ISC dhclient's 13 codes. */
  parameterRequestList?: number[];
  /** Vendor class identifier (option 60), e.g. "PXEClient:Arch:00000:UNDI:002001". */
  vendorClassId?: string;
  /** Client identifier (option 61); none by default, as dhclient. */
  clientId?: Uint8Array;
  /** Lease time to ask for (option 51, seconds), as dhclient.conf's `send dhcp-lease-time`. */
  requestedLeaseTime?: number;
  /** Set the BROADCAST flag: ask servers and relays to broadcast their replies. */
  broadcastFlag?: boolean;
  /** Probe the address with ARP before using it (default true). */
  arpProbe?: boolean;
  /** Retransmission and renewal timing (default "rfc2131"). */
  timing?: DhcpTiming;
  /** Seconds to look for an OFFER before giving up for a while (default 60). */
  timeout?: number;
  /** Seconds to wait for an ACK in REQUESTING or REBOOTING before starting over (default 10). */
  rebootTimeout?: number;
  /** Seconds between attempts after giving up (default 300, randomised to 150–450). */
  retryInterval?: number;
  /** Apply the lease to the interface, routes and resolver (default true). */
  configure?: boolean;
  /** A lease remembered from before: the client starts in INIT-REBOOT and asks for it again. */
  previousLease?: DhcpLease;
}

/** ISC dhclient's default request list (dhclient.conf on Debian). */
export const DHCLIENT_REQUEST_LIST: readonly number[] = [
  1,
  28,
  2,
  3,
  15,
  6,
  119,
  12,
  44,
  47,
  26,
  121,
  42,
];

/** The class default mask of an address (RFC 2131 §3.5 leaves it to the client). */
function classMask(a: Ip4): Ip4 {
  const hi = a >>> 24;
  return hi < 128 ? 0xff000000 : hi < 192 ? 0xffff0000 : 0xffffff00;
}

/** Option 28, broadcast address (RFC 2132 §5.3); the codec keeps it raw. */
const BROADCAST_ADDRESS_OPTION = 28;

/** Four option bytes as an address, or undefined. */
function rawAddress(b: Uint8Array | undefined): Ip4 | undefined {
  if (b === undefined || b.length !== 4) return undefined;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

function trimNul(s: string | undefined): string {
  if (s === undefined) return "";
  const i = s.indexOf("\0");
  return i < 0 ? s : s.slice(0, i);
}

/**
 * Turn an ACK into a lease. `obtained` is when the REQUEST went out; T1 and T2
 * default to 1/2 and 7/8 of the lease (RFC 2131 §4.4.5). `renewAt` here is
 * exactly T1; a client with dhclient timing moves it (see {@link DhcpClient}).
 */
export function leaseFromAck(ack: DhcpMessage, obtained: number): DhcpLease {
  const o = ack.options;
  const mask = o.subnetMask ?? classMask(ack.yiaddr);
  const len = maskLength(mask) ?? 24;
  const leaseTime = o.leaseTime ?? INFINITE_LEASE;
  const infinite = leaseTime === INFINITE_LEASE;
  const t1 = o.renewalTime ?? Math.floor(leaseTime / 2);
  const t2 = o.rebindingTime ?? Math.floor(leaseTime * 7 / 8);
  return {
    address: ack.yiaddr,
    subnetMask: mask,
    prefixLength: len,
    broadcast: rawAddress(o.raw?.get(BROADCAST_ADDRESS_OPTION)) ?? broadcastOf(ack.yiaddr, len),
    routers: o.routers ?? [],
    dnsServers: o.dnsServers ?? [],
    domainName: o.domainName === undefined ? undefined : trimNul(o.domainName),
    hostName: o.hostName === undefined ? undefined : trimNul(o.hostName),
    serverId: o.serverId ?? 0,
    leaseTime,
    renewalTime: t1,
    rebindingTime: t2,
    nextServer: ack.siaddr,
    bootFile: trimNul(o.bootfileName) || ack.file,
    serverName: trimNul(o.tftpServerName) || ack.sname,
    obtained,
    renewAt: infinite ? Infinity : obtained + t1 * SEC,
    rebindAt: infinite ? Infinity : obtained + t2 * SEC,
    expiresAt: infinite ? Infinity : obtained + leaseTime * SEC,
    ack,
  };
}

/**
 * One DHCP client on one interface.
 *
 * @example
 * ```ts ignore
 * const client = new DhcpClient({ ns: pc.root, iface: "eth0", files: pc.files, hostName: "pc" });
 * client.onBound = (lease) => console.log(formatIp4(lease.address), lease.bootFile);
 * client.start();
 * net.runFor(10e9);
 * client.lease?.routers; // [192.168.1.1]
 * ```
 */
export class DhcpClient {
  /** The namespace it works in. */
  readonly ns: NetNs;
  /** The interface it configures. */
  readonly iface: Interface;
  /** The current state. */
  state: DhcpClientState = "STOPPED";
  /** The lease in use (BOUND, RENEWING, REBINDING), or undefined. */
  lease: DhcpLease | undefined;
  /** Every state change: when, and the state entered. */
  readonly history: Array<{ time: number; state: DhcpClientState }> = [];
  /** Called with each line dhclient would log (`-v` shows them). */
  onLog: ((line: string) => void) | undefined;
  /** Called when a lease is bound (first time, renewal, rebinding or reboot). */
  onBound: ((lease: DhcpLease) => void) | undefined;
  /** Called when the lease is lost: expired, refused (NAK) or declined. */
  onLost:
    | ((lease: DhcpLease, why: "expired" | "nak" | "declined" | "released") => void)
    | undefined;
  /** Called after a give-up ("No DHCPOFFERS received."). */
  onGiveUp: (() => void) | undefined;
  /** Messages sent, by type name ("DHCPDISCOVER": 3, …). */
  readonly sent: Map<string, number> = new Map();

  #o: Required<
    Pick<
      DhcpClientOptions,
      "arpProbe" | "timing" | "timeout" | "rebootTimeout" | "retryInterval" | "configure"
    >
  >;
  #opts: DhcpClientOptions;
  #rng: Rng;
  #sock: DhcpPacketSocket | undefined;
  #arpWatch: PacketSocketHandler | undefined;
  #timer: Timer | undefined;
  #xid = 0;
  #firstSending = 0;
  /** Retransmission interval: seconds (dhclient) or ns base (rfc2131). */
  #interval = 0;
  #discoverSecs = 0;
  /** The offer being requested, or the lease being probed/rebooted. */
  #offer: DhcpMessage | undefined;
  #requestSentAt = 0;
  #remembered: DhcpLease | undefined;
  #probe: { address: Ip4; conflict: boolean; ack: DhcpMessage } | undefined;

  /** A client for one interface; nothing happens before `start()`. */
  constructor(o: DhcpClientOptions) {
    this.ns = o.ns;
    this.iface = typeof o.iface === "string" ? o.ns.iface(o.iface) : o.iface;
    this.#opts = o;
    this.#o = {
      arpProbe: o.arpProbe ?? true,
      timing: o.timing ?? "rfc2131",
      timeout: o.timeout ?? 60,
      rebootTimeout: o.rebootTimeout ?? 10,
      retryInterval: o.retryInterval ?? 300,
      configure: o.configure ?? true,
    };
    this.#remembered = o.previousLease;
    this.#rng = o.ns.dev.sim.rng(
      `dhcp client ${o.ns.nodeName}/${o.ns.name}/${this.iface.name}`,
    );
  }

  /** The time now, ns. */
  get #now(): number {
    return this.ns.dev.sim.now;
  }

  /** The transaction id in use. */
  get xid(): number {
    return this.#xid;
  }

  /**
   * Start: bring the interface up (dhclient-script PREINIT), open the packet
   * socket, and send a DISCOVER — or, with an unexpired remembered lease, a
   * REQUEST for it (INIT-REBOOT).
   */
  start(): void {
    if (this.state !== "STOPPED") return;
    if (!this.iface.adminUp) this.iface.setAdmin(true);
    this.#sock = new DhcpPacketSocket(
      this.ns.dev,
      this.iface,
      DHCP_CLIENT_PORT,
      (r) => this.#receive(r),
    );
    const old = this.#remembered;
    if (old !== undefined && old.expiresAt > this.#now) this.#reboot(old);
    else this.#init();
  }

  /** Stop without releasing (dhclient -x, or a crash): the address stays configured. */
  stop(): void {
    this.#cancel();
    this.#endProbe();
    this.#sock?.close();
    this.#sock = undefined;
    this.#enter("STOPPED");
  }

  /**
   * Release the lease (dhclient -r): a DHCPRELEASE unicast to the server from
   * the leased address, then, once it is on the wire, the address goes
   * (dhclient-script RELEASE) and `done` is called. The client stops at once.
   * Returns the released lease, if there was one.
   */
  release(done?: () => void): DhcpLease | undefined {
    const lease = this.lease;
    this.#cancel();
    this.#endProbe();
    if (lease !== undefined) {
      this.#xid = this.#rng.nextU32();
      const m = this.#message(DhcpMessageType.RELEASE, {
        ciaddr: lease.address,
        options: { serverId: lease.serverId },
        order: [53, 54],
      });
      this.#log(
        `DHCPRELEASE of ${formatIp4(lease.address)} on ${this.iface.name} to ${
          formatIp4(lease.serverId)
        } port ${DHCP_SERVER_PORT}`,
      );
      const sent = this.#sendUnicast(m, lease.address, lease.serverId);
      // dhclient-script (RELEASE) runs once the message is out: flushing the
      // address first would take the packet waiting for ARP with it.
      this.#whenSent(sent, () => {
        this.#unconfigure(lease);
        done?.();
      });
      this.lease = undefined;
      this.#remembered = undefined;
      this.onLost?.(lease, "released");
    } else done?.();
    this.#sock?.close();
    this.#sock = undefined;
    this.#enter("STOPPED");
    return lease;
  }

  // ------------------------------------------------------------------ states

  #enter(s: DhcpClientState): void {
    this.state = s;
    this.history.push({ time: this.#now, state: s });
  }

  #cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #at(t: number, fn: () => void): void {
    this.#cancel();
    this.#timer = this.ns.dev.sim.at(Math.max(t, this.#now), fn);
  }

  #log(line: string): void {
    this.onLog?.(line);
  }

  /** Whole seconds of virtual time, dhclient's cur_time. */
  #curTime(): number {
    return Math.floor(this.#now / SEC);
  }

  /** When the next retransmission happens: dhclient's timer (whole seconds plus random µs) or now + interval. */
  #dhclientTimer(intervalSec: number): number {
    const usec = intervalSec > 1 ? this.#rng.int(0, 999_999) : (this.#now % SEC) / 1000;
    return (this.#curTime() + intervalSec) * SEC + usec * 1000;
  }

  /** RFC 2131 §4.1: 4 s, then doubling up to 64 s, each ±1 s uniformly. */
  #rfcBackoff(): number {
    this.#interval = this.#interval === 0 ? 4 * SEC : Math.min(this.#interval * 2, 64 * SEC);
    return this.#interval + Math.round((this.#rng.next() * 2 - 1) * SEC);
  }

  /** dhclient's send_discover/send_request backoff (seconds). */
  #dhclientBackoff(initial: boolean): number {
    const cutoff = 15;
    if (initial) this.#interval = 3;
    if (this.#interval === 0) this.#interval = 3;
    else this.#interval += this.#rng.nextU32() % (2 * this.#interval);
    if (this.#interval > cutoff) this.#interval = cutoff / 2 + (this.#rng.nextU32() % cutoff);
    this.#interval = Math.floor(this.#interval);
    return this.#interval;
  }

  #init(): void {
    this.#cancel();
    this.#offer = undefined;
    if (this.state !== "INIT") this.#enter("INIT");
    this.#xid = this.#rng.nextU32();
    this.#firstSending = this.#now;
    this.#interval = 0;
    this.#enter("SELECTING");
    this.#sendDiscover(true);
  }

  #sendDiscover(first: boolean): void {
    const dhclient = this.#o.timing === "dhclient";
    const elapsed = dhclient
      ? this.#curTime() - Math.floor(this.#firstSending / SEC)
      : (this.#now - this.#firstSending) / SEC;
    if (elapsed > this.#o.timeout) {
      this.#panic();
      return;
    }
    let next: number;
    let shown: number;
    if (dhclient) {
      shown = this.#dhclientBackoff(first);
      const end = Math.floor(this.#firstSending / SEC) + this.#o.timeout;
      if (this.#curTime() + shown > end) shown = end - this.#curTime() + 1;
      this.#interval = shown;
      next = this.#dhclientTimer(shown);
    } else {
      const wait = this.#rfcBackoff();
      next = this.#now + wait;
      shown = Math.round(wait / SEC);
    }
    this.#discoverSecs = Math.min(65535, Math.floor(elapsed));
    const options: DhcpOptions = {};
    const order = [53];
    const old = this.#remembered ?? this.lease;
    if (old !== undefined) {
      options.requestedAddress = old.address;
      order.push(50);
    }
    const m = this.#message(DhcpMessageType.DISCOVER, {
      secs: this.#discoverSecs,
      options,
      order,
    });
    this.#log(
      `DHCPDISCOVER on ${this.iface.name} to 255.255.255.255 port ${DHCP_SERVER_PORT} interval ${shown}`,
    );
    this.#sendBroadcast(m, 0);
    this.#at(next, () => this.#sendDiscover(false));
  }

  #panic(): void {
    this.#cancel();
    this.#log("No DHCPOFFERS received.");
    this.#log("No working leases in persistent database - sleeping.");
    this.#enter("INIT");
    const r = this.#o.retryInterval;
    const wait = Math.floor((r + 1) / 2) + (this.#rng.nextU32() % r);
    this.#at(this.#now + wait * SEC, () => this.#init());
    this.onGiveUp?.();
  }

  #reboot(old: DhcpLease): void {
    this.#cancel();
    this.#enter("INIT-REBOOT");
    this.#xid = this.#rng.nextU32();
    this.#offer = old.ack;
    this.#firstSending = this.#now;
    this.#interval = 0;
    this.#enter("REBOOTING");
    this.#sendRequest(true);
  }

  /** A REQUEST in REQUESTING or REBOOTING (broadcast from 0.0.0.0), with retransmission. */
  #sendRequest(first: boolean): void {
    const dhclient = this.#o.timing === "dhclient";
    const elapsed = dhclient
      ? this.#curTime() - Math.floor(this.#firstSending / SEC)
      : (this.#now - this.#firstSending) / SEC;
    if (elapsed > this.#o.rebootTimeout) {
      this.#init();
      return;
    }
    const offer = this.#offer!;
    const selecting = this.state === "REQUESTING";
    const options: DhcpOptions = { requestedAddress: offer.yiaddr };
    const order = [53];
    if (selecting) {
      options.serverId = offer.options.serverId;
      order.push(54);
    }
    order.push(50);
    const m = this.#message(DhcpMessageType.REQUEST, {
      secs: selecting ? this.#discoverSecs : Math.min(65535, Math.floor(elapsed)),
      options,
      order,
    });
    this.#log(
      `DHCPREQUEST for ${
        formatIp4(offer.yiaddr)
      } on ${this.iface.name} to 255.255.255.255 port ${DHCP_SERVER_PORT}`,
    );
    if (first) this.#requestSentAt = this.#now;
    this.#sendBroadcast(m, 0);
    if (dhclient) {
      const iv = this.#dhclientBackoff(first);
      this.#at(this.#dhclientTimer(iv), () => this.#sendRequest(false));
    } else {
      this.#at(this.#now + this.#rfcBackoff(), () => this.#sendRequest(false));
    }
  }

  /** T1: RENEWING (or straight to REBINDING / expiry when those are due). */
  #renew(): void {
    // dhclient keeps the transaction id of the exchange that got the lease.
    this.#firstSending = this.#now;
    this.#interval = 0;
    this.#enter("RENEWING");
    this.#sendRenewal(true);
  }

  /** A REQUEST in RENEWING (unicast to the server) or REBINDING (broadcast). */
  #sendRenewal(first: boolean): void {
    const lease = this.lease!;
    const now = this.#now;
    const dhclient = this.#o.timing === "dhclient";
    if (dhclient ? this.#curTime() * SEC > lease.expiresAt : now >= lease.expiresAt) {
      this.#expire();
      return;
    }
    const rebinding = dhclient ? this.#curTime() * SEC > lease.rebindAt : now >= lease.rebindAt;
    if (rebinding && this.state !== "REBINDING") this.#enter("REBINDING");
    const elapsed = dhclient
      ? this.#curTime() - Math.floor(this.#firstSending / SEC)
      : Math.floor((now - this.#firstSending) / SEC);
    const m = this.#message(DhcpMessageType.REQUEST, {
      secs: Math.min(65535, elapsed),
      ciaddr: lease.address,
      options: {},
      order: [53],
    });
    const dst = rebinding ? LIMITED_BROADCAST : lease.serverId;
    this.#log(
      `DHCPREQUEST for ${formatIp4(lease.address)} on ${this.iface.name} to ${
        formatIp4(dst)
      } port ${DHCP_SERVER_PORT}`,
    );
    if (first) this.#requestSentAt = now;
    if (rebinding) this.#sendBroadcast(m, lease.address);
    else this.#sendUnicast(m, lease.address, lease.serverId);
    let next: number;
    if (dhclient) {
      let iv = this.#dhclientBackoff(first);
      const exp = Math.floor(lease.expiresAt / SEC);
      if (this.#curTime() + iv > exp) iv = exp - this.#curTime() + 1;
      next = this.#dhclientTimer(iv);
    } else {
      // RFC 2131 §4.4.5: half the time left to T2 (RENEWING) or to expiry
      // (REBINDING), at least 60 s; T2 and expiry themselves are never passed.
      const edge = rebinding ? lease.expiresAt : lease.rebindAt;
      next = Math.min(edge, now + Math.max(60 * SEC, (edge - now) / 2));
    }
    this.#at(next, () => this.#sendRenewal(false));
  }

  #expire(): void {
    const lease = this.lease!;
    this.#cancel();
    this.#unconfigure(lease);
    this.lease = undefined;
    // dhclient keeps the expired lease as its "active" one: the DISCOVER asks for it again.
    this.#remembered = lease;
    this.onLost?.(lease, "expired");
    this.#init();
  }

  // ----------------------------------------------------------------- receive

  #receive(r: RawDhcpReceived): void {
    const m = r.message;
    if (m.op !== BootpOp.REPLY || m.xid !== this.#xid || m.chaddr !== this.iface.mac) return;
    const type = m.options.messageType;
    const from = formatIp4(r.src);
    if (type === DhcpMessageType.OFFER) {
      if (this.state !== "SELECTING") return;
      this.#log(`DHCPOFFER of ${formatIp4(m.yiaddr)} from ${from}`);
      // The first OFFER wins (dhclient's select-timeout is 0).
      this.#offer = m;
      this.#interval = 0;
      this.#firstSending = this.#now;
      this.#enter("REQUESTING");
      this.#sendRequest(true);
      return;
    }
    const waiting = this.state === "REQUESTING" || this.state === "REBOOTING" ||
      this.state === "RENEWING" || this.state === "REBINDING";
    if (!waiting) return;
    if (type === DhcpMessageType.NAK) {
      this.#log(`DHCPNAK from ${from}`);
      this.#cancel();
      const lost = this.lease;
      if (lost !== undefined) {
        this.#unconfigure(lost);
        this.onLost?.(lost, "nak");
      }
      this.lease = undefined;
      this.#remembered = undefined;
      this.#init();
      return;
    }
    if (type !== DhcpMessageType.ACK) return;
    this.#log(`DHCPACK of ${formatIp4(m.yiaddr)} from ${from}`);
    this.#cancel();
    if (this.state === "REQUESTING" && this.#o.arpProbe) {
      this.#startProbe(m);
      return;
    }
    this.#bind(m);
  }

  #bind(ack: DhcpMessage): void {
    const lease = leaseFromAck(ack, this.#requestSentAt);
    if (this.#o.timing === "dhclient") this.#dhclientTimes(lease);
    const old = this.lease;
    this.lease = lease;
    this.#remembered = lease;
    const wasBound = old !== undefined;
    this.#configure(lease, old);
    this.#enter("BOUND");
    if (lease.renewAt !== Infinity) {
      const secs = Math.round((lease.renewAt - this.#now) / SEC);
      const shown = this.#o.timing === "dhclient"
        ? Math.floor(lease.renewAt / SEC) - this.#curTime()
        : secs;
      this.#log(`bound to ${formatIp4(lease.address)} -- renewal in ${shown} seconds.`);
      this.#at(lease.renewAt, () => this.#renew());
    } else {
      // An infinite lease is never renewed. dhclient takes it as 2^32 - 1 seconds
      // and still announces a renewal, some 60 years away.
      let renewal = Math.floor(INFINITE_LEASE / 2) + 1;
      renewal = Math.floor((renewal * 3 + 3) / 4) +
        Math.floor(((this.#rng.nextU32() % renewal) + 3) / 4);
      this.#log(`bound to ${formatIp4(lease.address)} -- renewal in ${renewal} seconds.`);
    }
    if (!wasBound && this.#o.arpProbe && this.#o.configure) this.#announce(lease.address, 2);
    this.onBound?.(lease);
  }

  /**
   * dhclient's dhcpack(): times count from the ACK in whole seconds; renewal
   * lands at a random point between 3/4·T1 and T1; T2 and expiry are exact.
   */
  #dhclientTimes(lease: DhcpLease): void {
    if (lease.leaseTime === INFINITE_LEASE) return;
    const now = this.#curTime();
    let renewal = lease.renewalTime || Math.floor(lease.leaseTime / 2) + 1;
    renewal = Math.floor((renewal * 3 + 3) / 4) +
      Math.floor(((this.#rng.nextU32() % renewal) + 3) / 4);
    const rebind = lease.rebindingTime;
    if (renewal > rebind) renewal = Math.floor(rebind * 3 / 4);
    lease.obtained = now * SEC;
    lease.expiresAt = (now + lease.leaseTime) * SEC;
    lease.rebindAt = (now + rebind) * SEC;
    // The timer fires at the renewal second plus a random fraction, as dhclient's add_timeout.
    lease.renewAt = (now + renewal) * SEC + (renewal > 1 ? this.#rng.int(0, 999_999) * 1000 : 0);
  }

  // ---------------------------------------------------------------- ARP probe

  /** RFC 5227 §2.1: probe before use; a conflict ends in DHCPDECLINE. */
  #startProbe(ack: DhcpMessage): void {
    const address = ack.yiaddr;
    this.#enter("PROBING");
    const probe = { address, conflict: false, ack };
    this.#probe = probe;
    const mac = this.iface.mac;
    this.#arpWatch = (inIf, p) => {
      const a = p.arp;
      if (inIf !== this.iface || a === undefined || a.senderMac === mac) return false;
      // A host using the address, or another host probing for it (§2.1.1).
      if (a.senderIp === address || (a.op === 1 && a.senderIp === 0 && a.targetIp === address)) {
        if (!probe.conflict) {
          probe.conflict = true;
          this.ns.dev.sim.after(0, () => this.#decline(probe));
        }
      }
      return false;
    };
    this.ns.dev.packetSockets.push(this.#arpWatch);
    // PROBE_WAIT 1 s, PROBE_NUM 3, PROBE_MIN 1 s, PROBE_MAX 2 s, ANNOUNCE_WAIT 2 s.
    let t = this.#now + this.#rng.next() * SEC;
    const sim = this.ns.dev.sim;
    for (let i = 0; i < 3; i++) {
      const at = t;
      sim.at(at, () => {
        if (this.#probe === probe && !probe.conflict) this.#sendProbe(address);
      });
      if (i < 2) t += (1 + this.#rng.next()) * SEC;
    }
    this.#at(t + 2 * SEC, () => {
      if (this.#probe !== probe || probe.conflict) return;
      this.#endProbe();
      this.#bind(ack);
    });
  }

  #endProbe(): void {
    if (this.#arpWatch !== undefined) {
      const list = this.ns.dev.packetSockets;
      const i = list.indexOf(this.#arpWatch);
      if (i >= 0) list.splice(i, 1);
      this.#arpWatch = undefined;
    }
    this.#probe = undefined;
  }

  #sendProbe(address: Ip4): void {
    const p = newPacket({
      dst: BROADCAST_MAC,
      src: this.iface.mac,
      type: EtherType.ARP,
      vlan: undefined,
    });
    p.arp = { op: 1, senderMac: this.iface.mac, senderIp: 0, targetMac: 0, targetIp: address };
    this.ns.dev.sim.trace.birth(p);
    this.iface.transmit(p);
  }

  /** ANNOUNCE_NUM announcements, ANNOUNCE_INTERVAL (2 s) apart. */
  #announce(address: Ip4, n: number): void {
    for (let i = 0; i < n; i++) {
      this.ns.dev.sim.after(i * 2 * SEC, () => {
        if (this.lease?.address === address) this.ns.ip.neigh.announce(this.iface, address);
      });
    }
  }

  #decline(probe: { address: Ip4; ack: DhcpMessage }): void {
    if (this.#probe !== probe) return;
    this.#cancel();
    this.#endProbe();
    const server = probe.ack.options.serverId ?? 0;
    const m = this.#message(DhcpMessageType.DECLINE, {
      options: { requestedAddress: probe.address, serverId: server },
      order: [53, 50, 54],
    });
    this.#log(
      `DHCPDECLINE of ${
        formatIp4(probe.address)
      } on ${this.iface.name} to 255.255.255.255 port ${DHCP_SERVER_PORT}`,
    );
    this.#sendBroadcast(m, 0);
    this.onLost?.(leaseFromAck(probe.ack, this.#requestSentAt), "declined");
    this.#remembered = undefined;
    this.#enter("INIT");
    // RFC 2131 §3.1.5: wait at least ten seconds before starting over.
    this.#at(this.#now + 10 * SEC, () => this.#init());
  }

  // ------------------------------------------------------------------ sending

  /** A message from this client with its standard options (host name, request list, …). */
  #message(
    type: number,
    o: { secs?: number; ciaddr?: Ip4; options: DhcpOptions; order: number[] },
  ): DhcpMessage {
    const opts: DhcpOptions = { messageType: type, ...o.options };
    const order = [...o.order];
    const full = type === DhcpMessageType.DISCOVER || type === DhcpMessageType.REQUEST;
    if (this.#opts.clientId !== undefined) {
      opts.clientId = this.#opts.clientId;
      order.push(61);
    }
    if (full && this.#opts.requestedLeaseTime !== undefined) {
      opts.leaseTime = this.#opts.requestedLeaseTime;
      order.push(51);
    }
    // dhclient's `send host-name` goes in its RELEASE too.
    if ((full || type === DhcpMessageType.RELEASE) && this.#opts.hostName !== undefined) {
      opts.hostName = this.#opts.hostName;
      order.push(12);
    }
    if (full && this.#opts.vendorClassId !== undefined) {
      opts.vendorClassId = this.#opts.vendorClassId;
      order.push(60);
    }
    if (full) {
      opts.parameterRequestList = [...(this.#opts.parameterRequestList ?? DHCLIENT_REQUEST_LIST)];
      order.push(55);
    }
    opts.order = order;
    const name = dhcpMessageTypeName(type);
    this.sent.set(name, (this.sent.get(name) ?? 0) + 1);
    return {
      op: BootpOp.REQUEST,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid: this.#xid,
      secs: o.secs ?? 0,
      broadcast: this.#opts.broadcastFlag ?? false,
      ciaddr: o.ciaddr ?? 0,
      yiaddr: 0,
      siaddr: 0,
      giaddr: 0,
      chaddr: this.iface.mac,
      sname: "",
      file: "",
      options: opts,
    };
  }

  /** Broadcast on the packet socket (dhclient's LPF: TOS 0x10, TTL 128). */
  #sendBroadcast(m: DhcpMessage, src: Ip4): void {
    this.#sock?.send({
      dstMac: BROADCAST_MAC,
      src,
      dst: LIMITED_BROADCAST,
      srcPort: DHCP_CLIENT_PORT,
      dstPort: DHCP_SERVER_PORT,
      message: m,
      ttl: 128,
      tos: 0x10,
    });
  }

  /** Unicast through the IP stack from the leased address (dhclient's fallback socket). */
  #sendUnicast(m: DhcpMessage, src: Ip4, dst: Ip4): number {
    const ip = this.ns.ip;
    const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
    p.ip = {
      tos: 0,
      id: ip.nextId(),
      df: this.ns.dev.sysctl.num("net.ipv4.ip_no_pmtu_disc") === 0,
      mf: false,
      fragOffset: 0,
      ttl: this.ns.dev.sysctl.num("net.ipv4.ip_default_ttl"),
      proto: IpProto.UDP,
      src,
      dst,
      options: undefined,
    };
    p.udp = { srcPort: DHCP_CLIENT_PORT, dstPort: DHCP_SERVER_PORT, payload: encodeDhcp(m) };
    this.ns.dev.sim.trace.birth(p);
    ip.output(p);
    return p.id;
  }

  /**
   * Run `fn` once the packet `id` has left this interface — at once if it
   * already has — or once ARP has had its three seconds to fail.
   */
  #whenSent(id: number, fn: () => void): void {
    const sim = this.ns.dev.sim;
    const trace = sim.trace;
    if (this.ns.ip.neigh.held === 0) {
      fn();
      return;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const i = trace.taps.indexOf(tap);
      if (i >= 0) trace.taps.splice(i, 1);
      fn();
    };
    const tap = (kind: "tx" | "rx", at: { pointId: number }, p: { id: number }) => {
      if (kind === "tx" && at.pointId === this.iface.pointId && p.id === id) sim.after(0, finish);
    };
    trace.taps.push(tap);
    sim.after(3 * SEC, finish);
  }

  // ----------------------------------------------------------- configuration

  /** dhclient-script BOUND/RENEW/REBIND/REBOOT. */
  #configure(lease: DhcpLease, old: DhcpLease | undefined): void {
    if (!this.#o.configure) return;
    const ip = this.ns.ip;
    const iface = this.iface;
    if (old !== undefined && old.address !== lease.address) this.#flushAddresses();
    if (old !== undefined && old.address === lease.address) return; // `ip addr change`: nothing new
    ip.addAddress(iface, lease.address, lease.prefixLength, { broadcast: lease.broadcast });
    const metricBase = lease.routers.length > 1 ? 1 : 0;
    lease.routers.forEach((gw, i) => {
      const main = ip.table(Table.main);
      if (lease.prefixLength === 32) {
        main.add({
          table: Table.main,
          type: "unicast",
          dst: gw,
          len: 32,
          metric: 0,
          proto: "boot",
          scope: "link",
          prefsrc: 0,
          nexthops: [{ gateway: 0, dev: iface, weight: 1, onlink: false }],
          mtu: 0,
        });
      }
      // `ip route add default via GW dev IF` fails (quietly, in the script) for an off-link gateway.
      const onLink = lease.prefixLength === 32 ||
        inPrefix(gw, networkOf(lease.address, lease.prefixLength), lease.prefixLength);
      if (!onLink) return;
      main.add({
        table: Table.main,
        type: "unicast",
        dst: 0,
        len: 0,
        metric: metricBase === 0 ? 0 : metricBase + i,
        proto: "boot",
        scope: "global",
        prefsrc: 0,
        nexthops: [{ gateway: gw, dev: iface, weight: 1, onlink: false }],
        mtu: 0,
      });
    });
    this.#writeResolvConf(lease);
  }

  /** dhclient-script EXPIRE/RELEASE: `ip -4 addr flush dev IF label IF`. */
  #unconfigure(_lease: DhcpLease): void {
    if (!this.#o.configure) return;
    this.#flushAddresses();
  }

  #flushAddresses(): void {
    const ip = this.ns.ip;
    for (const a of ip.addressesOf(this.iface).filter((x) => x.label === this.iface.name)) {
      ip.delAddress(this.iface, a.addr, a.len);
    }
  }

  /** dhclient-script make_resolv_conf: domain, search, nameserver lines. */
  #writeResolvConf(lease: DhcpLease): void {
    const files = this.#opts.files;
    if (files === undefined) return;
    if (lease.domainName === undefined && lease.dnsServers.length === 0) return;
    const path = this.#opts.resolvConf ??
      (this.ns.name === "" ? "/etc/resolv.conf" : `/etc/netns/${this.ns.name}/resolv.conf`);
    let text = "";
    if (lease.domainName !== undefined) {
      const first = lease.domainName.split(" ")[0];
      text += `domain ${first}\nsearch ${lease.domainName}\n`;
    }
    if (lease.dnsServers.length > 0) {
      for (const s of lease.dnsServers) text += `nameserver ${formatIp4(s)}\n`;
    } else {
      // Keep the old nameservers.
      const old = files.get(path);
      const oldText = old === undefined
        ? ""
        : new TextDecoder().decode(typeof old === "function" ? old() : old);
      for (const l of oldText.split("\n")) if (/^\s*nameserver/i.test(l)) text += l + "\n";
    }
    files.set(path, new TextEncoder().encode(text));
  }
}
