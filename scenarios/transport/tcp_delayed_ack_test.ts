/**
 * Delayed ACKs (RFC 1122 §4.2.3.2, RFC 5681 §4.2, Linux). A new connection's
 * receiver first ACKs every segment (Linux's quick-ACK phase, 16 ACKs); after
 * that a bulk transfer gets one ACK for every two full-sized segments, and a
 * lone segment is ACKed only when the 40 ms delayed-ACK timer fires — unless
 * the receiver has data to send back first, which then carries the ACK. An
 * out-of-order segment is ACKed at once. With delayed ACKs off
 * (TCP_QUICKACK), every segment is ACKed as it arrives.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import {
  delayWhere,
  ip,
  nthData,
  pair,
  pattern,
  segments,
  serve,
  type Server,
} from "./tcp_testing.ts";

const MSS = 1448;

function conn(net: Network, delayedAck = true): { c: TcpSocket; srv: Server } {
  const { a, b } = pair(net, { rate: "100mbit", delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80, { options: { delayedAck } });
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  return { c, srv };
}

/** b's pure ACKs (no data, no SYN/FIN), as [time, relative ack]. */
const acksOf = (net: Network) =>
  segments(net, { node: "b" }).filter((g) => g.flags === "." && g.len === 0)
    .map((g) => [g.time, g.ack] as const);

scenario("delayed ack: quick ACKs first, then one ACK per two full segments", (net) => {
  const { c, srv } = conn(net);
  const data = pattern(60 * MSS);
  c.onConnect = () => c.send(data);
  net.run(2 * s);
  assert.deepEqual(srv.received[0], data);
  const acks = acksOf(net).map(([, x]) => x);
  const step = acks.map((x, i) => (x - (i === 0 ? 1 : acks[i - 1]!)) / MSS);
  // The first 16 data segments are ACKed one by one…
  assert.deepEqual(step.slice(0, 16), Array(16).fill(1));
  // …then every ACK covers two segments.
  assert.deepEqual(step.slice(16), Array(22).fill(2));
  assert.equal(acks.at(-1), 60 * MSS + 1);
  // 38 ACKs for 60 segments.
  assert.equal(acks.length, 16 + 22);
});

scenario("delayed ack: a lone segment is ACKed by the 40 ms timer", (net) => {
  const { c } = conn(net);
  c.onConnect = () => {
    c.send(pattern(20 * MSS)); // spends the quick-ACK phase
    // Then a 100-byte write every 100 ms.
    for (let k = 1; k <= 5; k++) {
      net.sim.after(k * 100 * ms + 500 * ms, () => c.send(pattern(100, k)));
    }
  };
  net.run(2 * s);
  const lone = segments(net, { node: "a" }).filter((g) => g.len === 100);
  assert.equal(lone.length, 5);
  for (const g of lone) {
    const ack = acksOf(net).find(([, x]) => x === g.seq + 100)!;
    // Arrives 10 ms after it was sent, ACKed 40 ms later, back 10 ms after
    // that (plus a few microseconds of serialization).
    const rtt = ack[0] - g.time;
    assert.ok(rtt > 50 * ms && rtt < 50.1 * ms, `ACK of ${g.seq} after ${rtt / ms} ms`);
  }
});

scenario("delayed ack: data going back carries the ACK before the timer fires", (net) => {
  const { c, srv } = conn(net);
  c.onConnect = () => c.send(pattern(20 * MSS));
  net.run(1 * s);
  const server = srv.conns[0]!;
  // A request; the server answers 5 ms after it arrives, well inside 40 ms.
  server.onData = () => net.sim.after(5 * ms, () => server.send(pattern(300, 1)));
  const t0 = net.sim.now;
  c.send(pattern(50, 2));
  net.run(t0 + 1 * s);
  const after = segments(net, { node: "b" }).filter((g) => g.time > t0);
  // One segment from b: the 300-byte answer, acknowledging the request.
  assert.equal(after.length, 1);
  assert.deepEqual([after[0]!.len, after[0]!.ack], [300, 20 * MSS + 51]);
  const dt = after[0]!.time - t0;
  assert.ok(dt > 15 * ms && dt < 15.1 * ms, `${dt / ms} ms`);
});

scenario("delayed ack: an out-of-order segment is ACKed at once", (net) => {
  const { a, b, link } = pair(net, { rate: "100mbit", delay: "10ms" }, { permanent: true });
  serve(b, 80);
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  c.onConnect = () => c.send(pattern(20 * MSS));
  net.run(1 * s);
  // Past the quick-ACK phase, three segments; the first is held back 1 ms.
  const undo = delayWhere(net, link.b, nthData(1), 1 * ms);
  const t0 = net.sim.now;
  c.send(pattern(3 * MSS, 3));
  net.run(t0 + 1 * s);
  undo();
  const acks = acksOf(net).filter(([t]) => t > t0).map(([t, x]) => [(t - t0) / ms, x]);
  // Segments 2 and 3 arrive out of order: each ACKed immediately (duplicates);
  // segment 1 fills the hole 1 ms later: ACKed immediately as well.
  const base = 20 * MSS + 1;
  assert.deepEqual(acks.map(([, x]) => x), [base, base, base + 3 * MSS]);
  assert.ok(acks.every(([t]) => (t as number) < 13), "none waited for the 40 ms timer");
});

scenario("delayed ack: turned off, every segment is ACKed on arrival", (net) => {
  const { c } = conn(net, false);
  c.onConnect = () => c.send(pattern(60 * MSS));
  net.run(2 * s);
  const acks = acksOf(net).map(([, x]) => x);
  assert.equal(acks.length, 60);
  assert.deepEqual(acks, Array.from({ length: 60 }, (_, i) => (i + 1) * MSS + 1));
});
