/**
 * A zero window stalls the sender; persist probes keep asking. A receiver with
 * a 14,480-byte buffer (ten segments) whose application stops reading fills
 * up and advertises window 0; the sender stops and, every so often, sends a
 * zero-window probe (an old sequence number, SND.UNA − 1, no data — Linux's
 * tcp_xmit_probe_skb) that the receiver answers with its window; the probes
 * back off like the RTO: 0.22, 0.44, 0.88, 1.76, 3.52 s. When the application
 * reads, the receiver announces the open window and the transfer resumes at
 * once, byte for byte; if that window update is lost, the next probe finds
 * the window open. The back-off ends with the probing.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { bytesOf, dropWhere, gaps, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

const MSS = 1448;

/** a connected to b:80 (10 ms link); b's buffer is 10 segments and its application does not read. */
function stalled(net: Network) {
  const { a, b, link } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80, { options: { rcvbuf: 10 * MSS, autoRead: false } });
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  const data = pattern(30_000, 3);
  c.send(data); // at 1 s
  return { link, c, server: srv.conns[0]!, data };
}

scenario("zero window: the sender stops and probes with growing intervals", (net) => {
  const { c, server } = stalled(net);
  net.run(9 * s);
  // Ten segments filled the buffer; the last ACK closed the window.
  assert.equal(server.readable, 10 * MSS);
  const last = segments(net, { node: "b" }).filter((g) => g.time < 1.1 * s).at(-1)!;
  assert.deepEqual([last.time / ms, last.ack, last.win], [1010, 10 * MSS + 1, 0]);
  assert.equal(c.peerWindow, 0);
  // Probes: one byte below SND.UNA, no data; each answered with window 0.
  const p = segments(net, { node: "a" }).filter((g) => g.time > 1.1 * s);
  assert.ok(p.every((g) => g.len === 0 && g.seq === 10 * MSS));
  // The first one RTO (20 ms + 200 ms) after the window closed, then doubling.
  assert.deepEqual(p.map((g) => g.time / ms), [1240, 1680, 2560, 4320, 7840]);
  assert.deepEqual(gaps(p.map((g) => g.time / ms)), [440, 880, 1760, 3520]);
  const answers = segments(net, { node: "b" }).filter((g) => g.time > 1.1 * s);
  assert.deepEqual(answers.map((g) => [g.time / ms, g.ack, g.win]), [
    [1250, 10 * MSS + 1, 0],
    [1690, 10 * MSS + 1, 0],
    [2570, 10 * MSS + 1, 0],
    [4330, 10 * MSS + 1, 0],
    [7850, 10 * MSS + 1, 0],
  ]);
  assert.equal(c.stats.zeroWindowProbes, 5);
  // Nothing was retransmitted and the connection is fine: it is only waiting.
  assert.deepEqual([c.stats.retransmits, c.state], [0, "ESTABLISHED"]);
});

scenario("zero window: the application reads, the window opens, the transfer resumes", (net) => {
  const { c, server, data } = stalled(net);
  const got: Uint8Array[] = [];
  net.sim.after(9 * s, () => got.push(bytesOf(server.read()))); // at 10 s
  // The probes' back-off (five probes: 6.4 s) ends with them: the data sent
  // into the new window is timed by the measured RTO.
  let rtoAfter = 0;
  net.sim.after(9015 * ms, () => rtoAfter = c.rto);
  net.run(10_500 * ms);
  // The read freed the whole buffer: an immediate window update…
  const upd = segments(net, { node: "b" }).find((g) => g.time === 10 * s)!;
  assert.deepEqual([upd.flags, upd.ack, upd.win], [".", 10 * MSS + 1, 10 * MSS]);
  // …and ten more segments leave one link delay later.
  const next = segments(net, { node: "a" }).filter((g) => g.time > 10 * s && g.len > 0);
  assert.equal(next[0]!.time, 10_010 * ms);
  assert.equal(next.filter((g) => g.time === 10_010 * ms).length, 10);
  assert.equal(rtoAfter, 220 * ms);
  // Read the rest as it comes; every byte, in order.
  for (let k = 1; k <= 10; k++) net.sim.after(k * 100 * ms, () => got.push(bytesOf(server.read())));
  net.run(12 * s);
  assert.deepEqual(bytesOf(got), data);
});

scenario("zero window: a lost window update is found by the next probe", (net) => {
  const { link, c, server, data } = stalled(net);
  // b's window update at 10 s is lost on its way to a.
  let n = 0;
  dropWhere(net, link.a, (p) => net.sim.now >= 10 * s && !!p.tcp && p.tcp.window > 0 && n++ === 0);
  net.sim.after(9 * s, () => server.read()); // at 10 s
  net.run(20 * s);
  // Probes at 1.24, 1.68, 2.56, 4.32, 7.84 s; the next, 7.04 s later at
  // 14.88 s, is answered with the open window (at 14.89 s), and the data
  // follows as soon as that answer arrives.
  const resumed = segments(net, { node: "a" }).find((g) => g.time > 10 * s && g.len > 0)!;
  assert.equal(resumed.time, 14_900 * ms);
  const probeTimes = segments(net, { node: "a" })
    .filter((g) => g.len === 0 && g.time > 1.1 * s && g.time < resumed.time).map((g) =>
      g.time / ms
    );
  assert.deepEqual(probeTimes, [1240, 1680, 2560, 4320, 7840, 14_880]);
  assert.equal(net.trace.filter({ kind: "drop", node: "a", reason: "random loss" }).length, 1);
  net.sim.after(0, () => server.read());
  for (let k = 1; k <= 20; k++) net.sim.after(k * 100 * ms, () => server.read());
  net.run(30 * s);
  assert.equal(c.stats.bytesAcked, data.length);
});
