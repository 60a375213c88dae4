/**
 * A Calico network policy as iptables on the host, the way Felix writes it:
 * filter FORWARD jumps to cali-FORWARD, which sends traffic leaving by a
 * workload veth (`-o cali+`) to cali-to-wl-dispatch, which goes (`-g`) to the
 * workload's own chain, cali-tw-<veth> ("to workload"). The policy for a2
 * (172.17.8.3, calia2): established and related traffic passes, invalid is
 * dropped, TCP port 80 from hostB's block 172.17.9.0/24 is accepted, and
 * everything else is dropped ("Drop if no profiles matched").
 *
 * Simplified against Felix: one chain holds the policy's rules (Felix puts
 * them in cali-pi-… policy chains and marks accepted packets with 0x10000,
 * then RETURNs on the mark), and there are no from-workload (cali-fw-…) or
 * host-endpoint chains. Rule listings and counters' layout as iptables 1.8.9
 * printed them for the same rules on Linux; the denied client's SYNs follow
 * a 6.1 kernel's backoff (1 s, then 2 s; kernels since 6.9 resend the first
 * four SYNs a second apart, tcp_syn_linear_timeouts).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { calicoCluster, webIn } from "./cluster_testing.ts";

const POLICY = `iptables -N cali-FORWARD
iptables -N cali-to-wl-dispatch
iptables -N cali-tw-calia2
iptables -A FORWARD -j cali-FORWARD
iptables -A cali-FORWARD -o cali+ -j cali-to-wl-dispatch
iptables -A cali-to-wl-dispatch -o calia2 -g cali-tw-calia2
iptables -A cali-tw-calia2 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
iptables -A cali-tw-calia2 -m conntrack --ctstate INVALID -j DROP
iptables -A cali-tw-calia2 -s 172.17.9.0/24 -p tcp -m tcp --dport 80 -j ACCEPT
iptables -A cali-tw-calia2 -m comment --comment "Drop if no profiles matched" -j DROP`;

/** The notes' cluster with a2's policy, a web server on a2 port 80 and another on 8080. */
function policed(net: Network) {
  const c = calicoCluster(net);
  c.hostA.sh(POLICY);
  return { ...c, web80: webIn(c.a2, 80), web8080: webIn(c.a2, 8080) };
}

scenario(
  "Calico policy: port 80 from 172.17.9.0/24 reaches a2, with the client's own address",
  (net) => {
    const { hostA, hostB, web80 } = policed(net);
    const r = hostB.sh("ip netns exec b1 curl -s http://172.17.8.3/");
    assert.deepEqual([r.stdout, r.status], ["hello\n", 0]);
    assert.match(web80.clients[0]!, /^172\.17\.9\.2:\d+$/);
    assert.equal(
      hostA.sh("iptables -S cali-tw-calia2").stdout,
      "-N cali-tw-calia2\n" +
        "-A cali-tw-calia2 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n" +
        "-A cali-tw-calia2 -m conntrack --ctstate INVALID -j DROP\n" +
        "-A cali-tw-calia2 -s 172.17.9.0/24 -p tcp -m tcp --dport 80 -j ACCEPT\n" +
        '-A cali-tw-calia2 -m comment --comment "Drop if no profiles matched" -j DROP\n',
    );
  },
);

