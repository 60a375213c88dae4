/**
 * A listener's two queues. Half-open connections (SYN received, SYN-ACK sent,
 * final ACK not yet in) wait in the SYN queue in SYN-RECEIVED; completed ones
 * wait in the accept queue until the application calls accept(), which returns
 * a new socket per connection (the listener itself stays in LISTEN). When the
 * accept queue is full — `listen(fd, 1)` admits two, as Linux's
 * sk_acceptq_is_full compares with ">" — the final ACK of the next handshake is
 * dropped: the client thinks it is connected and sends, its data is not
 * acknowledged and is retransmitted, the server retransmits its SYN-ACK, and
 * once accept() makes room the next segment completes the handshake and the
 * data arrives. New SYNs meanwhile are dropped and retried after 1 s.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { bytesOf, dropWhere, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

function setup(net: Network) {
  return pair(net, { rate: 0, delay: "10ms" }, { permanent: true });
}

/** n clients on a connecting to b:80 at t = 0, each sending `bytes` once connected. */
function clients(net: Network, n: number, bytes = 100): TcpSocket[] {
  const a = net.get("a");
  return Array.from({ length: n }, (_, i) => {
    const c = a.root.tcp.socket();
    c.onConnect = () => c.send(pattern(bytes, i));
    a.root.tcp.connect(c, ip("10.0.0.2"), 80);
    return c;
  });
}

scenario("backlog: accept() hands out a new socket per connection; the listener stays", (net) => {
  const { b } = setup(net);
  const srv = serve(b, 80, { accept: false });
  const cs = clients(net, 3, 500);
  net.run(1 * s);
  const l = srv.listener;
  assert.equal(l.acceptQueue.length, 3);
  assert.equal(l.synQueue.length, 0);
  const tcp = b.root.tcp;
  const accepted = [tcp.accept(l), tcp.accept(l), tcp.accept(l)];
  assert.equal(tcp.accept(l), undefined, "nothing more to accept");
  for (const x of accepted) assert.ok(x !== undefined && x !== l);
  assert.equal(new Set(accepted).size, 3);
  // Each accepted socket is one client's connection, on the listener's port;
  // what the client sent waited in its buffer and is read once the
  // application sets its callback on the new socket.
  const got = accepted.map((x) => {
    assert.equal(x!.localPort, 80);
    assert.equal(x!.state, "ESTABLISHED");
    assert.equal(x!.readable, 500);
    const d: Uint8Array[] = [];
    x!.onData = (p) => d.push(bytesOf([p]));
    return d;
  });
  assert.deepEqual(accepted.map((x) => x!.remotePort), cs.map((c) => c.localPort));
  net.run(net.sim.now + 1 * ms);
  got.forEach((d, i) => assert.deepEqual(bytesOf(d), pattern(500, i)));
  assert.ok(accepted.every((x) => x!.readable === 0));
  assert.equal(l.state, "LISTEN");
  assert.deepEqual(l.states(), ["LISTEN"]);
});

scenario("backlog: half-open connections wait in the SYN queue until the final ACK", (net) => {
  const { b, link } = setup(net);
  const srv = serve(b, 80, { accept: false });
  // The clients' segments other than SYNs are lost for the first 500 ms.
  const undrop = dropWhere(net, link.b, (p) => !!p.tcp && !(p.tcp.flags & TcpFlag.SYN));
  net.sim.after(500 * ms, undrop);
  const cs = clients(net, 5, 0);
  net.run(400 * ms);
  const l = srv.listener;
  assert.equal(l.synQueue.length, 5);
  assert.equal(l.acceptQueue.length, 0);
  assert.ok(l.synQueue.every((x) => x.state === "SYN-RECEIVED"));
  assert.ok(cs.every((c) => c.state === "ESTABLISHED"), "the clients think they are connected");
  assert.equal(b.root.tcp.accept(l), undefined);
  // The SYN-ACKs go again 1 s after the first (at 1.010 s); the clients' ACKs
  // to them now get through and the connections move to the accept queue.
  net.run(2 * s);
  const synAcks = segments(net, { node: "b" }).filter((g) => g.flags === "S.");
  assert.deepEqual(synAcks.map((g) => g.time / ms), [
    10,
    10,
    10,
    10,
    10,
    1010,
    1010,
    1010,
    1010,
    1010,
  ]);
  assert.equal(l.synQueue.length, 0);
  assert.equal(l.acceptQueue.length, 5);
  for (const x of l.acceptQueue) {
    assert.deepEqual(x.history.map((h) => [h.state, h.time / ms]), [
      ["SYN-RECEIVED", 10],
      ["ESTABLISHED", 1030],
    ]);
  }
});

