/**
 * A worker thread for `deno task compare`: receives comparison
 * configurations one at a time, runs each, posts progress and the result
 * back, and waits for the next. Runs of different algorithms are independent
 * simulations, so they can use the machine's cores at once without changing
 * any result.
 *
 * @module
 */
import { runComparison } from "./compare/run.ts";
import type { CompareConfig } from "./compare/types.ts";

/** Messages a worker posts. */
export type WorkerMessage =
  | { type: "progress"; fraction: number; label: string }
  | { type: "result"; result: ReturnType<typeof runComparison> }
  | { type: "error"; message: string };

const worker = self as unknown as {
  onmessage: ((e: MessageEvent<CompareConfig>) => void) | null;
  postMessage(m: WorkerMessage): void;
};

worker.onmessage = (e) => {
  try {
    const result = runComparison(e.data, {
      clock: () => performance.now(),
      onProgress: (fraction, label) => worker.postMessage({ type: "progress", fraction, label }),
    });
    worker.postMessage({ type: "result", result });
  } catch (err) {
    worker.postMessage({ type: "error", message: (err as Error).message ?? String(err) });
  }
};
