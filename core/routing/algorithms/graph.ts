/**
 * Weighted directed graphs in compressed sparse row (CSR) form, the input of
 * every shortest-path algorithm in this folder.
 *
 * Nodes are the integers 0..n−1 (routers, switches, hosts: whatever the caller
 * maps onto them), optionally with unique names. Edges are directed and weighted
 * (link metrics); an undirected link is two opposite edges, added with
 * {@link GraphBuilder.addLink}. Parallel edges and self-loops are allowed and
 * kept: the algorithms handle them, and the caller may have real parallel links.
 *
 * Layout: the out-edges of node `u` occupy CSR slots `offsets[u] .. offsets[u+1]−1`;
 * slot `e` leads to `targets[e]` with weight `weights[e]`, and `edgeIds[e]` is the
 * id that {@link GraphBuilder.addEdge} returned for it, so results can be mapped
 * back to the caller's links. Within a node, slots keep insertion order, so a
 * graph built from the same calls is laid out identically (determinism).
 *
 * Weights are either 64-bit floats (any finite value, negative allowed, for
 * Bellman–Ford) or unsigned 32-bit integers (OSPF/IS-IS-style metrics, which
 * also make equal-cost comparisons exact). The graph is immutable once built:
 * there is no edge removal or re-weighting; build a new graph instead (a build is
 * O(n + m) and cheap next to a routing run).
 *
 * Costs: memory 4(n+1) + 12m bytes (u32 weights) or 4(n+1) + 16m bytes (f64
 * weights), plus 4m for `edgeIds`; `build()` is a counting sort, O(n + m).
 *
 * @module
 */

/** Edge weights: floats (general) or unsigned 32-bit integer metrics. */
export type Weights = Float64Array | Uint32Array;

/** The weight representation a {@link GraphBuilder} produces. */
export type WeightKind = "f64" | "u32";

/** An immutable weighted directed graph in CSR form. */
export interface CsrGraph {
  /** Number of nodes; node ids are 0..nodeCount−1. */
  readonly nodeCount: number;
  /** Number of directed edges (CSR slots). */
  readonly edgeCount: number;
  /** Row starts: out-edges of `u` are the slots `offsets[u]..offsets[u+1]−1` (length n+1). */
  readonly offsets: Uint32Array;
  /** Head node of each slot (length m). */
  readonly targets: Uint32Array;
  /** Weight of each slot (length m). */
  readonly weights: Weights;
  /** Builder edge id of each slot (length m): the value `addEdge` returned. */
  readonly edgeIds: Uint32Array;
  /** Smallest edge weight (Infinity when there are no edges). */
  readonly minWeight: number;
  /** Largest edge weight (−Infinity when there are no edges). */
  readonly maxWeight: number;
  /** Node names by id (`undefined` for unnamed nodes); empty when no node was named. */
  readonly names: readonly (string | undefined)[];
}

/** Options for {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Weight representation; default `"f64"`. `"u32"` requires integers in 0..2^32−1. */
  readonly weights?: WeightKind;
}

const U32_MAX = 4294967295;

/**
 * Accumulates nodes and edges, then lays them out as a {@link CsrGraph}.
 * Edge storage grows geometrically in typed arrays, so adding m edges is O(m)
 * amortised with no per-edge objects.
 */
export class GraphBuilder {
  #n: number;
  #m = 0;
  #from: Uint32Array;
  #to: Uint32Array;
  #w: Float64Array;
  #kind: WeightKind;
  #names: (string | undefined)[] = [];
  #byName = new Map<string, number>();

  /**
   * Start a graph with `nodeCount` unnamed nodes (more can be added with
   * {@link addNode}); `edgeCapacity` pre-sizes edge storage.
   */
  constructor(nodeCount = 0, options: GraphBuilderOptions = {}, edgeCapacity = 16) {
    if (!Number.isInteger(nodeCount) || nodeCount < 0 || nodeCount > U32_MAX) {
      throw new RangeError(`GraphBuilder: bad node count ${nodeCount}`);
    }
    this.#n = nodeCount;
    this.#kind = options.weights ?? "f64";
    const cap = Math.max(4, Math.floor(edgeCapacity));
    this.#from = new Uint32Array(cap);
    this.#to = new Uint32Array(cap);
    this.#w = new Float64Array(cap);
  }

  /** Number of nodes so far. */
  get nodeCount(): number {
    return this.#n;
  }

  /** Number of directed edges so far. */
  get edgeCount(): number {
    return this.#m;
  }

