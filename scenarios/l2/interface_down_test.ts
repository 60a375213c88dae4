/**
 * `ip link set eth0 down` on a host: a frame already on its way is dropped on
 * arrival ("interface down"); the host forgets its neighbours and the routes
 * through the interface (its own address stays), so it cannot even try to
 * send; the other end of the cable loses carrier. `ip link set eth0 up` brings
 * it all back.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms } from "../../core/sim/simulator.ts";
import { arpSent, ipNeigh } from "./frames.ts";

function pair(net: Network) {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b, { delay: "10ms" });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  return { a, b };
}

scenario("interface down: what arrives at a downed NIC is dropped — 'interface down'", (net) => {
  const { a, b } = pair(net);
  const t0 = net.sim.now;
  a.sh("ping -c 1 -W 1 10.0.0.2 > /dev/null &");
  net.runFor(5 * ms); // the echo request is on the wire
  assert.equal(b.sh("ip link set eth0 down").status, 0);
  a.sh("wait");
  const dropped = net.trace.filter({ kind: "drop", node: "b", where: (e) => e.time >= t0 });
  assert.deepEqual(dropped.map((e) => [e.iface, e.reason, e.packet.icmp?.type]), [
    ["eth0", "interface down", 8],
  ]);
  assert.equal(b.iface("eth0").counters.rxDropped, 1);
  assert.equal(net.trace.filter({ kind: "deliver", node: "b" }).length, 0);
});

scenario("interface down: ip link shows DOWN here and NO-CARRIER at the other end", (net) => {
  const { a, b } = pair(net);
  b.sh("ip link set eth0 down");
  assert.match(
    b.sh("ip link show eth0").stdout,
    /^2: eth0: <BROADCAST,MULTICAST> mtu 1500 .* state DOWN /,
  );
  assert.match(
    a.sh("ip link show eth0").stdout,
    /^2: eth0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 .* state DOWN /,
  );
});

scenario("interface down: neighbours and routes go, the address stays — no send at all", (net) => {
  const { b } = pair(net);
  assert.equal(ipNeigh(b).length, 1);
  const t0 = net.sim.now;
  b.sh("ip link set eth0 down");
  assert.deepEqual(ipNeigh(b), []);
  assert.equal(b.sh("ip route").stdout, "");
  assert.match(b.sh("ip addr show eth0").stdout, /inet 10\.0\.0\.2\/24 /);
  const out = b.sh("ping -c 1 10.0.0.1");
  assert.deepEqual([out.status, out.stderr], [2, "ping: connect: Network is unreachable\n"]);
  assert.equal(net.trace.filter({ node: "b", where: (e) => e.time >= t0 }).length, 0);
});

scenario("interface up again: routes back, a fresh ARP request, and the ping works", (net) => {
  const { a, b } = pair(net);
  b.sh("ip link set eth0 down");
  net.runFor(1000 * ms);
  b.sh("ip link set eth0 up");
  assert.match(
    b.sh("ip route").stdout,
    /^10\.0\.0\.0\/24 dev eth0 proto kernel scope link src 10\.0\.0\.2/m,
  );
  const t0 = net.sim.now;
  const out = b.sh("ping -c 1 10.0.0.1");
  assert.match(out.stdout, /^64 bytes from 10\.0\.0\.1: icmp_seq=1 ttl=64/m);
  assert.deepEqual(arpSent(net, "b", t0), ["who-has 10.0.0.1 tell 10.0.0.2 to ff:ff:ff:ff:ff:ff"]);
  // a forgot b when its carrier went: it learned b again from b's request (STALE),
  // then used the entry for its echo reply (DELAY).
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} DELAY`]);
});
