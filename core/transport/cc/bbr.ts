/**
 * BBR version 1: the model-based algorithm of Cardwell et al., "BBR:
 * Congestion-Based Congestion Control" (ACM Queue, 2016), as specified in
 * draft-cardwell-iccrg-bbr-congestion-control-00 and as Linux's `tcp_bbr.c`
 * behaves. BBR estimates the bottleneck bandwidth (btlBw) and the round-trip
 * propagation time (minRtt), paces at gain × btlBw and caps inflight at
 * gain × BDP.
 *
 * Implemented:
 * - Bandwidth model: a windowed max filter of delivery-rate samples over 10
 *   round trips, rounds counted by delivered bytes (a round ends when a packet
 *   sent after the previous round's end is acknowledged). Application-limited
 *   samples only enter the filter when they are at least the current estimate.
 * - minRtt: the minimum RTT sample over 10 s; an expired filter takes the
 *   current sample even if larger (Linux).
 * - STARTUP: pacing and cwnd gain 2/ln 2 ≈ 2.885; full pipe when the
 *   bandwidth estimate grew by less than 25% for 3 rounds (non-app-limited
 *   round starts). Then DRAIN: pacing gain ln 2/2 (the inverse), cwnd gain
 *   2.885, ssthresh = BDP, until inflight ≤ BDP.
 * - PROBE_BW: pacing gain cycle [1.25, 0.75, 1, 1, 1, 1, 1, 1], cwnd gain 2.
 *   The starting phase is random among the seven phases other than 0.75, drawn
 *   from an injected random function (default: a fixed-seed generator). A
 *   phase lasts minRtt; the 1.25 phase also waits for inflight to reach
 *   1.25·BDP (or a loss); the 0.75 phase ends early once inflight ≤ BDP (Linux).
 * - PROBE_RTT: when minRtt has not been refreshed for 10 s, cwnd = 4 packets
 *   until 200 ms have passed with inflight at that level and one round has
 *   completed; then back to PROBE_BW (or STARTUP without a full pipe) with the
 *   saved cwnd restored. Packets sent during it and until its inflight drains
 *   give application-limited samples, as Linux marks the connection.
 * - Pacing rate = pacing_gain × btlBw × 99% (Linux's 1% margin), never
 *   lowered before the pipe is full; before any bandwidth sample,
 *   2.885 × cwnd / (SRTT or 1 ms).
 * - cwnd target = cwnd_gain × BDP + 3 × quantum, rounded up to an even number
 *   of packets, plus 2 packets in the 1.25 phase (Linux's
 *   `bbr_quantization_budget`). The quantum follows Linux's TSO goal (about
 *   1 ms of data at the pacing rate, at least 1 packet below 1.2 Mbit/s and 2
 *   above, at most 64 KB and 127 packets); option `sendQuantum` fixes it
 *   instead. Before a minRtt exists the BDP is the initial window. cwnd grows
 *   by the acknowledged bytes towards the target (without cutting to it
 *   before the pipe is full) and never drops below 4 packets.
 * - Loss recovery as Linux: newly lost bytes come off cwnd; on entering fast
 *   recovery, packet conservation for one round (cwnd = inflight + acked);
 *   leaving recovery or the post-timeout loss episode restores the cwnd saved
 *   on entry. A timeout sets cwnd to 1 packet and resets the full-pipe
 *   counter; ssthresh is never changed by a loss.
 * - Restart from idle (Linux): pace at btlBw in PROBE_BW, and no PROBE_RTT
 *   entry until data is delivered again.
 *
 * Simplified or left out: Linux's long-term bandwidth sampling for policers
 * (`lt_bw`), the ACK-aggregation cwnd allowance (`extra_acked`), the
 * earliest-departure-time inflight projection (inflight is taken as the
 * ACK's prior inflight), ACK-delay hints on RTT samples, and the cwnd clamp.
 * Windows are in bytes rather than packets; packet counts above are × MSS.
 *
 * @module
 */
