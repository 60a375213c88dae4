/**
 * Rates, times and sizes written as `tc` and `ip` write them: "100mbit", "1ms",
 * "64kb". Parsers return undefined on bad text so callers can print their own
 * message.
 *
 * @module
 */

const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};

/** Parse a rate in tc's syntax ("100mbit", "1gbit", "12kbps" = bytes/s) to bits per second. */
export function parseRate(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase() || "bit";
  const mult = RATE_UNITS[unit];
  if (mult === undefined) return undefined;
  return Number(m[1]) * mult;
}

const TIME_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  usec: 1e3,
  ms: 1e6,
  msec: 1e6,
  s: 1e9,
  sec: 1e9,
};

/** Parse a duration ("1ms", "250us", "2s"; a bare number is seconds) to nanoseconds. */
export function parseTime(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? "").toLowerCase() || "s";
  const mult = TIME_UNITS[unit];
  if (mult === undefined) return undefined;
  return Math.round(Number(m[1]) * mult);
}

/** A rate given as bits/s or as text. */
export type RateLike = number | string;
/** A duration given as ns or as text. */
export type TimeLike = number | string;

/** Resolve a rate or throw a RangeError naming the bad text. */
export function rateOf(r: RateLike): number {
  const v = typeof r === "number" ? r : parseRate(r);
  if (v === undefined || !(v >= 0)) throw new RangeError(`bad rate: ${r}`);
  return v;
}

/** Resolve a duration or throw a RangeError naming the bad text. */
export function timeOf(t: TimeLike): number {
  const v = typeof t === "number" ? t : parseTime(t);
  if (v === undefined || !(v >= 0)) throw new RangeError(`bad time: ${t}`);
  return v;
}
