/**
 * The HTML report of a comparison: one self-contained file (inline CSS, inline
 * SVG, a few lines of inline script for hover read-outs, no external
 * resources) with the configuration, the summary table, a throughput-versus-
 * delay scatter and, per metric, one panel per algorithm or mix on shared
 * axes: congestion window, throughput and RTT per flow, and the bottleneck
 * queue. Everything reads without the script; with it, hovering a time plot
 * shows the values at that instant.
 *
 * Colours come from the Okabe–Ito palette (safe for the common colour-vision
 * deficiencies): one hue per algorithm, the flows of an algorithm in lighter
 * and darker shades of its hue. Long series are decimated to the pixel grid
 * (first, lowest, highest, last per pixel column), so the file stays small and
 * the envelope stays true.
 *
 * Left out: interactive zoom, per-seed plots (series are the first seed's),
 * and anything that needs a network connection.
 *
 * @module
 */
import {
  axisBottom,
  axisLeft,
  escapeXml,
  extent,
  linearScale,
  niceDomain,
  niceTicks,
  type PlotArea,
  pointsAttr,
  px,
  type Scale,
  textWidth,
  thinToPixels,
} from "./svg.ts";
import {
  configFacts,
  decimalsFor,
  describeConfig,
  fixed,
  formatMs,
  formatRate,
  MISSING,
} from "./format.ts";
import { HEADER_BYTES } from "./options.ts";
import type { AlgoResult, CompareResult, FlowResult, Series } from "./types.ts";

/** Options of {@link renderReport}. */
export interface ReportOptions {
  /** A warning shown prominently under the title (e.g. that the data are synthetic). */
  notice?: string;
}

/** Okabe–Ito colours given to the known algorithms. */
export const ALGO_COLORS: Readonly<Record<string, string>> = {
  newreno: "#0072B2",
  cubic: "#D55E00",
  bbr: "#009E73",
};

/** Okabe–Ito colours for mixes and unknown algorithms, in order of use. */
export const EXTRA_COLORS: readonly string[] = ["#CC79A7", "#E69F00", "#56B4E9", "#F0E442"];

/**
 * The colour of each run (algorithm or mix) of `algos`, in order: a known
 * algorithm has its fixed colour, anything else (a mix) the next unused extra.
 */
export function runColors(algos: readonly string[]): string[] {
  let next = 0;
  return algos.map((a) => ALGO_COLORS[a] ?? EXTRA_COLORS[next++ % EXTRA_COLORS.length]!);
}

function hexToHsl(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  const r = (n >> 16 & 255) / 255, g = (n >> 8 & 255) / 255, b = (n & 255) / 255;
  const max = Math.max(r, g, b), min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  const h = max === r
    ? (g - b) / d + (g < b ? 6 : 0)
    : max === g
    ? (b - r) / d + 2
    : (r - g) / d + 4;
  return [h * 60, s, l];
}

