/**
 * A small seeded pseudo-random generator (the SplitMix32 mixing of a Weyl
 * sequence) for table generators and tests, so every run with the same seed
 * builds the same routes. Not cryptographic; it leaves out any entropy source on
 * purpose (the simulator must be deterministic).
 *
 * @module
 */

/** A deterministic 32-bit pseudo-random generator. */
export class Rng {
  #state: number;

  /** Start the sequence from `seed` (any number; only its low 32 bits matter). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    this.#state = (this.#state + 0x9e3779b9) | 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32. */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
}
