/**
 * An ARP request nobody answers: Linux sends three broadcast requests one
 * second apart (mcast_solicit 3, retrans_time 1 s), declares the neighbour
 * FAILED a second after the third, drops the packets it had queued with the
 * reason "neighbour failed" and returns an ICMP host unreachable to their
 * sender, which ping prints as `From <own address> icmp_seq=N Destination Host
 * Unreachable`. The next packet starts over with three fresh requests.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { arpSent, ipNeigh } from "./frames.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const [a, b] = net.nodes("a", "b");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  return { a, b };
}

scenario("unanswered: three broadcast requests, 1 s apart, then FAILED", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 -W 10 10.0.0.99 > /dev/null &");
  net.run(2 * s + 500 * ms);
  assert.deepEqual(ipNeigh(a), ["10.0.0.99 dev eth0 INCOMPLETE"]);
  net.run(3 * s - 1);
  assert.deepEqual(ipNeigh(a), ["10.0.0.99 dev eth0 INCOMPLETE"]);
  net.run(3 * s);
  assert.deepEqual(ipNeigh(a), ["10.0.0.99 dev eth0 FAILED"]);
  const asks = net.trace.filter({ kind: "tx", node: "a", arp: true });
  assert.deepEqual(asks.map((e) => e.time), [0, 1 * s, 2 * s]);
  assert.deepEqual(
    arpSent(net, "a"),
    Array(3).fill(
      "who-has 10.0.0.99 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff",
    ),
  );
  // The queued echo request is dropped at the moment of failure, with its reason.
  const drop = net.trace.first({ kind: "drop", node: "a", reason: "neighbour failed" })!;
  assert.equal(drop.time, 3 * s);
  assert.equal(drop.packet.icmp?.type, 8);
  a.sh("wait");
});

scenario("unanswered: ping prints Destination Host Unreachable from its own address", (net) => {
  const { a } = build(net);
  const out = a.sh("ping -c 3 10.0.0.99");
  assert.equal(out.status, 1);
  const lines = out.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 4), [
    "PING 10.0.0.99 (10.0.0.99) 56(84) bytes of data.",
    "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable",
    "From 10.0.0.1 icmp_seq=2 Destination Host Unreachable",
    "From 10.0.0.1 icmp_seq=3 Destination Host Unreachable",
  ]);
  assert.match(out.stdout, /^3 packets transmitted, 0 received, \+3 errors, 100% packet loss/m);
  // The three echo requests waited in the queue and were dropped together at 3 s.
  const drops = net.trace.filter({ kind: "drop", reason: "neighbour failed" });
  assert.deepEqual(drops.map((e) => [e.node, e.time, e.packet.icmp!.type]), [
    ["a", 3 * s, 8],
    ["a", 3 * s, 8],
    ["a", 3 * s, 8],
  ]);
  assert.equal(net.trace.drops.get("neighbour failed"), 3);
  // None of them, nor any ICMP error, ever went out on the wire.
  assert.equal(net.trace.filter({ kind: "tx", node: "a", iface: "eth0", proto: 1 }).length, 0);
  assert.equal(net.trace.filter({ kind: "rx", node: "b", proto: 1 }).length, 0);
});

scenario("unanswered: the next attempt starts over with three fresh requests", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 10.0.0.99");
  assert.deepEqual(ipNeigh(a), ["10.0.0.99 dev eth0 FAILED"]);
  const t1 = net.sim.now;
  const out = a.sh("ping -c 1 10.0.0.99");
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  const again = net.trace.filter({ kind: "tx", node: "a", arp: true, where: (e) => e.time >= t1 });
  assert.deepEqual(again.map((e) => (e.time - t1) / s), [0, 1, 2]);
  assert.equal(net.trace.drops.get("neighbour failed"), 2);
});

scenario("unanswered: b hears every request, and a host that appears is found at once", (net) => {
  const { a, b } = build(net);
  a.sh("ping -c 1 10.0.0.99");
  assert.equal(net.trace.filter({ kind: "rx", node: "b", arp: true }).length, 3);
  assert.deepEqual(ipNeigh(b), []); // overheard requests create no entry
  // Now b takes the address: the next ping's first request is answered.
  b.sh("ip addr add 10.0.0.99/24 dev eth0");
  const t1 = net.sim.now;
  const out = a.sh("ping -c 1 10.0.0.99");
  assert.match(out.stdout, /^64 bytes from 10\.0\.0\.99: icmp_seq=1 ttl=64/m);
  assert.equal(arpSent(net, "a", t1).length, 1);
  assert.deepEqual(ipNeigh(a), [`10.0.0.99 dev eth0 lladdr ${b.mac("eth0")} REACHABLE`]);
});

scenario("unanswered: a host that announces itself meanwhile is used at once", (net) => {
  const { a, b } = build(net);
  a.sh("ping -c 1 10.0.0.99 > /tmp/ping.txt &");
  net.run(500 * ms);
  assert.deepEqual(ipNeigh(a), ["10.0.0.99 dev eth0 INCOMPLETE"]);
  // b takes the address and announces it (as a booting host does, RFC 5227).
  b.sh("ip addr add 10.0.0.99/24 dev eth0");
  b.root.ip.neigh.announce(b.iface("eth0"), ip("10.0.0.99"));
  a.sh("wait");
  // a's pending entry took b's MAC from the announcement and sent its queued echo
  // request at once: no second request at 1 s.
  const heard = net.trace.first({ kind: "rx", node: "a", arp: true })!.time;
  const echo = net.trace.first({ kind: "tx", node: "a", icmp: "echo-request" })!;
  assert.equal(echo.time, heard);
  assert.equal(echo.packet.eth.dst, b.iface("eth0").mac);
  assert.deepEqual(arpSent(net, "a").filter((l) => l.startsWith("who-has")), [
    "who-has 10.0.0.99 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff",
  ]);
  assert.match(
    a.sh("cat /tmp/ping.txt").stdout,
    /^64 bytes from 10\.0\.0\.99: icmp_seq=1 ttl=64 time=50[01] ms$/m,
  );
  // The entry was used straight away, so it is in DELAY, awaiting confirmation.
  assert.deepEqual(ipNeigh(a), [`10.0.0.99 dev eth0 lladdr ${b.mac("eth0")} DELAY`]);
});
