/**
 * Prefix tracking for one 32-bit field (nw_src or nw_dst), after Open vSwitch's
 * classifier tries: given an address, which prefix lengths have at least one
 * rule prefix that matches it. A subtable whose mask is a /L prefix on the field
 * cannot match when no rule prefix of length L matches, so the lookup skips it
 * without hashing, and (for wildcard tracking) only the first L bits of the field
 * decided that.
 *
 * Structure: a multibit trie with 8-bit strides (four levels) and prefix
 * expansion. Node level ℓ covers address bits 31−8ℓ … 24−8ℓ; `lens[b]` is the set
 * (bit L−1 for length L) of stored prefixes with 8ℓ < L ≤ 8ℓ+8 that match an
 * address whose byte at this level is `b` (and whose earlier bytes led here).
 * Lookup is at most four steps; adding or removing a prefix touches at most 128
 * entries of one node and the nodes on its path. Prefixes are reference-counted
 * (several rules may share one), and nodes are freed when nothing below them
 * remains.
 *
 * Left out: Open vSwitch's path-compressed binary trie and its finer wildcard
 * reporting (it un-wildcards only the bits up to where the trie walk stopped;
 * here a skip un-wildcards the whole /L prefix).
 *
 * @module
 */

class Node {
  /** Prefix-length bitmap per byte value at this level. */
  readonly lens = new Int32Array(256);
  /** Child per byte value, for longer prefixes. */
  readonly kids: Array<Node | undefined> = new Array<Node | undefined>(256).fill(undefined);
  /** Distinct prefixes stored in this node or below it. */
  refs = 0;
}

/** The bit standing for prefix length `len` (1..32) in a lookup result. */
export function lenBit(len: number): number {
  return 1 << (len - 1);
}

/** A set of IPv4-style prefixes answering "which lengths match this address". */
export class PrefixTrie {
  private readonly root = new Node();
  private readonly counts = new Map<number, number>();

  /** Number of distinct prefixes stored. */
  get size(): number {
    return this.counts.size;
  }

  /** Add one reference to prefix `value/len` (len 1..32; host bits of `value` are ignored). */
  add(value: number, len: number): void {
    const v = this.norm(value, len);
    const id = len * 4294967296 + v;
    const c = this.counts.get(id) ?? 0;
    this.counts.set(id, c + 1);
    if (c > 0) return;
    const level = (len - 1) >> 3;
    let node = this.root;
    node.refs++;
    for (let l = 0; l < level; l++) {
      const b = (v >>> (24 - 8 * l)) & 255;
      let kid = node.kids[b];
      if (kid === undefined) {
        kid = new Node();
        node.kids[b] = kid;
      }
      kid.refs++;
      node = kid;
    }
    this.expand(node, v, len, true);
  }

  /** Drop one reference to prefix `value/len`; false when it was not stored. */
  remove(value: number, len: number): boolean {
    const v = this.norm(value, len);
    const id = len * 4294967296 + v;
    const c = this.counts.get(id);
    if (c === undefined) return false;
    if (c > 1) {
      this.counts.set(id, c - 1);
      return true;
    }
    this.counts.delete(id);
    const level = (len - 1) >> 3;
    let node = this.root;
    node.refs--;
    for (let l = 0; l < level; l++) {
      const b = (v >>> (24 - 8 * l)) & 255;
      const kid = node.kids[b]!;
      kid.refs--;
      if (kid.refs === 0) {
        node.kids[b] = undefined; // nothing left below: the bits there go with it
        return true;
      }
      node = kid;
    }
    this.expand(node, v, len, false);
    return true;
  }

  /** Bitmap of prefix lengths L (bit L−1) with a stored prefix matching `addr`. */
  lookup(addr: number): number {
    const n0 = this.root;
    let bits = n0.lens[addr >>> 24]!;
    const n1 = n0.kids[addr >>> 24];
    if (n1 === undefined) return bits;
    bits |= n1.lens[(addr >>> 16) & 255]!;
    const n2 = n1.kids[(addr >>> 16) & 255];
    if (n2 === undefined) return bits;
    bits |= n2.lens[(addr >>> 8) & 255]!;
    const n3 = n2.kids[(addr >>> 8) & 255];
    if (n3 === undefined) return bits;
    return bits | n3.lens[addr & 255]!;
  }

  private norm(value: number, len: number): number {
    if (!Number.isInteger(len) || len < 1 || len > 32) throw new RangeError(`prefix length ${len}`);
    return (value & (0xffffffff << (32 - len))) >>> 0;
  }

  private expand(node: Node, v: number, len: number, set: boolean): void {
    const level = (len - 1) >> 3;
    const r = len - 8 * level; // 1..8 bits of this level's byte are fixed
    const span = 1 << (8 - r);
    const first = ((v >>> (24 - 8 * level)) & 255) & ~(span - 1);
    const bit = lenBit(len);
    const lens = node.lens;
    for (let i = first; i < first + span; i++) lens[i] = set ? lens[i]! | bit : lens[i]! & ~bit;
  }
}
