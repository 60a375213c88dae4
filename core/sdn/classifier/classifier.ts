/**
 * The OpenFlow flow classifier, modelled on Open vSwitch's: given a flow key,
 * find the highest-priority rule whose match it satisfies.
 *
 * Structure (tuple-space search, as in Open vSwitch's classifier and its NSDI
 * 2015 paper):
 * - One hash table ("subtable") per distinct mask among the rules, keyed by the
 *   rules' masked values (see `table.ts`). A lookup masks the key with each
 *   subtable's mask and probes that subtable's hash.
 * - Priority sorting: subtables are kept sorted by the best rule they hold, and a
 *   lookup stops as soon as the best rule found so far beats the best rule of the
 *   next subtable, so a high-priority hit ends the search early.
 * - Prefix tracking: tries over the nw_src and nw_dst prefixes of all rules (see
 *   `prefix_trie.ts`) tell, once per lookup, which prefix lengths can match the
 *   key; a subtable whose mask is a /L prefix of a length that cannot match is
 *   skipped without hashing. This is what keeps lookups cheap when more specific
 *   rules have higher priorities (longest-prefix-like tables), where priority
 *   sorting alone would probe every more specific subtable.
 * - Membership filters: each subtable keeps a small Bloom filter of its keys'
 *   hashes (see `table.ts`), so a probe of a subtable that holds no matching
 *   key, which is almost every probe, reads one filter word and stops.
 * - Candidate sets: the two trie results (sets of prefix lengths) become a
 *   bitset of the subtables they allow, by table lookups on their bytes, and
 *   {@link Classifier.lookup} visits only those subtables, in best-first
 *   order, instead of testing each subtable's lengths with a branch whose
 *   outcome changes from packet to packet.
 * - Shared hash terms: a subtable's hash is a sum of one product per masked
 *   word, and most words other than nw_src/nw_dst carry the same few masks
 *   across subtables (dl_type, in_port, nw_proto, ports). A lookup computes
 *   the partial sums of those terms once (a small tree of running sums, most
 *   shared terms first), and a probe adds its two address terms to its sum.
 *   The sums are computed by straight-line code generated for the tree (with
 *   `new Function`, from numbers only), kept while the set of masks stays.
 * - A flat lookup plan: the lookup walks one typed array laid out in
 *   best-first order (each subtable's filter position, address masks and
 *   partial sum, the candidate bitset, the sums, and a copy of every filter)
 *   and touches a subtable object only for the probes its filter lets
 *   through.
 *
 * Semantics:
 * - The highest priority wins. Inserting a rule whose match and priority equal an
 *   existing rule's replaces it (the new rule counts as newly added).
 * - Among overlapping rules of equal priority OpenFlow leaves the choice
 *   undefined; here the rule added earliest wins, deterministically. Internally a
 *   rule's rank is `priority · 2^36 + (2^36 − 1 − seq)` with `seq` the insertion
 *   number, and every comparison (including the early stop) is on ranks.
 *
 * Costs, with S subtables, R rules and n the words a mask touches (at most 26):
 * lookup O(S · n) worst case (every subtable probed), usually far less; plus two
 * trie walks of at most four steps. Insert amortised O(n + S) (the subtable order
 * is kept by moving one element; a prefix adds up to 128 trie entries); remove
 * O(n + S), plus O(entries of the subtable) when it removes that subtable's best
 * rule; the first lookup after the subtables, their order or a filter's size
 * changed re-lays the plan in O(S · n + R); {@link Classifier.rules} and
 * {@link Classifier.covered} O(R log R).
 *
 * {@link Classifier.lookupWc} additionally reports which key bits the lookup's
 * outcome depended on, for building megaflow caches: the masks of the subtables
 * it probed, where a subtable that misses at an early stage (metadata, L2, L3)
 * only contributes the stages it examined (staged lookup), and a subtable skipped
 * by a trie only contributes its /L prefix of that field. Left out from Open
 * vSwitch: port tries, the tries' finer wildcarding, classifier versioning for
 * concurrent readers, and conjunctive matches.
 *
 * @module
 */
import { type FlowKey, KEY_WORDS, W } from "./flow_key.ts";
import { copyMatch, type Match, matchCovers, matchEquals, matchesOverlap } from "./match.ts";
import { filterBits, FINISH_MUL, finishHash, MaskMap, MaskTable, wordMul } from "./table.ts";
import { lenBit, PrefixTrie } from "./prefix_trie.ts";

