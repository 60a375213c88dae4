/**
 * One UDP socket serves many peers: a server bound to port 5353 receives from
 * two hosts on another LAN (one of them with two sockets) through a router, and
 * sees each datagram with the client's real source address and source port —
 * not the router's — so replying to (address, port) reaches exactly the socket
 * that asked, and no other.
 *
 *   c1 192.168.1.11 ─┐
 *                    sw ── 192.168.1.1 r 10.9.0.1 ── 10.9.0.2 server
 *   c2 192.168.1.12 ─┘
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { UdpSocket } from "../../core/transport/udp.ts";
import { addr, ip } from "./tcp_testing.ts";

function build(net: Network) {
  const [c1, c2, r, server] = net.nodes("c1", "c2", "r", "server");
  const sw = net.switch("sw");
  net.connect(c1, sw);
  net.connect(c2, sw);
  net.connect(r, sw);
  net.connect(r, server, { rate: "100mbit", delay: "5ms" });
  c1.sh("ip addr add 192.168.1.11/24 dev eth0; ip route add default via 192.168.1.1");
  c2.sh("ip addr add 192.168.1.12/24 dev eth0; ip route add default via 192.168.1.1");
  r.sh("ip addr add 192.168.1.1/24 dev eth0; ip addr add 10.9.0.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  server.sh("ip addr add 10.9.0.2/24 dev eth0; ip route add default via 10.9.0.1");
  return { c1, c2, r, server };
}

/** An echo server: answers each datagram with "<addr>:<port>" of its sender. */
function echo(sock: UdpSocket): Array<[string, number]> {
  const seen: Array<[string, number]> = [];
  sock.onMessage = (d) => {
    seen.push([addr(d.from), d.fromPort]);
    sock.recv();
    sock.sendTo(new TextEncoder().encode(`${addr(d.from)}:${d.fromPort}`), d.from, d.fromPort);
  };
  return seen;
}

scenario("udp: one server socket sees each client's own address and port", (net) => {
  const { c1, c2, server } = build(net);
  const srv = server.root.udp.socket();
  assert.equal(srv.bind(0, 5353), undefined);
  const seen = echo(srv);
  // Three clients with ephemeral ports: two sockets on c1, one on c2.
  const clients = [c1.root.udp.socket(), c1.root.udp.socket(), c2.root.udp.socket()];
  clients.forEach((c, i) => {
    net.sim.after(i * 1e6, () => c.sendTo(new Uint8Array([i]), ip("10.9.0.2"), 5353));
  });
  net.run();

  const ports = clients.map((c) => c.localPort);
  for (const p of ports) assert.ok(p >= 32768 && p <= 60999, `ephemeral port ${p}`);
  assert.equal(new Set(ports).size, 3, "each socket has its own port");
  // The server saw the clients' own addresses (the router only forwarded).
  assert.deepEqual(seen, [
    ["192.168.1.11", ports[0]],
    ["192.168.1.11", ports[1]],
    ["192.168.1.12", ports[2]],
  ]);
  // Each reply went to the socket that asked, and it names that socket.
  clients.forEach((c, i) => {
    assert.equal(c.inbox.length, 1, `client ${i} got one reply`);
    const text = new TextDecoder().decode(c.inbox[0]!.data as Uint8Array);
    assert.equal(text, `${i < 2 ? "192.168.1.11" : "192.168.1.12"}:${ports[i]}`);
    assert.deepEqual([c.inbox[0]!.from, c.inbox[0]!.fromPort], [ip("10.9.0.2"), 5353]);
  });
  // One socket, no per-peer state: the server has just the one bound socket.
  assert.equal(server.root.udp.sockets().length, 1);
});

scenario("udp: many datagrams from many peers interleave on one socket, none mixed up", (net) => {
  const { c1, c2, server } = build(net);
  const srv = server.root.udp.socket();
  srv.bind(0, 5353);
  const byPeer = new Map<string, number[]>();
  srv.onMessage = (d) => {
    srv.recv();
    const k = `${addr(d.from)}:${d.fromPort}`;
    byPeer.set(k, [...byPeer.get(k) ?? [], (d.data as Uint8Array)[0]!]);
  };
  const clients = [c1, c2, c1, c2].map((h) => h.root.udp.socket());
  for (let n = 0; n < 20; n++) {
    clients.forEach((c, i) => {
      net.sim.after(n * 2e6 + i * 1e5, () => c.sendTo(new Uint8Array([n]), ip("10.9.0.2"), 5353));
    });
  }
  net.run();
  assert.equal(byPeer.size, 4);
  for (const c of clients) {
    const host = c === clients[0] || c === clients[2] ? "192.168.1.11" : "192.168.1.12";
    assert.deepEqual(byPeer.get(`${host}:${c.localPort}`), Array.from({ length: 20 }, (_, n) => n));
  }
  assert.equal(server.root.udp.stats.inDatagrams, 80);
});
