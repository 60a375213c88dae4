/**
 * NewReno congestion control: RFC 5681's slow start and congestion avoidance
 * with RFC 6582's fast-recovery rules, as a state machine over {@link CcState}.
 *
 * Implemented:
 * - Slow start (RFC 5681 §3.1): cwnd += min(N, L) per ACK of N new bytes,
 *   with appropriate byte counting's limit L = 2·SMSS by default
 *   (RFC 3465 §2.2, so delayed ACKs do not halve the growth rate); option
 *   `abcLimit: 1` gives plain RFC 5681 (min(N, SMSS)). Growth stops at
 *   ssthresh and the rest of the ACK feeds congestion avoidance, as Linux does.
 * - Congestion avoidance by byte counting (RFC 5681 §3.1's recommended way,
 *   RFC 3465 §2.1): +1 SMSS each time a full cwnd of bytes has been
 *   acknowledged (at most one SMSS per ACK); option `caMode: "per-ack"` gives
 *   the classic cwnd += SMSS·SMSS/cwnd per ACK (at least 1 byte).
 * - Loss: ssthresh = max(min(FlightSize, cwnd)/2, 2·SMSS), cwnd =
 *   ssthresh for the whole of fast recovery; partial ACKs keep recovery going
 *   and do not grow the window; the full ACK that ends recovery sets
 *   cwnd = ssthresh (RFC 6582 §3.2 step 3, option 2) or, with
 *   `fullAckBurstAvoidance`, min(ssthresh, max(FlightSize, SMSS) + SMSS)
 *   (option 1).
 * - Retransmission timeout: ssthresh = max(min(FlightSize, cwnd)/2, 2·SMSS), unless
 *   the previous timeout's retransmission has not been acknowledged yet
 *   (RFC 5681 §3.1: ssthresh held on repeated timeouts); cwnd = 1 SMSS,
 *   the loss window.
 * - ECN-Echo (RFC 3168 §6.1.2): the same reduction as a loss, without
 *   entering recovery.
 *
 * Simplified or left out: RFC 6582's window inflation and deflation are not
 * done here, because the sender's pipe (see `types.ts`) already counts
 * duplicate ACKs as segments that left the network; the arithmetic is
 * equivalent. No Proportional Rate Reduction (RFC 6937), no restart after idle
 * (RFC 5681 §4.1; the sender knows the RTO), no limit on growth while
 * application-limited (RFC 7661), no undo of spurious reductions, no pacing.
 *
 * @module
 */
import { slowStart } from "./growth.ts";
import { type CcState, type CongestionControl, initialWindow, type RateSample } from "./types.ts";

/** NewReno's parameters. */
export interface NewRenoOptions {
  /** Appropriate byte counting limit L in slow start, in SMSS (RFC 3465 §2.2). Default 2. */
  abcLimit?: number;
  /** Congestion avoidance: count bytes (RFC 3465 §2.1, default) or add SMSS²/cwnd per ACK. */
  caMode?: "byte-counting" | "per-ack";
  /** Exit recovery at min(ssthresh, max(FlightSize, SMSS) + SMSS) instead of ssthresh. Default false. */
  fullAckBurstAvoidance?: boolean;
}

type Episode = "none" | "fast-recovery" | "rto";

/** RFC 5681 / RFC 6582 NewReno. */
export class NewReno implements CongestionControl {
  /** Registry name. */
  readonly name = "newreno";
  readonly #abcLimit: number;
  readonly #caMode: "byte-counting" | "per-ack";
  readonly #burstAvoidance: boolean;
  #bytesAcked = 0;
  #episode: Episode = "none";
  #rtoUnacked = false;
  #partialAcks = 0;
  #phase = "slow-start";

