/**
 * Silly-window-syndrome avoidance (RFC 1122 §4.2.3.3–4, RFC 813). The
 * receiver does not advertise a window that grows by a few bytes: an
 * application reading 100 bytes every 10 ms from a full buffer opens the
 * window only once a full segment's worth (1,448 bytes) is free. The sender
 * does not send small segments into small windows either: it waits for the
 * window to reach a full segment, so a transfer to such a dribbling reader
 * still travels in full-sized segments; only when the window stays smaller
 * than a segment with nothing in flight does the persist timer send what
 * fits.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { bytesOf, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

const MSS = 1448;

function conn(net: Network, rcvbuf: number) {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80, { options: { rcvbuf, autoRead: false } });
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  return { c, server: srv.conns[0]! };
}

scenario(
  "sws: a reader taking 100 bytes at a time reopens the window only by a full segment",
  (net) => {
    const { c, server } = conn(net, 10 * MSS);
    c.send(pattern(10 * MSS + 5000));
    net.run(2 * s); // the buffer is full, the window 0
    assert.equal(c.peerWindow, 0);
    const t0 = net.sim.now;
    for (let k = 1; k <= 40; k++) net.sim.after(k * 10 * ms, () => server.read(100));
    net.run(t0 + 420 * ms);
    const updates = segments(net, { node: "b" }).filter((g) => g.time > t0 && g.len === 0);
    // No update for 100, 200 … 1,400 bytes; the first after the 15th read (1,500 free).
    assert.deepEqual([(updates[0]!.time - t0) / ms, updates[0]!.win], [150, 1500]);
    // Whenever b moves the right edge of its window (ACK + window) forward, it
    // moves it by at least a segment; in between, the window only shrinks as
    // data fills it (52 bytes left after a full segment, say), never grows by
    // a sliver.
    const edges = segments(net, { node: "b" }).filter((g) => g.time >= t0 - 1 * s)
      .map((g) => g.ack + g.win);
    const moves = edges.slice(1).map((e, i) => e - edges[i]!).filter((d) => d !== 0);
    assert.ok(moves.length >= 2);
    for (const d of moves) assert.ok(d >= MSS, `the edge moved by ${d}`);
  },
);

scenario("sws: the sender waits for a full segment's window instead of sending slivers", (net) => {
  const { c, server } = conn(net, 10 * MSS);
  const data = pattern(60_000, 4);
  c.send(data);
  const got: Uint8Array[] = [];
  const t0 = net.sim.now;
  // A dribbling reader: 300 bytes every 10 ms.
  for (let k = 1; k <= 400; k++) {
    net.sim.after(k * 10 * ms, () => got.push(bytesOf(server.read(300))));
  }
  net.run(t0 + 5 * s);
  assert.deepEqual(bytesOf(got), data);
  const sizes = segments(net, { node: "a" }).filter((g) => g.len > 0).map((g) => g.len);
  // 60,000 = 41 × 1,448 + 632: full segments, and the tail.
  assert.equal(sizes.filter((n) => n === MSS).length, 41);
  assert.deepEqual(sizes.filter((n) => n !== MSS), [632]);
});

scenario(
  "sws: a window smaller than a segment, nothing in flight — the persist timer sends what fits",
  (net) => {
    // 20,000 bytes of buffer: after 13 full segments (18,824 bytes) 1,176 remain.
    const { c, server } = conn(net, 20_000);
    c.send(pattern(40_000, 5));
    net.run(3 * s);
    const sent = segments(net, { node: "a" }).filter((g) => g.len > 0);
    const fulls = sent.filter((g) => g.len === MSS);
    assert.equal(fulls.length, 13);
    const last = segments(net, { node: "b" }).filter((g) => g.time < fulls.at(-1)!.time + 20 * ms)
      .at(-1)!;
    assert.deepEqual([last.ack, last.win], [13 * MSS + 1, 1176]);
    // The 1,176-byte window is not used at once: one RTO (220 ms) later the
    // persist timer sends exactly what fits, and the window is then 0.
    const small = sent.filter((g) => g.len < MSS);
    assert.deepEqual(small.map((g) => [g.len, g.seq]), [[1176, 13 * MSS + 1]]);
    assert.equal(small[0]!.time - last.time - 10 * ms, 220 * ms);
    assert.equal(server.readable, 20_000);
    assert.equal(c.peerWindow, 0);
  },
);
