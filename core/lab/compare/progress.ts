/**
 * A one-line progress bar for long comparisons, redrawn in place with `\r`:
 * `[#####.....]  50% cubic seed 2`. It stays silent for the first second, so
 * quick runs print nothing, redraws at most every 100 ms, and erases itself
 * when done so that the table starts on a clean line.
 *
 * It reads no clock and writes nowhere by itself: the caller passes a time
 * source (ms) and a writer, and decides whether it is enabled (the CLI turns it
 * off when stderr is not a terminal or with `--json`).
 *
 * @module
 */

/** What the bar needs from the outside world. */
export interface ProgressOptions {
  /** Milliseconds from any fixed origin (the CLI passes `performance.now`). */
  now: () => number;
  /** Where the bar goes (the CLI writes to stderr). */
  write: (text: string) => void;
  /** Draw at all. */
  enabled: boolean;
  /** Cells in the bar; default 30. */
  width?: number;
  /** Silence before the first draw, ms; default 1000. */
  delayMs?: number;
  /** Least time between redraws, ms; default 100. */
  intervalMs?: number;
  /** Longest label shown, characters; default 40. */
  maxLabel?: number;
}

/** A progress bar: feed it fractions, then call `done`. */
export interface Progress {
  /** Record progress (`fraction` in [0, 1], clamped) and redraw if due. */
  update(fraction: number, label: string): void;
  /** Erase the bar if it was drawn. */
  done(): void;
}

/** The bar's text for `fraction` done: `[####......]  40% label`. */
export function renderBar(fraction: number, label: string, width = 30, maxLabel = 40): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.floor(f * width);
  const pct = String(Math.floor(f * 100)).padStart(3);
  const text = label.length > maxLabel ? label.slice(0, maxLabel - 1) + "…" : label;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${pct}% ${text}`;
}

/** A progress bar drawing through `options.write`; a no-op when not enabled. */
export function createProgress(options: ProgressOptions): Progress {
  const width = options.width ?? 30;
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  const maxLabel = options.maxLabel ?? 40;
  if (!options.enabled) return { update() {}, done() {} };
  const start = options.now();
  let lastDraw = -Infinity;
  let lastText = "";
  let drawnWidth = 0;
  return {
    update(fraction, label) {
      const t = options.now();
      if (t - start < delay || t - lastDraw < interval) return;
      const text = renderBar(fraction, label, width, maxLabel);
      if (text === lastText) return;
      const pad = " ".repeat(Math.max(0, drawnWidth - text.length));
      options.write(`\r${text}${pad}`);
      drawnWidth = text.length;
      lastText = text;
      lastDraw = t;
    },
    done() {
      if (drawnWidth > 0) options.write(`\r${" ".repeat(drawnWidth)}\r`);
      drawnWidth = 0;
      lastText = "";
    },
  };
}
