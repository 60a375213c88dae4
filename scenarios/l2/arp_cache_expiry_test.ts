/**
 * ARP cache expiry with Linux's neighbour states: an answer makes the entry
 * REACHABLE for reachable_time (drawn in [15 s, 45 s) from base 30 s); then it
 * is STALE — still usable, no frame sent. Using a STALE entry sends at once and
 * moves it to DELAY; 5 s later (delay_first_probe_time) the host checks it with
 * a unicast request to the known MAC (PROBE), and the answer makes it
 * REACHABLE again. If nobody answers, three unicast probes one second apart,
 * then FAILED.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s, us } from "../../core/sim/simulator.ts";
import { arpSent, ipNeigh, where } from "./frames.ts";
import type { TraceEvent } from "../../core/sim/trace.ts";

function build(net: Network) {
  const [a, b] = net.nodes("a", "b");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  // When a got b's answer: the entry's confirmation time.
  const confirmed = net.trace.first({ kind: "rx", node: "a", arp: true })!.time;
  const reachable = a.root.ip.neigh.reachableTime;
  return { a, b, confirmed, reachable };
}

function state(a: ReturnType<typeof build>["a"]): string {
  return ipNeigh(a).map((l) => l.split(" ").at(-1)).join(",");
}

scenario("expiry: REACHABLE for reachable_time, then STALE — without sending a frame", (net) => {
  const { a, confirmed, reachable } = build(net);
  assert.equal(
    a.sh("sysctl net.ipv4.neigh.default.base_reachable_time_ms").stdout.trim(),
    "net.ipv4.neigh.default.base_reachable_time_ms = 30000",
  );
  assert.ok(reachable >= 15 * s && reachable < 45 * s, `reachable_time ${reachable / s} s`);
  net.run(confirmed + reachable - 1 * ms);
  assert.equal(state(a), "REACHABLE");
  net.run(confirmed + reachable);
  assert.equal(state(a), "STALE");
  net.runFor(100 * s);
  assert.equal(state(a), "STALE");
  // a asked once; its only other ARP frame answers b's own check of a, 5 s in.
  assert.deepEqual(arpSent(net, "a"), [
    "who-has 10.0.0.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff",
    `10.0.0.1 is-at ${a.mac("eth0")} to ${net.get("b").mac("eth0")}`,
  ]);
});

scenario("expiry: STALE → DELAY on use → PROBE by unicast 5 s later → REACHABLE", (net) => {
  const { a, b, confirmed, reachable } = build(net);
  net.run(confirmed + reachable + 10 * s);
  assert.equal(state(a), "STALE");
  const t1 = net.sim.now;
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  // The echo request left at once, to the cached MAC, with no ARP before it.
  const echo = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" }).at(-1)!;
  assert.equal(echo.time, t1);
  assert.equal(echo.packet.eth.dst, b.iface("eth0").mac);
  assert.equal(state(a), "DELAY");
  net.run(t1 + 5 * s - 1 * ms);
  assert.equal(state(a), "DELAY");
  net.run(t1 + 5 * s + 10 * us); // the probe is out, its answer not yet back
  assert.equal(state(a), "PROBE");
  assert.deepEqual(arpSent(net, "a", t1), [
    `who-has 10.0.0.2 tell 10.0.0.1 to ${b.mac("eth0")}`,
  ]);
  assert.equal(net.trace.filter({ kind: "tx", node: "a", arp: true }).at(-1)!.time, t1 + 5 * s);
  net.runFor(1 * ms);
  assert.equal(state(a), "REACHABLE");
  // Only b saw the probe: it was unicast, and the switch knew b's port.
  const fromA = (e: TraceEvent) =>
    e.time >= t1 && e.packet.arp?.op === 1 && e.packet.arp.senderMac === a.iface("eth0").mac;
  assert.deepEqual(where(net, { kind: "rx", where: fromA }), ["sw:port1", "b:eth0"]);
});

scenario("expiry: if the neighbour stops answering, three unicast probes, then FAILED", (net) => {
  const { a, b, confirmed, reachable } = build(net);
  net.run(confirmed + reachable + 1 * s);
  b.sh("ip addr del 10.0.0.2/24 dev eth0"); // b no longer owns the address
  const t1 = net.sim.now;
  const out = a.sh("ping -c 1 -W 1 10.0.0.2");
  assert.match(out.stdout, /1 packets transmitted, 0 received, 100% packet loss/);
  net.run(t1 + 7 * s + 500 * ms);
  assert.equal(state(a), "PROBE");
  net.run(t1 + 8 * s);
  assert.equal(state(a), "FAILED");
  assert.deepEqual(ipNeigh(a), ["10.0.0.2 dev eth0 FAILED"]);
  const probes = net.trace.filter({ kind: "tx", node: "a", arp: true, where: (e) => e.time > t1 });
  assert.deepEqual(probes.map((e) => (e.time - t1) / s), [5, 6, 7]);
  assert.ok(probes.every((e) => e.packet.eth.dst === b.iface("eth0").mac));
  // b saw each one and, owning 10.0.0.2 no more, kept quiet.
  assert.equal(arpSent(net, "b", t1).length, 0);
});

scenario("expiry: every host draws its own reachable_time within [15 s, 45 s)", (net) => {
  const hosts = net.nodes("h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8");
  const times = hosts.map((h) => h.root.ip.neigh.reachableTime);
  for (const t of times) assert.ok(t >= 15 * s && t < 45 * s, `${t / s} s`);
  assert.ok(new Set(times).size > 1, "all hosts drew the same reachable_time");
});