/** A rule in a classifier. `value` (e.g. actions) may be replaced in place. */
export interface Rule<T> {
  /** Priority, 0..65535; higher wins. */
  readonly priority: number;
  /** The match (a private copy; do not modify). */
  readonly match: Match;
  /** Insertion sequence number in this classifier; among equal priorities the lower wins. */
  readonly seq: number;
  /** The opaque payload. Changing it does not need the classifier's involvement. */
  value: T;
}

/** Counters a classifier keeps (all monotonic until {@link Classifier.resetStats}). */
export interface ClassifierStats {
  /** Lookups performed ({@link Classifier.lookup} and {@link Classifier.lookupWc}). */
  lookups: number;
  /** Lookups that found a rule. */
  hits: number;
  /** Subtables probed (hashed) over all lookups. */
  subtablesProbed: number;
  /** Subtables skipped without hashing because the prefix tries ruled them out. */
  subtablesSkipped: number;
  /** Rules inserted (including replacements). */
  inserts: number;
  /** Rules removed (not counting replaced ones). */
  removes: number;
}

/** What {@link Classifier.insert} did. */
export interface InsertResult<T> {
  /** The new rule. */
  rule: Rule<T>;
  /** The rule with the same match and priority that it displaced, if any. */
  replaced: Rule<T> | undefined;
}

const SEQ_SPAN = 2 ** 36;

/**
 * log2 of the words per subtable in the lookup plan (filter offset and shift,
 * nw_src and nw_dst masks, partial sum, three unused).
 */
const PLAN_SHIFT = 3;
/**
 * Most partial sums a lookup computes up front; subtables whose terms would
 * need more hash their own words.
 */
const MAX_SUMS = 64;
const MUL_SRC = wordMul(W.NW_SRC);
/** {@link FINISH_MUL} as this module's constant (the JIT folds it; an import it loads). */
const HASH_MUL = FINISH_MUL;
const MUL_DST = wordMul(W.NW_DST);

/** Length of a contiguous prefix mask, 0 for a zero or non-contiguous mask. */
function prefixLen(mask: number): number {
  const inv = ~mask >>> 0;
  if (mask === 0 || (inv & (inv + 1)) !== 0) return 0;
  return 32 - Math.log2(inv + 1);
}

/** Writes the partial sums of a key's hash terms into a lookup plan. */
type SumsCode = (key: FlowKey, plan: Int32Array) => void;

/** Compiled {@link SumsCode} by source text, shared by all classifiers. */
const sumsCache = new Map<string, SumsCode>();

/**
 * Straight-line code computing a tree of partial sums: node n (4 words from
 * 4n of `sums`: parent, key word, mask, multiplier; node 0 is the empty sum)
 * is its parent's sum plus `imul(key[word] & mask, multiplier)`, written to
 * `plan[at + n]`. The constants are part of the code, so the JIT loads none
 * of them and checks no bounds but the stores'. The same tree (the same set
 * of masks) gets the same function back, so the JIT's work on it is kept
 * while the rules change in other ways. Only numbers this module computed
 * enter the source.
 */
function sumsFunction(sums: readonly number[], at: number): SumsCode {
  const lines: string[] = [];
  for (let n = 1; n < sums.length / 4; n++) {
    const parent = sums[4 * n]!, w = sums[4 * n + 1]!, m = sums[4 * n + 2]!, mul = sums[4 * n + 3]!;
    const term = `Math.imul(key[${w}] & ${m}, ${mul})`;
    lines.push(`const s${n} = (${parent === 0 ? "" : `s${parent} + `}${term}) | 0;`);
    lines.push(`plan[${at + n}] = s${n};`);
  }
  const src = `"use strict";\n${lines.join("\n")}`;
  let code = sumsCache.get(src);
  if (code === undefined) {
    code = new Function("key", "plan", src) as SumsCode;
    if (sumsCache.size >= 64) sumsCache.clear();
    sumsCache.set(src, code);
  }
  return code;
}

/** The netmask of a prefix length 1..32. */
function lenMask(len: number): number {
  return (0xffffffff << (32 - len)) >>> 0;
}

class RuleImpl<T> implements Rule<T> {
  /** Next (lower-priority) rule with the same masked value. */
  next: RuleImpl<T> | undefined = undefined;
  /** The subtable holding the rule, undefined once removed. */
  table: Subtable<T> | undefined = undefined;
  /** Entry id in the subtable. */
  entry = 0;
  readonly rank: number;
  constructor(
    readonly priority: number,
    readonly match: Match,
    readonly seq: number,
    public value: T,
    readonly owner: Classifier<T>,
  ) {
    this.rank = priority * SEQ_SPAN + (SEQ_SPAN - 1 - seq);
  }
}

/**
 * A subtable: a mask table whose entries hold a priority-ordered rule list; the
 * head's rank is mirrored in `ranks` so lookups compare numbers, not objects.
 */
