/**
 * Test support for the shell's unit tests: a machine with two namespaces
 * joined by a veth pair, as the Linux recordings set them up.
 *
 * @module
 */
import { Network } from "../lab/network.ts";
import type { Node, ShellResult } from "../node/node.ts";

/** `a` (veth0 10.0.0.1/24) and `b` (veth1 10.0.0.2/24) on node "lab", both up. */
export function vethPair(): {
  net: Network;
  lab: Node;
  a: (cmd: string) => ShellResult;
  b: (cmd: string) => ShellResult;
} {
  const net = new Network({ seed: 1 });
  const lab = net.node("lab");
  lab.sh([
    "ip netns add a",
    "ip netns add b",
    "ip -n a link add veth0 type veth peer name veth1",
    "ip -n a link set veth1 netns b",
    "ip -n a addr add 10.0.0.1/24 dev veth0",
    "ip -n b addr add 10.0.0.2/24 dev veth1",
    "ip -n a link set lo up",
    "ip -n a link set veth0 up",
    "ip -n b link set lo up",
    "ip -n b link set veth1 up",
    "sleep 1",
  ].join("\n"));
  return {
    net,
    lab,
    a: (cmd) => lab.sh(`ip netns exec a ${cmd}`),
    b: (cmd) => lab.sh(`ip netns exec b ${cmd}`),
  };
}

/**
 * Three namespaces in a row: `a` 10.0.0.1 — 10.0.0.2 `b` 10.0.1.1 — 10.0.1.2 `c`,
 * with `b` forwarding and `a` and `c` routing through it.
 */
export function chain(): {
  net: Network;
  lab: Node;
  a: (cmd: string) => ShellResult;
  b: (cmd: string) => ShellResult;
  c: (cmd: string) => ShellResult;
} {
  const net = new Network({ seed: 1 });
  const lab = net.node("lab");
  lab.sh([
    "ip netns add a",
    "ip netns add b",
    "ip netns add c",
    "ip -n a link add veth0 type veth peer name veth1",
    "ip -n a link set veth1 netns b",
    "ip -n b link add eth1 type veth peer name ceth0",
    "ip -n b link set ceth0 netns c",
    "ip -n c link set ceth0 name eth0",
    "ip -n a addr add 10.0.0.1/24 dev veth0",
    "ip -n b addr add 10.0.0.2/24 dev veth1",
    "ip -n b addr add 10.0.1.1/24 dev eth1",
    "ip -n c addr add 10.0.1.2/24 dev eth0",
    "ip -n a link set lo up",
    "ip -n a link set veth0 up",
    "ip -n b link set lo up",
    "ip -n b link set veth1 up",
    "ip -n b link set eth1 up",
    "ip -n c link set lo up",
    "ip -n c link set eth0 up",
    "ip -n a route add default via 10.0.0.2",
    "ip -n c route add default via 10.0.1.1",
    "ip netns exec b sysctl -qw net.ipv4.ip_forward=1",
    "sleep 1",
  ].join("\n"));
  return {
    net,
    lab,
    a: (cmd) => lab.sh(`ip netns exec a ${cmd}`),
    b: (cmd) => lab.sh(`ip netns exec b ${cmd}`),
    c: (cmd) => lab.sh(`ip netns exec c ${cmd}`),
  };
}
