/**
 * The simulation kernel: virtual time, the event scheduler, seeded random
 * streams and the trace. Nothing here reads the wall clock or any global random
 * source; every random draw comes from a named stream of the simulator's seed.
 *
 * @module
 */
export * from "./scheduler.ts";
export * from "./rng.ts";
export * from "./trace.ts";
export * from "./summary.ts";
export * from "./simulator.ts";
