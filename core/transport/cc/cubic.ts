/**
 * CUBIC congestion control per RFC 9438, with Linux's HyStart (the
 * delay-increase and ACK-train slow-start exits of `tcp_cubic.c`) as an option
 * that is on by default, as it is in Linux.
 *
 * Implemented (RFC 9438 section numbers):
 * - §4.1.1 constants C = 0.4, β_cubic = 0.7, α_cubic = 3(1 − β)/(1 + β).
 * - §4.2 the window curve W_cubic(t) = C·(t − K)³ + W_max, in segments and
 *   seconds, with K = ∛((W_max − cwnd_epoch)/C), which is ∛(W_max(1 − β)/C)
 *   right after a reduction. On each ACK in congestion avoidance the target is
 *   W_cubic(t + RTT), with RTT the smoothed RTT (Linux uses the minimum RTT),
 *   clamped to [cwnd, 1.5·cwnd], and cwnd grows by (target − cwnd)/cwnd per
 *   acknowledged segment. If cwnd_epoch ≥ W_max (no reduction yet, or the
 *   window already grew past it) the epoch starts at the plateau: K = 0 and
 *   W_max = cwnd_epoch, as Linux does.
 * - §4.3 the Reno-friendly region: W_est starts at cwnd_epoch and grows by
 *   α_cubic·segments_acked/cwnd per ACK (α = 1 once W_est ≥ cwnd_prior); when
 *   W_cubic(t) < W_est, cwnd follows W_est (never decreasing).
 * - §4.4/§4.5 concave (cwnd < W_max) and convex (cwnd ≥ W_max) regions, both
 *   through the same target rule.
 * - §4.6 multiplicative decrease: ssthresh = max(min(FlightSize, cwnd)·β,
 *   2·SMSS) (the RFC's note allows cwnd; FlightSize alone counts SACKed data
 *   above a hole and could raise the window on a loss), cwnd = ssthresh, cwnd_prior = cwnd, and a new epoch at the next ACK in
 *   congestion avoidance. ECN-Echo gets the same reduction (no recovery).
 * - §4.7 fast convergence: W_max = cwnd·(1 + β)/2 when cwnd < the previous
 *   W_max, else W_max = cwnd.
 * - §4.8 timeout: ssthresh as in §4.6 (held on a repeated timeout, RFC 5681),
 *   cwnd = 1 SMSS, and the first congestion-avoidance epoch after it uses
 *   K = 0 and W_max = cwnd at its start. HyStart starts over, as in Linux.
 * - §4.10 slow start: RFC 5681 with byte counting limit L = 2·SMSS (as
 *   `newreno.ts`), optionally ended early by HyStart.
 * - HyStart (Linux `hystart_update`): once cwnd ≥ 16 segments, per round
 *   (rounds delimited by delivered bytes, like BBR's), (a) ACK train: ACKs
 *   arriving within 2 ms of each other that stretch past minRTT/2 from the
 *   round's start (minRTT when the sender paces) end slow start; (b) delay:
 *   the minimum RTT of the round's first 8 samples exceeding the lowest RTT
 *   seen by more than clamp(minRTT/8, 4 ms, 16 ms) ends slow start. Ending slow
 *   start means ssthresh = cwnd. RTT samples within 1 s of an epoch's start
 *   are ignored, as in Linux.
 * - Restart after idle (Linux CA_EVENT_TX_START): the epoch start moves
 *   forward by the idle time so that the curve does not jump.
 *
 * Simplified or left out: Linux's ACK-delay allowance for TSO/GRO in the ACK
 * train threshold (no offloads here, so 0); Linux's 5%-per-RTT cap before the
 * first loss; spurious-congestion undo (§4.9); HyStart++ (RFC 9406); growth
 * limits while application-limited (RFC 7661); pacing (none is set).
 * Fractions of a byte of window growth are accumulated, so cwnd stays integral.
 *
 * @module
 */
import { slowStart } from "./growth.ts";
import { type CcState, type CongestionControl, initialWindow, type RateSample } from "./types.ts";

const NS_PER_S = 1e9;
const MS = 1_000_000;

