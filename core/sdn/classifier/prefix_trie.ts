/**
 * Prefix tracking for one 32-bit field (nw_src or nw_dst), after Open vSwitch's
 * classifier tries: given an address, which prefix lengths have at least one
 * rule prefix that matches it. A subtable whose mask is a /L prefix on the field
 * cannot match when no rule prefix of length L matches, so the lookup skips it
 * without hashing, and (for wildcard tracking) only the first L bits of the field
 * decided that.
 *
 * Structure: a multibit trie with 8-bit strides (four levels) and prefix
 * expansion, stored flat in one Int32Array. Node level ℓ covers address bits
 * 31−8ℓ … 24−8ℓ; for each byte value b a node holds one word: in its low 8
 * bits the set (bit k for length 8ℓ+k+1) of stored prefixes with
 * 8ℓ < L ≤ 8ℓ+8 that match an address whose byte at this level is b (and
 * whose earlier bytes led here), and above them the index of the child node
 * for longer prefixes (0: none; the root is node 0 and never a child). A node
 * is 1 KiB, so the lines a lookup touches are few and dense. Lookup is at most
 * four steps of one read; adding or removing a prefix touches at most 128
 * entries of one node and the nodes on its path. Prefixes are
 * reference-counted (several rules may share one), and nodes are freed (onto
 * a free list) when nothing below them remains.
 *
 * Left out: Open vSwitch's path-compressed binary trie and its finer wildcard
 * reporting (it un-wildcards only the bits up to where the trie walk stopped;
 * here a skip un-wildcards the whole /L prefix).
 *
 * @module
 */

/** Int32 words per node: `child << 8 | length set` for each of the 256 byte values. */
const NODE_WORDS = 256;

/** The bit standing for prefix length `len` (1..32) in a lookup result. */
export function lenBit(len: number): number {
  return 1 << (len - 1);
}

/** A set of IPv4-style prefixes answering "which lengths match this address". */
export class PrefixTrie {
  /** Node n occupies words n·256 … n·256+255, one per byte value. */
  private nodes = new Int32Array(NODE_WORDS);
  /** Distinct prefixes stored in each node or below it (by node index). */
  private refs = new Int32Array(1);
  /** Freed node indices, for reuse. */
  private freeNodes: number[] = [];
  /** Nodes allocated so far (including freed ones). */
  private used = 1;
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
    let node = 0;
    this.refs[0]!++;
    for (let l = 0; l < level; l++) {
      const at = node * NODE_WORDS + ((v >>> (24 - 8 * l)) & 255);
      let kid = this.nodes[at]! >>> 8;
      if (kid === 0) {
        kid = this.newNode();
        this.nodes[at] = (kid << 8) | (this.nodes[at]! & 255);
      }
      this.refs[kid]!++;
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
    let node = 0;
    this.refs[0]!--;
    for (let l = 0; l < level; l++) {
      const at = node * NODE_WORDS + ((v >>> (24 - 8 * l)) & 255);
      const kid = this.nodes[at]! >>> 8;
      if (--this.refs[kid]! === 0) {
        // Nothing left below: the bits there go with it.
        this.nodes[at] = this.nodes[at]! & 255;
        this.freeSubtree(kid);
        return true;
      }
      node = kid;
    }
    this.expand(node, v, len, false);
    return true;
  }

  /** Bitmap of prefix lengths L (bit L−1) with a stored prefix matching `addr`. */
  lookup(addr: number): number {
    const t = this.nodes;
    let e = t[addr >>> 24]!;
    let bits = e & 255;
    if (e >>> 8 === 0) return bits;
    e = t[((e >>> 8) << 8) | ((addr >>> 16) & 255)]!;
    bits |= (e & 255) << 8;
    if (e >>> 8 === 0) return bits;
    e = t[((e >>> 8) << 8) | ((addr >>> 8) & 255)]!;
    bits |= (e & 255) << 16;
    if (e >>> 8 === 0) return bits;
    return bits | (t[((e >>> 8) << 8) | (addr & 255)]! << 24);
  }

  private norm(value: number, len: number): number {
    if (!Number.isInteger(len) || len < 1 || len > 32) throw new RangeError(`prefix length ${len}`);
    return (value & (0xffffffff << (32 - len))) >>> 0;
  }

  /** A zeroed node, reusing a freed one when there is any. */
  private newNode(): number {
    const reused = this.freeNodes.pop();
    if (reused !== undefined) return reused;
    const n = this.used++;
    if (n * NODE_WORDS >= this.nodes.length) {
      const grown = new Int32Array(this.nodes.length * 2);
      grown.set(this.nodes);
      this.nodes = grown;
      const refs = new Int32Array(this.refs.length * 2);
      refs.set(this.refs);
      this.refs = refs;
    }
    return n;
  }

  /** Zero node n and every node below it, and put them on the free list. */
  private freeSubtree(n: number): void {
    const base = n * NODE_WORDS;
    for (let b = 0; b < 256; b++) {
      const kid = this.nodes[base + b]! >>> 8;
      if (kid !== 0) this.freeSubtree(kid);
    }
    this.nodes.fill(0, base, base + NODE_WORDS);
    this.refs[n] = 0;
    this.freeNodes.push(n);
  }

  private expand(node: number, v: number, len: number, set: boolean): void {
    const level = (len - 1) >> 3;
    const r = len - 8 * level; // 1..8 bits of this level's byte are fixed
    const span = 1 << (8 - r);
    const first = ((v >>> (24 - 8 * level)) & 255) & ~(span - 1);
    const bit = 1 << (r - 1);
    const t = this.nodes, base = node * NODE_WORDS;
    for (let i = first; i < first + span; i++) {
      const at = base + i;
      t[at] = set ? t[at]! | bit : t[at]! & ~bit;
    }
  }
}
