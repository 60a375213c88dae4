/**
 * Shared set-ups for the ICMP scenarios: two hosts on one link, and the
 * classic line of two routers between two hosts, every machine configured
 * with the same `ip` and `sysctl` lines an engineer would type. Plus a few
 * small tools the scenarios need to look at packets: addresses as text, the
 * IP datagram bytes of a frame, and hand-made packets for what no command sends.
 *
 *   a 10.0.1.2 ── 10.0.1.1 r1 10.0.12.1 ── 10.0.12.2 r2 10.0.2.1 ── 10.0.2.2 b
 */
import type { ConnectOptions, Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { Link } from "../../core/net/link.ts";
import type { Errno } from "../../core/ip/ipv4.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { encodeFrame } from "../../core/wire/frame.ts";
import { EtherType, type IcmpMessage, newPacket, type Packet } from "../../core/wire/packet.ts";

/** Two hosts on one link: a 10.0.0.1/24, b 10.0.0.2/24. */
export function pair(net: Network, link: ConnectOptions = {}): { a: Node; b: Node; link: Link } {
  const [a, b] = net.nodes("a", "b");
  const l = net.connect(a, b, link);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  return { a, b, link: l };
}

/** Link options of the line, per segment. */
export interface LineOptions {
  /** a ── r1. */
  first?: ConnectOptions;
  /** r1 ── r2. */
  middle?: ConnectOptions;
  /** r2 ── b. */
  last?: ConnectOptions;
}

/** The line a ── r1 ── r2 ── b with static routes both ways. */
export function line(net: Network, o: LineOptions = {}): {
  a: Node;
  r1: Node;
  r2: Node;
  b: Node;
  links: [Link, Link, Link];
} {
  const [a, r1, r2, b] = net.nodes("a", "r1", "r2", "b");
  const l1 = net.connect(a, r1, o.first);
  const l2 = net.connect(r1, r2, o.middle);
  const l3 = net.connect(r2, b, o.last);
  a.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.1");
  r1.sh("ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.12.1/24 dev eth1");
  r1.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 10.0.2.0/24 via 10.0.12.2");
  r2.sh("ip addr add 10.0.12.2/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 10.0.1.0/24 via 10.0.12.1");
  b.sh("ip addr add 10.0.2.2/24 dev eth0; ip route add default via 10.0.2.1");
  return { a, r1, r2, b, links: [l1, l2, l3] };
}

/** An address as text. */
export const addr = formatIp4;

/** An address from text. */
export { ip };

/** The IP datagram (header and payload) of a packet, as it is on the wire. */
export function datagramBytes(p: Packet): Uint8Array {
  const f = encodeFrame(p);
  return f.subarray(14);
}

/** The body of an ICMP message as bytes. */
export function icmpBody(m: IcmpMessage): Uint8Array {
  return typeof m.payload === "number" ? new Uint8Array(m.payload) : m.payload;
}

/**
 * Send a hand-made IP packet from `node` through its stack (routing, ARP,
 * fragmentation as for any local packet). For what no command sends: an
 * unknown protocol, a forged ICMP message.
 */
export function sendIp(
  node: Node,
  o: {
    dst: string;
    proto: number;
    src?: string;
    ttl?: number;
    icmp?: IcmpMessage;
    raw?: Uint8Array;
  },
): Errno | undefined {
  const ipl = node.root.ip;
  const p = newPacket({ dst: 0, src: 0, type: EtherType.IPv4, vlan: undefined });
  p.ip = {
    tos: 0,
    id: ipl.nextId(),
    df: false,
    mf: false,
    fragOffset: 0,
    ttl: o.ttl ?? 64,
    proto: o.proto,
    src: o.src === undefined ? 0 : ip(o.src),
    dst: ip(o.dst),
    options: undefined,
  };
  p.icmp = o.icmp;
  p.raw = o.raw;
  node.root.dev.sim.trace.birth(p);
  return ipl.output(p);
}