/** CUBIC's parameters. */
export interface CubicOptions {
  /** Cubic scaling constant C, segments/s³ (RFC 9438 §4.1.1). Default 0.4. */
  c?: number;
  /** Multiplicative decrease factor β_cubic (RFC 9438 §4.1.1). Default 0.7. */
  beta?: number;
  /** Fast convergence (RFC 9438 §4.7). Default true. */
  fastConvergence?: boolean;
  /** Reno-friendly region (RFC 9438 §4.3). Default true. */
  renoFriendly?: boolean;
  /** Linux HyStart slow-start exit. Default true (Linux's default). */
  hystart?: boolean;
  /** Which HyStart detectors run. Default "both" (Linux's default). */
  hystartDetect?: "both" | "ack-train" | "delay";
  /** Smallest cwnd, in segments, at which HyStart runs. Default 16. */
  hystartLowWindow?: number;
  /** Largest gap between ACKs of one train, ns. Default 2 ms. */
  hystartAckDelta?: number;
  /** Appropriate byte counting limit L in slow start, in SMSS. Default 2. */
  abcLimit?: number;
}

/** RFC 9438 eq. 2: K = ∛((W_max − cwnd_epoch)/C), in seconds (windows in segments). */
export function cubicK(wMax: number, cwndEpoch: number, c = 0.4): number {
  return Math.cbrt((wMax - cwndEpoch) / c);
}

/** RFC 9438 eq. 1: W_cubic(t) = C·(t − K)³ + W_max, in segments, t and K in seconds. */
export function cubicWindow(t: number, k: number, wMax: number, c = 0.4): number {
  return c * (t - k) ** 3 + wMax;
}

type Episode = "none" | "fast-recovery" | "rto";

/** RFC 9438 CUBIC with optional Linux HyStart. */
export class Cubic implements CongestionControl {
  /** Registry name. */
  readonly name = "cubic";
  readonly #c: number;
  readonly #beta: number;
  readonly #alphaCubic: number;
  readonly #fastConvergence: boolean;
  readonly #renoFriendly: boolean;
  readonly #hystart: boolean;
  readonly #ackTrain: boolean;
  readonly #delayDetect: boolean;
  readonly #lowWindow: number;
  readonly #ackDelta: number;
  readonly #abcLimit: number;

  // RFC 9438 §4.1.2 state; windows in segments, times in ns.
  #wMax = 0;
  #k = 0;
  #epochStart = -1;
  #cwndEpoch = 0;
  #wEst = 0;
  #cwndPrior = 0;
  #target = 0;
  #growth = 0; // fractional bytes of growth not yet applied
  #afterTimeout = false;
  #episode: Episode = "none";
  #rtoUnacked = false;
  #region = "slow-start";

  // HyStart state (Linux bictcp fields).
  #found = "";
  #delayMin = 0;
  #roundStart = 0;
  #lastAck = 0;
  #currRtt = Infinity;
  #sampleCount = 0;
  #roundEnd = 0; // delivered count that ends the current round