class Subtable<T> extends MaskTable<RuleImpl<T>> {
  /** Highest rank of any rule in the table. */
  maxRank = -1;
  /** Number of rules (entries can hold several). */
  rules = 0;
  /** Rank of each entry's head rule, by entry id. */
  ranks: Float64Array = new Float64Array(8);
  /** Prefix length of the mask on nw_src, 0 when wildcarded or not a prefix. */
  readonly srcLen: number;
  /** Prefix length of the mask on nw_dst, 0 when wildcarded or not a prefix. */
  readonly dstLen: number;
  /** `lenBit(srcLen)`, or 0: the prefix-trie bit this subtable needs. */
  readonly srcBit: number;
  /** `lenBit(dstLen)`, or 0. */
  readonly dstBit: number;
  /** Where the classifier's copy of this table's filter starts in its filter arena. */
  arenaAt = 0;
  /** The `filterEpoch` that copy was taken at (-1: none). */
  arenaEpoch = -1;
  constructor(mask: Uint32Array) {
    super(mask, true);
    this.srcLen = prefixLen(mask[W.NW_SRC] ?? 0);
    this.dstLen = prefixLen(mask[W.NW_DST] ?? 0);
    this.srcBit = this.srcLen > 0 ? lenBit(this.srcLen) : 0;
    this.dstBit = this.dstLen > 0 ? lenBit(this.dstLen) : 0;
  }
  /** Make `rule` the head of entry `e`. */
  setHead(e: number, rule: RuleImpl<T>): void {
    this.vals[e] = rule;
    if (e >= this.ranks.length) {
      const r = new Float64Array(Math.max(this.ranks.length * 2, e + 1));
      r.set(this.ranks);
      this.ranks = r;
    }
    this.ranks[e] = rule.rank;
  }
  recomputeMax(): void {
    let best = -1;
    for (const e of this.entries()) {
      const r = this.vals[e]!;
      if (r.rank > best) best = r.rank;
    }
    this.maxRank = best;
  }
}

/**
 * Rows for turning a prefix-length set into a subtable bitset byte by byte:
 * `lens[L · nw + w]` holds word w of the bitset of subtables whose prefix
 * length is L (0: none); row (256 · b + v) of the result is the OR of the
 * lengths 8b + k + 1 for the bits k set in v, plus length 0 when b = 0.
 */
function byteRows(lens: Int32Array, nw: number): Int32Array<ArrayBuffer> {
  const rows = new Int32Array(1024 * nw);
  for (let b = 0; b < 4; b++) {
    for (let v = 0; v < 256; v++) {
      const at = (256 * b + v) * nw;
      for (let w = 0; w < nw; w++) {
        let x = b === 0 ? lens[w]! : 0;
        for (let k = 0; k < 8; k++) if ((v >> k) & 1) x |= lens[(8 * b + k + 1) * nw + w]!;
        rows[at + w] = x;
      }
    }
  }
  return rows;
}

/**
 * A flow classifier holding rules with values of type `T`. See the module
 * documentation for semantics and costs.
 */
