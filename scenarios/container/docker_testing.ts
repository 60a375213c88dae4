/**
 * Test support for the container scenarios: a Docker-style host. `docker0`
 * is a Linux bridge with 172.17.0.1/16; each container is a namespace whose
 * eth0 is one end of a veth pair, the other end enslaved to docker0; the host
 * forwards, and Docker's iptables rules are loaded: MASQUERADE for traffic
 * leaving the container network, and a DOCKER chain in nat reached from
 * PREROUTING and OUTPUT for local destinations (`-m addrtype --dst-type
 * LOCAL`), where `-p HOST:CONTAINER` port mappings become DNAT rules.
 *
 *   client 198.51.100.9 ── eth0 198.51.100.2 host docker0 172.17.0.1 ─┬─ c1 172.17.0.2
 *                                                                      └─ c2 172.17.0.3
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { NetNs } from "../../core/node/netns.ts";
import { peer } from "../gateway/nat_testing.ts";

/** The host, an outside client, and containers c1…cN (172.17.0.2…). */
export function dockerHost(net: Network, containers = 2) {
  const [host, client] = net.nodes("host", "client");
  net.connect(client, host);
  client.sh("ip addr add 198.51.100.9/24 dev eth0");
  host.sh(`ip addr add 198.51.100.2/24 dev eth0
sysctl -w net.ipv4.ip_forward=1
ip link add docker0 type bridge
ip addr add 172.17.0.1/16 dev docker0
ip link set docker0 up
iptables -t nat -N DOCKER
iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
iptables -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
iptables -t nat -A DOCKER -i docker0 -j RETURN`);
  for (let i = 1; i <= containers; i++) {
    const name = `c${i}`;
    host.sh(`ip netns add ${name}
ip link add veth${name} type veth peer name eth0 netns ${name}
ip link set veth${name} master docker0
ip link set veth${name} up
ip netns exec ${name} ip addr add 172.17.0.${i + 1}/16 dev eth0
ip netns exec ${name} ip link set eth0 up
ip netns exec ${name} ip link set lo up
ip netns exec ${name} ip route add default via 172.17.0.1`);
  }
  return { host, client };
}

/** `docker run -p HOST:CONTAINER`: the DNAT rule Docker adds for container `ip`. */
export function publish(host: Node, hostPort: number, ip: string, port: number): void {
  host.sh(
    `iptables -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport ${hostPort} -j DNAT --to-destination ${ip}:${port}`,
  );
}

/** Listen on `port` inside a container's namespace; returns the peers it accepted ("addr:port"). */
export function listenIn(ns: NetNs, port: number): string[] {
  const seen: string[] = [];
  const l = ns.tcp.socket();
  ns.tcp.bind(l, 0, port);
  ns.tcp.listen(l);
  l.onAccept = () => {
    for (let c = ns.tcp.accept(l); c; c = ns.tcp.accept(l)) seen.push(peer(c));
  };
  return seen;
}