import { seededRandom } from "./prng.ts";
import { type CcState, type CongestionControl, initialWindow, type RateSample } from "./types.ts";
import { WindowedMaxFilter } from "./windowed_filter.ts";

const MS = 1_000_000;
const NS_PER_S = 1e9;

/** Linux tcp_ca_state values BBR compares (Open < Recovery < Loss). */
const CA_OPEN = 0;
const CA_RECOVERY = 3;
const CA_LOSS = 4;

/** The four BBR modes. */
export type BbrMode = "STARTUP" | "DRAIN" | "PROBE_BW" | "PROBE_RTT";

/** PROBE_BW's pacing-gain cycle (BBR paper; Linux `bbr_pacing_gain`). */
export const BBR_PACING_GAIN_CYCLE: readonly number[] = [1.25, 0.75, 1, 1, 1, 1, 1, 1];

/** BBR's parameters; unset ones take the Linux/draft values. */
export interface BbrOptions {
  /**
   * Uniform random numbers in [0, 1) for the starting gain-cycle phase.
   * Default: `seededRandom(seed)`. In a simulation, give each flow its own
   * stream, e.g. `const r = sim.rng("bbr/flow1"); rand: () => r.next()`, so
   * that flows do not all start in the same phase.
   */
  rand?: () => number;
  /** Seed for the default random source (ignored when `rand` is given). */
  seed?: number;
  /** STARTUP gain. Default 2/ln 2 ≈ 2.885. */
  highGain?: number;
  /** PROBE_BW cwnd gain. Default 2. */
  cwndGain?: number;
  /** Bandwidth filter window, rounds. Default 10. */
  bwWindowRounds?: number;
  /** minRtt filter window, ns. Default 10 s. */
  minRttWindow?: number;
  /** Time held at minimum cwnd in PROBE_RTT, ns. Default 200 ms. */
  probeRttDuration?: number;
  /** Fraction paced below the estimate. Default 0.01. */
  pacingMargin?: number;
  /** Packets per send quantum for the cwnd headroom: "auto" (Linux TSO goal, default) or a count. */
  sendQuantum?: "auto" | number;
}

/** BBR v1. */
export class Bbr implements CongestionControl {
  /** Registry name. */
  readonly name = "bbr";
  readonly #rand: () => number;
  readonly #highGain: number;
  readonly #drainGain: number;
  readonly #cwndGainProbeBw: number;
  readonly #minRttWindow: number;
  readonly #probeRttDuration: number;
  readonly #margin: number;
  readonly #quantum: "auto" | number;
  readonly #bwWindow: number;

  #mode: BbrMode = "STARTUP";
  #bw: WindowedMaxFilter;
  #roundCount = 0;
  #nextRoundDelivered = 0;
  #roundStart = false;
  #minRtt = Infinity;
  #minRttStamp = 0;
  #probeRttDoneStamp = -1;
  #probeRttRoundDone = false;
  #priorCwnd = 0;
  #packetConservation = false;
  #caState = CA_OPEN;
  #prevCaState = CA_OPEN;
  #idleRestart = false;
  #fullBw = 0;
  #fullBwCount = 0;
  #fullBwReached = false;
  #cycleIndex = 0;
  #cycleStamp = 0;
  #deliveredStamp = 0;
  #pacingGain: number;
  #cwndGain: number;
  #hasSeenRtt = false;
  #initialCwnd = 0;
  #mss = 0;
  #bubbleFrom = -1; // PROBE_RTT app-limited marking: P.delivered range
  #bubbleTo = -1;
  #inBubble = false;

