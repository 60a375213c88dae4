/**
 * Calico across two hosts, the notes' example: hostA (192.168.100.100) holds
 * 172.17.8.0/24 and hostB (192.168.100.101) holds 172.17.9.0/24; each host
 * has a route to the other's block via the other's address,
 * `172.17.9.0/24 via 192.168.100.101 dev eth0 proto bird onlink`. Calico's
 * BIRD learns these by BGP; packetlab has no BGP yet, so the scenarios add
 * them by hand, as `proto bird` routes, and show what goes wrong while one of
 * them is missing. No tunnel and no NAT: every hop carries the workloads' own
 * addresses, only the MACs change. Outputs as Linux 6.1 printed them for the
 * same set-up in namespaces.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { calicoCluster, hopLines, macOf, webIn } from "./cluster_testing.ts";

scenario(
  "Calico: each host's routing table is the notes' — its workloads, the other host's block",
  (net) => {
    const { hostA, hostB } = calicoCluster(net);
    assert.equal(
      hostA.sh("ip route").stdout,
      "default via 192.168.100.1 dev eth0 \n" +
        "172.17.8.2 dev calia1 scope link \n" +
        "172.17.8.3 dev calia2 scope link \n" +
        "172.17.9.0/24 via 192.168.100.101 dev eth0 proto bird onlink \n" +
        "192.168.100.0/24 dev eth0 proto kernel scope link src 192.168.100.100 \n",
    );
    assert.equal(
      hostB.sh("ip route show proto bird").stdout,
      "172.17.8.0/24 via 192.168.100.100 dev eth0 onlink \n",
    );
  },
);

scenario(
  "Calico: a workload reaches the other host's workload with its own address, hop by hop",
  (net) => {
    const { hostA, hostB, a1, b1 } = calicoCluster(net);
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 172.17.9.2").stdout,
      /64 bytes from 172\.17\.9\.2: icmp_seq=1 ttl=62 /,
    );
    const ee = "ee:ee:ee:ee:ee:ee";
    const [m1, mb1, hA, hB] = [
      macOf(a1, "eth0"),
      macOf(b1, "eth0"),
      hostA.mac("eth0"),
      hostB.mac("eth0"),
    ];
    assert.deepEqual(hopLines(net, net.trace.filter({ proto: 1 })), [
      `hostA/a1:eth0 ${m1} > ${ee} 172.17.8.2 > 172.17.9.2 ttl 64`,
      `hostA:eth0 ${hA} > ${hB} 172.17.8.2 > 172.17.9.2 ttl 63`,
      `hostB:calib1 ${ee} > ${mb1} 172.17.8.2 > 172.17.9.2 ttl 62`,
      `hostB/b1:eth0 ${mb1} > ${ee} 172.17.9.2 > 172.17.8.2 ttl 64`,
      `hostB:eth0 ${hB} > ${hA} 172.17.9.2 > 172.17.8.2 ttl 63`,
      `hostA:calia1 ${ee} > ${m1} 172.17.9.2 > 172.17.8.2 ttl 62`,
    ]);
    // The next hop is the other host, resolved by ARP on the LAN like any neighbour.
    assert.equal(
      hostA.sh("ip neigh show 192.168.100.101").stdout,
      `192.168.100.101 dev eth0 lladdr ${hB} REACHABLE \n`,
    );
  },
);

scenario("Calico: traceroute across hosts — the two hosts, then the workload", (net) => {
  const { hostA } = calicoCluster(net);
  const out = hostA.sh("ip netns exec a1 traceroute -n 172.17.9.2").stdout;
  assert.deepEqual(out.split("\n").map((l) => l.split("  ").slice(0, 2).join("  ")), [
    "traceroute to 172.17.9.2 (172.17.9.2), 30 hops max, 60 byte packets",
    " 1  192.168.100.100",
    " 2  192.168.100.101",
    " 3  172.17.9.2",
    "",
  ]);
});

scenario(
  "Calico: across hosts the server sees the client workload's own address (no NAT)",
  (net) => {
    const { hostA, hostB, b1 } = calicoCluster(net);
    const { clients } = webIn(b1);
    assert.equal(hostA.sh("ip netns exec a2 curl -s http://172.17.9.2/").stdout, "hello\n");
    assert.match(clients[0]!, /^172\.17\.8\.3:\d+$/);
    // On every link, every segment carried the two workloads' addresses, untranslated.
    const tcp = net.trace.filter({ kind: "tx", proto: 6 });
    assert.ok(tcp.length > 6);
    const ends = new Set(
      tcp.map((e) => [e.packet.ip!.src, e.packet.ip!.dst].map(formatIp4).sort().join(" ")),
    );
    assert.deepEqual([...ends], ["172.17.8.3 172.17.9.2"]);
    assert.equal(hostA.root.hasNetfilter || hostB.root.hasNetfilter, false);
  },
);

scenario(
  "Calico: with only one direction's route (BGP half done) the reply goes to the default gateway and dies",
  (net) => {
    const { hostA, hostB } = calicoCluster(net, { bgp: false });
    hostA.sh("ip route add 172.17.9.0/24 via 192.168.100.101 dev eth0 proto bird onlink");
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 -W 1 172.17.9.2").stdout,
      /1 packets transmitted, 0 received, 100% packet loss/,
    );
    // b1 answered; hostB had no route to 172.17.8.0/24 but its default one.
    assert.equal(
      hostB.sh("ip route get 172.17.8.2").stdout,
      "172.17.8.2 via 192.168.100.1 dev eth0 src 192.168.100.101 uid 0 \n    cache \n",
    );
    const drop = net.trace.first({ kind: "drop", icmp: "echo-reply" })!;
    assert.equal(`${drop.node} ${drop.reason}`, `gw ${DropReason.forwardingOff}`);
    // What BIRD would have installed on hostB mends it.
    hostB.sh("ip route add 172.17.8.0/24 via 192.168.100.100 dev eth0 proto bird onlink");
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 172.17.9.2").stdout,
      / 1 received, 0% packet loss/,
    );
  },
);
