/**
 * Thousands of concurrent connections on one listener: 2,000 clients on four
 * hosts behind a switch connect to one server port within 200 ms, all 2,000
 * are established at once (each with its own accepted socket and its own
 * client port), then each sends 1 KB of its own bytes and closes. Every byte
 * arrives on the right connection, nothing is retransmitted, every server
 * socket goes CLOSE-WAIT → LAST-ACK → CLOSED and every client socket
 * FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED 60 s later.
 *
 *   c1 … c4 (10.0.0.1–4, 100 Mbit/s) ── sw ── server 10.0.0.100 (1 Gbit/s)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s, us } from "../../core/sim/simulator.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { ip, pattern, serve } from "./tcp_testing.ts";

const N = 2000;

scenario("many: 2,000 concurrent connections on one listener, 1 KB each, all delivered", (net) => {
  const sw = net.switch("sw");
  const server = net.node("server");
  net.connect(server, sw, { rate: "1gbit", delay: "100us" });
  server.sh("ip addr add 10.0.0.100/24 dev eth0");
  const hosts = [1, 2, 3, 4].map((i) => {
    const h = net.node(`c${i}`);
    net.connect(h, sw, { rate: "100mbit", delay: "1ms" });
    h.sh(`ip addr add 10.0.0.${i}/24 dev eth0`);
    h.sh(`ip neigh add 10.0.0.100 lladdr ${server.mac("eth0")} dev eth0 nud permanent`);
    server.sh(`ip neigh add 10.0.0.${i} lladdr ${h.mac("eth0")} dev eth0 nud permanent`);
    return h;
  });
  const srv = serve(server, 80, { backlog: 4096, onConn: (c) => (c.onEnd = () => c.close()) });

  const clients: TcpSocket[] = [];
  for (let i = 0; i < N; i++) {
    const h = hosts[i % 4]!;
    const c = h.root.tcp.socket();
    clients.push(c);
    net.sim.after(i * 100 * us, () => h.root.tcp.connect(c, ip("10.0.0.100"), 80));
    // At 1 s (staggered the same way) each client sends its 1 KB and closes.
    net.sim.after(1 * s + i * 100 * us, () => {
      assert.equal(c.send(pattern(1024, i)), 1024);
      c.close();
    });
  }

  net.run(900 * ms);
  // All 2,000 are open at the same time, each its own socket.
  assert.equal(srv.conns.length, N);
  assert.equal(new Set(srv.conns).size, N);
  assert.ok(srv.conns.every((c) => c.state === "ESTABLISHED"));
  assert.ok(clients.every((c) => c.state === "ESTABLISHED"));
  assert.equal(server.root.tcp.sockets().length, N + 1, "2,000 connections and the listener");
  for (const h of hosts) {
    const ports = clients.filter((_, i) => hosts[i % 4] === h).map((c) => c.localPort);
    assert.equal(new Set(ports).size, N / 4, `distinct ports on ${h.name}`);
  }

  net.run();
  // Every byte on the right connection: match server sockets to clients by address and port.
  const byPeer = new Map(srv.conns.map((c, k) => [`${c.remoteAddr}:${c.remotePort}`, k]));
  clients.forEach((c, i) => {
    const k = byPeer.get(`${c.localAddr}:${c.localPort}`)!;
    assert.deepEqual(srv.received[k], pattern(1024, i), `client ${i}`);
  });
  assert.equal(srv.received.reduce((n, r) => n + r.length, 0), N * 1024);
  // Clean: no retransmission anywhere, no queue overflow.
  assert.equal(clients.reduce((n, c) => n + c.stats.retransmits, 0), 0);
  assert.equal(srv.conns.reduce((n, c) => n + c.stats.retransmits, 0), 0);
  assert.deepEqual(
    [server.root.tcp.stats.passiveOpens, server.root.tcp.stats.listenOverflows],
    [N, 0],
  );
  // Every connection closed properly on both sides.
  for (const c of clients) {
    assert.deepEqual(c.states().slice(2), ["FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]);
    const tw = c.history[4]!.time, closed = c.history[5]!.time;
    assert.equal(closed - tw, 60 * s);
  }
  for (const c of srv.conns) {
    assert.deepEqual(c.states(), [
      "SYN-RECEIVED",
      "ESTABLISHED",
      "CLOSE-WAIT",
      "LAST-ACK",
      "CLOSED",
    ]);
  }
  assert.equal(server.root.tcp.sockets().length, 1, "only the listener is left");
  assert.ok(hosts.every((h) => h.root.tcp.sockets().length === 0));
});
