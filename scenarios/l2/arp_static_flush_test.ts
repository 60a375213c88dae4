/**
 * Static neighbours and cleaning the cache by hand. `ip neigh add IP lladdr
 * MAC dev IF` makes a PERMANENT entry: it is used without ever sending an ARP
 * request, never expires, and no ARP frame changes it — right or wrong.
 * `ip neigh flush dev IF` forgets the learned entries and keeps the permanent
 * ones; `ip neigh del` removes one entry; `ip neigh replace` rewrites it.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { formatMac, ip } from "../../core/wire/addr.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { arpSent, ipNeigh, perPort } from "./frames.ts";

function build(net: Network) {
  const [a, b, c] = net.nodes("a", "b", "c");
  const sw = net.switch("sw");
  for (const n of [a, b, c]) net.connect(n, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  c.sh("ip addr add 10.0.0.3/24 dev eth0");
  return { a, b, c };
}

scenario("static: a PERMANENT entry is used without a single ARP request, forever", (net) => {
  const { a, b } = build(net);
  const out = a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0`);
  assert.deepEqual([out.status, out.out], [0, ""]);
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} PERMANENT`]);
  assert.equal(a.sh("ping -c 3 10.0.0.2").status, 0);
  net.runFor(120 * s);
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  // Not even the probes a learned entry gets: a sent no ARP request, ever.
  assert.equal(a.root.ip.neigh.stats.requestsSent, 0);
  assert.ok(arpSent(net, "a").every((l) => l.includes(" is-at "))); // only answers to b
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} PERMANENT`]);
});

scenario("static: a wrong MAC black-holes the traffic — no ARP, no error, just silence", (net) => {
  const { a } = build(net);
  a.sh("ip neigh add 10.0.0.2 lladdr 02:00:00:00:99:99 dev eth0");
  const out = a.sh("ping -c 2 -W 1 10.0.0.2");
  assert.match(out.stdout, /2 packets transmitted, 0 received, 100% packet loss/);
  assert.doesNotMatch(out.stdout, /Unreachable/);
  assert.deepEqual(arpSent(net, "a"), []);
  // Nobody owns that MAC: the switch floods both requests, and both hosts drop them.
  assert.deepEqual(perPort(net, { kind: "drop", reason: "not for this host" }), {
    "b:eth0": 2,
    "c:eth0": 2,
  });
});

scenario("static: announcements and replies do not change a PERMANENT entry", (net) => {
  const { a, b } = build(net);
  const old = b.mac("eth0");
  a.sh(`ip neigh add 10.0.0.2 lladdr ${old} dev eth0`);
  b.sh("ip link set dev eth0 address 02:00:00:00:aa:02");
  b.root.ip.neigh.announce(b.iface("eth0"), ip("10.0.0.2"));
  net.runFor(1 * ms);
  // b also asks a (learning a's MAC) and a's reply comes back to b; a's entry stays.
  b.sh("ping -c 1 -W 1 10.0.0.1");
  assert.deepEqual(ipNeigh(a), [`10.0.0.2 dev eth0 lladdr ${old} PERMANENT`]);
});

scenario("flush: learned entries go, permanent ones stay, and the next ping asks again", (net) => {
  const { a } = build(net);
  a.sh("ping -c 1 10.0.0.2; ping -c 1 10.0.0.3");
  a.sh("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:99 dev eth0");
  assert.equal(ipNeigh(a).length, 3);
  const out = a.sh("ip neigh flush dev eth0");
  assert.deepEqual([out.status, out.out], [0, ""]);
  assert.deepEqual(ipNeigh(a), ["10.0.0.9 dev eth0 lladdr 02:00:00:00:00:99 PERMANENT"]);
  const t0 = net.sim.now;
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
  assert.deepEqual(arpSent(net, "a", t0), ["who-has 10.0.0.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
});

scenario("del and replace: one entry removed, one rewritten", (net) => {
  const { a, b, c } = build(net);
  a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0`);
  a.sh("ping -c 1 10.0.0.3");
  assert.equal(a.sh("ip neigh del 10.0.0.2 dev eth0").status, 0);
  assert.deepEqual(ipNeigh(a), [`10.0.0.3 dev eth0 lladdr ${c.mac("eth0")} REACHABLE`]);
  // Without its static entry, 10.0.0.2 is resolved the ordinary way.
  const t0 = net.sim.now;
  a.sh("ping -c 1 10.0.0.2");
  assert.deepEqual(arpSent(net, "a", t0), ["who-has 10.0.0.2 tell 10.0.0.1 to ff:ff:ff:ff:ff:ff"]);
  // replace turns the learned entry for c into a permanent one with another MAC.
  assert.equal(a.sh("ip neigh replace 10.0.0.3 lladdr 02:00:00:00:00:33 dev eth0").status, 0);
  const e = a.root.ip.neigh.get(a.iface("eth0"), ip("10.0.0.3"))!;
  assert.deepEqual([formatMac(e.mac), e.state], ["02:00:00:00:00:33", "PERMANENT"]);
});
