/**
 * Simultaneous open and simultaneous close (RFC 9293 Figures 8 and 13). Two
 * hosts connect to each other's bound port at the same instant: both SYNs
 * cross, each side answers with a SYN-ACK, and both go SYN-SENT → SYN-RECEIVED
 * → ESTABLISHED — one connection, not two — then ACK the other's SYN-ACK as
 * Linux does. When both close at once their FINs cross: FIN-WAIT-1 → CLOSING →
 * TIME-WAIT on both sides, and both wait 2·MSL.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { brief, bytesOf, ip, pair, pattern, segments } from "./tcp_testing.ts";

/** x on a:7001 and y on b:7002 connect to each other at t = 0 over a 10 ms link. */
function crossed(net: Network): { x: TcpSocket; y: TcpSocket } {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const x = a.root.tcp.socket(), y = b.root.tcp.socket();
  assert.equal(a.root.tcp.bind(x, 0, 7001), undefined);
  assert.equal(b.root.tcp.bind(y, 0, 7002), undefined);
  assert.equal(a.root.tcp.connect(x, ip("10.0.0.2"), 7002), undefined);
  assert.equal(b.root.tcp.connect(y, ip("10.0.0.1"), 7001), undefined);
  return { x, y };
}

const at = (x: TcpSocket) => x.history.map((h) => [h.state, h.time / ms]);

/** Segments as [ms, line], sorted by time then text (events at one instant in either order). */
function wire(net: Network, from = 0): Array<[number, string]> {
  return segments(net).filter((g) => g.time >= from)
    .map((g): [number, string] => [g.time / ms, brief(g)])
    .sort((p, q) => p[0] - q[0] || (p[1] < q[1] ? -1 : 1));
}

scenario("simultaneous open: SYNs cross, both pass SYN-RECEIVED, one connection results", (net) => {
  const { x, y } = crossed(net);
  let connected = 0;
  x.onConnect = () => connected++;
  y.onConnect = () => connected++;
  net.runFor(1 * s);
  // SYNs at 0 arrive at 10 ms; SYN-ACKs at 10 ms arrive at 20 ms.
  for (const sock of [x, y]) {
    assert.deepEqual(at(sock), [["SYN-SENT", 0], ["SYN-RECEIVED", 10], ["ESTABLISHED", 20]]);
  }
  assert.equal(connected, 2);
  // On the wire: two SYNs, two SYN-ACKs each acknowledging the other's SYN,
  // then one ACK each (for the SYN repeated in the SYN-ACK). Nothing more.
  assert.deepEqual(wire(net), [
    [0, "a S 0"],
    [0, "b S 0"],
    [10, "a S. 0 ack 1"],
    [10, "b S. 0 ack 1"],
    [20, "a . 1 ack 1"],
    [20, "b . 1 ack 1"],
  ]);
  // The SYN-ACKs carry the SYN options again; both ends negotiated the same.
  const synAcks = segments(net).filter((g) => g.flags === "S.");
  for (const g of synAcks) {
    assert.deepEqual([g.tcp.options.mss, g.tcp.options.sackPermitted], [1460, true]);
  }
  assert.deepEqual(x.negotiated, y.negotiated);
  assert.equal(x.mss, 1448);
});

scenario("simultaneous open: the connection carries data both ways", (net) => {
  const { x, y } = crossed(net);
  const toY = pattern(20_000, 1), toX = pattern(30_000, 2);
  const gotX: Uint8Array[] = [], gotY: Uint8Array[] = [];
  x.onData = (d) => gotX.push(bytesOf([d]));
  y.onData = (d) => gotY.push(bytesOf([d]));
  x.onConnect = () => x.send(toY);
  y.onConnect = () => y.send(toX);
  net.runFor(2 * s);
  assert.deepEqual(bytesOf(gotY), toY);
  assert.deepEqual(bytesOf(gotX), toX);
  assert.equal(x.stats.retransmits + y.stats.retransmits, 0);
});

scenario("simultaneous close: FINs cross — FIN-WAIT-1, CLOSING, TIME-WAIT on both sides", (net) => {
  const { x, y } = crossed(net);
  net.sim.after(1 * s, () => {
    x.close();
    y.close();
  });
  net.run();
  // Both FINs leave at 1 s and arrive at 1.010 s (CLOSING: a FIN came, ours is
  // not yet ACKed); the ACKs of the FINs arrive at 1.020 s: TIME-WAIT; 60 s later, CLOSED.
  for (const sock of [x, y]) {
    assert.deepEqual(at(sock).slice(3), [
      ["FIN-WAIT-1", 1000],
      ["CLOSING", 1010],
      ["TIME-WAIT", 1020],
      ["CLOSED", 61020],
    ]);
  }
  // Each side ACKs the other's FIN (ack 2) on arrival; neither sends anything else.
  assert.deepEqual(wire(net, 1000 * ms), [
    [1000, "a F. 1 ack 1"],
    [1000, "b F. 1 ack 1"],
    [1010, "a . 2 ack 2"],
    [1010, "b . 2 ack 2"],
  ]);
});
