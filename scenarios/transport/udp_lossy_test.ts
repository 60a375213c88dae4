/**
 * UDP is neither reliable nor ordered. On a link that loses 10% of frames
 * (a seeded random stream), datagrams go missing and nobody retransmits them:
 * the receiver gets exactly those the link did not drop. When the path gets
 * shorter mid-stream (the delay drops from 20 ms to 1 ms), datagrams sent later
 * overtake those still on the long path and arrive first. The losses are a
 * function of the seed: the same seed loses the same datagrams, another seed
 * others.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { ms } from "../../core/sim/simulator.ts";
import { ip, pair } from "./tcp_testing.ts";

/** Send datagrams numbered 0..n-1 (2 bytes each) every `gap` ns; returns the server socket. */
function stream(net: Network, n: number, gap: number, loss = 0.1) {
  const { a, b, link } = pair(net, { rate: "10mbit", delay: "20ms" }, { permanent: true });
  link.setLoss(loss, link.a);
  const server = b.root.udp.socket();
  server.bind(0, 7000);
  const client = a.root.udp.socket();
  client.bind(0, 6000);
  for (let i = 0; i < n; i++) {
    net.sim.after(
      i * gap,
      () => client.sendTo(new Uint8Array([i >> 8, i & 255]), ip("10.0.0.2"), 7000),
    );
  }
  return { a, b, link, server };
}

const idOf = (d: Uint8Array) => d[0]! * 256 + d[1]!;

/** The numbers of the datagrams the link dropped, from the trace. */
function droppedIds(net: Network): number[] {
  return net.trace.filter({ kind: "drop", proto: 17, reason: "random loss" })
    .map((e) => idOf(e.packet.udp!.payload as Uint8Array));
}

scenario("udp: on a lossy link datagrams go missing and are never sent again", (net) => {
  const { server } = stream(net, 200, 1 * ms);
  net.run();
  const got = server.inbox.map((d) => idOf(d.data as Uint8Array));
  const lost = droppedIds(net);
  // Some were lost (about 10%), and exactly those are missing.
  assert.ok(lost.length >= 8 && lost.length <= 35, `${lost.length} lost`);
  assert.equal(got.length + lost.length, 200);
  const all = new Set([...got, ...lost]);
  assert.equal(all.size, 200, "every datagram either arrived or was dropped, none twice");
  // The sender put each datagram on the wire exactly once: no retransmission.
  assert.equal(net.trace.filter({ kind: "tx", node: "a", proto: 17 }).length, 200);
  // Nothing tells the sender: no ICMP comes back for a lost datagram.
  assert.equal(net.trace.filter({ kind: "tx", node: "b", proto: 1 }).length, 0);
});

scenario("udp: when the path shortens, later datagrams overtake earlier ones", (net) => {
  const { server, link } = stream(net, 100, 1 * ms, 0);
  // At 50 ms the path delay drops from 20 ms to 1 ms (a route change, say).
  net.sim.after(50 * ms + 500_000, () => link.configure({ delay: "1ms" }));
  net.run();
  const got = server.inbox.map((d) => idOf(d.data as Uint8Array));
  assert.deepEqual([...got].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  assert.notDeepEqual(got, [...got].sort((x, y) => x - y), "arrival order differs from send order");
  // Datagram 51 (sent after the change) arrives before datagram 40 (sent before it).
  assert.ok(got.indexOf(51) < got.indexOf(40));
  // UDP hands them to the application in arrival order, as they came.
  const times = server.inbox.map((d) => d.time);
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
});

scenario("udp: the same seed loses the same datagrams, another seed others", (net) => {
  stream(net, 300, 1 * ms);
  net.run();
  const again = new Network({ seed: 1 });
  stream(again, 300, 1 * ms);
  again.run();
  const other = new Network({ seed: 2 });
  stream(other, 300, 1 * ms);
  other.run();
  assert.deepEqual(droppedIds(again), droppedIds(net));
  assert.notDeepEqual(droppedIds(other), droppedIds(net));
});
