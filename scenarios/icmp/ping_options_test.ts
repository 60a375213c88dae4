/**
 * ping's options do what their manual says, seen on the wire and in virtual
 * time: -c counts requests, -i spaces them, -W bounds the wait for the last
 * answer, -w ends the run at a deadline, -t sets the IP TTL (too small and the
 * router where it runs out answers instead), -q leaves only the summary, and
 * -s sets the data size up to 65507 bytes, where the datagram is fragmented.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { line, pair } from "./topology_testing.ts";

scenario("ping -c 5 -i 0.2: five requests 200 ms apart, five replies", (net) => {
  const { a } = pair(net);
  a.sh("ping -c 1 10.0.0.2"); // ARP first, so no request waits
  const t0 = net.sim.now;
  const out = a.sh("ping -c 5 -i 0.2 10.0.0.2");
  assert.equal(out.status, 0);
  const req = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" })
    .filter((e) => e.time >= t0);
  assert.deepEqual(req.map((e) => (e.time - t0) / 1e6), [0, 200, 400, 600, 800]);
  assert.match(out.stdout, /^5 packets transmitted, 5 received, 0% packet loss, time \d+ms$/m);
  assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: "echo-reply" }).length, 6);
});

scenario("ping -W 3: with nobody answering, ping gives up 3 s after the last request", (net) => {
  const { a, b } = pair(net);
  b.sh("sysctl -w net.ipv4.icmp_echo_ignore_all=1");
  const t0 = net.sim.now;
  const out = a.sh("ping -c 2 -W 3 10.0.0.2");
  assert.equal(out.status, 1);
  assert.equal(net.sim.now - t0, 4 * s, "second request at 1 s, then 3 s of waiting");
  assert.match(out.stdout, /^2 packets transmitted, 0 received, 100% packet loss/m);
  assert.doesNotMatch(out.stdout, /bytes from/);
  // The requests did arrive: b ignored them on purpose.
  const ignored = net.trace.filter({ kind: "drop", node: "b", icmp: "echo-request" });
  assert.deepEqual(ignored.map((e) => [e.reason, e.detail]), [
    ["no socket", "echo ignored"],
    ["no socket", "echo ignored"],
  ]);
  assert.equal(net.trace.filter({ icmp: "echo-reply" }).length, 0);
});

scenario("ping -w 3: the deadline ends an endless ping after 3 s", (net) => {
  const { a } = pair(net);
  const t0 = net.sim.now;
  const out = a.sh("ping -w 3 10.0.0.2");
  assert.equal(out.status, 0);
  assert.equal(net.sim.now - t0, 3 * s);
  const sent = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" }).length;
  assert.ok(sent === 3 || sent === 4, `sent ${sent}`);
  assert.match(out.stdout, new RegExp(`^${sent} packets transmitted, ${sent} received, 0% `, "m"));
});

scenario("ping -t: the requests carry that TTL; two routers need at least 3", (net) => {
  const { a } = line(net);
  let out = a.sh("ping -c 1 -t 3 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=62 /m);
  assert.deepEqual(
    net.trace.filter({ kind: "rx", icmp: "echo-request" }).map((e) => [e.node, e.packet.ip!.ttl]),
    [["r1", 3], ["r2", 2], ["b", 1]],
  );
  out = a.sh("ping -c 1 -t 2 10.0.2.2");
  assert.equal(out.status, 1);
  // r2 receives it with TTL 1, cannot forward it, and says so from its address towards a.
  assert.match(out.stdout, /^From 10\.0\.12\.2 icmp_seq=1 Time to live exceeded$/m);
  assert.match(out.stdout, /^1 packets transmitted, 0 received, \+1 errors, 100% packet loss/m);
  assert.equal(net.trace.filter({ kind: "drop", node: "r2", reason: "ttl exceeded" }).length, 1);
});

scenario("ping -q: only the header and the statistics", (net) => {
  const { a } = pair(net);
  const out = a.sh("ping -q -c 3 10.0.0.2");
  assert.equal(out.status, 0);
  assert.doesNotMatch(out.stdout, /bytes from/);
  assert.match(out.stdout, /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 56\(84\) bytes of data\.$/m);
  assert.match(out.stdout, /^--- 10\.0\.0\.2 ping statistics ---$/m);
  assert.match(out.stdout, /^3 packets transmitted, 3 received, 0% packet loss/m);
  assert.match(out.stdout, /^rtt min\/avg\/max\/mdev = /m);
  assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: "echo-reply" }).length, 3);
});

scenario("ping -s: 3000 and 65507 data bytes go as fragments and come back whole", (net) => {
  const { a } = pair(net);
  let out = a.sh("ping -c 1 -s 3000 10.0.0.2");
  assert.match(out.stdout, /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 3000\(3028\) bytes of data\.$/m);
  assert.match(out.stdout, /^3008 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=/m);
  // 3008 ICMP bytes in 1480-byte pieces: three fragments each way.
  const frags = (node: string) =>
    net.trace.filter({ kind: "tx", node, proto: 1, where: (e) => e.packet.raw !== undefined });
  assert.equal(frags("a").length, 3);
  assert.equal(frags("b").length, 3);
  out = a.sh("ping -c 1 -s 65507 10.0.0.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^65515 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64 time=/m);
  assert.equal(frags("a").length, 3 + 45);
  assert.equal(frags("b").length, 3 + 45);
  assert.equal(net.get("b").root.ip.stats.reasmOks, 2);
  // One byte more does not fit in an IP datagram: refused, nothing goes on the wire.
  const t0 = net.sim.now;
  out = a.sh("ping -c 1 -s 65508 10.0.0.2");
  assert.notEqual(out.status, 0);
  assert.match(out.stderr, /too (long|large)/);
  assert.equal(net.trace.filter({ kind: "tx", node: "a", where: (e) => e.time >= t0 }).length, 0);
});