export class Classifier<T> {
  /** Subtables sorted by `maxRank`, best first. */
  private sorted: Array<Subtable<T>> = [];
  private byMask = new MaskMap<Subtable<T>>();
  private nextSeq = 0;
  private count = 0;
  private gen = 0;
  private unionCache: Uint32Array | undefined = undefined;
  /** Counters; see {@link ClassifierStats}. */
  readonly stats: ClassifierStats = {
    lookups: 0,
    hits: 0,
    subtablesProbed: 0,
    subtablesSkipped: 0,
    inserts: 0,
    removes: 0,
  };
  /**
   * The lookup plan: everything {@link lookup} reads before it knows which
   * subtable to probe, in one Int32Array (so that its loops keep one base and
   * one length in registers), in best-first order so that a lookup walks it
   * instead of fifty objects. Its regions, in order:
   * - subtable i's record, the 2^PLAN_SHIFT words from i · 2^PLAN_SHIFT:
   *   `[filter copy's offset · 32 + its shift, 0, position of the partial sum
   *   (see below) holding the hash terms of its other words (-1: hash with the
   *   subtable's own word list), nw_src mask, nw_dst mask, 0, 0, 0]`;
   * - the partial sums' values (after the records, one per node of a tree of
   *   sums, the first being the empty sum), written by each lookup with
   *   `sumsCode`. A subtable's hash is the sum of `imul(key[word] & mask,
   *   wordMul(word))` over its mask's words; the terms off nw_src and nw_dst
   *   (in_port, dl_type, nw_proto, ports, …) are mostly the same few (word,
   *   mask) pairs. Sorted most shared first, each subtable's list of them is a
   *   path in the tree (a node is its parent's sum plus one term); a lookup
   *   computes every node's sum once, and a probe adds its two address terms
   *   to its node's sum;
   * - a copy of every subtable's membership filter, largest first from an
   *   offset that is a multiple of the largest, so that each copy (a power of
   *   two in size) starts at a multiple of its size and the word a hash picks
   *   is at `offset | (h >>> shift)`.
   *
   * `planRanks[i]` is the i-th subtable's best rank. Rebuilt on the first
   * lookup after the set of subtables, their order or the size of a filter
   * changed; an insert in between sets its filter bits in the copy too, and
   * bits a removal leaves behind only cost a probe.
   */
  private plan = new Int32Array(16);
  private planRanks = new Float64Array(0);
  /** Writes the partial sums' values into the plan (see {@link sumsFunction}). */
  private sumsCode: SumsCode = sumsFunction([0, 0, 0, 0], 1);
  /**
   * Candidate sets, from the prefix tries' length sets: for byte b (0..3) of a
   * length set and its value v, `bySrcLen[(256 · b + v) · candWords + w]` is
   * word w of the bitset (bit i for the i-th subtable of the plan) of the
   * subtables whose nw_src mask is a prefix of a length in those eight bits
   * (length 8b + k + 1 for bit k of v), or no prefix at all (in every row of
   * byte 0). A lookup ORs the four rows of each field and ANDs the two fields
   * into the candidate bitset, a word at a time as the scan reaches it, and
   * visits only those subtables.
   */
  private bySrcLen = new Int32Array(1024);
  private byDstLen = new Int32Array(1024);
  private candWords = 1;
  /**
   * The plan in the layout {@link lookupWc} walks, per subtable in order:
   * `[srcBit, dstBit, n, (word, mask, multiplier)…]`.
   */
  private wcPlan = new Int32Array(0);
  private planStale = true;
  /** Prefix tracking on nw_src and nw_dst (prefixes of subtables with prefix masks). */
  private srcTrie = new PrefixTrie();
  private dstTrie = new PrefixTrie();

  /** Number of rules. */
  get size(): number {
    return this.count;
  }

  /** Number of subtables (distinct masks). */
  get subtableCount(): number {
    return this.sorted.length;
  }

  /**
   * A counter bumped by every insert and remove; caches compare it to know
   * their entries may be stale. (Replacing a rule's `value` does not bump it.)
   */
  get generation(): number {
    return this.gen;
  }

  /** Zero the lookup counters (inserts/removes too). */
  resetStats(): void {
    const s = this.stats;
    s.lookups = 0;
    s.hits = 0;
    s.subtablesProbed = 0;
    s.subtablesSkipped = 0;
    s.inserts = 0;
    s.removes = 0;
  }

  /**
   * Add a rule. `match` is copied. A rule with an equal match and priority is
   * replaced and returned as `replaced`. Throws `RangeError` for a priority
   * outside 0..65535.
   */
  insert(match: Match, priority: number, value: T): InsertResult<T> {
    if (!Number.isInteger(priority) || priority < 0 || priority > 0xffff) {
      throw new RangeError(`priority ${priority} is not 0..65535`);
    }
    if (this.nextSeq >= SEQ_SPAN) throw new RangeError("classifier sequence numbers exhausted");
    const m = copyMatch(match);
    for (let i = 0; i < KEY_WORDS; i++) m.value[i] = (m.value[i] ?? 0) & (m.mask[i] ?? 0);
    const rule = new RuleImpl(priority, m, this.nextSeq++, value, this);
    let st = this.byMask.get(m.mask);
    if (st === undefined) {
      st = new Subtable<T>(m.mask);
      this.byMask.add(st);
      this.sorted.push(st);
      this.unionCache = undefined;
      this.planStale = true;
    }
    let replaced: RuleImpl<T> | undefined;
    const e = st.find(m.value);
    if (e === 0) {
      rule.entry = st.add(m.value, rule);
      st.setHead(rule.entry, rule);
      if (st.arenaEpoch !== st.filterEpoch) this.planStale = true;
      else {
        const h = st.entryHash[rule.entry]!, at = st.arenaAt | (h >>> st.filterShift);
        this.plan[at] = this.plan[at]! | filterBits(h);
      }
    } else {
      // Insert into the entry's list, highest priority first, replacing an equal one.
      let prev: RuleImpl<T> | undefined;
      let cur = st.vals[e];
      while (cur !== undefined && cur.priority > priority) {
        prev = cur;
        cur = cur.next;
      }
      if (cur !== undefined && cur.priority === priority) {
        replaced = cur;
        rule.next = cur.next;
        cur.table = undefined;
        cur.next = undefined;
        st.rules--;
        this.count--;
      } else {
        rule.next = cur;
      }
      if (prev === undefined) st.setHead(e, rule);
      else prev.next = rule;
      rule.entry = e;
    }
    rule.table = st;
    st.rules++;
    this.count++;
    this.stats.inserts++;
    this.gen++;
    this.track(st, m, true);
    if (replaced !== undefined) this.track(st, replaced.match, false);
    if (replaced !== undefined && replaced.rank === st.maxRank) {
      st.recomputeMax();
      this.reposition(st);
    } else if (rule.rank > st.maxRank) {
      st.maxRank = rule.rank;
      this.reposition(st);
    }
    return { rule, replaced };
  }

