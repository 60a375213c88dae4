/**
 * Pulling a cable (`link.setUp(false)`): frames already on the wire are lost
 * ("link down"); both ends lose carrier, so `ip link` shows NO-CARRIER and
 * state DOWN and `ip route` marks the subnet route "linkdown"; nothing new
 * leaves a NIC without carrier. Linux also forgets the learned neighbours of
 * that NIC (the cable may now lead elsewhere) and keeps the permanent ones; a
 * switch forgets the MACs it learned on the port. Plugging it back restores
 * everything, starting with a fresh ARP request.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac } from "../../core/wire/addr.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { arpSent, ipNeigh } from "./frames.ts";

/** a and b on a 10 ms cable, ARP already done. */
function pair(net: Network) {
  const [a, b] = net.nodes("a", "b");
  const cable = net.connect(a, b, { delay: "10ms" });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  return { a, b, cable };
}

scenario("cable pulled: a frame on the wire is lost with 'link down'", (net) => {
  const { a, cable } = pair(net);
  const t0 = net.sim.now;
  a.sh("ping -c 1 -W 2 10.0.0.2 > /tmp/ping.txt &");
  net.runFor(5 * ms); // the echo request is half-way
  cable.setUp(false);
  a.sh("wait");
  const lost = net.trace.filter({ kind: "drop", reason: "link down", where: (e) => e.time >= t0 });
  assert.deepEqual(lost.map((e) => [e.node, e.iface, e.time - t0, e.packet.icmp?.type]), [
    ["b", "eth0", 10 * ms + 784, 8], // arrival time: 10 ms + 98 bytes at 1 Gbit/s
  ]);
  assert.match(a.sh("cat /tmp/ping.txt").stdout, /1 packets transmitted, 0 received/);
});

scenario("cable pulled: both ends show NO-CARRIER, state DOWN, and linkdown routes", (net) => {
  const { a, b, cable } = pair(net);
  cable.setUp(false);
  for (const n of [a, b]) {
    const link = n.sh("ip link show eth0").stdout.split("\n")[0]!;
    assert.match(link, /^2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 .* state DOWN /);
  }
  assert.match(
    a.sh("ip route").stdout,
    /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.1 linkdown\s*$/m,
  );
  cable.setUp(true);
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP /,
  );
  assert.doesNotMatch(a.sh("ip route").stdout, /linkdown/);
});

scenario("cable pulled: learned neighbours are forgotten, permanent ones kept", (net) => {
  const { a, cable } = pair(net);
  a.sh("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0");
  assert.equal(ipNeigh(a).length, 2);
  cable.setUp(false);
  assert.deepEqual(ipNeigh(a), ["10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT"]);
});

scenario("cable pulled: nothing new leaves the NIC — ping fails at the sender", (net) => {
  const { a, cable } = pair(net);
  cable.setUp(false);
  const t0 = net.sim.now;
  const out = a.sh("ping -c 1 10.0.0.2");
  // The neighbour was forgotten; the ARP requests never leave a NIC without carrier.
  assert.match(out.stdout, /^From 10\.0\.0\.1 icmp_seq=1 Destination Host Unreachable$/m);
  assert.equal(
    net.trace.filter({ kind: "tx", node: "a", iface: "eth0", where: (e) => e.time >= t0 }).length,
    0,
  );
  const dropped = net.trace.filter({
    kind: "drop",
    node: "a",
    reason: "link down",
    where: (e) => e.time >= t0,
  });
  assert.deepEqual(dropped.map((e) => [(e.time - t0) / s, e.packet.arp?.op]), [[0, 1], [1, 1], [
    2,
    1,
  ]]);
  assert.equal(net.trace.filter({ kind: "rx", node: "b", where: (e) => e.time >= t0 }).length, 0);
});

scenario("cable plugged back: a fresh ARP request, then the ping works", (net) => {
  const { a, b, cable } = pair(net);
  cable.setUp(false);
  net.runFor(1 * s);
  cable.setUp(true);
  const t0 = net.sim.now;
  const out = a.sh("ping -c 1 10.0.0.2");
  assert.match(out.stdout, /^64 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64/m);
  assert.deepEqual(arpSent(net, "a", t0), ["who-has 10.0.0.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} REACHABLE`]);
});

scenario("cable pulled from a switch port: the switch forgets what it learned there", (net) => {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  net.connect(a, sw);
  const cableB = net.connect(b, sw);
  net.connect(c, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  a.sh("ping -c 1 10.0.0.2");
  assert.equal(sw.lookup(b.iface("eth0").mac)?.name, "port2");
  cableB.setUp(false);
  assert.deepEqual(sw.fdb().map((e) => formatMac(e.mac)), [a.mac("eth0")]);
  // a's frames for b are now flooded — but never out of the dead port.
  const t0 = net.sim.now;
  a.sh("ping -c 1 -W 1 10.0.0.2");
  const out = net.trace.filter({ kind: "tx", node: "sw", where: (e) => e.time >= t0 });
  assert.ok(out.length > 0);
  assert.ok(out.every((e) => e.iface === "port3"), out.map((e) => e.iface).join(","));
  assert.equal(net.trace.filter({ node: "sw", kind: "drop" }).length, 0);
});
