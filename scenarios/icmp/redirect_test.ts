/**
 * ICMP redirect (type 5, code 1 "for the host"): a gateway that forwards a
 * packet back out of the interface it came in on, towards a next hop on the
 * sender's own subnet, still forwards it but tells the sender the better
 * gateway. The host then sends straight there (`ip route get` shows the new
 * gateway) for 300 s (Linux's exception expiry). Linux details asserted: the router backs off exponentially
 * (20 ms << n) and gives up after 9 unheeded redirects until the sender has
 * been quiet for 20.48 s; a host uses a redirect only once it has a valid
 * neighbour entry for the new gateway (the first one just starts ARP), and
 * only from its current gateway for that destination (RFC 1122 §3.2.2.2).
 *
 *   a 10.0.0.10 ─┐                 ┌─ r1 10.0.0.1 (a's default gateway)
 *                sw (10.0.0.0/24) ─┤
 *   m 10.0.0.66 ─┘                 └─ r2 10.0.0.2 ── 10.0.5.1 | c 10.0.5.2
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { s } from "../../core/sim/simulator.ts";
import { parseQuote } from "../../core/wire/icmp.ts";
import { icmpBody, ip, sendIp } from "./topology_testing.ts";

function build(net: Network) {
  const [a, r1, r2, c, m] = net.nodes("a", "r1", "r2", "c", "m");
  const sw = net.switch("sw");
  for (const n of [a, r1, r2, m]) net.connect(n, sw);
  net.connect(r2, c);
  a.sh("ip addr add 10.0.0.10/24 dev eth0; ip route add default via 10.0.0.1");
  m.sh("ip addr add 10.0.0.66/24 dev eth0");
  r1.sh("ip addr add 10.0.0.1/24 dev eth0; sysctl -w net.ipv4.ip_forward=1");
  r1.sh("ip route add 10.0.5.0/24 via 10.0.0.2");
  r2.sh("ip addr add 10.0.0.2/24 dev eth0; ip addr add 10.0.5.1/24 dev eth1");
  r2.sh("sysctl -w net.ipv4.ip_forward=1");
  c.sh("ip addr add 10.0.5.2/24 dev eth0; ip route add default via 10.0.5.1");
  return { a, r1, r2, c, m };
}

/** Echo requests a put on its wire, as [seq, the gateway MAC they were sent to]. */
function requestsFromA(net: Network, since = 0): Array<[number, string]> {
  const r1 = net.get("r1").mac("eth0"), r2 = net.get("r2").mac("eth0");
  return net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" })
    .filter((e) => e.time >= since)
    .map((e) => {
      const to = e.packet.eth.dst === net.get("r1").iface("eth0").mac ? r1 : r2;
      return [e.packet.icmp!.rest & 0xffff, to === r1 ? "r1" : "r2"];
    });
}

scenario("redirect: the gateway forwards the packet and tells a to use r2; a then does", (net) => {
  const { a, r1 } = build(net);
  a.sh("ping -c 1 10.0.0.2"); // a already knows r2's MAC
  assert.match(a.sh("ip route get 10.0.5.2").stdout, /^10\.0\.5\.2 via 10\.0\.0\.1 dev eth0 /);
  const t0 = net.sim.now;
  const out = a.sh("ping -c 3 10.0.5.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^3 packets transmitted, 3 received, 0% packet loss/m);
  // r1 got request 1 on eth0 and forwarded it out of eth0 again, to r2 …
  const fwd = net.trace.filter({ kind: "tx", node: "r1", icmp: "echo-request" });
  assert.equal(fwd.length, 1);
  assert.deepEqual([fwd[0]!.iface, fwd[0]!.packet.eth.dst, fwd[0]!.packet.ip!.ttl], [
    "eth0",
    net.get("r2").iface("eth0").mac,
    63,
  ]);
  // … and sent a a redirect for the host, naming 10.0.0.2, quoting the request.
  const redirects = net.trace.filter({ kind: "tx", node: "r1", icmp: 5 });
  assert.equal(redirects.length, 1);
  const rd = redirects[0]!.packet;
  assert.deepEqual([rd.icmp!.code, rd.icmp!.rest, rd.ip!.src, rd.ip!.dst], [
    1,
    ip("10.0.0.2"),
    ip("10.0.0.1"),
    ip("10.0.0.10"),
  ]);
  const q = parseQuote(icmpBody(rd.icmp!));
  assert.deepEqual([q.ip.dst, q.echoSeq], [ip("10.0.5.2"), 1]);
  // Requests 2 and 3 went straight to r2.
  assert.deepEqual(requestsFromA(net, t0), [[1, "r1"], [2, "r2"], [3, "r2"]]);
  assert.match(a.sh("ip route get 10.0.5.2").stdout, /^10\.0\.5\.2 via 10\.0\.0\.2 dev eth0 /);
  assert.equal(r1.root.ip.stats.forwarded, 1);
});

scenario("redirect: the first redirect only starts ARP for r2; the second one is taken", (net) => {
  const { a } = build(net);
  const out = a.sh("ping -c 3 10.0.5.2");
  assert.equal(out.status, 0);
  assert.deepEqual(requestsFromA(net), [[1, "r1"], [2, "r1"], [3, "r2"]]);
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 5 }).length, 2);
  // The first redirect made a ask for 10.0.0.2 right away.
  const firstRedirect = net.trace.first({ kind: "rx", node: "a", icmp: 5 })!;
  const ask = net.trace.filter({ kind: "tx", node: "a", arp: true })
    .find((e) => e.packet.arp!.targetIp === ip("10.0.0.2"))!;
  assert.equal(ask.time, firstRedirect.time);
});

