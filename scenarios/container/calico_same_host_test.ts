/**
 * Two Calico workloads on one host talk through the host's routing table,
 * not through a bridge: a1 (172.17.8.2/32, veth calia1) and a2
 * (172.17.8.3/32, calia2) reach each other by the host's /32 routes
 * `172.17.8.2 dev calia1 scope link` and `172.17.8.3 dev calia2 scope link`.
 * A packet is forwarded once, so its TTL drops by one, and both MACs change:
 * a1 sends to ee:ee:ee:ee:ee:ee (calia1), the host sends from
 * ee:ee:ee:ee:ee:ee (calia2) to a2. Route lookups and traceroute as Linux 6.1
 * printed them for the same set-up in namespaces.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { calicoCluster, hopLines, macOf, webIn } from "./cluster_testing.ts";

scenario(
  "Calico: workloads on one host are routed, not bridged — TTL 63, both MACs change",
  (net) => {
    const { hostA, a1, a2 } = calicoCluster(net);
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 172.17.8.3").stdout,
      /64 bytes from 172\.17\.8\.3: icmp_seq=1 ttl=63 /,
    );
    const m1 = macOf(a1, "eth0");
    const m2 = macOf(a2, "eth0");
    const ee = "ee:ee:ee:ee:ee:ee";
    assert.deepEqual(hopLines(net, net.trace.filter({ proto: 1 })), [
      `hostA/a1:eth0 ${m1} > ${ee} 172.17.8.2 > 172.17.8.3 ttl 64`,
      `hostA:calia2 ${ee} > ${m2} 172.17.8.2 > 172.17.8.3 ttl 63`,
      `hostA/a2:eth0 ${m2} > ${ee} 172.17.8.3 > 172.17.8.2 ttl 64`,
      `hostA:calia1 ${ee} > ${m1} 172.17.8.3 > 172.17.8.2 ttl 63`,
    ]);
    assert.equal(hostA.root.ip.stats.forwarded, 2);
    // The decision the host made for a packet from calia1.
    assert.equal(
      hostA.sh("ip route get 172.17.8.3 from 172.17.8.2 iif calia1").stdout,
      "172.17.8.3 from 172.17.8.2 dev calia2 \n    cache iif calia1 \n",
    );
    // Seen from a1, everything is behind the gateway nobody owns.
    assert.equal(
      hostA.sh("ip netns exec a1 ip route get 172.17.8.3").stdout,
      "172.17.8.3 via 169.254.1.1 dev eth0 src 172.17.8.2 uid 0 \n    cache \n",
    );
  },
);

scenario("Calico: the host's routes are one /32 per workload, as in the notes", (net) => {
  const { hostA } = calicoCluster(net, { bgp: false });
  assert.equal(
    hostA.sh("ip route").stdout,
    "default via 192.168.100.1 dev eth0 \n" +
      "172.17.8.2 dev calia1 scope link \n172.17.8.3 dev calia2 scope link \n" +
      "192.168.100.0/24 dev eth0 proto kernel scope link src 192.168.100.100 \n",
  );
  // From the host itself a workload is one hop away, from the host's only address.
  assert.equal(
    hostA.sh("ip route get 172.17.8.3").stdout,
    "172.17.8.3 dev calia2 src 192.168.100.100 uid 0 \n    cache \n",
  );
  assert.match(
    hostA.sh("ping -c 1 172.17.8.3").stdout,
    /64 bytes from 172\.17\.8\.3: icmp_seq=1 ttl=64 /,
  );
});

scenario(
  "Calico: traceroute between workloads shows the host by its LAN address (its veths have none)",
  (net) => {
    const { hostA } = calicoCluster(net);
    const out = hostA.sh("ip netns exec a1 traceroute -n 172.17.8.3").stdout;
    assert.deepEqual(out.split("\n").map((l) => l.split("  ").slice(0, 2).join("  ")), [
      "traceroute to 172.17.8.3 (172.17.8.3), 30 hops max, 60 byte packets",
      " 1  192.168.100.100",
      " 2  172.17.8.3",
      "",
    ]);
  },
);

scenario("Calico: a TCP connection between workloads carries the real addresses", (net) => {
  const { hostA, a2 } = calicoCluster(net);
  const { clients } = webIn(a2);
  const r = hostA.sh("ip netns exec a1 curl -s http://172.17.8.3/");
  assert.equal(r.stdout, "hello\n");
  assert.equal(clients.length, 1);
  assert.match(clients[0]!, /^172\.17\.8\.2:\d+$/);
  // Nothing was translated or even tracked on the host.
  assert.equal(hostA.root.hasNetfilter, false);
});