function hslToHex(h: number, s: number, l: number): string {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
  const hex = (x: number) => Math.round(x * 255).toString(16).padStart(2, "0");
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`.toUpperCase();
}

/** Lightness offsets of the k-th shade of a hue: the hue itself, then lighter and darker. */
const SHADE_STEPS = [0, 0.16, -0.13, 0.28, -0.22, 0.36, 0.08, -0.07];

/** The k-th shade of `hex`: k = 0 is the colour itself; others step its lightness. */
export function shade(hex: string, k: number): string {
  if (k === 0) return hex.toUpperCase();
  const [h, s, l] = hexToHsl(hex);
  const step = SHADE_STEPS[k % SHADE_STEPS.length]! + Math.floor(k / SHADE_STEPS.length) * 0.04;
  return hslToHex(h, s, Math.min(0.82, Math.max(0.14, l + step)));
}

/** The colour of each flow of a run: its algorithm's hue, shaded by its index within that algorithm. */
export function flowColors(flows: readonly FlowResult[]): string[] {
  const seen = new Map<string, number>();
  return flows.map((f) => {
    const k = seen.get(f.algo) ?? 0;
    seen.set(f.algo, k + 1);
    return shade(ALGO_COLORS[f.algo] ?? EXTRA_COLORS[0]!, k);
  });
}

/** A line of a time plot. */
interface Line {
  label: string;
  color: string;
  series: Series;
  /** Multiply values by this before plotting (units). */
  scale: number;
}

/** A dashed reference line across a plot. */
interface RefLine {
  value: number;
  label: string;
}

interface PhaseStrip {
  /** Whose states these are ("flow 1"). */
  owner: string;
  spans: Array<[number, number, string]>;
}

interface PanelSpec {
  title: string;
  titleColor: string;
  lines: Line[];
  xDomain: [number, number];
  yDomain: [number, number];
  xLabel: string;
  yLabel: string;
  unit: string;
  refs: RefLine[];
  phases: PhaseStrip | undefined;
  legend: boolean;
  /** Legend rows to leave room for (the most any panel of the row needs). */
  legendRows: number;
  /** Leave room for a phase strip (when any panel of the row has one). */
  stripRoom: boolean;
}

const PANEL_W = 430;
/** Height of a time plot's data area, px. */
const PLOT_H = 180;
/** Most legend rows before the rest is summarised as "+N more". */
const MAX_LEGEND_ROWS = 3;
const MARGIN = { left: 60, right: 14, bottom: 44 };

/** Fill colours of algorithm states in the phase strip. */
const PHASE_COLORS: Readonly<Record<string, string>> = {
  STARTUP: "#F6D7B0",
  SLOW_START: "#F6D7B0",
  DRAIN: "#F3E9A6",
  PROBE_BW: "#DCE8F3",
  CONG_AVOID: "#DCE8F3",
  PROBE_RTT: "#5B5B5B",
  RECOVERY: "#F2C2C2",
  LOSS: "#F2C2C2",
};
const PHASE_FALLBACK = ["#E5D8EC", "#D6EDE3", "#EFE0D2", "#E0E0E0"];

function phaseColor(label: string, order: string[]): string {
  const known = PHASE_COLORS[label.toUpperCase()];
  if (known) return known;
  let i = order.indexOf(label);
  if (i < 0) i = order.push(label) - 1;
  return PHASE_FALLBACK[i % PHASE_FALLBACK.length]!;
}

let panelCounter = 0;

/** One time plot as an `<svg>` element. */
function timePanel(spec: PanelSpec): string {
  const id = `p${++panelCounter}`;
  const top = 26 + spec.legendRows * 14 + (spec.stripRoom ? 16 : 0) + 6;
  const area: PlotArea = {
    left: MARGIN.left,
    top,
    width: PANEL_W - MARGIN.left - MARGIN.right,
    height: PLOT_H,
  };
  const PANEL_H = top + PLOT_H + MARGIN.bottom;
  const x = linearScale(spec.xDomain, [area.left, area.left + area.width]);
  const y = linearScale(spec.yDomain, [area.top + area.height, area.top]);
  const parts: string[] = [];
  parts.push(
    `<svg class="plot ts" width="${PANEL_W}" height="${PANEL_H}" viewBox="0 0 ${PANEL_W} ${PANEL_H}" role="img" aria-label="${
      escapeXml(`${spec.yLabel} over time, ${spec.title}`)
    }" data-x="${spec.xDomain.join(" ")}" data-y="${spec.yDomain.join(" ")}" data-area="${
      [area.left, area.top, area.width, area.height].join(" ")
    }" data-unit="${escapeXml(spec.unit)}">`,
  );
  parts.push(
    `<defs><clipPath id="${id}c"><rect x="${area.left}" y="${
      area.top - 1
    }" width="${area.width}" height="${area.height + 2}"/></clipPath></defs>`,
  );
  parts.push(
    `<rect class="swatch" x="${area.left}" y="6" width="10" height="10" rx="2" fill="${spec.titleColor}"/>`,
    `<text class="ptitle" x="${area.left + 15}" y="15">${escapeXml(spec.title)}</text>`,
  );
  if (spec.legend) parts.push(legend(spec.lines, area.left, 33, area.width));
  const xTicks = niceTicks(spec.xDomain[0], spec.xDomain[1], 6);
  const yTicks = niceTicks(spec.yDomain[0], spec.yDomain[1], 5);
  parts.push(axisLeft(y, area, { ticks: yTicks, label: spec.yLabel, grid: true }));
  parts.push(axisBottom(x, area, { ticks: xTicks, label: spec.xLabel, grid: true }));
  if (spec.phases) parts.push(phaseStrip(spec.phases, x, area));
  for (const r of spec.refs) parts.push(refLine(r, y, area, false));
  parts.push(`<g clip-path="url(#${id}c)">`);
  let drawn = 0;
  for (const line of spec.lines) {
    const v = line.scale === 1 ? line.series.v : line.series.v.map((a) => a * line.scale);
    const pts = thinToPixels(line.series.t, v, x, y, 0.5);
    if (pts.length === 0) continue;
    drawn++;
    parts.push(
      `<polyline class="series" data-label="${
        escapeXml(line.label)
      }" stroke="${line.color}" points="${pointsAttr(pts)}"><title>${
        escapeXml(line.label)
      }</title></polyline>`,
    );
    if (pts.length === 1) {
      const [cx, cy] = pts[0]!;
      parts.push(`<circle cx="${px(cx)}" cy="${px(cy)}" r="2.5" fill="${line.color}"/>`);
    }
  }
  parts.push("</g>");
  for (const r of spec.refs) parts.push(refLine(r, y, area, true));
  if (drawn === 0) {
    parts.push(
      `<text class="nodata" x="${px(area.left + area.width / 2)}" y="${
        px(area.top + area.height / 2)
      }" text-anchor="middle">no data</text>`,
    );
  }
  parts.push(
    `<line class="cross" x1="0" x2="0" y1="${area.top}" y2="${
      area.top + area.height
    }" visibility="hidden"/>`,
  );
  parts.push("</svg>");
  return parts.join("");
}

