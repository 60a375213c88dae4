/**
 * The stable `--json` output: the configuration and, per algorithm or mix, the
 * summary metrics and each flow's four headline numbers, with keys in a fixed
 * order and numbers rounded to what the simulation can claim. Scripts may
 * depend on this shape; add keys only at the end of an object, never rename.
 *
 * Time series, phases, the queue trace and the spread over seeds are left out
 * (the HTML report has the series). A number that is not finite (a metric of
 * a run without samples) becomes `null`.
 *
 * @module
 */
import type { AlgoResult, CompareConfig, CompareResult, FlowResult } from "./types.ts";

/** One flow in the JSON output. */
export interface JsonFlow {
  algo: string;
  baseRttMs: number;
  goodputMbps: number | null;
  meanRttMs: number | null;
  p95RttMs: number | null;
  retransmits: number | null;
}

/** One algorithm or mix in the JSON output. */
export interface JsonResult {
  algo: string;
  goodputMbps: number | null;
  utilization: number | null;
  meanRttMs: number | null;
  p95RttMs: number | null;
  queueDelayMs: { mean: number | null; p95: number | null };
  retransmits: number | null;
  lossRate: number | null;
  jain: number | null;
  flows: JsonFlow[];
  wallSeconds: number | null;
}

/** The whole JSON output. */
export interface JsonOutput {
  config: CompareConfig;
  results: JsonResult[];
}

/** `v` rounded to `decimals` decimals, or null when it is not finite. */
export function roundTo(v: number, decimals: number): number | null {
  if (!Number.isFinite(v)) return null;
  const m = 10 ** decimals;
  const r = Math.round(v * m) / m;
  return Object.is(r, -0) ? 0 : r;
}

/** `v` to `digits` significant digits (for small rates such as a loss rate), or null. */
export function roundSignificant(v: number, digits: number): number | null {
  if (!Number.isFinite(v)) return null;
  if (v === 0) return 0;
  return Number(v.toPrecision(digits));
}

// Precision: goodput to 1 kbit/s, times to 1 µs, ratios to 4 decimals, the loss
// rate to 4 significant digits, wall time to 1 ms.
const MBPS = 3;
const MS = 3;
const RATIO = 4;

function flowJson(f: FlowResult): JsonFlow {
  return {
    algo: f.algo,
    baseRttMs: roundTo(f.baseRttMs, MS) ?? f.baseRttMs,
    goodputMbps: roundTo(f.goodputMbps, MBPS),
    meanRttMs: roundTo(f.meanRttMs, MS),
    p95RttMs: roundTo(f.p95RttMs, MS),
    retransmits: roundTo(f.retransmits, 2),
  };
}

function resultJson(r: AlgoResult): JsonResult {
  return {
    algo: r.algo,
    goodputMbps: roundTo(r.goodputMbps, MBPS),
    utilization: roundTo(r.utilization, RATIO),
    meanRttMs: roundTo(r.meanRttMs, MS),
    p95RttMs: roundTo(r.p95RttMs, MS),
    queueDelayMs: { mean: roundTo(r.queueDelayMs.mean, MS), p95: roundTo(r.queueDelayMs.p95, MS) },
    retransmits: roundTo(r.retransmits, 2),
    lossRate: roundSignificant(r.lossRate, 4),
    jain: roundTo(r.jain, RATIO),
    flows: r.flows.map(flowJson),
    wallSeconds: roundTo(r.wallSeconds, 3),
  };
}

/** The configuration with its keys in the documented order. */
function configJson(c: CompareConfig): CompareConfig {
  return {
    algos: [...c.algos],
    flows: c.flows,
    bandwidth: c.bandwidth,
    rttMs: [...c.rttMs],
    bufferPackets: c.bufferPackets,
    buffer: c.buffer,
    aqm: c.aqm,
    loss: c.loss,
    durationS: c.durationS,
    seeds: [...c.seeds],
    mss: c.mss,
  };
}

/** The JSON output as an object. */
export function toJson(result: CompareResult): JsonOutput {
  return { config: configJson(result.config), results: result.results.map(resultJson) };
}

/** The JSON output as text, indented two spaces, ending with a newline. */
export function formatJson(result: CompareResult): string {
  return JSON.stringify(toJson(result), null, 2) + "\n";
}
