/**
 * Next hops that die. When a next hop's device goes down Linux marks it dead
 * (`ip route` shows `dead linkdown`), keeps the route, and hands the dead
 * one's hash region to the live ones (fib_rebalance); when the device comes
 * back each flow returns to exactly the next hop it had. With three next
 * hops, hash-threshold moves only flows next to the dead region: flows of
 * the last next hop stay put when the first dies, and some of the middle
 * one's move (RFC 2992's bounded disruption — not modulo-N, where most
 * flows would move). A next hop whose link merely lost carrier is not dead:
 * flows still hash to it (net.ipv4.conf.*.ignore_routes_with_linkdown is 0).
 * When every next hop is dead, the route goes.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { type TwoPaths, twoPaths, udpFlows } from "./routing_testing.ts";
import type { Network } from "../../core/lab/network.ts";

/** m's UDP transmissions to port 9 so far. */
function sentByM(net: Network) {
  return net.trace.filter({ kind: "tx", node: "m", proto: 17 }).filter((e) =>
    e.packet.udp?.dstPort === 9
  );
}

/**
 * Send the same 5-tuples again (source ports 20000…20000+n−1 to port 9) and
 * return which of m's interfaces each flow (by source port) left by this time.
 */
function round(net: Network, a: TwoPaths["a"], n: number): Map<number, string> {
  const seen = sentByM(net).length;
  udpFlows(a, "10.2.0.10", 9, n);
  net.run();
  const out = new Map<number, string>();
  for (const e of sentByM(net).slice(seen)) out.set(e.packet.udp!.srcPort, e.iface);
  return out;
}

scenario(
  "multipath dead next hop: flows move to the live path and come back to their own",
  (net) => {
    const { a, m } = twoPaths(net, [1, 1]);
    m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
    const before = round(net, a, 300);
    assert.equal(before.size, 300);
    m.sh("ip link set eth2 down");
    assert.equal(
      m.sh("ip route show 10.2.0.0/15").stdout,
      "10.2.0.0/15 \n\tnexthop via 10.11.0.2 dev eth1 weight 1 \n" +
        "\tnexthop via 10.12.0.2 dev eth2 weight 1 dead linkdown \n",
    );
    const during = round(net, a, 300);
    assert.deepEqual([...new Set(during.values())], ["eth1"]);
    assert.match(m.sh("ip route get 10.2.0.10").stdout, /dev eth1 /);
    m.sh("ip link set eth2 up");
    m.sh("ping -c 1 -q 10.12.0.2");
    const after = round(net, a, 300);
    assert.deepEqual([...after.entries()], [...before.entries()]);
  },
);

scenario("multipath dead next hop: with three next hops only the neighbours' flows move", (net) => {
  const { a, m, r1 } = twoPaths(net);
  net.connect(m, r1); // m eth3 — r1 eth2: a third path
  m.sh("ip addr add 10.13.0.1/30 dev eth3");
  r1.sh("ip addr add 10.13.0.2/30 dev eth2");
  m.sh("ping -c 1 -q 10.13.0.2");
  m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  m.sh(
    "ip route replace 10.2.0.0/15 nexthop via 10.11.0.2 nexthop via 10.12.0.2 nexthop via 10.13.0.2",
  );
  const before = round(net, a, 600);
  m.sh("ip link set eth1 down"); // the first next hop dies
  const after = round(net, a, 600);
  let thirdStayed = 0;
  let middleMoved = 0;
  let middleStayed = 0;
  for (const [port, was] of before) {
    const now = after.get(port);
    assert.notEqual(now, "eth1");
    if (was === "eth3") {
      assert.equal(now, "eth3", `flow ${port} of the third next hop moved`);
      thirdStayed++;
    }
    if (was === "eth2") now === "eth2" ? middleStayed++ : middleMoved++;
  }
  // Regions 1/3 each became 1/2 each: the middle next hop keeps hashes in [1/3, 1/2)
  // and gives [1/2, 2/3) to the third — about half of its flows each way.
  assert.ok(
    thirdStayed > 150 && middleMoved > 50 && middleStayed > 50,
    `${thirdStayed} ${middleMoved} ${middleStayed}`,
  );
});

scenario(
  "multipath dead next hop: lost carrier is not death; all dead removes the route",
  (net) => {
    const { a, m, r2 } = twoPaths(net, [1, 1]);
    m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
    r2.sh("ip link set eth0 down"); // m's eth2 loses its carrier, stays up
    assert.match(
      m.sh("ip route show 10.2.0.0/15").stdout,
      /nexthop via 10\.12\.0\.2 dev eth2 weight 1 linkdown \n/,
    );
    const paths = round(net, a, 200);
    // Flows still hash to eth2 — and are lost there with the link.
    const lost = net.trace.filter({ kind: "drop", node: "m", iface: "eth2" })
      .filter((e) => e.packet.udp?.dstPort === 9).length;
    assert.ok(lost > 50, `${lost} dropped on the dead link`);
    assert.equal([...paths.values()].filter((i) => i === "eth1").length + lost, 200);
    // Both next hops' devices down: the route goes, and does not come back with them.
    m.sh("ip link set eth1 down; ip link set eth2 down");
    assert.equal(m.sh("ip route show 10.2.0.0/15").stdout, "");
    assert.equal(
      m.sh("ip route get 10.2.0.10").stderr,
      "RTNETLINK answers: Network is unreachable\n",
    );
    m.sh("ip link set eth1 up; ip link set eth2 up");
    assert.equal(m.sh("ip route show 10.2.0.0/15").stdout, "");
  },
);
