/**
 * A MAC that moves: a virtual machine migrates from hypervisor 1 (a hub on
 * switch port 1) to hypervisor 2 (a hub on port 2), keeping its MAC and IP.
 * Until it speaks from its new place the switch still sends its frames to the
 * old port, where they are lost; its first frame from the new port — a
 * gratuitous ARP, or any frame — moves the switch's entry, as the notes warn
 * ("the port a machine is on may change, so the table is relearned").
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac, ip } from "../../core/wire/addr.ts";
import { ms } from "../../core/sim/simulator.ts";
import { perPort } from "./frames.ts";

function build(net: Network) {
  const [a, vm1, vm2] = net.nodes("a", "vm-on-hv1", "vm-on-hv2");
  const sw = net.switch("sw");
  const hv1 = net.hub("hv1");
  const hv2 = net.hub("hv2");
  net.connect(hv1, sw); // sw port1
  net.connect(hv2, sw); // sw port2
  net.connect(a, sw); // sw port3
  net.connect(vm1, hv1);
  net.connect(vm2, hv2, { up: false }); // the VM is not running on hypervisor 2 yet
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  vm1.sh("ip addr add 10.0.0.10/24 dev eth0");
  const vmMac = vm1.mac("eth0");
  assert.equal(a.sh("ping -c 1 10.0.0.10").status, 0);
  assert.equal(sw.lookup(vm1.iface("eth0").mac)?.name, "port1");
  // Live migration: the VM stops on hypervisor 1 and resumes on hypervisor 2.
  vm1.sh("ip link set eth0 down");
  vm2.sh(`ip link set dev eth0 address ${vmMac}`);
  vm2.sh("ip addr add 10.0.0.10/24 dev eth0; ip link set eth0 up");
  return { a, vm2, sw, vmMac };
}

scenario(
  "moved MAC: until the VM speaks, the switch still sends its frames to the old port",
  (net) => {
    const { a, sw, vmMac } = build(net);
    const t0 = net.sim.now;
    const out = a.sh("ping -c 2 -W 1 10.0.0.10");
    assert.match(out.stdout, /2 packets transmitted, 0 received, 100% packet loss/);
    const after = (e: { time: number }) => e.time >= t0;
    // Both echo requests went to port1 — where the VM used to be — and nowhere else.
    assert.deepEqual(perPort(net, { kind: "tx", node: "sw", icmp: "echo-request", where: after }), {
      "sw:port1": 2,
    });
    // Hypervisor 1's hub has no live port left to repeat them to.
    assert.equal(
      net.trace.filter({ kind: "consume", node: "hv1", icmp: "echo-request", where: after }).length,
      2,
    );
    assert.equal(net.trace.filter({ kind: "rx", node: "vm-on-hv2", proto: 1 }).length, 0);
    assert.equal(sw.fdb().find((e) => formatMac(e.mac) === vmMac)?.port.name, "port1");
    assert.equal(sw.stats.moved, 0);
  },
);

scenario("moved MAC: the VM's gratuitous ARP moves the switch entry to the new port", (net) => {
  const { a, vm2, sw, vmMac } = build(net);
  // What hypervisors do after a migration: arping -U 10.0.0.10.
  vm2.root.ip.neigh.announce(vm2.iface("eth0"), ip("10.0.0.10"));
  net.runFor(1 * ms);
  assert.equal(sw.stats.moved, 1);
  assert.deepEqual(
    sw.fdb().map((e) => [formatMac(e.mac), e.port.name]),
    [[vmMac, "port2"], [a.mac("eth0"), "port3"]],
  );
  // The announcement was a broadcast: a got it, and its entry (same MAC) stays as it was.
  assert.match(
    a.sh("ip neigh").stdout,
    new RegExp(`^10\\.0\\.0\\.10 dev eth0 lladdr ${vmMac} REACHABLE`, "m"),
  );
  const t0 = net.sim.now;
  const out = a.sh("ping -c 2 10.0.0.10");
  assert.match(out.stdout, /2 packets transmitted, 2 received, 0% packet loss/);
  assert.deepEqual(
    perPort(net, { kind: "tx", node: "sw", icmp: "echo-request", where: (e) => e.time >= t0 }),
    { "sw:port2": 2 },
  );
});

scenario("moved MAC: any frame from the new port moves it, here the VM's own ping", (net) => {
  const { vm2, sw } = build(net);
  assert.equal(vm2.sh("ping -c 1 10.0.0.1").status, 0);
  assert.equal(sw.stats.moved, 1);
  assert.equal(sw.lookup(vm2.iface("eth0").mac)?.name, "port2");
  // The VM had no neighbour entries on its new host: its first frame was its ARP request.
  const first = net.trace.first({ kind: "rx", node: "sw", iface: "port2" })!;
  assert.equal(first.packet.arp?.op, 1);
});
