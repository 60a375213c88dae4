/**
 * Delivery-rate estimation per draft-cheng-iccrg-delivery-rate-estimation-02
 * (the algorithm behind Linux's `tcp_rate.c`), as pure functions over plain
 * objects the sender keeps: one {@link RateEstimator} per connection, one
 * {@link PacketSnapshot} stored with each transmitted packet, and one
 * {@link AckInProgress} per ACK being processed.
 *
 * Sender's use, per transmitted packet (new data or retransmission):
 * `pkt.rs = onPacketSent(c, { now, size, bytesInFlight, isRetransmission })`,
 * where `bytesInFlight` is the pipe before this packet. Per ACK:
 * `const a = beginAck(c, now, pipeBeforeAck)`, then `onPacketAcked(c, a, pkt.rs)`
 * for each packet newly cumulatively acknowledged or SACKed and
 * `onPacketLost(c, a, pkt.rs)` for each packet newly marked lost, then, after
 * updating its RTT estimates, `generateRateSample(c, a, minRtt)`.
 *
 * Differences from the draft, all deliberate:
 * - The draft marks a SACKed packet by zeroing `P.delivered_time`; time 0 is a
 *   valid simulated instant here, so the snapshot carries a `counted` flag.
 * - "Newest packet" compares transmission order (a per-connection counter)
 *   instead of send time with an end-sequence tie-break (§3.2): many packets
 *   leave at the same nanosecond in a simulator, and the counter orders them.
 * - The snapshot also records C.lost and the in-flight volume at send time,
 *   which BBRv2/v3 need (Linux `tx.lost`, `tx.in_flight`).
 * - The RTT sample follows Linux `tcp_clean_rtx_queue`: the newest
 *   non-retransmitted packet acknowledged, and none at all when any
 *   retransmitted data was acknowledged by the ACK (Karn's rule). A sender with
 *   TCP timestamps may overwrite `rtt` in the returned sample.
 *
 * Left out: Linux's `tcp_info` delivery-rate bookkeeping, and ACK-delay hints.
 *
 * @module
 */
import type { RateSample } from "./types.ts";

/** Per-connection estimator state ("C." in the draft). */
export interface RateEstimator {
  /** Bytes delivered (cumulatively ACKed or SACKed) so far. */
  delivered: number;
  /** Time of the most recent delivery, ns (reset when transmission restarts from idle). */
  deliveredTime: number;
  /** Send time of the packet that started the current sampling flight, ns. */
  firstSentTime: number;
  /** 0, or the `delivered` count that ends the current application-limited bubble. */
  appLimited: number;
  /** Bytes marked lost so far (BBRv2/v3's C.lost). */
  lost: number;
  /** Packets snapshotted so far; orders transmissions. */
  sendCount: number;
}

/** Per-packet snapshot taken at transmission ("P." in the draft). */
export interface PacketSnapshot {
  /** C.delivered when the packet was sent. */
  delivered: number;
  /** C.delivered_time when the packet was sent, ns. */
  deliveredTime: number;
  /** C.first_sent_time when the packet was sent, ns. */
  firstSentTime: number;
  /** When the packet was sent, ns. */
  sentTime: number;
  /** Whether the sender was application-limited when the packet was sent. */
  isAppLimited: boolean;
  /** C.lost when the packet was sent. */
  lost: number;
  /** Bytes in flight right after the packet was sent, itself included. */
  txInFlight: number;
  /** Payload bytes. */
  size: number;
  /** Whether this transmission was a retransmission (no RTT sample, Karn). */
  isRetransmission: boolean;
  /** Transmission order on the connection. */
  sendIndex: number;
  /** Set once the packet's delivery has been counted (SACKed, then later cumulatively ACKed). */
  counted: boolean;
}

/** The sample being assembled while one ACK is processed ("rs." in the draft). */
export interface AckInProgress {
  /** Arrival time of the ACK, ns. */
  now: number;
  /** Pipe before this ACK. */
  priorInFlight: number;
  /** The newest packet delivered by this ACK, if any. */
  newest: PacketSnapshot | undefined;
  /** Send time of the newest non-retransmitted packet delivered, or −1. */
  newestOriginalSentTime: number;
  /** Whether any retransmitted packet was delivered by this ACK. */
  retransmittedAcked: boolean;
  /** Bytes newly delivered by this ACK. */
  newlyAcked: number;
  /** Bytes newly marked lost while processing this ACK. */
  newlyLost: number;
  /** Bytes newly delivered that carried a CE mark. */
  newlyEcnMarked: number;
}

/** A fresh estimator for a new connection. */
export function newRateEstimator(): RateEstimator {
  return { delivered: 0, deliveredTime: 0, firstSentTime: 0, appLimited: 0, lost: 0, sendCount: 0 };
}

/** What the sender knows about a packet it is about to put on the wire. */
export interface SendInfo {
  /** Transmission time, ns. */
  now: number;
  /** Payload bytes. */
  size: number;
  /** Pipe just before this packet is sent. */
  bytesInFlight: number;
  /** True for a retransmission. */
  isRetransmission: boolean;
}

/**
 * Snapshot the connection for a packet being sent (draft §3.2,
 * "Transmitting a data packet"; Linux `tcp_rate_skb_sent`). When nothing is in
 * flight, the sampling flight starts over at `now`.
 */