/** Where each legend entry goes: its row and x offset, entries that do not fit in `maxRows` left out. */
export function legendLayout(
  labels: readonly string[],
  width: number,
  maxRows = MAX_LEGEND_ROWS,
): Array<{ row: number; x: number }> {
  const out: Array<{ row: number; x: number }> = [];
  let row = 0;
  let x = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = 18 + textWidth(labels[i]!, 10.5) + 12;
    if (x > 0 && x + w > width) {
      row++;
      x = 0;
    }
    // The last row keeps room for "+N more" when entries remain after this one.
    const more = i < labels.length - 1 ? 56 : 0;
    if (row >= maxRows || (row === maxRows - 1 && x + w + more > width && i < labels.length - 1)) {
      break;
    }
    out.push({ row, x });
    x += w;
  }
  return out;
}

function legend(lines: readonly Line[], left: number, y: number, width: number): string {
  const parts = [`<g class="legend">`];
  const places = legendLayout(lines.map((l) => l.label), width);
  places.forEach(({ row, x }, i) => {
    const l = lines[i]!;
    const xx = left + x;
    const yy = y + row * 14;
    parts.push(
      `<line x1="${px(xx)}" x2="${px(xx + 14)}" y1="${yy - 3.5}" y2="${
        yy - 3.5
      }" stroke="${l.color}" stroke-width="2.5"/>`,
      `<text x="${px(xx + 18)}" y="${yy}">${escapeXml(l.label)}</text>`,
    );
  });
  if (places.length < lines.length) {
    const last = places[places.length - 1];
    const lx = last
      ? left + last.x + 18 + textWidth(lines[places.length - 1]!.label, 10.5) + 12
      : left;
    const ly = y + (last?.row ?? 0) * 14;
    parts.push(`<text x="${px(lx)}" y="${ly}">+${lines.length - places.length} more</text>`);
  }
  parts.push("</g>");
  return parts.join("");
}

/** A dashed reference line (`label` false) or its label (true, drawn over the data). */
function refLine(r: RefLine, y: Scale, area: PlotArea, label: boolean): string {
  const [d0, d1] = y.domain;
  if (r.value < Math.min(d0, d1) || r.value > Math.max(d0, d1)) return "";
  const yy = px(y.map(r.value));
  if (!label) {
    return `<line class="ref" x1="${area.left}" x2="${
      area.left + area.width
    }" y1="${yy}" y2="${yy}"/>`;
  }
  return `<text class="reflabel" x="${px(area.left + area.width - 3)}" y="${
    px(y.map(r.value) - 3)
  }" text-anchor="end">${escapeXml(r.label)}</text>`;
}

function phaseStrip(strip: PhaseStrip, x: Scale, area: PlotArea): string {
  const y0 = area.top - 16;
  const h = 11;
  const order: string[] = [];
  const parts = [`<g class="phases">`];
  for (const [t0, t1, label] of strip.spans) {
    const a = x.map(t0);
    const b = Math.min(x.map(t1), area.left + area.width);
    if (!(b > a)) continue;
    const fill = phaseColor(label, order);
    const w = Math.max(1, b - a);
    parts.push(
      `<rect x="${px(a)}" y="${y0}" width="${px(w)}" height="${h}" fill="${fill}"><title>${
        escapeXml(`${strip.owner}: ${label} from ${fixed(t0, 2)} s to ${fixed(t1, 2)} s`)
      }</title></rect>`,
    );
    const text = label.replaceAll("_", " ").toLowerCase();
    if (textWidth(text, 8.5) + 6 < w) {
      const dark = fill === PHASE_COLORS.PROBE_RTT;
      parts.push(
        `<text class="phaselabel${dark ? " dark" : ""}" x="${px(a + 3)}" y="${y0 + 7.8}">${
          escapeXml(text)
        }</text>`,
      );
    }
  }
  parts.push("</g>");
  return parts.join("");
}

function phaseSpans(f: FlowResult, end: number): Array<[number, number, string]> {
  const out: Array<[number, number, string]> = [];
  for (let i = 0; i < f.phases.length; i++) {
    const [t0, label] = f.phases[i]!;
    const t1 = f.phases[i + 1]?.[0] ?? end;
    if (t1 > t0) out.push([t0, t1, label]);
  }
  return out;
}

/** "flow 2", or in a mix "bbr 1" (numbered within its algorithm), with the base RTT when they differ. */
function flowLabel(run: AlgoResult, f: FlowResult, i: number, multiRtt: boolean): string {
  const mixed = run.algo.includes("+");
  const within = run.flows.slice(0, i).filter((g) => g.algo === f.algo).length + 1;
  const who = mixed ? `${f.algo} ${within}` : `flow ${i + 1}`;
  return multiRtt ? `${who} · ${formatMs(f.baseRttMs)}` : who;
}

function seriesMax(series: Iterable<[Series, number]>): number {
  let hi = -Infinity;
  for (const [s, k] of series) {
    for (const v of s.v) if (Number.isFinite(v)) hi = Math.max(hi, v * k);
  }
  return hi;
}

