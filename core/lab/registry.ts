/**
 * Hooks that let the lab runner observe the networks a scenario builds: a seed
 * override and a callback for each new network. Scenarios never touch this.
 *
 * @module
 */
import type { Network } from "./network.ts";

/** The lab runner's settings while it runs a scenario file. */
export const labHooks: {
  /** Replace every network's seed (`deno task lab --seed N`). */
  seed: number | undefined;
  /** Called for each network created. */
  onNetwork: ((net: Network) => void) | undefined;
} = { seed: undefined, onNetwork: undefined };
