/**
 * Initial sequence numbers and ephemeral ports. Each side picks its own ISN;
 * it depends on the seed (same seed, same ISN — runs are reproducible —
 * another seed, another ISN) and two connections from one host start at
 * different ISNs. connect() without bind() takes a random local port from
 * `net.ipv4.ip_local_port_range` (32768–60999 by default), a different one for
 * each concurrent connection; narrow the range and the ports stay inside it,
 * and when every port is taken connect fails with EADDRNOTAVAIL.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { ip, pair, segments, serve } from "./tcp_testing.ts";

/** One connection a → b:80 on a fresh network; the raw ISNs of both sides. */
function isns(net: Network): { client: number; server: number } {
  const { a, b } = pair(net, { delay: "1ms" });
  serve(b, 80);
  a.root.tcp.connect(a.root.tcp.socket(), ip("10.0.0.2"), 80);
  net.run(1 * s);
  const syn = segments(net).find((g) => g.flags === "S")!;
  const synAck = segments(net).find((g) => g.flags === "S.")!;
  return { client: syn.tcp.seq, server: synAck.tcp.seq };
}

scenario("isn: both sides choose their own; the seed decides, the same seed repeats", (net) => {
  const one = isns(net);
  assert.notEqual(one.client, one.server);
  const again = isns(new Network({ seed: 1 }));
  assert.deepEqual(again, one, "same seed, same ISNs");
  const others = [2, 3, 4].map((seed) => isns(new Network({ seed })));
  const clients = new Set([one, ...others].map((x) => x.client));
  const servers = new Set([one, ...others].map((x) => x.server));
  assert.equal(clients.size, 4, "four seeds, four client ISNs");
  assert.equal(servers.size, 4, "four seeds, four server ISNs");
  for (const x of [one, ...others]) {
    assert.ok(Number.isInteger(x.client) && x.client >= 0 && x.client < 2 ** 32);
  }
});

scenario("isn: two connections from one host start at different sequence numbers", (net) => {
  const { a, b } = pair(net, { delay: "1ms" });
  serve(b, 80);
  const c1 = a.root.tcp.socket(), c2 = a.root.tcp.socket();
  a.root.tcp.connect(c1, ip("10.0.0.2"), 80);
  a.root.tcp.connect(c2, ip("10.0.0.2"), 80);
  net.run(1 * s);
  const syns = segments(net).filter((g) => g.flags === "S");
  assert.equal(syns.length, 2);
  assert.notEqual(syns[0]!.tcp.seq, syns[1]!.tcp.seq);
  assert.notEqual(syns[0]!.tcp.srcPort, syns[1]!.tcp.srcPort);
});

scenario("ports: connect picks distinct ephemeral ports in 32768–60999", (net) => {
  const { a, b } = pair(net, { delay: "1ms" });
  const srv = serve(b, 80);
  const socks: TcpSocket[] = [];
  for (let i = 0; i < 200; i++) {
    const c = a.root.tcp.socket();
    assert.equal(a.root.tcp.connect(c, ip("10.0.0.2"), 80), undefined);
    socks.push(c);
  }
  net.run(2 * s);
  const ports = socks.map((c) => c.localPort);
  assert.equal(new Set(ports).size, 200, "no port used twice");
  assert.ok(ports.every((p) => p >= 32768 && p <= 60999));
  // Random, not counting up from the bottom of the range.
  const consecutive = ports.filter((p, i) => i > 0 && p === ports[i - 1]! + 1).length;
  assert.ok(consecutive < 20, `${consecutive} of 199 follow their predecessor`);
  assert.ok(Math.max(...ports) - Math.min(...ports) > 10_000, "spread over the range");
  // The server sees exactly those ports as the remote ends.
  assert.deepEqual(srv.conns.map((c) => c.remotePort).sort(), [...ports].sort());
  // And on the wire the SYNs came from them.
  const synPorts = segments(net).filter((g) => g.flags === "S").map((g) => g.tcp.srcPort);
  assert.deepEqual(synPorts.sort(), [...ports].sort());
});

scenario("ports: a narrow ip_local_port_range is respected, and exhausted", (net) => {
  const { a, b } = pair(net, { delay: "1ms" });
  serve(b, 80);
  a.sh('sysctl -w net.ipv4.ip_local_port_range="40000 40009"');
  const ports: number[] = [];
  for (let i = 0; i < 10; i++) {
    const c = a.root.tcp.socket();
    assert.equal(a.root.tcp.connect(c, ip("10.0.0.2"), 80), undefined);
    ports.push(c.localPort);
  }
  assert.deepEqual([...ports].sort(), [
    40000,
    40001,
    40002,
    40003,
    40004,
    40005,
    40006,
    40007,
    40008,
    40009,
  ]);
  // The eleventh: "Cannot assign requested address".
  assert.equal(a.root.tcp.connect(a.root.tcp.socket(), ip("10.0.0.2"), 80), "EADDRNOTAVAIL");
  net.run(1 * s);
  assert.equal(
    net.trace.filter({ kind: "tx", node: "a", proto: 6 }).filter((e) => e.packet.tcp!.flags === 2)
      .length,
    10,
  );
});

scenario("ports: an explicit bind keeps its port; a taken port is EADDRINUSE", (net) => {
  const { a, b } = pair(net, { delay: "1ms" });
  serve(b, 80);
  const c = a.root.tcp.socket();
  assert.equal(a.root.tcp.bind(c, 0, 5555), undefined);
  assert.equal(a.root.tcp.bind(a.root.tcp.socket(), 0, 5555), "EADDRINUSE");
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(segments(net).find((g) => g.flags === "S")!.tcp.srcPort, 5555);
});