/** A row of panels, one per run, for one metric. */
function metricRow(
  result: CompareResult,
  colors: readonly string[],
  metric: "cwnd" | "throughput" | "rtt" | "queue",
): string {
  const c = result.config;
  const duration = c.durationS;
  const multiRtt = new Set(c.rttMs).size > 1;
  const mss = c.mss;
  const linkMbps = c.bandwidth / 1e6;
  const wire = mss + HEADER_BYTES;
  const lineSets: Line[][] = result.results.map((run) => {
    if (metric === "queue") {
      return [{
        label: run.algo,
        color: colors[result.results.indexOf(run)]!,
        series: run.queue,
        scale: 1,
      }];
    }
    const fc = flowColors(run.flows);
    return run.flows.map((f, i) => ({
      label: flowLabel(run, f, i, multiRtt),
      color: fc[i]!,
      series: metric === "cwnd" ? f.cwnd : metric === "throughput" ? f.throughput : f.rtt,
      scale: metric === "cwnd" ? 1 / mss : 1,
    }));
  });
  const all = lineSets.flat().map((l): [Series, number] => [l.series, l.scale]);
  const refs: RefLine[] = [];
  const distinctRtts = [...new Set(c.rttMs)];
  if (metric === "cwnd" && distinctRtts.length === 1) {
    const bdp = c.bandwidth * distinctRtts[0]! / 1000 / 8 / wire;
    refs.push({ value: bdp, label: "BDP" }, {
      value: bdp + c.bufferPackets,
      label: "BDP + buffer",
    });
  }
  if (metric === "throughput") {
    refs.push({ value: linkMbps, label: `link ${formatRate(c.bandwidth)}` });
  }
  if (metric === "rtt") {
    for (const r of distinctRtts) refs.push({ value: r, label: `base ${formatMs(r)}` });
  }
  if (metric === "queue") refs.push({ value: c.bufferPackets, label: `buffer ${c.bufferPackets}` });
  let hi = seriesMax(all);
  // Keep the reference lines in view when they are near the data, not when they would squash it.
  for (const r of refs) {
    if (!Number.isFinite(hi) || r.value <= hi * 1.25) hi = Math.max(hi, r.value);
  }
  const yDomain = niceDomain(0, Number.isFinite(hi) && hi > 0 ? hi : 1, 5);
  const labels = {
    cwnd: ["cwnd (packets)", "packets"],
    throughput: ["throughput (Mbit/s)", "Mbit/s"],
    rtt: ["RTT (ms)", "ms"],
    queue: ["queue (packets)", "packets"],
  } as const;
  const [yLabel, unit] = labels[metric];
  const showLegend = (r: number) => metric !== "queue" && lineSets[r]!.length > 1;
  const legendRows = Math.max(
    0,
    ...lineSets.map((ls, r) => {
      if (!showLegend(r)) return 0;
      const places = legendLayout(ls.map((l) => l.label), PANEL_W - MARGIN.left - MARGIN.right);
      return (places[places.length - 1]?.row ?? 0) + 1;
    }),
  );
  const panels = result.results.map((run, r) => {
    let phases: PhaseStrip | undefined;
    if (metric === "cwnd") {
      const i = run.flows.findIndex((f) => f.phases.length > 0);
      if (i >= 0) {
        phases = {
          owner: flowLabel(run, run.flows[i]!, i, multiRtt),
          spans: phaseSpans(run.flows[i]!, duration),
        };
      }
    }
    return timePanel({
      title: run.algo,
      titleColor: colors[r]!,
      lines: lineSets[r]!,
      xDomain: [0, duration > 0 ? duration : 1],
      yDomain,
      xLabel: "time (s)",
      yLabel,
      unit,
      refs,
      phases,
      legend: showLegend(r),
      legendRows,
      stripRoom: metric === "cwnd" &&
        result.results.some((run) => run.flows.some((f) => f.phases.length > 0)),
    });
  });
  return panels.join("\n");
}

