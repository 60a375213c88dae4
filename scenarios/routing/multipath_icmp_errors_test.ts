/**
 * An ICMP error follows the flow it is about. f reaches a's LAN over r1 and
 * r2 (multipath). For 40 destinations 10.3.0.x behind f, a sends a UDP
 * datagram with TTL 3 (it expires at f, which sends Time Exceeded back) and
 * pings the same address (b's echo reply crosses f too). Linux hashes an
 * error on the datagram it quotes (icmp_route_lookup hands it to the
 * lookup; a forwarded one under policy 0 by ip_multipath_l3_keys), and its
 * address hash takes no notice of direction, so each error leaves f by the
 * path the flow's replies take — though every error has the same outer
 * addresses, f's to a's. Hashing the outer header would send them all one way.
 * The same holds for errors f only forwards: b's Host Unreachable about
 * 10.4.0.x leaves f by the path f gives traffic from 10.4.0.x to a.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { twoPaths } from "./routing_testing.ts";

scenario(
  "multipath ICMP errors: Time Exceeded leaves f by the path of its flow's replies",
  (net) => {
    const { a } = twoPaths(net, [1, 1]);
    const s = a.root.udp.socket();
    for (let x = 1; x <= 40; x++) {
      net.sim.after(
        x * 10_000,
        () => s.sendTo(new Uint8Array(8), (10 << 24 | 3 << 16 | x) >>> 0, 33434, { ttl: 3 }),
      );
    }
    net.run();
    for (let x = 1; x <= 40; x++) {
      a.sh(`ping -c 1 -q 10.3.0.${x}`);
    }
    const errorPath = new Map<number, string>();
    for (const e of net.trace.filter({ kind: "tx", node: "f", icmp: 11 })) {
      const quoted = e.packet.icmp!.payload as Uint8Array;
      errorPath.set(quoted[19]!, e.iface); // last byte of the quoted destination
    }
    const replyPath = new Map<number, string>();
    for (const e of net.trace.filter({ kind: "tx", node: "f", icmp: "echo-reply" })) {
      replyPath.set(e.packet.ip!.src & 0xff, e.iface);
    }
    assert.equal(errorPath.size, 40);
    assert.equal(replyPath.size, 40);
    for (let x = 1; x <= 40; x++) assert.equal(errorPath.get(x), replyPath.get(x), `10.3.0.${x}`);
    // The errors, all from f to a, still spread over both paths.
    assert.deepEqual([...new Set(errorPath.values())].sort(), ["eth0", "eth1"]);
    // And a heard about every one of them.
    assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: 11 }).length, 40);
  },
);

scenario("multipath ICMP errors: an error f forwards is hashed on its quote (policy 0)", (net) => {
  const { a, m, r1, f, b } = twoPaths(net, [1, 1]);
  // 10.4.0.0/24 lies past b, which refuses it: b answers Host Unreachable from
  // 10.2.0.10, and f forwards those errors to a over its multipath route.
  m.sh("ip route add 10.4.0.0/24 via 10.11.0.2");
  r1.sh("ip route add 10.4.0.0/24 via 10.21.0.1");
  f.sh("ip route add 10.4.0.0/24 via 10.2.0.10");
  b.sh("sysctl -w net.ipv4.ip_forward=1; ip route add unreachable 10.4.0.0/24");
  const s = a.root.udp.socket();
  for (let x = 1; x <= 30; x++) {
    net.sim.after(x * 10_000, () => s.sendTo(new Uint8Array(8), (10 << 24 | 4 << 16 | x) >>> 0, 9));
  }
  net.run();
  const errors = net.trace.filter({ kind: "tx", node: "f", icmp: 3 });
  assert.equal(errors.length, 30);
  assert.ok(errors.every((e) => e.packet.ip!.src === (10 << 24 | 2 << 16 | 10) >>> 0));
  for (const e of errors) {
    const x = (e.packet.icmp!.payload as Uint8Array)[19]!;
    // The path f would give the flow's own replies, from 10.4.0.x to a.
    const back = f.sh(`ip route get 10.1.0.10 from 10.4.0.${x} iif eth2`).stdout;
    assert.match(back, new RegExp(`dev ${e.iface} `), `10.4.0.${x}`);
  }
  assert.deepEqual([...new Set(errors.map((e) => e.iface))].sort(), ["eth0", "eth1"]);
  assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: 3 }).length, 30);
});
