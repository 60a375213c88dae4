/**
 * A synthetic stand-in for the dumbbell runner: {@link fakeComparison} has the
 * runner's signature and returns a plausible {@link CompareResult} from a
 * coarse fluid model of the bottleneck (rates, not packets), so the table, the
 * JSON and the report can be built and tested without the simulator.
 *
 * The model: every millisecond (or finer for short RTTs) each flow offers
 * cwnd/RTT (BBR: its pacing rate, capped by cwnd/RTT); the bottleneck serves
 * the sum up to its rate, sharing the output in proportion to what each flow
 * offers; the excess queues, up to the buffer, and overflow is charged to the
 * flows as losses. NewReno halves on a loss, CUBIC follows its cubic curve
 * with β = 0.7, BBR estimates the bottleneck rate with a windowed maximum and
 * cycles its pacing gain, with STARTUP, DRAIN and PROBE_RTT. Seeded noise (a
 * small generator, no global randomness) makes replications differ.
 *
 * It is not a simulation: no packets, no ACK clocking, no timeouts, no
 * recovery; the numbers are shaped like real ones but mean nothing. Metrics
 * use the definitions in `metrics.ts`; flows and time series of a result are
 * those of its first seed.
 *
 * @module
 */
import { HEADER_BYTES } from "./options.ts";
import { jainIndex, mean, percentile, stddev } from "./metrics.ts";
import type { AlgoResult, CompareConfig, CompareResult, FlowResult, Series } from "./types.ts";

/** A seeded generator of uniform numbers in [0, 1) (a 32-bit xorshift-multiply hash of a counter). */
export function fakeRandom(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return ((z ^ (z >>> 15)) >>> 0) / 4294967296;
  };
}

function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const BBR_GAINS = [1.25, 0.75, 1, 1, 1, 1, 1, 1];
const BBR_HIGH_GAIN = 2 / Math.LN2;

interface FlowState {
  algo: string;
  base: number; // s
  cwnd: number; // packets
  ssthresh: number;
  lastCut: number;
  lossDebt: number;
  queued: number; // packets of this flow in the bottleneck queue
  lossThreshold: number; // lost packets (fluid) that make a loss event, drawn anew each time
  start: number; // s
  delivered: number; // packets
  sent: number;
  dropped: number;
  // CUBIC
  wMax: number;
  epoch: number;
  k: number;
  wEst: number;
  // BBR
  mode: string;
  btlBw: number; // packets/s
  rounds: number[]; // max delivery rate of the last rounds
  roundMax: number;
  roundStart: number;
  minRtt: number;
  minRttStamp: number;
  fullBw: number;
  fullBwCount: number;
  cycle: number;
  cycleStart: number;
  probeRttUntil: number;
  savedCwnd: number;
  // samples
  phases: Array<[number, string]>;
  rttSamples: number[]; // ms
  cwndS: Series;
  rttS: Series;
  thrS: Series;
  binDelivered: number;
}

interface RunOutcome {
  flows: FlowResult[];
  queue: Series;
  rttAll: number[];
  qDelayAll: number[];
  sent: number;
  dropped: number;
}

function setPhase(f: FlowState, t: number, label: string): void {
  if (f.phases.length > 0 && f.phases[f.phases.length - 1]![1] === label) return;
  f.phases.push([round(t, 4), label]);
}

function round(x: number, decimals: number): number {
  const m = 10 ** decimals;
  return Math.round(x * m) / m;
}

