/**
 * `ip route flush cache` (the notes' last step). Since Linux 3.6 there is no
 * route cache to flush: a route or rule change reaches the very next packet
 * of a flow without it. What the command still clears is what a host learned
 * from ICMP — path MTUs and redirects (the next-hop exceptions), whose
 * generation it bumps.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { line } from "../icmp/topology_testing.ts";
import { twoUplinks, udpOut } from "./routing_testing.ts";
import { ip } from "../../core/wire/addr.ts";

scenario("flush cache: a learned path MTU is forgotten", (net) => {
  const { a } = line(net, { middle: { mtu: 1400 } });
  a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  assert.match(a.sh("ip route get 10.0.2.2").stdout, /^ {4}cache expires \d+sec mtu 1400 \n$/m);
  assert.equal(a.sh("ip route flush cache").status, 0);
  assert.equal(
    a.sh("ip route get 10.0.2.2").stdout,
    "10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n    cache \n",
  );
  // Relearned at the next too-big packet.
  a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  assert.match(a.sh("ip route get 10.0.2.2").stdout, /mtu 1400/);
});

scenario("flush cache: a learned redirect is forgotten", (net) => {
  const [a, r1, r2] = net.nodes("a", "r1", "r2");
  const sw = net.switch("sw");
  for (const n of [a, r1, r2]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.10/24 dev eth0; ip route add default via 10.0.0.1");
  r1.sh("ip addr add 10.0.0.1/24 dev eth0; sysctl -w net.ipv4.ip_forward=1");
  r1.sh("ip route add 10.0.5.0/24 via 10.0.0.2");
  r2.sh("ip addr add 10.0.0.2/24 dev eth0; ip addr add 10.0.5.1/24 dev lo");
  a.sh("ping -c 1 10.0.0.2"); // a knows r2's MAC, so it takes the redirect at once
  a.sh("ping -c 2 10.0.5.1");
  assert.match(a.sh("ip route get 10.0.5.1").stdout, /^10\.0\.5\.1 via 10\.0\.0\.2 dev eth0 /);
  a.sh("ip route flush cache");
  assert.match(a.sh("ip route get 10.0.5.1").stdout, /^10\.0\.5\.1 via 10\.0\.0\.1 dev eth0 /);
});

scenario(
  "flush cache: not needed for a rule change — the next packet of a flow obeys it",
  (net) => {
    const { h, r } = twoUplinks(net);
    const s = h.root.udp.socket();
    s.bind(0, 5000);
    s.sendTo(new Uint8Array(10), ip("198.51.100.1"), 6000);
    net.run();
    r.sh("ip rule add from 192.168.1.10 table 100");
    s.sendTo(new Uint8Array(10), ip("198.51.100.1"), 6000);
    net.run();
    r.sh("ip route replace default via 172.16.1.2 table 100");
    s.sendTo(new Uint8Array(10), ip("198.51.100.1"), 6000);
    net.run();
    const order = net.trace.filter({ kind: "tx", node: "r", proto: 17 }).map((e) => e.iface);
    assert.deepEqual(order, ["eth1", "eth2", "eth1"]);
    assert.deepEqual(udpOut(net, "r", 6000), { eth1: 2, eth2: 1 });
    // The notes' spelling is refused; flushing is harmless either way.
    assert.equal(r.sh("ip route fush cache").status, 255);
    assert.equal(r.sh("ip route flush cache").stdout, "");
  },
);