  /** A BBR instance; see {@link BbrOptions}. */
  constructor(readonly options: BbrOptions = {}) {
    this.#rand = options.rand ?? seededRandom(options.seed);
    this.#highGain = options.highGain ?? 2 / Math.LN2;
    this.#drainGain = 1 / this.#highGain;
    this.#cwndGainProbeBw = options.cwndGain ?? 2;
    this.#bwWindow = options.bwWindowRounds ?? 10;
    this.#minRttWindow = options.minRttWindow ?? 10_000 * MS;
    this.#probeRttDuration = options.probeRttDuration ?? 200 * MS;
    this.#margin = options.pacingMargin ?? 0.01;
    this.#quantum = options.sendQuantum ?? "auto";
    this.#bw = new WindowedMaxFilter(this.#bwWindow);
    this.#pacingGain = this.#highGain;
    this.#cwndGain = this.#highGain;
  }

  /** The current bottleneck bandwidth estimate, bytes/s. */
  get btlBw(): number {
    return this.#bw.best;
  }

  /** The current mode. */
  get mode(): BbrMode {
    return this.#mode;
  }

  /** IW10, STARTUP, and an initial pacing rate of 2.885 × cwnd / RTT (Linux `bbr_init`). */
  init(s: CcState, now: number): void {
    s.cwnd = initialWindow(s.mss);
    this.#initialCwnd = s.cwnd;
    this.#mss = s.mss;
    this.#bw = new WindowedMaxFilter(this.#bwWindow);
    this.#roundCount = 0;
    this.#nextRoundDelivered = 0;
    this.#roundStart = false;
    this.#minRtt = s.minRtt;
    this.#minRttStamp = now;
    this.#probeRttDoneStamp = -1;
    this.#probeRttRoundDone = false;
    this.#priorCwnd = 0;
    this.#packetConservation = false;
    this.#caState = CA_OPEN;
    this.#prevCaState = CA_OPEN;
    this.#idleRestart = false;
    this.#fullBw = 0;
    this.#fullBwCount = 0;
    this.#fullBwReached = false;
    this.#cycleIndex = 0;
    this.#cycleStamp = now;
    this.#deliveredStamp = now;
    this.#hasSeenRtt = false;
    this.#bubbleFrom = -1;
    this.#bubbleTo = -1;
    this.#inBubble = false;
    this.#mode = "STARTUP";
    this.#updateGains();
    this.#initPacingRate(s);
  }

