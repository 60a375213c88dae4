/**
 * Filtering: when the destination of a frame was learned on the very port the
 * frame came in on, the switch drops it — the destination already has it, on
 * the shared segment behind that port. Here a and b share a hub on switch port
 * 1: their conversation never leaves the hub's segment, while c, on port 2,
 * still reaches both through the one port.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";
import { ms } from "../../core/sim/simulator.ts";
import { perPort } from "./frames.ts";

function build(net: Network) {
  const [a, b, c, d] = net.nodes("a", "b", "c", "d");
  const hub = net.hub("hub");
  const sw = net.switch("sw");
  net.connect(hub, sw, { name: "uplink" }); // sw port1
  net.connect(a, hub);
  net.connect(b, hub);
  net.connect(c, sw); // sw port2
  net.connect(d, sw); // sw port3
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  d.sh("ip addr add 10.0.0.4/24 dev eth0");
  return { a, b, c, d, hub, sw };
}

scenario("switch filtering: a and b's unicast frames stop at the port they came in on", (net) => {
  const { a, sw } = build(net);
  assert.equal(a.sh("ping -c 2 10.0.0.2").status, 0);
  net.runFor(1 * ms);
  // The ARP request was flooded (to c and d); the reply and the four ICMP frames
  // were for a MAC behind port1, where they came from: filtered, five times.
  assert.equal(sw.stats.flooded, 1);
  assert.equal(sw.stats.filtered, 5);
  assert.equal(sw.stats.forwarded, 0);
  assert.deepEqual(
    net.trace.filter({ kind: "consume", node: "sw" }).map((e) => `${e.iface} ${e.detail}`),
    Array(5).fill("port1 switch: filtered (destination on arrival port)"),
  );
  // Nothing of theirs but the broadcast reached c or d.
  assert.deepEqual(perPort(net, { kind: "rx", node: "c" }), { "c:eth0": 1 });
  assert.deepEqual(perPort(net, { kind: "rx", node: "d" }), { "d:eth0": 1 });
  assert.equal(sw.port("port1")!.counters.txPackets, 0);
  assert.equal(sw.port("port2")!.counters.txPackets, 1);
});

scenario("switch filtering: both MACs of the hub's segment are learned on the one port", (net) => {
  const { a, b, c, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  c.sh("ping -c 1 10.0.0.1");
  assert.deepEqual(
    sw.fdb().map((e) => [formatMac(e.mac), e.port.name]),
    [[a.mac("eth0"), "port1"], [b.mac("eth0"), "port1"], [c.mac("eth0"), "port2"]],
  );
});

scenario("switch filtering: traffic from another port still crosses to the segment", (net) => {
  const { a, c, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  const t0 = net.sim.now;
  const out = c.sh("ping -c 1 10.0.0.1");
  assert.match(out.stdout, /1 received/);
  net.runFor(1 * ms);
  const after = (e: { time: number }) => e.time >= t0;
  // c's echo request goes to port1 only (a is known there), and the hub then
  // repeats it to both a and b: b drops its copy.
  assert.deepEqual(perPort(net, { kind: "tx", node: "sw", icmp: "echo-request", where: after }), {
    "sw:port1": 1,
  });
  assert.deepEqual(
    perPort(net, { kind: "drop", reason: "not for this host", icmp: "echo-request", where: after }),
    { "b:eth0": 1 },
  );
  // The reply from a to c crosses the switch to port2 alone; d sees nothing of it.
  assert.deepEqual(perPort(net, { kind: "tx", node: "sw", icmp: "echo-reply", where: after }), {
    "sw:port2": 1,
  });
  assert.equal(net.trace.filter({ kind: "rx", node: "d", proto: 1 }).length, 0);
  assert.equal(sw.stats.filtered, 3); // a's ARP reply, echo request and reply to b earlier
});