scenario("backlog: a full accept queue drops the final ACK; the data waits for accept()", (net) => {
  const { b } = setup(net);
  const srv = serve(b, 80, { backlog: 1, accept: false });
  const cs = clients(net, 3, 100);
  net.run(2500 * ms);
  const l = srv.listener;
  // backlog 1 admits two; the third handshake is stuck half-open on the server.
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(l.synQueue.length, 1);
  const third = l.synQueue[0]!;
  assert.equal(third.state, "SYN-RECEIVED");
  assert.equal(third.readable, 0, "its data was dropped with the ACK");
  assert.equal(cs[2]!.state, "ESTABLISHED");
  const port3 = cs[2]!.localPort;
  const of3 = (node: string) =>
    segments(net, { node }).filter((g) => (node === "a" ? g.tcp.srcPort : g.tcp.dstPort) === port3);
  // The client retransmits its unacknowledged data on its RTO (20 ms RTT +
  // 200 ms = 220 ms, doubling)…
  assert.deepEqual(of3("a").filter((g) => g.len > 0).map((g) => g.time / ms), [20, 240, 680, 1560]);
  // …and the server its SYN-ACK (1 s, then 2 s later); the client ACKs that again.
  assert.deepEqual(of3("b").map((g) => [g.time / ms, g.flags]), [[10, "S."], [1010, "S."]]);
  assert.ok(b.root.tcp.stats.listenOverflows >= 5);

  // The application accepts one: room for one more.
  const first = b.root.tcp.accept(l)!;
  assert.equal(first.readable, 100);
  net.run(5 * s);
  // The next segment from the client — its ACK of the SYN-ACK sent again at
  // 3.010 s, arriving 3.030 s — completes the handshake…
  assert.deepEqual(third.history.map((h) => [h.state, h.time / ms]), [
    ["SYN-RECEIVED", 10],
    ["ESTABLISHED", 3030],
  ]);
  assert.equal(l.acceptQueue.length, 2);
  assert.equal(l.acceptQueue[1], third);
  // …and the data, retransmitted once more at 3.320 s, is there to be read.
  assert.equal(of3("a").filter((g) => g.len > 0).at(-1)!.time, 3320 * ms);
  assert.equal(third.readable, 100);
  assert.equal(cs[2]!.unacked, 0, "acknowledged at last");
});

scenario("backlog: SYNs arriving while the accept queue is full are dropped and retried", (net) => {
  const { a, b } = setup(net);
  const srv = serve(b, 80, { backlog: 1, accept: false });
  clients(net, 2);
  net.run(100 * ms);
  assert.equal(srv.listener.acceptQueue.length, 2);
  const late = a.root.tcp.socket();
  a.root.tcp.connect(late, ip("10.0.0.2"), 80);
  const t0 = net.sim.now;
  // At 0.5 s the application accepts both.
  net.sim.after(500 * ms, () => {
    b.root.tcp.accept(srv.listener);
    b.root.tcp.accept(srv.listener);
  });
  net.run(t0 + 2 * s);
  const syns = segments(net, { node: "a" }).filter((g) =>
    g.flags === "S" && g.tcp.srcPort === late.localPort
  );
  assert.deepEqual(syns.map((g) => (g.time - t0) / ms), [0, 1000]);
  const drops = net.trace.filter({ kind: "drop", node: "b", reason: "queue full" });
  assert.equal(drops.length, 1);
  assert.equal(drops[0]!.detail, "listen queue");
  assert.equal(late.state, "ESTABLISHED");
  assert.equal(late.history[1]!.time - t0, 1020 * ms);
  assert.equal(b.root.tcp.stats.listenDrops >= 1, true);
});
