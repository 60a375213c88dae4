/**
 * The command line of `deno task compare`: flags parsed with `node:util`
 * parseArgs into a typed {@link CompareOptions}, checked one by one so that a
 * bad value gives a one-line message naming the flag and the text it got, and
 * {@link toCompareConfig}, which turns the options into the
 * {@link CompareConfig} the runner takes (the buffer resolved to packets, the
 * per-flow RTTs expanded).
 *
 * It does not print, exit or read the environment: the entry point catches
 * {@link OptionError} and decides what to do with it.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { congestionControlNames } from "../../transport/cc/registry.ts";
import { parseRate, parseTime } from "../../net/units.ts";
import type { CompareConfig } from "./types.ts";

/** Bytes of IPv4 + TCP headers (with the timestamp option) on top of each MSS-sized segment. */
export const HEADER_BYTES = 52;

/** The algorithms the harness knows, in registry order. */
export const KNOWN_ALGOS: readonly string[] = congestionControlNames;

/** Queue disciplines the bottleneck offers now. */
export const KNOWN_AQMS: readonly string[] = ["droptail"];

/** Queue disciplines that are planned but not there yet (named in the error). */
export const PLANNED_AQMS: readonly string[] = ["red", "codel"];

/** How the bottleneck buffer was asked for. */
export type BufferSpec =
  | { kind: "bdp"; multiple: number; text: string }
  | { kind: "packets"; packets: number; text: string }
  | { kind: "bytes"; bytes: number; text: string };

/** Everything the command line can say, typed and checked. */
export interface CompareOptions {
  /** One entry per run: "cubic", or "cubic+bbr" for a mix in one run. */
  algos: string[];
  /** Flows per algorithm (a mix of k algorithms runs k × flows flows). */
  flows: number;
  /** Bottleneck rate, bit/s. */
  bandwidth: number;
  /** Base RTTs as given, ms (one value, or one per flow, cycled). */
  rttMs: number[];
  /** Bottleneck buffer as given. */
  buffer: BufferSpec;
  /** Queue discipline at the bottleneck. */
  aqm: string;
  /** Random loss probability on the bottleneck, in [0, 1). */
  loss: number;
  /** Simulated duration, s. */
  durationS: number;
  /** Independent replications, one run per seed. */
  seeds: number[];
  /** Maximum segment size, bytes. */
  mss: number;
  /** Runs at once, each in a worker thread; undefined: one per core. */
  jobs: number | undefined;
  /** Print the JSON object instead of the table (and no progress bar). */
  json: boolean;
  /** Write the HTML report here. */
  html: string | undefined;
  /** Use the synthetic generator instead of the simulator. */
  fake: boolean;
  /** Print the usage text and stop. */
  help: boolean;
}

/** A bad command line: `message` is one line that names the flag and the bad text. */
export class OptionError extends Error {
  /** The flag at fault, with its dashes ("--bw"), or "" when none is. */
  readonly flag: string;
  /** Build an error for `flag`. */
  constructor(flag: string, message: string) {
    super(message);
    this.name = "OptionError";
    this.flag = flag;
  }
}

/** The defaults, as the flags' text (shown by `--help`). */
export const DEFAULTS = {
  algos: "newreno,cubic,bbr",
  flows: "1",
  bw: "100mbit",
  rtt: "44ms",
  buffer: "1bdp",
  aqm: "droptail",
  loss: "0",
  duration: "30s",
  seed: "1",
  mss: "1448",
} as const;

