/**
 * Unreachable destinations, as Linux reports them to connect(). A host absent
 * from the LAN: ARP asks three times, gives up after 3 s, and the connect
 * fails with EHOSTUNREACH ("No route to host") without a SYN ever leaving. A
 * router with no route answers the SYN with ICMP net unreachable: ENETUNREACH
 * one round trip later; an `unreachable` or `prohibit` route on the router
 * gives host unreachable or administratively prohibited: EHOSTUNREACH. Once a
 * connection is established the same errors are soft (RFC 1122 §4.2.3.9): it
 * keeps retransmitting, recovers if the route comes back, and reports the
 * ICMP error instead of ETIMEDOUT if it gives up.
 *
 *   a 10.0.1.2 ── 10.0.1.1 r 10.0.2.1 ── 10.0.2.2 b
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

function routed(net: Network) {
  const [a, r, b] = net.nodes("a", "r", "b");
  net.connect(a, r, { rate: "100mbit", delay: "5ms" });
  net.connect(r, b, { rate: "100mbit", delay: "5ms" });
  a.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.1");
  r.sh("ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  b.sh("ip addr add 10.0.2.2/24 dev eth0; ip route add default via 10.0.2.1");
  return { a, r, b };
}

/** Start a connect from `node` to dst:80; its errors with their times. */
function dial(net: Network, from: string, dst: string) {
  const node = net.get(from);
  const c = node.root.tcp.socket();
  const errors: Array<[TcpError, number]> = [];
  c.onError = (e) => errors.push([e, net.sim.now]);
  assert.equal(node.root.tcp.connect(c, ip(dst), 80), undefined);
  return { c, errors };
}

scenario("unreachable: an absent LAN host — ARP gives up after 3 s, EHOSTUNREACH", (net) => {
  pair(net, { rate: "100mbit", delay: "1ms" });
  const { c, errors } = dial(net, "a", "10.0.0.77");
  net.run();
  const asks = net.trace.filter({ kind: "tx", node: "a", arp: true }).map((e) => e.time / s);
  assert.deepEqual(asks, [0, 1, 2]);
  assert.deepEqual(errors, [["EHOSTUNREACH", 3 * s]]);
  assert.deepEqual(c.states(), ["SYN-SENT", "CLOSED"]);
  // The SYN waited for the neighbour and never left.
  assert.equal(net.trace.filter({ kind: "tx", proto: 6 }).length, 0);
  assert.equal(net.trace.first({ kind: "drop", proto: 6 })!.reason, "neighbour failed");
});

scenario("unreachable: a router without a route answers net unreachable — ENETUNREACH", (net) => {
  routed(net);
  const { c, errors } = dial(net, "a", "172.16.9.9");
  net.run(200 * s);
  // One SYN, one ICMP type 3 code 0 back, and the connect is over.
  assert.equal(segments(net, { node: "a" }).length, 1);
  const icmp = net.trace.filter({ kind: "tx", node: "r", icmp: 3 });
  assert.deepEqual(icmp.map((e) => e.packet.icmp!.code), [0]);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]![0], "ENETUNREACH");
  const rtt = errors[0]![1] - segments(net, { node: "a" })[0]!.time;
  assert.ok(rtt > 10 * ms && rtt < 11 * ms, `${rtt / ms} ms after the SYN: one round trip`);
  assert.deepEqual(c.states(), ["SYN-SENT", "CLOSED"]);
});

scenario(
  "unreachable: unreachable and prohibit routes — host unreachable, filtered: EHOSTUNREACH",
  (net) => {
    const { r } = routed(net);
    r.sh("ip route add unreachable 10.0.3.0/24; ip route add prohibit 10.0.4.0/24");
    const one = dial(net, "a", "10.0.3.3");
    const two = dial(net, "a", "10.0.4.4");
    net.run(200 * s);
    const codes = net.trace.filter({ kind: "tx", node: "r", icmp: 3 }).map((e) =>
      e.packet.icmp!.code
    );
    assert.deepEqual(codes.sort((x, y) => x - y), [1, 13]);
    assert.deepEqual([one.errors[0]![0], two.errors[0]![0]], ["EHOSTUNREACH", "EHOSTUNREACH"]);
    assert.equal(segments(net, { node: "a" }).length, 2, "one SYN each");
  },
);

/** An established connection a → b:80 whose route on r is removed at 1 s. */
function cutRoute(
  net: Network,
): { c: TcpSocket; errors: TcpError[]; r: ReturnType<typeof routed>["r"] } {
  const { b, r } = routed(net);
  serve(b, 80);
  const { c } = dial(net, "a", "10.0.2.2");
  const errors: TcpError[] = [];
  c.onError = (e) => errors.push(e);
  net.run(1 * s);
  assert.equal(c.state, "ESTABLISHED");
  // The route to b goes (its address moved away) and a write follows.
  r.sh("ip addr del 10.0.2.1/24 dev eth1");
  c.send(pattern(1000));
  return { c, errors, r };
}

scenario("unreachable: on an established connection the error is soft — it recovers", (net) => {
  const { c, errors, r } = cutRoute(net);
  net.run(3 * s);
  // Each (re)transmission drew a net unreachable; the connection carried on.
  const icmps = net.trace.filter({ kind: "tx", node: "r", icmp: 3 });
  assert.ok(icmps.length >= 3);
  assert.ok(icmps.every((e) => e.packet.icmp!.code === 0));
  assert.equal(c.state, "ESTABLISHED");
  assert.deepEqual(errors, []);
  assert.equal(c.error, "ENETUNREACH", "remembered");
  // The route comes back; the next retransmission gets through.
  r.sh("ip addr add 10.0.2.1/24 dev eth1");
  net.run(10 * s);
  assert.equal(c.unacked, 0);
  assert.deepEqual(errors, []);
});

scenario("unreachable: if it gives up, it reports the ICMP error, not ETIMEDOUT", (net) => {
  const { c, errors } = cutRoute(net);
  net.get("a").sh("sysctl -w net.ipv4.tcp_retries2=3");
  net.run(60 * s);
  assert.deepEqual(errors, ["ENETUNREACH"]);
  assert.equal(c.state, "CLOSED");
  assert.equal(c.stats.retransmits, 3);
});
