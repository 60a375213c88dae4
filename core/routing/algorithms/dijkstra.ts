/**
 * Single-source shortest paths with Dijkstra's algorithm on a {@link CsrGraph}
 * with non-negative weights: the SPF computation of a link-state router.
 *
 * Three priority queues, chosen by the weights:
 * - Integer (u32) metrics whose longest possible path, (n − 1) times the
 *   largest weight, stays below 2^32 − 1 (every OSPF or IS-IS topology): a
 *   monotone queue over 32-bit distances. When the largest weight is below
 *   {@link BUCKET_MAX_SPAN} (4096), the bucket queue of `bucket_queue.ts`
 *   (Dial's algorithm: a circle of buckets, one per key in the window of
 *   keys a run can hold, each entry written once and read once); otherwise
 *   the radix heap of `radix_heap.ts`. Either way pushes are sequential
 *   writes; an improved node is pushed again and its outdated entry skipped
 *   when popped; the predecessor travels with the entry and is written once,
 *   when the node is settled. Distances are kept in 32 bits (half the memory
 *   of floats, so more of the one random read per edge hits the cache; signed
 *   with buckets, where every path fits 31 bits, so that they compare as
 *   integers) and copied into `dist` at the end. O(m + n + D/32) time with
 *   buckets (D the largest distance), O(m + 32n) with the radix heap.
 * - Float weights (or integer metrics that could overflow 32 bits): the
 *   indexed 4-ary heap of `heap.ts` with decrease-key, O(m·log₄ n + 4n·log₄ n).
 *
 * Both use O(n) extra memory and allocate nothing inside the loop. Without a
 * workspace a run allocates its three result arrays (16 bytes per node) and
 * reuses module-level scratch queues and distance buffer (kept at the size of
 * the largest graph seen); with a {@link DijkstraWorkspace} it allocates
 * nothing (unless a radix heap bucket has to grow).
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
import { BUCKET_MAX_SPAN, BucketQueue } from "./bucket_queue.ts";
import { IndexedHeap } from "./heap.ts";
import { RADIX_MAX_KEY, RadixHeap } from "./radix_heap.ts";

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
 * The priority queues and 32-bit distances a run works in: scratch, which no
 * result points into. Runs without a workspace share one (a run cannot be
 * re-entered), replaced by a bigger one when a bigger graph comes, so that
 * such a run allocates only its result arrays.
 */
export class QueueBuffers {
  /** Largest node count these buffers serve. */
  readonly capacity: number;
  /** Priority queue for float weights. */
  readonly heap: IndexedHeap;
  /** Priority queue for integer metrics. */
  readonly radix: RadixHeap;
  /** 32-bit distances for integer metrics. */
  readonly dist32: Uint32Array;
  /** The same buffer as signed integers (the bucket queue's runs). */
  readonly dist32i: Int32Array;
  #buckets: BucketQueue | undefined = undefined;

  /** Buffers for graphs of up to `capacity` nodes. */
  constructor(capacity: number) {
    this.capacity = capacity;
    this.heap = new IndexedHeap(capacity);
    this.radix = new RadixHeap(capacity);
    this.dist32 = new Uint32Array(capacity);
    this.dist32i = new Int32Array(this.dist32.buffer);
  }

  /** A bucket queue whose window covers weights up to `maxWeight` (kept for the next run). */
  buckets(maxWeight: number): BucketQueue {
    if (this.#buckets === undefined || this.#buckets.span <= maxWeight) {
      this.#buckets = new BucketQueue(maxWeight);
    }
    return this.#buckets;
  }
}

let shared: QueueBuffers | undefined;
function sharedBuffers(n: number): QueueBuffers {
  if (shared === undefined || shared.capacity < n) shared = new QueueBuffers(n);
  return shared;
}

/**
 * Buffers for repeated runs (an SPF recomputation per topology change, or one
 * run per router): the queues and the result arrays are allocated once and
 * reused, so a run allocates nothing. A result obtained with a workspace is a
 * set of views into it, overwritten by the workspace's next run.
 */
export class DijkstraWorkspace extends QueueBuffers {
  /** Distance buffer. */
  readonly dist: Float64Array;
  /** Predecessor buffer. */
  readonly pred: Int32Array;
  /** Settle-order buffer. */
  readonly order: Uint32Array;

