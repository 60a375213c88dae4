/**
 * packetlab: a deterministic, packet-level network simulator. Build a
 * network, type Linux command lines on its nodes, and read what every packet
 * did.
 *
 * @example
 * ```ts
 * import { Network } from "./mod.ts";
 * const net = new Network({ seed: 1 });
 * const [a, b] = net.nodes("a", "b");
 * net.connect(a, b);
 * a.sh("ip addr add 10.0.0.1/24 dev eth0");
 * b.sh("ip addr add 10.0.0.2/24 dev eth0");
 * console.assert(a.sh("ping -c 1 10.0.0.2").status === 0);
 * ```
 *
 * @module
 */
export { Network } from "./core/lab/network.ts";
export type {
  Attachable,
  ConnectOptions,
  Conservation,
  NetworkOptions,
} from "./core/lab/network.ts";
export { Node } from "./core/node/node.ts";
export type { ShellResult } from "./core/node/node.ts";
export { NetNs } from "./core/node/netns.ts";
export { Hub } from "./core/l2/hub.ts";
export { Switch } from "./core/l2/switch.ts";
export { Link } from "./core/net/link.ts";
export type { GilbertElliott, LinkOptions, LossModel } from "./core/net/link.ts";
export { DropReason, Trace } from "./core/sim/trace.ts";
export type { Hop, TraceEvent, TraceFilter } from "./core/sim/trace.ts";
export { ms, ns, s, Simulator, us } from "./core/sim/simulator.ts";
export { chain, star, twoSwitchThreeLans } from "./core/lab/topology.ts";
export { scenario } from "./core/lab/scenario.ts";
export { TcpSocket, TcpStack } from "./core/transport/tcp/mod.ts";
export type { TcpError, TcpSocketOptions, TcpState } from "./core/transport/tcp/mod.ts";
export { UdpSocket, UdpStack } from "./core/transport/udp.ts";
export { Chain, Netfilter, NfTable } from "./core/netfilter/netfilter.ts";
export type { LogLine, TableName } from "./core/netfilter/netfilter.ts";
export { Conn, ConntrackTable, CtState } from "./core/netfilter/conntrack.ts";
export type { PacketCt, TcpCtState, Tuple } from "./core/netfilter/conntrack.ts";
export type { Match, NatRange, Rule, Target } from "./core/netfilter/rule.ts";
export { createCongestionControl } from "./core/transport/cc/registry.ts";
export type { CongestionControl } from "./core/transport/cc/types.ts";
export { runComparison } from "./core/lab/compare/run.ts";
export type { CompareConfig, CompareResult } from "./core/lab/compare/types.ts";
export * as wire from "./core/wire/mod.ts";
