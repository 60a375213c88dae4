/**
 * Socket-level checks of the subtle parts of loss recovery, on a small
 * network: without SACK the pipe (duplicate ACKs taking segments out of it,
 * cumulative ACKs giving them back) stays between zero and the bytes
 * outstanding after every ACK, and loss costs about one retransmission per
 * lost segment rather than a go-back-N storm; the backed-off RTO survives the
 * ACK of a retransmission (Karn) until a fresh RTT sample arrives.
 */
import assert from "node:assert/strict";
import { Network } from "../../lab/network.ts";
import { ip } from "../../wire/addr.ts";
import type { TcpSocket } from "./socket.ts";

function transfer(sack: boolean, loss: number, bytes: number) {
  const net = new Network({ seed: 3, trace: "digest" });
  const [a, b] = net.nodes("a", "b");
  const link = net.connect(a, b, { rate: "20mbit", delay: "10ms", loss });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  if (!sack) a.sh("sysctl -w net.ipv4.tcp_sack=0");
  const l = b.root.tcp.socket();
  b.root.tcp.bind(l, 0, 80);
  b.root.tcp.listen(l, 4);
  let received = 0;
  l.onAccept = () => {
    const c = b.root.tcp.accept(l)!;
    c.onData = (d) => received += typeof d === "number" ? d : d.length;
  };
  const c = a.root.tcp.socket({ congestion: "newreno" });
  c.onConnect = () => c.sendBulk(bytes);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  return { net, c, link, received: () => received };
}

Deno.test("reno pipe: between zero and the bytes outstanding after every ACK", () => {
  const { net, c, received } = transfer(false, 0.02, 2_000_000);
  const bad: string[] = [];
  c.onAck = (e) => {
    if (e.pipe < 0 || e.pipe > c.unacked) bad.push(`${e.time}: pipe ${e.pipe}, out ${c.unacked}`);
  };
  net.run(120e9);
  assert.deepEqual(bad.slice(0, 3), []);
  assert.equal(received(), 2_000_000);
  const lost = net.trace.drops.get("random loss") ?? 0;
  // Roughly one retransmission per lost frame (lost ACKs need none), no storm.
  assert.ok(c.stats.retransmits <= lost + 10, `${c.stats.retransmits} retransmits, ${lost} lost`);
  assert.equal(c.stats.timeouts, 0);
});

Deno.test("reno pipe: a single loss is repaired by one fast retransmit", () => {
  const { net, c, link, received } = transfer(false, 0, 300_000);
  // Lose the 30th data frame b receives, once.
  let n = 0;
  const orig = link.b.receive;
  link.b.receive = function (p) {
    const t = p.tcp;
    if (t && (typeof t.payload === "number" ? t.payload : t.payload.length) > 0 && ++n === 30) {
      net.trace.drop(link.b, p, "random loss");
      return;
    }
    orig.call(this, p);
  };
  let minPipe = Infinity;
  c.onAck = (e) => minPipe = Math.min(minPipe, e.pipe);
  net.run(30e9);
  assert.equal(received(), 300_000);
  assert.deepEqual([c.stats.retransmits, c.stats.fastRetransmits, c.stats.timeouts], [1, 1, 0]);
  assert.ok(minPipe >= 0);
});

Deno.test("rto: the backed-off timer stays until a fresh RTT sample", () => {
  const net = new Network({ seed: 1, trace: "digest" });
  const [a, b] = net.nodes("a", "b");
  const link = net.connect(a, b, { rate: 0, delay: "50ms" });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  const l = b.root.tcp.socket({ delayedAck: false });
  b.root.tcp.bind(l, 0, 80);
  b.root.tcp.listen(l, 4);
  l.onAccept = () => void b.root.tcp.accept(l);
  const c: TcpSocket = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1e9);
  const base = c.rto;
  // The next segment is lost once: one timeout, the retransmission is ACKed.
  let dropped = false;
  const orig = link.b.receive;
  link.b.receive = function (p) {
    if (!dropped && p.tcp && (typeof p.tcp.payload === "number" ? p.tcp.payload : 0) > 0) {
      dropped = true;
      net.trace.drop(link.b, p, "random loss");
      return;
    }
    orig.call(this, p);
  };
  c.send(100);
  net.run(3e9);
  assert.equal(c.unacked, 0);
  assert.equal(c.stats.timeouts, 1);
  assert.equal(c.rto, 2 * base, "no sample from the retransmission: still backed off");
  c.send(100);
  net.run(4e9);
  assert.ok(c.rto <= base, "a fresh sample collapses it");
});
