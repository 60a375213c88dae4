/**
 * What a command sees while it runs: the node and namespace it runs in, its
 * output streams, and the simulator. Commands that take virtual time return a
 * `Process` the shell waits for; `coroutine()` turns a generator that yields
 * what it waits for (a condition or a timeout) into one, so that the C tools'
 * blocking loops carry over line for line.
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
  /** Standard input, when redirected from a file (`< FILE`). */
  readonly stdin?: string;
}

/** A command: returns an exit status, or a process when it runs in virtual time. */
export type Command = (ctx: CommandContext, argv: string[]) => number | Process;

/** A finished process with a status. */
export function exited(status: number): Process {
  return { done: () => true, status: () => status, stop: () => {} };
}

/** What a command written as a coroutine waits for: a condition, or a timeout (ns). */
export interface Wait {
  /** Resume as soon as this holds (checked when `poke()` is called). */
  ready?: () => boolean;
  /** Resume after this long at most. */
  timeout: number;
}

/** A coroutine process: `poke()` tells it something it may be waiting for happened. */
export interface Coroutine extends Process {
  poke(): void;
}

/**
 * Run a command written as a generator that yields what it waits for and
 * returns its exit status: the C tools' blocking loops (select with a timeout,
 * then read what arrived) carry over line for line. `onStop` runs when the
 * process is stopped before it returns (as on SIGINT).
 */
export function coroutine(
  sim: Simulator,
  body: Generator<Wait, number, void>,
  onStop: () => number,
): Coroutine {
  let finished = false;
  let code = 0;
  let current: Wait | undefined;
  let timer: { cancel(): void } | undefined;
  let stepping = false;
  const step = () => {
    timer?.cancel();
    timer = undefined;
    current = undefined;
    stepping = true;
    try {
      for (;;) {
        const r = body.next();
        if (r.done) {
          finished = true;
          code = r.value;
          return;
        }
        if (r.value.ready?.()) continue;
        current = r.value;
        timer = sim.after(r.value.timeout, step);
        return;
      }
    } finally {
      stepping = false;
    }
  };
  const self: Coroutine = {
    done: () => finished,
    status: () => code,
    stop: () => {
      if (finished) return;
      timer?.cancel();
      finished = true;
      code = onStop();
    },
    poke: () => {
      if (finished || stepping || !current?.ready?.()) return;
      step();
    },
  };
  step();
  return self;
}
