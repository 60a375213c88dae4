/**
 * Test helpers for the congestion-control algorithms: synthetic ACK streams
 * over a bare {@link CcState}, and a tiny bottleneck model (one FIFO link of
 * fixed rate, fixed propagation delay, no loss) that drives an algorithm
 * through the real delivery-rate estimator. Nothing here is a network: it only
 * produces the ACK arrivals a sender would see.
 *
 * @module
 */
import {
  beginAck,
  generateRateSample,
  newRateEstimator,
  onPacketAcked,
  onPacketSent,
  type PacketSnapshot,
} from "./rate_sample.ts";
import { type CcState, type CongestionControl, makeRateSample, newCcState } from "./types.ts";

/** Milliseconds in nanoseconds. */
export const MS = 1_000_000;
/** Seconds in nanoseconds. */
export const SEC = 1_000_000_000;

/** A state with `mss` and the algorithm initialised at time 0. */
export function startState(cc: CongestionControl, mss = 1000, now = 0): CcState {
  const s = newCcState(mss);
  cc.init(s, now);
  return s;
}

/** cwnd in segments. */
export function segs(s: CcState): number {
  return s.cwnd / s.mss;
}

/** Options for {@link ackRound}. */
export interface AckRoundOptions {
  /** Time of the first ACK, ns. */
  start: number;
  /** Round duration over which the ACKs are spread evenly, ns. */
  rtt: number;
  /** Segments acknowledged per ACK (2 models delayed ACKs). Default 1. */
  perAck?: number;
  /** RTT sample to report on each ACK, ns. Default `rtt`. */
  rttSample?: number;
  /** Running delivered total before the round. Default 0. */
  deliveredBefore?: number;
}

/**
 * Acknowledge one window's worth of data: cwnd/MSS segments (as of the start
 * of the round), `perAck` per ACK, ACKs spread evenly over `rtt`. Every ACK
 * reports a priorDelivered equal to the round's starting total, so each round
 * is one round trip for round-counting algorithms. Returns the time after the
 * round and the new delivered total.
 */
export function ackRound(
  cc: CongestionControl,
  s: CcState,
  o: AckRoundOptions,
): { end: number; delivered: number } {
  const perAck = o.perAck ?? 1;
  const segments = Math.floor(s.cwnd / s.mss);
  const acks = Math.max(1, Math.floor(segments / perAck));
  let delivered = o.deliveredBefore ?? 0;
  const prior = delivered;
  s.bytesInFlight = segments * s.mss;
  s.flightSize = s.bytesInFlight;
  for (let i = 0; i < acks; i++) {
    const now = o.start + Math.floor(((i + 1) * o.rtt) / acks);
    const bytes = perAck * s.mss;
    delivered += bytes;
    s.bytesInFlight = Math.max(0, s.bytesInFlight - bytes);
    s.flightSize = s.bytesInFlight;
    cc.onAck(
      s,
      makeRateSample({
        newlyAcked: bytes,
        rtt: o.rttSample ?? o.rtt,
        priorDelivered: prior,
        deliveredTotal: delivered,
        delivered: delivered - prior,
        interval: now - o.start,
        deliveryRate: ((delivered - prior) * SEC) / Math.max(1, now - o.start),
      }),
      now,
    );
  }
  return { end: o.start + o.rtt, delivered };
}

/** Parameters of {@link runBottleneck}. */
export interface BottleneckOptions {
  /** Link rate, bytes/s. */
  rate: number;
  /** Round-trip propagation delay, ns. */
  rtProp: number;
  /** Segment size, bytes. */
  mss: number;
  /** Simulated duration, ns. */
  duration: number;
  /** Called after every ACK with the state and time. */
  onAck?: (s: CcState, now: number) => void;
}

/**
 * Drive `cc` with a sender that always has data, honours cwnd and the pacing
 * rate, sends `mss`-byte packets over one FIFO link of `rate` bytes/s with an
 * unbounded buffer, and gets one ACK per packet after `rtProp`. Returns the
 * final state. Deterministic: integer nanoseconds throughout.
 */
export function runBottleneck(cc: CongestionControl, o: BottleneckOptions): CcState {
  const s = newCcState(o.mss);
  cc.init(s, 0);
  const est = newRateEstimator();
  const serialization = Math.round((o.mss * SEC) / o.rate);
  const acks: { at: number; snap: PacketSnapshot }[] = [];
  let head = 0;
  let linkFree = 0;
  let nextSend = 0;
  let now = 0;
  let srtt = 0;
  while (now < o.duration) {
    const canSend = s.bytesInFlight + o.mss <= s.cwnd;
    const sendAt = canSend ? Math.max(now, nextSend) : Infinity;
    const ack = acks[head];
    const ackAt = ack ? ack.at : Infinity;
    if (sendAt === Infinity && ackAt === Infinity) break;
    if (sendAt <= ackAt) {
      now = sendAt;
      const snap = onPacketSent(est, {
        now,
        size: o.mss,
        bytesInFlight: s.bytesInFlight,
        isRetransmission: false,
      });
      s.bytesInFlight += o.mss;
      s.flightSize = s.bytesInFlight;
      linkFree = Math.max(linkFree, now) + serialization;
      acks.push({ at: linkFree + o.rtProp, snap });
      nextSend = s.pacingRate > 0 ? now + Math.round((o.mss * SEC) / s.pacingRate) : now;
    } else {
      now = ackAt;
      head++;
      const a = beginAck(est, now, s.bytesInFlight);
      onPacketAcked(est, a, ack!.snap);
      s.bytesInFlight -= o.mss;
      s.flightSize = s.bytesInFlight;
      const rtt = now - ack!.snap.sentTime;
      srtt = srtt === 0 ? rtt : Math.round((7 * srtt + rtt) / 8);
      s.srtt = srtt;
      s.minRtt = Math.min(s.minRtt, rtt);
      cc.onAck(s, generateRateSample(est, a, s.minRtt), now);
      o.onAck?.(s, now);
    }
  }
  return s;
}
