/**
 * UDP keeps message boundaries: every datagram a sender writes arrives as one
 * datagram, byte for byte, never merged with its neighbours and never split —
 * an empty one, a one-byte one, one that fills the 1500-byte MTU exactly
 * (1472 bytes of data), and one of 4000 bytes that IP cuts into three
 * fragments on the wire and reassembles into one datagram at the receiver.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ip, pair, pattern } from "./tcp_testing.ts";

const SIZES = [0, 1, 100, 1472, 4000, 8];

scenario("udp: each datagram arrives whole and alone, in the sizes it was sent", (net) => {
  const { a, b } = pair(net, { rate: "100mbit", delay: "1ms" });
  const server = b.root.udp.socket();
  assert.equal(server.bind(0, 9000), undefined);
  const client = a.root.udp.socket();
  assert.equal(client.bind(0, 5000), undefined);
  const sent = SIZES.map((n, i) => pattern(n, i));
  for (const d of sent) assert.equal(client.sendTo(d, ip("10.0.0.2"), 9000), undefined);
  net.run();

  // Six sends, six receives, each the same bytes as its send.
  assert.equal(server.inbox.length, SIZES.length);
  const got = [];
  for (let d = server.recv(); d; d = server.recv()) got.push(d);
  assert.deepEqual(got.map((d) => (d.data as Uint8Array).length), SIZES);
  got.forEach((d, i) => {
    assert.deepEqual(d.data, sent[i], `datagram ${i} differs`);
    assert.deepEqual([d.from, d.fromPort, d.to], [ip("10.0.0.1"), 5000, ip("10.0.0.2")]);
  });
  assert.equal(b.root.udp.stats.inDatagrams, 6);
  assert.equal(a.root.udp.stats.outDatagrams, 6);
});

scenario(
  "udp: a datagram bigger than the MTU travels as fragments and is delivered once",
  (net) => {
    const { a, b } = pair(net, { rate: "100mbit", delay: "1ms" });
    const server = b.root.udp.socket();
    server.bind(0, 9000);
    const client = a.root.udp.socket();
    client.sendTo(pattern(4000, 7), ip("10.0.0.2"), 9000);
    client.sendTo(pattern(1472, 8), ip("10.0.0.2"), 9000);
    net.run();

    // On the wire: 4008 bytes of UDP in fragments of 1480 + 1480 + 1048 bytes
    // (offsets in bytes), then the 1472-byte datagram in one 1500-byte packet.
    const frames = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
    assert.deepEqual(
      frames.map((e) => [e.packet.ip!.mf, e.packet.ip!.fragOffset]),
      [[true, 0], [true, 1480], [false, 2960], [false, 0]],
    );
    const ids = new Set(frames.slice(0, 3).map((e) => e.packet.ip!.id));
    assert.equal(ids.size, 1, "the three fragments share one IP id");
    // The receiver's socket sees two datagrams, whole.
    assert.deepEqual(server.inbox.map((d) => (d.data as Uint8Array).length), [4000, 1472]);
    assert.deepEqual(server.inbox[0]!.data, pattern(4000, 7));
    assert.deepEqual(server.inbox[1]!.data, pattern(1472, 8));
    assert.equal(net.trace.filter({ kind: "deliver", node: "b", proto: 17 }).length, 2);
  },
);

scenario("udp: fast writes are not coalesced — a burst of 50 small datagrams stays 50", (net) => {
  const { a, b } = pair(net, { rate: "10mbit", delay: "1ms" });
  const server = b.root.udp.socket();
  server.bind(0, 9000);
  const client = a.root.udp.socket();
  for (let i = 0; i < 50; i++) client.sendTo(new Uint8Array([i, i, i]), ip("10.0.0.2"), 9000);
  net.run();
  // Unlike a TCP stream, each 3-byte write stays its own datagram, in order on a FIFO link.
  assert.equal(net.trace.filter({ kind: "tx", node: "a", proto: 17 }).length, 50);
  assert.deepEqual(
    server.inbox.map((d) => [...(d.data as Uint8Array)]),
    Array.from({ length: 50 }, (_, i) => [i, i, i]),
  );
});
