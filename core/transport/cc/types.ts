/**
 * The contract between a reliable transport's sender (TCP, later QUIC) and a
 * congestion-control algorithm. The algorithm is a pure state machine: it sees
 * only the numbers below, never a socket, a packet queue or a timer.
 *
 * Division of labour:
 * - The sender owns the connection: sequence space, loss detection (duplicate
 *   ACKs, SACK scoreboard, RACK, RTO), RTT estimation (RFC 6298), the delivery
 *   rate estimator (`rate_sample.ts`) and the decision to enter or leave loss
 *   recovery. It owns the {@link CcState} object and keeps its measured fields
 *   (`mss`, `bytesInFlight`, `srtt`, `minRtt`, `inRecovery`) current.
 * - The algorithm writes only `cwnd`, `ssthresh` and `pacingRate` in that
 *   object, keeps its own model privately, and returns the one decision the
 *   sender applies itself (`ssthreshAfterLoss`).
 *
 * Call order the sender follows for each arriving ACK (mirroring Linux, where
 * `tcp_fastretrans_alert` changes the recovery state before `cong_control` or
 * `cong_avoid` run):
 * 1. update its scoreboard, `bytesInFlight`, `srtt` and `minRtt`, and build the
 *    {@link RateSample} for this ACK;
 * 2. if this ACK starts fast recovery:
 *    `s.ssthresh = cc.ssthreshAfterLoss(s, now); s.inRecovery = true; cc.onEnterRecovery(s, now)`;
 * 3. else if it ends the loss episode (a full ACK, RFC 6582 §3.2 step 3):
 *    `s.inRecovery = false; cc.onExitRecovery(s, now)`;
 * 4. always `cc.onAck(s, rs, now)`, including duplicate ACKs and ACKs during
 *    recovery (the algorithm decides what to do with them).
 *
 * On a retransmission timeout the sender sets `s.inRecovery = false` (an RTO
 * ends fast recovery, RFC 6582 §3.2 step 5 and RFC 5681 §3.1) and calls
 * `onRetransmitTimeout`, which sets `ssthresh` and `cwnd` itself. When the data
 * outstanding at the timeout has all been acknowledged (Linux's return from
 * TCP_CA_Loss to TCP_CA_Open) the sender calls `onExitRecovery` too; algorithms
 * that do not need that moment ignore it.
 *
 * `bytesInFlight` is RFC 6675's "pipe": bytes sent and neither cumulatively
 * acknowledged, SACKed nor marked lost, plus retransmissions in flight. A sender
 * without SACK counts each duplicate ACK as one MSS that left the network; that
 * is RFC 6582's window inflation moved into the sender's accounting, so `cwnd`
 * means the same thing for every algorithm, in and out of recovery.
 *
 * Left for later, and room kept for it: BBRv3 needs the loss and in-flight
 * signals already carried by {@link RateSample} (`losses`, `txInFlight`,
 * `priorInFlight`, `newlyEcnMarked`) and the optional `onEcn` hook. Spurious
 * loss undo (RFC 9438 §4.9, F-RTO, Eifel) has no hook yet.
 *
 * Units: bytes, bytes per second, and integer nanoseconds of simulated time.
 *
 * @module
 */

/** Connection state shared by a sender and its congestion-control algorithm. */
export interface CcState {
  /** Sender maximum segment size (SMSS), bytes. Set by the sender. */
  mss: number;
  /** Congestion window, bytes. Written by the algorithm. */
  cwnd: number;
  /** Slow-start threshold, bytes; `Infinity` until the first congestion event. */
  ssthresh: number;
  /** RFC 6675 pipe after this ACK was processed, bytes. Set by the sender. */
  bytesInFlight: number;
  /**
   * RFC 5681 FlightSize: bytes sent and not yet cumulatively acknowledged
   * (SND.NXT − SND.UNA for TCP; for QUIC, bytes in flight counting packets
   * just declared lost), lost or not. Set by the sender; the base of the
   * multiplicative decrease on loss, timeout and ECN, bounded by cwnd (it also
   * counts SACKed data above a hole).
   */
  flightSize: number;
  /** Pacing rate the sender should honour, bytes/s; 0 means no pacing. Written by the algorithm. */
  pacingRate: number;
  /** Smoothed RTT (RFC 6298 SRTT), ns; 0 until the first RTT sample. Set by the sender. */
  srtt: number;
  /** Minimum RTT seen on the connection, ns; `Infinity` until the first sample. Set by the sender. */
  minRtt: number;
  /** True from entering fast recovery until the full ACK that ends it. Set by the sender. */
  inRecovery: boolean;
}

/**
 * What one ACK told the sender, per draft-cheng-iccrg-delivery-rate-estimation
 * (§3.3, "rate sample") plus the ACK's byte counts. `rate_sample.ts` builds it.
 */
