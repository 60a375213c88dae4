/**
 * Packets on a route through a down interface, as Linux handles them. When a
 * router's outgoing interface is taken down, every route through it — the
 * connected one and the static ones — is flushed; packets for those networks
 * now have no route, and the router says so with "Destination Net
 * Unreachable". Bringing the interface up restores only the connected route;
 * static routes must be added again. When instead the far end goes away (no
 * carrier), the routes stay, marked `linkdown`, and are still used: ARP gets
 * no answer and the router reports "Destination Host Unreachable" after 3 s.
 *
 *   a 10.0.1.2 ── 10.0.1.1 r 10.0.2.1 ── 10.0.2.2 b (a router for 192.168.9.0/24)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";

function build(net: Network) {
  const [a, r, b] = net.nodes("a", "r", "b");
  net.connect(a, r);
  net.connect(r, b);
  a.sh("ip addr add 10.0.1.2/24 dev eth0; ip route add default via 10.0.1.1");
  r.sh("ip addr add 10.0.1.1/24 dev eth0; ip addr add 10.0.2.1/24 dev eth1");
  r.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 192.168.9.0/24 via 10.0.2.2");
  b.sh("ip addr add 10.0.2.2/24 dev eth0; ip addr add 192.168.9.1/24 dev eth0");
  b.sh("ip route add default via 10.0.2.1");
  return { a, r, b };
}

function routes(r: ReturnType<typeof build>["r"]): string[] {
  return (JSON.parse(r.sh("ip -j route").stdout) as Array<{ dst: string; flags: string[] }>)
    .map((x) => `${x.dst}${x.flags.length ? " " + x.flags.join(",") : ""}`);
}

scenario(
  "gateway: an interface taken down takes its routes, and the router says net unreachable",
  (net) => {
    const { a, r } = build(net);
    assert.equal(a.sh("ping -c 1 192.168.9.1").status, 0);
    r.sh("ip link set eth1 down");
    assert.deepEqual(routes(r), ["10.0.1.0/24"]);
    for (const dst of ["10.0.2.2", "192.168.9.1"]) {
      const out = a.sh(`ping -c 1 ${dst}`);
      assert.equal(out.status, 1, dst);
      assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Destination Net Unreachable$/m, dst);
    }
    const drops = net.trace.filter({ kind: "drop", node: "r" });
    assert.deepEqual(drops.map((e) => e.reason), ["no route", "no route"]);
    const errors = net.trace.filter({ kind: "tx", node: "r", icmp: 3 });
    assert.deepEqual(errors.map((e) => [e.iface, e.packet.icmp!.code]), [["eth0", 0], ["eth0", 0]]);
    // Only the first ping's request (before the shutdown) ever left through eth1.
    assert.equal(net.trace.filter({ kind: "tx", node: "r", iface: "eth1", proto: 1 }).length, 1);
  },
);

scenario("gateway: up again, only the connected route returns", (net) => {
  const { a, r } = build(net);
  r.sh("ip link set eth1 down; ip link set eth1 up");
  assert.deepEqual(routes(r), ["10.0.1.0/24", "10.0.2.0/24"]);
  assert.equal(a.sh("ping -c 1 10.0.2.2").status, 0);
  assert.match(a.sh("ping -c 1 192.168.9.1").stdout, /Destination Net Unreachable/);
  // The administrator puts the static route back; traffic flows again.
  assert.equal(r.sh("ip route add 192.168.9.0/24 via 10.0.2.2").status, 0);
  assert.equal(a.sh("ping -c 1 192.168.9.1").status, 0);
});

scenario("gateway: without carrier the routes stay (linkdown) and ARP fails after 3 s", (net) => {
  const { a, r, b } = build(net);
  b.sh("ip link set eth0 down");
  assert.deepEqual(routes(r), ["10.0.1.0/24", "10.0.2.0/24 linkdown", "192.168.9.0/24 linkdown"]);
  const text = r.sh("ip route").stdout;
  assert.match(text, /^10\.0\.1\.0\/24 dev eth0 proto kernel scope link src 10\.0\.1\.1\s*$/m);
  assert.match(
    text,
    /^10\.0\.2\.0\/24 dev eth1 proto kernel scope link src 10\.0\.2\.1 linkdown\s*$/m,
  );
  assert.match(text, /^192\.168\.9\.0\/24 via 10\.0\.2\.2 dev eth1 linkdown\s*$/m);
  const t0 = net.sim.now;
  const out = a.sh("ping -c 1 192.168.9.1");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Destination Host Unreachable$/m);
  // Three ARP requests for the gateway, none of which reached the wire.
  const arps = net.trace.filter({ kind: "drop", node: "r", arp: true });
  assert.equal(arps.length, 3);
  assert.ok(arps.every((e) => e.reason === "link down" && e.iface === "eth1"));
  const failed = net.trace.first({ kind: "drop", node: "r", reason: "neighbour failed" })!;
  assert.equal(failed.packet.icmp!.type, 8);
  const err = net.trace.first({ kind: "tx", node: "r", icmp: 3 })!;
  assert.equal(err.packet.icmp!.code, 1);
  assert.equal(Math.round((err.time - t0) / s), 3);
  assert.equal(net.trace.filter({ kind: "tx", iface: "eth1", node: "r" }).length, 0);
  assert.match(r.sh("ip neigh").stdout, /^10\.0\.2\.2 dev eth1 +FAILED/m);
});
