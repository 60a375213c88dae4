/**
 * Window-growth arithmetic shared by the loss-based algorithms (NewReno,
 * CUBIC): slow start with appropriate byte counting (RFC 5681 §3.1,
 * RFC 3465 §2.2) capped at ssthresh the way Linux's `tcp_slow_start` is, so
 * that the bytes left over once cwnd reaches ssthresh feed congestion
 * avoidance on the same ACK.
 *
 * @module
 */
import type { CcState } from "./types.ts";

/**
 * Slow start for one ACK of `acked` new bytes: cwnd grows by
 * min(acked, abcLimit) (RFC 3465's L, in bytes) but not past ssthresh.
 * Returns the acknowledged bytes left for congestion avoidance: 0 unless this
 * ACK took cwnd up to ssthresh.
 */
export function slowStart(s: CcState, acked: number, abcLimit: number): number {
  const increase = Math.min(acked, abcLimit);
  const room = s.ssthresh - s.cwnd;
  if (increase < room) {
    s.cwnd += increase;
    return 0;
  }
  s.cwnd = s.ssthresh;
  return Math.max(0, acked - Math.max(room, 0));
}