  /** A NewReno instance with the given options (RFC defaults otherwise). */
  constructor(readonly options: NewRenoOptions = {}) {
    this.#abcLimit = options.abcLimit ?? 2;
    this.#caMode = options.caMode ?? "byte-counting";
    this.#burstAvoidance = options.fullAckBurstAvoidance ?? false;
    if (!(this.#abcLimit >= 1)) throw new RangeError("newreno: abcLimit must be >= 1");
  }

  /** Initial window IW10 (RFC 6928); ssthresh left as the sender set it. */
  init(s: CcState, _now: number): void {
    s.cwnd = initialWindow(s.mss);
    this.#bytesAcked = 0;
    this.#episode = "none";
    this.#rtoUnacked = false;
    this.#partialAcks = 0;
    this.#phase = "slow-start";
  }

  /** Slow start or congestion avoidance; no growth during fast recovery. */
  onAck(s: CcState, rs: RateSample, _now: number): void {
    this.#phase = s.inRecovery
      ? "fast-recovery"
      : s.cwnd < s.ssthresh
      ? "slow-start"
      : "congestion-avoidance";
    if (rs.newlyAcked <= 0) return;
    this.#rtoUnacked = false;
    if (s.inRecovery) {
      // RFC 6582 §3.2 step 5: a partial ACK keeps recovery going; with pipe
      // accounting the window stays at ssthresh.
      this.#partialAcks++;
      return;
    }
    let acked = rs.newlyAcked;
    if (s.cwnd < s.ssthresh) {
      acked = slowStart(s, acked, this.#abcLimit * s.mss);
      if (acked === 0) return;
    }
    if (this.#caMode === "per-ack") {
      s.cwnd += Math.max(1, Math.floor((s.mss * s.mss) / s.cwnd));
      return;
    }
    // RFC 3465 §2.1: one SMSS per cwnd of acknowledged bytes.
    this.#bytesAcked += acked;
    if (this.#bytesAcked >= s.cwnd) {
      this.#bytesAcked -= s.cwnd;
      s.cwnd += s.mss;
    }
  }

  /** RFC 5681 eq. 4, bounded by cwnd: max(min(FlightSize, cwnd) / 2, 2·SMSS). */
  ssthreshAfterLoss(s: Readonly<CcState>, _now: number): number {
    return halfFlight(s);
  }

  /** Fast recovery: cwnd = ssthresh (RFC 6582 §3.2 step 2, without inflation). */
  onEnterRecovery(s: CcState, _now: number): void {
    s.cwnd = s.ssthresh;
    this.#bytesAcked = 0;
    this.#episode = "fast-recovery";
    this.#partialAcks = 0;
    this.#phase = "fast-recovery";
  }

  /** Full ACK: deflate to ssthresh (RFC 6582 §3.2 step 3). After an RTO: nothing to do. */
  onExitRecovery(s: CcState, _now: number): void {
    if (this.#episode === "fast-recovery") {
      s.cwnd = this.#burstAvoidance
        ? Math.min(s.ssthresh, Math.max(s.flightSize, s.mss) + s.mss)
        : s.ssthresh;
      this.#bytesAcked = 0;
    }
    this.#episode = "none";
  }

  /** RFC 5681 §3.1: ssthresh = max(min(FlightSize, cwnd)/2, 2·SMSS) (held on a repeated timeout), cwnd = 1 SMSS. */
  onRetransmitTimeout(s: CcState, _now: number): void {
    if (!this.#rtoUnacked) s.ssthresh = halfFlight(s);
    s.cwnd = s.mss;
    this.#bytesAcked = 0;
    this.#episode = "rto";
    this.#rtoUnacked = true;
    this.#phase = "slow-start";
  }

  /** RFC 3168 §6.1.2: halve like a loss, once per window (the sender enforces that). */
  onEcn(s: CcState, _now: number): void {
    s.ssthresh = halfFlight(s);
    s.cwnd = s.ssthresh;
    this.#bytesAcked = 0;
  }

  /** A fresh NewReno with the same options. */
  clone(): NewReno {
    return new NewReno(this.options);
  }

  /** Phase, byte-counting accumulator and recovery bookkeeping. */
  inspect(): Record<string, number | string> {
    return {
      phase: this.#phase,
      episode: this.#episode,
      bytesAcked: this.#bytesAcked,
      partialAcks: this.#partialAcks,
      abcLimit: this.#abcLimit,
      caMode: this.#caMode,
    };
  }
}

/**
 * RFC 5681 eq. 4 sets ssthresh to "no more than" max(FlightSize/2, 2·SMSS).
 * FlightSize counts SACKed data above a hole, which after a long recovery can
 * be several windows; halving it would raise the window on a loss. So the
 * base is the smaller of FlightSize and cwnd (Linux halves cwnd).
 */
function halfFlight(s: Readonly<CcState>): number {
  return Math.max(Math.floor(Math.min(s.flightSize, s.cwnd) / 2), 2 * s.mss);
}