function runOnce(
  config: CompareConfig,
  algo: string,
  seed: number,
  progress: (fraction: number) => void,
): RunOutcome {
  const rand = fakeRandom(hashText(algo) ^ Math.imul(seed, 0x2545f491));
  const wire = config.mss + HEADER_BYTES;
  const Cfull = config.bandwidth / 8 / wire; // packets/s
  const B = config.bufferPackets;
  const parts = algo.split("+");
  const flows: FlowState[] = [];
  for (const a of parts) {
    for (let j = 0; j < config.flows; j++) {
      const i = flows.length;
      const base = (config.rttMs[i] ?? config.rttMs[config.rttMs.length - 1] ?? 44) / 1000;
      flows.push({
        algo: a,
        base,
        cwnd: 10,
        ssthresh: Infinity,
        lastCut: -Infinity,
        lossDebt: 0,
        queued: 0,
        lossThreshold: 0.5 + rand(),
        start: i === 0 ? 0 : rand() * 0.5,
        delivered: 0,
        sent: 0,
        dropped: 0,
        wMax: 0,
        epoch: 0,
        k: 0,
        wEst: 10,
        mode: a === "bbr" ? "STARTUP" : "SLOW_START",
        btlBw: 10 / base,
        rounds: [],
        roundMax: 0,
        roundStart: 0,
        minRtt: Infinity,
        minRttStamp: 0,
        fullBw: 0,
        fullBwCount: 0,
        cycle: 0,
        cycleStart: 0,
        probeRttUntil: 0,
        savedCwnd: 0,
        phases: [],
        rttSamples: [],
        cwndS: { t: [], v: [] },
        rttS: { t: [], v: [] },
        thrS: { t: [], v: [] },
        binDelivered: 0,
      });
    }
  }
  for (const f of flows) setPhase(f, 0, f.mode);

  const minBase = Math.min(...flows.map((f) => f.base));
  const duration = config.durationS;
  const dt = Math.max(Math.min(0.001, minBase / 20), duration / 400_000);
  const steps = Math.max(1, Math.round(duration / dt));
  const sampleEvery = Math.max(1, Math.round(steps / 1500));
  const binEvery = Math.max(1, Math.round(0.1 / dt));
  const queue: Series = { t: [], v: [] };
  const rttAll: number[] = [];
  const qDelayAll: number[] = [];
  let q = 0;
  const offered = new Array<number>(flows.length).fill(0);
  const rtts = new Array<number>(flows.length).fill(0);

  // Cross traffic: a slowly wandering share of the bottleneck (0 to 6%), redrawn every 50 ms.
  let cross = 0.03;
  const crossEvery = Math.max(1, Math.round(0.05 / dt));
  for (let step = 0; step < steps; step++) {
    const t = step * dt;
    if (step % crossEvery === 0) cross = Math.min(0.06, Math.max(0, cross + (rand() - 0.5) * 0.01));
    const C = Cfull * (1 - cross);
    let total = 0;
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i]!;
      const rtt = f.base + q / C;
      rtts[i] = rtt;
      if (t < f.start) {
        offered[i] = 0;
        continue;
      }
      let x = f.cwnd / rtt;
      if (f.algo === "bbr") {
        const gain = f.mode === "STARTUP"
          ? BBR_HIGH_GAIN
          : f.mode === "DRAIN"
          ? 1 / BBR_HIGH_GAIN
          : f.mode === "PROBE_BW"
          ? BBR_GAINS[f.cycle]!
          : 1;
        x = Math.min(x, gain * f.btlBw * 0.99);
      }
      offered[i] = x;
      total += x;
    }
    const out = Math.min(C, total + q / dt);
    q = Math.max(0, q + (total - out) * dt);
    let overflow = 0;
    if (q > B) {
      overflow = q - B;
      q = B;
    }
    for (let i = 0; i < flows.length; i++) {
      const f = flows[i]!;
      const x = offered[i]!;
      const share = total > 0 ? x / total : 0;
      const d = out * share;
      const acked = d * dt;
      f.delivered += acked;
      f.binDelivered += acked;
      f.sent += x * dt;
      const rtt = rtts[i]!;
      let lost = overflow * share;
      if (config.loss > 0 && rand() < x * dt * config.loss) lost += 1;
      f.lossDebt += lost;
      if (f.lossDebt >= f.lossThreshold) {
        const whole = Math.max(1, Math.floor(f.lossDebt));
        f.lossDebt = Math.max(0, f.lossDebt - whole);
        f.lossThreshold = 0.5 + rand();
        f.dropped += whole;
        onLoss(f, t, rtt, whole);
      }
      f.queued = Math.max(0, f.queued + (x - d) * dt - lost);
      grow(f, t, rtt, acked, d, f.queued + d * f.base, rand);
    }
    if (step % sampleEvery === 0) {
      const ts = round(t, 4);
      queue.t.push(ts);
      queue.v.push(Math.round(q));
      for (let i = 0; i < flows.length; i++) {
        const f = flows[i]!;
        const rttMs = rtts[i]! * 1000 + rand() * 0.02 * f.base * 1000;
        f.rttSamples.push(rttMs);
        rttAll.push(rttMs);
        qDelayAll.push(rttMs - f.base * 1000);
        f.rttS.t.push(ts);
        f.rttS.v.push(round(rttMs, 3));
        f.cwndS.t.push(ts);
        f.cwndS.v.push(Math.round(f.cwnd * config.mss));
      }
    }
    if ((step + 1) % binEvery === 0) {
      for (const f of flows) {
        f.thrS.t.push(round((step + 1) * dt, 4));
        f.thrS.v.push(round(f.binDelivered * config.mss * 8 / (binEvery * dt) / 1e6, 3));
        f.binDelivered = 0;
      }
    }
    if (step % 4096 === 0) progress(step / steps);
  }

  const results: FlowResult[] = flows.map((f) => ({
    algo: f.algo,
    baseRttMs: f.base * 1000,
    goodputMbps: f.delivered * config.mss * 8 / duration / 1e6,
    meanRttMs: mean(f.rttSamples),
    p95RttMs: percentile(f.rttSamples, 95),
    retransmits: f.dropped,
    cwnd: f.cwndS,
    throughput: f.thrS,
    rtt: f.rttS,
    phases: f.phases,
  }));
  let sent = 0;
  let dropped = 0;
  for (const f of flows) {
    sent += f.sent;
    dropped += f.dropped;
  }
  return { flows: results, queue, rttAll, qDelayAll, sent, dropped };
}

