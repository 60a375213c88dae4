/**
 * The local table is looked up by an ordinary rule (priority 0), and that
 * rule can be moved: `ip rule add pref 100 lookup local; ip rule del pref 0`
 * lets a rule in front of it decide even for the host's own addresses. Here
 * an `iif eth0` rule at priority 50 sends everything arriving on eth0 —
 * pings to the router's own address included — on to a gateway; the
 * router's own traffic (iif lo) still finds its addresses local. Deleting
 * the local rule altogether leaves the host deaf to its own addresses.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";

function build(net: Network) {
  const [h, r, g] = net.nodes("h", "r", "g");
  net.connect(h, r);
  net.connect(r, g);
  h.sh("ip addr add 192.168.1.10/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh([
    "sysctl -w net.ipv4.ip_forward=1",
    "ip addr add 192.168.1.1/24 dev eth0",
    "ip addr add 10.0.0.1/24 dev eth1",
    "ip route add default via 10.0.0.2 table 200",
  ].join("\n"));
  g.sh("ip addr add 10.0.0.2/24 dev eth0");
  return { h, r };
}

scenario(
  "local rule: moved behind an iif rule, the router forwards pings for its own address",
  (net) => {
    const { h, r } = build(net);
    assert.match(h.sh("ping -c 1 10.0.0.1").stdout, /1 received/);
    r.sh("ip rule add pref 100 lookup local");
    r.sh("ip rule del pref 0");
    r.sh("ip rule add iif eth0 lookup 200 pref 50");
    assert.equal(
      r.sh("ip rule").stdout,
      "50:\tfrom all iif eth0 lookup 200\n100:\tfrom all lookup local\n" +
        "32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
    );
    assert.equal(
      r.sh("ip route get 10.0.0.1 from 192.168.1.10 iif eth0").stdout,
      "10.0.0.1 from 192.168.1.10 via 10.0.0.2 dev eth1 table 200 \n    cache iif eth0 \n",
    );
    const out = h.sh("ping -c 1 -W 1 10.0.0.1");
    assert.match(out.stdout, /0 received/);
    // The request went on to g (TTL one less), which is not 10.0.0.1 and drops it.
    const fwd = net.trace.first({ kind: "tx", node: "r", iface: "eth1", icmp: "echo-request" })!;
    assert.equal(fwd.packet.ip!.ttl, 63);
    assert.equal(net.trace.filter({ kind: "drop", node: "g", icmp: "echo-request" }).length, 1);
    // The router's own packets come in on lo: its addresses are still its own.
    assert.equal(
      r.sh("ip route get 10.0.0.1").stdout,
      "local 10.0.0.1 dev lo table local src 10.0.0.1 uid 0 \n    cache <local> \n",
    );
    assert.match(r.sh("ping -c 1 10.0.0.1").stdout, /1 received/);
  },
);

scenario(
  "local rule: without any rule for table local the host no longer knows its addresses",
  (net) => {
    const { r } = build(net);
    r.sh("ip rule del pref 0");
    assert.equal(
      r.sh("ip rule").stdout,
      "32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n",
    );
    // 192.168.1.1 is now just an address on the eth0 link.
    assert.equal(
      r.sh("ip route get 192.168.1.1").stdout,
      "192.168.1.1 dev eth0 src 192.168.1.1 uid 0 \n    cache \n",
    );
    r.sh("ip rule add pref 0 lookup local");
    assert.match(
      r.sh("ip route get 192.168.1.1").stdout,
      /^local 192\.168\.1\.1 dev lo table local /,
    );
  },
);