export function onPacketSent(c: RateEstimator, info: SendInfo): PacketSnapshot {
  if (info.bytesInFlight === 0) {
    c.firstSentTime = info.now;
    c.deliveredTime = info.now;
  }
  return {
    delivered: c.delivered,
    deliveredTime: c.deliveredTime,
    firstSentTime: c.firstSentTime,
    sentTime: info.now,
    isAppLimited: c.appLimited !== 0,
    lost: c.lost,
    txInFlight: info.bytesInFlight + info.size,
    size: info.size,
    isRetransmission: info.isRetransmission,
    sendIndex: c.sendCount++,
    counted: false,
  };
}

/** Start processing one ACK that arrived at `now`, with `priorInFlight` bytes in flight before it. */
export function beginAck(_c: RateEstimator, now: number, priorInFlight: number): AckInProgress {
  return {
    now,
    priorInFlight,
    newest: undefined,
    newestOriginalSentTime: -1,
    retransmittedAcked: false,
    newlyAcked: 0,
    newlyLost: 0,
    newlyEcnMarked: 0,
  };
}

/**
 * A packet was newly cumulatively acknowledged or SACKed by this ACK (draft
 * §3.3 `UpdateRateSample`; Linux `tcp_rate_skb_delivered`). A packet already
 * counted when SACKed is ignored when the cumulative ACK later covers it.
 */
export function onPacketAcked(
  c: RateEstimator,
  a: AckInProgress,
  p: PacketSnapshot,
  ecnMarked = false,
): void {
  if (p.counted) return;
  p.counted = true;
  c.delivered += p.size;
  c.deliveredTime = a.now;
  a.newlyAcked += p.size;
  if (ecnMarked) a.newlyEcnMarked += p.size;
  if (p.isRetransmission) {
    a.retransmittedAcked = true;
  } else if (p.sentTime > a.newestOriginalSentTime) {
    a.newestOriginalSentTime = p.sentTime;
  }
  if (a.newest === undefined || p.sendIndex > a.newest.sendIndex) {
    a.newest = p;
    // The next sample's send interval starts at this packet's transmission.
    c.firstSentTime = p.sentTime;
  }
}

/** A packet was newly marked lost while processing this ACK. */
export function onPacketLost(c: RateEstimator, a: AckInProgress, p: PacketSnapshot): void {
  c.lost += p.size;
  a.newlyLost += p.size;
}

/**
 * Finish the ACK and produce its {@link RateSample} (draft §3.3
 * `GenerateRateSample`; Linux `tcp_rate_gen`). `minRtt` is the connection's
 * minimum RTT including this ACK's sample; an interval shorter than it is
 * implausible (ACK compression) and yields an invalid sample (`interval` −1).
 */
export function generateRateSample(
  c: RateEstimator,
  a: AckInProgress,
  minRtt: number,
): RateSample {
  // The application-limited bubble is over once its last byte is delivered.
  if (c.appLimited !== 0 && c.delivered > c.appLimited) c.appLimited = 0;
  const p = a.newest;
  const rtt = a.newestOriginalSentTime >= 0 && !a.retransmittedAcked
    ? a.now - a.newestOriginalSentTime
    : -1;
  if (p === undefined) {
    return {
      deliveryRate: 0,
      delivered: 0,
      interval: -1,
      priorDelivered: 0,
      deliveredTotal: c.delivered,
      rtt,
      isAppLimited: false,
      newlyAcked: a.newlyAcked,
      newlyLost: a.newlyLost,
      losses: 0,
      priorInFlight: a.priorInFlight,
      txInFlight: 0,
      newlyEcnMarked: a.newlyEcnMarked,
    };
  }
  const sendElapsed = p.sentTime - p.firstSentTime;
  const ackElapsed = c.deliveredTime - p.deliveredTime;
  let interval = Math.max(sendElapsed, ackElapsed);
  const delivered = c.delivered - p.delivered;
  if (interval < minRtt || interval <= 0) interval = -1;
  return {
    deliveryRate: interval > 0 ? (delivered * 1e9) / interval : 0,
    delivered,
    interval,
    priorDelivered: p.delivered,
    deliveredTotal: c.delivered,
    rtt,
    isAppLimited: p.isAppLimited,
    newlyAcked: a.newlyAcked,
    newlyLost: a.newlyLost,
    losses: c.lost - p.lost,
    priorInFlight: a.priorInFlight,
    txInFlight: p.txInFlight,
    newlyEcnMarked: a.newlyEcnMarked,
  };
}

/**
 * Mark the connection application-limited until everything now in flight is
 * delivered (draft §3.4): packets sent meanwhile yield app-limited samples.
 */
export function markAppLimited(c: RateEstimator, bytesInFlight: number): void {
  c.appLimited = Math.max(c.delivered + bytesInFlight, 1);
}

/** The sender's situation when it runs out of things to send. */
export interface AppLimitedCheck {
  /** Bytes the application has written that have not been sent yet. */
  unsentBytes: number;
  /** Sender MSS. */
  mss: number;
  /** Pipe. */
  bytesInFlight: number;
  /** Congestion window. */
  cwnd: number;
  /** Bytes marked lost and not yet retransmitted. */
  lostNotRetransmitted: number;
}

/**
 * Draft §3.4 `CheckIfApplicationLimited`: if the sender has less than an MSS
 * to send, room in the window and no retransmission pending, mark the
 * connection application-limited and return true.
 */
export function checkAppLimited(c: RateEstimator, x: AppLimitedCheck): boolean {
  if (x.unsentBytes < x.mss && x.bytesInFlight < x.cwnd && x.lostNotRetransmitted <= 0) {
    markAppLimited(c, x.bytesInFlight);
    return true;
  }
  return false;
}