/** The usage text for `--help`. */
export const USAGE = `usage: deno task compare [options]

Runs TCP congestion-control algorithms on a dumbbell (N senders, one
bottleneck link, N receivers) and compares them side by side.

  --algos LIST      algorithms to compare, comma-separated; "a+b" runs a and b
                    together in one run (a mix)     default ${DEFAULTS.algos}
                    known: ${KNOWN_ALGOS.join(", ")}
  --flows N         flows per algorithm in each run default ${DEFAULTS.flows}
  --bw RATE         bottleneck rate: bit, kbit, mbit, gbit
                                                    default ${DEFAULTS.bw}
  --rtt TIME[,..]   base round-trip time, or one per flow (cycled): us, ms, s
                                                    default ${DEFAULTS.rtt}
  --buffer SIZE     bottleneck buffer: Nbdp (multiples of the bandwidth-delay
                    product), Np (packets), Nb/Nkb/Nmb (bytes, powers of 1000),
                    Nkib/Nmib (powers of 1024)      default ${DEFAULTS.buffer}
  --aqm NAME        queue discipline: droptail      default ${DEFAULTS.aqm}
  --loss P          random loss probability, 0 <= P < 1
                                                    default ${DEFAULTS.loss}
  --duration TIME   simulated time per run          default ${DEFAULTS.duration}
  --seed N          seed of the single run          default ${DEFAULTS.seed}
  --seeds RANGE     independent replications: 1..5 or 1,4,9 (instead of --seed)
  --mss BYTES       maximum segment size            default ${DEFAULTS.mss}
  --jobs N          runs at once, each in its own worker thread; 1 runs them
                    one after another (steadier wall times)
                                                    default: one per core
  --json            print a JSON object instead of the table
  --html FILE       also write a self-contained HTML report with plots
  --fake            synthetic data from a fluid model instead of the simulator
                    (for trying the output; marked as such)
  --help            this text
`;

