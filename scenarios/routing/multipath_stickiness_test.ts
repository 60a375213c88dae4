/**
 * Multipath is per flow, not per packet: every segment of a TCP connection
 * takes the path its first one took (the hash of its 5-tuple does not change),
 * so ECMP never reorders a connection; different connections spread. Under
 * policy 0 a ping's echo requests all take one path too.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { twoPaths } from "./routing_testing.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect } from "../gateway/nat_testing.ts";

scenario("multipath stickiness: each of 40 TCP connections keeps to one path", (net) => {
  const { a, m, f, b } = twoPaths(net);
  m.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  f.sh("sysctl -w net.ipv4.fib_multipath_hash_policy=1");
  const srv = serve(b, 80);
  const conns = [];
  for (let i = 0; i < 40; i++) {
    const c = connect(a, "10.2.0.10", 80, 41000 + i);
    conns.push(c);
    c.onConnect = () => c.send(new Uint8Array(30_000));
  }
  net.run(3e9);
  assert.equal(srv.conns.length, 40);
  assert.ok(srv.received.every((r) => r.length === 30_000));
  const paths = new Map<number, Set<string>>();
  const back = new Map<number, Set<string>>();
  for (const e of net.trace.filter({ kind: "tx", proto: 6 })) {
    const t = e.packet.tcp!;
    if (e.node === "m" && e.iface !== "eth0") {
      if (!paths.has(t.srcPort)) paths.set(t.srcPort, new Set());
      paths.get(t.srcPort)!.add(e.iface);
    }
    if (e.node === "f" && e.iface !== "eth2") {
      if (!back.has(t.dstPort)) back.set(t.dstPort, new Set());
      back.get(t.dstPort)!.add(e.iface);
    }
  }
  assert.equal(paths.size, 40);
  for (const [port, set] of paths) assert.equal(set.size, 1, `connection from port ${port}`);
  for (const [port, set] of back) assert.equal(set.size, 1, `replies to port ${port}`);
  // Different connections took both paths.
  const used = new Set([...paths.values()].map((s) => [...s][0]));
  assert.deepEqual([...used].sort(), ["eth1", "eth2"]);
  // Segments arrived in order: at b, each connection's sequence numbers only grow,
  // and no sender saw a duplicate ACK or retransmitted.
  const lastSeq = new Map<number, number>();
  for (const e of net.trace.filter({ kind: "rx", node: "b", proto: 6 })) {
    const t = e.packet.tcp!;
    const prev = lastSeq.get(t.srcPort) ?? -1;
    assert.ok(t.seq >= prev, `port ${t.srcPort}: ${t.seq} after ${prev}`);
    lastSeq.set(t.srcPort, t.seq);
  }
  for (const c of conns) {
    assert.equal(c.stats.dupAcksIn, 0);
    assert.equal(c.stats.retransmits, 0);
  }
});

scenario("multipath stickiness: a ping's echo requests all take one path (policy 0)", (net) => {
  const { a } = twoPaths(net);
  const out = a.sh("ping -c 5 -i 0.2 10.2.0.10");
  assert.match(out.stdout, /5 packets transmitted, 5 received/);
  const ifaces = net.trace.filter({ kind: "tx", node: "m", icmp: "echo-request", dst: "10.2.0.10" })
    .map((e) => e.iface);
  assert.equal(ifaces.length, 5);
  assert.equal(new Set(ifaces).size, 1);
});
