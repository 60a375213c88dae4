/**
 * Rule priorities: rules are tried from the lowest priority number up and
 * the first whose table answers wins. A rule added without `pref` gets one
 * less than the second rule's priority (Linux's fib_default_rule_pref), so a
 * later, more specific rule is tried before an earlier, broader one; rules of
 * equal priority keep the order they were added in; deleting a rule hands its
 * traffic to the next one.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { udpOut } from "./routing_testing.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [r, lan, g1, g2, g3] = net.nodes("r", "lan", "g1", "g2", "g3");
  net.connect(r, lan); // eth0
  net.connect(r, g1); // eth1
  net.connect(r, g2); // eth2
  net.connect(r, g3); // eth3
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 10.1.0.1/16 dev eth0",
    "ip addr add 172.16.1.1/24 dev eth1",
    "ip addr add 172.16.2.1/24 dev eth2",
    "ip addr add 172.16.3.1/24 dev eth3",
    "ip route add default via 172.16.1.2 table 100",
    "ip route add default via 172.16.2.2 table 200",
    "ip route add default via 172.16.3.2",
  ].join("\n"));
  lan.sh("ip addr add 10.1.2.3/16 dev eth0; ip addr add 10.1.9.9/16 dev eth0");
  lan.sh("ip route add default via 10.1.0.1");
  g1.sh("ip addr add 172.16.1.2/24 dev eth0");
  g2.sh("ip addr add 172.16.2.2/24 dev eth0");
  g3.sh("ip addr add 172.16.3.2/24 dev eth0");
  return { r, lan };
}

const via = (r: ReturnType<typeof build>["r"], src: string) =>
  /via (\S+) dev (\S+)/.exec(r.sh(`ip route get 203.0.113.1 from ${src} iif eth0`).stdout)
    ?.slice(1).join(" ");

scenario("rule priority: the later rule gets the lower number and is tried first", (net) => {
  const { r, lan } = build(net);
  r.sh("ip rule add from 10.1.0.0/16 table 100");
  r.sh("ip rule add from 10.1.2.0/24 table 200");
  assert.equal(
    r.sh("ip rule").stdout,
    "0:\tfrom all lookup local\n32764:\tfrom 10.1.2.0/24 lookup 200\n" +
      "32765:\tfrom 10.1.0.0/16 lookup 100\n32766:\tfrom all lookup main\n" +
      "32767:\tfrom all lookup default\n",
  );
  assert.equal(via(r, "10.1.2.3"), "172.16.2.2 eth2");
  assert.equal(via(r, "10.1.9.9"), "172.16.1.2 eth1");
  assert.equal(via(r, "10.2.0.1"), "172.16.3.2 eth3"); // no rule but main's
  // Packets agree with ip route get.
  for (const src of ["10.1.2.3", "10.1.9.9"]) {
    const s = lan.root.udp.socket();
    s.bind(ip(src), 0);
    s.sendTo(new Uint8Array(4), ip("203.0.113.1"), 7000);
  }
  net.run();
  assert.deepEqual(udpOut(net, "r", 7000), { eth2: 1, eth1: 1 });
});

scenario("rule priority: the same rules in the other order behave otherwise", (net) => {
  const { r } = build(net);
  r.sh("ip rule add from 10.1.2.0/24 table 200");
  r.sh("ip rule add from 10.1.0.0/16 table 100"); // now 32764, ahead of the /24
  assert.equal(via(r, "10.1.2.3"), "172.16.1.2 eth1");
  // Explicit priorities put the specific rule first again, whatever the order.
  r.sh("ip rule add from 10.1.2.0/24 table 200 pref 100");
  assert.equal(via(r, "10.1.2.3"), "172.16.2.2 eth2");
});

scenario(
  "rule priority: equal priorities keep their order; a deletion exposes the next rule",
  (net) => {
    const { r } = build(net);
    r.sh("ip rule add from 10.1.0.0/16 table 100 pref 500");
    r.sh("ip rule add from 10.1.0.0/16 table 200 pref 500");
    assert.equal(
      r.sh("ip rule show pref 500").stdout,
      "500:\tfrom 10.1.0.0/16 lookup 100\n500:\tfrom 10.1.0.0/16 lookup 200\n",
    );
    assert.equal(via(r, "10.1.2.3"), "172.16.1.2 eth1");
    assert.equal(r.sh("ip rule del pref 500").status, 0); // the first of the two
    assert.equal(r.sh("ip rule show pref 500").stdout, "500:\tfrom 10.1.0.0/16 lookup 200\n");
    assert.equal(via(r, "10.1.2.3"), "172.16.2.2 eth2");
    r.sh("ip rule del pref 500");
    assert.equal(via(r, "10.1.2.3"), "172.16.3.2 eth3");
    // A rule whose table is empty passes the lookup on.
    r.sh("ip rule add from 10.1.0.0/16 table 300 pref 10");
    assert.equal(via(r, "10.1.2.3"), "172.16.3.2 eth3");
  },
);

scenario("rule priority: priorities run out of room below the first user rule", (net) => {
  const { r } = build(net);
  r.sh("ip rule add from 10.1.0.0/16 table 100 pref 1");
  // The second rule is now priority 1: the next one without pref gets 0, beside local's rule.
  r.sh("ip rule add from 10.1.2.0/24 table 200");
  assert.equal(
    r.sh("ip rule").stdout.split("\n").slice(0, 3).join("\n"),
    "0:\tfrom all lookup local\n0:\tfrom 10.1.2.0/24 lookup 200\n1:\tfrom 10.1.0.0/16 lookup 100",
  );
  assert.equal(via(r, "10.1.2.3"), "172.16.2.2 eth2");
  // ip rule flush keeps every priority-0 rule, its own included.
  r.sh("ip rule flush");
  assert.equal(
    r.sh("ip rule").stdout,
    "0:\tfrom all lookup local\n0:\tfrom 10.1.2.0/24 lookup 200\n",
  );
});
