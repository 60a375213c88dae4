/**
 * ping over a lossy link: the statistics count what really came back
 * ("N packets transmitted, M received, X% packet loss"), the missing sequence
 * numbers are exactly the requests or replies the link dropped (in either
 * direction), and the loss pattern is a function of the seed: the same seed
 * loses the same packets, another seed other ones.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { echoSeq } from "../../core/wire/icmp.ts";
import { pair } from "./topology_testing.ts";

/** Two hosts with static ARP entries (so only echo packets cross) on a 30 %-loss link. */
function lossy(net: Network) {
  const { a, b } = pair(net, { loss: 0.3, delay: "1ms" });
  a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0 nud permanent`);
  b.sh(`ip neigh add 10.0.0.1 lladdr ${a.mac("eth0")} dev eth0 nud permanent`);
  return { a, b };
}

/** The sequence numbers a 20-request ping printed a reply for. */
function answered(stdout: string): number[] {
  return [...stdout.matchAll(/^64 bytes from 10\.0\.0\.2: icmp_seq=(\d+) /gm)].map((m) =>
    Number(m[1])
  );
}

function run(seed: number): number[] {
  const net = new Network({ seed });
  const { a } = lossy(net);
  const seqs = answered(a.sh("ping -c 20 -i 0.2 10.0.0.2").stdout);
  net.assertConserved();
  return seqs;
}

scenario(
  "ping loss: the statistics and the missing sequence numbers match the link's drops",
  (net) => {
    const { a } = lossy(net);
    const out = a.sh("ping -c 20 -i 0.2 10.0.0.2");
    const got = answered(out.stdout);
    const lost = net.trace.filter({ kind: "drop", reason: "random loss", proto: 1 });
    const lostRequests = lost.filter((e) => e.packet.icmp!.type === 8).map((e) =>
      echoSeq(e.packet.icmp!)
    );
    const lostReplies = lost.filter((e) => e.packet.icmp!.type === 0).map((e) =>
      echoSeq(e.packet.icmp!)
    );
    // Both directions lose packets, independently.
    assert.ok(lostRequests.length > 0 && lostReplies.length > 0, JSON.stringify(lost.length));
    assert.deepEqual(
      lost.filter((e) => e.packet.icmp!.type === 8).map((e) => e.node),
      lostRequests.map(() => "b"),
    );
    const expected = [];
    for (let seq = 1; seq <= 20; seq++) {
      if (!lostRequests.includes(seq) && !lostReplies.includes(seq)) expected.push(seq);
    }
    assert.deepEqual(got, expected);
    // A lost request never reached b, so b never replied to it.
    const repliedTo = net.trace.filter({ kind: "tx", node: "b", icmp: "echo-reply" }).map((e) =>
      echoSeq(e.packet.icmp!)
    );
    assert.deepEqual(repliedTo.filter((q) => lostRequests.includes(q)), []);
    const m = got.length;
    const pct = Math.floor(((20 - m) * 100) / 20);
    assert.ok(m > 0 && m < 20);
    assert.match(
      out.stdout,
      new RegExp(`^20 packets transmitted, ${m} received, ${pct}% packet loss, time \\d+ms$`, "m"),
    );
    assert.equal(out.status, 0, "some replies came back");
  },
);

scenario("ping loss: one seed always loses the same packets, another seed different ones", () => {
  const one = run(1);
  assert.deepEqual(run(1), one);
  const two = run(2);
  assert.deepEqual(run(2), two);
  assert.notDeepEqual(one, two);
  assert.ok(one.length < 20 && two.length < 20);
});

scenario("ping loss: when every frame is lost, 100% loss and exit status 1", (net) => {
  const { a, b, link } = pair(net);
  a.sh(`ip neigh add 10.0.0.2 lladdr ${b.mac("eth0")} dev eth0 nud permanent`);
  link.setLoss(1);
  const out = a.sh("ping -c 3 -W 1 10.0.0.2");
  assert.equal(out.status, 1);
  assert.match(out.stdout, /^3 packets transmitted, 0 received, 100% packet loss/m);
  assert.doesNotMatch(out.stdout, /^rtt /m);
  assert.equal(net.trace.filter({ kind: "drop", reason: "random loss", icmp: 8 }).length, 3);
});
