/**
 * A hub works at the physical layer, as the notes say: every frame that comes
 * in on one port goes out of every other port, unchanged, and never back out
 * of the port it came from. It learns nothing, so a conversation between two
 * hosts is seen by every host on the hub; the bystanders' NICs see frames that
 * are not for them and drop them ("not for this host").
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";
import { ms } from "../../core/sim/simulator.ts";
import { fromMac, perPort } from "./frames.ts";

function build(net: Network) {
  const [a, b, c, d] = net.nodes("a", "b", "c", "d");
  const hub = net.hub("hub");
  for (const n of [a, b, c, d]) net.connect(n, hub);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  d.sh("ip addr add 10.0.0.4/24 dev eth0");
  return { a, b, c, d, hub };
}

scenario("hub: each frame leaves by every other port, three copies on a four-port hub", (net) => {
  const { a, b, hub } = build(net);
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  // Four frames entered the hub: a's ARP request and echo request on port1,
  // b's ARP reply and echo reply on port2.
  assert.deepEqual(perPort(net, { kind: "rx", node: "hub" }), { "hub:port1": 2, "hub:port2": 2 });
  // Each went out of the three other ports: 12 transmissions in all.
  assert.deepEqual(perPort(net, { kind: "tx", node: "hub" }), {
    "hub:port1": 2,
    "hub:port2": 2,
    "hub:port3": 4,
    "hub:port4": 4,
  });
  // Never back where it came from.
  assert.equal(
    net.trace.filter({ kind: "tx", iface: "port1", where: fromMac(a.mac("eth0")) }).length,
    0,
  );
  assert.equal(
    net.trace.filter({ kind: "tx", iface: "port2", where: fromMac(b.mac("eth0")) }).length,
    0,
  );
  // The port counters say the same.
  assert.deepEqual(
    hub.ports.map((p) => [p.name, p.counters.rxPackets, p.counters.txPackets]),
    [["port1", 2, 2], ["port2", 2, 2], ["port3", 0, 4], ["port4", 0, 4]],
  );
});

scenario("hub: the copies are the frame as sent, addresses untouched", (net) => {
  const { a, b } = build(net);
  a.sh("ping -c 1 10.0.0.2");
  const header = (e: { packet: { eth: { src: number; dst: number; type: number } } }) =>
    `${formatMac(e.packet.eth.src)} > ${formatMac(e.packet.eth.dst)} 0x${
      e.packet.eth.type.toString(16)
    }`;
  const sent = net.trace.filter({ kind: "tx", where: (e) => e.node !== "hub" }).map(header);
  assert.equal(sent.length, 4);
  for (const h of sent) {
    const copies = net.trace.filter({ kind: "tx", node: "hub" }).map(header).filter((x) => x === h);
    assert.equal(copies.length, 3, `${h} repeated ${copies.length} times`);
  }
  // The request is a broadcast; everything after it is unicast between a and b.
  const [ma, mb] = [a.mac("eth0"), b.mac("eth0")];
  assert.deepEqual(sent, [
    `${ma} > ff:ff:ff:ff:ff:ff 0x806`,
    `${mb} > ${ma} 0x806`,
    `${ma} > ${mb} 0x800`,
    `${mb} > ${ma} 0x800`,
  ]);
});

scenario(
  "hub: bystanders receive a and b's unicast frames and drop them as not for them",
  (net) => {
    const { a, c, d } = build(net);
    a.sh("ping -c 1 10.0.0.2");
    net.runFor(1 * ms); // ping stops at the reply; its copies to c and d are still on the wire
    for (const host of ["c", "d"]) {
      const got = net.trace.filter({ kind: "rx", node: host }).map((e) =>
        e.packet.arp
          ? (e.packet.arp.op === 1 ? "arp request" : "arp reply")
          : `icmp ${e.packet.icmp!.type}`
      );
      assert.deepEqual(got, ["arp request", "arp reply", "icmp 8", "icmp 0"]);
      // The broadcast request is read (and not answered: it asks for 10.0.0.2);
      // the three unicast frames are addressed to another MAC and dropped.
      const dropped = net.trace.filter({ kind: "drop", node: host });
      assert.deepEqual(dropped.map((e) => e.reason), Array(3).fill("not for this host"));
      assert.equal(net.trace.filter({ kind: "tx", node: host }).length, 0);
    }
    // Overhearing a request teaches nothing: no entry for a on the bystanders.
    assert.equal(c.sh("ip neigh show dev eth0").stdout, "");
    assert.equal(d.sh("ip neigh show dev eth0").stdout, "");
  },
);

scenario(
  "hub: it learns nothing, so every later echo request is repeated everywhere again",
  (net) => {
    const { a } = build(net);
    const out = a.sh("ping -c 3 10.0.0.2");
    assert.match(out.stdout, /3 packets transmitted, 3 received, 0% packet loss/);
    assert.deepEqual(perPort(net, { kind: "tx", node: "hub", icmp: "echo-request" }), {
      "hub:port2": 3,
      "hub:port3": 3,
      "hub:port4": 3,
    });
    assert.deepEqual(
      perPort(net, { kind: "drop", reason: "not for this host", icmp: "echo-request" }),
      {
        "c:eth0": 3,
        "d:eth0": 3,
      },
    );
  },
);

scenario("hub: two conversations at once — each pair hears the other pair", (net) => {
  const { a, c } = build(net);
  a.sh("ping -c 2 -i 0.5 10.0.0.2 &");
  c.sh("ping -c 2 -i 0.5 10.0.0.4 &");
  a.sh("wait");
  c.sh("wait");
  // Every host received every echo request and reply the other pair sent.
  assert.deepEqual(
    perPort(net, { kind: "drop", reason: "not for this host", proto: 1 }),
    { "a:eth0": 4, "b:eth0": 4, "c:eth0": 4, "d:eth0": 4 },
  );
  // And the answers they wanted arrived.
  assert.equal(net.trace.filter({ kind: "deliver", node: "a" }).length, 2);
  assert.equal(net.trace.filter({ kind: "deliver", node: "c" }).length, 2);
});