  /** Remove a rule; false when it is not (or no longer) in this classifier. */
  remove(rule: Rule<T>): boolean {
    if (!(rule instanceof RuleImpl) || rule.owner !== this) return false;
    const r = rule as RuleImpl<T>;
    const st = r.table;
    if (st === undefined) return false;
    const e = r.entry;
    let prev: RuleImpl<T> | undefined;
    let cur = st.vals[e];
    while (cur !== undefined && cur !== r) {
      prev = cur;
      cur = cur.next;
    }
    if (cur === undefined) return false;
    if (prev !== undefined) prev.next = r.next;
    else if (r.next !== undefined) st.setHead(e, r.next);
    else {
      st.delete(e);
      if (st.arenaEpoch !== st.filterEpoch) this.planStale = true;
    }
    r.next = undefined;
    r.table = undefined;
    st.rules--;
    this.count--;
    this.stats.removes++;
    this.gen++;
    this.track(st, r.match, false);
    if (st.rules === 0) {
      this.byMask.delete(st);
      this.sorted.splice(this.sorted.indexOf(st), 1);
      this.unionCache = undefined;
      this.planStale = true;
    } else if (r.rank === st.maxRank) {
      st.recomputeMax();
      this.reposition(st);
    }
    return true;
  }

  /** Remove every rule. */
  clear(): void {
    for (const st of this.sorted) {
      for (const e of st.entries()) {
        for (let r = st.vals[e]; r !== undefined; r = r.next) r.table = undefined;
      }
    }
    this.stats.removes += this.count;
    this.srcTrie = new PrefixTrie();
    this.dstTrie = new PrefixTrie();
    this.sorted = [];
    this.byMask.clear();
    this.count = 0;
    this.gen++;
    this.unionCache = undefined;
    this.planStale = true;
  }

  /** The rule with exactly this match and priority (OpenFlow's strict selection), if any. */
  find(match: Match, priority: number): Rule<T> | undefined {
    const st = this.byMask.get(match.mask);
    if (st === undefined) return undefined;
    const e = st.find(match.value);
    if (e === 0) return undefined;
    for (let r = st.vals[e]; r !== undefined; r = r.next) {
      if (r.priority === priority) return r;
    }
    return undefined;
  }

  /** All rules, best first (priority descending, then insertion order). */
  rules(): Array<Rule<T>> {
    const out: Array<RuleImpl<T>> = [];
    for (const st of this.sorted) {
      for (const e of st.entries()) {
        for (let r = st.vals[e]; r !== undefined; r = r.next) out.push(r);
      }
    }
    return out.sort((a, b) => b.rank - a.rank);
  }

  /**
   * Rules that `criteria` covers (OpenFlow's non-strict selection, as used by
   * `delete-flows` and `mod-flows` without `--strict`), best first. When
   * `priority` is given only rules of that priority are returned.
   */
  covered(criteria: Match, priority?: number): Array<Rule<T>> {
    return this.rules().filter((r) =>
      (priority === undefined || r.priority === priority) && matchCovers(criteria, r.match)
    );
  }

  /**
   * Whether a rule of the same priority overlaps `match` (some packet matches
   * both), which OpenFlow's `check_overlap` flag refuses. A rule with an equal
   * match does not count: adding would replace it.
   */
  overlaps(match: Match, priority: number): boolean {
    for (const st of this.sorted) {
      for (const e of st.entries()) {
        for (let r = st.vals[e]; r !== undefined; r = r.next) {
          if (
            r.priority === priority && matchesOverlap(r.match, match) &&
            !matchEquals(r.match, match)
          ) return true;
        }
      }
    }
    return false;
  }

