/**
 * What a rule may do besides naming a table, for packets a router forwards
 * and for its own: `unreachable` (ICMP net unreachable back; ENETUNREACH
 * locally), `prohibit` (ICMP communication administratively prohibited;
 * EACCES), `blackhole` (silence; EINVAL); `goto` skipping rules; `nop`; and
 * `suppress_prefixlength 0`, the wg-quick idiom that lets main answer for
 * everything but its default route.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { twoUplinks, udpOut } from "./routing_testing.ts";
import { ip } from "../../core/wire/addr.ts";

function build(net: Network) {
  const { h, r } = twoUplinks(net);
  return { h, r };
}

scenario("rule actions: unreachable, prohibit and blackhole rules for forwarded pings", (net) => {
  const { h, r } = build(net);
  r.sh("ip rule add to 10.50.0.0/16 unreachable");
  r.sh("ip rule add to 10.52.0.0/16 prohibit");
  r.sh("ip rule add to 10.51.0.0/16 blackhole");
  const un = h.sh("ping -c 1 -W 1 10.50.0.1");
  assert.match(un.stdout, /^From 192\.168\.1\.1 icmp_seq=1 Destination Net Unreachable$/m);
  const pro = h.sh("ping -c 1 -W 1 10.52.0.1");
  assert.match(pro.stdout, /^From 192\.168\.1\.1 icmp_seq=1 Packet filtered$/m);
  const bh = h.sh("ping -c 1 -W 1 10.51.0.1");
  assert.doesNotMatch(bh.stdout, /^From /m);
  assert.match(bh.stdout, /1 packets transmitted, 0 received, 100% packet loss/);
  const codes = net.trace.filter({ kind: "tx", node: "r", icmp: 3 }).map((e) =>
    e.packet.icmp!.code
  );
  assert.deepEqual(codes, [0, 13]);
  // Nothing went past the router.
  assert.equal(net.trace.filter({ kind: "tx", node: "r", icmp: "echo-request" }).length, 0);
  // The router's own traffic gets the errnos.
  for (
    const [dst, msg] of [
      ["10.50.0.1", "Network is unreachable"],
      ["10.52.0.1", "Permission denied"],
      ["10.51.0.1", "Invalid argument"],
    ]
  ) {
    assert.equal(r.sh(`ip route get ${dst}`).stderr, `RTNETLINK answers: ${msg}\n`);
  }
});

scenario(
  "rule actions: goto jumps over rules; nop does nothing; unresolved goto is passed",
  (net) => {
    const { h, r } = build(net);
    r.sh("ip rule add from 192.168.1.0/24 goto 200 pref 100");
    r.sh("ip rule add from 192.168.1.0/24 table 100 pref 150"); // skipped by the goto
    r.sh("ip rule add from 192.168.1.0/24 nop pref 200");
    const get = () => r.sh("ip route get 198.51.100.1 from 192.168.1.10 iif eth0").stdout;
    assert.match(get(), /via 172\.16\.1\.2 dev eth1 \n/);
    // Without the goto, rule 150 answers.
    r.sh("ip rule del pref 100");
    assert.match(get(), /via 172\.16\.2\.2 dev eth2 table 100 /);
    // A goto to a priority nobody has is [unresolved] and the lookup goes on past it.
    r.sh("ip rule add from 192.168.1.0/24 goto 40000 pref 100");
    assert.match(r.sh("ip rule show pref 100").stdout, /goto 40000 \[unresolved\]\n$/);
    assert.match(get(), /table 100 /);
    // Once a rule takes that priority, the goto resolves to it.
    r.sh("ip rule add from 192.168.1.0/24 table main pref 40000");
    assert.doesNotMatch(r.sh("ip rule show pref 100").stdout, /unresolved/);
    assert.match(get(), /via 172\.16\.1\.2 dev eth1 \n/);
    // Packets follow.
    h.root.udp.socket().sendTo(new Uint8Array(4), ip("198.51.100.1"), 4000);
    net.run();
    assert.deepEqual(udpOut(net, "r", 4000), { eth1: 1 });
  },
);

scenario(
  "rule actions: suppress_prefixlength 0 — main for everything but its default route",
  (net) => {
    const { h, r } = build(net);
    r.sh("ip route add 10.60.0.0/16 via 172.16.1.2");
    r.sh("ip rule add lookup main suppress_prefixlength 0 pref 10");
    r.sh("ip rule add table 100 pref 11");
    // A specific route in main still answers; main's default route does not: table 100's does.
    assert.match(r.sh("ip route get 10.60.0.1").stdout, /via 172\.16\.1\.2 dev eth1 src/);
    assert.match(r.sh("ip route get 198.51.100.1").stdout, /via 172\.16\.2\.2 dev eth2 table 100 /);
    assert.equal(
      r.sh("ip rule show pref 10").stdout,
      "10:\tfrom all lookup main suppress_prefixlength 0\n",
    );
    h.root.udp.socket().sendTo(new Uint8Array(4), ip("10.60.0.1"), 4100);
    h.root.udp.socket().sendTo(new Uint8Array(4), ip("198.51.100.1"), 4100);
    net.run();
    assert.deepEqual(udpOut(net, "r", 4100), { eth1: 1, eth2: 1 });
  },
);
