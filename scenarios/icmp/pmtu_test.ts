/**
 * Path MTU discovery (RFC 1191) as Linux does it: a DF packet too big for the
 * next link is dropped by the router, which answers "fragmentation needed"
 * (type 3 code 4) with the next-hop MTU; the sender caches that MTU for the
 * destination for 10 minutes (`ip route get` shows `mtu 1400`), so the next
 * oversize send with `ping -M do` fails locally ("message too long") without
 * touching the wire, `-M want` fragments locally to fit, and sizes that fit go
 * through untouched. A UDP socket sees the same: the error in its queue, then
 * EMSGSIZE.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { icmpBody, ip, line } from "./topology_testing.ts";

function build(net: Parameters<typeof line>[0]) {
  return line(net, { middle: { mtu: 1400 } });
}

scenario(
  "pmtu: ping -M do -s 1472 across a 1400 link → Frag needed (mtu = 1400) from r1",
  (net) => {
    const { a } = build(net);
    assert.doesNotMatch(a.sh("ip route get 10.0.2.2").stdout, /mtu/);
    const out = a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^PING 10\.0\.2\.2 \(10\.0\.2\.2\) 1472\(1500\) bytes of data\.$/m);
    assert.match(
      out.stdout,
      /^From 10\.0\.1\.1 icmp_seq=1 Frag needed and DF set \(mtu = 1400\)$/m,
    );
    // The 1500-byte DF request left a whole, and r1 would not put it on the 1400 link.
    const sent = net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!;
    assert.deepEqual([sent.packet.ip!.df, 20 + 8 + 1472], [true, 1500]);
    const drop = net.trace.first({ kind: "drop", node: "r1", icmp: "echo-request" })!;
    assert.deepEqual([drop.reason, drop.detail], ["mtu with DF", "mtu 1400"]);
    assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: "echo-request" }).length, 0);
    const err = net.trace.first({ kind: "tx", node: "r1", icmp: 3 })!;
    assert.deepEqual([err.packet.icmp!.code, err.packet.icmp!.rest & 0xffff, err.packet.ip!.src], [
      4,
      1400,
      ip("10.0.1.1"),
    ]);
    assert.equal(parseQuote(icmpBody(err.packet.icmp!)).totalLength, 1500);
    // a now knows the path MTU to b, for ten minutes.
    const cached = a.root.ip.pmtu.get(ip("10.0.2.2"))!;
    assert.equal(cached.mtu, 1400);
    assert.equal(
      cached.expires - net.trace.first({ kind: "rx", node: "a", icmp: 3 })!.time,
      600 * s,
    );
    assert.match(a.sh("ip route get 10.0.2.2").stdout, /\bmtu 1400\b/);
    // Only for b: other destinations behind r1 keep the device MTU.
    assert.doesNotMatch(a.sh("ip route get 10.0.12.2").stdout, /mtu/);
  },
);

scenario("pmtu: once learned, -M do fails locally and nothing is sent; 1372 bytes fit", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  const t0 = net.sim.now;
  const out = a.sh("ping -c 2 -M do -s 1472 10.0.2.2");
  assert.equal(out.status, 1);
  assert.equal(
    (out.stderr.match(/^ping: local error: message too long, mtu=1400$/gm) ?? []).length,
    2,
  );
  assert.match(out.stdout, /^2 packets transmitted, 0 received, \+2 errors, 100% packet loss/m);
  assert.equal(
    net.trace.filter({ kind: "tx", node: "a", proto: 1, where: (e) => e.time >= t0 }).length,
    0,
  );
  const fits = a.sh("ping -c 1 -M do -s 1372 10.0.2.2");
  assert.equal(fits.status, 0);
  assert.match(fits.stdout, /^1380 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=62 /m);
});

scenario("pmtu: -M want then fragments locally to 1400 and the ping succeeds", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  const t0 = net.sim.now;
  const out = a.sh("ping -c 1 -M want -s 1472 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^1480 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=62 /m);
  // a cut the 1480 ICMP bytes into 1376 + 104: IP packets of 1396 and 124 bytes, no DF.
  const frags = net.trace.filter({ kind: "tx", node: "a", proto: 1, where: (e) => e.time >= t0 });
  assert.deepEqual(
    frags.map((
      e,
    ) => [e.packet.ip!.fragOffset, e.packet.ip!.mf, e.packet.ip!.df, 20 + e.packet.raw!.length]),
    [[0, true, false, 1396], [1376, false, false, 124]],
  );
  // r1 forwarded them as they were: no router fragmentation, no new error.
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 3 }).length, 1);
  assert.equal(net.get("r1").root.ip.stats.fragCreates, 0);
});

scenario("pmtu: a UDP socket gets the error in its queue, then EMSGSIZE", (net) => {
  const { a } = build(net);
  const sock = a.root.udp.socket();
  sock.bind(0, 4000);
  assert.equal(sock.sendTo(1472, ip("10.0.2.2"), 9, { df: true, dontFragment: true }), undefined);
  net.runFor(10e6);
  assert.equal(sock.errors.length, 1);
  const e = sock.errors[0]!;
  assert.deepEqual([e.from, e.type, e.code, e.rest & 0xffff, e.quoted.srcPort], [
    ip("10.0.1.1"),
    3,
    4,
    1400,
    4000,
  ]);
  const before = net.trace.filter({ kind: "tx", node: "a", proto: 17 }).length;
  assert.equal(sock.sendTo(1472, ip("10.0.2.2"), 9, { df: true, dontFragment: true }), "EMSGSIZE");
  assert.equal(sock.sendTo(1372, ip("10.0.2.2"), 9, { df: true, dontFragment: true }), undefined);
  net.runFor(10e6);
  const udp = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.equal(udp.length, before + 1);
  assert.equal(udp.at(-1)!.packet.udp!.payload, 1372);
  // The 1400-byte datagram crossed r1 and reached b (port 9 closed: port unreachable).
  assert.equal(net.trace.filter({ kind: "rx", node: "b", proto: 17 }).length, 1);
});

scenario("pmtu: the learned MTU expires after 10 minutes, then the router tells again", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  a.sh("sleep 599");
  assert.match(a.sh("ip route get 10.0.2.2").stdout, /\bmtu 1400\b/);
  a.sh("sleep 2");
  assert.doesNotMatch(a.sh("ip route get 10.0.2.2").stdout, /mtu/);
  const out = a.sh("ping -c 1 -M do -s 1472 10.0.2.2");
  assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Frag needed and DF set \(mtu = 1400\)$/m);
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 3 }).length, 2);
});

scenario(
  "pmtu: the path MTU only goes down — a late, larger frag-needed does not raise it",
  (net) => {
    // Two bottlenecks: 1400 after r1, 1300 after r2 (10 ms away).
    const { a } = line(net, {
      first: { delay: "1ms" },
      middle: { mtu: 1400, delay: "10ms" },
      last: { mtu: 1300 },
    });
    a.sh("ping -c 1 10.0.2.2"); // ARP everywhere first
    const one = a.root.udp.socket(), two = a.root.udp.socket();
    // A 1400-byte datagram now, a 1500-byte one 21 ms later: r2's answer (1300)
    // comes back before r1's answer (1400) about the later, bigger one.
    one.sendTo(1372, ip("10.0.2.2"), 9, { df: true });
    net.runFor(21e6);
    two.sendTo(1472, ip("10.0.2.2"), 9, { df: true });
    net.runFor(100e6);
    const needed = net.trace.filter({ kind: "rx", node: "a", icmp: 3 }).map((e) => [
      e.packet.ip!.src,
      e.packet.icmp!.rest & 0xffff,
    ]);
    assert.deepEqual(needed, [[ip("10.0.12.2"), 1300], [ip("10.0.1.1"), 1400]]);
    assert.equal(one.errors.length, 1);
    assert.equal(two.errors.length, 1);
    // Linux keeps the smaller value: an old, larger report cannot undo a newer, smaller one.
    assert.equal(a.root.ip.pmtu.get(ip("10.0.2.2"))!.mtu, 1300);
    assert.match(a.sh("ip route get 10.0.2.2").stdout, /\bmtu 1300\b/);
  },
);
