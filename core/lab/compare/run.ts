/**
 * Runs a congestion-control comparison: for each algorithm (or mix) and each
 * seed, a dumbbell simulation of `durationS` seconds, then the metrics.
 *
 * Definitions (per flow, then aggregated over the flows of a run and averaged
 * over seeds):
 * - goodput: bytes delivered in order to the receiving application × 8 / duration;
 * - utilisation: the flows' summed goodput / bottleneck rate;
 * - RTT: the senders' RTT samples (one per ACK that acknowledges new,
 *   never-retransmitted data; Karn), mean and 95th percentile;
 * - queueing delay: RTT sample − the flow's base RTT;
 * - loss rate: packets dropped at the bottleneck (full queue or random loss)
 *   / packets offered to it;
 * - Jain's index: (Σx)² / (n·Σx²) over the flows' goodputs.
 *
 * Wall-clock time is measured only when the caller passes a clock (the CLI
 * does; nothing under core/ reads one itself).
 *
 * @module
 */
import type { AlgoResult, CompareConfig, CompareResult, FlowResult, Series } from "./types.ts";
import { dumbbell } from "./dumbbell.ts";
import { jainIndex, mean, percentile, stddev } from "./metrics.ts";

const MAX_POINTS = 2000;

/** Options for a run. */
export interface RunOptions {
  /** Called now and then with the fraction done and a label. */
  onProgress?: (fraction: number, label: string) => void;
  /** A wall clock in ms (performance.now), to fill `wallSeconds`. */
  clock?: () => number;
}

interface FlowRaw {
  cwnd: Series;
  rtt: Series;
  rttAll: number[];
  queueDelayAll: number[];
  throughput: Series;
  phases: Array<[number, string]>;
}

/**
 * The algorithms of each flow for one entry of `algos`: `flows` flows of each
 * algorithm, so "cubic+bbr" with 2 flows is cubic, cubic, bbr, bbr.
 */
export function flowAlgos(entry: string, flows: number): string[] {
  return entry.split("+").flatMap((a) => Array.from({ length: flows }, () => a));
}

/** One simulation: one algorithm entry, one seed. */
export function runOnce(
  config: CompareConfig,
  entry: string,
  seed: number,
  progress?: (fraction: number) => void,
): { flows: FlowResult[]; queue: Series; queueDelays: number[]; lossRate: number } {
  const algos = flowAlgos(entry, config.flows);
  const rtts = algos.map((_, i) =>
    (config.rttMs[i] ?? config.rttMs[config.rttMs.length - 1] ?? 44) * 1e6
  );
  const d = dumbbell({
    algos,
    rtts,
    bandwidth: config.bandwidth,
    bufferPackets: config.bufferPackets,
    loss: config.loss,
    seed,
    mss: config.mss,
  });
  const sim = d.net.sim;
  const duration = config.durationS * 1e9;
  const every = duration / MAX_POINTS;
  const raw: FlowRaw[] = d.flows.map((sock, i) => {
    const r: FlowRaw = {
      cwnd: { t: [], v: [] },
      rtt: { t: [], v: [] },
      rttAll: [],
      queueDelayAll: [],
      throughput: { t: [], v: [] },
      phases: [],
    };
    let lastCwnd = -Infinity, lastRtt = -Infinity;
    const base = rtts[i]!;
    sock.onAck = (e) => {
      if (e.time - lastCwnd >= every) {
        r.cwnd.t.push(e.time / 1e9);
        r.cwnd.v.push(e.cwnd);
        lastCwnd = e.time;
      }
      if (e.rttSample >= 0) {
        r.rttAll.push(e.rttSample / 1e6);
        r.queueDelayAll.push(Math.max(0, e.rttSample - base) / 1e6);
        if (e.time - lastRtt >= every) {
          r.rtt.t.push(e.time / 1e9);
          r.rtt.v.push(e.rttSample / 1e6);
          lastRtt = e.time;
        }
      }
    };
    return r;
  });
  // Periodic sampling: throughput per 100 ms, queue and phases per 10 ms.
  const queue: Series = { t: [], v: [] };
  const lastBytes = d.received.map(() => 0);
  const lastPhase = d.flows.map(() => "");
  const sampleQueue = () => {
    queue.t.push(sim.now / 1e9);
    queue.v.push(d.bottleneck.queued);
    d.flows.forEach((sock, i) => {
      if (sock.cc.name !== "bbr" || sock.state === "CLOSED") return;
      const mode = String(sock.cc.inspect().mode ?? "");
      if (mode !== lastPhase[i]) {
        raw[i]!.phases.push([sim.now / 1e9, mode]);
        lastPhase[i] = mode;
      }
    });
    if (sim.now + 10e6 <= duration) sim.after(10e6, sampleQueue);
  };
  const sampleThroughput = () => {
    d.received.forEach((bytes, i) => {
      raw[i]!.throughput.t.push(sim.now / 1e9);
      raw[i]!.throughput.v.push(((bytes - lastBytes[i]!) * 8) / 0.1 / 1e6);
      lastBytes[i] = bytes;
    });
    progress?.(sim.now / duration);
    if (sim.now + 100e6 <= duration) sim.after(100e6, sampleThroughput);
  };
  sim.after(10e6, sampleQueue);
  sim.after(100e6, sampleThroughput);
  d.start();
  sim.run(duration);
  const flows: FlowResult[] = d.flows.map((sock, i) => {
    const r = raw[i]!;
    return {
      algo: algos[i]!,
      baseRttMs: rtts[i]! / 1e6,
      goodputMbps: (d.received[i]! * 8) / config.durationS / 1e6,
      meanRttMs: mean(r.rttAll),
      p95RttMs: percentile(r.rttAll, 95),
      retransmits: sock.stats.retransmits,
      cwnd: r.cwnd,
      throughput: r.throughput,
      rtt: r.rtt,
      phases: r.phases,
    };
  });
  const c = d.bottleneck.counters;
  const randomLoss = d.net.trace.drops.get("random loss") ?? 0;
  const offered = c.txPackets + c.txDropped;
  const lossRate = offered === 0 ? 0 : (c.txDropped + randomLoss) / offered;
  const queueDelays = raw.flatMap((r) => r.queueDelayAll);
  return { flows, queue, queueDelays, lossRate };
}

