/**
 * CUBIC's shape around W_max: after a reduction the window grows fast, then
 * ever more slowly as it nears W_max (concave), stays almost flat around
 * t = K, then grows ever faster beyond it (convex, probing for more
 * bandwidth), RFC 9438 §4.4–4.5. Fast convergence (§4.7) puts that plateau
 * at (1 + β)/2 = 0.85 of the window at the loss when the loss came below the
 * previous W_max, releasing bandwidth. Read from one flow's cwnd trace over
 * half-second steps; CUBIC's own region label agrees.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { MSS, path } from "./path_testing.ts";
import { BETA, epochs } from "./cubic_testing.ts";

scenario("CUBIC: concave up to W_max, a plateau at K, convex beyond; fast convergence", (net) => {
  // As in the curve scenario: 10 Mbit/s, 100 ms, buffer 50 (W_max ≈ 135, K ≈ 4 s).
  const p = path(net, { algo: "cubic", rate: 10e6, rtt: 100 * ms, buffer: 50 });
  const regions: string[] = [];
  p.tap = (_e, sock) => void regions.push(String(sock.cc.inspect().region));
  p.start();
  net.run(11 * s);
  const acks = p.acks;
  const es = epochs(acks);
  // The epoch that runs past K: the second. Its loss came at 135 segments,
  // below the first epoch's W_max (145), so fast convergence applies.
  const e = es.find((x) => acks[x.to - 1]!.t - x.t0 > x.k * s + 2 * s)!;
  assert.ok(e !== undefined, "an epoch beyond K");
  const prev = es[es.indexOf(e) - 1]!;
  assert.ok(e.before < prev.wMax, `loss at ${e.before} below the previous W_max ${prev.wMax}`);
  /** cwnd (segments) at time t (s) into the epoch: the last ACK before it. */
  const at = (t: number) => {
    let i = e.from;
    while (i + 1 < e.to && acks[i + 1]!.t <= e.t0 + t * s) i++;
    return acks[i]!.cwnd / MSS;
  };
  // The plateau is at 0.85 × the window at the loss, not at that window
  // (±1 %: the Reno-friendly estimate may add a fraction of a segment there).
  const plateau = at(e.k);
  const fc = ((1 + BETA) / 2) * e.before;
  assert.ok(Math.abs(plateau / fc - 1) < 0.01, `plateau ${plateau}, 0.85 × ${e.before} = ${fc}`);
  // Growth per half second: decreasing up to K, increasing after it.
  const steps: number[] = [];
  for (let t = 0; t + 0.5 <= (acks[e.to - 1]!.t - e.t0) / s; t += 0.5) {
    steps.push(at(t + 0.5) - at(t));
  }
  const kStep = Math.floor(e.k / 0.5);
  for (let i = 1; i < kStep; i++) {
    // Concave: each step smaller than the one before (0.2 segment of slack
    // for the per-ACK quantization of cwnd).
    assert.ok(steps[i]! < steps[i - 1]! + 0.2, `concave: ${steps.map((x) => x.toFixed(2))}`);
  }
  for (let i = kStep + 2; i < steps.length; i++) {
    assert.ok(steps[i]! > steps[i - 1]! - 0.2, `convex: ${steps.map((x) => x.toFixed(2))}`);
  }
  // The first half second after the reduction and the last before the next
  // loss each grow the window at least five times as much as the half second
  // around K (the curve says about 7 and 5 segments against 0.01; half a
  // segment allows for the Reno-friendly estimate on the plateau).
  const flat = at(e.k + 0.25) - at(e.k - 0.25);
  assert.ok(flat < 0.5, `around K: +${flat.toFixed(2)} segments`);
  assert.ok(steps[0]! > 5 * Math.max(flat, 0.2) && steps.at(-1)! > 5 * Math.max(flat, 0.2));
  // CUBIC's own label: concave before K, convex after (Reno-friendly on the plateau).
  const label = (from: number, to: number) => {
    const r = regions.slice(from, to);
    return (name: string) => r.filter((x) => x === name).length / r.length;
  };
  const kIndex = acks.findIndex((a) => a.t >= e.t0 + e.k * s);
  assert.ok(label(e.from, kIndex)("concave") > 0.9, "concave before K");
  assert.ok(label(kIndex, e.to)("convex") > 0.8, "convex after K");
}, { trace: "digest", once: true });
