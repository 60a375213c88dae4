/**
 * Simulation speed of the congestion-control comparison: one bulk TCP flow
 * over the default dumbbell (100 Mbit/s bottleneck, 44 ms RTT, 1 BDP drop-tail
 * buffer, MSS 1448), per algorithm. One operation is one simulated second, so
 * ops/s is "simulated seconds per wall-clock second"; the default 30 s run
 * takes 30 / that. The reference point is ns-3: about 4.3 s of wall time for
 * the same 30 s run with ns-3.48 (optimized) on this class of machine, as
 * quoted when the target was set; `bench/ns3/` has the same dumbbell written
 * for ns-3 and a script that times the two side by side.
 *
 * @module
 */
import type { BenchSuite } from "../harness.ts";
import { runOnce } from "../../core/lab/compare/run.ts";
import type { CompareConfig } from "../../core/lab/compare/types.ts";

const SECONDS = 5;

function config(algo: string): CompareConfig {
  return {
    algos: [algo],
    flows: 1,
    bandwidth: 100e6,
    rttMs: [44],
    bufferPackets: 367,
    buffer: "1bdp",
    aqm: "droptail",
    loss: 0,
    durationS: SECONDS,
    seeds: [1],
    mss: 1448,
  };
}

/** The comparison-speed suite. */
export function suites(): BenchSuite[] {
  return [{
    suite: "compare-dumbbell",
    about: `simulated seconds per wall second, one flow, ${SECONDS} s runs of the default dumbbell`,
    cases: ["newreno", "cubic", "bbr"].map((algo) => ({
      name: algo,
      peer: false,
      ops: SECONDS,
      fn: () => runOnce(config(algo), algo, 1).flows[0]!.goodputMbps,
    })),
  }];
}
