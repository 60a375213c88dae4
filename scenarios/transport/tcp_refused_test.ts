/**
 * A SYN to a port nobody listens on is answered with a RST (RFC 9293
 * §3.10.7.1): RST|ACK, sequence 0, acknowledging the SYN (ISN + 1), window 0.
 * The client's connect fails with ECONNREFUSED one round trip after it began
 * and the socket is CLOSED; the SYN is never retransmitted. A listener on
 * another port, or on the port at another of the host's addresses, does not
 * change that; once something listens on the port, the same connect succeeds.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import type { TcpError } from "../../core/transport/tcp/socket.ts";
import { brief, ip, pair, segments, serve } from "./tcp_testing.ts";

scenario("refused: SYN to a closed port — RST|ACK, ECONNREFUSED after one round trip", (net) => {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const c = a.root.tcp.socket();
  const errors: TcpError[] = [];
  c.onError = (e) => errors.push(e);
  let connected = false;
  c.onConnect = () => connected = true;
  assert.equal(a.root.tcp.connect(c, ip("10.0.0.2"), 81), undefined, "connect starts fine");
  net.run();

  const [syn, rst] = segments(net);
  assert.deepEqual([brief(syn!), brief(rst!)], ["a S 0", "b R. 0 ack 1"]);
  // The RST's raw fields: sequence 0, ack = ISN + 1, window 0, no options.
  assert.deepEqual([rst!.tcp.seq, rst!.tcp.ack, rst!.win], [0, (syn!.tcp.seq + 1) >>> 0, 0]);
  assert.equal(rst!.tcp.flags, TcpFlag.RST | TcpFlag.ACK);
  assert.deepEqual(rst!.tcp.options.timestamp, undefined);
  assert.equal(segments(net).length, 2, "no SYN retransmission, no reply to the RST");
  // The refusal, and its time: one RTT.
  assert.deepEqual(errors, ["ECONNREFUSED"]);
  assert.equal(connected, false);
  assert.equal(c.error, "ECONNREFUSED");
  assert.deepEqual(c.history.map((h) => [h.state, h.time / ms]), [["SYN-SENT", 0], ["CLOSED", 20]]);
  // The server dropped the SYN for want of a listener and counted its RST.
  const drop = net.trace.first({ kind: "drop", node: "b", proto: 6 })!;
  assert.deepEqual([drop.reason, drop.detail], ["no listener", "tcp port 81"]);
  assert.equal(b.root.tcp.stats.outRsts, 1);
  // The client's port is free again.
  assert.equal(a.root.tcp.sockets().length, 0);
});

scenario("refused: listeners elsewhere do not count — another port, another address", (net) => {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  b.sh("ip addr add 10.0.0.3/24 dev eth0");
  serve(b, 82);
  const other = b.root.tcp.socket();
  b.root.tcp.bind(other, ip("10.0.0.3"), 81);
  b.root.tcp.listen(other, 8);
  const errors: TcpError[] = [];
  for (const port of [81, 83]) {
    const c = a.root.tcp.socket();
    c.onError = (e) => errors.push(e);
    a.root.tcp.connect(c, ip("10.0.0.2"), port);
  }
  net.run();
  assert.deepEqual(errors, ["ECONNREFUSED", "ECONNREFUSED"]);
  assert.equal(b.root.tcp.stats.outRsts, 2);
  // Port 81 on 10.0.0.3 is listening, though.
  const c = a.root.tcp.socket();
  let ok = false;
  c.onConnect = () => ok = true;
  a.root.tcp.connect(c, ip("10.0.0.3"), 81);
  net.run(net.sim.now + 1 * s);
  assert.equal(ok, true);
});

scenario("refused: once a listener is there, the same connect succeeds", (net) => {
  const { a, b } = pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
  const first = a.root.tcp.socket();
  let firstErr: TcpError | undefined;
  first.onError = (e) => firstErr = e;
  a.root.tcp.connect(first, ip("10.0.0.2"), 8080);
  net.run();
  assert.equal(firstErr, "ECONNREFUSED");
  const srv = serve(b, 8080);
  const second = a.root.tcp.socket();
  let established = -1;
  second.onConnect = () => established = net.sim.now;
  const t0 = net.sim.now;
  a.root.tcp.connect(second, ip("10.0.0.2"), 8080);
  net.run(t0 + 1 * s);
  assert.equal(established - t0, 20 * ms);
  assert.equal(srv.conns.length, 1);
  assert.equal(srv.conns[0]!.remotePort, second.localPort);
  assert.equal(second.state, "ESTABLISHED");
});
