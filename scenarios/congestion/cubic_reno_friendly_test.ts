/**
 * CUBIC's Reno-friendly region (RFC 9438 §4.3) at a short RTT: on a 10 ms
 * path the cubic curve, scaled in seconds, barely moves within a round trip,
 * so CUBIC follows its estimate of what Reno would have, W_est, growing by
 * α_cubic = 3(1 − β)/(1 + β) ≈ 0.53 segment per round trip after a loss — the
 * increase that, with β = 0.7, gives AIMD Reno's average rate. Switching the
 * region off leaves the bare curve, which at this RTT grows far more slowly
 * and takes several times longer to come back to the loss point.
 */
import assert from "node:assert/strict";
import { ms, s } from "../../core/sim/simulator.ts";
import { Network } from "../../core/lab/network.ts";
import { mean, MSS, path, roundStarts, slope } from "./path_testing.ts";
import { BETA, epochs } from "./cubic_testing.ts";

const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

/** 20 Mbit/s, 10 ms: BDP 16.5 segments, buffer 16, so W_max ≈ 34 and K ≈ 2.9 s ≈ 200 RTTs. */
function run(renoFriendly: boolean) {
  const net = new Network({ seed: 1, trace: "counts" });
  const p = path(net, {
    algo: "cubic",
    ccOptions: { renoFriendly },
    rate: 20e6,
    rtt: 10 * ms,
    buffer: 16,
  });
  const regions: string[] = [];
  p.tap = (_e, sock) => void regions.push(String(sock.cc.inspect().region));
  p.start();
  net.run(6 * s);
  net.assertConserved();
  const es = epochs(p.acks).slice(1, -1); // whole epochs after the slow-start loss
  const starts = roundStarts(p.acks);
  // Growth per round within each epoch, from its second round to its end.
  const perRound = es.map((e) => {
    const r = starts.filter((i) => i > e.from && i < e.to).slice(1);
    return slope(r.map((_, j) => j), r.map((i) => p.acks[i]!.cwnd / MSS));
  });
  const seconds = es.map((e) => (p.acks[e.to - 1]!.t - e.t0) / s);
  return { p, es, perRound, seconds, regions };
}

Deno.test("CUBIC at 10 ms: the Reno-friendly region sets the pace, α ≈ 0.53 segment per RTT", () => {
  const { p, es, perRound, seconds, regions } = run(true);
  assert.ok(es.length >= 10, `${es.length} epochs`);
  for (const g of perRound) {
    // α_cubic exactly, up to the rounding of a round's boundary: ±10 %.
    assert.ok(Math.abs(g / ALPHA - 1) < 0.1, `+${g.toFixed(3)} segments per round, α ${ALPHA}`);
  }
  // Almost every ACK in congestion avoidance is in the Reno-friendly region.
  const ca = regions.filter((r) => r !== "slow-start" && r !== "recovery");
  const share = ca.filter((r) => r === "reno-friendly").length / ca.length;
  assert.ok(share > 0.95, `${(share * 100).toFixed(1)} % of congestion-avoidance ACKs`);
  // And the reduction is still CUBIC's 0.7, not Reno's 0.5.
  for (const e of es) assert.ok(Math.abs(e.start / e.before - BETA) < 0.03);
  assert.equal(p.sock.stats.timeouts, 0);

  // Without the region: the curve's own growth at this RTT is a fraction of
  // α per round, so an epoch (loss to loss) lasts several times longer.
  const bare = run(false);
  assert.ok(mean(bare.perRound) < 0.25 * ALPHA, `bare curve +${mean(bare.perRound)} per round`);
  const ratio = mean(bare.seconds) / mean(seconds);
  assert.ok(ratio > 5, `epochs ${mean(bare.seconds)} s against ${mean(seconds)} s`);
  assert.ok(bare.regions.every((r) => r !== "reno-friendly"));
});