function onLoss(f: FlowState, t: number, rtt: number, lost: number): void {
  if (f.algo === "bbr") {
    f.cwnd = Math.max(4, f.cwnd - lost * 0.5);
    return;
  }
  if (t - f.lastCut < rtt) return; // one reduction per round trip
  f.lastCut = t;
  if (f.algo === "cubic") {
    f.wMax = f.cwnd < f.wMax ? f.cwnd * (1 + 0.7) / 2 : f.cwnd;
    f.cwnd = Math.max(2, f.cwnd * 0.7);
    f.ssthresh = f.cwnd;
    f.epoch = t;
    f.k = Math.cbrt(f.wMax * (1 - 0.7) / 0.4);
    f.wEst = f.cwnd;
  } else {
    f.cwnd = Math.max(2, f.cwnd / 2);
    f.ssthresh = f.cwnd;
  }
  setPhase(f, t, "CONG_AVOID");
}

function grow(
  f: FlowState,
  t: number,
  rtt: number,
  acked: number,
  rate: number,
  inflight: number,
  rand: () => number,
): void {
  if (f.algo === "bbr") {
    growBbr(f, t, rtt, acked, rate, inflight, rand);
    return;
  }
  if (f.cwnd < f.ssthresh) {
    f.cwnd += acked;
    return;
  }
  if (f.algo === "cubic") {
    const te = t - f.epoch + rtt;
    const target = 0.4 * (te - f.k) ** 3 + f.wMax;
    const bounded = Math.min(Math.max(target, f.cwnd), 1.5 * f.cwnd);
    f.wEst += (3 * (1 - 0.7) / (1 + 0.7)) * acked / f.cwnd;
    f.cwnd = Math.max(f.cwnd + (bounded - f.cwnd) / f.cwnd * acked, f.wEst);
  } else {
    f.cwnd += acked / f.cwnd;
  }
}

