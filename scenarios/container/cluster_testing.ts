/**
 * Test support for the Calico and Flannel scenarios: container hosts ("nodes")
 * on one switched LAN, 192.168.100.0/24, whose default gateway `gw`
 * (192.168.100.1) leads to a server outside the cluster, `web` 203.0.113.80.
 *
 *   web 203.0.113.80 ── eth1 gw eth0 192.168.100.1 ── tor ─┬─ hostA 192.168.100.100
 *                                                          └─ hostB 192.168.100.101
 *
 * Calico (the notes' example, per host a /24 of 172.17.0.0/16): each
 * workload is a namespace with a /32 address on eth0, the other end of its
 * veth (`caliXX`, MAC ee:ee:ee:ee:ee:ee, no address) in the host; the
 * workload's default route points at 169.254.1.1, which nobody owns and the
 * host's veth answers by proxy ARP; the host routes each workload by a /32
 * route. The routes to the other host's block are the ones BIRD would learn
 * by BGP; packetlab has no BGP yet, so they are added by hand with
 * `proto bird`. Felix's per-veth settings are those it writes to /proc:
 * `proxy_arp` 1 and `neigh.<veth>.proxy_delay` 0 (forwarding is on for every
 * interface already).
 *
 * Flannel host-gw (Kubernetes' addresses, a /24 of 10.244.0.0/16 per node):
 * pods hang on the node's `cni0` bridge; each node routes the other nodes'
 * /24s via their addresses on the LAN, which is all the backend does.
 *
 * @module
 */
import { HttpServer } from "../../core/app/http/server.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import type { NetNs } from "../../core/node/netns.ts";
import type { TraceEvent } from "../../core/sim/trace.ts";
import { formatIp4, formatMac } from "../../core/wire/addr.ts";

/**
 * Hosts on the LAN 192.168.100.0/24 (name → address), each forwarding, with
 * its default route via `gw`; `gw` forwards to `web` (203.0.113.80) when
 * `outside` is set and is otherwise a plain gateway that forwards nothing.
 */
export function lan(net: Network, hosts: Record<string, string>, outside = false) {
  const tor = net.switch("tor");
  const gw = net.node("gw");
  net.connect(gw, tor);
  gw.sh("ip addr add 192.168.100.1/24 dev eth0");
  const nodes: Node[] = [];
  for (const [name, addr] of Object.entries(hosts)) {
    const n = net.node(name);
    net.connect(n, tor);
    n.sh(`ip addr add ${addr}/24 dev eth0
ip route add default via 192.168.100.1
sysctl -w net.ipv4.ip_forward=1`);
    nodes.push(n);
  }
  let web: Node | undefined;
  if (outside) {
    web = net.node("web");
    net.connect(gw, web);
    gw.sh("ip addr add 203.0.113.1/24 dev eth1; sysctl -w net.ipv4.ip_forward=1");
    web.sh("ip addr add 203.0.113.80/24 dev eth0; ip route add default via 203.0.113.1");
  }
  return { gw, nodes, web };
}

/** Options for a Calico workload; each defaults to what Calico does. */
export interface WorkloadOptions {
  /** Felix's `proxy_arp=1` on the host's veth (default true). */
  proxyArp?: boolean;
  /** Felix's `neigh.<veth>.proxy_delay=0` (default true): answer at once. */
  noProxyDelay?: boolean;
  /** Felix's /32 route to the workload on the host (default true). */
  hostRoute?: boolean;
  /**
   * The workload's default route: "scope-link" is the notes' pair (a link
   * route to 169.254.1.1, then `default via 169.254.1.1 dev eth0`); "onlink"
   * is the single `default via 169.254.1.1 dev eth0 onlink`.
   */
  gateway?: "scope-link" | "onlink";
}

/** The notes' Calico pair: hostA (172.17.8.0/24) and hostB (172.17.9.0/24). */
export function calicoHosts(net: Network) {
  const { gw, nodes } = lan(net, { hostA: "192.168.100.100", hostB: "192.168.100.101" });
  return { gw, hostA: nodes[0]!, hostB: nodes[1]! };
}

/**
 * A Calico workload `name` with address `addr`/32 on `host`, its host-side
 * veth named `veth`: the commands the CNI plugin and Felix run.
 */
