/**
 * Bad input never breaks anything: ping, traceroute and tracepath given bad
 * options, out-of-range values or addresses that are not addresses answer
 * with a message on stderr and a non-zero status, as their Linux versions do,
 * and send nothing. A malformed ICMP error (a quote too short to hold an IPv4
 * header, or not IPv4 at all) is dropped by the receiver with the reason
 * "malformed", and nobody answers it.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { pair, sendIp } from "./topology_testing.ts";

const BAD: string[] = [
  "ping -x 10.0.0.2",
  "ping -c abc 10.0.0.2",
  "ping -c 0 10.0.0.2",
  "ping -t 256 10.0.0.2",
  "ping -s -5 10.0.0.2",
  "ping -i x 10.0.0.2",
  "ping -M maybe 10.0.0.2",
  "ping -I nosuchdev 10.0.0.2",
  "ping 999.1.1.1",
  "ping no.such.host.invalid",
  "ping",
  "traceroute -q 11 10.0.0.2",
  "traceroute -m 0 10.0.0.2",
  "traceroute -m 256 10.0.0.2",
  "traceroute -Y 10.0.0.2",
  "traceroute 999.1.1.1",
  "tracepath -x 10.0.0.2",
  "tracepath 999.1.1.1",
];

scenario("bad input: bad options and addresses → message, non-zero status, nothing sent", (net) => {
  const { a } = pair(net);
  for (const cmd of BAD) {
    const out = a.sh(cmd);
    assert.notEqual(out.status, 0, cmd);
    assert.ok(out.stderr.trim().length > 0, `${cmd}: no message`);
    assert.doesNotMatch(out.stdout, /bytes from|^ 1 /m, cmd);
  }
  assert.equal(net.trace.filter({ kind: "tx" }).length, 0);
  // The shell is fine afterwards.
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
});

scenario("bad input: the messages say what was wrong", (net) => {
  const { a } = pair(net);
  assert.match(a.sh("ping -x 10.0.0.2").stderr, /^ping: invalid option -- 'x'$/m);
  assert.match(a.sh("ping -c abc 10.0.0.2").stderr, /invalid argument: 'abc'/);
  assert.match(a.sh("ping -t 256 10.0.0.2").stderr, /invalid argument: '256'/);
  assert.match(a.sh("ping 999.1.1.1").stderr, /^ping: 999\.1\.1\.1: Name or service not known$/m);
  assert.match(a.sh("ping -I nosuchdev 10.0.0.2").stderr, /nosuchdev/);
  assert.match(a.sh("traceroute 999.1.1.1").stderr, /999\.1\.1\.1: Name or service not known/);
  assert.match(a.sh("tracepath 999.1.1.1").stderr, /999\.1\.1\.1: Name or service not known/);
});

scenario(
  "bad input: an ICMP error whose quote is not a datagram is dropped as malformed",
  (net) => {
    const { a, b } = pair(net);
    const cases: Array<[number, Uint8Array]> = [
      [3, new Uint8Array([0x45, 0, 0, 28])], // four bytes: no room for an IPv4 header
      [11, new Uint8Array(28).fill(0x60, 0, 1)], // version 6 where an IPv4 header should be
      [3, new Uint8Array(0)], // nothing quoted at all
    ];
    for (const [type, quote] of cases) {
      sendIp(b, { dst: "10.0.0.1", proto: 1, icmp: { type, code: 3, rest: 0, payload: quote } });
    }
    net.runFor(10e6);
    const drops = net.trace.filter({ kind: "drop", node: "a", proto: 1 });
    assert.deepEqual(drops.map((e) => [e.packet.icmp!.type, e.reason, e.detail]), [
      [3, "malformed", "icmp quote"],
      [11, "malformed", "icmp quote"],
      [3, "malformed", "icmp quote"],
    ]);
    // No error about an error, malformed or not.
    assert.equal(net.trace.filter({ kind: "tx", node: "a", proto: 1 }).length, 0);
    assert.equal(a.root.ip.stats.icmpOutErrors, 0);
    // A well-formed one is taken (consumed), for contrast.
    const good = new Uint8Array(28);
    good.set([0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    good.set([0x9c, 0x40, 0, 9, 0, 8, 0, 0], 20);
    sendIp(b, { dst: "10.0.0.1", proto: 1, icmp: { type: 3, code: 3, rest: 0, payload: good } });
    net.runFor(10e6);
    const taken = net.trace.filter({ kind: "consume", node: "a", proto: 1 });
    assert.deepEqual(taken.map((e) => e.detail), ["icmp error"]);
  },
);
