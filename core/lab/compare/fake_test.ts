import assert from "node:assert/strict";
import { fakeComparison, fakeRandom } from "./fake.ts";
import { config } from "./fixture_testing.ts";

Deno.test("fake: a seeded generator, the same for the same seed", () => {
  const a = fakeRandom(7), b = fakeRandom(7), c = fakeRandom(8);
  const xs = Array.from({ length: 5 }, a);
  assert.deepEqual(xs, Array.from({ length: 5 }, b));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, c));
  for (const x of xs) assert.ok(x >= 0 && x < 1);
});

Deno.test("fake: plausible, deterministic results with the runner's shape", () => {
  const c = config({
    durationS: 3,
    seeds: [1, 2],
    algos: ["cubic", "bbr", "cubic+bbr"],
    flows: 2,
    rttMs: [20, 80, 20, 80],
  });
  const fractions: number[] = [];
  const r = fakeComparison(c, (f) => fractions.push(f));
  assert.deepEqual(r, fakeComparison(c));
  assert.equal(r.results.length, 3);
  assert.deepEqual(r.results.map((a) => a.flows.length), [2, 2, 4]);
  assert.deepEqual(r.results[2]!.flows.map((f) => f.algo), ["cubic", "cubic", "bbr", "bbr"]);
  assert.deepEqual(r.results[0]!.flows.map((f) => f.baseRttMs), [20, 80]);
  for (const a of r.results) {
    assert.ok(a.goodputMbps > 10 && a.goodputMbps <= 100, `${a.algo} ${a.goodputMbps}`);
    assert.ok(a.utilization > 0.1 && a.utilization <= 1);
    assert.ok(a.p95RttMs >= a.meanRttMs * 0.9 && a.meanRttMs >= 20);
    assert.ok(a.jain > 0 && a.jain <= 1);
    assert.ok(a.spread !== undefined);
    assert.ok(Math.max(...a.queue.v) <= c.bufferPackets);
    for (const f of a.flows) {
      assert.equal(f.cwnd.t.length, f.cwnd.v.length);
      assert.ok(f.cwnd.t.length <= 2000);
      assert.ok(f.throughput.t.length >= 19);
    }
  }
  assert.ok(r.results[1]!.flows[0]!.phases.some(([, p]) => p === "PROBE_BW"));
  assert.equal(fractions[fractions.length - 1], 1);
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i]! >= fractions[i - 1]!);
});
