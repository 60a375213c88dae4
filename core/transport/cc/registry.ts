/**
 * The congestion-control registry: a factory per algorithm name, so scenarios
 * and command lines can pick an algorithm by name with its options.
 *
 * @module
 */
import { Bbr, type BbrOptions } from "./bbr.ts";
import { Cubic, type CubicOptions } from "./cubic.ts";
import { NewReno, type NewRenoOptions } from "./newreno.ts";
import type { CongestionControl } from "./types.ts";

/** Options accepted by each registered algorithm. */
export interface CongestionControlOptions {
  /** RFC 5681 / RFC 6582 NewReno. */
  newreno: NewRenoOptions;
  /** RFC 9438 CUBIC (with Linux HyStart). */
  cubic: CubicOptions;
  /** BBR v1. */
  bbr: BbrOptions;
}

/** A registered algorithm name. */
export type CongestionControlName = keyof CongestionControlOptions;

/** Factories for the registered algorithms, by name. */
export const congestionControls: {
  readonly [N in CongestionControlName]: (
    options?: CongestionControlOptions[N],
  ) => CongestionControl;
} = {
  newreno: (options?: NewRenoOptions) => new NewReno(options),
  cubic: (options?: CubicOptions) => new Cubic(options),
  bbr: (options?: BbrOptions) => new Bbr(options),
};

/** The registered names, in registry order. */
export const congestionControlNames: readonly CongestionControlName[] = Object.keys(
  congestionControls,
) as CongestionControlName[];

/** Whether `name` is a registered algorithm. */
export function isCongestionControlName(name: string): name is CongestionControlName {
  return Object.hasOwn(congestionControls, name);
}

/**
 * A new instance of the algorithm called `name`. Throws a `RangeError` naming
 * the known algorithms when `name` is not one of them.
 */
export function createCongestionControl<N extends CongestionControlName>(
  name: N,
  options?: CongestionControlOptions[N],
): CongestionControl;
/** A new instance of the algorithm called `name` (checked at run time). */
export function createCongestionControl(name: string, options?: unknown): CongestionControl;
export function createCongestionControl(name: string, options?: unknown): CongestionControl {
  if (!isCongestionControlName(name)) {
    throw new RangeError(
      `unknown congestion control "${name}"; known: ${congestionControlNames.join(", ")}`,
    );
  }
  const factory = congestionControls[name] as (o?: unknown) => CongestionControl;
  return factory(options);
}