  /** Add a node, optionally named (names must be unique); returns its id. */
  addNode(name?: string): number {
    const id = this.#n;
    if (name !== undefined) {
      if (this.#byName.has(name)) throw new Error(`GraphBuilder: duplicate node name "${name}"`);
      this.#byName.set(name, id);
      this.#names[id] = name;
    }
    this.#n++;
    return id;
  }

  /** Name (or rename) an existing node; names must be unique. */
  setName(id: number, name: string): void {
    this.#checkNode(id);
    const other = this.#byName.get(name);
    if (other !== undefined && other !== id) {
      throw new Error(`GraphBuilder: duplicate node name "${name}"`);
    }
    const old = this.#names[id];
    if (old !== undefined) this.#byName.delete(old);
    this.#byName.set(name, id);
    this.#names[id] = name;
  }

  /** Id of the node with this name, or undefined. */
  nodeId(name: string): number | undefined {
    return this.#byName.get(name);
  }

  /**
   * Add a directed edge `from → to` with `weight`; returns its edge id (0, 1, 2, …
   * in call order). Weights must be finite; for `"u32"` graphs, integers in 0..2^32−1.
   */
  addEdge(from: number, to: number, weight: number): number {
    this.#checkNode(from);
    this.#checkNode(to);
    if (!Number.isFinite(weight)) throw new RangeError(`GraphBuilder: weight must be finite`);
    if (this.#kind === "u32" && !(Number.isInteger(weight) && weight >= 0 && weight <= U32_MAX)) {
      throw new RangeError(`GraphBuilder: u32 weight out of range: ${weight}`);
    }
    const m = this.#m;
    if (m === this.#from.length) this.#grow();
    this.#from[m] = from;
    this.#to[m] = to;
    this.#w[m] = weight;
    this.#m = m + 1;
    return m;
  }

  /**
   * Add an undirected link as two directed edges `a → b` (weight `weight`) and
   * `b → a` (weight `weightBack`, default the same); returns both edge ids.
   */
  addLink(a: number, b: number, weight: number, weightBack = weight): [number, number] {
    return [this.addEdge(a, b, weight), this.addEdge(b, a, weightBack)];
  }

  /** Lay out the graph; the builder stays usable (later edges are not in this graph). */
  build(): CsrGraph {
    const n = this.#n, m = this.#m;
    const from = this.#from, to = this.#to, w = this.#w;
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i < m; i++) offsets[from[i]! + 1]!++;
    for (let u = 0; u < n; u++) offsets[u + 1]! += offsets[u]!;
    const cursor = offsets.slice(0, n);
    const targets = new Uint32Array(m);
    const edgeIds = new Uint32Array(m);
    const weights: Weights = this.#kind === "u32" ? new Uint32Array(m) : new Float64Array(m);
    let minWeight = Infinity, maxWeight = -Infinity;
    for (let i = 0; i < m; i++) {
      const slot = cursor[from[i]!]!++;
      targets[slot] = to[i]!;
      const wi = w[i]!;
      weights[slot] = wi;
      edgeIds[slot] = i;
      if (wi < minWeight) minWeight = wi;
      if (wi > maxWeight) maxWeight = wi;
    }
    const names = this.#byName.size === 0
      ? []
      : Array.from({ length: n }, (_, i) => this.#names[i]);
    return {
      nodeCount: n,
      edgeCount: m,
      offsets,
      targets,
      weights,
      edgeIds,
      minWeight,
      maxWeight,
      names,
    };
  }

  #checkNode(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.#n) {
      throw new RangeError(`GraphBuilder: no node ${id} (node count ${this.#n})`);
    }
  }

  #grow(): void {
    const cap = this.#from.length * 2;
    const from = new Uint32Array(cap), to = new Uint32Array(cap), w = new Float64Array(cap);
    from.set(this.#from);
    to.set(this.#to);
    w.set(this.#w);
    this.#from = from;
    this.#to = to;
    this.#w = w;
  }
}

/** One edge of an edge list: `[from, to, weight]`. */
export type EdgeTriple = readonly [from: number, to: number, weight: number];

/** Build a directed graph with `nodeCount` nodes from an edge list. */
export function graphFromEdges(
  nodeCount: number,
  edges: Iterable<EdgeTriple>,
  options: GraphBuilderOptions = {},
): CsrGraph {
  const b = new GraphBuilder(nodeCount, options);
  for (const [u, v, w] of edges) b.addEdge(u, v, w);
  return b.build();
}

/**
 * The transpose: every edge `u → v` becomes `v → u` with the same weight and
 * edge id. Shortest paths *to* a destination in `g` are shortest paths *from* it
 * in the transpose, which is how per-destination routing tables are computed.
 * O(n + m).
 */
export function transpose(g: CsrGraph): CsrGraph {
  const n = g.nodeCount, m = g.edgeCount;
  const { offsets, targets, weights, edgeIds } = g;
  const rOffsets = new Uint32Array(n + 1);
  for (let e = 0; e < m; e++) rOffsets[targets[e]! + 1]!++;
  for (let u = 0; u < n; u++) rOffsets[u + 1]! += rOffsets[u]!;
  const cursor = rOffsets.slice(0, n);
  const rTargets = new Uint32Array(m);
  const rIds = new Uint32Array(m);
  const rWeights: Weights = weights instanceof Uint32Array
    ? new Uint32Array(m)
    : new Float64Array(m);
  // Walking sources in id order keeps each reversed row sorted by original tail.
  for (let u = 0; u < n; u++) {
    for (let e = offsets[u]!, end = offsets[u + 1]!; e < end; e++) {
      const slot = cursor[targets[e]!]!++;
      rTargets[slot] = u;
      rWeights[slot] = weights[e]!;
      rIds[slot] = edgeIds[e]!;
    }
  }
  return {
    nodeCount: n,
    edgeCount: m,
    offsets: rOffsets,
    targets: rTargets,
    weights: rWeights,
    edgeIds: rIds,
    minWeight: g.minWeight,
    maxWeight: g.maxWeight,
    names: g.names,
  };
}

/** Name of node `id`, or its decimal id when it has none. */
export function nodeName(g: CsrGraph, id: number): string {
  return g.names[id] ?? String(id);
}

/** Id of the node named `name`, or undefined. O(n): keep a map if calling often. */
export function findNode(g: CsrGraph, name: string): number | undefined {
  const i = g.names.indexOf(name);
  return i < 0 ? undefined : i;
}

/** Throw a RangeError unless `id` is a node of `g`. */
export function checkNode(g: CsrGraph, id: number, what = "node"): void {
  if (!Number.isInteger(id) || id < 0 || id >= g.nodeCount) {
    throw new RangeError(`${what} ${id} is not a node (node count ${g.nodeCount})`);
  }
}
