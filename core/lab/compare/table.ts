/**
 * The comparison as plain text for a terminal: a line describing the
 * configuration, one row per algorithm (or mix) with goodput, utilisation,
 * RTT, queueing delay, retransmissions, loss and Jain's index, and, when any
 * run has more than one flow, a per-flow table under it. Numbers are aligned
 * right with one precision per column; with several seeds the goodput and p95
 * RTT carry "± standard deviation".
 *
 * No colours and no time series (the HTML report has the plots).
 *
 * @module
 */
import { decimalsFor, describeConfig, fixed, MISSING } from "./format.ts";
import type { AlgoResult, CompareResult } from "./types.ts";

/** A column of a text table: two header lines (name, unit) and how to align it. */
export interface TextColumn {
  /** First header line. */
  name: string;
  /** Second header line (the unit), "" for none. */
  unit: string;
  /** Alignment of the cells and headers. */
  align: "left" | "right";
}

/**
 * Lay out a table: headers on two lines, a rule of dashes, then the rows,
 * columns separated by two spaces, each as wide as its widest cell. Trailing
 * spaces are trimmed.
 */
export function layoutTable(columns: readonly TextColumn[], rows: readonly string[][]): string {
  const widths = columns.map((c, i) =>
    Math.max(
      [...c.name].length,
      [...c.unit].length,
      ...rows.map((r) => [...(r[i] ?? "")].length),
    )
  );
  const pad = (text: string, i: number) => {
    const w = widths[i]!;
    const fill = " ".repeat(Math.max(0, w - [...text].length));
    return columns[i]!.align === "left" ? text + fill : fill + text;
  };
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => pad(c, i)).join("  ").replace(/\s+$/, "");
  const out = [line(columns.map((c) => c.name))];
  if (columns.some((c) => c.unit !== "")) out.push(line(columns.map((c) => c.unit)));
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) out.push(line(r));
  return out.join("\n");
}

/**
 * A column of values, with "± spread" where there is one; the spreads are
 * padded to one width so that the values and the ± signs line up.
 */
function withSpread(
  values: readonly number[],
  spreads: ReadonlyArray<number | undefined>,
  decimals: number,
): string[] {
  const sp = spreads.map((s) => s === undefined ? "" : fixed(s, decimals));
  const w = Math.max(0, ...sp.map((s) => s.length));
  if (w === 0) return values.map((v) => fixed(v, decimals));
  return values.map((v, i) => {
    const s = sp[i]!;
    return `${fixed(v, decimals)}${s === "" ? " ".repeat(w + 3) : ` ± ${s.padStart(w)}`}`;
  });
}

/** Cells for a retransmission count (a mean over seeds may be fractional). */
function count(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v)) : MISSING;
}

/** The summary table, one row per algorithm or mix. */
export function summaryTable(results: readonly AlgoResult[]): string {
  const col = (pick: (r: AlgoResult) => number) => results.map(pick);
  const dGood = decimalsFor(col((r) => r.goodputMbps), 3, 1, 3);
  const dRtt = decimalsFor(col((r) => r.p95RttMs), 3, 1, 3);
  const dQ = decimalsFor(col((r) => r.queueDelayMs.p95), 3, 1, 3);
  const dLoss = decimalsFor(col((r) => r.lossRate * 100), 2, 2, 4);
  const columns: TextColumn[] = [
    { name: "algo", unit: "", align: "left" },
    { name: "goodput", unit: "Mbit/s", align: "right" },
    { name: "util", unit: "%", align: "right" },
    { name: "RTT mean", unit: "ms", align: "right" },
    { name: "RTT p95", unit: "ms", align: "right" },
    { name: "qdelay mean", unit: "ms", align: "right" },
    { name: "qdelay p95", unit: "ms", align: "right" },
    { name: "retrans", unit: "pkts", align: "right" },
    { name: "loss", unit: "%", align: "right" },
    { name: "Jain", unit: "", align: "right" },
  ];
  const good = withSpread(
    col((r) => r.goodputMbps),
    results.map((r) => r.spread?.goodputMbps),
    dGood,
  );
  const p95 = withSpread(col((r) => r.p95RttMs), results.map((r) => r.spread?.p95RttMs), dRtt);
  const rows = results.map((r, i) => [
    r.algo,
    good[i]!,
    fixed(r.utilization * 100, 1),
    fixed(r.meanRttMs, dRtt),
    p95[i]!,
    fixed(r.queueDelayMs.mean, dQ),
    fixed(r.queueDelayMs.p95, dQ),
    count(r.retransmits),
    fixed(r.lossRate * 100, dLoss),
    fixed(r.jain, 3),
  ]);
  return layoutTable(columns, rows);
}

/** The per-flow table: every flow of every run, with its share of its run's goodput. */
export function flowTable(results: readonly AlgoResult[]): string {
  const flows = results.flatMap((r) => r.flows);
  const dGood = decimalsFor(flows.map((f) => f.goodputMbps), 3, 1, 3);
  const dRtt = decimalsFor(flows.map((f) => f.p95RttMs), 3, 1, 3);
  const bases = flows.map((f) => f.baseRttMs);
  const dBase = bases.every(Number.isInteger) ? 0 : decimalsFor(bases, 3, 1, 3);
  const columns: TextColumn[] = [
    { name: "run", unit: "", align: "left" },
    { name: "flow", unit: "", align: "right" },
    { name: "algo", unit: "", align: "left" },
    { name: "base RTT", unit: "ms", align: "right" },
    { name: "goodput", unit: "Mbit/s", align: "right" },
    { name: "share", unit: "%", align: "right" },
    { name: "RTT mean", unit: "ms", align: "right" },
    { name: "RTT p95", unit: "ms", align: "right" },
    { name: "retrans", unit: "pkts", align: "right" },
  ];
  const rows: string[][] = [];
  for (const r of results) {
    const total = r.flows.reduce((s, f) => s + f.goodputMbps, 0);
    r.flows.forEach((f, i) => {
      rows.push([
        i === 0 ? r.algo : "",
        String(i + 1),
        f.algo,
        fixed(f.baseRttMs, dBase),
        fixed(f.goodputMbps, dGood),
        total > 0 ? fixed(f.goodputMbps / total * 100, 1) : MISSING,
        fixed(f.meanRttMs, dRtt),
        fixed(f.p95RttMs, dRtt),
        count(f.retransmits),
      ]);
    });
  }
  return layoutTable(columns, rows);
}

/**
 * The whole text output: the configuration line, the summary table and, when
 * any run has more than one flow, the per-flow table. Ends with a newline.
 */
export function formatTable(result: CompareResult): string {
  const parts = [describeConfig(result.config), "", summaryTable(result.results)];
  if (result.config.seeds.length > 1) {
    parts.push(`± is the standard deviation over ${result.config.seeds.length} seeds`);
  }
  if (result.results.some((r) => r.flows.length > 1)) {
    parts.push("", "per flow", "", flowTable(result.results));
  }
  return parts.join("\n") + "\n";
}