/** The throughput-versus-p95-RTT scatter as an `<svg>` element. */
function scatterPlot(result: CompareResult, colors: readonly string[]): string {
  const W = 620;
  const H = 400;
  const area: PlotArea = { left: 64, top: 34, width: W - 64 - 130, height: H - 34 - 52 };
  const rs = result.results;
  const c = result.config;
  const linkMbps = c.bandwidth / 1e6;
  const baseMin = Math.min(...c.rttMs);
  const sx = (r: AlgoResult) => r.spread?.p95RttMs ?? 0;
  const sy = (r: AlgoResult) => r.spread?.goodputMbps ?? 0;
  const dataX = extent(rs.flatMap((r) => [r.p95RttMs - sx(r), r.p95RttMs + sx(r)]));
  // Show the base RTT for scale unless it would squeeze the points into a corner.
  const withBase = dataX === undefined ||
    dataX[1] - Math.min(baseMin, dataX[0]) <= 3 * Math.max(dataX[1] - dataX[0], dataX[1] * 0.1);
  const xs = dataX === undefined
    ? extent([baseMin])
    : withBase
    ? [Math.min(baseMin, dataX[0]), Math.max(baseMin, dataX[1])] as [number, number]
    : dataX;
  const ys = extent(rs.flatMap((r) => [r.goodputMbps - sy(r), r.goodputMbps + sy(r)]));
  let [x0, x1] = xs ?? [0, 1];
  let [y0, y1] = ys ?? [0, linkMbps];
  if (y1 < linkMbps && linkMbps <= y1 + (y1 - y0) * 2 + linkMbps * 0.05) y1 = linkMbps;
  const padX = (x1 - x0) * 0.08;
  const padY = (y1 - y0) * 0.12;
  x0 = Math.max(0, x0 - padX);
  x1 += padX;
  y0 = Math.max(0, y0 - padY);
  y1 += padY;
  const xd = niceDomain(x0, x1, 6);
  const yd = niceDomain(y0, y1, 5);
  // Reversed: low delay on the right, so better is up and to the right.
  const x = linearScale([xd[1], xd[0]], [area.left, area.left + area.width]);
  const y = linearScale(yd, [area.top + area.height, area.top]);
  const parts: string[] = [];
  parts.push(
    `<svg class="plot scatter" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="goodput against p95 RTT per algorithm">`,
  );
  parts.push(
    axisLeft(y, area, { ticks: niceTicks(yd[0], yd[1], 5), label: "goodput (Mbit/s)", grid: true }),
  );
  parts.push(
    axisBottom(x, area, {
      ticks: niceTicks(xd[0], xd[1], 6),
      label: "p95 RTT (ms), reversed: lower delay to the right",
      grid: true,
    }),
  );
  if (linkMbps >= yd[0] && linkMbps <= yd[1]) {
    const yy = px(y.map(linkMbps));
    parts.push(
      `<line class="ref" x1="${area.left}" x2="${area.left + area.width}" y1="${yy}" y2="${yy}"/>`,
      `<text class="reflabel" x="${area.left + 4}" y="${px(y.map(linkMbps) - 4)}">link rate ${
        escapeXml(formatRate(c.bandwidth))
      }</text>`,
    );
  }
  if (baseMin >= xd[0] && baseMin <= xd[1]) {
    const xx = px(x.map(baseMin));
    parts.push(
      `<line class="ref" x1="${xx}" x2="${xx}" y1="${area.top}" y2="${area.top + area.height}"/>`,
      `<text class="reflabel" x="${px(x.map(baseMin) - 4)}" y="${
        area.top + area.height - 6
      }" text-anchor="end">base RTT</text>`,
    );
  }
  parts.push(
    `<text class="better" x="${area.left + area.width}" y="${
      area.top - 10
    }" text-anchor="end">better ↗</text>`,
  );
  // Labels: right of each point, nudged apart vertically when they would overlap.
  const placed = rs.map((r, i) => ({ i, x: x.map(r.p95RttMs), y: y.map(r.goodputMbps) }))
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.y - b.y);
  const labelY = new Map<number, number>();
  let lastY = -Infinity;
  for (const p of placed) {
    const ly = Math.max(p.y + 4, lastY + 13);
    labelY.set(p.i, ly);
    lastY = ly;
  }
  rs.forEach((r, i) => {
    const cx = x.map(r.p95RttMs);
    const cy = y.map(r.goodputMbps);
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
    const color = colors[i]!;
    const g: string[] = [`<g class="pt">`];
    if (r.spread) {
      const ex0 = x.map(r.p95RttMs - r.spread.p95RttMs);
      const ex1 = x.map(r.p95RttMs + r.spread.p95RttMs);
      const ey0 = y.map(r.goodputMbps - r.spread.goodputMbps);
      const ey1 = y.map(r.goodputMbps + r.spread.goodputMbps);
      g.push(
        `<path class="errbar" stroke="${color}" d="M${px(ex0)},${px(cy)}H${px(ex1)}M${px(ex0)},${
          px(cy - 4)
        }V${px(cy + 4)}M${px(ex1)},${px(cy - 4)}V${px(cy + 4)}M${px(cx)},${px(ey0)}V${px(ey1)}M${
          px(cx - 4)
        },${px(ey0)}H${px(cx + 4)}M${px(cx - 4)},${px(ey1)}H${px(cx + 4)}"/>`,
      );
    }
    const tip = `${r.algo}: ${fixed(r.goodputMbps, 2)} Mbit/s${
      r.spread ? ` ± ${fixed(r.spread.goodputMbps, 2)}` : ""
    }, p95 RTT ${fixed(r.p95RttMs, 1)} ms${r.spread ? ` ± ${fixed(r.spread.p95RttMs, 1)}` : ""}`;
    g.push(
      `<circle cx="${px(cx)}" cy="${px(cy)}" r="5.5" fill="${color}"><title>${
        escapeXml(tip)
      }</title></circle>`,
    );
    const ly = labelY.get(i) ?? cy + 4;
    g.push(`<text class="ptlabel" x="${px(cx + 10)}" y="${px(ly)}">${escapeXml(r.algo)}</text>`);
    g.push("</g>");
    parts.push(g.join(""));
  });
  parts.push("</svg>");
  return parts.join("");
}

function spreadCell(v: number, spread: number | undefined, d: number): string {
  const main = fixed(v, d);
  return spread === undefined ? main : `${main}<span class="pm"> ± ${fixed(spread, d)}</span>`;
}

