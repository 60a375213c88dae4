/**
 * The OpenFlow flow classifier: flow keys built from packets, matches and their
 * `ovs-ofctl` syntax, the tuple-space classifier with Open vSwitch's priority
 * sorting and wildcard tracking, the exact-match and megaflow caches, and a
 * linear reference classifier. See each module for what it models and leaves out.
 *
 * @module
 */
export * from "./flow_key.ts";
export * from "./match.ts";
export * from "./syntax.ts";
export * from "./classifier.ts";
export * from "./cache.ts";
export * from "./linear.ts";