export function calicoWorkload(
  host: Node,
  name: string,
  addr: string,
  veth: string,
  o: WorkloadOptions = {},
): NetNs {
  const c = `ip netns exec ${name}`;
  host.sh(`ip netns add ${name}
ip link add ${veth} type veth peer name eth0 netns ${name}
ip link set ${veth} address ee:ee:ee:ee:ee:ee
ip link set ${veth} up
${c} ip link set lo up
${c} ip addr add ${addr}/32 dev eth0
${c} ip link set eth0 up`);
  if (o.gateway === "onlink") host.sh(`${c} ip route add default via 169.254.1.1 dev eth0 onlink`);
  else {
    host.sh(`${c} ip route add 169.254.1.1 dev eth0 scope link
${c} ip route add default via 169.254.1.1 dev eth0`);
  }
  if (o.proxyArp ?? true) host.sh(`sysctl -w net.ipv4.conf.${veth}.proxy_arp=1`);
  if (o.noProxyDelay ?? true) host.sh(`sysctl -w net.ipv4.neigh.${veth}.proxy_delay=0`);
  if (o.hostRoute ?? true) host.sh(`ip route add ${addr} dev ${veth} scope link`);
  return host.netns.get(name)!;
}

/**
 * The notes' two hosts with workloads a1 172.17.8.2 and a2 172.17.8.3 on
 * hostA (calia1, calia2) and b1 172.17.9.2 on hostB (calib1), and, unless
 * `bgp` is false, the routes BGP would give each host to the other's block.
 */
export function calicoCluster(net: Network, o: { bgp?: boolean; a2?: WorkloadOptions } = {}) {
  const { gw, hostA, hostB } = calicoHosts(net);
  const a1 = calicoWorkload(hostA, "a1", "172.17.8.2", "calia1");
  const a2 = calicoWorkload(hostA, "a2", "172.17.8.3", "calia2", o.a2);
  const b1 = calicoWorkload(hostB, "b1", "172.17.9.2", "calib1");
  if (o.bgp ?? true) {
    hostA.sh("ip route add 172.17.9.0/24 via 192.168.100.101 dev eth0 proto bird onlink");
    hostB.sh("ip route add 172.17.8.0/24 via 192.168.100.100 dev eth0 proto bird onlink");
  }
  return { gw, hostA, hostB, a1, a2, b1 };
}

/**
 * A Flannel host-gw node: the `cni0` bridge with `subnet`.1/24 and pods
 * `subnet`.2, .3, … (namespaces p<k>…) on it, and the cluster's outbound
 * MASQUERADE rule.
 */
export function flannelNode(node: Node, subnet: string, pods: string[]): NetNs[] {
  node.sh(`ip link add cni0 type bridge
ip addr add ${subnet}.1/24 dev cni0
ip link set cni0 up
iptables -t nat -A POSTROUTING -s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE`);
  return pods.map((name, i) => {
    const c = `ip netns exec ${name}`;
    node.sh(`ip netns add ${name}
ip link add veth${name} type veth peer name eth0 netns ${name}
ip link set veth${name} master cni0
ip link set veth${name} up
${c} ip link set lo up
${c} ip addr add ${subnet}.${i + 2}/24 dev eth0
${c} ip link set eth0 up
${c} ip route add default via ${subnet}.1`);
    return node.netns.get(name)!;
  });
}

/** The MAC of `ns`'s interface `ifname`, as text. */
export function macOf(ns: NetNs, ifname: string): string {
  return formatMac(ns.iface(ifname).mac);
}

/**
 * Where a transmission happened, as `node[/netns]:iface`: the trace names
 * nodes, and a namespace's interface is told from the root's of the same name
 * by the frame's source MAC (an interface sends with its own).
 */
export function txPlace(net: Network, e: TraceEvent): string {
  const node = net.get(e.node);
  const named = node.namespaces().filter((ns) => ns.dev.get(e.iface) !== undefined);
  const ns = named.find((n) => n.iface(e.iface).mac === e.packet.eth.src) ?? named[0];
  return `${e.node}${ns?.name ? "/" + ns.name : ""}:${e.iface}`;
}

/**
 * One line per transmission of the IP packets among `events` by a node (not
 * a switch): place, MACs, addresses, TTL — what `tcpdump -e -v` shows at each hop.
 */
export function hopLines(net: Network, events: TraceEvent[]): string[] {
  return events.filter((e) =>
    e.kind === "tx" && e.packet.ip !== undefined && net.nodeMap.has(e.node)
  )
    .map((e) => {
      const { eth, ip } = e.packet;
      return `${txPlace(net, e)} ${formatMac(eth.src)} > ${formatMac(eth.dst)} ` +
        `${formatIp4(ip!.src)} > ${formatIp4(ip!.dst)} ttl ${ip!.ttl}`;
    });
}

/**
 * A web server in namespace `ns` on `port`: `/` answers "hello\n"; `clients`
 * lists each request's peer as "addr:port", as the server's socket saw it.
 */
export function webIn(ns: NetNs, port = 80) {
  const clients: string[] = [];
  const web = new HttpServer(ns, { port });
  web.route("/", (x) => {
    clients.push(`${formatIp4(x.remoteAddr)}:${x.remotePort}`);
    return { headers: [{ name: "Content-Type", value: "text/plain" }], body: "hello\n" };
  });
  if (web.start() !== undefined) throw new Error(`port ${port} taken`);
  return { web, clients };
}
