/**
 * A small seeded pseudo-random number generator for the routing algorithms'
 * tests, benchmarks and random topologies. The simulator must be reproducible,
 * so nothing in `core/` reads an ambient source of randomness: every random
 * choice is drawn from a generator built from an explicit seed.
 *
 * The generator is xoshiro128** (128-bit state, 32-bit output, period 2^128 − 1),
 * seeded by expanding the 32-bit seed with a splitmix-style mixer so that nearby
 * seeds give unrelated streams. It is fast and statistically sound for
 * simulation; it is not cryptographic and makes no attempt to be.
 *
 * Cost: every draw is a handful of 32-bit integer operations; `int(n)` rejects
 * at most a tiny fraction of draws to stay unbiased.
 *
 * @module
 */

/** A deterministic stream of pseudo-random numbers built from a 32-bit seed. */
export class Prng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** Create a generator; equal seeds give equal streams. */
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // splitmix32-style expansion: add an odd constant, then mix.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** The next 32-bit unsigned integer. */
  u32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = (n3 << 11) | (n3 >>> 21);
    this.#s0 = n0 | 0;
    this.#s1 = n1 | 0;
    this.#s2 = n2 | 0;
    this.#s3 = n3 | 0;
    return result;
  }

  /** A float uniformly distributed in [0, 1) with 32 bits of randomness. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** An integer uniformly distributed in [0, n); `n` must be in 1..2^32. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) {
      throw new RangeError(`Prng.int: bound must be an integer in 1..2^32, got ${n}`);
    }
    // Rejection sampling on the top of the range keeps every value equally likely.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const r = this.u32();
      if (r < limit) return r % n;
    }
  }

  /** An integer uniformly distributed in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