  /** Linux `bbr_main`: update the model, then the pacing rate and cwnd. */
  onAck(s: CcState, rs: RateSample, now: number): void {
    if (rs.newlyAcked > 0) this.#deliveredStamp = now;
    const appLimited = rs.isAppLimited ||
      (rs.priorDelivered >= this.#bubbleFrom && rs.priorDelivered <= this.#bubbleTo);
    this.#updateBw(rs, appLimited);
    this.#updateCyclePhase(s, rs);
    this.#checkFullBwReached(appLimited);
    this.#checkDrain(s, now);
    this.#updateMinRtt(s, rs, now);
    this.#updateGains();
    const bw = this.#bw.best;
    this.#setPacingRate(s, bw, this.#pacingGain);
    this.#setCwnd(s, rs, bw, this.#cwndGain);
  }

  /** BBR does not lower ssthresh on loss (Linux `bbr_ssthresh`). */
  ssthreshAfterLoss(s: Readonly<CcState>, _now: number): number {
    return s.ssthresh;
  }

  /** Save cwnd; packet conservation starts with the next ACK. */
  onEnterRecovery(s: CcState, _now: number): void {
    this.#saveCwnd(s);
    this.#caState = CA_RECOVERY;
  }

  /** Back to open: the next ACK restores the saved cwnd. */
  onExitRecovery(_s: CcState, _now: number): void {
    this.#caState = CA_OPEN;
  }

  /** Save cwnd, cwnd = 1 packet, restart full-pipe counting (Linux `bbr_set_state(TCP_CA_Loss)`). */
  onRetransmitTimeout(s: CcState, _now: number): void {
    this.#saveCwnd(s);
    this.#caState = CA_LOSS;
    this.#prevCaState = CA_LOSS;
    this.#fullBw = 0;
    this.#roundStart = true;
    s.cwnd = s.mss;
  }

  /** Restart after an application-limited idle period (Linux CA_EVENT_TX_START). */
  onIdleRestart(s: CcState, now: number, _idleSince: number): void {
    this.#idleRestart = true;
    if (this.#mode === "PROBE_BW") this.#setPacingRate(s, this.#bw.best, 1);
    else if (this.#mode === "PROBE_RTT") this.#checkProbeRttDone(s, now);
  }

  /** A fresh BBR with the same options (an injected `rand` is shared; the default generator restarts from its seed). */
  clone(): Bbr {
    return new Bbr(this.options);
  }

  /** Mode, model (btlBw, minRtt), gains, cycle and full-pipe state. */
  inspect(): Record<string, number | string> {
    return {
      mode: this.#mode,
      btlBw: this.#bw.best,
      minRtt: Number.isFinite(this.#minRtt) ? this.#minRtt : -1,
      minRttStamp: this.#minRttStamp,
      pacingGain: this.#pacingGain,
      cwndGain: this.#cwndGain,
      cycleIndex: this.#cycleIndex,
      roundCount: this.#roundCount,
      nextRoundDelivered: this.#nextRoundDelivered,
      fullBw: this.#fullBw,
      fullBwCount: this.#fullBwCount,
      fullBwReached: this.#fullBwReached ? 1 : 0,
      priorCwnd: this.#priorCwnd,
      packetConservation: this.#packetConservation ? 1 : 0,
      probeRttDoneStamp: this.#probeRttDoneStamp,
      bdpPackets: this.#mss > 0 ? this.#bdp(this.#bw.best, 1, this.#mss) : 0,
    };
  }

  /** The cwnd BBR aims at for `gain` (BDP × gain plus headroom), bytes. */
  targetCwnd(s: Readonly<CcState>, gain: number = this.#cwndGain): number {
    return this.#inflight(s, this.#bw.best, gain);
  }

  // ---- model ----

  #updateBw(rs: RateSample, appLimited: boolean): void {
    this.#roundStart = false;
    if (rs.interval <= 0) return;
    if (rs.priorDelivered >= this.#nextRoundDelivered) {
      this.#nextRoundDelivered = rs.deliveredTotal;
      this.#roundCount++;
      this.#roundStart = true;
      this.#packetConservation = false;
    }
    const bw = rs.deliveryRate;
    if (!appLimited || bw >= this.#bw.best) this.#bw.update(this.#roundCount, bw);
  }

  #updateCyclePhase(s: CcState, rs: RateSample): void {
    if (this.#mode === "PROBE_BW" && this.#isNextCyclePhase(s, rs)) this.#advanceCyclePhase();
  }

  #isNextCyclePhase(s: CcState, rs: RateSample): boolean {
    const fullLength = this.#deliveredStamp - this.#cycleStamp > this.#minRtt;
    const gain = this.#pacingGain;
    if (gain === 1) return fullLength;
    const inflight = rs.priorInFlight;
    const bw = this.#bw.best;
    if (gain > 1) {
      return fullLength && (rs.newlyLost > 0 || inflight >= this.#inflight(s, bw, gain));
    }
    return fullLength || inflight <= this.#inflight(s, bw, 1);
  }

  #advanceCyclePhase(): void {
    this.#cycleIndex = (this.#cycleIndex + 1) % BBR_PACING_GAIN_CYCLE.length;
    this.#cycleStamp = this.#deliveredStamp;
  }

  #checkFullBwReached(appLimited: boolean): void {
    if (this.#fullBwReached || !this.#roundStart || appLimited) return;
    const bw = this.#bw.best;
    if (bw >= this.#fullBw * 1.25) {
      this.#fullBw = bw;
      this.#fullBwCount = 0;
      return;
    }
    this.#fullBwCount++;
    this.#fullBwReached = this.#fullBwCount >= 3;
  }

  #checkDrain(s: CcState, now: number): void {
    if (this.#mode === "STARTUP" && this.#fullBwReached) {
      this.#mode = "DRAIN";
      s.ssthresh = this.#inflight(s, this.#bw.best, 1);
    }
    if (this.#mode === "DRAIN" && s.bytesInFlight <= this.#inflight(s, this.#bw.best, 1)) {
      this.#resetProbeBwMode(now);
    }
  }

  #resetProbeBwMode(_now: number): void {
    this.#mode = "PROBE_BW";
    const r = Math.min(Math.max(Math.floor(this.#rand() * 7), 0), 6);
    // Linux: cycle_idx = CYCLE_LEN − 1 − random(7), then advance: any phase but 0.75.
    this.#cycleIndex = BBR_PACING_GAIN_CYCLE.length - 1 - r;
    this.#advanceCyclePhase();
  }

  #resetMode(now: number): void {
    if (!this.#fullBwReached) this.#mode = "STARTUP";
    else this.#resetProbeBwMode(now);
  }

  #updateMinRtt(s: CcState, rs: RateSample, now: number): void {
    const expired = now > this.#minRttStamp + this.#minRttWindow;
    if (rs.rtt >= 0 && (rs.rtt < this.#minRtt || expired)) {
      this.#minRtt = rs.rtt;
      this.#minRttStamp = now;
    }
    if (
      this.#probeRttDuration > 0 && expired && !this.#idleRestart && this.#mode !== "PROBE_RTT"
    ) {
      this.#mode = "PROBE_RTT";
      this.#saveCwnd(s);
      this.#probeRttDoneStamp = -1;
      this.#inBubble = false;
    }
    if (this.#mode === "PROBE_RTT") {
      // Linux marks the connection app-limited here; remember which packets
      // (by their P.delivered) that marking would have covered.
      if (!this.#inBubble) {
        this.#inBubble = true;
        this.#bubbleFrom = rs.deliveredTotal;
      }
      this.#bubbleTo = Math.max(rs.deliveredTotal + s.bytesInFlight, 1);
      if (this.#probeRttDoneStamp < 0 && s.bytesInFlight <= this.#minCwnd(s)) {
        this.#probeRttDoneStamp = now + this.#probeRttDuration;
        this.#probeRttRoundDone = false;
        this.#nextRoundDelivered = rs.deliveredTotal;
      } else if (this.#probeRttDoneStamp >= 0) {
        if (this.#roundStart) this.#probeRttRoundDone = true;
        if (this.#probeRttRoundDone) this.#checkProbeRttDone(s, now);
      }
    }
    if (rs.delivered > 0) this.#idleRestart = false;
  }

  #checkProbeRttDone(s: CcState, now: number): void {
    if (!(this.#probeRttDoneStamp >= 0 && now > this.#probeRttDoneStamp)) return;
    this.#minRttStamp = now;
    this.#inBubble = false;
    s.cwnd = Math.max(s.cwnd, this.#priorCwnd);
    this.#resetMode(now);
  }

  #updateGains(): void {
    switch (this.#mode) {
      case "STARTUP":
        this.#pacingGain = this.#highGain;
        this.#cwndGain = this.#highGain;
        break;
      case "DRAIN":
        this.#pacingGain = this.#drainGain;
        this.#cwndGain = this.#highGain;
        break;
      case "PROBE_BW":
        this.#pacingGain = BBR_PACING_GAIN_CYCLE[this.#cycleIndex] ?? 1;
        this.#cwndGain = this.#cwndGainProbeBw;
        break;
      case "PROBE_RTT":
        this.#pacingGain = 1;
        this.#cwndGain = 1;
        break;
    }
  }

  // ---- control ----

  #pacingRateFor(bw: number, gain: number): number {
    return bw * gain * (1 - this.#margin);
  }

  #initPacingRate(s: CcState): void {
    let rtt = MS;
    if (s.srtt > 0) {
      rtt = s.srtt;
      this.#hasSeenRtt = true;
    }
    const bw = (s.cwnd * NS_PER_S) / rtt;
    s.pacingRate = this.#pacingRateFor(bw, this.#highGain);
  }

  #setPacingRate(s: CcState, bw: number, gain: number): void {
    const rate = this.#pacingRateFor(bw, gain);
    if (!this.#hasSeenRtt && s.srtt > 0) this.#initPacingRate(s);
    if (this.#fullBwReached || rate > s.pacingRate) s.pacingRate = rate;
  }

  #saveCwnd(s: CcState): void {
    if (this.#prevCaState < CA_RECOVERY && this.#mode !== "PROBE_RTT") this.#priorCwnd = s.cwnd;
    else this.#priorCwnd = Math.max(this.#priorCwnd, s.cwnd);
  }

  #minCwnd(s: Readonly<CcState>): number {
    return 4 * s.mss;
  }

  /** Linux `bbr_bdp`: packets needed for gain × bw × minRtt, rounded up. */
  #bdp(bw: number, gain: number, mss: number): number {
    if (!Number.isFinite(this.#minRtt)) return Math.ceil(this.#initialCwnd / mss);
    return Math.ceil((bw * this.#minRtt * gain) / NS_PER_S / mss);
  }

  /** Linux `bbr_tso_segs_goal`: packets per send quantum. */
  #quantumPackets(s: Readonly<CcState>): number {
    if (this.#quantum !== "auto") return this.#quantum;
    const bytes = Math.min(s.pacingRate / 1024, 65536);
    const floor = s.pacingRate < 1_200_000 / 8 ? 1 : 2;
    return Math.min(Math.max(Math.floor(bytes / s.mss), floor), 127);
  }

  /** Linux `bbr_inflight` = BDP + `bbr_quantization_budget`, in bytes. */
  #inflight(s: Readonly<CcState>, bw: number, gain: number): number {
    let packets = this.#bdp(bw, gain, s.mss) + 3 * this.#quantumPackets(s);
    packets += packets % 2; // round up to even
    if (this.#mode === "PROBE_BW" && this.#cycleIndex === 0) packets += 2;
    return packets * s.mss;
  }

  #setCwnd(s: CcState, rs: RateSample, bw: number, gain: number): void {
    const acked = rs.newlyAcked;
    let cwnd = s.cwnd;
    if (acked > 0) {
      if (rs.newlyLost > 0) cwnd = Math.max(cwnd - rs.newlyLost, s.mss);
      let conserving = false;
      if (this.#caState === CA_RECOVERY && this.#prevCaState !== CA_RECOVERY) {
        // First round of recovery: packet conservation (Linux).
        this.#packetConservation = true;
        this.#nextRoundDelivered = rs.deliveredTotal;
        cwnd = s.bytesInFlight + acked;
      } else if (this.#prevCaState >= CA_RECOVERY && this.#caState < CA_RECOVERY) {
        cwnd = Math.max(cwnd, this.#priorCwnd);
        this.#packetConservation = false;
      }
      this.#prevCaState = this.#caState;
      if (this.#packetConservation) {
        cwnd = Math.max(cwnd, s.bytesInFlight + acked);
        conserving = true;
      }
      if (!conserving) {
        const target = this.#inflight(s, bw, gain);
        if (this.#fullBwReached) cwnd = Math.min(cwnd + acked, target);
        else if (cwnd < target || rs.deliveredTotal < this.#initialCwnd) cwnd += acked;
        cwnd = Math.max(cwnd, this.#minCwnd(s));
      }
    }
    s.cwnd = cwnd;
    if (this.#mode === "PROBE_RTT") s.cwnd = Math.min(s.cwnd, this.#minCwnd(s));
  }
}
