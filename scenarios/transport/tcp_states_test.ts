/**
 * The RFC 9293 state machine, state by state, with the virtual times at which
 * each side enters each state on a 10 ms link (no serialization delay, static
 * neighbours, so every time is a multiple of the one-way delay):
 *
 *   client: SYN-SENT → ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED (2·MSL later)
 *   server: (LISTEN) SYN-RECEIVED → ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED
 *
 * A half-closed connection keeps carrying data the other way (FIN-WAIT-2 and
 * CLOSE-WAIT), and across normal, simultaneous and listener closes all eleven
 * states of RFC 9293 §3.3.2 are visited.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpSocket, TcpState } from "../../core/transport/tcp/socket.ts";
import { brief, bytesOf, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

/** a and b on an infinitely fast 10 ms link with static neighbours. */
function link10(net: Network) {
  return pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
}

const at = (x: TcpSocket) => x.history.map((h) => [h.state, h.time / ms]);

scenario(
  "states: a full connection, client closes first, with the time of every transition",
  (net) => {
    const { a, b } = link10(net);
    const srv = serve(b, 80, {
      onConn: (conn) => {
        // The server application closes 500 ms after it sees the client's FIN.
        conn.onEnd = () => net.sim.after(500 * ms, () => conn.close());
      },
    });
    assert.equal(srv.listener.state, "LISTEN");
    const c = a.root.tcp.socket();
    assert.equal(c.state, "CLOSED");
    c.onConnect = () => net.sim.after(1 * s, () => c.close());
    a.root.tcp.connect(c, ip("10.0.0.2"), 80);
    net.run();
    const conn = srv.conns[0]!;
    // Client: SYN at 0, SYN-ACK back at 20 ms; close at 1.020 s; the FIN's ACK at
    // 1.040 s; the server's FIN at 1.530 s (1.030 + 500 ms); 2·MSL = 60 s later, gone.
    assert.deepEqual(at(c), [
      ["SYN-SENT", 0],
      ["ESTABLISHED", 20],
      ["FIN-WAIT-1", 1020],
      ["FIN-WAIT-2", 1040],
      ["TIME-WAIT", 1540],
      ["CLOSED", 61540],
    ]);
    // Server: the SYN arrives at 10 ms, the ACK at 30 ms, the FIN at 1.030 s; it
    // closes at 1.530 s, and the last ACK arrives at 1.550 s.
    assert.deepEqual(at(conn), [
      ["SYN-RECEIVED", 10],
      ["ESTABLISHED", 30],
      ["CLOSE-WAIT", 1030],
      ["LAST-ACK", 1530],
      ["CLOSED", 1550],
    ]);
    // The listener is untouched by its children's lives.
    assert.equal(srv.listener.state, "LISTEN");
    srv.listener.close();
    assert.deepEqual(srv.listener.states(), ["LISTEN", "CLOSED"]);
  },
);

scenario("states: the server closes first — the roles swap, TIME-WAIT is on the server", (net) => {
  const { a, b } = link10(net);
  const srv = serve(b, 80, { onConn: (conn) => net.sim.after(100 * ms, () => conn.close()) });
  const c = a.root.tcp.socket();
  c.onEnd = () => c.close(); // the client closes as soon as it reads end-of-file
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run();
  const conn = srv.conns[0]!;
  assert.deepEqual(conn.states(), [
    "SYN-RECEIVED",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "TIME-WAIT",
    "CLOSED",
  ]);
  // The client ACKs the FIN in the same segment as its own FIN (it closes at
  // once), so the server goes through FIN-WAIT-2 and into TIME-WAIT at one instant.
  assert.deepEqual(c.states(), ["SYN-SENT", "ESTABLISHED", "CLOSE-WAIT", "LAST-ACK", "CLOSED"]);
  // On the wire, the client's FIN is its ACK of the server's FIN: no extra ACK.
  assert.deepEqual(segments(net, { node: "a" }).map(brief), [
    "a S 0",
    "a . 1 ack 1",
    "a F. 1 ack 2",
  ]);
  const fw2 = conn.history.find((h) => h.state === "FIN-WAIT-2")!.time;
  const tw = conn.history.find((h) => h.state === "TIME-WAIT")!.time;
  assert.equal(fw2, tw);
  const closed = conn.history.find((h) => h.state === "CLOSED")!.time;
  assert.equal(closed - tw, 60 * s);
});

scenario("states: half-close — data keeps flowing to the side in FIN-WAIT-2", (net) => {
  const { a, b } = link10(net);
  const reply = pattern(50_000, 3);
  const srv = serve(b, 80, {
    onConn: (conn) => {
      conn.onEnd = () => {
        // In CLOSE-WAIT the server still answers, for 2 seconds, then closes.
        assert.equal(conn.state, "CLOSE-WAIT");
        for (let k = 0; k < 5; k++) {
          net.sim.after(
            k * 400 * ms,
            () => conn.send(reply.subarray(k * 10_000, (k + 1) * 10_000)),
          );
        }
        net.sim.after(2 * s, () => conn.close());
      };
    },
  });
  const c = a.root.tcp.socket();
  const got: Uint8Array[] = [];
  const statesWhenData: TcpState[] = [];
  c.onData = (d) => {
    got.push(bytesOf([d]));
    statesWhenData.push(c.state);
  };
  c.onConnect = () => {
    c.send(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"));
    c.shutdown(); // half-close: no more from us, but keep reading
  };
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run();
  assert.deepEqual(bytesOf(got), reply);
  assert.ok(statesWhenData.every((x) => x === "FIN-WAIT-2"));
  assert.deepEqual(c.states(), [
    "SYN-SENT",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "TIME-WAIT",
    "CLOSED",
  ]);
  assert.deepEqual(srv.conns[0]!.states(), [
    "SYN-RECEIVED",
    "ESTABLISHED",
    "CLOSE-WAIT",
    "LAST-ACK",
    "CLOSED",
  ]);
  assert.equal(new TextDecoder().decode(srv.received[0]!), "GET / HTTP/1.0\r\n\r\n");
});

scenario("states: all eleven states of RFC 9293 are visited", (net) => {
  const { a, b } = link10(net);
  const seen = new Set<TcpState>(["CLOSED"]);
  const watch = (x: TcpSocket) => {
    const prev = x.onState;
    x.onState = (st) => {
      seen.add(st);
      prev?.(st);
    };
  };
  // A listener and an ordinary connection closed by the client.
  const srv = serve(b, 80, {
    onConn: (conn) => {
      watch(conn);
      conn.onEnd = () => conn.close();
    },
  });
  watch(srv.listener);
  seen.add(srv.listener.state);
  const c = a.root.tcp.socket();
  watch(c);
  c.onConnect = () => c.close();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  // And a simultaneous close, which is the one way into CLOSING.
  const x = a.root.tcp.socket(), y = b.root.tcp.socket();
  watch(x);
  watch(y);
  a.root.tcp.bind(x, 0, 7001);
  b.root.tcp.bind(y, 0, 7002);
  a.root.tcp.connect(x, ip("10.0.0.2"), 7002);
  b.root.tcp.connect(y, ip("10.0.0.1"), 7001);
  net.sim.after(1 * s, () => {
    x.close();
    y.close();
  });
  net.run();
  assert.deepEqual([...seen].sort(), [
    "CLOSE-WAIT",
    "CLOSED",
    "CLOSING",
    "ESTABLISHED",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "LAST-ACK",
    "LISTEN",
    "SYN-RECEIVED",
    "SYN-SENT",
    "TIME-WAIT",
  ]);
});
