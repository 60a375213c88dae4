/**
 * When ping gets no echo reply it says why, as iputils does: "Destination
 * Host Unreachable" once ARP for the target (or for the last router's next hop)
 * has failed, "Destination Net Unreachable" from a router without a route,
 * each from the address of the machine that gave up; and a host without any
 * route refuses at once with "ping: connect: Network is unreachable" (or the
 * errno of a local reject route; EACCES from a prohibit route is what iputils
 * reads as "you meant broadcast") without sending anything.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { line, pair } from "./topology_testing.ts";

scenario(
  "ping unreachable: no ARP answer on the link → Destination Host Unreachable from ourselves",
  (net) => {
    const { a } = pair(net);
    const t0 = net.sim.now;
    const out = a.sh("ping -c 1 10.0.0.77");
    assert.equal(out.status, 1);
    // Three broadcast who-has, one second apart, and nobody answers.
    const asks = net.trace.filter({ kind: "tx", node: "a", arp: true });
    assert.deepEqual(asks.map((e) => (e.time - t0) / s), [0, 1, 2]);
    assert.ok(asks.every((e) => e.packet.arp!.targetIp === 0x0a00004d));
    assert.ok(asks.every((e) => e.packet.eth.dst === 0xffffffffffff));
    // Then the queued request is dropped and our own stack reports host unreachable.
    const dropped = net.trace.first({ kind: "drop", node: "a", icmp: "echo-request" })!;
    assert.equal(dropped.reason, "neighbour failed");
    assert.equal(dropped.time - t0, 3 * s);
    const err = net.trace.first({ kind: "tx", node: "a", icmp: 3 })!;
    assert.deepEqual([err.packet.icmp!.code, err.iface], [1, "lo"]);
    assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
    assert.match(out.stdout, /^1 packets transmitted, 0 received, \+1 errors, 100% packet loss/m);
    assert.match(a.sh("ip neigh show 10.0.0.77").stdout, /^10\.0\.0\.77 dev eth0 +FAILED/m);
  },
);

scenario(
  "ping unreachable: the last router's ARP fails → Host Unreachable from that router",
  (net) => {
    const { a } = line(net);
    const out = a.sh("ping -c 2 10.0.2.77");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.12\.2 icmp_seq=1 Destination Host Unreachable$/m);
    assert.match(out.stdout, /^From 10\.0\.12\.2 icmp_seq=2 Destination Host Unreachable$/m);
    assert.match(out.stdout, /^2 packets transmitted, 0 received, \+2 errors, 100% packet loss/m);
    // r2 asked for 10.0.2.77 on its b side three times in vain; the second request
    // waited in the same neighbour queue, so both failed together and both errors
    // went back to a, across r1.
    const asks = net.trace.filter({ kind: "tx", node: "r2", iface: "eth1", arp: true });
    assert.equal(asks.length, 3);
    assert.ok(asks.every((e) => e.packet.arp!.targetIp === 0x0a00024d));
    const failed = net.trace.filter({ kind: "drop", node: "r2", reason: "neighbour failed" });
    assert.equal(failed.length, 2);
    assert.equal(failed[0]!.time, failed[1]!.time);
    assert.equal(failed[0]!.time - asks[0]!.time, 3 * s);
    const errs = net.trace.filter({ kind: "rx", node: "a", icmp: 3 });
    assert.deepEqual(
      errs.map((e) => [e.packet.icmp!.code, e.packet.ip!.src, e.packet.ip!.ttl]),
      [[1, 0x0a000c02, 63], [1, 0x0a000c02, 63]],
    );
  },
);

scenario(
  "ping unreachable: a router without a route answers Destination Net Unreachable",
  (net) => {
    const { a } = line(net);
    const out = a.sh("ping -c 2 10.0.99.1");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Destination Net Unreachable$/m);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=2 Destination Net Unreachable$/m);
    assert.match(out.stdout, /^2 packets transmitted, 0 received, \+2 errors, 100% packet loss/m);
    const drops = net.trace.filter({ kind: "drop", node: "r1", icmp: "echo-request" });
    assert.deepEqual(drops.map((e) => e.reason), ["no route", "no route"]);
    const errs = net.trace.filter({ kind: "tx", node: "r1", icmp: 3 });
    assert.deepEqual(
      errs.map((e) => [e.packet.icmp!.code, e.packet.ip!.src, e.packet.ip!.dst]),
      [[0, 0x0a000101, 0x0a000102], [0, 0x0a000101, 0x0a000102]],
    );
    // Nothing went past r1.
    assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: "echo-request" }).length, 0);
  },
);

scenario(
  "ping unreachable: no route on the host itself → connect: Network is unreachable",
  (net) => {
    const { a } = line(net);
    a.sh("ip route del default");
    const born = net.trace.born;
    const out = a.sh("ping -c 1 10.0.2.2");
    assert.equal(out.status, 2);
    assert.equal(out.stderr, "ping: connect: Network is unreachable\n");
    assert.equal(net.trace.born, born, "not one packet was made");
    // The on-link neighbour is still reachable: only the default route is gone.
    assert.equal(a.sh("ping -c 1 10.0.1.1").status, 0);
  },
);

scenario("ping unreachable: local reject routes fail connect with their own errno", (net) => {
  const { a } = line(net);
  a.sh("ip route add unreachable 10.0.97.0/24");
  a.sh("ip route add prohibit 10.0.98.0/24");
  a.sh("ip route add blackhole 10.0.99.0/24");
  const born = net.trace.born;
  const cases: Array<[string, string]> = [
    ["10.0.97.1", "No route to host"],
    ["10.0.99.1", "Invalid argument"],
  ];
  for (const [dst, why] of cases) {
    const out = a.sh(`ping -c 1 ${dst}`);
    assert.equal(out.status, 2, dst);
    assert.equal(out.stderr, `ping: connect: ${why}\n`);
  }
  const out = a.sh("ping -c 1 10.0.98.1");
  assert.equal(out.status, 2);
  assert.equal(
    out.stderr,
    "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
  );
  assert.match(a.sh("ip route get 10.0.98.1").stderr, /Permission denied/);
  assert.equal(net.trace.born, born);
});
