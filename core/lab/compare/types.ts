/**
 * The data of a congestion-control comparison: its configuration and, per
 * algorithm (or mix), per-flow metrics and time series. The dumbbell runner
 * fills these in; the table, JSON and HTML report only read them.
 *
 * Units are in the field names: Mbps = 10^6 bit/s of goodput (payload bytes
 * delivered in order to the receiving application), Ms = milliseconds, times
 * in seconds of virtual time.
 *
 * @module
 */

/** What was compared and how. */
export interface CompareConfig {
  /** Algorithms per run: ["newreno", "cubic", "bbr"]; a run with a mix is "cubic+bbr". */
  algos: string[];
  /** Flows per run. */
  flows: number;
  /** Bottleneck rate, bit/s. */
  bandwidth: number;
  /** Base round-trip time per flow, ms (one entry per flow). */
  rttMs: number[];
  /** Bottleneck buffer, packets. */
  bufferPackets: number;
  /** How the buffer was asked for ("1bdp", "367p", "500kb"). */
  buffer: string;
  /** Queue management at the bottleneck ("droptail"). */
  aqm: string;
  /** Random loss probability on the bottleneck. */
  loss: number;
  /** Simulated duration, s. */
  durationS: number;
  /** Seeds used (one run per seed). */
  seeds: number[];
  /** Maximum segment size, bytes. */
  mss: number;
}

/** A time series: sample times (s) and values, the same length. */
export interface Series {
  t: number[];
  v: number[];
}

/** One flow of one run. */
export interface FlowResult {
  /** Its algorithm. */
  algo: string;
  /** Base RTT, ms. */
  baseRttMs: number;
  goodputMbps: number;
  meanRttMs: number;
  p95RttMs: number;
  retransmits: number;
  /** Congestion window, bytes, sampled on ACKs (thinned to at most ~2,000 points). */
  cwnd: Series;
  /** Goodput, Mbps, per 100 ms interval. */
  throughput: Series;
  /** RTT samples, ms (thinned). */
  rtt: Series;
  /** Algorithm state over time where it has one (BBR mode, …): [time s, label]. */
  phases: Array<[number, string]>;
}

/** One algorithm (or mix) aggregated over its flows and seeds. */
export interface AlgoResult {
  /** "cubic", or "cubic+bbr" for a mix. */
  algo: string;
  goodputMbps: number;
  /** Goodput sum over the bottleneck rate. */
  utilization: number;
  meanRttMs: number;
  p95RttMs: number;
  queueDelayMs: { mean: number; p95: number };
  retransmits: number;
  /** Packets dropped at the bottleneck (queue + random) over packets sent into it. */
  lossRate: number;
  /** Jain's fairness index over the flows' goodputs. */
  jain: number;
  flows: FlowResult[];
  /** Bottleneck queue length, packets, over time (first seed). */
  queue: Series;
  /** Spread over seeds when more than one: standard deviation of goodput and p95 RTT. */
  spread: { goodputMbps: number; p95RttMs: number } | undefined;
  /** Wall-clock seconds the simulation took (not part of the deterministic result). */
  wallSeconds: number;
}

/** The whole comparison. */
export interface CompareResult {
  /** What was compared. */
  config: CompareConfig;
  /** One entry per algorithm or mix. */
  results: AlgoResult[];
}
