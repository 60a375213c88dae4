/**
 * The notes' cloud router namespace: `routerns` joins the VM network
 * 192.168.1.0/24 (taprouter, 192.168.1.1) to the physical network
 * 16.158.1.0/24 (taprouterex, 16.158.1.100), and gives the VM 192.168.1.3 the
 * floating IP 16.158.1.103 with a DNAT and an SNAT rule — the notes' own
 * `iptables -t nat -nvL` listing. Outside clients reach the VM at
 * 16.158.1.103 and the VM's own connections leave from it. Packetlab uses
 * veth pairs where the notes plug Open vSwitch internal ports into br0 and
 * br-ex; the router namespace is the same.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, peer } from "./nat_testing.ts";

function build(net: Network) {
  const [host, vm, client] = net.nodes("host", "vm", "client");
  net.connect(vm, host); // vm eth0 — host eth0 (taprouter's side)
  net.connect(client, host); // client eth0 — host eth1 (taprouterex's side)
  host.sh([
    "ip netns add routerns",
    "ip netns exec routerns sysctl -w net.ipv4.ip_forward=1",
    "ip netns exec routerns iptables-save -c > /tmp/rules",
    "ip netns exec routerns iptables-restore -c < /tmp/rules",
    "ip link set eth0 name taprouter",
    "ip link set eth1 name taprouterex",
    "ip link set taprouter netns routerns",
    "ip link set taprouterex netns routerns",
    "ip netns exec routerns ip link set taprouter up",
    "ip netns exec routerns ip link set taprouterex up",
    "ip netns exec routerns ip -4 addr add 192.168.1.1/24 brd 192.168.1.255 scope global dev taprouter",
    "ip netns exec routerns ip -4 addr add 16.158.1.100/24 brd 16.158.1.255 scope global dev taprouterex",
    "ip netns exec routerns ip -4 addr add 16.158.1.103/32 dev taprouterex",
    "ip netns exec routerns ip route add default via 16.158.1.1",
    "ip netns exec routerns iptables -t nat -A PREROUTING -d 16.158.1.103 -j DNAT --to-destination 192.168.1.3",
    "ip netns exec routerns iptables -t nat -A POSTROUTING -s 192.168.1.3 -j SNAT --to-source 16.158.1.103",
  ].join("\n"));
  vm.sh("ip addr add 192.168.1.3/24 dev eth0; ip route add default via 192.168.1.1");
  client.sh("ip addr add 16.158.1.1/24 dev eth0");
  return { host, vm, client };
}

scenario("floating IP: the notes' routerns NAT rules, listed as the notes show them", (net) => {
  const { host } = build(net);
  const r = host.sh("ip netns exec routerns iptables -t nat -nvL");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)",
      " pkts bytes target     prot opt in     out     source               destination         ",
      "    0     0 DNAT       0    --  *      *       0.0.0.0/0            16.158.1.103         to:192.168.1.3",
      "",
      "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)",
      " pkts bytes target     prot opt in     out     source               destination         ",
      "",
      "Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)",
      " pkts bytes target     prot opt in     out     source               destination         ",
      "",
      "Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)",
      " pkts bytes target     prot opt in     out     source               destination         ",
      "    0     0 SNAT       0    --  *      *       192.168.1.3          0.0.0.0/0            to:16.158.1.103",
      "",
    ].join("\n"),
  );
  // The notes' "route -n" table, in ip's words.
  assert.equal(
    host.sh("ip netns exec routerns ip route").stdout,
    "default via 16.158.1.1 dev taprouterex \n" +
      "16.158.1.0/24 dev taprouterex proto kernel scope link src 16.158.1.100 \n" +
      "192.168.1.0/24 dev taprouter proto kernel scope link src 192.168.1.1 \n",
  );
});

scenario(
  "floating IP: outside clients reach the VM at 16.158.1.103; the VM leaves from it",
  (net) => {
    const { host, vm, client } = build(net);
    const web = serve(vm, 80);
    const c = connect(client, "16.158.1.103", 80, 40000);
    net.run(1e9);
    assert.equal(c.state, "ESTABLISHED");
    assert.deepEqual(web.conns.map(peer), ["16.158.1.1:40000"]);
    // The VM's own traffic: the client sees the floating IP, never 192.168.1.3.
    const srv = serve(client, 8080);
    connect(vm, "16.158.1.1", 8080, 41000);
    net.run(2e9);
    assert.deepEqual(srv.conns.map(peer), ["16.158.1.103:41000"]);
    for (const e of net.trace.filter({ kind: "rx", node: "client" })) {
      if (e.packet.ip) assert.notEqual(e.packet.ip.src, 0xc0a80103);
    }
    assert.match(
      host.sh("ip netns exec routerns iptables -t nat -nvL PREROUTING").stdout,
      /^ {4}1 {4}60 DNAT /m,
    );
  },
);
