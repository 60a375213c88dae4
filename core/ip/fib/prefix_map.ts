/**
 * The longest-prefix-match contract shared by every IPv4 routing-table structure
 * in the stack: a map from prefixes (network address and length) to small integer
 * values, answering "which stored prefix is the longest one containing this
 * address". Values are opaque to the structure; routers store next-hop or route
 * indices in them.
 *
 * This module only states the contract and a few helpers. It leaves out IPv6,
 * multipath (one value per prefix) and any notion of route preference: choosing
 * between routes for the same prefix is the routing layer's job.
 *
 * @module
 */

/**
 * A longest-prefix-match map over IPv4 prefixes with integer values. Prefixes
 * and addresses are unsigned 32-bit numbers (as in `core/wire/packet.ts`); host
 * bits beyond `len` in a prefix argument are ignored (masked).
 */
export interface PrefixMap {
  /** Map prefix/len to value (an integer 0..2^31-1); replaces an existing value. */
  insert(prefix: number, len: number, value: number): void;
  /** Remove prefix/len; returns whether it was present. */
  delete(prefix: number, len: number): boolean;
  /** Value of the longest prefix containing addr, or -1. */
  lookup(addr: number): number;
  /** Exact-match value of prefix/len, or -1. */
  get(prefix: number, len: number): number;
  /** Number of prefixes stored. */
  readonly size: number;
  /** Every stored prefix as [prefix, len, value], in ascending (prefix, len) order. */
  entries(): Iterable<[number, number, number]>;
}

/** The largest value a prefix may carry (2^31 - 1). */
export const MAX_VALUE = 0x7fffffff;

/** Network address of `addr` under a prefix length 0..32, as an unsigned 32-bit number. */
export function maskPrefix(addr: number, len: number): number {
  return len === 0 ? 0 : (addr & (-1 << (32 - len))) >>> 0;
}

/** Throw a RangeError unless `len` is an integer prefix length 0..32. */
export function checkLength(len: number): void {
  if (!Number.isInteger(len) || len < 0 || len > 32) {
    throw new RangeError(`prefix length must be an integer 0..32, got ${len}`);
  }
}

/** Throw a RangeError unless `value` is an integer 0..2^31-1. */
export function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_VALUE) {
    throw new RangeError(`prefix value must be an integer 0..2^31-1, got ${value}`);
  }
}

/** Compare two [prefix, len, ...] entries by (prefix, len) ascending. */
export function compareEntries(a: readonly number[], b: readonly number[]): number {
  return a[0]! - b[0]! || a[1]! - b[1]!;
}
