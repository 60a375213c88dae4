/**
 * Security groups per VM on one host, as an agent would write them. The notes
 * put the VMs' taps on a Linux bridge and filter on it; that relies on
 * br_netfilter (bridged frames handed to iptables), which packetlab's bridge
 * does not model — there, bridged traffic never meets iptables (see
 * bridge_bypass_test.ts). So the host here routes instead of bridging, as
 * Calico does: each VM's tap is a point-to-point link with a route of its
 * own, every VM-bound packet crosses the host's FORWARD chain, and the
 * device it leaves by (`-o tapvm1`) picks the VM's chain:
 *
 *   FORWARD (policy DROP)                    sg-web (vm1)          sg-db (vm2)
 *   1 ctstate RELATED,ESTABLISHED  ACCEPT    tcp dports 22,80      tcp dpt:5432 from
 *   2 -o tapvm1                    sg-web      ACCEPT                10.0.1.2 ACCEPT
 *   3 -o tapvm2                    sg-db     icmp ACCEPT           DROP
 *   4 -i tap+ (VMs going out)      ACCEPT    DROP
 *
 * The web VM takes ssh, http and ping from anywhere; the database VM only
 * PostgreSQL from the web VM — another VM on the same host is filtered just
 * like the outside. Each chain ends in DROP, so a packet that fits no rule of
 * its VM's group never falls back to FORWARD's later rules.
 *
 *   client 10.1.0.2 ── eth0 host ─ tapvm1 ── vm1 10.0.1.2 (web: 22, 80, 443)
 *                               └─ tapvm2 ── vm2 10.0.2.2 (db: 5432)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { connect, counters, serve } from "./netfilter_testing.ts";

function build(net: Network) {
  const [client, host, vm1, vm2] = net.nodes("client", "host", "vm1", "vm2");
  net.connect(client, host);
  net.connect(host, vm1);
  net.connect(host, vm2);
  client.sh("ip addr add 10.1.0.2/24 dev eth0; ip route add default via 10.1.0.1");
  host.sh(`sysctl -w net.ipv4.ip_forward=1
ip addr add 10.1.0.1/24 dev eth0
ip link set eth1 down; ip link set eth1 name tapvm1; ip link set tapvm1 up
ip link set eth2 down; ip link set eth2 name tapvm2; ip link set tapvm2 up
ip addr add 10.0.1.1/30 dev tapvm1
ip addr add 10.0.2.1/30 dev tapvm2`);
  vm1.sh("ip addr add 10.0.1.2/30 dev eth0; ip route add default via 10.0.1.1");
  vm2.sh("ip addr add 10.0.2.2/30 dev eth0; ip route add default via 10.0.2.1");
  for (const port of [22, 80, 443]) serve(vm1, port);
  serve(vm2, 5432);
  host.sh(`iptables -N sg-web
iptables -A sg-web -p tcp -m multiport --dports 22,80 -j ACCEPT
iptables -A sg-web -p icmp -j ACCEPT
iptables -A sg-web -j DROP
iptables -N sg-db
iptables -A sg-db -s 10.0.1.2 -p tcp --dport 5432 -j ACCEPT
iptables -A sg-db -j DROP
iptables -P FORWARD DROP
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -o tapvm1 -j sg-web
iptables -A FORWARD -o tapvm2 -j sg-db
iptables -A FORWARD -i tap+ -j ACCEPT`);
  return { client, host, vm1, vm2 };
}

/** Try a TCP connection for 2 s (two SYNs), then give up: "open" or the state it was in. */
function tryTcp(net: Network, from: string, to: string, port: number): string {
  const c = connect(net.get(from), to, port);
  net.run(net.sim.now + 2 * s);
  const result = c.state === "ESTABLISHED" ? "open" : c.state;
  if (result !== "open") c.abort();
  return result;
}

scenario("security groups per VM: who reaches what", (net) => {
  const { client, host, vm1 } = build(net);
  assert.deepEqual(
    [
      tryTcp(net, "client", "10.0.1.2", 22),
      tryTcp(net, "client", "10.0.1.2", 80),
      tryTcp(net, "client", "10.0.1.2", 443),
      tryTcp(net, "client", "10.0.2.2", 5432),
      tryTcp(net, "vm1", "10.0.2.2", 5432),
      tryTcp(net, "vm2", "10.0.1.2", 80),
      tryTcp(net, "vm2", "10.0.1.2", 443),
    ],
    ["open", "open", "SYN-SENT", "SYN-SENT", "open", "open", "SYN-SENT"],
  );
  assert.equal(client.sh("ping -c 1 10.0.1.2").status, 0);
  assert.equal(client.sh("ping -c 1 -W 1 10.0.2.2").status, 1);
  // The VMs go out freely, and the answers come back as ESTABLISHED.
  assert.equal(vm1.sh("ping -c 1 10.1.0.2").status, 0);
  // Every drop was one of the two groups' last rules.
  const drops = net.trace.filter({ kind: "drop", node: "host" }).map((d) => d.detail);
  assert.deepEqual([...new Set(drops)].sort(), [
    "filter sg-db rule 2 (DROP)",
    "filter sg-web rule 3 (DROP)",
  ]);
  // A group sees only what opens a connection: later packets are ESTABLISHED
  // in FORWARD's rule 1. sg-db took vm1's SYN, and dropped the client's two
  // SYNs and its ping.
  assert.deepEqual(counters(host, "sg-db").map((r) => [r[0], r[2]]), [
    [1, "ACCEPT 6 -- * * 10.0.1.2 0.0.0.0/0 tcp dpt:5432"],
    [3, "DROP 0 -- * * 0.0.0.0/0 0.0.0.0/0"],
  ]);
});

scenario("security groups per VM: the listing an agent would check", (net) => {
  const { host } = build(net);
  assert.equal(
    host.sh("iptables -L FORWARD -n -v").stdout,
    [
      "Chain FORWARD (policy DROP 0 packets, 0 bytes)",
      " pkts bytes target     prot opt in     out     source               destination         ",
      "    0     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED",
      "    0     0 sg-web     0    --  *      tapvm1  0.0.0.0/0            0.0.0.0/0           ",
      "    0     0 sg-db      0    --  *      tapvm2  0.0.0.0/0            0.0.0.0/0           ",
      "    0     0 ACCEPT     0    --  tap+   *       0.0.0.0/0            0.0.0.0/0           ",
      "",
    ].join("\n"),
  );
  assert.equal(
    host.sh("iptables -S sg-web").stdout,
    "-N sg-web\n" +
      "-A sg-web -p tcp -m multiport --dports 22,80 -j ACCEPT\n" +
      "-A sg-web -p icmp -j ACCEPT\n" +
      "-A sg-web -j DROP\n",
  );
  // Mistakes an agent could make, refused with iptables' words.
  const bad = host.sh("iptables -A FORWARD -o tapvm3 -j sg-app");
  assert.deepEqual([bad.status, bad.stderr], [
    2,
    "iptables v1.8.9 (nf_tables): Chain 'sg-app' does not exist\n" +
    "Try `iptables -h' or 'iptables --help' for more information.\n",
  ]);
  const wrong = host.sh("iptables -A INPUT -o tapvm1 -j sg-web");
  assert.deepEqual([wrong.status, wrong.stderr], [
    2,
    "iptables v1.8.9 (nf_tables): Can't use -o with INPUT\n\n" +
    "Try `iptables -h' or 'iptables --help' for more information.\n",
  ]);
});
