/**
 * Plotting primitives for the HTML report, written out as SVG text: linear
 * scales, "nice" tick values (steps of 1, 2 or 5 times a power of ten) and the
 * domains that end on them, decimation of long series to the pixel grid,
 * polyline point lists, axes with ticks, grid and labels, and XML escaping.
 *
 * Only what line plots and a scatter need: no log scales, no time formats, no
 * layout of whole figures (the report does that) and no styling beyond class
 * names (the report's stylesheet styles them).
 *
 * @module
 */

/** A linear map from a domain of data values to a range of pixels. */
export interface Scale {
  /** Domain ends (data), in the order they map to `range`; d0 > d1 reverses the axis. */
  readonly domain: readonly [number, number];
  /** Range ends (pixels). */
  readonly range: readonly [number, number];
  /** Data value to pixel. */
  map(v: number): number;
  /** Pixel to data value. */
  invert(px: number): number;
}

/**
 * A linear scale taking `domain[0]` to `range[0]` and `domain[1]` to
 * `range[1]`. A domain of zero width maps everything to the middle of the
 * range.
 */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return {
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => span === 0 ? (r0 + r1) / 2 : r0 + (v - d0) / span * (r1 - r0),
    invert: (px) => r1 === r0 ? d0 : d0 + (px - r0) / (r1 - r0) * span,
  };
}

/**
 * The nice step for about `count` intervals over `span`: 1, 2 or 5 times a
 * power of ten, the one nearest span/count in the sense of Heckbert's "nice
 * numbers" (thresholds 1.5, 3 and 7). 0 for an empty or non-finite span.
 */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span) || !(count > 0)) return 0;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
  return nice * mag;
}

/** Decimals needed to print multiples of `step` exactly (0 for steps ≥ 1). */
export function stepDecimals(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  for (let d = 0; d < 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 12;
}

/**
 * Tick values: the multiples of the nice step for about `count` intervals
 * that lie in [lo, hi] (either order), ascending, computed as integer
 * multiples so that no 0.30000000000000004 creeps in. One tick for lo = hi.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  const a = Math.min(lo, hi);
  const b = Math.max(lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [];
  if (a === b) return [a];
  const step = niceStep(b - a, count);
  const d = stepDecimals(step);
  const first = Math.ceil(a / step - 1e-9);
  const last = Math.floor(b / step + 1e-9);
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(Number((i * step).toFixed(d)));
  return out;
}

/**
 * A domain that starts and ends on nice ticks and contains [lo, hi], ascending.
 * A single value v is widened first (to [0, 2v] when `zero`, else by 10% of
 * |v| each way, or [0, 1] for 0); non-finite input gives [0, 1].
 */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  let a = Math.min(lo, hi);
  let b = Math.max(lo, hi);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [0, 1];
  if (a === b) {
    if (a === 0) return [0, 1];
    const pad = Math.abs(a) * 0.1;
    a -= pad;
    b += pad;
  }
  // Twice: widening can change the step.
  for (let pass = 0; pass < 2; pass++) {
    const step = niceStep(b - a, count);
    a = Math.floor(a / step + 1e-9) * step;
    b = Math.ceil(b / step - 1e-9) * step;
  }
  const d = stepDecimals(niceStep(b - a, count));
  return [Number(a.toFixed(d)), Number(b.toFixed(d))];
}

/**
 * The extent of the finite values among `values`, or undefined when there
 * are none. With `zero`, 0 is included (for quantities that start at zero).
 */
export function extent(
  values: Iterable<number>,
  zero = false,
): [number, number] | undefined {
  let lo = zero ? 0 : Infinity;
  let hi = zero ? 0 : -Infinity;
  let any = zero;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    any = true;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return any ? [lo, hi] : undefined;
}

/** Format a tick value with the decimals its step needs. */
export function formatTick(v: number, step: number): string {
  const s = v.toFixed(stepDecimals(step));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A point in pixels. */
export type Point = readonly [number, number];

/**
 * The series (t[i], v[i]) in pixels, decimated to the pixel grid: for each
 * column of `resolution` pixels it keeps the first, lowest, highest and last
 * point, in their original order, so that the drawn envelope is that of the
 * full series while a series of a million points becomes a few per pixel.
 * Points with a non-finite time or value are skipped.
 */
export function thinToPixels(
  t: readonly number[],
  v: readonly number[],
  x: Scale,
  y: Scale,
  resolution = 1,
): Point[] {
  const n = Math.min(t.length, v.length);
  const out: Point[] = [];
  let col = NaN;
  // Indices of first, min, max and last in the current column.
  let first = -1, lo = -1, hi = -1, last = -1;
  const flush = () => {
    if (first < 0) return;
    const picks = [...new Set([first, lo, hi, last])].sort((a, b) => a - b);
    for (const i of picks) out.push([x.map(t[i]!), y.map(v[i]!)]);
  };
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    const vi = v[i]!;
    if (!Number.isFinite(ti) || !Number.isFinite(vi)) continue;
    const c = Math.floor(x.map(ti) / resolution);
    if (c !== col) {
      flush();
      col = c;
      first =
        lo =
        hi =
        last =
          i;
      continue;
    }
    if (vi < v[lo]!) lo = i;
    if (vi > v[hi]!) hi = i;
    last = i;
  }
  flush();
  return out;
}