  /**
   * The bitwise OR of all subtable masks: key bits no rule looks at cannot change
   * any lookup's outcome. Recomputed after the set of masks changes.
   */
  unionMask(): Uint32Array {
    if (this.unionCache === undefined) {
      const u = new Uint32Array(KEY_WORDS);
      for (const st of this.sorted) {
        for (let i = 0; i < KEY_WORDS; i++) u[i] = (u[i] ?? 0) | (st.mask[i] ?? 0);
      }
      this.unionCache = u;
    }
    return this.unionCache;
  }

  /** The best rule matching `key`, or undefined. */
  lookup(key: FlowKey): Rule<T> | undefined {
    if (this.planStale) this.buildPlan();
    const pl = this.plan;
    // The shared partial sums, once for all subtables.
    this.sumsCode(key, pl);
    // The candidates: subtables whose nw_src and nw_dst prefix lengths the tries allow.
    const src = key[W.NW_SRC]!, dst = key[W.NW_DST]!;
    const srcBits = this.srcTrie.lookup(src), dstBits = this.dstTrie.lookup(dst);
    const nw = this.candWords, bySrc = this.bySrcLen, byDst = this.byDstLen;
    // One row per byte of each length set: four loads per field and bitset word.
    const s0 = (srcBits & 255) * nw, s1 = (256 + ((srcBits >>> 8) & 255)) * nw;
    const s2 = (512 + ((srcBits >>> 16) & 255)) * nw, s3 = (768 + (srcBits >>> 24)) * nw;
    const d0 = (dstBits & 255) * nw, d1 = (256 + ((dstBits >>> 8) & 255)) * nw;
    const d2 = (512 + ((dstBits >>> 16) & 255)) * nw, d3 = (768 + (dstBits >>> 24)) * nw;
    let best: Subtable<T> | undefined;
    let bestEntry = 0;
    let bestRank = -1;
    // The search ends at the first subtable whose best rank is not above the
    // best rule found: once one is found, `stop` is that subtable's index.
    let stop = this.sorted.length;
    let probed = 0;
    // The scan below stops at each candidate its filter word lets through
    // (about one a lookup), which is then probed outside the scan's loop.
    // Word w of the candidate set is computed when the scan reaches it (a
    // search that stops early does not need the later words).
    let w = 0;
    let c = (bySrc[s0]! | bySrc[s1]! | bySrc[s2]! | bySrc[s3]!) &
      (byDst[d0]! | byDst[d1]! | byDst[d2]! | byDst[d3]!);
    for (;;) {
      let i = -1, h = 0;
      scan: for (;;) {
        while (c === 0) {
          if (++w >= nw) break scan;
          c = (bySrc[s0 + w]! | bySrc[s1 + w]! | bySrc[s2 + w]! | bySrc[s3 + w]!) &
            (byDst[d0 + w]! | byDst[d1 + w]! | byDst[d2 + w]! | byDst[d3 + w]!);
        }
        const low = c & ((0 - c) | 0);
        c ^= low;
        const j = (w << 5) | (31 - Math.clz32(low));
        if (j >= stop) break;
        // The record's words are at p | k (p is a multiple of 8: no carry to check).
        const p = j << PLAN_SHIFT;
        const at = pl[p | 2]!;
        if (at < 0) {
          i = j; // hashed outside this loop, which then has no call in it
          break;
        }
        const acc = (pl[at]! + Math.imul(src & pl[p | 3]!, MUL_SRC) +
          Math.imul(dst & pl[p | 4]!, MUL_DST)) | 0;
        // finishHash(acc) | 1 and filterBits, written out.
        const hj = Math.imul(acc ^ (acc >>> 16), HASH_MUL) | 1;
        probed = (probed + 1) | 0;
        const fm = (1 << (hj >>> 1)) | (1 << (hj >>> 6));
        // The filter word: offset | (hj >>> shift), the shift being the low five bits.
        const fw = pl[p]!;
        if ((pl[(fw >> 5) | (hj >>> fw)]! & fm) === fm) {
          i = j;
          h = hj;
          break;
        }
      }
      if (i < 0) break;
      const st = this.sorted[i]!;
      let e: number;
      if (h !== 0) e = st.findInBuckets(key, h);
      else {
        probed = (probed + 1) | 0;
        e = st.find(key);
      }
      if (e !== 0) {
        const r = st.ranks[e]!;
        if (r > bestRank) {
          best = st;
          bestEntry = e;
          bestRank = r;
          stop = this.ranksFrom(r);
        }
      }
    }
    const stats = this.stats;
    stats.lookups++;
    stats.subtablesProbed += probed;
    stats.subtablesSkipped += stop - probed; // ruled out by a trie before the search stopped
    if (best === undefined) return undefined;
    stats.hits++;
    return best.vals[bestEntry];
  }

