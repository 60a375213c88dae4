/**
 * Observation hooks for the lab runner: a seed override, a callback for each
 * new network, and one for each shell call. Simulation code never depends on
 * them; when unset they cost one property read.
 *
 * @module
 */

/** The lab runner's settings while it runs a file. */
export const labHooks: {
  /** Replace every network's seed (`deno task lab --seed N`). */
  seed: number | undefined;
  /** Called for each network created (typed loosely to keep this module at the bottom). */
  onNetwork: ((net: unknown) => void) | undefined;
  /** When set, `scenario()` registers here instead of with `Deno.test`. */
  collect: Array<{ name: string; run: () => void }> | undefined;
  /** Called after each `node.sh()` with the node name, the text and the combined output. */
  onShell: ((node: string, text: string, out: string) => void) | undefined;
} = { seed: undefined, onNetwork: undefined, collect: undefined, onShell: undefined };
