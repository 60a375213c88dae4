/**
 * Pinging yourself never touches a wire: echo requests to 127.0.0.1, to any
 * other 127/8 address or to one of the host's own addresses are routed to
 * `lo` (table local), answered there and counted there; eth0 and the link see
 * nothing, not even ARP. The round trip over loopback takes no virtual time.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { pair } from "./topology_testing.ts";

scenario("ping loopback: 127.0.0.1 is answered on lo and nothing reaches eth0", (net) => {
  const { a, b } = pair(net);
  const eth0 = a.iface("eth0").counters.txPackets;
  const out = a.sh("ping -c 3 127.0.0.1");
  assert.equal(out.status, 0);
  for (let seq = 1; seq <= 3; seq++) {
    assert.match(
      out.stdout,
      new RegExp(`^64 bytes from 127\\.0\\.0\\.1: icmp_seq=${seq} ttl=64 time=0\\.000 ms$`, "m"),
    );
  }
  assert.match(out.stdout, /^3 packets transmitted, 3 received, 0% packet loss/m);
  const icmp = net.trace.filter({ proto: 1 });
  assert.ok(icmp.length >= 12); // 3 × (request tx, rx; reply tx, rx)
  assert.deepEqual([...new Set(icmp.map((e) => `${e.node}:${e.iface}`))], ["a:lo"]);
  assert.equal(net.trace.filter({ arp: true }).length, 0);
  assert.equal(a.iface("eth0").counters.txPackets, eth0);
  assert.equal(b.iface("eth0").counters.rxPackets, 0);
  assert.equal(a.iface("lo").counters.txPackets, 6);
});

scenario("ping loopback: any 127/8 address is local and answers from itself", (net) => {
  const { a } = pair(net);
  const out = a.sh("ping -c 1 127.5.6.7");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 127\.5\.6\.7: icmp_seq=1 ttl=64 /m);
  // The request comes from lo's primary address, the reply from the address asked.
  const request = net.trace.first({ kind: "tx", icmp: "echo-request" })!;
  const reply = net.trace.first({ kind: "tx", icmp: "echo-reply" })!;
  assert.deepEqual([request.iface, request.packet.ip!.src, request.packet.ip!.dst], [
    "lo",
    0x7f000001,
    0x7f050607,
  ]);
  assert.deepEqual([reply.iface, reply.packet.ip!.src, reply.packet.ip!.dst], [
    "lo",
    0x7f050607,
    0x7f000001,
  ]);
  assert.match(
    a.sh("ip route get 127.5.6.7").stdout,
    /^local 127\.5\.6\.7 dev lo src 127\.0\.0\.1 /,
  );
});

scenario("ping loopback: the host's own eth0 address is answered on lo too", (net) => {
  const { a, b } = pair(net);
  const out = a.sh("ping -c 2 10.0.0.1");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.0\.1: icmp_seq=2 ttl=64 time=0\.000 ms$/m);
  const icmp = net.trace.filter({ proto: 1 });
  assert.ok(icmp.every((e) => e.iface === "lo" && e.node === "a"));
  assert.ok(icmp.every((e) => e.packet.ip!.src === 0x0a000001 && e.packet.ip!.dst === 0x0a000001));
  assert.equal(net.trace.filter({ arp: true }).length, 0);
  assert.equal(b.iface("eth0").counters.rxPackets, 0);
  assert.match(a.sh("ip route get 10.0.0.1").stdout, /^local 10\.0\.0\.1 dev lo /);
  // Even with eth0 down the address stays the host's own: still answered on lo.
  a.sh("ip link set eth0 down");
  const down = a.sh("ping -c 1 10.0.0.1");
  assert.equal(down.status, 0);
  assert.match(down.stdout, /^1 packets transmitted, 1 received/m);
  assert.equal(net.trace.filter({ proto: 1, where: (e) => e.iface !== "lo" }).length, 0);
});