function summaryHtml(result: CompareResult, colors: readonly string[]): string {
  const rs = result.results;
  const dG = decimalsFor(rs.map((r) => r.goodputMbps), 3, 1, 3);
  const dR = decimalsFor(rs.map((r) => r.p95RttMs), 3, 1, 3);
  const dQ = decimalsFor(rs.map((r) => r.queueDelayMs.p95), 3, 1, 3);
  const dL = decimalsFor(rs.map((r) => r.lossRate * 100), 2, 2, 4);
  const head = [
    ["algorithm", ""],
    ["goodput", "Mbit/s"],
    ["utilisation", "%"],
    ["RTT mean", "ms"],
    ["RTT p95", "ms"],
    ["queue delay mean", "ms"],
    ["queue delay p95", "ms"],
    ["retransmits", "packets"],
    ["loss", "%"],
    ["Jain's index", ""],
    ["wall time", "s"],
  ];
  const rows = rs.map((r, i) =>
    `<tr><td class="name"><span class="sw" style="background:${colors[i]}"></span>${
      escapeXml(r.algo)
    }</td><td>${spreadCell(r.goodputMbps, r.spread?.goodputMbps, dG)}</td><td>${
      fixed(r.utilization * 100, 1)
    }</td><td>${fixed(r.meanRttMs, dR)}</td><td>${
      spreadCell(r.p95RttMs, r.spread?.p95RttMs, dR)
    }</td><td>${fixed(r.queueDelayMs.mean, dQ)}</td><td>${fixed(r.queueDelayMs.p95, dQ)}</td><td>${
      Number.isFinite(r.retransmits) ? Math.round(r.retransmits) : MISSING
    }</td><td>${fixed(r.lossRate * 100, dL)}</td><td>${fixed(r.jain, 3)}</td><td class="muted">${
      fixed(r.wallSeconds, 2)
    }</td></tr>`
  );
  return tableHtml(head, rows);
}

