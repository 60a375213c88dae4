/**
 * Shortest-path algorithms for the routing layer: CSR graphs, Dijkstra,
 * Bellman–Ford with negative-cycle detection, equal-cost multipath sets, and a
 * seeded random graph generator. See each module for what it models and costs.
 *
 * @module
 */
export * from "./graph.ts";
export * from "./heap.ts";
export * from "./dijkstra.ts";
export * from "./ecmp.ts";
export * from "./bellman_ford.ts";
export * from "./prng.ts";
export * from "./random_graph.ts";