/** Run the whole comparison. */
export function runComparison(config: CompareConfig, o: RunOptions = {}): CompareResult {
  const results: AlgoResult[] = [];
  const total = config.algos.length * config.seeds.length;
  let done = 0;
  for (const entry of config.algos) {
    const perSeed: Array<ReturnType<typeof runOnce> & { wall: number }> = [];
    for (const seed of config.seeds) {
      const label = `${entry} seed ${seed}`;
      const t0 = o.clock?.() ?? 0;
      const r = runOnce(config, entry, seed, (f) => o.onProgress?.((done + f) / total, label));
      perSeed.push({ ...r, wall: ((o.clock?.() ?? 0) - t0) / 1000 });
      done++;
      o.onProgress?.(done / total, label);
    }
    const first = perSeed[0]!;
    const goodputs = perSeed.map((r) => r.flows.reduce((a, f) => a + f.goodputMbps, 0));
    const allRttMeans = perSeed.map((r) => mean(r.flows.map((f) => f.meanRttMs)));
    // A run's p95 RTT is the mean of its flows' p95s; the spread is over the same numbers.
    const allP95 = perSeed.map((r) => mean(r.flows.map((f) => f.p95RttMs)));
    const qd = perSeed.flatMap((r) => r.queueDelays);
    // Flows are averaged across seeds, position by position.
    const flows: FlowResult[] = first.flows.map((f, i) => ({
      ...f,
      goodputMbps: mean(perSeed.map((r) => r.flows[i]!.goodputMbps)),
      meanRttMs: mean(perSeed.map((r) => r.flows[i]!.meanRttMs)),
      p95RttMs: mean(perSeed.map((r) => r.flows[i]!.p95RttMs)),
      retransmits: Math.round(mean(perSeed.map((r) => r.flows[i]!.retransmits))),
    }));
    results.push({
      algo: entry,
      goodputMbps: mean(goodputs),
      utilization: mean(goodputs) * 1e6 / config.bandwidth,
      meanRttMs: mean(allRttMeans),
      p95RttMs: mean(allP95),
      queueDelayMs: { mean: mean(qd), p95: percentile(qd, 95) },
      retransmits: Math.round(
        mean(perSeed.map((r) => r.flows.reduce((a, f) => a + f.retransmits, 0))),
      ),
      lossRate: mean(perSeed.map((r) => r.lossRate)),
      jain: mean(perSeed.map((r) => jainIndex(r.flows.map((f) => f.goodputMbps)))),
      flows,
      queue: first.queue,
      spread: perSeed.length > 1
        ? { goodputMbps: stddev(goodputs), p95RttMs: stddev(allP95) }
        : undefined,
      wallSeconds: perSeed.reduce((a, r) => a + r.wall, 0),
    });
  }
  return { config, results };
}
