/**
 * Hand-made comparison results for the presentation tests: small, exact and
 * independent of any simulation, with knobs for the awkward cases (empty
 * series, one point, flat series, long series, several seeds).
 *
 * @module
 */
import type { AlgoResult, CompareConfig, CompareResult, FlowResult, Series } from "./types.ts";

/** A configuration like the defaults, with overrides. */
export function config(over: Partial<CompareConfig> = {}): CompareConfig {
  return {
    algos: ["newreno", "cubic", "bbr"],
    flows: 1,
    bandwidth: 100e6,
    rttMs: [44],
    bufferPackets: 367,
    buffer: "1bdp",
    aqm: "droptail",
    loss: 0,
    durationS: 10,
    seeds: [1],
    mss: 1448,
    ...over,
  };
}

/** A series of `n` points over [0, duration] from `f(t)`. */
export function series(n: number, duration: number, f: (t: number, i: number) => number): Series {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    const ti = n === 1 ? 0 : i / (n - 1) * duration;
    t.push(ti);
    v.push(f(ti, i));
  }
  return { t, v };
}

/** A flow with sawtooth series of `points` samples. */
export function flow(algo: string, over: Partial<FlowResult> = {}, points = 50): FlowResult {
  return {
    algo,
    baseRttMs: 44,
    goodputMbps: 45.5,
    meanRttMs: 60.25,
    p95RttMs: 80.5,
    retransmits: 12,
    cwnd: series(points, 10, (t) => 1448 * (300 + 100 * (t % 3))),
    throughput: series(points, 10, () => 45),
    rtt: series(points, 10, (t) => 44 + 10 * (t % 3)),
    phases: [],
    ...over,
  };
}

/** An algorithm's result with `flows` flows. */
export function algo(
  name: string,
  flows: FlowResult[],
  over: Partial<AlgoResult> = {},
): AlgoResult {
  return {
    algo: name,
    goodputMbps: 91.23456,
    utilization: 0.9123456,
    meanRttMs: 60.2549,
    p95RttMs: 87.0001,
    queueDelayMs: { mean: 16.2049, p95: 43.0004 },
    retransmits: 312,
    lossRate: 0.00123456,
    jain: 0.99987,
    flows,
    queue: series(50, 10, (t) => 100 * (t % 3)),
    spread: undefined,
    wallSeconds: 0.8123,
    ...over,
  };
}

/** A three-algorithm result, one flow each (BBR with phases), or `flows` per algorithm. */
export function result(flowsPer = 1, over: Partial<CompareConfig> = {}): CompareResult {
  const c = config({ flows: flowsPer, ...over });
  const results = c.algos.map((a) =>
    algo(
      a,
      Array.from({ length: flowsPer }, (_, i) =>
        flow(a, {
          baseRttMs: c.rttMs[i] ?? 44,
          phases: a === "bbr"
            ? [[0, "STARTUP"], [0.5, "DRAIN"], [0.6, "PROBE_BW"], [9, "PROBE_RTT"]]
            : [],
        })),
    )
  );
  return { config: c, results };
}
