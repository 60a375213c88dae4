/**
 * Frames with nowhere to go. A switch with a single cable can flood a frame
 * for an unknown MAC (or a broadcast) to no other port: it consumes it. A
 * frame addressed to the sender's own MAC is filtered on its arrival port. A
 * hub with one cable repeats to nobody. And a switch whose other ports have no
 * link floods to none of them — it sends nothing down a dead cable.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms } from "../../core/sim/simulator.ts";
import { ipNeigh, sendArp } from "./frames.ts";

scenario("one-port switch: a frame for an unknown MAC has nowhere to be flooded", (net) => {
  const [a] = net.nodes("a");
  const sw = net.switch("sw");
  net.connect(a, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  a.sh("ip neigh add 10.0.0.2 lladdr 02:00:00:00:99:99 dev eth0");
  const out = a.sh("ping -c 1 -W 1 10.0.0.2");
  assert.match(out.stdout, /1 packets transmitted, 0 received, 100% packet loss/);
  const ends = net.trace.filter({ node: "sw", where: (e) => e.kind !== "rx" });
  assert.deepEqual(ends.map((e) => `${e.kind} ${e.iface} ${e.detail}`), [
    "consume port1 switch: nowhere to flood",
  ]);
  assert.deepEqual([sw.stats.flooded, sw.stats.forwarded, sw.stats.learned], [1, 0, 1]);
  assert.equal(sw.port("port1")!.counters.txPackets, 0);
});

scenario("one-port switch: broadcasts die there too, and the ARP fails", (net) => {
  const [a] = net.nodes("a");
  const sw = net.switch("sw");
  net.connect(a, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  const out = a.sh("ping -c 1 10.0.0.2");
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  assert.equal(
    net.trace.filter({
      kind: "consume",
      node: "sw",
      where: (e) => e.detail === "switch: nowhere to flood",
    })
      .length,
    3,
  );
  assert.deepEqual(ipNeigh(a), ["10.0.0.2 dev eth0 FAILED"]);
});

scenario("one-port switch: a frame to the sender's own MAC is filtered where it came in", (net) => {
  const [a] = net.nodes("a");
  const sw = net.switch("sw");
  net.connect(a, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  sendArp(net, a, "eth0", {
    op: "reply",
    senderIp: "10.0.0.1",
    targetIp: "10.0.0.1",
    ethDst: a.mac("eth0"),
  });
  net.runFor(1 * ms);
  assert.equal(sw.stats.filtered, 1);
  assert.equal(
    net.trace.first({ kind: "consume", node: "sw" })?.detail,
    "switch: filtered (destination on arrival port)",
  );
  assert.equal(net.trace.filter({ kind: "rx", node: "a" }).length, 0);
});

scenario("one-cable hub: it repeats to nobody", (net) => {
  const [a] = net.nodes("a");
  const hub = net.hub("hub");
  net.connect(a, hub);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  a.sh("ping -c 1 10.0.0.2");
  const ends = net.trace.filter({ node: "hub", where: (e) => e.kind !== "rx" });
  assert.deepEqual(
    ends.map((e) => `${e.kind} ${e.detail}`),
    Array(3).fill("consume hub: no other port"),
  );
});

scenario("dead ports: a switch floods nothing down cables without link", (net) => {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw, { up: false }); // b's NIC was never brought up
  const cableC = net.connect(c, sw);
  cableC.setUp(false); // c's cable is unplugged
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  a.sh("ping -c 1 10.0.0.2");
  assert.deepEqual(sw.ports.map((p) => [p.name, p.operUp]), [
    ["port1", true],
    ["port2", false],
    ["port3", false],
  ]);
  // Three ARP requests came in; none went out, and none was dropped at a dead port.
  assert.equal(net.trace.filter({ kind: "rx", node: "sw" }).length, 3);
  assert.equal(net.trace.filter({ kind: "tx", node: "sw" }).length, 0);
  assert.equal(net.trace.filter({ kind: "drop", node: "sw" }).length, 0);
  assert.equal(net.trace.filter({ node: "b" }).length + net.trace.filter({ node: "c" }).length, 0);
});
