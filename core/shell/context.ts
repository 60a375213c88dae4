/**
 * What a command sees while it runs: the node and namespace it runs in, its
 * output streams, and the simulator. Commands that take virtual time return a
 * `Process` the shell waits for.
 *
 * @module
 */
import type { Node } from "../node/node.ts";
import type { NetNs } from "../node/netns.ts";
import type { Simulator } from "../sim/simulator.ts";

/** A running command. */
export interface Process {
  /** Whether it has finished. */
  done(): boolean;
  /** Its exit status (valid once done). */
  status(): number;
  /** Stop it now (SIGINT/SIGTERM): it prints what it prints when interrupted. */
  stop(): void;
}

/** The environment of one command. */
export interface CommandContext {
  readonly node: Node;
  readonly ns: NetNs;
  readonly sim: Simulator;
  /** Write to standard output. */
  out(text: string): void;
  /** Write to standard error. */
  err(text: string): void;
}

/** A command: returns an exit status, or a process when it runs in virtual time. */
export type Command = (ctx: CommandContext, argv: string[]) => number | Process;

/** A finished process with a status. */
export function exited(status: number): Process {
  return { done: () => true, status: () => status, stop: () => {} };
}
