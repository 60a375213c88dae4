/**
 * Packets waiting for ARP: while a neighbour is unresolved, Linux queues the
 * packets for it — at most `net.ipv4.neigh.default.unres_qlen` of them (101 by
 * default). When the queue is full, the oldest is dropped ("queue full") to
 * make room. When the answer comes, the queue is sent in order; when it never
 * comes, what is left is dropped as "neighbour failed".
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ip } from "../../core/wire/addr.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TraceEvent } from "../../core/sim/trace.ts";

function build(net: Network) {
  const [a, b] = net.nodes("a", "b");
  // A long path, so that resolution takes a while: 10 ms each way (and no
  // serialization time, to keep the arithmetic plain).
  net.connect(a, b, { delay: "10ms", rate: 0 });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  const received: number[] = [];
  const server = b.root.udp.socket();
  server.bind(0, 9);
  server.onMessage = (d) => received.push(d.data instanceof Uint8Array ? d.data[0]! : -1);
  return { a, b, received };
}

/** Send datagrams numbered 1..n to `dst`, all at the same instant. */
function burst(a: ReturnType<typeof build>["a"], dst: string, n: number): void {
  const sock = a.root.udp.socket();
  for (let k = 1; k <= n; k++) {
    assert.equal(sock.sendTo(new Uint8Array([k]), ip(dst), 9), undefined);
  }
}

scenario("queue: the default limit is 101 packets per unresolved neighbour", (net) => {
  const { a } = build(net);
  assert.equal(
    a.sh("sysctl net.ipv4.neigh.default.unres_qlen").stdout,
    "net.ipv4.neigh.default.unres_qlen = 101\n",
  );
  burst(a, "10.0.0.2", 20);
  net.runFor(1 * s);
  assert.equal(net.trace.drops.get("queue full"), undefined);
});

scenario("queue: with unres_qlen=3, five packets for nobody — the two oldest go first", (net) => {
  const { a } = build(net);
  assert.equal(a.sh("sysctl -w net.ipv4.neigh.default.unres_qlen=3").status, 0);
  burst(a, "10.0.0.99", 5);
  // Packets 4 and 5 each pushed out the oldest waiting one: 1, then 2.
  const full = net.trace.filter({ kind: "drop", reason: "queue full" });
  assert.deepEqual(full.map((e) => [e.node, e.time]), [["a", 0], ["a", 0]]);
  net.runFor(5 * s);
  const failed = net.trace.filter({ kind: "drop", reason: "neighbour failed" });
  assert.deepEqual(failed.map((e) => [e.node, e.time]), [["a", 3 * s], ["a", 3 * s], ["a", 3 * s]]);
  assert.deepEqual(payloads(full), [1, 2]);
  assert.deepEqual(payloads(failed), [3, 4, 5]);
});

scenario("queue: when the answer comes, the waiting packets leave in order", (net) => {
  const { a, received } = build(net);
  burst(a, "10.0.0.2", 5);
  net.runFor(100 * ms);
  assert.deepEqual(received, [1, 2, 3, 4, 5]);
  // They waited one round trip (20 ms) for b's answer, then left together.
  const sent = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.deepEqual(sent.map((e) => e.time), Array(5).fill(20 * ms));
});

scenario("queue: with unres_qlen=3 and a live neighbour, only the last three arrive", (net) => {
  const { a, received } = build(net);
  a.sh("sysctl -w net.ipv4.neigh.default.unres_qlen=3");
  burst(a, "10.0.0.2", 5);
  net.runFor(100 * ms);
  assert.deepEqual(received, [3, 4, 5]);
  assert.equal(net.trace.drops.get("queue full"), 2);
  assert.equal(net.trace.drops.get("neighbour failed"), undefined);
});

/** The number each dropped datagram carried. */
function payloads(events: TraceEvent[]): number[] {
  return events.map((e) => {
    const data = e.packet.udp?.payload;
    return data instanceof Uint8Array ? data[0]! : -1;
  });
}
