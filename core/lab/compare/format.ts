/**
 * Number and configuration formatting shared by the text table and the HTML
 * report: a column's precision chosen from its largest value, fixed-point
 * text with an en dash for missing numbers, rates and times written the way
 * people say them, and the one-line description of a configuration.
 *
 * Plain text only: no alignment (the table does that) and no markup.
 *
 * @module
 */
import type { CompareConfig } from "./types.ts";

/** Shown for a number that is missing or not finite. */
export const MISSING = "–";

/**
 * Decimals that give a column about `sig` significant digits at its largest
 * magnitude, clamped to [min, max]. A column of 96.2 and 43.1 with sig 3 gets
 * 1; one of 0.0024 gets 4 (if max allows).
 */
export function decimalsFor(values: readonly number[], sig = 3, min = 0, max = 3): number {
  let top = 0;
  for (const v of values) if (Number.isFinite(v)) top = Math.max(top, Math.abs(v));
  if (top === 0) return min;
  const d = sig - 1 - Math.floor(Math.log10(top));
  return Math.min(max, Math.max(min, d));
}

/** `v` with `decimals` decimals, or {@link MISSING} when it is not a finite number. */
export function fixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return MISSING;
  const s = v.toFixed(decimals);
  // No "-0.0".
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A bit rate as people write it: "100 Mbit/s", "1.5 Gbit/s", "64 kbit/s". */
export function formatRate(bitsPerSecond: number): string {
  const units: Array<[number, string]> = [[1e12, "Tbit/s"], [1e9, "Gbit/s"], [1e6, "Mbit/s"], [
    1e3,
    "kbit/s",
  ]];
  for (const [mult, unit] of units) {
    if (bitsPerSecond >= mult) return `${trimNumber(bitsPerSecond / mult)} ${unit}`;
  }
  return `${trimNumber(bitsPerSecond)} bit/s`;
}

/** A time in milliseconds as people write it: "44 ms", "250 µs", "1.5 s". */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${trimNumber(ms / 1000)} s`;
  if (ms < 1) return `${trimNumber(ms * 1000)} µs`;
  return `${trimNumber(ms)} ms`;
}

/** Up to three decimals, trailing zeros dropped: 1.5, 44, 0.125. */
export function trimNumber(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

/** The distinct base RTTs of a configuration, as text: "44 ms" or "20 ms, 80 ms". */
export function describeRtts(config: CompareConfig): string {
  const distinct = [...new Set(config.rttMs)];
  return distinct.map(formatMs).join(", ");
}

/** The seeds as text: "1", "1..5" for a contiguous range, else "1, 4, 9". */
export function describeSeeds(seeds: readonly number[]): string {
  if (seeds.length === 0) return MISSING;
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  if (contiguous && seeds.length > 2) return `${seeds[0]}..${seeds[seeds.length - 1]}`;
  return seeds.join(", ");
}

/**
 * The configuration as label/value pairs, in reading order: what the report's
 * header and the table's first line show.
 */
export function configFacts(config: CompareConfig): Array<[string, string]> {
  const per = config.flows === 1 ? "1 flow" : `${config.flows} flows`;
  return [
    ["bottleneck", formatRate(config.bandwidth)],
    ["base RTT", describeRtts(config)],
    ["buffer", `${config.bufferPackets} packets (${config.buffer})`],
    ["queue", config.aqm],
    ["random loss", config.loss === 0 ? "none" : `${trimNumber(config.loss * 100)}%`],
    ["flows", `${per} per algorithm`],
    ["duration", `${trimNumber(config.durationS)} s`],
    [config.seeds.length === 1 ? "seed" : "seeds", describeSeeds(config.seeds)],
    ["MSS", `${config.mss} B`],
  ];
}

/**
 * The configuration in one line: "dumbbell 100 Mbit/s, RTT 44 ms, buffer 367
 * pkts (1bdp), droptail, no random loss, 1 flow per algorithm, 30 s, seed 1,
 * MSS 1448".
 */
export function describeConfig(config: CompareConfig): string {
  const flows = config.flows === 1 ? "1 flow" : `${config.flows} flows`;
  return [
    `dumbbell ${formatRate(config.bandwidth)}`,
    `RTT ${describeRtts(config)}`,
    `buffer ${config.bufferPackets} pkts (${config.buffer})`,
    config.aqm,
    config.loss === 0 ? "no random loss" : `random loss ${trimNumber(config.loss * 100)}%`,
    `${flows} per algorithm`,
    `${trimNumber(config.durationS)} s`,
    `${config.seeds.length === 1 ? "seed" : "seeds"} ${describeSeeds(config.seeds)}`,
    `MSS ${config.mss}`,
  ].join(", ");
}
