/**
 * Test support for the NAT scenarios: a home/office network 192.168.1.0/24
 * behind router `gw` (192.168.1.1 inside on eth0, 203.0.113.1 outside on
 * eth1), with hosts on a switch inside and servers on a switch outside.
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";

/** Inside hosts h1…hN at 192.168.1.10·i, servers s1…sM at 203.0.113.80+j-1. */
export function natLan(net: Network, hosts = 2, servers = 1) {
  const gw = net.node("gw");
  const inside = net.switch("lan");
  const outside = net.switch("wan");
  net.connect(gw, inside);
  net.connect(gw, outside);
  gw.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 203.0.113.1/24 dev eth1");
  gw.sh("sysctl -w net.ipv4.ip_forward=1");
  const h: Node[] = [];
  for (let i = 1; i <= hosts; i++) {
    const n = net.node(`h${i}`);
    net.connect(n, inside);
    n.sh(`ip addr add 192.168.1.${10 * i}/24 dev eth0; ip route add default via 192.168.1.1`);
    h.push(n);
  }
  const s: Node[] = [];
  for (let j = 1; j <= servers; j++) {
    const n = net.node(`s${j}`);
    net.connect(n, outside);
    // Servers know nothing of 192.168.1.0/24: only translated traffic can come back.
    n.sh(`ip addr add 203.0.113.${79 + j}/24 dev eth0`);
    s.push(n);
  }
  return { gw, h, s };
}

/** Open a TCP connection from `node` (optionally from `port`) to `dst:dport`. */
export function connect(node: Node, dst: string, dport: number, port = 0): TcpSocket {
  const tcp = node.root.tcp;
  const c = tcp.socket();
  if (port !== 0) tcp.bind(c, 0, port);
  tcp.connect(c, ip(dst), dport);
  return c;
}

/** "addr:port" of a socket's peer. */
export function peer(c: TcpSocket): string {
  return `${formatIp4(c.remoteAddr)}:${c.remotePort}`;
}