function tableHtml(head: string[][], rows: string[]): string {
  const th = head.map(([n, u]) =>
    `<th>${escapeXml(n!)}${u ? `<span class="unit">${escapeXml(u)}</span>` : ""}</th>`
  ).join("");
  return `<table><thead><tr>${th}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function flowsHtml(result: CompareResult, colors: readonly string[]): string {
  const flows = result.results.flatMap((r) => r.flows);
  const dG = decimalsFor(flows.map((f) => f.goodputMbps), 3, 1, 3);
  const dR = decimalsFor(flows.map((f) => f.p95RttMs), 3, 1, 3);
  const head = [
    ["run", ""],
    ["flow", ""],
    ["algorithm", ""],
    ["base RTT", "ms"],
    ["goodput", "Mbit/s"],
    ["share", "%"],
    ["RTT mean", "ms"],
    ["RTT p95", "ms"],
    ["retransmits", "packets"],
  ];
  const rows: string[] = [];
  result.results.forEach((run, r) => {
    const total = run.flows.reduce((s, f) => s + f.goodputMbps, 0);
    const fc = flowColors(run.flows);
    run.flows.forEach((f, i) => {
      rows.push(
        `<tr${i === 0 ? ' class="first"' : ""}><td class="name">${
          i === 0
            ? `<span class="sw" style="background:${colors[r]}"></span>${escapeXml(run.algo)}`
            : ""
        }</td><td><span class="ln" style="background:${fc[i]}"></span>${
          i + 1
        }</td><td class="name">${escapeXml(f.algo)}</td><td>${
          fixed(f.baseRttMs, Number.isInteger(f.baseRttMs) ? 0 : 1)
        }</td><td>${fixed(f.goodputMbps, dG)}</td><td>${
          total > 0 ? fixed(f.goodputMbps / total * 100, 1) : MISSING
        }</td><td>${fixed(f.meanRttMs, dR)}</td><td>${fixed(f.p95RttMs, dR)}</td><td>${
          Number.isFinite(f.retransmits) ? Math.round(f.retransmits) : MISSING
        }</td></tr>`,
      );
    });
  });
  return tableHtml(head, rows);
}

const CSS = `
:root { --ink: #1b1b1b; --muted: #666; --rule: #d9d9d9; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1400px; margin: 0 auto; padding: 28px 36px 56px; }
h1 { font-size: 23px; font-weight: 650; margin: 0 0 2px; letter-spacing: -0.01em; }
h2 { font-size: 16px; font-weight: 650; margin: 34px 0 4px; }
.sub { color: var(--muted); margin: 0 0 18px; }
.notice { border-left: 4px solid #E69F00; background: #fff7e6; padding: 8px 12px; margin: 0 0 18px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(118px, 1fr)); gap: 8px 18px;
  margin: 0 0 8px; padding: 12px 0; border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); }
dl.facts div { min-width: 0; }
dl.facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 8px 0 4px; }
th { font-weight: 600; font-size: 12.5px; text-align: right; vertical-align: bottom; padding: 4px 12px;
  border-bottom: 1.5px solid #333; }
th .unit { display: block; font-weight: 400; color: var(--muted); font-size: 11.5px; }
td { text-align: right; padding: 5px 12px; border-bottom: 1px solid #eee; }
th:first-child, td.name { text-align: left; }
tr.first td { border-top: 1px solid var(--rule); }
td .pm { color: var(--muted); font-size: 12px; }
.muted { color: var(--muted); }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 7px; }
.ln { display: inline-block; width: 14px; height: 3px; margin: 0 6px 3px 0; vertical-align: middle; }
figure { margin: 10px 0 0; }
figcaption { color: #444; font-size: 13px; max-width: 95ch; margin-top: 4px; }
figcaption b { color: var(--ink); }
.row { display: flex; flex-wrap: wrap; gap: 14px 18px; align-items: flex-start; }
.scatterwrap { display: flex; flex-wrap: wrap; gap: 12px 36px; align-items: flex-start; }
.howto { font-size: 13.5px; color: #333; max-width: 62ch; }
.howto p { margin: 0 0 8px; }
svg.plot { max-width: 100%; height: auto; display: block; overflow: visible; }
svg text { font-family: inherit; }
.ticklabel { font-size: 10.5px; fill: #555; font-variant-numeric: tabular-nums; }
.axislabel { font-size: 11.5px; fill: #333; }
.domain, .tick { stroke: #777; stroke-width: 1; }
.grid { stroke: #eee; stroke-width: 1; }
.ptitle { font-size: 13px; font-weight: 650; fill: var(--ink); }
.legend text { font-size: 10.5px; fill: #333; }
.ref { stroke: #8a8a8a; stroke-width: 1; stroke-dasharray: 4 3; }
.reflabel { font-size: 10px; fill: #666; paint-order: stroke; stroke: #fff; stroke-width: 3px;
  stroke-linejoin: round; }
.phaselabel { font-size: 8.5px; fill: #444; }
.phaselabel.dark { fill: #fff; }
polyline.series { fill: none; stroke-width: 1.25; stroke-linejoin: round; stroke-linecap: round; }
.nodata { font-size: 12px; fill: #999; }
.cross { stroke: #444; stroke-width: 0.8; stroke-dasharray: 2 2; }
.errbar { stroke-width: 1.4; fill: none; }
.pt circle { stroke: #fff; stroke-width: 1.5; }
.ptlabel { font-size: 12px; font-weight: 600; fill: var(--ink); paint-order: stroke; stroke: #fff;
  stroke-width: 3px; stroke-linejoin: round; }
.better { font-size: 12px; font-style: italic; fill: #777; }
#tip { position: fixed; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #bbb;
  border-radius: 4px; padding: 5px 8px; font-size: 12px; line-height: 1.35; box-shadow: 0 2px 6px rgba(0,0,0,0.12);
  display: none; font-variant-numeric: tabular-nums; z-index: 10; }
#tip .k { display: inline-block; width: 10px; height: 3px; margin: 0 6px 3px 0; vertical-align: middle; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--rule); padding-top: 10px; }
@media print { main { padding: 0; } #tip { display: none !important; } }
`;

// Hover read-out for time plots: the value of each line at the pointer's time.
const SCRIPT = `
(() => {
  const tip = document.getElementById("tip");
  for (const svg of document.querySelectorAll("svg.ts")) {
    const [x0, x1] = svg.dataset.x.split(" ").map(Number);
    const [y0, y1] = svg.dataset.y.split(" ").map(Number);
    const [l, t, w, h] = svg.dataset.area.split(" ").map(Number);
    const unit = svg.dataset.unit;
    const cross = svg.querySelector(".cross");
    const lines = [...svg.querySelectorAll("polyline.series")].map((p) => ({
      label: p.dataset.label, color: p.getAttribute("stroke"),
      pts: p.getAttribute("points").split(" ").map((s) => s.split(",").map(Number)),
    }));
    const hide = () => { tip.style.display = "none"; cross.setAttribute("visibility", "hidden"); };
    svg.addEventListener("mouseleave", hide);
    svg.addEventListener("mousemove", (e) => {
      const m = svg.getScreenCTM();
      if (!m) return;
      const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
      if (p.x < l || p.x > l + w || p.y < t || p.y > t + h || lines.length === 0) return hide();
      cross.setAttribute("x1", p.x); cross.setAttribute("x2", p.x);
      cross.setAttribute("visibility", "visible");
      const time = x0 + (p.x - l) / w * (x1 - x0);
      const rows = lines.map((ln) => {
        let lo = 0, hi = ln.pts.length - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (ln.pts[mid][0] < p.x) lo = mid + 1; else hi = mid; }
        const py = ln.pts[lo][1];
        const v = y0 + (t + h - py) / h * (y1 - y0);
        const d = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
        return '<div><span class="k" style="background:' + ln.color + '"></span>' + ln.label + ': ' + v.toFixed(d) + ' ' + unit + '</div>';
      });
      tip.innerHTML = "<div><b>t = " + time.toFixed(2) + " s</b></div>" + rows.join("");
      tip.style.display = "block";
      tip.style.left = Math.min(e.clientX + 14, innerWidth - tip.offsetWidth - 8) + "px";
      tip.style.top = (e.clientY + 14) + "px";
    });
  }
})();
`;

/**
 * The report as one HTML document. Figures, in order: throughput against p95
 * RTT (one point per algorithm or mix, ±1 standard deviation over seeds),
 * then for each of congestion window, throughput and RTT per flow and the
 * bottleneck queue, one panel per run on shared axes.
 */
export function renderReport(result: CompareResult, options: ReportOptions = {}): string {
  panelCounter = 0;
  const c = result.config;
  const colors = runColors(result.results.map((r) => r.algo));
  const names = result.results.map((r) => r.algo);
  const row = (metric: "cwnd" | "throughput" | "rtt" | "queue") =>
    `<div class="row">${metricRow(result, colors, metric)}</div>`;
  const seeds = c.seeds.length;
  const anyMulti = result.results.some((r) => r.flows.length > 1);
  const anyPhases = result.results.some((r) => r.flows.some((f) => f.phases.length > 0));
  const seedNote = seeds > 1
    ? ` Numbers are means over ${seeds} seeds; time series are from the first seed.`
    : "";
  let fig = 0;
  const caption = (title: string, text: string) =>
    `<figcaption><b>Figure ${++fig}. ${escapeXml(title)}</b> ${text}</figcaption>`;
  const html = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(`Congestion control: ${names.join(" vs ")}`)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    "<main>",
    `<h1>${escapeXml(names.join(" vs "))}</h1>`,
    `<p class="sub">TCP congestion control compared on a ${escapeXml(describeConfig(c))}.</p>`,
    options.notice ? `<p class="notice">${escapeXml(options.notice)}</p>` : "",
    `<dl class="facts">${
      configFacts(c).map(([k, v]) => `<div><dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd></div>`)
        .join("")
    }</dl>`,
    "<h2>Summary</h2>",
    summaryHtml(result, colors),
    `<p class="muted" style="font-size:12.5px;margin:4px 0 0">Goodput counts payload delivered in order. Utilisation = goodput / bottleneck rate (headers make ${
      fixed(c.mss / (c.mss + HEADER_BYTES) * 100, 1)
    }% the most it can reach). Queue delay = RTT − base RTT. p95 = 95th percentile of RTT samples. Jain's index over flow goodputs (1 = equal shares).${
      seeds > 1 ? ` ± = standard deviation over ${seeds} seeds.` : ""
    }${escapeXml(seedNote)} Wall time is how long the simulation took, not part of the result.</p>`,
    "<h2>Throughput and delay</h2>",
    `<figure><div class="scatterwrap">${scatterPlot(result, colors)}<div class="howto">` +
    "<p>Each point is one run: its goodput (up) against the 95th-percentile RTT its packets saw (the delay axis is reversed, so lower delay is to the right).</p>" +
    "<p>Up and to the right is better: a point there moves as much data with less queueing. Loss-based algorithms (NewReno, CUBIC) fill the bottleneck buffer before they back off, so they sit left, near base RTT + buffer / rate; BBR aims at the bandwidth-delay product and should sit near the base RTT line.</p>" +
    (seeds > 1 ? `<p>Error bars: ±1 standard deviation over ${seeds} seeds.</p>` : "") +
    `</div></div>${
      caption(
        "Goodput against p95 RTT.",
        `One point per ${
          anyMulti ? "run (all flows together)" : "algorithm"
        }; the dashed lines mark the link rate and the lowest base RTT.`,
      )
    }</figure>`,
    "<h2>Congestion window</h2>",
    `<figure>${row("cwnd")}${
      caption(
        "Congestion window per flow, in packets of one MSS.",
        `Dashed lines: the bandwidth-delay product (BDP) and BDP + buffer, the most data the path holds without loss (when all flows share one base RTT).${
          anyPhases
            ? " The strip above each plot shows the algorithm's state for the first flow that reports one (hover for times)."
            : ""
        } A sawtooth reaching BDP + buffer is a loss-based algorithm filling the queue; a flat window near 2 × BDP with brief dips to 4 packets is BBR (the dips are PROBE_RTT).`,
      )
    }</figure>`,
    "<h2>Throughput</h2>",
    `<figure>${row("throughput")}${
      caption(
        "Goodput per flow in 100 ms intervals.",
        "Dashed: the bottleneck rate. With several flows, lines that stay apart mean an unfair share; the per-flow table below gives the totals.",
      )
    }</figure>`,
    "<h2>Round-trip time</h2>",
    `<figure>${row("rtt")}${
      caption(
        "RTT samples per flow.",
        "Dashed: the base RTT (propagation only). The height above it is queueing delay at the bottleneck.",
      )
    }</figure>`,
    "<h2>Bottleneck queue</h2>",
    `<figure>${row("queue")}${
      caption(
        "Packets waiting in the bottleneck queue.",
        `Dashed: the buffer size (${c.bufferPackets} packets). Time at the line means drops; time at zero means the link may be idle.`,
      )
    }</figure>`,
    anyMulti ? "<h2>Per flow</h2>" + flowsHtml(result, colors) : "",
    `<footer>packetlab congestion-control comparison · ${
      escapeXml(describeConfig(c))
    } · series decimated to the pixel grid (first, lowest, highest and last sample per column).</footer>`,
    "</main>",
    '<div id="tip"></div>',
    `<script>${SCRIPT}</script>`,
    "</body>",
    "</html>",
    "",
  ];
  return html.filter((s) => s !== "").join("\n");
}
