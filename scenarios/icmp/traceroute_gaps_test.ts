/**
 * What traceroute shows when a hop does not answer or the way ends early:
 * `*` for each probe unanswered within the wait — a router with forwarding off
 * drops probes silently (and nothing gets past it), a router with no route
 * back to the source cannot deliver its time exceeded (a "silent hop" that
 * still forwards) — and the marks for unreachable answers: !N from a router
 * with no route, !H when the last router's ARP for the target fails.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { s } from "../../core/sim/simulator.ts";
import { line } from "./topology_testing.ts";

/** Hop lines as text, trimmed. */
const hopLines = (stdout: string) =>
  stdout.split("\n").slice(1).filter((l) => l.trim() !== "").map((l) => l.trim());

scenario(
  "traceroute gaps: a router with forwarding off is * * *, and so is everything after it",
  (net) => {
    const { a, r2 } = line(net);
    r2.sh("sysctl -w net.ipv4.ip_forward=0");
    const t0 = net.sim.now;
    const out = a.sh("traceroute -n -w 1 -m 4 10.0.2.2");
    const lines = hopLines(out.stdout);
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^1 {2}10\.0\.1\.1( {2}\d+\.\d{3} ms){3}$/);
    for (const [k, l] of lines.slice(1).entries()) {
      assert.match(
        l,
        new RegExp(`^${k + 2} +\\* \\* \\*$`),
      );
    }
    // r2 received the TTL-2 probes and dropped them without a word.
    const dropped = net.trace.filter({ kind: "drop", node: "r2", proto: 17 });
    assert.ok(dropped.length >= 3);
    assert.ok(dropped.every((e) => e.reason === "forwarding disabled"));
    assert.equal(net.trace.filter({ kind: "tx", node: "r2", proto: 1 }).length, 0);
    assert.equal(net.trace.filter({ kind: "rx", node: "b" }).length, 0);
    // Nine unanswered probes, each waited for one second at most.
    assert.ok(net.sim.now - t0 <= 9 * s + 10e6, `${net.sim.now - t0}`);
  },
);

scenario(
  "traceroute gaps: a hop with no route back is silent but forwards (asymmetric path)",
  (net) => {
    const { a, r1, r2, b } = line(net);
    // b answers through a direct link to r1; r2 forgets the way back to a.
    net.connect(r1, b);
    r1.sh("ip addr add 10.0.21.1/24 dev eth2");
    b.sh("ip addr add 10.0.21.2/24 dev eth1; ip route replace default via 10.0.21.1");
    r2.sh("ip route del 10.0.1.0/24 via 10.0.12.1");
    const out = a.sh("traceroute -n -w 1 10.0.2.2");
    const lines = hopLines(out.stdout);
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^1 {2}10\.0\.1\.1 /);
    assert.match(lines[1]!, /^2 +\* \* \*$/);
    assert.match(lines[2]!, /^3 {2}10\.0\.2\.2 /);
    // r2 made its time exceeded messages but had nowhere to send them.
    const lost = net.trace.filter({ kind: "drop", node: "r2", icmp: 11 });
    assert.equal(lost.length, 3);
    assert.ok(lost.every((e) => e.reason === "no route"));
    // The probes that reached b went through r2; b's answers came back over the direct link.
    assert.ok(
      net.trace.filter({ kind: "tx", node: "b", icmp: 3 }).every((e) => e.iface === "eth1"),
    );
  },
);

scenario("traceroute gaps: !N from a router without a route ends the trace at that hop", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute -n 10.0.99.1");
  const lines = hopLines(out.stdout);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^1 {2}10\.0\.1\.1( {2}\d+\.\d{3} ms !N){3}$/);
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 3 }).length, 3);
});

scenario("traceroute gaps: !H when the last router cannot resolve the target", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute -n -q 1 10.0.2.77");
  const lines = hopLines(out.stdout);
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^1 {2}10\.0\.1\.1 /);
  assert.match(lines[1]!, /^2 {2}10\.0\.12\.2 /);
  // Third hop: r2 tried ARP for 3 s, then answered host unreachable.
  assert.match(lines[2]!, /^3 {2}10\.0\.12\.2 {2}(\d+)\.\d{3} ms !H$/);
  const ms = Number(/ {2}(\d+)\.\d{3} ms !H$/.exec(lines[2]!)![1]);
  assert.ok(ms >= 3000 && ms < 3010, `${ms}`);
});
