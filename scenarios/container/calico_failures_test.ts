/**
 * What breaks a Calico workload's connectivity, and how each failure looks
 * from the workload and in the trace:
 *
 * - no `proxy_arp` on the host's veth: the ARP for 169.254.1.1 goes
 *   unanswered, and after three tries the workload's own stack reports
 *   "Destination Host Unreachable" from its own address;
 * - proxy ARP on, but the host has no route for 169.254.1.1 (no default
 *   route), or forwarding is off on the veth: Linux proxies only for an
 *   address it would forward elsewhere, so the same silence;
 * - no /32 route to the destination workload on the host: with Calico's
 *   `blackhole` route for the host's own block the packet is discarded
 *   silently; without it, it follows the default route out to the LAN.
 *
 * Ping outputs and `ip neigh` states as Linux 6.1 printed them for the same
 * set-ups in namespaces.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { calicoCluster, hopLines } from "./cluster_testing.ts";

/** a1's four pings to a2, one a second, as `ping -c 4` prints them when the gateway does not answer. */
const UNREACHABLE = "PING 172.17.8.3 (172.17.8.3) 56(84) bytes of data.\n" +
  "From 172.17.8.2 icmp_seq=1 Destination Host Unreachable\n" +
  "From 172.17.8.2 icmp_seq=2 Destination Host Unreachable\n" +
  "From 172.17.8.2 icmp_seq=3 Destination Host Unreachable\n" +
  "From 172.17.8.2 icmp_seq=4 Destination Host Unreachable\n" +
  "\n--- 172.17.8.3 ping statistics ---\n" +
  "4 packets transmitted, 0 received, +4 errors, 100% packet loss, time 3000ms\n" +
  "pipe 4\n";

scenario(
  "Calico failure: no proxy_arp on the veth — the workload reports Destination Host Unreachable itself",
  (net) => {
    const { hostA } = calicoCluster(net);
    hostA.sh("sysctl -w net.ipv4.conf.calia1.proxy_arp=0");
    assert.equal(hostA.sh("ip netns exec a1 ping -c 4 172.17.8.3").stdout, UNREACHABLE);
    assert.equal(hostA.sh("ip netns exec a1 ip neigh").stdout, "169.254.1.1 dev eth0 FAILED \n");
    // The host heard every request and answered none.
    const heard = net.trace.filter({ kind: "consume", node: "hostA", iface: "calia1", arp: true });
    assert.ok(heard.length >= 3);
    assert.ok(heard.every((e) => e.detail === "arp"));
    assert.equal(net.trace.filter({ kind: "tx", iface: "calia1" }).length, 0);
    // The echo requests never left a1: its neighbour resolution failed.
    const drops = net.trace.filter({ kind: "drop", icmp: "echo-request" });
    assert.equal(drops.length, 4);
    assert.ok(
      drops.every((e) => e.reason === DropReason.neighbourFailed && e.detail === "arp 169.254.1.1"),
    );
  },
);

scenario(
  "Calico failure: proxy ARP answers only for what the host would forward elsewhere",
  (net) => {
    const { hostA } = calicoCluster(net);
    // No default route: 169.254.1.1 is routed nowhere, so calia1 does not answer for it.
    hostA.sh("ip route del default");
    assert.equal(
      hostA.sh("ip route get 169.254.1.1 from 172.17.8.2 iif calia1").stderr,
      "RTNETLINK answers: Network is unreachable\n",
    );
    assert.equal(hostA.sh("ip netns exec a1 ping -c 4 172.17.8.3").stdout, UNREACHABLE);
    // Any route will do — even one to nowhere in particular.
    hostA.sh("ip route add default via 192.168.100.1");
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 172.17.8.3").stdout,
      / 1 received, 0% packet loss/,
    );
  },
);

scenario(
  "Calico failure: proxy ARP is a router's job — forwarding off on the veth, no answer",
  (net) => {
    const { hostA } = calicoCluster(net);
    hostA.sh("sysctl -w net.ipv4.conf.calia1.forwarding=0");
    assert.equal(hostA.sh("ip netns exec a1 ping -c 4 172.17.8.3").stdout, UNREACHABLE);
  },
);

scenario(
  "Calico failure: no /32 route for the workload — Calico's blackhole for the block discards silently",
  (net) => {
    const { hostA } = calicoCluster(net);
    hostA.sh("ip route del 172.17.8.3 dev calia2");
    hostA.sh("ip route add blackhole 172.17.8.0/24 proto bird");
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 2 172.17.8.3").stdout,
      /2 packets transmitted, 0 received, 100% packet loss/,
    );
    assert.equal(
      hostA.sh("ip route get 172.17.8.3").stderr,
      "RTNETLINK answers: Invalid argument\n",
    );
    const drops = net.trace.filter({ kind: "drop", icmp: "echo-request" });
    assert.deepEqual(drops.map((e) => `${e.node}:${e.iface} ${e.reason}`), [
      `hostA:calia1 ${DropReason.blackhole}`,
      `hostA:calia1 ${DropReason.blackhole}`,
    ]);
    // Silently: nothing came back to a1.
    assert.equal(net.trace.filter({ kind: "tx", dst: "172.17.8.2" }).length, 0);
  },
);

scenario(
  "Calico failure: no /32 route and no blackhole — the packet leaks to the LAN by the default route",
  (net) => {
    const { hostA, gw } = calicoCluster(net);
    hostA.sh("ip route del 172.17.8.3 dev calia2");
    assert.match(
      hostA.sh("ip netns exec a1 ping -c 1 -W 1 172.17.8.3").stdout,
      / 0 received, 100% packet loss/,
    );
    const lines = hopLines(net, net.trace.filter({ icmp: "echo-request" }));
    assert.deepEqual(lines.map((l) => l.split(" ")[0]), ["hostA/a1:eth0", "hostA:eth0"]);
    assert.ok(lines[1]!.includes(`> ${gw.mac("eth0")} 172.17.8.2 > 172.17.8.3 ttl 63`));
    const drop = net.trace.first({ kind: "drop", icmp: "echo-request" })!;
    assert.equal(`${drop.node} ${drop.reason}`, `gw ${DropReason.forwardingOff}`);
  },
);
