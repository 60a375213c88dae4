/**
 * Random streams are named, so adding to a network never perturbs what is
 * already there. A lossy link a–b drops exactly the same frames whether or
 * not an unrelated pair of nodes — created before it, with its own lossy link
 * and its own traffic interleaved in time — exists; the whole trace differs
 * (the digest says so), the a–b losses do not. The loss stream belongs to the
 * link's name and direction: rename the link and the draws change.
 */
import assert from "node:assert/strict";
import { Network } from "../../core/lab/network.ts";
import { Simulator } from "../../core/sim/simulator.ts";

interface Options {
  /** Build an unrelated x–y pair first, with its own lossy link and traffic. */
  extra?: boolean;
  /** Name of the a–b link (default "a-b"). */
  linkName?: string;
}

/** a pings b 200 times over a lossy link; returns which requests and replies were lost. */
function run(o: Options = {}): { lost: string[]; digest: string; other: number } {
  const net = new Network({ seed: 2024 });
  let pingX = () => {};
  if (o.extra) {
    const [x, y] = net.nodes("x", "y");
    net.connect(x, y, { loss: 0.3 });
    x.sh("ip addr add 10.9.9.1/24 dev eth0");
    y.sh("ip addr add 10.9.9.2/24 dev eth0");
    // x pings y in the background, its frames interleaved with a–b's.
    pingX = () => void x.sh("ping -c 150 -i 0.3 -W 1 10.9.9.2 >/dev/null &");
  }
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b, { loss: 0.15, name: o.linkName });
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  pingX();
  a.sh("ping -c 200 -i 0.25 -W 1 10.0.0.2");
  net.runFor(60e9);
  net.assertConserved();
  const lost = net.trace.filter({ kind: "drop", reason: "random loss" });
  return {
    lost: lost.filter((e) => e.node === "a" || e.node === "b").map((e) =>
      `${e.node} ${
        e.packet.arp ? "arp" : `icmp ${e.packet.icmp!.type} seq ${e.packet.icmp!.rest & 0xffff}`
      }`
    ),
    digest: net.trace.digest(),
    other: lost.filter((e) => e.node === "x" || e.node === "y").length,
  };
}

Deno.test("determinism: an unrelated node and link leave an existing link's losses alone", () => {
  const alone = run();
  const crowded = run({ extra: true });
  assert.ok(alone.lost.length >= 20, `a-b lost ${alone.lost.length}`);
  assert.ok(crowded.other >= 20, `x-y lost ${crowded.other}`);
  assert.notEqual(crowded.digest, alone.digest);
  assert.deepEqual(crowded.lost, alone.lost);
});

Deno.test("determinism: the loss stream follows the link's name", () => {
  const base = run();
  const renamed = run({ linkName: "cable-7" });
  assert.ok(renamed.lost.length >= 20);
  assert.notDeepEqual(renamed.lost, base.lost);
  assert.deepEqual(run({ linkName: "cable-7" }).lost, renamed.lost);
});

Deno.test("determinism: a named stream's draws ignore every other stream", () => {
  const draw = (sim: Simulator, n: number) =>
    Array.from({ length: n }, () => sim.rng("link x").nextU32());
  const quiet = new Simulator({ seed: 5 });
  const busy = new Simulator({ seed: 5 });
  // The busy simulator creates and consumes other streams first, and in between.
  for (const name of ["a", "b", "neigh r/ reachable"]) busy.rng(name).next();
  const first = draw(busy, 3);
  busy.rng("ping ids h/").int(1, 100);
  const second = draw(busy, 3);
  assert.deepEqual([...first, ...second], draw(quiet, 6));
  assert.notDeepEqual(draw(new Simulator({ seed: 6 }), 6), draw(new Simulator({ seed: 5 }), 6));
});
