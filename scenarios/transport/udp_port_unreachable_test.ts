/**
 * A UDP datagram to a port with no socket is dropped by the receiver, which
 * answers with ICMP destination unreachable, port unreachable (type 3 code 3)
 * quoting the datagram's IP header and UDP ports; the error reaches the
 * sending socket (Linux's IP_RECVERR queue, what makes a connected UDP socket's
 * next call fail with ECONNREFUSED) and the receiver counts a NoPorts. Binding
 * the port makes the errors stop; closing the socket brings them back.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { ip, pair } from "./tcp_testing.ts";

scenario("udp: no socket on the port — port unreachable back to the sender's socket", (net) => {
  const { a, b } = pair(net, { rate: "100mbit", delay: "2ms" });
  const client = a.root.udp.socket();
  client.bind(0, 4444);
  const heard: number[] = [];
  client.onError = (e) => heard.push(e.code);
  client.sendTo(new Uint8Array(20), ip("10.0.0.2"), 53);
  net.run();

  const drop = net.trace.first({ kind: "drop", node: "b", proto: 17 })!;
  assert.deepEqual([drop.reason, drop.detail], ["no socket", "udp port 53"]);
  assert.equal(b.root.udp.stats.noPorts, 1);
  assert.equal(b.root.udp.stats.inDatagrams, 0);
  // One ICMP error, from b to a: type 3 code 3, quoting our datagram.
  const errs = net.trace.filter({ kind: "tx", node: "b", icmp: 3 });
  assert.equal(errs.length, 1);
  const icmp = errs[0]!.packet.icmp!;
  assert.deepEqual([icmp.type, icmp.code], [3, 3]);
  const q = parseQuote(icmp.payload as Uint8Array);
  assert.deepEqual([q.ip.src, q.ip.dst, q.ip.proto, q.srcPort, q.dstPort], [
    ip("10.0.0.1"),
    ip("10.0.0.2"),
    17,
    4444,
    53,
  ]);
  // The sending socket, and only it, hears of it.
  assert.deepEqual(heard, [3]);
  assert.deepEqual([client.errors[0]!.from, client.errors[0]!.type], [ip("10.0.0.2"), 3]);
  assert.equal(client.inbox.length, 0);
});

scenario(
  "udp: bind the port and the datagrams are delivered; close it and errors return",
  (net) => {
    const { a, b } = pair(net, { rate: "100mbit", delay: "2ms" });
    const client = a.root.udp.socket();
    client.bind(0, 4444);
    const send = () => {
      client.sendTo(new Uint8Array([1, 2, 3]), ip("10.0.0.2"), 9999);
      net.run();
    };
    send();
    assert.equal(client.errors.length, 1);
    const server = b.root.udp.socket();
    assert.equal(server.bind(0, 9999), undefined);
    send();
    send();
    assert.equal(server.inbox.length, 2, "delivered while the port is bound");
    assert.equal(client.errors.length, 1, "no new error while bound");
    server.close();
    send();
    assert.equal(client.errors.length, 2, "the port is closed again");
    assert.equal(server.inbox.length, 2);
    assert.equal(b.root.udp.stats.noPorts, 2);
    assert.equal(net.trace.filter({ kind: "tx", node: "b", icmp: 3 }).length, 2);
  },
);

scenario("udp: a socket bound to another port or address does not catch the datagram", (net) => {
  const { a, b } = pair(net, { rate: "100mbit", delay: "2ms" });
  b.sh("ip addr add 10.0.0.3/24 dev eth0");
  const other = b.root.udp.socket();
  other.bind(0, 9998); // another port
  const elsewhere = b.root.udp.socket();
  elsewhere.bind(ip("10.0.0.3"), 9999); // the right port on another local address
  const client = a.root.udp.socket();
  client.sendTo(new Uint8Array(5), ip("10.0.0.2"), 9999);
  net.run();
  assert.equal(other.inbox.length + elsewhere.inbox.length, 0);
  assert.equal(client.errors.length, 1);
  assert.deepEqual([client.errors[0]!.type, client.errors[0]!.code], [3, 3]);
  // To 10.0.0.3:9999 it is delivered.
  client.sendTo(new Uint8Array(5), ip("10.0.0.3"), 9999);
  net.run();
  assert.equal(elsewhere.inbox.length, 1);
  assert.equal(elsewhere.inbox[0]!.to, ip("10.0.0.3"));
});
