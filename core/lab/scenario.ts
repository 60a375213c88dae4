/**
 * `scenario()`: the way scenario files declare a test. The body builds a
 * network and asserts what a person would check on real machines. The wrapper
 * runs the body twice with the same seed and checks that both runs produce the
 * same trace digest, and after each run that every packet is accounted for
 * (delivered, consumed, dropped with a reason, or held by a queue). Under
 * `deno task lab` the same body runs once and its trace, pcaps and digest are
 * printed instead.
 *
 * @module
 */
import { labHooks } from "../sim/hooks.ts";
import { Network } from "./network.ts";
import type { TraceMode } from "../sim/trace.ts";

/** Options for a scenario. */
export interface ScenarioOptions {
  /** Seed (default 1). */
  seed?: number;
  /** Trace mode (default "full"). */
  trace?: TraceMode;
  /** Skip the second, determinism run (for long scenarios). */
  once?: boolean;
}

/** Run a body on a fresh network and check conservation; returns the digest. */
export function runScenario(body: (net: Network) => void, options: ScenarioOptions = {}): string {
  const net = new Network({ seed: options.seed ?? 1, trace: options.trace });
  body(net);
  net.assertConserved();
  return net.trace.digest();
}

/**
 * Declare a scenario test.
 *
 * @example
 * ```ts ignore
 * scenario("ping across a router", (net) => {
 *   const [a, r, b] = net.nodes("a", "r", "b");
 *   // … build, drive, assert …
 * });
 * ```
 */
export function scenario(
  name: string,
  body: (net: Network) => void,
  options: ScenarioOptions = {},
): void {
  if (labHooks.collect) {
    labHooks.collect.push({ name, run: () => void runScenario(body, options) });
    return;
  }
  Deno.test(name, () => {
    const first = runScenario(body, options);
    if (options.once) return;
    const second = runScenario(body, options);
    if (first !== second) {
      throw new Error(`not deterministic: trace digest ${first} then ${second} with one seed`);
    }
  });
}