scenario("Calico policy: a denied client sees its SYNs go unanswered until it gives up", (net) => {
  const { hostA, hostB, web8080 } = policed(net);
  const start = net.sim.now;
  const r = hostB.sh("ip netns exec b1 curl --connect-timeout 5 -sS http://172.17.8.3:8080/");
  assert.deepEqual(
    [r.stderr, r.status],
    [
      "curl: (28) Failed to connect to 172.17.8.3 port 8080 after 5000 ms: Timeout was reached\n",
      28,
    ],
  );
  assert.deepEqual(web8080.clients, []);
  // Three SYNs left b1 (at 0, 1 and 3 s); each died on hostA in a2's chain, by its last rule.
  const syns = net.trace.filter({ kind: "drop", proto: 6, dst: "172.17.8.3" });
  assert.deepEqual(
    syns.map((e) => `${Math.round((e.time - start) / 1e9)} s ${e.node} ${e.detail}`),
    [
      "0 s hostA filter cali-tw-calia2 rule 4 (DROP)",
      "1 s hostA filter cali-tw-calia2 rule 4 (DROP)",
      "3 s hostA filter cali-tw-calia2 rule 4 (DROP)",
    ],
  );
  assert.ok(syns.every((e) => e.packet.tcp!.flags === 2));
  // Nothing came back to b1: no reset, no ICMP error.
  assert.equal(net.trace.filter({ kind: "tx", src: "172.17.8.3" }).length, 0);
  // A dropped first packet leaves no connection behind.
  assert.equal(hostA.sh("conntrack -L").stdout, "");

  // Port 80 from a1 — the right port, but a1 is not in 172.17.9.0/24.
  const a1 = hostA.sh("ip netns exec a1 curl --connect-timeout 5 -sS http://172.17.8.3/");
  assert.equal(a1.status, 28);
  // And a ping from b1 is no TCP at all.
  assert.match(
    hostB.sh("ip netns exec b1 ping -c 2 -W 1 172.17.8.3").stdout,
    /2 packets transmitted, 0 received, 100% packet loss/,
  );
});

scenario(
  "Calico policy: replies to a2's own connections pass; the host itself is not policed",
  (net) => {
    const { hostA } = policed(net);
    // a2 → b1: the echo reply comes back into a2's chain as ESTABLISHED.
    assert.match(
      hostA.sh("ip netns exec a2 ping -c 1 172.17.9.2").stdout,
      / 1 received, 0% packet loss/,
    );
    // The host's own ping goes through OUTPUT, not FORWARD: a2's chain never sees it.
    assert.match(hostA.sh("ping -c 1 172.17.8.3").stdout, / 1 received, 0% packet loss/);
    assert.equal(
      hostA.sh("iptables -L cali-tw-calia2 -n -v -x --line-numbers").stdout.split("\n")[2],
      "1           1       84 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED",
    );
    assert.match(
      hostA.sh("conntrack -L -p icmp").stdout,
      /src=192\.168\.100\.100 dst=172\.17\.8\.3 type=8 code=0 id=\d+ src=172\.17\.8\.3 dst=192\.168\.100\.100 type=0/,
    );
  },
);

scenario(
  "Calico policy: the counters after an allowed and a denied connection, a ping each way",
  (net) => {
    const { hostA, hostB } = policed(net);
    hostB.sh("ip netns exec b1 curl -s http://172.17.8.3/");
    hostB.sh("ip netns exec b1 curl --connect-timeout 5 -s http://172.17.8.3:8080/");
    hostB.sh("ip netns exec b1 ping -c 2 -W 1 172.17.8.3");
    hostA.sh("ip netns exec a2 ping -c 1 172.17.9.2");
    // Rule 1: the allowed connection's packets after its SYN (ACK, request, FIN, last ACK: 282
    // bytes) and a2's echo reply (84); rule 3: that SYN; rule 4: three SYNs and two pings.
    assert.equal(
      hostA.sh("iptables -L cali-tw-calia2 -n -v -x --line-numbers").stdout,
      "Chain cali-tw-calia2 (1 references)\n" +
        "num      pkts      bytes target     prot opt in     out     source               destination         \n" +
        "1           5      366 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate RELATED,ESTABLISHED\n" +
        "2           0        0 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate INVALID\n" +
        "3           1       60 ACCEPT     6    --  *      *       172.17.9.0/24        0.0.0.0/0            tcp dpt:80\n" +
        "4           5      348 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* Drop if no profiles matched */\n",
    );
    // Everything forwarded met FORWARD; only what left by a cali+ veth reached the dispatch.
    const list = hostA.sh("iptables -L -n -v").stdout;
    assert.match(list, /^Chain FORWARD \(policy ACCEPT 0 packets, 0 bytes\)$/m);
    assert.match(list, /^ +11 +774 cali-tw-calia2 +0 +-- +\* +calia2 .*\[goto\] $/m);
  },
);
