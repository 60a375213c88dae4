/**
 * tracepath discovers the path MTU on the way: its UDP probes carry DF and
 * start at the interface MTU (1500); the router before a 1400-byte link answers
 * "fragmentation needed" with 1400, tracepath reports "pmtu 1400", shrinks its
 * probes and goes on hop by hop until the destination's port unreachable
 * ("reached"), ending with "Resume: pmtu 1400 hops 3 back 3". The host's PMTU
 * cache has learned 1400 as well.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ip, line } from "./topology_testing.ts";

scenario("tracepath: finds pmtu 1400 at r1 and reaches b in 3 hops", (net) => {
  const { a } = line(net, { middle: { mtu: 1400 } });
  const out = a.sh("tracepath -n 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^ 1\?: \[LOCALHOST\] +pmtu 1500$/m);
  assert.match(out.stdout, /pmtu 1400/);
  assert.match(out.stdout, /^ 1: +10\.0\.1\.1 /m);
  assert.match(out.stdout, /^ 2: +10\.0\.12\.2 /m);
  assert.match(out.stdout, /^ 3: +10\.0\.2\.2 .*reached$/m);
  assert.match(out.stdout, /^ +Resume: pmtu 1400 hops 3 back 3 ?$/m);
  // The probes: UDP with DF, 1500 bytes until r1 said 1400, then 1400.
  const probes = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.ok(probes.every((e) => e.packet.ip!.df));
  const sizes = probes.map((e) => 28 + (e.packet.udp!.payload as number));
  const firstSmall = sizes.indexOf(1400);
  assert.ok(firstSmall > 0);
  assert.ok(sizes.slice(0, firstSmall).every((n) => n === 1500));
  assert.ok(sizes.slice(firstSmall).every((n) => n === 1400));
  // r1 refused the big one with the MTU of its next link; b was reached by a 1400 probe.
  const needed = net.trace.filter({ kind: "tx", node: "r1", icmp: 3, src: "10.0.1.1" });
  assert.ok(needed.length >= 1);
  assert.ok(
    needed.every((e) => e.packet.icmp!.code === 4 && (e.packet.icmp!.rest & 0xffff) === 1400),
  );
  assert.ok(
    net.trace.filter({ kind: "rx", node: "b", proto: 17 }).every((e) =>
      28 + (e.packet.udp!.payload as number) === 1400
    ),
  );
  assert.equal(a.root.ip.pmtu.get(ip("10.0.2.2"))!.mtu, 1400);
  assert.match(a.sh("ip route get 10.0.2.2").stdout, /\bmtu 1400\b/);
});

scenario("tracepath: without a bottleneck the path MTU stays 1500", (net) => {
  const { a } = line(net);
  const out = a.sh("tracepath -n 10.0.2.2");
  assert.equal(out.status, 0);
  assert.doesNotMatch(out.stdout, /pmtu 1400/);
  assert.match(out.stdout, /^ 3: +10\.0\.2\.2 .*reached$/m);
  assert.match(out.stdout, /^ +Resume: pmtu 1500 hops 3 back 3 ?$/m);
  assert.equal(net.trace.filter({ icmp: 3, where: (e) => e.packet.icmp!.code === 4 }).length, 0);
  assert.equal(a.root.ip.pmtu.size, 0);
});

scenario("tracepath: a bottleneck of 1280 two hops out is found at r2", (net) => {
  const { a } = line(net, { last: { mtu: 1280 } });
  const out = a.sh("tracepath -n 10.0.2.2");
  assert.match(out.stdout, /pmtu 1280/);
  assert.match(out.stdout, /^ +Resume: pmtu 1280 hops 3 back 3 ?$/m);
  // Made by r2 (r1 only forwarded them back to a).
  const needed = net.trace.filter({ icmp: 3, where: (e) => e.packet.icmp!.code === 4 });
  assert.ok(needed.length >= 1);
  assert.ok(needed.every((e) => e.packet.ip!.src === ip("10.0.12.2")));
  assert.equal(net.trace.filter({ kind: "drop", node: "r1", reason: "mtu with DF" }).length, 0);
});