function growBbr(
  f: FlowState,
  t: number,
  rtt: number,
  acked: number,
  rate: number,
  inflight: number,
  rand: () => number,
): void {
  if (rtt < f.minRtt || t - f.minRttStamp > 10) {
    if (rtt < f.minRtt) f.minRttStamp = t;
    f.minRtt = Math.min(f.minRtt, rtt);
  }
  f.roundMax = Math.max(f.roundMax, rate);
  const minRtt = Number.isFinite(f.minRtt) ? f.minRtt : f.base;
  if (t - f.roundStart >= rtt) {
    f.roundStart = t;
    f.rounds.push(f.roundMax);
    if (f.rounds.length > 10) f.rounds.shift();
    f.roundMax = 0;
    f.btlBw = Math.max(...f.rounds, 1);
    if (f.mode === "STARTUP") {
      if (f.btlBw >= f.fullBw * 1.25) {
        f.fullBw = f.btlBw;
        f.fullBwCount = 0;
      } else if (++f.fullBwCount >= 3) {
        f.mode = "DRAIN";
        setPhase(f, t, f.mode);
      }
    }
  }
  const bdp = f.btlBw * minRtt;
  if (f.mode === "DRAIN" && inflight <= bdp) {
    f.mode = "PROBE_BW";
    f.cycle = [0, 2, 3, 4, 5, 6, 7][Math.floor(rand() * 7)]!;
    f.cycleStart = t;
    setPhase(f, t, f.mode);
  }
  if (f.mode === "PROBE_BW" && t - f.cycleStart >= minRtt) {
    f.cycle = (f.cycle + 1) % BBR_GAINS.length;
    f.cycleStart = t;
  }
  if (f.mode !== "PROBE_RTT" && f.mode !== "STARTUP" && t - f.minRttStamp > 10) {
    f.savedCwnd = f.cwnd;
    f.mode = "PROBE_RTT";
    f.probeRttUntil = t + Math.max(0.2, rtt) + minRtt;
    setPhase(f, t, f.mode);
  }
  if (f.mode === "PROBE_RTT") {
    f.cwnd = 4;
    if (t >= f.probeRttUntil) {
      f.minRttStamp = t;
      f.minRtt = rtt;
      f.cwnd = Math.max(f.savedCwnd, 4);
      f.mode = "PROBE_BW";
      f.cycleStart = t;
      setPhase(f, t, f.mode);
    }
    return;
  }
  const gain = f.mode === "PROBE_BW" ? 2 : BBR_HIGH_GAIN;
  const target = gain * bdp + 3;
  f.cwnd = f.mode === "STARTUP" ? f.cwnd + acked : Math.min(f.cwnd + acked, target);
  f.cwnd = Math.max(f.cwnd, 4);
}

/**
 * A synthetic comparison with the runner's signature: one fluid-model run per
 * algorithm (or mix) and seed, aggregated as the runner aggregates (means over
 * seeds; spread = sample standard deviation of goodput and p95 RTT when there
 * is more than one seed). `wallSeconds` is 0: the caller measures it.
 * `onProgress` gets the fraction of all runs done and "algo seed N".
 */
export function fakeComparison(
  config: CompareConfig,
  onProgress?: (fraction: number, label: string) => void,
): CompareResult {
  const total = config.algos.length * config.seeds.length;
  let done = 0;
  const results: AlgoResult[] = [];
  for (const algo of config.algos) {
    const perSeed: AlgoResult[] = [];
    for (const seed of config.seeds) {
      const label = `${algo} seed ${seed}`;
      const run = runOnce(config, algo, seed, (f) => onProgress?.((done + f) / total, label));
      done++;
      onProgress?.(done / total, label);
      const goodput = run.flows.reduce((s, f) => s + f.goodputMbps, 0);
      perSeed.push({
        algo,
        goodputMbps: goodput,
        utilization: goodput / (config.bandwidth / 1e6),
        meanRttMs: mean(run.rttAll),
        p95RttMs: percentile(run.rttAll, 95),
        queueDelayMs: { mean: mean(run.qDelayAll), p95: percentile(run.qDelayAll, 95) },
        retransmits: run.flows.reduce((s, f) => s + f.retransmits, 0),
        lossRate: run.sent > 0 ? run.dropped / run.sent : 0,
        jain: jainIndex(run.flows.map((f) => f.goodputMbps)),
        flows: run.flows,
        queue: run.queue,
        spread: undefined,
        wallSeconds: 0,
      });
    }
    const first = perSeed[0]!;
    const avg = (pick: (r: AlgoResult) => number) => mean(perSeed.map(pick));
    results.push({
      algo,
      goodputMbps: avg((r) => r.goodputMbps),
      utilization: avg((r) => r.utilization),
      meanRttMs: avg((r) => r.meanRttMs),
      p95RttMs: avg((r) => r.p95RttMs),
      queueDelayMs: { mean: avg((r) => r.queueDelayMs.mean), p95: avg((r) => r.queueDelayMs.p95) },
      retransmits: avg((r) => r.retransmits),
      lossRate: avg((r) => r.lossRate),
      jain: avg((r) => r.jain),
      flows: first.flows,
      queue: first.queue,
      spread: perSeed.length > 1
        ? {
          goodputMbps: stddev(perSeed.map((r) => r.goodputMbps)),
          p95RttMs: stddev(perSeed.map((r) => r.p95RttMs)),
        }
        : undefined,
      wallSeconds: 0,
    });
  }
  return { config, results };
}
