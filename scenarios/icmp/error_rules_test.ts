/**
 * When ICMP errors must NOT be sent (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7): never
 * about an ICMP error (or two broken machines could bounce errors forever),
 * never about a datagram sent to a broadcast address, and never about a
 * fragment other than the first (one error per datagram, quoting its first
 * fragment, which is the one that carries the ports or ping's id).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { icmpBody, ip, line, pair } from "./topology_testing.ts";

scenario(
  "error rules: an echo reply that cannot be routed gets an error, an ICMP error does not",
  (net) => {
    const { a, r1, b } = line(net);
    // r1 can no longer reach a, but a can still send through r1.
    r1.sh("ip route add unreachable 10.0.1.2/32");
    // 1. An echo reply (a query, not an error) is refused with host unreachable to b.
    const out = a.sh("ping -c 1 -W 1 10.0.2.2");
    assert.equal(out.status, 1);
    const reply = net.trace.first({ kind: "drop", node: "r1", icmp: "echo-reply" })!;
    assert.equal(reply.reason, "unreachable route");
    const toB = net.trace.filter({ kind: "rx", node: "b", icmp: 3 });
    assert.deepEqual(toB.map((e) => [e.packet.icmp!.code, e.packet.ip!.src]), [[
      1,
      ip("10.0.12.1"),
    ]]);
    assert.equal(parseQuote(icmpBody(toB[0]!.packet.icmp!)).ip.proto, 1);
    assert.equal(r1.root.ip.stats.icmpOutErrors, 1);
    // 2. r2's time exceeded towards a meets the same route: dropped, and nothing said about it.
    const t0 = net.sim.now;
    a.sh("ping -c 1 -t 2 -W 1 10.0.2.2");
    const err = net.trace.first({ kind: "drop", node: "r1", icmp: 11 })!;
    assert.equal(err.reason, "unreachable route");
    assert.equal(err.packet.ip!.src, ip("10.0.12.2"));
    assert.equal(r1.root.ip.stats.icmpOutErrors, 1, "no error about an error");
    assert.equal(
      net.trace.filter({ kind: "tx", node: "r1", icmp: 3, where: (e) => e.time >= t0 }).length,
      0,
    );
    void b;
  },
);

scenario("error rules: a datagram to a broadcast address gets no port unreachable", (net) => {
  const { a, b } = pair(net);
  const sock = a.root.udp.socket();
  sock.broadcast = true;
  sock.bind(0, 5353);
  sock.sendTo(8, ip("10.0.0.255"), 9);
  sock.sendTo(8, ip("255.255.255.255"), 9);
  net.run();
  // Both arrived at b in broadcast frames and found no socket ...
  const drops = net.trace.filter({ kind: "drop", node: "b", proto: 17 });
  assert.deepEqual(drops.map((e) => [e.reason, e.packet.eth.dst]), [
    ["no socket", 0xffffffffffff],
    ["no socket", 0xffffffffffff],
  ]);
  assert.equal(b.root.udp.stats.noPorts, 2);
  // ... and b kept quiet about both.
  assert.equal(net.trace.filter({ icmp: 3 }).length, 0);
  assert.equal(sock.errors.length, 0);
  // The same datagram sent to b's own address is answered.
  sock.sendTo(8, ip("10.0.0.2"), 9);
  net.run();
  assert.equal(sock.errors.length, 1);
  assert.equal(sock.errors[0]!.code, 3);
});

scenario("error rules: a broadcast ping is not answered and not complained about", (net) => {
  const { a } = pair(net);
  const out = a.sh("ping -b -c 2 -W 1 10.0.0.255");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^2 packets transmitted, 0 received, 100% packet loss/m);
  const ignored = net.trace.filter({ kind: "drop", node: "b", icmp: "echo-request" });
  assert.deepEqual(ignored.map((e) => e.detail), ["echo ignored", "echo ignored"]);
  assert.equal(net.trace.filter({ node: "b", kind: "tx" }).length, 0, "b sent nothing at all");
});

scenario("error rules: three fragments expire at a router, one time exceeded comes back", (net) => {
  const { a } = line(net);
  const out = a.sh("ping -c 1 -s 3000 -t 1 10.0.2.2");
  assert.equal(out.status, 1);
  const died = net.trace.filter({ kind: "drop", node: "r1", proto: 1 });
  assert.deepEqual(died.map((e) => [e.reason, e.packet.ip!.fragOffset, e.packet.ip!.mf]), [
    ["ttl exceeded", 0, true],
    ["ttl exceeded", 1480, true],
    ["ttl exceeded", 2960, false],
  ]);
  const errs = net.trace.filter({ kind: "tx", node: "r1", icmp: 11 });
  assert.equal(errs.length, 1);
  // It quotes the first fragment: offset 0, MF set, and the echo header with ping's seq.
  const q = parseQuote(icmpBody(errs[0]!.packet.icmp!));
  assert.deepEqual([q.ip.fragOffset, q.ip.mf, q.totalLength, q.echoSeq], [0, true, 1500, 1]);
  assert.equal(
    (out.stdout.match(/^From 10\.0\.1\.1 icmp_seq=1 Time to live exceeded$/gm) ?? [])
      .length,
    1,
  );
});

scenario("error rules: fragments with no route past a router draw one net unreachable", (net) => {
  const { a, r1 } = line(net);
  const sock = a.root.udp.socket();
  sock.sendTo(4000, ip("10.0.99.1"), 53, { df: false });
  net.run();
  const dropped = net.trace.filter({ kind: "drop", node: "r1", proto: 17 });
  assert.equal(dropped.length, 3);
  assert.ok(dropped.every((e) => e.reason === "no route"));
  assert.equal(r1.root.ip.stats.icmpOutErrors, 1);
  assert.equal(sock.errors.length, 1);
  assert.deepEqual([sock.errors[0]!.type, sock.errors[0]!.code, sock.errors[0]!.quoted.dstPort], [
    3,
    0,
    53,
  ]);
});
