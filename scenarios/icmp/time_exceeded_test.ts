/**
 * ICMP time exceeded (type 11, code 0): a router that would forward a packet
 * whose TTL is 1 drops it and answers the sender, from the address of the
 * interface the route back uses. The error quotes the datagram as it arrived —
 * IP header with TTL 1 (checksum valid for that header) and at least the first
 * 8 bytes of its payload; Linux quotes up to 576 bytes of error in all — which
 * is how the sender's UDP socket (error queue) and ping find what it was about.
 * A host accepts a TTL-1 packet addressed to itself: TTL is checked on forwarding.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { internetChecksum } from "../../core/wire/checksum.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { datagramBytes, icmpBody, ip, line, pair } from "./topology_testing.ts";

scenario("time exceeded: TTL 1 dies at the first router, which quotes it byte for byte", (net) => {
  const { a } = line(net);
  const sock = a.root.udp.socket();
  sock.bind(0, 40000);
  const data = new TextEncoder().encode("thirty-two bytes of probe data!!");
  assert.equal(sock.sendTo(data, ip("10.0.2.2"), 33434, { ttl: 1 }), undefined);
  net.run();
  // r1 received it with TTL 1, did not forward it, dropped it with that reason.
  const arrived = net.trace.first({ kind: "rx", node: "r1", proto: 17 })!;
  assert.equal(arrived.packet.ip!.ttl, 1);
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", proto: 17 }).length, 0);
  assert.equal(net.trace.first({ kind: "drop", node: "r1", proto: 17 })!.reason, "ttl exceeded");
  // Its answer: type 11 code 0, from 10.0.1.1 (the way back to a) to a.
  const err = net.trace.first({ kind: "tx", node: "r1", icmp: 11 })!;
  const m = err.packet.icmp!;
  assert.deepEqual([m.type, m.code, m.rest], [11, 0, 0]);
  assert.deepEqual([err.packet.ip!.src, err.packet.ip!.dst, err.iface], [
    ip("10.0.1.1"),
    ip("10.0.1.2"),
    "eth0",
  ]);
  // The quote: the whole 60-byte datagram as r1 saw it, TTL 1 included.
  const quote = icmpBody(m);
  const original = datagramBytes(arrived.packet);
  assert.equal(original.length, 20 + 8 + 32);
  assert.deepEqual(quote, original);
  assert.equal(quote[8], 1, "quoted TTL");
  assert.equal(internetChecksum(quote, 0, 20), 0, "quoted header checksum is valid");
  const q = parseQuote(quote);
  assert.deepEqual(
    [q.ip.ttl, q.ip.proto, q.ip.src, q.ip.dst, q.totalLength, q.srcPort, q.dstPort],
    [1, 17, ip("10.0.1.2"), ip("10.0.2.2"), 60, 40000, 33434],
  );
  // The sending socket's error queue has it.
  assert.equal(sock.errors.length, 1);
  const e = sock.errors[0]!;
  assert.deepEqual([e.from, e.type, e.code, e.quoted.dstPort, e.ttl], [
    ip("10.0.1.1"),
    11,
    0,
    33434,
    64,
  ]);
});

scenario(
  "time exceeded: ping -t N is answered by the N-th router, quoting ping's id and seq",
  (net) => {
    const { a } = line(net);
    let out = a.sh("ping -c 2 -t 1 10.0.2.2");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded$/m);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=2 Time to live exceeded$/m);
    assert.match(out.stdout, /^2 packets transmitted, 0 received, \+2 errors, 100% packet loss/m);
    out = a.sh("ping -c 1 -t 2 10.0.2.2");
    assert.match(out.stdout, /^From 10\.0\.12\.2 icmp_seq=1 Time to live exceeded$/m);
    const errs = net.trace.filter({ kind: "rx", node: "a", icmp: 11 });
    assert.equal(errs.length, 3);
    const requests = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
    for (const [k, e] of errs.entries()) {
      const q = parseQuote(icmpBody(e.packet.icmp!));
      const req = requests[k]!.packet.icmp!;
      assert.deepEqual([q.echoId, q.echoSeq], [req.rest >>> 16, req.rest & 0xffff]);
      assert.equal(q.ip.ttl, 1);
    }
    // r2's error crossed r1: it arrives with 63; r1's own arrive with 64.
    assert.deepEqual(errs.map((e) => e.packet.ip!.ttl), [64, 64, 63]);
  },
);

scenario("time exceeded: a 1000-byte datagram is quoted up to a 576-byte error", (net) => {
  const { a } = line(net);
  const sock = a.root.udp.socket();
  sock.sendTo(972, ip("10.0.2.2"), 9, { ttl: 1 });
  net.run();
  const err = net.trace.first({ kind: "rx", node: "a", icmp: 11 })!;
  const quote = icmpBody(err.packet.icmp!);
  assert.equal(quote.length, 576 - 20 - 8);
  const q = parseQuote(quote);
  assert.equal(q.totalLength, 1000, "the quoted header still tells the full size");
  assert.equal(q.dstPort, 9);
  assert.equal(sock.errors.length, 1);
  assert.equal(err.packet.ip!.tos, 0xc0, "errors go as internetwork control");
});

scenario(
  "time exceeded: a router's own far-side address answers TTL 1 (delivered, not forwarded)",
  (net) => {
    const { a } = line(net);
    const out = a.sh("ping -c 1 -t 1 10.0.12.1");
    assert.equal(out.status, 0);
    assert.match(out.stdout, /^64 bytes from 10\.0\.12\.1: icmp_seq=1 ttl=64 /m);
    assert.equal(net.trace.filter({ icmp: 11 }).length, 0);
    // One router further, TTL 1 is not enough: r2's near address is behind r1's forwarding.
    const far = a.sh("ping -c 1 -t 1 10.0.12.2");
    assert.match(far.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded$/m);
  },
);

scenario("time exceeded: a host accepts TTL 1 for itself; only forwarding checks TTL", (net) => {
  const { a } = pair(net);
  const out = a.sh("ping -c 1 -t 1 10.0.0.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 /m);
  assert.equal(net.trace.first({ kind: "rx", node: "b", icmp: "echo-request" })!.packet.ip!.ttl, 1);
  assert.equal(net.trace.filter({ icmp: 11 }).length, 0);
});