/** A number in pixels with at most one decimal, as short as possible. */
export function px(v: number): string {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
}

/** An SVG `points` attribute value: "x,y x,y …" with one decimal. */
export function pointsAttr(points: readonly Point[]): string {
  return points.map(([a, b]) => `${px(a)},${px(b)}`).join(" ");
}

/** Escape text for XML/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) =>
      c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : c === ">"
        ? "&gt;"
        : c === '"'
        ? "&quot;"
        : "&#39;",
  );
}

/** The rectangle of a plot area, pixels. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Options of an axis. */
export interface AxisOptions {
  /** Tick values (from {@link niceTicks}). */
  ticks: readonly number[];
  /** The axis title, units in parentheses. */
  label: string;
  /** Draw grid lines across the plot area at each tick. */
  grid?: boolean;
}

function tickStep(ticks: readonly number[]): number {
  return ticks.length > 1 ? Math.abs(ticks[1]! - ticks[0]!) : 1;
}

/**
 * A horizontal axis along the bottom of `area`: base line, tick marks, tick
 * labels, optional vertical grid lines and the title centred below.
 */
export function axisBottom(scale: Scale, area: PlotArea, options: AxisOptions): string {
  const y = area.top + area.height;
  const step = tickStep(options.ticks);
  const parts: string[] = [`<g class="axis x">`];
  for (const t of options.ticks) {
    const x = px(scale.map(t));
    if (options.grid) {
      parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${px(area.top)}" y2="${px(y)}"/>`);
    }
    parts.push(`<line class="tick" x1="${x}" x2="${x}" y1="${px(y)}" y2="${px(y + 4)}"/>`);
    parts.push(
      `<text class="ticklabel" x="${x}" y="${px(y + 15)}" text-anchor="middle">${
        formatTick(t, step)
      }</text>`,
    );
  }
  parts.push(
    `<line class="domain" x1="${px(area.left)}" x2="${px(area.left + area.width)}" y1="${
      px(y)
    }" y2="${px(y)}"/>`,
  );
  parts.push(
    `<text class="axislabel" x="${px(area.left + area.width / 2)}" y="${
      px(y + 31)
    }" text-anchor="middle">${escapeXml(options.label)}</text>`,
  );
  parts.push("</g>");
  return parts.join("");
}

/**
 * A vertical axis along the left of `area`: base line, tick marks, tick
 * labels, optional horizontal grid lines and the title, rotated, to the left.
 */
export function axisLeft(scale: Scale, area: PlotArea, options: AxisOptions): string {
  const x = area.left;
  const step = tickStep(options.ticks);
  const parts: string[] = [`<g class="axis y">`];
  let widest = 0;
  for (const t of options.ticks) {
    const y = px(scale.map(t));
    const label = formatTick(t, step);
    widest = Math.max(widest, label.length);
    if (options.grid) {
      parts.push(
        `<line class="grid" x1="${px(x)}" x2="${px(x + area.width)}" y1="${y}" y2="${y}"/>`,
      );
    }
    parts.push(`<line class="tick" x1="${px(x - 4)}" x2="${px(x)}" y1="${y}" y2="${y}"/>`);
    parts.push(
      `<text class="ticklabel" x="${
        px(x - 7)
      }" y="${y}" dy="0.32em" text-anchor="end">${label}</text>`,
    );
  }
  parts.push(
    `<line class="domain" x1="${px(x)}" x2="${px(x)}" y1="${px(area.top)}" y2="${
      px(area.top + area.height)
    }"/>`,
  );
  const lx = x - 12 - widest * 6.2;
  const ly = area.top + area.height / 2;
  parts.push(
    `<text class="axislabel" transform="translate(${px(lx)},${
      px(ly)
    }) rotate(-90)" text-anchor="middle">${escapeXml(options.label)}</text>`,
  );
  parts.push("</g>");
  return parts.join("");
}

/** Rough width in pixels of `text` at `fontSize` in a proportional sans-serif face. */
export function textWidth(text: string, fontSize = 11): number {
  let w = 0;
  for (const ch of text) {
    w += /[il.,:;|'!]/.test(ch) ? 0.28 : /[mwMW]/.test(ch) ? 0.85 : /[A-Z]/.test(ch) ? 0.66 : 0.55;
  }
  return w * fontSize;
}
