/**
 * Test support for the netfilter scenarios: the three-machine lab most of them
 * use — a client, a Linux router that is also the firewall, and a server —
 * and small readers for what a person looks at on the firewall: the kernel log
 * without its time stamps, one chain's `iptables -L -n -v -x` rows, and
 * `conntrack -L` lines with the timeout column masked where virtual time makes
 * it move.
 *
 *   client 10.1.0.2 ── eth0 10.1.0.1 fw 10.2.0.1 eth1 ── 10.2.0.2 server
 *
 * @module
 */
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";

export { connect } from "../gateway/nat_testing.ts";
export { sendTcp, serve } from "../transport/tcp_testing.ts";

/** The client, the firewall between the two networks, and the server. */
export function firewallLab(net: Network): { client: Node; fw: Node; server: Node } {
  const [client, fw, server] = net.nodes("client", "fw", "server");
  net.connect(client, fw);
  net.connect(fw, server);
  client.sh("ip addr add 10.1.0.2/24 dev eth0; ip route add default via 10.1.0.1");
  fw.sh("ip addr add 10.1.0.1/24 dev eth0; ip addr add 10.2.0.1/24 dev eth1");
  fw.sh("sysctl -w net.ipv4.ip_forward=1");
  server.sh("ip addr add 10.2.0.2/24 dev eth0; ip route add default via 10.2.0.1");
  return { client, fw, server };
}

/** `dmesg` lines of a node without the `[    1.234567] ` time stamp. */
export function kernelLog(node: Node): string[] {
  return node.sh("dmesg").stdout.split("\n").filter((l) => l !== "").map((l) =>
    l.replace(/^\[\s*\d+\.\d{6}\] /, "")
  );
}

/**
 * The rule rows of `iptables [-t TABLE] -L CHAIN -n -v -x` as
 * `[packets, bytes, the rest of the row trimmed]`.
 */
export function counters(
  node: Node,
  chain: string,
  table = "filter",
): Array<[number, number, string]> {
  const out = node.sh(`iptables -t ${table} -L ${chain} -n -v -x`).stdout;
  return out.split("\n").slice(2).filter((l) => l !== "").map((l) => {
    const m = /^\s*(\d+)\s+(\d+) (.*)$/.exec(l)!;
    return [Number(m[1]), Number(m[2]), m[3]!.replace(/\s+/g, " ").trim()];
  });
}

/** `conntrack -L` lines (standard output) with the seconds-left column as `T`. */
export function conntrackLines(node: Node, args = ""): string[] {
  return node.sh(`conntrack -L ${args}`).stdout.split("\n").filter((l) => l !== "").map((l) =>
    l.replace(/^(\S+\s+\d+) \d+ /, "$1 T ")
  );
}
