/**
 * The notes' weighted default route, typed as they type it: `ip route add
 * default scope global nexthop via 100.100.100.1 weight 1 nexthop via
 * 200.200.200.1 weight 2` — "two next hops, 100.100.100.1 and
 * 200.200.200.1, weighted 1 to 2". `ip route` lists it as Linux does, and
 * 1500 flows (UDP from distinct ports, 5-tuple hashing) leave 1:2, within
 * the binomial tolerance 4·sqrt(n·p·(1−p)) = 500 ± 73 by the first gateway.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { binomialTolerance, udpFlows, udpOut } from "./routing_testing.ts";

function build(net: Network) {
  const [h, r, isp1, isp2] = net.nodes("h", "r", "isp1", "isp2");
  net.connect(h, r); // h eth0 — r eth0
  net.connect(r, isp1); // r eth1
  net.connect(r, isp2); // r eth2
  h.sh("ip addr add 192.168.1.101/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 100.100.100.2/24 dev eth1",
    "ip addr add 200.200.200.2/24 dev eth2",
  ].join("\n"));
  isp1.sh("ip addr add 100.100.100.1/24 dev eth0");
  isp2.sh("ip addr add 200.200.200.1/24 dev eth0");
  for (const g of ["100.100.100.1", "200.200.200.1"]) r.sh(`ping -c 1 -q ${g}`);
  h.sh("ping -c 1 -q 192.168.1.1");
  return { h, r };
}

const NOTES =
  "ip route add default scope global nexthop via 100.100.100.1 weight 1 nexthop via 200.200.200.1 weight 2";

scenario("multipath notes: the notes' command and how ip route shows it", (net) => {
  const { r } = build(net);
  assert.equal(r.sh(NOTES).status, 0);
  assert.equal(
    r.sh("ip route show default").stdout,
    "default \n\tnexthop via 100.100.100.1 dev eth1 weight 1 \n" +
      "\tnexthop via 200.200.200.1 dev eth2 weight 2 \n",
  );
  assert.equal(
    r.sh("ip -j route show default").stdout,
    '[{"dst":"default","flags":[],"nexthops":[{"gateway":"100.100.100.1","dev":"eth1","weight":1,"flags":[]},' +
      '{"gateway":"200.200.200.1","dev":"eth2","weight":2,"flags":[]}]}]\n',
  );
  // The same command again: the route exists.
  const again = r.sh(NOTES);
  assert.equal(again.stderr, "RTNETLINK answers: File exists\n");
  assert.equal(again.status, 2);
});

scenario(
  "multipath notes: 1500 flows leave one third by 100.100.100.1, two thirds by 200.200.200.1",
  (net) => {
    const { h, r } = build(net);
    r.sh(NOTES);
    r.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
    udpFlows(h, "198.51.100.9", 53, 1500);
    net.run();
    const out = udpOut(net, "r", 53);
    const tol = binomialTolerance(1500, 1 / 3);
    assert.ok(Math.abs((out.eth1 ?? 0) - 500) <= tol, JSON.stringify(out));
    assert.equal((out.eth1 ?? 0) + (out.eth2 ?? 0), 1500);
    // Each packet went to its gateway's MAC: isp1 received what left by eth1.
    assert.equal(net.trace.filter({ kind: "rx", node: "isp1", proto: 17 }).length, out.eth1);
  },
);
