/**
 * Reassembly timeout (RFC 791, RFC 1122 §3.3.2): when a fragment is lost the
 * receiver holds the others for `net.ipv4.ipfrag_time` (30 s) from the first
 * arrival, then drops them all; if it had the first fragment (offset 0) it
 * tells the sender with ICMP time exceeded, code 1 "fragment reassembly time
 * exceeded", quoting that first fragment — without it, it says nothing. The
 * loss here is made by pulling the cable while one fragment is on the wire.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s, us } from "../../core/sim/simulator.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { icmpBody, ip, pair } from "./topology_testing.ts";

/**
 * a and b on a 1 Mbit/s link with 100 ms of delay and static ARP: a 3008-byte
 * datagram leaves as three frames, all on the wire by 24.88 ms, arriving
 * 112.112 ms, 124.224 ms and 124.880 ms after it is sent.
 */
function build(net: Network) {
  const t = pair(net, { rate: "1mbit", delay: "100ms" });
  t.a.sh(`ip neigh add 10.0.0.2 lladdr ${t.b.mac("eth0")} dev eth0 nud permanent`);
  t.b.sh(`ip neigh add 10.0.0.1 lladdr ${t.a.mac("eth0")} dev eth0 nud permanent`);
  return t;
}

/** Unplug the link from `from` to `to` after now (ns), so what arrives in between is lost. */
function unplug(net: Network, link: { setUp(up: boolean): void }, from: number, to: number) {
  const t = net.sim.now;
  net.sim.at(t + from, () => link.setUp(false));
  net.sim.at(t + to, () => link.setUp(true));
}

scenario("reassembly timeout: second fragment lost → time exceeded (code 1) 30 s later", (net) => {
  const { a, b, link } = build(net);
  const server = b.root.udp.socket();
  server.bind(0, 7000);
  const sock = a.root.udp.socket();
  sock.bind(0, 5000);
  unplug(net, link, 115 * ms, 124_500 * us); // fragment 2 arrives at 124.224 ms: lost
  sock.sendTo(3000, ip("10.0.0.2"), 7000, { df: false });
  net.runFor(1 * s);
  const lost = net.trace.filter({ kind: "drop", reason: "link down" });
  assert.deepEqual(lost.map((e) => [e.node, e.packet.ip!.fragOffset]), [["b", 1480]]);
  const got = net.trace.filter({ kind: "rx", node: "b", proto: 17 });
  assert.deepEqual(got.map((e) => e.packet.ip!.fragOffset), [0, 2960]);
  assert.equal(server.inbox.length, 0);
  // 29.9 s after the first fragment came: still waiting.
  const first = got[0]!.time;
  net.sim.run(first + 29_900 * ms);
  assert.equal(net.trace.filter({ icmp: 11 }).length, 0);
  net.runFor(300 * ms); // and the error has time to cross the 100 ms link
  // At exactly 30 s both held fragments are dropped and a is told.
  const expired = net.trace.filter({ kind: "drop", node: "b", reason: "reassembly timeout" });
  assert.deepEqual(expired.map((e) => [e.packet.ip!.fragOffset, e.time - first]), [
    [0, 30 * s],
    [2960, 30 * s],
  ]);
  const err = net.trace.first({ kind: "tx", node: "b", icmp: 11 })!;
  assert.equal(err.time - first, 30 * s);
  assert.deepEqual([err.packet.icmp!.code, err.packet.ip!.src, err.packet.ip!.dst], [
    1,
    ip("10.0.0.2"),
    ip("10.0.0.1"),
  ]);
  // The quote is the first fragment: offset 0, MF, the full length, the ports.
  const q = parseQuote(icmpBody(err.packet.icmp!));
  assert.deepEqual([q.ip.fragOffset, q.ip.mf, q.totalLength, q.srcPort, q.dstPort], [
    0,
    true,
    1500,
    5000,
    7000,
  ]);
  assert.equal(sock.errors.length, 1);
  assert.deepEqual([sock.errors[0]!.type, sock.errors[0]!.code], [11, 1]);
  assert.equal(b.root.ip.stats.reasmFails, 1);
  assert.equal(server.inbox.length, 0);
});

scenario(
  "reassembly timeout: first fragment lost → the rest dropped after 30 s, silently",
  (net) => {
    const { a, b, link } = build(net);
    unplug(net, link, 50 * ms, 120 * ms); // fragment 1 arrives at 112.112 ms: lost
    a.root.udp.socket().sendTo(3000, ip("10.0.0.2"), 7000, { df: false });
    net.runFor(40 * s);
    const got = net.trace.filter({ kind: "rx", node: "b", proto: 17 });
    assert.deepEqual(got.map((e) => e.packet.ip!.fragOffset), [1480, 2960]);
    const expired = net.trace.filter({ kind: "drop", node: "b", reason: "reassembly timeout" });
    assert.deepEqual(expired.map((e) => [e.packet.ip!.fragOffset, e.time - got[0]!.time]), [
      [1480, 30 * s],
      [2960, 30 * s],
    ]);
    assert.equal(net.trace.filter({ icmp: 11 }).length, 0);
    assert.equal(b.root.ip.stats.icmpOutErrors, 0);
  },
);

scenario(
  "reassembly timeout: ping sees 'Frag reassembly time exceeded'; ipfrag_time sets the wait",
  (net) => {
    const { a, b, link } = build(net);
    b.sh("sysctl -w net.ipv4.ipfrag_time=5");
    unplug(net, link, 115 * ms, 124_500 * us);
    const out = a.sh("ping -c 1 -W 10 -s 3000 10.0.0.2");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.0\.2 icmp_seq=1 Frag reassembly time exceeded$/m);
    assert.match(out.stdout, /^1 packets transmitted, 0 received, \+1 errors, 100% packet loss/m);
    const first = net.trace.first({ kind: "rx", node: "b", proto: 1 })!.time;
    assert.equal(net.trace.first({ kind: "tx", node: "b", icmp: 11 })!.time - first, 5 * s);
  },
);