  /**
   * Number of subtables whose best rank is at least `rank` (they come first in
   * the plan): where a search that found a rule of that rank stopped.
   */
  private ranksFrom(rank: number): number {
    const ranks = this.planRanks;
    let lo = 0, hi = ranks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ranks[mid]! >= rank) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Lay out the lookup plans, partial sums, candidate sets and filter copies
   * for the current subtables and order.
   */
  private buildPlan(): void {
    const subs = this.sorted, ns = subs.length;
    // Each subtable's terms off the address words, most shared first.
    const termKey = (w: number, m: number) => w * 4294967296 + (m >>> 0);
    const termsOf = subs.map((st) => {
      const ks: number[] = [];
      for (let j = 0; j < st.n; j++) {
        const w = st.wwm[3 * j]!;
        if (w !== W.NW_SRC && w !== W.NW_DST) ks.push(termKey(w, st.wwm[3 * j + 1]!));
      }
      return ks;
    });
    const uses = new Map<number, number>();
    for (const ks of termsOf) for (const k of ks) uses.set(k, (uses.get(k) ?? 0) + 1);
    const order = (a: number, b: number) => uses.get(b)! - uses.get(a)! || a - b;
    // The tree of partial sums: a child per (parent, next term). Subtables are
    // taken in the order of their term lists, so that the tree (and the code
    // computing it) depends on the set of masks and not on their priorities.
    for (const ks of termsOf) ks.sort(order);
    const byTerms = (a: number, b: number) => {
      const x = termsOf[a]!, y = termsOf[b]!;
      for (let k = 0; k < x.length && k < y.length; k++) {
        const c = order(x[k]!, y[k]!);
        if (c !== 0) return c;
      }
      return x.length - y.length || a - b;
    };
    const sums: number[] = [0, 0, 0, 0];
    const child = new Map<string, number>();
    const nodeOf = new Array<number>(ns);
    for (const i of subs.map((_, i) => i).sort(byTerms)) {
      let node = 0;
      for (const k of termsOf[i]!) {
        const id = `${node}:${k}`;
        let next = child.get(id);
        if (next === undefined) {
          if (sums.length / 4 > MAX_SUMS) {
            node = -1;
            break;
          }
          next = sums.length / 4;
          const w = Math.floor(k / 4294967296);
          sums.push(node, w, k % 4294967296 | 0, wordMul(w));
          child.set(id, next);
        }
        node = next;
      }
      nodeOf[i] = node;
    }
    const nw = Math.max(1, (ns + 31) >> 5);
    // By length first (row 0: no prefix to check), then by byte of the length set.
    const srcLens = new Int32Array(33 * nw), dstLens = new Int32Array(33 * nw);
    let words = 0, filterWords = 0, widest = 1;
    for (const st of subs) {
      words += 3 + 3 * st.n;
      filterWords += st.filter.length;
      widest = Math.max(widest, st.filter.length);
    }
    const nSums = sums.length / 4;
    const sumsAt = ns << PLAN_SHIFT;
    const filtersAt = Math.ceil((sumsAt + nSums) / widest) * widest;
    const plan = new Int32Array(filtersAt + filterWords), wcPlan = new Int32Array(words);
    // Filter copies largest first, so each starts at a multiple of its size.
    const bySize = subs.map((_, i) => i).sort((a, b) =>
      subs[b]!.filter.length - subs[a]!.filter.length || a - b
    );
    let f = filtersAt;
    for (const i of bySize) {
      const st = subs[i]!;
      st.arenaAt = f;
      st.arenaEpoch = st.filterEpoch;
      plan.set(st.filter, f);
      f += st.filter.length;
    }
    const ranks = new Float64Array(ns);
    let p = 0;
    subs.forEach((st, i) => {
      ranks[i] = st.maxRank;
      const at = i << PLAN_SHIFT;
      plan[at] = (st.arenaAt << 5) | st.filterShift;
      plan[at + 2] = nodeOf[i]! < 0 ? -1 : sumsAt + nodeOf[i]!;
      plan[at + 3] = st.mask[W.NW_SRC]!;
      plan[at + 4] = st.mask[W.NW_DST]!;
      const bit = 1 << (i & 31), word = i >> 5;
      srcLens[st.srcLen * nw + word] = srcLens[st.srcLen * nw + word]! | bit;
      dstLens[st.dstLen * nw + word] = dstLens[st.dstLen * nw + word]! | bit;
      wcPlan[p] = st.srcBit;
      wcPlan[p + 1] = st.dstBit;
      wcPlan[p + 2] = st.n;
      wcPlan.set(st.wwm, p + 3);
      p += 3 + 3 * st.n;
    });
    this.plan = plan;
    this.wcPlan = wcPlan;
    this.planRanks = ranks;
    this.sumsCode = sumsFunction(sums, sumsAt);
    this.bySrcLen = byteRows(srcLens, nw);
    this.byDstLen = byteRows(dstLens, nw);
    this.candWords = nw;
    this.planStale = false;
  }

