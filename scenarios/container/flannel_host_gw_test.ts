/**
 * Flannel's host-gw backend: every node gets a /24 of the cluster network
 * 10.244.0.0/16 for the pods on its `cni0` bridge, and routes the other
 * nodes' /24s via their addresses on the LAN
 * (`10.244.2.0/24 via 192.168.100.102 dev eth0`) — routes only, no tunnel,
 * so the nodes must share a LAN. Pod-to-pod traffic keeps the pods'
 * addresses; traffic leaving the cluster is masqueraded to the node's
 * address by `-s 10.244.0.0/16 ! -d 10.244.0.0/16 -j MASQUERADE` (Flannel
 * writes that rule with `--random-fully` and RETURN rules around it; one rule
 * does the same here). flanneld itself, which learns the subnets from etcd or
 * the Kubernetes API, is not modelled: the routes are added by hand. Outputs
 * as Linux 6.1 printed them for the same set-up in namespaces.
 *
 *   web 203.0.113.80 ── gw ── tor ─┬─ node1 192.168.100.101  cni0 10.244.1.1 ─┬─ p1 10.244.1.2
 *                                  │                                          └─ p3 10.244.1.3
 *                                  └─ node2 192.168.100.102  cni0 10.244.2.1 ─── p2 10.244.2.2
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { flannelNode, hopLines, lan, macOf, webIn } from "./cluster_testing.ts";

function hostGw(net: Network) {
  const { nodes, web, gw } = lan(net, { node1: "192.168.100.101", node2: "192.168.100.102" }, true);
  const [node1, node2] = [nodes[0]!, nodes[1]!];
  const [p1, p3] = flannelNode(node1, "10.244.1", ["p1", "p3"]);
  const [p2] = flannelNode(node2, "10.244.2", ["p2"]);
  node1.sh("ip route add 10.244.2.0/24 via 192.168.100.102 dev eth0");
  node2.sh("ip route add 10.244.1.0/24 via 192.168.100.101 dev eth0");
  return { gw, web: web!, node1, node2, p1: p1!, p2: p2!, p3: p3! };
}

scenario(
  "Flannel host-gw: a /24 per node, and a route to each other node's via its LAN address",
  (net) => {
    const { node1, node2 } = hostGw(net);
    assert.equal(
      node1.sh("ip route").stdout,
      "default via 192.168.100.1 dev eth0 \n" +
        "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n" +
        "10.244.2.0/24 via 192.168.100.102 dev eth0 \n" +
        "192.168.100.0/24 dev eth0 proto kernel scope link src 192.168.100.101 \n",
    );
    assert.equal(
      node2.sh("ip route show 10.244.1.0/24").stdout,
      "10.244.1.0/24 via 192.168.100.101 dev eth0 \n",
    );
    // host-gw cannot reach a node outside the LAN: the kernel refuses such a next hop.
    assert.deepEqual(
      [node1.sh("ip route add 10.244.3.0/24 via 192.168.200.103 dev eth0").stderr],
      ["Error: Nexthop has invalid gateway.\n"],
    );
  },
);

scenario(
  "Flannel host-gw: pod to pod across nodes is routed twice, with the pods' own addresses",
  (net) => {
    const { node1, node2, p1, p2 } = hostGw(net);
    assert.match(
      node1.sh("ip netns exec p1 ping -c 1 10.244.2.2").stdout,
      /64 bytes from 10\.244\.2\.2: icmp_seq=1 ttl=62 /,
    );
    const [m1, m2, n1, n2] = [
      macOf(p1, "eth0"),
      macOf(p2, "eth0"),
      node1.mac("eth0"),
      node2.mac("eth0"),
    ];
    const [cni1, cni2] = [macOf(node1.root, "cni0"), macOf(node2.root, "cni0")];
    assert.deepEqual(hopLines(net, net.trace.filter({ icmp: "echo-request" })), [
      `node1/p1:eth0 ${m1} > ${cni1} 10.244.1.2 > 10.244.2.2 ttl 64`,
      `node1:eth0 ${n1} > ${n2} 10.244.1.2 > 10.244.2.2 ttl 63`,
      `node2:cni0 ${cni2} > ${m2} 10.244.1.2 > 10.244.2.2 ttl 62`,
      `node2:vethp2 ${cni2} > ${m2} 10.244.1.2 > 10.244.2.2 ttl 62`,
    ]);
    const out = node1.sh("ip netns exec p1 traceroute -n -q 1 10.244.2.2").stdout;
    assert.deepEqual(out.split("\n").map((l) => l.split("  ").slice(0, 2).join("  ")), [
      "traceroute to 10.244.2.2 (10.244.2.2), 30 hops max, 60 byte packets",
      " 1  10.244.1.1",
      " 2  192.168.100.102",
      " 3  10.244.2.2",
      "",
    ]);
    // A TCP connection: the server pod sees the client pod; no rule translated anything.
    const { clients } = webIn(p2);
    assert.equal(node1.sh("ip netns exec p1 curl -s http://10.244.2.2/").stdout, "hello\n");
    assert.match(clients[0]!, /^10\.244\.1\.2:\d+$/);
    assert.match(
      node1.sh("iptables -t nat -L POSTROUTING -n -v").stdout,
      /^ +0 +0 MASQUERADE +0 +-- +\* +\* +10\.244\.0\.0\/16 +!10\.244\.0\.0\/16 +$/m,
    );
    assert.match(
      node1.sh("conntrack -L -p tcp").stdout,
      /src=10\.244\.1\.2 dst=10\.244\.2\.2 sport=\d+ dport=80 src=10\.244\.2\.2 dst=10\.244\.1\.2 sport=80/,
    );
  },
);

scenario("Flannel host-gw: pods on one node talk over cni0, switched, not routed", (net) => {
  const { node1, p1, p3 } = hostGw(net);
  assert.match(
    node1.sh("ip netns exec p1 ping -c 1 10.244.1.3").stdout,
    /64 bytes from 10\.244\.1\.3: icmp_seq=1 ttl=64 /,
  );
  assert.equal(node1.root.ip.stats.forwarded, 0);
  const request = net.trace.filter({ kind: "tx", icmp: "echo-request" });
  assert.ok(request.every((e) => e.packet.eth.dst === p3.iface("eth0").mac));
  assert.ok(request.every((e) => e.packet.eth.src === p1.iface("eth0").mac));
});

scenario(
  "Flannel host-gw: leaving the cluster, a pod is masqueraded to its node's address",
  (net) => {
    const { node1, web } = hostGw(net);
    const { clients } = webIn(web.root);
    assert.equal(node1.sh("ip netns exec p1 curl -s http://203.0.113.80/").stdout, "hello\n");
    assert.match(clients[0]!, /^192\.168\.100\.101:\d+$/);
    assert.match(
      node1.sh("conntrack -L -p tcp").stdout,
      /src=10\.244\.1\.2 dst=203\.0\.113\.80 sport=(\d+) dport=80 src=203\.0\.113\.80 dst=192\.168\.100\.101 sport=80 dport=\1 \[ASSURED\]/,
    );
    // Only the connection's first packet met the nat table.
    assert.match(
      node1.sh("iptables -t nat -L POSTROUTING -n -v").stdout,
      /^ +1 +60 MASQUERADE +0 +-- +\* +\* +10\.244\.0\.0\/16 +!10\.244\.0\.0\/16 +$/m,
    );
    // On the LAN, outbound segments carry the node's address, never the pod's.
    const out = net.trace.filter({ kind: "tx", node: "node1", iface: "eth0", proto: 6 })
      .filter((e) => e.packet.eth.src === node1.iface("eth0").mac);
    assert.ok(out.length > 0);
    assert.deepEqual(
      new Set(out.map((e) => formatIp4(e.packet.ip!.src))),
      new Set(["192.168.100.101"]),
    );
  },
);

scenario(
  "Flannel host-gw: without the MASQUERADE rule the outside world cannot answer a pod",
  (net) => {
    const { node1, web } = hostGw(net);
    const { clients } = webIn(web.root);
    node1.sh("iptables -t nat -F POSTROUTING");
    const r = node1.sh("ip netns exec p1 curl --connect-timeout 2 -sS http://203.0.113.80/");
    assert.equal(r.status, 28);
    assert.deepEqual(clients, [], "the handshake never completed");
    // web answered the pod's own address; gw knows no route back to 10.244.1.0/24.
    const drop = net.trace.first({ kind: "drop", dst: "10.244.1.2" })!;
    assert.equal(`${drop.node} ${drop.reason}`, `gw ${DropReason.noRoute}`);
    assert.equal(drop.packet.tcp!.flags, 0x12, "web's SYN-ACK");
  },
);
