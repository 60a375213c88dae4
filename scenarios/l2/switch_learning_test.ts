/**
 * A learning switch, as the notes describe it: it remembers the port each
 * source MAC came from, sends a frame for a known MAC out of that one port,
 * and floods broadcasts and frames for unknown MACs out of every port but the
 * one they came in on. Once it has learned, the other hosts see nothing of a
 * conversation that is not theirs.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";
import { ms } from "../../core/sim/simulator.ts";
import { perPort } from "./frames.ts";

function build(net: Network) {
  const [a, b, c, d] = net.nodes("a", "b", "c", "d");
  const sw = net.switch("sw");
  for (const n of [a, b, c, d]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  d.sh("ip addr add 10.0.0.4/24 dev eth0");
  return { a, b, c, d, sw };
}

scenario("switch: the table starts empty and learns each source MAC on its arrival port", (net) => {
  const { a, b, sw } = build(net);
  assert.deepEqual(sw.fdb(), []);
  a.sh("ping -c 1 10.0.0.2");
  // a spoke on port1, b on port2; c and d said nothing, so the switch does not know them.
  assert.deepEqual(
    sw.fdb().map((e) => [formatMac(e.mac), e.port.name]),
    [[a.mac("eth0"), "port1"], [b.mac("eth0"), "port2"]],
  );
  assert.equal(sw.stats.learned, 2);
  assert.equal(
    sw.showMacs(),
    [
      "port no\tmac addr\t\tis local?\tageing timer",
      `  1\t${a.mac("eth0")}\tno\t\t  0.00`,
      `  2\t${b.mac("eth0")}\tno\t\t  0.00`,
    ].join("\n"),
  );
  // a was learned from its ARP request, before b had said anything.
  const learnedA = net.trace.first({ kind: "rx", node: "sw", arp: true })!;
  assert.equal(learnedA.iface, "port1");
  assert.equal(formatMac(learnedA.packet.eth.src), a.mac("eth0"));
});

scenario("switch: a broadcast goes out of every port except the one it came in on", (net) => {
  const { a, sw } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  assert.deepEqual(
    perPort(net, { kind: "tx", node: "sw", where: (e) => e.packet.arp?.op === 1 }),
    { "sw:port2": 1, "sw:port3": 1, "sw:port4": 1 },
  );
  // Every other host got the request once; a did not get its own back.
  assert.deepEqual(
    perPort(net, { kind: "rx", where: (e) => e.node !== "sw" && e.packet.arp?.op === 1 }),
    { "b:eth0": 1, "c:eth0": 1, "d:eth0": 1 },
  );
  assert.equal(sw.stats.flooded, 1);
});

scenario("switch: known unicast leaves by one port, and the other hosts see nothing", (net) => {
  const { a, c, d, sw } = build(net);
  const out = a.sh("ping -c 3 10.0.0.2");
  assert.match(out.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
  net.runFor(1 * ms);
  // The reply to the ARP request and all six ICMP frames were switched, not flooded.
  assert.deepEqual(perPort(net, { kind: "tx", node: "sw", proto: 1 }), {
    "sw:port2": 3,
    "sw:port1": 3,
  });
  assert.deepEqual(perPort(net, { kind: "tx", node: "sw", where: (e) => e.packet.arp?.op === 2 }), {
    "sw:port1": 1,
  });
  assert.deepEqual(sw.stats, {
    forwarded: 7,
    flooded: 1,
    filtered: 0,
    learned: 2,
    moved: 0,
    aged: 0,
  });
  // c and d received one frame each — the broadcast — and nothing to drop.
  for (const n of [c, d]) {
    assert.equal(n.iface("eth0").counters.rxPackets, 1);
    assert.equal(net.trace.filter({ kind: "drop", node: n.name }).length, 0);
  }
  assert.equal(sw.port("port3")!.counters.txPackets, 1);
  assert.equal(sw.port("port4")!.counters.txPackets, 1);
});

scenario("switch: a frame for a MAC it has not seen is flooded, until the owner speaks", (net) => {
  const { a, b, sw } = build(net);
  // a knows b's MAC already (a static entry), so no ARP precedes its first frame.
  assert.equal(a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0`).status, 0);
  a.sh("ping -c 2 10.0.0.2");
  const requests = net.trace.filter({ kind: "tx", node: "sw", icmp: "echo-request" });
  // Echo request 1: b unknown, flooded to ports 2, 3 and 4; c and d drop their copy.
  // b answered (after asking for a's MAC itself), so echo request 2 went to port2 only.
  assert.deepEqual(requests.map((e) => e.iface), ["port2", "port3", "port4", "port2"]);
  assert.deepEqual(
    perPort(net, { kind: "drop", reason: "not for this host", icmp: "echo-request" }),
    { "c:eth0": 1, "d:eth0": 1 },
  );
  assert.equal(sw.lookup(b.iface("eth0").mac)?.name, "port2");
});