const FLAGS = {
  algos: { type: "string" },
  flows: { type: "string" },
  bw: { type: "string" },
  rtt: { type: "string" },
  buffer: { type: "string" },
  aqm: { type: "string" },
  loss: { type: "string" },
  duration: { type: "string" },
  seed: { type: "string" },
  seeds: { type: "string" },
  mss: { type: "string" },
  jobs: { type: "string" },
  json: { type: "boolean" },
  html: { type: "string" },
  fake: { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** Most seeds one comparison may replicate over. */
export const MAX_SEEDS = 1000;
/** Most flows per algorithm. */
export const MAX_FLOWS = 1000;
/** Most runs at once. */
export const MAX_JOBS = 256;

function bad(flag: string, text: string, why: string): OptionError {
  return new OptionError(`--${flag}`, `--${flag}: ${why}: "${text}"`);
}

function parseAlgos(text: string): string[] {
  const known = KNOWN_ALGOS.join(", ");
  const runs: string[] = [];
  for (const rawRun of text.split(",")) {
    const run = rawRun.trim().toLowerCase();
    if (run === "") throw bad("algos", text, "empty name in the list");
    const parts = run.split("+").map((p) => p.trim());
    for (const p of parts) {
      if (p === "") throw bad("algos", text, "empty name in a mix");
      if (!KNOWN_ALGOS.includes(p)) {
        throw new OptionError(
          "--algos",
          `--algos: unknown algorithm "${p}" (known: ${known})`,
        );
      }
    }
    if (new Set(parts).size !== parts.length) {
      throw bad("algos", run, "a mix names an algorithm twice (use --flows for more flows)");
    }
    const name = parts.join("+");
    if (runs.includes(name)) throw bad("algos", text, `"${name}" is listed twice`);
    runs.push(name);
  }
  return runs;
}

function parseCount(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw bad(flag, text, "expected a whole number");
  const n = Number(text.trim());
  if (n < min || n > max) throw bad(flag, text, `expected ${min} to ${max}`);
  return n;
}

function parseRtts(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split(",")) {
    const item = raw.trim();
    if (/^\d+(\.\d+)?$/.test(item)) {
      throw bad("rtt", text, `a unit is missing (e.g. ${item}ms)`);
    }
    const ns = parseTime(item);
    if (ns === undefined || item === "") {
      throw bad("rtt", text, "expected a time such as 44ms or 20ms,80ms");
    }
    if (!(ns > 0)) throw bad("rtt", text, "a round-trip time must be more than 0");
    out.push(ns / 1e6);
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 * 1024,
  gib: 1024 * 1024 * 1024,
};

function parseBuffer(text: string): BufferSpec {
  const t = text.trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(t);
  const expect = "expected Nbdp, Np (packets) or a size in b, kb, mb, kib, mib";
  if (!m) {
    if (/^\d+(\.\d+)?$/.test(t)) throw bad("buffer", text, `a unit is missing (${expect})`);
    throw bad("buffer", text, expect);
  }
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === "bdp") {
    if (!(n > 0)) throw bad("buffer", text, "the buffer must be more than 0");
    return { kind: "bdp", multiple: n, text: t };
  }
  if (unit === "p" || unit === "pkt" || unit === "pkts") {
    if (!Number.isInteger(n) || n < 1) {
      throw bad("buffer", text, "a buffer in packets must be a whole number of at least 1");
    }
    return { kind: "packets", packets: n, text: t };
  }
  const mult = BYTE_UNITS[unit];
  if (mult === undefined) throw bad("buffer", text, expect);
  if (!(n > 0)) throw bad("buffer", text, "the buffer must be more than 0");
  return { kind: "bytes", bytes: Math.round(n * mult), text: t };
}

function parseAqm(text: string): string {
  const t = text.trim().toLowerCase();
  if (KNOWN_AQMS.includes(t)) return t;
  const planned = PLANNED_AQMS.map((a) => a === "red" ? "RED" : a === "codel" ? "CoDel" : a);
  if (PLANNED_AQMS.includes(t) || t === "fq_codel") {
    throw new OptionError(
      "--aqm",
      `--aqm: "${text}" is not available yet (only ${KNOWN_AQMS.join(", ")}; ${
        planned.join(" and ")
      } are planned)`,
    );
  }
  throw new OptionError(
    "--aqm",
    `--aqm: unknown queue discipline "${text}" (available: ${KNOWN_AQMS.join(", ")}; not yet: ${
      planned.join(", ")
    })`,
  );
}

function parseLoss(text: string): number {
  const t = text.trim();
  if (!/^(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i.test(t)) {
    throw bad("loss", text, "expected a probability such as 0.01");
  }
  const p = Number(t);
  if (!(p >= 0 && p < 1)) {
    throw bad("loss", text, "expected a probability from 0 up to (not including) 1");
  }
  return p;
}

function parseDuration(text: string): number {
  const ns = parseTime(text);
  if (ns === undefined || text.trim() === "") {
    throw bad("duration", text, "expected a time such as 30s or 500ms");
  }
  if (!(ns > 0)) throw bad("duration", text, "the duration must be more than 0");
  return ns / 1e9;
}

function parseSeed(flag: string, text: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw bad(flag, text, "a seed is a whole number from 0 to 4294967295");
  const n = Number(t);
  if (n > 0xffff_ffff) throw bad(flag, text, "a seed is a whole number from 0 to 4294967295");
  return n;
}

function parseSeeds(text: string): number[] {
  const t = text.trim();
  const range = /^(\d+)\s*\.\.\s*(\d+)$/.exec(t);
  let seeds: number[];
  if (range) {
    const a = parseSeed("seeds", range[1]!);
    const b = parseSeed("seeds", range[2]!);
    if (b < a) throw bad("seeds", text, "a range must go up (1..5)");
    if (b - a + 1 > MAX_SEEDS) throw bad("seeds", text, `at most ${MAX_SEEDS} seeds`);
    seeds = [];
    for (let s = a; s <= b; s++) seeds.push(s);
  } else {
    if (!/^\d+(\s*,\s*\d+)*$/.test(t)) {
      throw bad("seeds", text, "expected a range such as 1..5 or a list such as 1,4,9");
    }
    seeds = t.split(",").map((s) => parseSeed("seeds", s));
    if (seeds.length > MAX_SEEDS) throw bad("seeds", text, `at most ${MAX_SEEDS} seeds`);
    if (new Set(seeds).size !== seeds.length) throw bad("seeds", text, "a seed is listed twice");
  }
  return seeds;
}

/** The flows in the largest run: flows per algorithm × the most algorithms in one mix. */
export function maxFlowsPerRun(algos: readonly string[], flows: number): number {
  let most = 1;
  for (const a of algos) most = Math.max(most, a.split("+").length);
  return most * flows;
}

/**
 * Parse the command line (without the program name). Throws
 * {@link OptionError} for anything it cannot use: an unknown flag, a missing
 * value, a positional argument or a bad value. With `--help` the other flags
 * are still parsed but `help` is set, and the caller prints {@link USAGE}.
 */
export function parseCompareArgs(args: readonly string[]): CompareOptions {
  let values;
  try {
    const parsed = parseArgs({ args: [...args], options: FLAGS, allowPositionals: true });
    values = parsed.values;
    if (parsed.positionals.length > 0) {
      throw new OptionError(
        "",
        `unexpected argument "${parsed.positionals[0]}" (flags start with --; see --help)`,
      );
    }
  } catch (e) {
    if (e instanceof OptionError) throw e;
    throw translateParseError(e as Error & { code?: string }, args);
  }
  if (values.help) return { ...defaults(), help: true };

  const algos = parseAlgos(values.algos ?? DEFAULTS.algos);
  const flows = parseCount("flows", values.flows ?? DEFAULTS.flows, 1, MAX_FLOWS);
  const bwText = values.bw ?? DEFAULTS.bw;
  if (/^\d+(\.\d+)?$/.test(bwText.trim())) {
    throw bad("bw", bwText, `a unit is missing (e.g. ${bwText.trim()}mbit)`);
  }
  const bandwidth = parseRate(bwText);
  if (bandwidth === undefined) {
    throw bad("bw", bwText, "expected a rate such as 100mbit (bit, kbit, mbit, gbit)");
  }
  if (!(bandwidth > 0)) throw bad("bw", bwText, "the rate must be more than 0");
  const rttMs = parseRtts(values.rtt ?? DEFAULTS.rtt);
  const most = maxFlowsPerRun(algos, flows);
  if (rttMs.length > most) {
    throw bad(
      "rtt",
      values.rtt ?? "",
      `${rttMs.length} round-trip times for at most ${most} flow${most === 1 ? "" : "s"} per run`,
    );
  }
  const buffer = parseBuffer(values.buffer ?? DEFAULTS.buffer);
  const aqm = parseAqm(values.aqm ?? DEFAULTS.aqm);
  const loss = parseLoss(values.loss ?? DEFAULTS.loss);
  const durationS = parseDuration(values.duration ?? DEFAULTS.duration);
  if (values.seed !== undefined && values.seeds !== undefined) {
    throw new OptionError("--seeds", "--seed and --seeds cannot be used together");
  }
  const seeds = values.seeds !== undefined
    ? parseSeeds(values.seeds)
    : [parseSeed("seed", values.seed ?? DEFAULTS.seed)];
  const mss = parseCount("mss", values.mss ?? DEFAULTS.mss, 88, 65535 - HEADER_BYTES);
  const jobs = values.jobs === undefined ? undefined : parseCount("jobs", values.jobs, 1, MAX_JOBS);
  const options: CompareOptions = {
    algos,
    flows,
    bandwidth,
    rttMs,
    buffer,
    aqm,
    loss,
    durationS,
    seeds,
    mss,
    jobs,
    json: values.json ?? false,
    html: values.html,
    fake: values.fake ?? false,
    help: false,
  };
  if (options.html !== undefined && options.html.trim() === "") {
    throw new OptionError("--html", '--html: expected a file name: ""');
  }
  // A buffer that resolves to no packet at all is an error, whatever its spelling.
  resolveBufferPackets(options);
  return options;
}

function defaults(): CompareOptions {
  return parseCompareArgs([]);
}

function translateParseError(e: Error & { code?: string }, args: readonly string[]): OptionError {
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new OptionError(flag, `unknown flag ${flag} (see --help)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (/argument missing/.test(e.message)) {
        return new OptionError(flag, `${flag}: a value is missing`);
      }
      if (/ambiguous/.test(e.message)) {
        const next = args[args.indexOf(flag) + 1] ?? "";
        return new OptionError(flag, `${flag}: a value is missing (got the flag "${next}")`);
      }
      const given = args.find((a) => a.startsWith(`${flag}=`));
      return new OptionError(
        flag,
        given !== undefined
          ? `${flag} takes no value: "${given.slice(flag.length + 1)}"`
          : `${flag}: ${e.message}`,
      );
    }
    default:
      return new OptionError(flag, e.message.split("\n")[0] ?? "bad command line");
  }
}

/** The bandwidth-delay product in bytes for `bandwidth` bit/s and an RTT of `rttMs`. */
export function bdpBytes(bandwidth: number, rttMs: number): number {
  return bandwidth * (rttMs / 1000) / 8;
}

/**
 * The bottleneck buffer in packets. A packet on the wire is MSS + 52 bytes
 * ({@link HEADER_BYTES}: 20 IPv4 + 20 TCP + 12 timestamp option; link framing
 * is not counted).
 *
 * - `Np`: N packets.
 * - `Nbdp`: ceil(N × bandwidth × RTT / 8 / (MSS + 52)), the fewest packets that
 *   hold N bandwidth-delay products, with RTT the largest base RTT of any flow
 *   (so the buffer fills the longest path's pipe). 100 Mbit/s × 44 ms with MSS
 *   1448 gives ceil(550,000 / 1,500) = 367.
 * - bytes: floor(bytes / (MSS + 52)), the packets that fit.
 *
 * Throws {@link OptionError} (for `--buffer`) when that is less than one packet.
 */
export function resolveBufferPackets(
  options: Pick<CompareOptions, "buffer" | "bandwidth" | "rttMs" | "mss">,
): number {
  const { buffer, bandwidth, rttMs, mss } = options;
  const wire = mss + HEADER_BYTES;
  let packets: number;
  switch (buffer.kind) {
    case "packets":
      packets = buffer.packets;
      break;
    case "bdp": {
      const exact = buffer.multiple * bdpBytes(bandwidth, Math.max(...rttMs)) / wire;
      // Forgive floating-point dust so that an exact multiple is not rounded up.
      packets = Math.ceil(exact - 1e-9);
      break;
    }
    case "bytes":
      packets = Math.floor(buffer.bytes / wire);
      break;
  }
  if (packets < 1) {
    throw bad("buffer", buffer.text, `holds no whole packet of ${wire} bytes`);
  }
  return packets;
}

/**
 * The configuration the runner takes. `rttMs` gets one entry per flow of the
 * largest run ({@link maxFlowsPerRun}), the given list cycled: flow i of any run
 * has base RTT `rttMs[i]`. The flows of a mix are ordered by algorithm, then
 * by index: "cubic+bbr" with 2 flows each is cubic, cubic, bbr, bbr.
 */
export function toCompareConfig(options: CompareOptions): CompareConfig {
  const n = maxFlowsPerRun(options.algos, options.flows);
  const rttMs: number[] = [];
  for (let i = 0; i < n; i++) rttMs.push(options.rttMs[i % options.rttMs.length]!);
  return {
    algos: [...options.algos],
    flows: options.flows,
    bandwidth: options.bandwidth,
    rttMs,
    bufferPackets: resolveBufferPackets(options),
    buffer: options.buffer.text,
    aqm: options.aqm,
    loss: options.loss,
    durationS: options.durationS,
    seeds: [...options.seeds],
    mss: options.mss,
  };
}
