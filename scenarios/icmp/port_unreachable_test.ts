/**
 * Destination unreachable from the destination itself: a UDP datagram to a
 * port nobody listens on gets "port unreachable" (type 3 code 3), which lands
 * in the error queue of exactly the socket that sent it (matched by the quoted
 * source port); a datagram of a protocol the host does not speak gets
 * "protocol unreachable" (code 2). Listening on the port makes the error go away.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { icmpBody, ip, line, pair, sendIp } from "./topology_testing.ts";

scenario("port unreachable: UDP to a closed port comes back as type 3 code 3", (net) => {
  const { a, b } = pair(net);
  const sock = a.root.udp.socket();
  sock.bind(0, 5000);
  sock.sendTo(new Uint8Array([1, 2, 3, 4]), ip("10.0.0.2"), 9);
  net.run();
  const drop = net.trace.first({ kind: "drop", node: "b", proto: 17 })!;
  assert.deepEqual([drop.reason, drop.detail], ["no socket", "udp port 9"]);
  assert.equal(b.root.udp.stats.noPorts, 1);
  const err = net.trace.first({ kind: "tx", node: "b", icmp: 3 })!;
  assert.deepEqual([err.packet.icmp!.code, err.packet.ip!.src, err.packet.ip!.dst], [
    3,
    ip("10.0.0.2"),
    ip("10.0.0.1"),
  ]);
  const q = parseQuote(icmpBody(err.packet.icmp!));
  assert.deepEqual([q.ip.proto, q.srcPort, q.dstPort, q.totalLength], [17, 5000, 9, 32]);
  assert.equal(sock.errors.length, 1);
  assert.deepEqual([sock.errors[0]!.from, sock.errors[0]!.type, sock.errors[0]!.code], [
    ip("10.0.0.2"),
    3,
    3,
  ]);
  assert.equal(sock.inbox.length, 0);
  // Once something listens on port 9 the datagram is delivered and nothing comes back.
  const server = b.root.udp.socket();
  assert.equal(server.bind(0, 9), undefined);
  sock.sendTo(new Uint8Array([5, 6]), ip("10.0.0.2"), 9);
  net.run();
  assert.equal(server.inbox.length, 1);
  assert.deepEqual(server.inbox[0]!.data, new Uint8Array([5, 6]));
  assert.equal(server.inbox[0]!.fromPort, 5000);
  assert.equal(net.trace.filter({ kind: "tx", icmp: 3 }).length, 1, "only the first one");
  assert.equal(sock.errors.length, 1);
});

scenario("port unreachable: only the socket that sent the datagram hears of it", (net) => {
  const { a } = line(net);
  const one = a.root.udp.socket();
  const two = a.root.udp.socket();
  one.bind(0, 6001);
  two.bind(0, 6002);
  let heard = 0;
  two.onError = () => heard++;
  two.sendTo(10, ip("10.0.2.2"), 7777);
  net.run();
  assert.equal(one.errors.length, 0);
  assert.equal(two.errors.length, 1);
  assert.equal(heard, 1);
  const e = two.errors[0]!;
  // From the destination host itself, two routers away.
  assert.deepEqual([e.from, e.type, e.code, e.ttl, e.quoted.srcPort], [
    ip("10.0.2.2"),
    3,
    3,
    62,
    6002,
  ]);
});

scenario("protocol unreachable: an IP protocol nobody handles gets type 3 code 2", (net) => {
  const { a, r1 } = line(net);
  assert.equal(sendIp(a, { dst: "10.0.2.2", proto: 253, raw: new Uint8Array(12) }), undefined);
  net.run();
  const drop = net.trace.first({ kind: "drop", node: "b", proto: 253 })!;
  assert.deepEqual([drop.reason, drop.detail], ["no socket", "protocol 253"]);
  // The routers forwarded it untouched: they do not care what is inside.
  assert.equal(net.trace.filter({ kind: "tx", proto: 253 }).length, 3);
  const err = net.trace.first({ kind: "rx", node: "a", icmp: 3 })!;
  assert.deepEqual([err.packet.icmp!.code, err.packet.ip!.src], [2, ip("10.0.2.2")]);
  const q = parseQuote(icmpBody(err.packet.icmp!));
  assert.deepEqual([q.ip.proto, q.ip.src, q.ip.dst, q.totalLength], [
    253,
    ip("10.0.1.2"),
    ip("10.0.2.2"),
    32,
  ]);
  // A router is a host too for its own addresses.
  const t0 = net.sim.now;
  sendIp(a, { dst: "10.0.12.1", proto: 253, raw: new Uint8Array(4) });
  net.run();
  const fromR1 = net.trace.filter({ kind: "tx", node: "r1", icmp: 3, where: (e) => e.time >= t0 });
  assert.deepEqual(fromR1.map((e) => [e.packet.icmp!.code, e.packet.ip!.src]), [[
    2,
    ip("10.0.12.1"),
  ]]);
  assert.equal(r1.root.ip.stats.icmpOutErrors, 1);
});
