/**
 * A windowed running-maximum filter: the largest value seen over the last
 * `window` units of time (rounds, for BBR's bottleneck bandwidth), kept in
 * constant space with the three-sample scheme of Kathleen Nichols' algorithm
 * as Linux's `lib/minmax.c` uses it: the best, second-best and third-best
 * samples from successively later parts of the window, so that when the best
 * expires a good replacement is already at hand.
 *
 * The result is an approximation of the exact windowed maximum: a value
 * between the exact maximum of the last `window` units and of the last
 * `window/2`, never older than `window`.
 *
 * @module
 */

/** One retained sample of a {@link WindowedMaxFilter}. */
export interface FilterSample {
  /** When the sample was taken. */
  t: number;
  /** Its value. */
  v: number;
}

/** Running maximum over a sliding window of time. */
export class WindowedMaxFilter {
  #s: [FilterSample, FilterSample, FilterSample] = [{ t: 0, v: 0 }, { t: 0, v: 0 }, { t: 0, v: 0 }];

  /** A filter whose samples expire once more than `window` time units old. */
  constructor(readonly window: number) {}

  /** The current windowed maximum (0 before any sample). */
  get best(): number {
    return this.#s[0].v;
  }

  /** Forget everything and start over with one sample. */
  reset(t: number, v: number): number {
    const x = { t, v };
    this.#s = [x, { ...x }, { ...x }];
    return v;
  }

  /** Add sample `v` taken at time `t` (non-decreasing); returns the new maximum. */
  update(t: number, v: number): number {
    const s = this.#s;
    if (v >= s[0].v || t - s[2].t > this.window) return this.reset(t, v);
    const x = { t, v };
    if (v >= s[1].v) {
      s[1] = x;
      s[2] = { ...x };
    } else if (v >= s[2].v) {
      s[2] = x;
    }
    const dt = t - s[0].t;
    if (dt > this.window) {
      // The best expired: promote the later choices, maybe twice.
      s[0] = s[1];
      s[1] = s[2];
      s[2] = { ...x };
      if (t - s[0].t > this.window) {
        s[0] = s[1];
        s[1] = s[2];
        s[2] = { ...x };
      }
    } else if (s[1].t === s[0].t && dt > this.window / 4) {
      // A quarter window without a new best: take a second choice from here.
      s[1] = { ...x };
      s[2] = { ...x };
    } else if (s[2].t === s[1].t && dt > this.window / 2) {
      // Half a window without a new second choice: take a third from here.
      s[2] = { ...x };
    }
    return s[0].v;
  }

  /** The three retained samples, for inspection. */
  samples(): ReadonlyArray<Readonly<FilterSample>> {
    return this.#s.map((x) => ({ ...x }));
  }
}