  /** A CUBIC instance; unset options take the RFC 9438 / Linux defaults. */
  constructor(readonly options: CubicOptions = {}) {
    this.#c = options.c ?? 0.4;
    this.#beta = options.beta ?? 0.7;
    if (!(this.#c > 0)) throw new RangeError("cubic: c must be > 0");
    if (!(this.#beta > 0 && this.#beta < 1)) throw new RangeError("cubic: beta must be in (0, 1)");
    this.#alphaCubic = (3 * (1 - this.#beta)) / (1 + this.#beta);
    this.#fastConvergence = options.fastConvergence ?? true;
    this.#renoFriendly = options.renoFriendly ?? true;
    this.#hystart = options.hystart ?? true;
    const detect = options.hystartDetect ?? "both";
    this.#ackTrain = detect !== "delay";
    this.#delayDetect = detect !== "ack-train";
    this.#lowWindow = options.hystartLowWindow ?? 16;
    this.#ackDelta = options.hystartAckDelta ?? 2 * MS;
    this.#abcLimit = options.abcLimit ?? 2;
  }

  /** IW10 (RFC 6928), fresh epoch and HyStart state. */
  init(s: CcState, now: number): void {
    s.cwnd = initialWindow(s.mss);
    this.#wMax = 0;
    this.#k = 0;
    this.#epochStart = -1;
    this.#cwndEpoch = 0;
    this.#wEst = 0;
    this.#cwndPrior = 0;
    this.#target = 0;
    this.#growth = 0;
    this.#afterTimeout = false;
    this.#episode = "none";
    this.#rtoUnacked = false;
    this.#region = "slow-start";
    this.#resetHystart(now, 0);
    this.#found = "";
    this.#delayMin = 0;
  }

  /** RTT bookkeeping (HyStart), then slow start or the cubic/Reno-friendly increase. */
  onAck(s: CcState, rs: RateSample, now: number): void {
    if (rs.rtt >= 0) this.#rttSample(s, rs, now);
    if (s.inRecovery) {
      this.#region = "recovery";
      return;
    }
    if (rs.newlyAcked <= 0) return;
    this.#rtoUnacked = false;
    let acked = rs.newlyAcked;
    if (s.cwnd < s.ssthresh) {
      this.#region = "slow-start";
      acked = slowStart(s, acked, this.#abcLimit * s.mss);
      if (acked === 0) return;
    }
    this.#congestionAvoidance(s, acked, now);
  }

  /** RFC 9438 §4.6: max(min(FlightSize, cwnd)·β_cubic, 2·SMSS). */
  ssthreshAfterLoss(s: Readonly<CcState>, _now: number): number {
    // FlightSize also counts SACKed data above a hole, which after a long
    // recovery can be several windows: bounded by cwnd, a loss never raises
    // the window (Linux uses cwnd). Whole bytes; the epsilon absorbs binary
    // rounding (0.7 is not exact).
    const base = Math.min(s.flightSize, s.cwnd);
    return Math.max(Math.floor(base * this.#beta + 1e-6), 2 * s.mss);
  }

  /** RFC 9438 §4.6–4.7: remember W_max (fast convergence) and cwnd_prior; cwnd = ssthresh. */
  onEnterRecovery(s: CcState, _now: number): void {
    this.#reduce(s);
    s.cwnd = Math.max(s.ssthresh, 2 * s.mss);
    this.#episode = "fast-recovery";
    this.#region = "recovery";
  }

  /** End of fast recovery: cwnd = ssthresh. After a timeout: nothing to do. */
  onExitRecovery(s: CcState, _now: number): void {
    if (this.#episode === "fast-recovery") s.cwnd = Math.max(s.ssthresh, 2 * s.mss);
    this.#episode = "none";
  }

  /** RFC 9438 §4.8: ssthresh per §4.6, cwnd = 1 SMSS, next epoch with K = 0. */
  onRetransmitTimeout(s: CcState, now: number): void {
    if (!this.#rtoUnacked) {
      s.ssthresh = this.ssthreshAfterLoss(s, now);
      this.#cwndPrior = s.cwnd / s.mss;
    }
    s.cwnd = s.mss;
    this.#epochStart = -1;
    this.#growth = 0;
    this.#afterTimeout = true;
    this.#episode = "rto";
    this.#rtoUnacked = true;
    this.#region = "slow-start";
    // Linux (bictcp_state on TCP_CA_Loss) restarts HyStart from scratch.
    this.#found = "";
    this.#delayMin = 0;
    this.#resetHystart(now, 0);
  }

  /** RFC 9438 §4.6 on ECN-Echo: the loss reduction without entering recovery. */
  onEcn(s: CcState, now: number): void {
    s.ssthresh = this.ssthreshAfterLoss(s, now);
    this.#reduce(s);
    s.cwnd = Math.max(s.ssthresh, s.mss);
  }

  /** Shift the epoch by the idle time so the curve resumes where it was (Linux). */
  onIdleRestart(_s: CcState, now: number, idleSince: number): void {
    const idle = now - idleSince;
    if (this.#epochStart >= 0 && idle > 0) {
      this.#epochStart = Math.min(this.#epochStart + idle, now);
    }
  }

  /** A fresh CUBIC with the same options. */
  clone(): Cubic {
    return new Cubic(this.options);
  }

  /** Region, W_max, K, epoch, W_est, target and HyStart state. */
  inspect(): Record<string, number | string> {
    return {
      region: this.#region,
      episode: this.#episode,
      wMax: this.#wMax,
      k: this.#k,
      epochStart: this.#epochStart,
      cwndEpoch: this.#cwndEpoch,
      wEst: this.#wEst,
      cwndPrior: this.#cwndPrior,
      target: this.#target,
      hystartFound: this.#found,
      delayMin: this.#delayMin,
      hystartRoundStart: this.#roundStart,
      hystartCurrRtt: this.#currRtt === Infinity ? -1 : this.#currRtt,
    };
  }

  #reduce(s: CcState): void {
    const cwnd = s.cwnd / s.mss;
    // RFC 9438 §4.7 fast convergence.
    this.#wMax = this.#fastConvergence && cwnd < this.#wMax ? (cwnd * (1 + this.#beta)) / 2 : cwnd;
    this.#cwndPrior = cwnd;
    this.#epochStart = -1;
    this.#growth = 0;
    this.#afterTimeout = false;
  }

  #congestionAvoidance(s: CcState, acked: number, now: number): void {
    const mss = s.mss;
    const cwnd = s.cwnd / mss;
    if (this.#epochStart < 0) {
      this.#epochStart = now;
      this.#cwndEpoch = cwnd;
      this.#wEst = cwnd;
      this.#growth = 0;
      if (this.#afterTimeout || this.#wMax <= cwnd) {
        this.#k = 0;
        this.#wMax = cwnd;
        this.#afterTimeout = false;
      } else {
        this.#k = cubicK(this.#wMax, cwnd, this.#c);
      }
    }
    const t = (now - this.#epochStart) / NS_PER_S;
    const segmentsAcked = acked / mss;
    // RFC 9438 §4.3: the Reno-friendly estimate.
    const alpha = this.#wEst >= this.#cwndPrior ? 1 : this.#alphaCubic;
    this.#wEst += (alpha * segmentsAcked) / cwnd;
    if (this.#renoFriendly && cubicWindow(t, this.#k, this.#wMax, this.#c) < this.#wEst) {
      this.#region = "reno-friendly";
      this.#target = this.#wEst;
      s.cwnd = Math.max(s.cwnd, Math.floor(this.#wEst * mss));
      return;
    }
    // RFC 9438 §4.2, §4.4, §4.5: aim at W_cubic one RTT ahead.
    const rtt = s.srtt > 0 ? s.srtt : Number.isFinite(s.minRtt) ? s.minRtt : 0;
    const wNext = cubicWindow(t + rtt / NS_PER_S, this.#k, this.#wMax, this.#c);
    const target = Math.min(Math.max(wNext, cwnd), 1.5 * cwnd);
    this.#target = target;
    this.#region = cwnd < this.#wMax ? "concave" : "convex";
    this.#growth += ((target - cwnd) / cwnd) * segmentsAcked * mss;
    const whole = Math.floor(this.#growth);
    s.cwnd += whole;
    this.#growth -= whole;
  }

  #rttSample(s: CcState, rs: RateSample, now: number): void {
    // Linux bictcp_acked: ignore delay samples just after a reduction.
    if (this.#epochStart >= 0 && now - this.#epochStart < NS_PER_S) return;
    const delay = Math.max(rs.rtt, 1);
    if (this.#delayMin === 0 || this.#delayMin > delay) this.#delayMin = delay;
    if (
      this.#hystart && this.#found === "" && s.cwnd < s.ssthresh &&
      s.cwnd >= this.#lowWindow * s.mss
    ) {
      this.#hystartUpdate(s, rs, delay, now);
    }
  }

  #resetHystart(now: number, delivered: number): void {
    this.#roundStart = now;
    this.#lastAck = now;
    this.#roundEnd = delivered;
    this.#currRtt = Infinity;
    this.#sampleCount = 0;
  }

  #hystartUpdate(s: CcState, rs: RateSample, delay: number, now: number): void {
    // A new round once a packet sent after the round began is acknowledged.
    if (rs.newlyAcked > 0 && rs.priorDelivered >= this.#roundEnd) {
      this.#resetHystart(now, rs.deliveredTotal);
    }
    if (this.#ackTrain && now - this.#lastAck <= this.#ackDelta) {
      this.#lastAck = now;
      // Without pacing the train may end at half the min RTT (Linux).
      const threshold = s.pacingRate > 0 ? this.#delayMin : this.#delayMin / 2;
      if (now - this.#roundStart > threshold) {
        this.#found = "ack-train";
        s.ssthresh = s.cwnd;
      }
    }
    if (this.#delayDetect) {
      if (this.#currRtt > delay) this.#currRtt = delay;
      if (this.#sampleCount < 8) {
        this.#sampleCount++;
      } else {
        const slack = Math.min(Math.max(this.#delayMin / 8, 4 * MS), 16 * MS);
        if (this.#currRtt > this.#delayMin + slack) {
          if (this.#found === "") this.#found = "delay";
          s.ssthresh = s.cwnd;
        }
      }
    }
  }
}
