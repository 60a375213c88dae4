/**
 * TIME-WAIT, the active closer's last state. It lasts 2·MSL — 60 s, Linux's
 * fixed TCP_TIMEWAIT_LEN — or 2 × `tcp.msl` when a scenario changes it, and
 * the connection stays listed until then. Its job shows when the last ACK is
 * lost: the peer, still in LAST-ACK, retransmits its FIN after its RTO, the
 * TIME-WAIT side ACKs it again and restarts its 2·MSL. When TIME-WAIT is cut
 * shorter than the peer's RTO, the retransmitted FIN finds no connection and
 * is answered with a RST (sequence number = the FIN's acknowledgment number),
 * which closes the peer with ECONNRESET — exactly what TIME-WAIT exists to
 * prevent. Any stray segment for a connection that is gone gets such a RST.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import type { TcpError, TcpSocket } from "../../core/transport/tcp/socket.ts";
import { brief, dropWhere, ip, pair, segments, sendTcp, serve } from "./tcp_testing.ts";

/**
 * a connects to b:80 at 0 and closes at 100 ms; b closes on end-of-file. On a
 * 10 ms link: a's FIN at 100 ms, b's FIN at 110 ms, a in TIME-WAIT at 120 ms.
 */
function closing(net: Network, o: { loseLastAck?: boolean } = {}) {
  const { a, b, link } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  let server: TcpSocket | undefined;
  const errors: TcpError[] = [];
  serve(b, 80, {
    onConn: (conn) => {
      server = conn;
      conn.onEnd = () => conn.close();
      conn.onError = (e) => errors.push(e);
    },
  });
  const c = a.root.tcp.socket();
  c.onConnect = () => net.sim.after(80 * ms, () => c.close());
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  if (o.loseLastAck) {
    let n = 0;
    dropWhere(
      net,
      link.b,
      (p) => p.tcp?.flags === TcpFlag.ACK && server?.state === "LAST-ACK" && n++ === 0,
    );
  }
  return { a, b, c, server: () => server!, errors };
}

const at = (x: TcpSocket) => x.history.map((h) => [h.state, h.time / ms]);

scenario("time-wait: held for 2·MSL = 60 s, the connection listed until then", (net) => {
  const { a, c } = closing(net);
  net.run(30 * s);
  assert.equal(c.state, "TIME-WAIT");
  assert.equal(a.root.tcp.sockets().length, 1, "still there, holding its 4-tuple");
  net.run();
  assert.deepEqual(at(c).slice(-2), [["TIME-WAIT", 120], ["CLOSED", 60_120]]);
  assert.equal(a.root.tcp.sockets().length, 0);
  assert.equal(a.root.tcp.msl, 30 * s);
  // Nothing is sent while in TIME-WAIT, or when it ends.
  assert.equal(segments(net, { node: "a" }).filter((g) => g.time > 120 * ms).length, 0);
});

scenario("time-wait: the MSL is configurable — tcp.msl = 5 s makes it 10 s", (net) => {
  const { a, c } = closing(net);
  a.root.tcp.msl = 5 * s;
  net.run();
  assert.deepEqual(at(c).slice(-2), [["TIME-WAIT", 120], ["CLOSED", 10_120]]);
});

scenario("time-wait: the last ACK is lost — the FIN comes again and is ACKed again", (net) => {
  const { c, server } = closing(net, { loseLastAck: true });
  net.run();
  const b = server();
  // b's FIN at 110 ms; a's ACK (120 ms) lost; b retransmits its FIN after its
  // RTO (20 ms RTT + 200 ms) at 330 ms; a, in TIME-WAIT, ACKs it at 340 ms.
  const fins = segments(net, { node: "b" }).filter((g) => g.flags.includes("F"));
  assert.deepEqual(fins.map((g) => [g.time / ms, brief(g)]), [
    [110, "b F. 1 ack 2"],
    [330, "b F. 1 ack 2"],
  ]);
  const acks = segments(net, { node: "a" }).filter((g) => g.time >= 120 * ms);
  assert.deepEqual(acks.map((g) => [g.time / ms, brief(g)]), [
    [120, "a . 2 ack 2"],
    [340, "a . 2 ack 2"],
  ]);
  assert.deepEqual(at(b).slice(-2), [["LAST-ACK", 110], ["CLOSED", 350]]);
  // The retransmitted FIN restarted the 2·MSL: CLOSED 60 s after 340 ms.
  assert.deepEqual(at(c).slice(-2), [["TIME-WAIT", 120], ["CLOSED", 60_340]]);
  assert.equal(net.trace.filter({ kind: "drop", node: "b", reason: "random loss" }).length, 1);
});

scenario(
  "time-wait: cut too short, the retransmitted FIN meets a RST and the peer is reset",
  (net) => {
    const { a, c, server, errors } = closing(net, { loseLastAck: true });
    a.root.tcp.msl = 25 * ms; // TIME-WAIT of 50 ms, shorter than the peer's 220 ms RTO
    net.run();
    assert.deepEqual(at(c).slice(-2), [["TIME-WAIT", 120], ["CLOSED", 170]]);
    // The FIN retransmitted at 330 ms finds no connection at 340 ms: a RST with
    // sequence number = the FIN's ACK field, and no ACK flag (RFC 9293 §3.10.7.1).
    const fin = segments(net, { node: "b" }).filter((g) => g.flags.includes("F"))[1]!;
    const rst = segments(net, { node: "a" }).at(-1)!;
    assert.equal(rst.time, 340 * ms);
    assert.equal(rst.tcp.flags, TcpFlag.RST);
    assert.equal(rst.tcp.seq, fin.tcp.ack);
    assert.equal(net.trace.first({ kind: "drop", node: "a", proto: 6 })!.reason, "no listener");
    // The peer leaves LAST-ACK on the RST, reset.
    assert.deepEqual(at(server()).slice(-2), [["LAST-ACK", 110], ["CLOSED", 350]]);
    assert.deepEqual(errors, ["ECONNRESET"]);
  },
);

scenario("time-wait: a stray segment for a finished connection is answered with a RST", (net) => {
  const { a, c } = closing(net);
  net.run();
  assert.equal(c.state, "CLOSED");
  // An old duplicate data segment of that connection turns up from b.
  sendTcp(net.get("b"), {
    src: "10.0.0.2",
    dst: "10.0.0.1",
    srcPort: 80,
    dstPort: c.localPort,
    seq: 123456,
    ack: 654321,
    flags: TcpFlag.ACK | TcpFlag.PSH,
    payload: 100,
  });
  net.run();
  const rst = segments(net, { node: "a" }).at(-1)!;
  assert.deepEqual([rst.tcp.flags, rst.tcp.seq, rst.tcp.dstPort], [TcpFlag.RST, 654321, 80]);
  assert.equal(a.root.tcp.stats.outRsts, 1);
});
