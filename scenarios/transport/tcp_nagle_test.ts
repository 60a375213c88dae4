/**
 * Nagle's algorithm (RFC 896, RFC 1122 §4.2.3.4) in Linux's form: a segment
 * smaller than the MSS is not sent while an earlier small segment is still
 * unacknowledged, so a burst of small writes goes out as one small segment
 * and then one segment holding all the rest once the ACK comes back. Full
 * segments are never held, and neither is the tail of a large write (Linux's
 * Minshall variant: no small segment is outstanding). With TCP_NODELAY every
 * write leaves at once. Nagle and delayed ACKs together cost a small second
 * write the 40 ms delayed-ACK timer; TCP_NODELAY removes that wait.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { concat, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

/** a connected to b:80 over a 10 ms link (infinitely fast), with these client options. */
function conn(net: Network, nodelay: boolean) {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80);
  const c = a.root.tcp.socket({ nodelay });
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  return { c, srv };
}

/** a's data segments after `t0`: [ms since t0, length]. */
const sent = (net: Network, t0: number) =>
  segments(net, { node: "a" }).filter((g) => g.len > 0 && g.time >= t0)
    .map((g) => [(g.time - t0) / ms, g.len]);

/** Ten 10-byte writes, 1 ms apart, starting now. */
function tenWrites(net: Network, c: TcpSocket): Uint8Array {
  const all = pattern(100, 5);
  for (let k = 0; k < 10; k++) {
    net.sim.after(k * ms, () => assert.equal(c.send(all.subarray(k * 10, k * 10 + 10)), 10));
  }
  return all;
}

scenario(
  "nagle: ten small writes become two segments — one, then the rest after the ACK",
  (net) => {
    const { c, srv } = conn(net, false);
    const t0 = net.sim.now;
    const all = tenWrites(net, c);
    net.run(t0 + 1 * s);
    // The first write leaves at once; the other nine wait for its ACK (20 ms,
    // the receiver is still in its quick-ACK phase) and leave together.
    assert.deepEqual(sent(net, t0), [[0, 10], [20, 90]]);
    assert.deepEqual(srv.received[0], all);
  },
);

scenario("nagle: TCP_NODELAY sends every small write at once", (net) => {
  const { c, srv } = conn(net, true);
  const t0 = net.sim.now;
  const all = tenWrites(net, c);
  net.run(t0 + 1 * s);
  assert.deepEqual(sent(net, t0), Array.from({ length: 10 }, (_, k) => [k, 10]));
  assert.deepEqual(srv.received[0], all);
});

scenario("nagle: full segments and the tail of a large write are never held", (net) => {
  const { c, srv } = conn(net, false);
  const t0 = net.sim.now;
  const big = pattern(10_000, 6);
  c.send(big);
  net.run(t0 + 1 * s);
  // Six full segments and the 1,312-byte tail, all at once: no small segment
  // was outstanding, so the tail does not wait for the ACKs.
  assert.deepEqual(sent(net, t0), [...Array(6).fill([0, 1448]), [0, 1312]]);
  // A small write, then a larger one while the small one is unacknowledged:
  // the larger one's full segment goes at once, its small tail waits for the
  // small segment before it to be ACKed.
  const t1 = net.sim.now;
  c.send(big.subarray(0, 1000));
  c.send(big.subarray(1000, 3000));
  net.run(t1 + 1 * s);
  assert.deepEqual(sent(net, t1), [[0, 1000], [0, 1448], [20, 552]]);
  assert.deepEqual(srv.received[0], concat([big, big.subarray(0, 3000)]));
});

scenario(
  "nagle: with delayed ACKs a second small write waits 40 ms; TCP_NODELAY does not",
  (net) => {
    for (const nodelay of [false, true]) {
      const sub = nodelay ? new Network({ seed: 1 }) : net;
      const { c } = conn(sub, nodelay);
      // Spend the receiver's quick-ACK phase first.
      c.send(pattern(20 * 1448));
      sub.run(sub.sim.now + 1 * s);
      // Then a request in two small writes, 1 ms apart (write-write-read).
      const t0 = sub.sim.now;
      c.send(pattern(40, 1));
      sub.sim.after(1 * ms, () => c.send(pattern(60, 2)));
      sub.run(t0 + 1 * s);
      const got = sent(sub, t0);
      if (nodelay) assert.deepEqual(got, [[0, 40], [1, 60]]);
      // Nagle: the 60 bytes wait for the ACK of the 40, which the receiver
      // delays by 40 ms: 10 + 40 + 10 ms after the first write.
      else assert.deepEqual(got, [[0, 40], [60, 60]]);
    }
  },
);
