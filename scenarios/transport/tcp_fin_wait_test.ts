/**
 * FIN-WAIT-1 and FIN-WAIT-2, the active closer's wait for the peer. FIN-WAIT-1
 * lasts until the FIN is acknowledged — a lost FIN is retransmitted after the
 * RTO. FIN-WAIT-2 waits for the peer's FIN: a socket the application closed
 * (an orphan) gives up after `net.ipv4.tcp_fin_timeout` (60 s by default)
 * without sending anything, and the peer's later FIN then gets a RST; a
 * socket that was only shut down for writing (shutdown(SHUT_WR)) is still
 * owned by its application and waits as long as it takes, receiving data.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { brief, bytesOf, dropWhere, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

/** a connects to b:80 (10 ms link); the server application never closes unless told. */
function connected(net: Network) {
  const { a, b, link } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const srv = serve(b, 80);
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  assert.equal(c.state, "ESTABLISHED");
  return { a, b, link, c, server: srv.conns[0]! };
}

const at = (x: TcpSocket) => x.history.map((h) => [h.state, h.time / ms]);

scenario(
  "fin-wait-1: a lost FIN is sent again after the RTO; FIN-WAIT-1 lasts until it is ACKed",
  (net) => {
    const { link, c } = connected(net);
    let n = 0;
    dropWhere(net, link.b, (p) => !!p.tcp && (p.tcp.flags & TcpFlag.FIN) !== 0 && n++ === 0);
    c.close(); // at 1 s
    net.run(3 * s);
    const fins = segments(net, { node: "a" }).filter((g) => g.flags.includes("F"));
    // The RTO after a 20 ms RTT is 20 ms + Linux's 200 ms floor: 220 ms.
    assert.deepEqual(fins.map((g) => [g.time / ms, brief(g)]), [
      [1000, "a F. 1 ack 1"],
      [1220, "a F. 1 ack 1"],
    ]);
    assert.deepEqual(at(c).slice(2), [["FIN-WAIT-1", 1000], ["FIN-WAIT-2", 1240]]);
    assert.equal(c.stats.timeouts, 1);
  },
);

scenario(
  "fin-wait-2: an orphaned socket gives up after tcp_fin_timeout (60 s), silently",
  (net) => {
    const { a, c, server } = connected(net);
    c.close(); // the application is gone: an orphan
    net.run(200 * s);
    assert.deepEqual(at(c).slice(2), [["FIN-WAIT-1", 1000], ["FIN-WAIT-2", 1020], [
      "CLOSED",
      61_020,
    ]]);
    // Nothing went on the wire when it gave up; the server is still in CLOSE-WAIT.
    assert.equal(segments(net, { node: "a" }).filter((g) => g.time > 1000 * ms).length, 0);
    assert.equal(server.state, "CLOSE-WAIT");
    assert.equal(a.root.tcp.sockets().length, 0);
  },
);

scenario(
  "fin-wait-2: tcp_fin_timeout=5 shortens the wait; the late FIN then meets a RST",
  (net) => {
    const { a, c, server } = connected(net);
    a.sh("sysctl -w net.ipv4.tcp_fin_timeout=5");
    const errors: TcpError[] = [];
    server.onError = (e) => errors.push(e);
    c.close();
    net.sim.after(10 * s, () => server.close()); // at 11 s, long after the client gave up
    net.run();
    assert.deepEqual(at(c).slice(-1), [["CLOSED", 6020]]);
    // The server's FIN at 11 s finds nobody: RST, and the server is closed with it.
    const last = segments(net).slice(-2);
    assert.deepEqual(last.map((g) => [g.time / ms, g.node, g.flags]), [
      [11_000, "b", "F."],
      [11_010, "a", "R"],
    ]);
    assert.deepEqual(at(server).slice(-2), [["LAST-ACK", 11_000], ["CLOSED", 11_020]]);
    assert.deepEqual(errors, ["ECONNRESET"]);
  },
);

scenario(
  "fin-wait-2: after shutdown() the socket waits as long as it takes, and still reads",
  (net) => {
    const { c, server } = connected(net);
    const got: Uint8Array[] = [];
    c.onData = (d) => got.push(bytesOf([d]));
    c.shutdown(); // SHUT_WR: our side is done, the application still reads
    net.run(300 * s);
    assert.equal(c.state, "FIN-WAIT-2", "no timeout for a socket its application still holds");
    // Five minutes later the server answers, then closes.
    const reply = pattern(10_000, 9);
    server.send(reply);
    server.close();
    net.run();
    assert.deepEqual(bytesOf(got), reply);
    assert.deepEqual(c.states().slice(2), ["FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]);
    assert.equal(server.state, "CLOSED");
  },
);