  /** A workspace for graphs of up to `capacity` nodes. */
  constructor(capacity: number) {
    super(capacity);
    this.dist = new Float64Array(capacity);
    this.pred = new Int32Array(capacity);
    this.order = new Uint32Array(capacity);
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
  pred.fill(-1);
  const { weights } = g;
  if (weights instanceof Uint32Array && (n - 1) * g.maxWeight <= RADIX_MAX_KEY) {
    const buffers = ws ?? sharedBuffers(n), d32 = buffers.dist32;
    const maxW = Math.max(0, g.maxWeight);
    const buckets = maxW < BUCKET_MAX_SPAN && (n - 1) * maxW < INT_UNREACHED;
    const unreached = buckets ? INT_UNREACHED : UNREACHED;
    const settled = dijkstraMonotone(
      g,
      weights,
      source,
      target,
      buckets ? buffers.dist32i : d32,
      unreached,
      pred,
      order,
      buckets ? buffers.buckets(maxW) : buffers.radix,
    );
    copyDistances(d32, unreached, dist);
    const stopped = settled < 0;
    return {
      source,
      dist,
      pred,
      order: order.subarray(0, stopped ? ~settled : settled),
      complete: !stopped,
    };
  }
  const heap = (ws ?? sharedBuffers(n)).heap;
  heap.clear();
  dist.fill(Infinity);
  const { offsets, targets } = g;
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

/** Distance of a node not reached (yet), in the 32-bit distance array. */
const UNREACHED = 0xffffffff;

/**
 * The 32-bit distances as the result's floats, `unreached` becoming Infinity
 * (a function of its own, so that its loop is optimised apart from the run).
 */
function copyDistances(d32: Uint32Array, unreached: number, dist: Float64Array): void {
  for (let v = 0; v < dist.length; v++) {
    const d = d32[v]!;
    dist[v] = d === unreached ? Infinity : d;
  }
}
/** The same in the signed distances of bucket-queue runs (all real distances are below it). */
const INT_UNREACHED = 0x7fffffff;

/**
 * The target was settled with `settled` nodes: the entries still queued whose
 * key is their node's distance are the reached, unsettled nodes; give each the
 * predecessor of its best path so far. Returns `settled`, or its complement
 * when such nodes remain.
 */
function stopAtTarget(
  queue: RadixHeap | BucketQueue,
  d32: Uint32Array | Int32Array,
  pred: Int32Array,
  settled: number,
): number {
  let unsettled = 0;
  while (queue.size > 0) {
    const v = queue.pop();
    if (queue.key === d32[v]) {
      pred[v] = queue.payload | 0;
      unsettled++;
    }
  }
  return unsettled > 0 ? ~settled : settled;
}

/**
 * Dijkstra over 32-bit distances with a monotone queue (see the module
 * documentation): unsigned distances with the radix heap, or, with the bucket
 * queue, signed ones (every path is below {@link INT_UNREACHED}, and 31-bit
 * integers compare as integers where unsigned ones go through floating point
 * in the JIT). `d32`, `pred` and `order` have room for every node, `pred` is
 * all −1. A process normally runs one of the two forms, so the JIT sees one
 * queue and one distance type here. Returns the number of settled nodes, or
 * its complement when the run stopped at `target` with nodes still queued.
 */
function dijkstraMonotone(
  g: CsrGraph,
  weights: Uint32Array,
  source: number,
  target: number,
  d32: Uint32Array | Int32Array,
  unreached: number,
  pred: Int32Array,
  order: Uint32Array,
  queue: RadixHeap | BucketQueue,
): number {
  const { offsets, targets } = g;
  d32.fill(unreached, 0, g.nodeCount);
  queue.clear();
  d32[source] = 0;
  queue.push(source, 0, UNREACHED);
  let settled = 0;
  while (queue.size > 0) {
    const u = queue.pop();
    const du = queue.key;
    if (du !== d32[u]) continue; // an outdated entry: u was pushed again with a smaller key
    pred[u] = queue.payload | 0;
    order[settled++] = u;
    if (u === target) return stopAtTarget(queue, d32, pred, settled);
    const end = offsets[u + 1]!;
    for (let e = offsets[u]!; e < end; e++) {
      const v = targets[e]!;
      const nd = du + weights[e]!;
      if (nd < d32[v]!) {
        d32[v] = nd;
        queue.push(v, nd, u);
      }
    }
  }
  return settled;
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
