/**
 * Reject routes on a router, as `ip route add` makes them: an `unreachable`
 * route answers host unreachable (type 3 code 1), `prohibit` answers
 * communication administratively prohibited (code 13, iputils' "Packet
 * filtered", traceroute's !X), and `blackhole` drops in silence. Each drop in
 * the trace carries its route type as the reason; a /32 reject route shadows
 * the wider route for that one host only.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ip, line } from "./topology_testing.ts";

function build(net: Parameters<typeof line>[0]) {
  const t = line(net);
  t.r1.sh("ip route add unreachable 10.0.97.0/24");
  t.r1.sh("ip route add blackhole 10.0.98.0/24");
  t.r1.sh("ip route add prohibit 10.0.99.0/24");
  return t;
}

scenario(
  "reject routes: unreachable → Destination Host Unreachable (code 1) from the router",
  (net) => {
    const { a } = build(net);
    const out = a.sh("ping -c 2 10.0.97.5");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Destination Host Unreachable$/m);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=2 Destination Host Unreachable$/m);
    const drops = net.trace.filter({ kind: "drop", node: "r1", icmp: "echo-request" });
    assert.deepEqual(drops.map((e) => e.reason), ["unreachable route", "unreachable route"]);
    const errs = net.trace.filter({ kind: "tx", node: "r1", icmp: 3 });
    assert.deepEqual(errs.map((e) => [e.packet.icmp!.code, e.packet.ip!.src]), [
      [1, ip("10.0.1.1")],
      [1, ip("10.0.1.1")],
    ]);
  },
);

scenario(
  "reject routes: prohibit → administratively prohibited (code 13), 'Packet filtered'",
  (net) => {
    const { a } = build(net);
    const out = a.sh("ping -c 1 10.0.99.5");
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Packet filtered$/m);
    assert.equal(
      net.trace.first({ kind: "drop", node: "r1", icmp: "echo-request" })!.reason,
      "prohibited route",
    );
    assert.equal(net.trace.first({ kind: "tx", node: "r1", icmp: 3 })!.packet.icmp!.code, 13);
  },
);

scenario("reject routes: blackhole drops in silence; ping just times out", (net) => {
  const { a } = build(net);
  const out = a.sh("ping -c 2 -W 1 10.0.98.5");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^2 packets transmitted, 0 received, 100% packet loss/m);
  assert.doesNotMatch(out.stdout, /^From /m);
  const drops = net.trace.filter({ kind: "drop", node: "r1", icmp: "echo-request" });
  assert.deepEqual(drops.map((e) => e.reason), ["blackhole route", "blackhole route"]);
  assert.equal(net.trace.filter({ icmp: 3 }).length, 0);
  assert.equal(net.get("r1").root.ip.stats.icmpOutErrors, 0);
});

scenario("reject routes: traceroute marks !H and !X and stops; a blackhole shows * * *", (net) => {
  const { a } = build(net);
  let out = a.sh("traceroute -n -q 1 10.0.97.5");
  assert.match(out.stdout, /^ 1 {2}10\.0\.1\.1 {2}\d+\.\d{3} ms !H$/m);
  assert.equal(out.stdout.trim().split("\n").length, 2, "header and one hop");
  out = a.sh("traceroute -n -q 1 10.0.99.5");
  assert.match(out.stdout, /^ 1 {2}10\.0\.1\.1 {2}\d+\.\d{3} ms !X$/m);
  out = a.sh("traceroute -n -q 1 -m 2 -w 1 10.0.98.5");
  assert.match(out.stdout, /^ 1 {2}\*$/m);
  assert.match(out.stdout, /^ 2 {2}\*$/m);
});

scenario("reject routes: a /32 prohibit shadows the /24 route for one host only", (net) => {
  const { a, r1 } = build(net);
  r1.sh("ip route add prohibit 10.0.2.2/32");
  let out = a.sh("ping -c 1 10.0.2.2");
  assert.match(out.stdout, /^From 10\.0\.1\.1 icmp_seq=1 Packet filtered$/m);
  out = a.sh("ping -c 1 10.0.2.1");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.1: icmp_seq=1 ttl=63 /m);
  assert.match(r1.sh("ip route get 10.0.2.1").stdout, /^10\.0\.2\.1 via 10\.0\.12\.2 dev eth1 /);
  assert.match(r1.sh("ip route get 10.0.2.2").stderr, /Permission denied/);
  // Deleting it restores the path.
  r1.sh("ip route del prohibit 10.0.2.2/32");
  assert.equal(a.sh("ping -c 1 10.0.2.2").status, 0);
});
