/**
 * Ageing: a switch forgets a MAC it has not seen as a source for the ageing
 * time — 300 s by default (IEEE 802.1D, Linux bridges), shorter when set (as
 * `brctl setageing br0 10` does). Traffic from the MAC keeps the entry fresh;
 * once forgotten, the next frame for that MAC is flooded again, even though
 * the sender's ARP cache still holds the MAC.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { parseMac } from "../../core/wire/addr.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { perPort } from "./frames.ts";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  for (const n of [a, b, c]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  return { a, b, c, sw };
}

/** When the switch last received a frame from `mac`. */
function lastSeen(net: Network, mac: string): number {
  const m = parseMac(mac)!;
  const rx = net.trace.filter({ kind: "rx", node: "sw", where: (e) => e.packet.eth.src === m });
  return rx[rx.length - 1]!.time;
}

scenario("ageing: an entry lives 300 s after its MAC was last seen, then it is gone", (net) => {
  const { a, b, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  net.runFor(20 * s); // b's check of a 5 s later (a unicast ARP probe) is the last frame
  const seenA = lastSeen(net, a.mac("eth0"));
  const seenB = lastSeen(net, b.mac("eth0"));
  assert.ok(seenA > 5 * s && seenA < 6 * s, `a last seen at ${seenA}`);
  net.run(seenA + 299 * s);
  assert.equal(sw.lookup(a.iface("eth0").mac)?.name, "port1");
  assert.equal(sw.showMacs().split("\n")[1], `  1\t${a.mac("eth0")}\tno\t\t299.00`);
  net.run(seenA + 300 * s - 1);
  assert.equal(sw.lookup(a.iface("eth0").mac)?.name, "port1");
  net.run(Math.max(seenA, seenB) + 300 * s);
  assert.equal(sw.lookup(a.iface("eth0").mac), undefined);
  assert.deepEqual(sw.fdb(), []);
  assert.equal(sw.stats.aged, 2);
  assert.equal(sw.showMacs(), "port no\tmac addr\t\tis local?\tageing timer");
});

scenario("ageing: once forgotten, the next frame for the host is flooded again", (net) => {
  const { a, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  net.runFor(310 * s);
  assert.deepEqual(sw.fdb(), []);
  // a's ARP cache still has b (STALE), so a sends straight to b's MAC, no ARP...
  assert.match(a.sh("ip neigh").stdout, /^10\.0\.0\.2 dev eth0 lladdr \S+ STALE/m);
  const t0 = net.sim.now;
  assert.equal(a.sh("ping -c 2 10.0.0.2").status, 0);
  const after = (e: { time: number }) => e.time >= t0;
  assert.equal(net.trace.filter({ kind: "tx", node: "a", arp: true, where: after }).length, 0);
  // ...which the switch no longer knows: the first echo request is flooded, and c
  // drops its copy. b's reply teaches the switch again; the second goes to port2 only.
  assert.deepEqual(
    net.trace.filter({ kind: "tx", node: "sw", icmp: "echo-request", where: after }).map((e) =>
      e.iface
    ),
    ["port2", "port3", "port2"],
  );
  assert.deepEqual(perPort(net, { kind: "drop", node: "c", where: after }), { "c:eth0": 1 });
});

scenario("ageing: a shorter ageing time forgets sooner", (net) => {
  const { a, b, sw } = build(net);
  sw.ageingTime = 10 * s; // brctl setageing sw 10
  a.sh("ping -c 1 10.0.0.2");
  net.runFor(8 * s);
  const last = Math.max(lastSeen(net, a.mac("eth0")), lastSeen(net, b.mac("eth0")));
  net.run(last + 10 * s - 1 * ms);
  assert.equal(sw.fdb().length, 2);
  net.run(last + 10 * s);
  assert.deepEqual(sw.fdb(), []);
  assert.equal(sw.stats.aged, 2);
});

scenario("ageing: steady traffic keeps the entries fresh well past the ageing time", (net) => {
  const { a, sw } = build(net);
  sw.ageingTime = 10 * s;
  const out = a.sh("ping -c 30 10.0.0.2");
  assert.match(out.stdout, /30 packets transmitted, 30 received, 0% packet loss, time 29\d\d\dms/);
  assert.equal(sw.stats.aged, 0);
  assert.equal(sw.fdb().length, 2);
  // Never forgotten, so nothing after the first ARP request was flooded: c got one frame.
  assert.equal(sw.stats.flooded, 1);
  assert.deepEqual(perPort(net, { kind: "rx", node: "c" }), { "c:eth0": 1 });
});