export interface RateSample {
  /** `delivered / interval` in bytes/s; 0 when the sample is invalid (`interval <= 0`). */
  deliveryRate: number;
  /** Bytes delivered between the send of the newest acknowledged packet and now (C.delivered − P.delivered). */
  delivered: number;
  /** Sample interval, ns: max(send elapsed, ACK elapsed); −1 when there is no valid sample. */
  interval: number;
  /** C.delivered when the newest acknowledged packet was sent (P.delivered), bytes. */
  priorDelivered: number;
  /** C.delivered after this ACK, bytes: the connection's running total. */
  deliveredTotal: number;
  /** RTT sample of the newest acknowledged packet, ns; −1 if none (Karn: retransmitted data). */
  rtt: number;
  /** True if the newest acknowledged packet was sent while the sender was application-limited. */
  isAppLimited: boolean;
  /** Bytes newly cumulatively acknowledged or SACKed by this ACK. */
  newlyAcked: number;
  /** Bytes newly marked lost while processing this ACK. */
  newlyLost: number;
  /**
   * Bytes marked lost between the send of the newest acknowledged packet and
   * now (C.lost − P.lost): the loss signal BBRv2/v3 compare with `txInFlight`.
   */
  losses: number;
  /** Bytes in flight just before this ACK was processed. */
  priorInFlight: number;
  /** Bytes in flight when the newest acknowledged packet was sent, itself included. */
  txInFlight: number;
  /** Bytes newly acknowledged that carried an ECN CE mark (0 without ECN feedback). */
  newlyEcnMarked: number;
}

/**
 * A congestion-control algorithm: a state machine driven by the sender through
 * the calls described in this module's documentation.
 */
export interface CongestionControl {
  /** Registry name ("newreno", "cubic", "bbr"). */
  readonly name: string;
  /**
   * Start of the connection: sets the initial window (IW10, RFC 6928:
   * min(10·MSS, max(2·MSS, 14600))) and any initial pacing rate.
   */
  init(s: CcState, now: number): void;
  /** One ACK (new, duplicate, or during recovery): grow `cwnd`, update the model. */
  onAck(s: CcState, rs: RateSample, now: number): void;
  /** The slow-start threshold to use on entering fast recovery. Returns it; does not set it. */
  ssthreshAfterLoss(s: Readonly<CcState>, now: number): number;
  /** Fast recovery starts; `s.ssthresh` already holds `ssthreshAfterLoss`'s value. Sets `cwnd`. */
  onEnterRecovery(s: CcState, now: number): void;
  /** The loss episode (fast recovery, or RTO recovery) ended; `s.inRecovery` is already false. */
  onExitRecovery(s: CcState, now: number): void;
  /** The retransmission timer fired: sets `ssthresh` and `cwnd` (RFC 5681 §3.1 loss window). */
  onRetransmitTimeout(s: CcState, now: number): void;
  /**
   * An ACK carried ECN-Echo (RFC 3168 §6.1.2): the sender calls this at most
   * once per window of data and not during recovery; the algorithm sets
   * `ssthresh` and `cwnd`.
   * Algorithms that ignore ECN leave it undefined.
   */
  onEcn?(s: CcState, now: number): void;
  /**
   * The sender starts transmitting again after an application-limited idle
   * period with nothing in flight (Linux's CA_EVENT_TX_START); `idleSince`
   * is when it last transmitted, ns.
   */
  onIdleRestart?(s: CcState, now: number, idleSince: number): void;
  /** A fresh instance with the same parameters and none of this one's state. */
  clone(): CongestionControl;
  /** Internal variables for traces and plots (phase, W_max, K, btlBw, minRtt, ...). */
  inspect(): Record<string, number | string>;
}

/** RFC 6928 initial window in bytes: min(10·MSS, max(2·MSS, 14600)). */
export function initialWindow(mss: number): number {
  return Math.min(10 * mss, Math.max(2 * mss, 14600));
}

/**
 * A fresh {@link CcState} for a connection with the given MSS: no window yet
 * (call `init`), `ssthresh` infinite, nothing in flight, no RTT known.
 */
export function newCcState(mss: number): CcState {
  return {
    mss,
    cwnd: 0,
    ssthresh: Infinity,
    bytesInFlight: 0,
    flightSize: 0,
    pacingRate: 0,
    srtt: 0,
    minRtt: Infinity,
    inRecovery: false,
  };
}

/**
 * A {@link RateSample} with every field defaulted to "nothing observed"
 * (invalid rate, no RTT, nothing acknowledged), overridden by `fields`.
 * Handy for senders that ACK without a rate estimator, and for tests.
 */
export function makeRateSample(fields: Partial<RateSample> = {}): RateSample {
  return {
    deliveryRate: 0,
    delivered: 0,
    interval: -1,
    priorDelivered: 0,
    deliveredTotal: 0,
    rtt: -1,
    isAppLimited: false,
    newlyAcked: 0,
    newlyLost: 0,
    losses: 0,
    priorInFlight: 0,
    txInFlight: 0,
    newlyEcnMarked: 0,
    ...fields,
  };
}