scenario(
  "redirect: a learned redirect expires after 300 s, then r1 is used (and redirects) again",
  (net) => {
    const { a } = build(net);
    a.sh("ping -c 1 10.0.0.2");
    a.sh("ping -c 2 10.0.5.2");
    const learned = net.trace.first({ kind: "rx", node: "a", icmp: 5 })!.time;
    assert.deepEqual(requestsFromA(net).slice(-2), [[1, "r1"], [2, "r2"]]);
    a.sh(`sleep ${(learned + 299 * s - net.sim.now) / s}`);
    let t0 = net.sim.now;
    a.sh("ping -c 1 10.0.5.2");
    assert.deepEqual(requestsFromA(net, t0), [[1, "r2"]], "299 s after: still redirected");
    a.sh("sleep 2");
    t0 = net.sim.now;
    a.sh("ping -c 2 10.0.5.2");
    assert.deepEqual(requestsFromA(net, t0), [[1, "r1"], [2, "r2"]], "301 s after: back to r1");
    assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 5 }).length, 2);
  },
);

scenario("redirect: a redirect from anyone but the current gateway is ignored", (net) => {
  const { a, m } = build(net);
  a.sh("ping -c 1 10.0.0.66"); // a knows m's MAC: only the sender can be wrong
  // m forges a redirect for 10.0.5.2 naming itself, quoting a datagram of a's.
  const quote = new Uint8Array(28);
  quote.set([0x45, 0, 0, 84, 0, 1, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 10, 10, 0, 5, 2]);
  quote.set([8, 0, 0, 0, 0, 1, 0, 1], 20);
  sendIp(m, {
    dst: "10.0.0.10",
    proto: 1,
    icmp: { type: 5, code: 1, rest: ip("10.0.0.66"), payload: quote },
  });
  net.run();
  assert.equal(net.trace.filter({ kind: "rx", node: "a", icmp: 5 }).length, 1);
  assert.match(a.sh("ip route get 10.0.5.2").stdout, /^10\.0\.5\.2 via 10\.0\.0\.1 dev eth0 /);
  const t0 = net.sim.now;
  assert.equal(a.sh("ping -c 1 10.0.5.2").status, 0);
  assert.deepEqual(requestsFromA(net, t0), [[1, "r1"]]);
});

scenario(
  "redirect: ignored redirects back off (20 ms << n), stop after 9, resume after 20.48 s of quiet",
  (net) => {
    const { a, r1 } = build(net);
    a.sh(
      "sysctl -w net.ipv4.conf.all.accept_redirects=0; sysctl -w net.ipv4.conf.eth0.accept_redirects=0",
    );
    const out = a.sh("ping -c 45 10.0.5.2");
    assert.match(out.stdout, /^45 packets transmitted, 45 received, 0% packet loss/m);
    // Every request went through r1, which forwarded all 45.
    assert.equal(r1.root.ip.stats.forwarded, 45);
    // A redirect goes out only once 20 ms << n have passed since the last one: with a
    // request a second, after requests 1-6, then 8 (1.28 s), 11 (2.56 s), 17 (5.12 s).
    const about = net.trace.filter({ kind: "tx", node: "r1", icmp: 5 })
      .map((e) => parseQuote(icmpBody(e.packet.icmp!)).echoSeq);
    assert.deepEqual(about, [1, 2, 3, 4, 5, 6, 8, 11, 17]);
    // Continuous traffic keeps the count at 9: a pause of 20.3 s is not enough …
    a.sh("sleep 20.3");
    a.sh("ping -c 1 10.0.5.2");
    assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 5 }).length, 9);
    // … but more than 20.48 s without a redirect-worthy packet starts afresh.
    a.sh("sleep 21");
    a.sh("ping -c 1 10.0.5.2");
    assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 5 }).length, 10);
  },
);

scenario("redirect: r1 does not redirect when the next hop is off the sender's link", (net) => {
  const { a, r1, r2 } = build(net);
  // Give the path a detour: r1 reaches 10.0.5.0/24 through another interface.
  const [r3] = net.nodes("r3");
  net.connect(r1, r3);
  net.connect(r3, r2);
  r1.sh("ip addr add 10.0.13.1/24 dev eth1; ip route replace 10.0.5.0/24 via 10.0.13.3");
  r3.sh("ip addr add 10.0.13.3/24 dev eth0; ip addr add 10.0.23.3/24 dev eth1");
  r3.sh("sysctl -w net.ipv4.ip_forward=1; ip route add 10.0.5.0/24 via 10.0.23.2");
  r3.sh("ip route add 10.0.0.0/24 via 10.0.13.1");
  r2.sh("ip addr add 10.0.23.2/24 dev eth2");
  const out = a.sh("ping -c 2 10.0.5.2");
  assert.equal(out.status, 0);
  assert.equal(net.trace.filter({ icmp: 5 }).length, 0);
  assert.ok(
    net.trace.filter({ kind: "tx", node: "r1", icmp: "echo-request" }).every((e) =>
      e.iface === "eth1"
    ),
  );
});
