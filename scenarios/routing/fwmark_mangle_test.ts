/**
 * Marks set by netfilter steer routing: `iptables -t mangle -A PREROUTING …
 * -j MARK --set-mark 1` marks a LAN's DNS traffic before the routing
 * decision, and `ip rule add fwmark 1 table 100` sends it up the second
 * uplink while everything else takes main's default route. A mark set in
 * OUTPUT makes the router route its own packet again (ip_route_me_harder); a
 * mark set in FORWARD comes after the decision and changes nothing.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { twoUplinks, udpOut } from "./routing_testing.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const { h, r } = twoUplinks(net);
  r.sh("ip rule add fwmark 1 table 100");
  return { h, r };
}

function udp(h: ReturnType<typeof build>["h"], port: number) {
  h.root.udp.socket().sendTo(new Uint8Array(20), ip("198.51.100.53"), port);
}

scenario("fwmark mangle: DNS marked in PREROUTING takes the second uplink", (net) => {
  const { h, r } = build(net);
  const add = r.sh(
    "iptables -t mangle -A PREROUTING -i eth0 -p udp --dport 53 -j MARK --set-mark 1",
  );
  assert.equal(add.status, 0, add.stderr);
  udp(h, 53);
  udp(h, 53);
  udp(h, 443);
  net.run();
  assert.deepEqual(udpOut(net, "r", 53), { eth2: 2 });
  assert.deepEqual(udpOut(net, "r", 443), { eth1: 1 });
  assert.match(
    r.sh("iptables -t mangle -nvL PREROUTING").stdout,
    /^ {4}2 {4}96 MARK +17 +-- +eth0 +\* +0\.0\.0\.0\/0 +0\.0\.0\.0\/0 +udp dpt:53 MARK set 0x1$/m,
  );
  assert.equal(net.trace.filter({ kind: "rx", node: "g2", proto: 17 }).length, 2);
  // ip route get asks the same question with the mark spelled out.
  assert.match(
    r.sh("ip route get 198.51.100.53 from 192.168.1.10 iif eth0 mark 1").stdout,
    /via 172\.16\.2\.2 dev eth2 table 100 mark 1 \n/,
  );
});

scenario(
  "fwmark mangle: OUTPUT marks reroute the router's own packets; FORWARD marks come too late",
  (net) => {
    const { h, r } = build(net);
    r.sh("iptables -t mangle -A OUTPUT -p icmp -j MARK --set-mark 1");
    r.sh("ping -c 1 -W 1 198.51.100.1");
    const pings = net.trace.filter({ kind: "tx", node: "r", icmp: "echo-request" }).map((e) =>
      e.iface
    );
    assert.deepEqual(pings, ["eth2"]);
    r.sh("iptables -t mangle -A FORWARD -p udp --dport 123 -j MARK --set-mark 1");
    udp(h, 123);
    net.run();
    assert.deepEqual(udpOut(net, "r", 123), { eth1: 1 });
  },
);
