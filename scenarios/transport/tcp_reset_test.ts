/**
 * Resets. Closing a socket whose received data was never read sends a RST
 * instead of a FIN (Linux's tcp_close, RFC 2525 §2.17): the data would be
 * lost, so the peer must know; the peer's connection fails with ECONNRESET
 * and the closing side is CLOSED at once, with no TIME-WAIT. An abortive close
 * (SO_LINGER 0) does the same with nothing unread. Data sent to a reset
 * connection is answered with a RST. A RST is only accepted when its sequence
 * number is exactly the next expected one; an in-window guess gets a challenge
 * ACK instead (RFC 5961 §3.2) and the connection lives on.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { ip, pair, pattern, segments, sendTcp, serve } from "./tcp_testing.ts";

/** a connected to b:80 with a server that does not read (autoRead off). */
function connected(net: Network) {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80, { options: { autoRead: false } });
  const c = a.root.tcp.socket();
  const errors: TcpError[] = [];
  c.onError = (e) => errors.push(e);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  return { a, b, c, server: srv.conns[0]!, errors };
}

const at = (x: TcpSocket) => x.history.map((h) => [h.state, h.time / ms]);

scenario("reset: close() with unread data sends RST, not FIN; the peer gets ECONNRESET", (net) => {
  const { c, server, errors } = connected(net);
  c.send(pattern(500));
  net.run(2 * s);
  assert.equal(server.readable, 500, "received, acknowledged, never read");
  server.close(); // at 2 s
  net.run();
  const fromB = segments(net, { node: "b" }).filter((g) => g.time >= 2 * s);
  assert.deepEqual(fromB.map((g) => [g.time / ms, g.flags, g.seq, g.ack]), [[2000, "R.", 1, 501]]);
  assert.equal(segments(net).filter((g) => g.flags.includes("F")).length, 0, "no FIN at all");
  // The server is CLOSED at once, no TIME-WAIT; the client hears of it one
  // link delay later.
  assert.deepEqual(at(server).slice(-1), [["CLOSED", 2000]]);
  assert.deepEqual(at(c).slice(-1), [["CLOSED", 2010]]);
  assert.deepEqual(errors, ["ECONNRESET"]);
  assert.equal(c.error, "ECONNRESET");
});

scenario("reset: with nothing unread, close() sends a FIN as usual", (net) => {
  const { c, server, errors } = connected(net);
  c.send(pattern(500));
  net.run(2 * s);
  server.read();
  server.close();
  net.run();
  assert.equal(segments(net).filter((g) => g.flags.includes("R")).length, 0);
  assert.equal(segments(net, { node: "b" }).filter((g) => g.flags === "F.").length, 1);
  assert.deepEqual(errors, []);
  assert.equal(server.states().includes("FIN-WAIT-1"), true);
});

scenario("reset: abort() (SO_LINGER 0) resets; data sent afterwards draws a RST", (net) => {
  const { a, c, server, errors } = connected(net);
  const serverErrors: TcpError[] = [];
  server.onError = (e) => serverErrors.push(e);
  c.abort(); // at 1 s
  assert.equal(c.state, "CLOSED");
  net.run(2 * s);
  assert.deepEqual(serverErrors, ["ECONNRESET"]);
  assert.deepEqual(errors, [], "the aborting side gets no error");
  assert.equal(server.state, "CLOSED");
  const rst = segments(net, { node: "a" }).at(-1)!;
  assert.deepEqual([rst.time / ms, rst.flags, rst.seq], [1000, "R.", 1]);
  // A late segment to the old connection: the host answers with a RST.
  sendTcp(net.get("b"), {
    src: "10.0.0.2",
    dst: "10.0.0.1",
    srcPort: 80,
    dstPort: c.localPort,
    seq: 1000,
    ack: 2000,
    flags: TcpFlag.ACK,
    payload: 10,
  });
  net.run();
  const answer = segments(net, { node: "a" }).at(-1)!;
  assert.deepEqual([answer.tcp.flags, answer.tcp.seq], [TcpFlag.RST, 2000]);
  assert.equal(a.root.tcp.stats.outRsts, 2);
});

/** The raw next sequence number a expects from b (b's ISN + 1 + bytes sent). */
function rcvNxt(net: Network, c: TcpSocket): number {
  const synAck = segments(net).find((g) => g.flags === "S.")!;
  return (synAck.tcp.seq + 1 + c.stats.bytesReceived) >>> 0;
}

scenario("reset: an in-window RST with the wrong sequence number gets a challenge ACK", (net) => {
  const { b, c, errors } = connected(net);
  const next = rcvNxt(net, c);
  const forge = (seq: number) =>
    sendTcp(b, {
      src: "10.0.0.2",
      dst: "10.0.0.1",
      srcPort: 80,
      dstPort: c.localPort,
      seq,
      flags: TcpFlag.RST,
    });
  // 1000 bytes into the window: plausible, but not exact.
  forge(next + 1000);
  net.run(2 * s);
  assert.equal(c.state, "ESTABLISHED", "the connection survives");
  assert.deepEqual(errors, []);
  const challenge = segments(net, { node: "a" }).at(-1)!;
  assert.deepEqual([challenge.time / ms, challenge.flags, challenge.ack], [1010, ".", 1]);
  // Far outside the window: silently ignored, no answer at all.
  const before = segments(net, { node: "a" }).length;
  forge(next + 2 ** 31);
  net.run(3 * s);
  assert.equal(segments(net, { node: "a" }).length, before);
  assert.equal(c.state, "ESTABLISHED");
  // Exactly RCV.NXT: accepted, the connection is reset.
  forge(next);
  net.run(4 * s);
  assert.equal(c.state, "CLOSED");
  assert.deepEqual(errors, ["ECONNRESET"]);
});
