/**
 * A small deterministic pseudo-random generator for algorithms that need a
 * random draw (BBR's starting gain-cycle phase) without touching global
 * randomness: a 32-bit generator in the style of Tommy Ettinger's
 * "Mulberry32" (a Weyl sequence passed through an integer mixing function).
 * Statistical quality is modest and ample for picking phases; it is not for
 * cryptography.
 *
 * @module
 */

/** The seed used when an algorithm is not given a random source. */
export const DEFAULT_CC_SEED = 0x5eed_cc01;

/** A generator of uniform numbers in [0, 1), fully determined by `seed`. */
export function seededRandom(seed: number = DEFAULT_CC_SEED): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
