/**
 * Single-source shortest paths with Dijkstra's algorithm on a {@link CsrGraph}
 * with non-negative weights: the SPF computation of a link-state router.
 *
 * The priority queue is the indexed 4-ary heap of `heap.ts` with decrease-key,
 * so the run costs O(m·log₄ n + 4n·log₄ n) time and O(n) extra memory (dist,
 * pred, settle order, heap arrays: 32 bytes per node), with no allocation
 * inside the loop. Without a workspace a run allocates its three result arrays
 * (16 bytes per node) and reuses a module-level heap (kept at the size of the
 * largest graph seen); with a {@link DijkstraWorkspace} it allocates nothing.
 *
 * Results: `dist` (Infinity for unreachable nodes), one predecessor per node
 * (`pred`, −1 for the source and unreachable nodes) forming a shortest-path
 * tree, and the settle order (nodes in non-decreasing distance), which the
 * equal-cost multipath code reuses. When several shortest paths reach a node,
 * `pred` names the neighbour whose relaxation first reached the final distance;
 * that choice is deterministic for a given graph but otherwise arbitrary. For
 * every equal-cost predecessor and first hop use `ecmp.ts`.
 *
 * With `target` the search stops as soon as the target is settled: then only
 * the nodes in `order` have final distances; others hold upper bounds or
 * Infinity, and `complete` is false.
 *
 * Not handled: negative weights (rejected: use Bellman–Ford), multiple sources
 * and bidirectional search.
 *
 * @module
 */
import { checkNode, type CsrGraph } from "./graph.ts";
import { IndexedHeap } from "./heap.ts";

/** A single-source shortest-path result. */
export interface ShortestPaths {
  /** The source node. */
  readonly source: number;
  /** Distance from the source per node; Infinity when unreachable (or, after an early exit, not yet settled). */
  readonly dist: Float64Array;
  /** One shortest-path predecessor per node; −1 for the source and unreachable nodes. */
  readonly pred: Int32Array;
  /** Settled nodes in non-decreasing distance order; their distances are final. */
  readonly order: Uint32Array;
  /** False when an early exit left nodes unsettled. */
  readonly complete: boolean;
}

/**
 * Buffers for repeated runs (an SPF recomputation per topology change, or one
 * run per router): the heap and the result arrays are allocated once and
 * reused, so a run allocates nothing. A result obtained with a workspace is a
 * set of views into it, overwritten by the workspace's next run.
 */
export class DijkstraWorkspace {
  /** Largest node count this workspace serves. */
  readonly capacity: number;
  /** Distance buffer. */
  readonly dist: Float64Array;
  /** Predecessor buffer. */
  readonly pred: Int32Array;
  /** Settle-order buffer. */
  readonly order: Uint32Array;
  /** Priority queue. */
  readonly heap: IndexedHeap;

  /** A workspace for graphs of up to `capacity` nodes. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.dist = new Float64Array(capacity);
    this.pred = new Int32Array(capacity);
    this.order = new Uint32Array(capacity);
    this.heap = new IndexedHeap(capacity);
  }
}

/** Options for {@link dijkstra}. */
export interface DijkstraOptions {
  /** Stop once this node is settled. */
  readonly target?: number;
  /** Reuse these buffers; the result then lives in the workspace (see {@link DijkstraWorkspace}). */
  readonly workspace?: DijkstraWorkspace;
}

/**
 * Dijkstra from `source`. Throws a RangeError for a bad node id or when the
 * graph has a negative weight.
 */
export function dijkstra(
  g: CsrGraph,
  source: number,
  options: DijkstraOptions = {},
): ShortestPaths {
  checkNode(g, source, "source");
  const target = options.target ?? -1;
  if (options.target !== undefined) checkNode(g, target, "target");
  if (g.minWeight < 0) {
    throw new RangeError("dijkstra: negative edge weight; use bellmanFord");
  }
  const n = g.nodeCount;
  const ws = options.workspace;
  if (ws !== undefined && ws.capacity < n) {
    throw new RangeError(`dijkstra: workspace capacity ${ws.capacity} < ${n} nodes`);
  }
  const dist = ws ? ws.dist.subarray(0, n) : new Float64Array(n);
  const pred = ws ? ws.pred.subarray(0, n) : new Int32Array(n);
  const order = ws ? ws.order : new Uint32Array(n);
  const heap = ws ? ws.heap : scratchHeap(n);
  heap.clear();
  dist.fill(Infinity);
  pred.fill(-1);
  const { offsets, targets, weights } = g;
  dist[source] = 0;
  heap.push(source, 0);
  let settled = 0;
  let stopped = false;
  while (heap.size > 0) {
    const u = heap.pop();
    order[settled++] = u;
    if (u === target) {
      stopped = heap.size > 0;
      break;
    }
    const du = dist[u]!;
    const end = offsets[u + 1]!;
    for (let e = offsets[u]!; e < end; e++) {
      const v = targets[e]!;
      const nd = du + weights[e]!;
      const dv = dist[v]!;
      if (nd < dv) {
        dist[v] = nd;
        pred[v] = u;
        // Infinity: first reached, so not queued (skips a read of the heap's
        // position array); otherwise queued, since settled nodes never improve.
        if (dv === Infinity) heap.insert(v, nd);
        else heap.decrease(v, nd);
      }
    }
  }
  return { source, dist, pred, order: order.subarray(0, settled), complete: !stopped };
}

/**
 * The priority queue of runs without a workspace, kept between runs (it is
 * scratch: results never point into it, and a run cannot be re-entered), so
 * that such a run allocates only its result arrays. Replaced by a bigger one
 * when a bigger graph comes.
 */
let sharedHeap: IndexedHeap | undefined;
function scratchHeap(n: number): IndexedHeap {
  if (sharedHeap === undefined || sharedHeap.capacity < n) sharedHeap = new IndexedHeap(n);
  return sharedHeap;
}

/**
 * The node sequence of the recorded shortest path from the source to `target`
 * (both included), or undefined when it was not reached. After an early exit, a
 * reached but unsettled node gets the best path found so far, which need not be
 * shortest.
 */
export function pathTo(sp: ShortestPaths, target: number): number[] | undefined {
  if (!(sp.dist[target]! < Infinity)) return undefined;
  const path: number[] = [];
  for (let v = target; v !== -1; v = sp.pred[v]!) {
    path.push(v);
    if (path.length > sp.dist.length) throw new Error("pathTo: predecessor cycle");
  }
  if (path[path.length - 1] !== sp.source) return undefined;
  return path.reverse();
}
