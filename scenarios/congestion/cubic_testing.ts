/**
 * CUBIC's window function and a checker that fits a sender's cwnd trace to
 * it, epoch by epoch, computing every parameter from the trace itself (the
 * window before each reduction, the window the epoch starts from, the epoch's
 * start time), never from the algorithm's internals.
 *
 * @module
 */
import { type AckRecord, MSS } from "./path_testing.ts";

/** RFC 9438 constants. */
export const C = 0.4, BETA = 0.7;

/** One congestion-avoidance epoch after a reduction, as the trace shows it. */
export interface Epoch {
  /** cwnd (segments) just before the reduction. */
  before: number;
  /** W_max (segments) per RFC 9438 §4.7 fast convergence. */
  wMax: number;
  /** cwnd (segments) when the epoch started (the first ACK after recovery). */
  start: number;
  /** K, s. */
  k: number;
  /** Epoch start, ns. */
  t0: number;
  /** ACK indices of the epoch: from the first ACK after recovery to the next loss. */
  from: number;
  to: number;
}

/** The epochs of a trace: one per fast recovery that ends before the trace does. */
export function epochs(acks: AckRecord[]): Epoch[] {
  const out: Epoch[] = [];
  let prevWMax = 0;
  for (let i = 1; i < acks.length; i++) {
    if (!acks[i]!.inRecovery || acks[i - 1]!.inRecovery) continue;
    const before = acks[i - 1]!.cwnd / MSS;
    const wMax = before < prevWMax ? (before * (1 + BETA)) / 2 : before;
    prevWMax = wMax;
    const from = acks.findIndex((a, j) => j > i && !a.inRecovery);
    if (from < 0) break;
    let to = acks.findIndex((a, j) => j > from && a.inRecovery);
    if (to < 0) to = acks.length;
    const start = acks[from]!.cwnd / MSS;
    out.push({
      before,
      wMax,
      start,
      k: Math.cbrt(Math.max(0, wMax - start) / C),
      t0: acks[from]!.t,
      from,
      to,
    });
  }
  return out;
}

/** W_cubic(t) in segments, t in seconds since the epoch started. */
export function wCubic(e: Epoch, t: number): number {
  return C * (t - e.k) ** 3 + e.wMax;
}

/** The largest |cwnd − W_cubic(t)| over an epoch, as a fraction of W_max. */
export function worstFit(acks: AckRecord[], e: Epoch): number {
  let worst = 0;
  for (let i = e.from; i < e.to; i++) {
    const a = acks[i]!;
    const dev = Math.abs(a.cwnd / MSS - wCubic(e, (a.t - e.t0) / 1e9)) / e.wMax;
    if (dev > worst) worst = dev;
  }
  return worst;
}
