/**
 * Topology builders for the shapes scenarios use again and again, configured
 * the way a person would configure them by hand (addresses, routes and
 * `ip_forward` through the same shell commands).
 *
 * - `chain`: host — router … router — host, one /24 per link, static routes.
 * - `star`: hosts on one learning switch, one /24.
 * - `twoSwitchThreeLans`: the notes' topology: switch A joins LAN 1 (machines 1
 *   and 2) and LAN 2 (machine 3); switch B joins LAN 2 to LAN 3 (machines 4, 5).
 *   All five machines share one IP subnet; the switches only bridge.
 *
 * @module
 */
import type { Network } from "./network.ts";
import type { Node } from "../node/node.ts";
import type { Switch } from "../l2/switch.ts";
import type { Hub } from "../l2/hub.ts";
import type { LinkOptions } from "../net/link.ts";

/** A built chain. */
export interface Chain {
  /** The first host (address `10.0.0.1`-style, see `addressOf`). */
  src: Node;
  /** The routers, in order. */
  routers: Node[];
  /** The last host. */
  dst: Node;
  /** The address of the last host. */
  dstAddress: string;
  /** The address of the first host. */
  srcAddress: string;
}

/**
 * Build src — r1 — … — rN — dst. Link i (0-based) is 10.<base+i>.0.0/24 with
 * the left end .1 and the right end .2; hosts route by default through their
 * router, routers statically to both ends.
 *
 * @example
 * ```ts ignore
 * const { src, dstAddress } = chain(net, 3);
 * src.sh(`ping -c 1 ${dstAddress}`); // ttl=61
 * ```
 */
export function chain(
  net: Network,
  routers: number,
  o: {
    base?: number;
    link?: LinkOptions;
    names?: { src?: string; dst?: string; router?: string };
  } = {},
): Chain {
  const base = o.base ?? 0;
  const src = net.node(o.names?.src ?? "src");
  const rs: Node[] = [];
  for (let i = 1; i <= routers; i++) rs.push(net.node(`${o.names?.router ?? "r"}${i}`));
  const dst = net.node(o.names?.dst ?? "dst");
  const all = [src, ...rs, dst];
  for (let i = 0; i + 1 < all.length; i++) net.connect(all[i]!, all[i + 1]!, o.link);
  const net24 = (i: number) => `10.${base + i}.0`;
  for (let i = 0; i + 1 < all.length; i++) {
    all[i]!.sh(`ip addr add ${net24(i)}.1/24 dev ${i === 0 ? "eth0" : "eth1"}`);
    all[i + 1]!.sh(`ip addr add ${net24(i)}.2/24 dev eth0`);
  }
  const last = all.length - 2;
  src.sh(`ip route add default via ${net24(0)}.2`);
  dst.sh(`ip route add default via ${net24(last)}.1`);
  for (let k = 0; k < rs.length; k++) {
    const r = rs[k]!;
    const lines = ["sysctl -w net.ipv4.ip_forward=1"];
    // Left of router k+1 is link k; right is link k+1.
    for (let j = 0; j < k; j++) lines.push(`ip route add ${net24(j)}.0/24 via ${net24(k)}.1`);
    for (let j = k + 2; j <= last; j++) {
      lines.push(`ip route add ${net24(j)}.0/24 via ${net24(k + 1)}.2`);
    }
    r.sh(lines.join("\n"));
  }
  return { src, routers: rs, dst, srcAddress: `${net24(0)}.1`, dstAddress: `${net24(last)}.2` };
}

/** Hosts h1…hN on one switch (or hub), addresses 192.168.<subnet>.<i>/24. */
export function star(
  net: Network,
  hosts: number,
  o: { subnet?: number; hub?: boolean; name?: string; link?: LinkOptions } = {},
): { device: Switch | Hub; hosts: Node[]; addresses: string[] } {
  const device = o.hub ? net.hub(o.name ?? "hub") : net.switch(o.name ?? "sw");
  const subnet = o.subnet ?? 1;
  const nodes: Node[] = [];
  const addresses: string[] = [];
  for (let i = 1; i <= hosts; i++) {
    const h = net.node(`h${i}`);
    net.connect(h, device, o.link);
    const a = `192.168.${subnet}.${i}`;
    h.sh(`ip addr add ${a}/24 dev eth0`);
    nodes.push(h);
    addresses.push(a);
  }
  return { device, hosts: nodes, addresses };
}

/** The notes' two switches and three LANs; machines m1…m5 in 192.168.1.0/24. */
export function twoSwitchThreeLans(
  net: Network,
): { switchA: Switch; switchB: Switch; lan1: Hub; lan3: Hub; machines: Node[] } {
  const switchA = net.switch("switchA");
  const switchB = net.switch("switchB");
  // LAN 1 and LAN 3 are shared segments (hubs) with two machines each; LAN 2 is
  // machine 3 alone on switch A; switch A and B are joined by a cable.
  const lan1 = net.hub("lan1");
  const lan3 = net.hub("lan3");
  const m = [1, 2, 3, 4, 5].map((i) => net.node(`machine${i}`));
  net.connect(m[0]!, lan1);
  net.connect(m[1]!, lan1);
  net.connect(lan1, switchA);
  net.connect(m[2]!, switchA);
  net.connect(switchA, switchB);
  net.connect(switchB, lan3);
  net.connect(m[3]!, lan3);
  net.connect(m[4]!, lan3);
  m.forEach((n, i) => n.sh(`ip addr add 192.168.1.${i + 1}/24 dev eth0`));
  return { switchA, switchB, lan1, lan3, machines: m };
}