  /**
   * Like {@link lookup}, and ORs into `wc` (a {@link KEY_WORDS}-word mask) every
   * key bit the outcome depended on: any key that agrees with `key` on the bits
   * set in `wc` afterwards gets the same result. `wc` is not cleared first, so
   * lookups in several tables (resubmit) can accumulate into one mask.
   */
  lookupWc(key: FlowKey, wc: Uint32Array): Rule<T> | undefined {
    if (this.planStale) this.buildPlan();
    const subs = this.sorted, plan = this.wcPlan, ranks = this.planRanks;
    const ns = subs.length;
    let best: Subtable<T> | undefined;
    let bestEntry = 0;
    let bestRank = -1;
    const srcBits = this.srcTrie.size > 0 ? this.srcTrie.lookup(key[W.NW_SRC]!) : 0;
    const dstBits = this.dstTrie.size > 0 ? this.dstTrie.lookup(key[W.NW_DST]!) : 0;
    let skipped = 0;
    let i = 0;
    for (let p = 0; i < ns; i++) {
      if (ranks[i]! <= bestRank) break;
      const n = plan[p + 2]!, words = p + 3; // the (word, mask, multiplier) triples
      const next = words + 3 * n;
      // A trie skip depends only on the first srcLen (dstLen) bits of the field.
      if ((plan[p]! & ~srcBits) !== 0) {
        wc[W.NW_SRC] = wc[W.NW_SRC]! | lenMask(subs[i]!.srcLen);
        skipped++;
        p = next;
        continue;
      }
      if ((plan[p + 1]! & ~dstBits) !== 0) {
        wc[W.NW_DST] = wc[W.NW_DST]! | lenMask(subs[i]!.dstLen);
        skipped++;
        p = next;
        continue;
      }
      p = next;
      const st = subs[i]!;
      const ends = st.stageEnds;
      let acc = 0;
      let j = 0;
      let examined = n;
      for (let stage = 0; stage < ends.length; stage++) {
        const end = ends[stage]!;
        for (; j < end; j++) {
          const q = words + 3 * j;
          acc = (acc + Math.imul(key[plan[q]!]! & plan[q + 1]!, plan[q + 2]!)) | 0;
        }
        if (stage < ends.length - 1 && !st.stageHas(stage, finishHash(acc))) {
          examined = end;
          break;
        }
      }
      for (let x = 0; x < examined; x++) {
        const w = plan[words + 3 * x]!;
        wc[w] = wc[w]! | plan[words + 3 * x + 1]!;
      }
      if (examined < n) continue;
      const e = st.findHashed(key, finishHash(acc) | 1);
      if (e !== 0) {
        const r = st.ranks[e]!;
        if (r > bestRank) {
          best = st;
          bestEntry = e;
          bestRank = r;
        }
      }
    }
    const stats = this.stats;
    stats.lookups++;
    stats.subtablesProbed += i - skipped;
    stats.subtablesSkipped += skipped;
    if (best === undefined) return undefined;
    stats.hits++;
    return best.vals[bestEntry];
  }

  /** Add or drop a rule's nw_src/nw_dst prefixes in the tries. */
  private track(st: Subtable<T>, m: Match, add: boolean): void {
    if (st.srcLen > 0) {
      if (add) this.srcTrie.add(m.value[W.NW_SRC] ?? 0, st.srcLen);
      else this.srcTrie.remove(m.value[W.NW_SRC] ?? 0, st.srcLen);
    }
    if (st.dstLen > 0) {
      if (add) this.dstTrie.add(m.value[W.NW_DST] ?? 0, st.dstLen);
      else this.dstTrie.remove(m.value[W.NW_DST] ?? 0, st.dstLen);
    }
  }

  /** Move `st` to its place in the best-first order (it is the only one out of place). */
  private reposition(st: Subtable<T>): void {
    this.planStale = true;
    const a = this.sorted;
    let i = a.indexOf(st);
    while (i > 0 && a[i - 1]!.maxRank < st.maxRank) {
      a[i] = a[i - 1]!;
      i--;
    }
    while (i < a.length - 1 && a[i + 1]!.maxRank > st.maxRank) {
      a[i] = a[i + 1]!;
      i++;
    }
    a[i] = st;
  }
}
