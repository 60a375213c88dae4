/**
 * MTUs on a Calico workload's veth. A veth delivers a frame only if it fits
 * the receiving end's MTU (Linux's is_skb_forwardable), so a workload whose
 * eth0 MTU was lowered while its host-side veth kept 1500 silently loses
 * every larger packet the host forwards to it — no ICMP error, only the
 * veths' drop counters. With both ends lowered (as the CNI plugin sets them,
 * 1480 for Calico's IPIP mode) the host's forwarding path knows the smaller
 * MTU and answers "fragmentation needed" from its LAN address, and the
 * sender's path MTU discovery does the rest. Outputs as Linux 6.1 printed
 * them for the same set-ups in namespaces.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { calicoCluster } from "./cluster_testing.ts";

scenario("veth MTU: a workload's eth0 lowered alone — larger packets vanish at the veth", (net) => {
  const { hostA, hostB } = calicoCluster(net);
  hostB.sh("ip netns exec b1 ip link set eth0 mtu 1400");
  // 1400 bytes fit; 1500 do not, and nobody says so.
  assert.match(
    hostA.sh("ip netns exec a1 ping -c 1 -s 1372 -M do 172.17.9.2").stdout,
    /1380 bytes from 172\.17\.9\.2: icmp_seq=1 ttl=62 /,
  );
  const r = hostA.sh("ip netns exec a1 ping -c 1 -W 1 -s 1472 -M do 172.17.9.2");
  assert.equal(
    r.stdout,
    "PING 172.17.9.2 (172.17.9.2) 1472(1500) bytes of data.\n\n--- 172.17.9.2 ping statistics ---\n" +
      "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n",
  );
  const drop = net.trace.first({ kind: "drop", icmp: "echo-request" })!;
  assert.equal(
    `${drop.node} ${drop.reason}, ${drop.detail}`,
    `hostB ${DropReason.frameTooBig}, mtu 1400`,
  );
  // Counted as a transmit drop on the host's veth and a receive drop on the workload's end.
  assert.match(hostB.sh("ip -s link show calib1").stdout, /TX: .*\n +\d+ +\d+ +0 +1 /);
  assert.match(
    hostB.sh("ip netns exec b1 ip -s link show eth0").stdout,
    /RX: .*\n +\d+ +\d+ +0 +1 /,
  );
});

scenario(
  "veth MTU: both ends lowered — the host answers 'Frag needed' and the sender learns the path MTU",
  (net) => {
    const { hostA, hostB } = calicoCluster(net);
    hostB.sh("ip link set calib1 mtu 1400; ip netns exec b1 ip link set eth0 mtu 1400");
    const inA1 = (cmd: string) => hostA.sh(`ip netns exec a1 ${cmd}`);
    assert.equal(
      inA1("ping -c 1 -s 1472 -M do 172.17.9.2").stdout,
      "PING 172.17.9.2 (172.17.9.2) 1472(1500) bytes of data.\n" +
        "From 192.168.100.101 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n\n" +
        "--- 172.17.9.2 ping statistics ---\n" +
        "1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n",
    );
    assert.equal(
      inA1("ip route get 172.17.9.2").stdout,
      "172.17.9.2 via 169.254.1.1 dev eth0 src 172.17.8.2 uid 0 \n    cache expires 600sec mtu 1400 \n",
    );
    const again = inA1("ping -c 1 -s 1472 -M do 172.17.9.2");
    assert.equal(again.stderr, "ping: local error: message too long, mtu=1400\n");
    // Without DF, a1 fragments to the learned MTU and the echo comes back.
    assert.match(
      inA1("ping -c 1 -s 1472 172.17.9.2").stdout,
      /1480 bytes from 172\.17\.9\.2: icmp_seq=1 ttl=62 /,
    );
    // The times cut out.
    const trace = inA1("tracepath -n 172.17.9.2").stdout.split("\n").map((l) =>
      l.replace(/ +[\d.]+ms/, "")
    );
    assert.deepEqual(trace, [
      " 1?: [LOCALHOST]                      pmtu 1400",
      " 1:  192.168.100.100 ",
      " 1:  192.168.100.100 ",
      " 2:  192.168.100.101 ",
      " 3:  172.17.9.2 reached",
      "     Resume: pmtu 1400 hops 3 back 3 ",
      "",
    ]);
  },
);

scenario(
  "veth MTU: a workload at 1480 (Calico's IPIP setting) refuses larger DF packets locally",
  (net) => {
    const { hostA, hostB } = calicoCluster(net);
    hostA.sh("ip link set calia1 mtu 1480; ip netns exec a1 ip link set eth0 mtu 1480");
    const out = hostA.sh("ip netns exec a1 ping -c 1 -s 1472 -M do 172.17.9.2");
    assert.equal(out.stderr, "ping: local error: message too long, mtu=1480\n");
    // Towards it, hostA's veth is the narrow link: b1 hears from hostA.
    assert.match(
      hostB.sh("ip netns exec b1 ping -c 1 -s 1472 -M do 172.17.8.2").stdout,
      /From 192\.168\.100\.100 icmp_seq=1 Frag needed and DF set \(mtu = 1480\)/,
    );
  },
);
