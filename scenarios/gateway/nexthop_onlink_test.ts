/**
 * A gateway must be reachable on a link. `ip route add … via G` is refused
 * with "Error: Nexthop has invalid gateway." when no connected route covers G
 * (or covers it on another device than the one named, or G is a broadcast
 * address), and nothing is added. An on-link gateway is accepted
 * and is what the host ARPs for; `onlink` tells the kernel to trust that G is
 * on the link anyway, and ARP for it works if someone there owns G. A device
 * that is down cannot carry a new route.
 *
 *   a eth0 10.0.0.1/24 ── b 10.0.0.7/24 (+ 10.0.5.5/32, 192.168.9.1/32, 192.168.8.1/32)
 *   a eth1 10.0.1.1/24 ── c 10.0.1.7/24
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  net.connect(a, b);
  net.connect(a, c);
  a.sh("ip addr add 10.0.0.1/24 dev eth0; ip addr add 10.0.1.1/24 dev eth1");
  b.sh("ip addr add 10.0.0.7/24 dev eth0; ip addr add 10.0.5.5/32 dev eth0");
  b.sh("ip addr add 192.168.9.1/32 dev eth0; ip addr add 192.168.8.1/32 dev eth0");
  c.sh("ip addr add 10.0.1.7/24 dev eth0");
  return { a, b, c };
}

scenario("gateway: a gateway not on any link is refused and nothing is added", (net) => {
  const { a } = build(net);
  const before = a.sh("ip -j route").stdout;
  const cases: Array<[string, string]> = [
    ["ip route add 192.168.9.0/24 via 10.0.5.5", "not covered by any connected route"],
    ["ip route add default via 10.0.0.255", "the subnet's broadcast"],
  ];
  for (const [cmd, why] of cases) {
    const r = a.sh(cmd);
    assert.equal(r.stderr, "Error: Nexthop has invalid gateway.\n", `${cmd}: ${why}`);
    assert.equal(r.status, 2, cmd);
  }
  assert.equal(a.sh("ip -j route").stdout, before);
  const ping = a.sh("ping -c 1 192.168.9.1");
  assert.equal(ping.status, 2);
  assert.match(ping.stderr, /connect: Network is unreachable/);
});

scenario("gateway: an on-link gateway is accepted and is what ARP asks for", (net) => {
  const { a, b } = build(net);
  assert.equal(a.sh("ip route add 192.168.9.0/24 via 10.0.0.7").status, 0);
  assert.match(a.sh("ip route").stdout, /^192\.168\.9\.0\/24 via 10\.0\.0\.7 dev eth0\s*$/m);
  const out = a.sh("ping -c 1 192.168.9.1");
  assert.equal(out.status, 0);
  const asks = net.trace.filter({ kind: "tx", node: "a", arp: true }).map((e) =>
    formatIp4(e.packet.arp!.targetIp)
  );
  assert.deepEqual(asks, ["10.0.0.7"]);
  const req = net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!;
  assert.deepEqual([req.packet.eth.dst, formatIp4(req.packet.ip!.dst)], [
    b.iface("eth0").mac,
    "192.168.9.1",
  ]);
});

scenario("gateway: onlink trusts a gateway outside every prefix, and ARP finds it", (net) => {
  const { a, b } = build(net);
  assert.equal(a.sh("ip route add 192.168.8.0/24 via 10.0.5.5 dev eth0 onlink").status, 0);
  assert.match(a.sh("ip route").stdout, /^192\.168\.8\.0\/24 via 10\.0\.5\.5 dev eth0 onlink\s*$/m);
  assert.equal(a.sh("ping -c 1 192.168.8.1").status, 0);
  const who = net.trace.first({ kind: "tx", node: "a", arp: true })!;
  assert.deepEqual(
    [formatIp4(who.packet.arp!.targetIp), formatIp4(who.packet.arp!.senderIp)],
    ["10.0.5.5", "10.0.0.1"],
  );
  // b answered for 10.0.5.5 (one of its addresses) with its eth0 MAC.
  const reply = net.trace.first({ kind: "tx", node: "b", arp: true })!;
  assert.equal(reply.packet.arp!.senderMac, b.iface("eth0").mac);
  assert.match(a.sh("ip neigh").stdout, /^10\.0\.5\.5 dev eth0 lladdr \S+ REACHABLE/m);
});

scenario("gateway: no new route through a device that is down", (net) => {
  const { a } = build(net);
  a.sh("ip link set eth1 down");
  const before = a.sh("ip -j route").stdout;
  // eth1's connected route went with it, so its neighbour is no longer on-link…
  const via = a.sh("ip route add 192.168.7.0/24 via 10.0.1.7");
  assert.equal(via.stderr, "Error: Nexthop has invalid gateway.\n");
  assert.equal(via.status, 2);
  // …and a device route through it is refused outright.
  const dev = a.sh("ip route add 192.168.7.0/24 dev eth1");
  assert.equal(dev.stderr, "Error: Device for nexthop is not up.\n");
  assert.equal(dev.status, 2);
  // onlink does not help either (iproute2 words it "Nexthop device is not up").
  const onlink = a.sh("ip route add 192.168.7.0/24 via 10.0.1.7 dev eth1 onlink");
  assert.equal(onlink.status, 2);
  assert.match(onlink.stderr, /^Error: .*not up\.\n$/);
  assert.equal(a.sh("ip -j route").stdout, before);
  // Up again: the connected route is back and the same command works.
  a.sh("ip link set eth1 up");
  assert.equal(a.sh("ip route add 192.168.7.0/24 via 10.0.1.7").status, 0);
});

// Linux's fib_check_nh looks the gateway up through the named device only, so a
// gateway on eth1's subnet is invalid with `dev eth0`.
Deno.test({
  name: "gateway: a gateway on another device's subnet is refused with dev",
  fn() {
    const net = new Network({ seed: 1 });
    const { a } = build(net);
    const r = a.sh("ip route add 192.168.9.0/24 via 10.0.1.7 dev eth0");
    assert.equal(r.stderr, "Error: Nexthop has invalid gateway.\n");
    assert.equal(r.status, 2);
  },
});
