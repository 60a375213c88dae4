/**
 * Hand-made packets for the addressing scenarios: what no well-behaved command
 * sends, but an attacker's raw socket (or a misconfigured box) puts on a wire —
 * an echo request with any source and destination address, framed for the
 * neighbour's MAC and transmitted from one of our interfaces.
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { ip } from "../../core/wire/addr.ts";
import { EtherType, IpProto, newPacket } from "../../core/wire/packet.ts";

/** An echo request from `src` to `dst` (dotted quads), sent raw out of `from`'s `ifname` to `to`'s MAC. */
export function injectEcho(
  net: Network,
  from: Node,
  ifname: string,
  to: Node,
  toIf: string,
  src: string,
  dst: string,
  seq = 1,
): number {
  const p = newPacket({
    dst: to.iface(toIf).mac,
    src: from.iface(ifname).mac,
    type: EtherType.IPv4,
    vlan: undefined,
  });
  p.ip = {
    tos: 0,
    id: seq,
    df: false,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto: IpProto.ICMP,
    src: ip(src),
    dst: ip(dst),
    options: undefined,
  };
  p.icmp = { type: 8, code: 0, rest: (0x4242 << 16) | seq, payload: new Uint8Array(16) };
  net.sim.trace.birth(p);
  from.iface(ifname).transmit(p);
  return p.id;
}
