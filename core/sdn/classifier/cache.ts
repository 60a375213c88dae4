/**
 * Lookup caches in front of a classifier, modelled on the Open vSwitch datapath
 * (NSDI 2015, "The Design and Implementation of Open vSwitch"):
 *
 * - {@link ExactMatchCache} (the EMC): a table from a whole flow key to a result,
 *   each key having two possible slots, as in Open vSwitch. Keys are compared
 *   only on the bits some rule looks at (the classifier's union mask), since the
 *   others cannot change any result.
 * - {@link MegaflowCache}: results keyed by a key and the wildcard mask the slow
 *   path reported (`Classifier.lookupWc`): one entry covers every key that agrees
 *   on the un-wildcarded bits. It is itself a tuple-space table (one hash per
 *   distinct mask), probed most-hit mask first, without priorities: entries made
 *   from one classifier generation never disagree where they overlap.
 * - {@link CachedClassifier}: EMC, then megaflows, then the classifier (the "slow
 *   path" or upcall), installing what the slow path found in both caches.
 *
 * Invalidation is by generation: every insert or remove bumps the classifier's
 * generation, and the next cached lookup flushes both caches (O(1) for the EMC
 * unless the union mask changed, O(masks) for the megaflows) before it goes on.
 * This is the revalidators' job in Open vSwitch, done here exactly and eagerly
 * rather than by re-checking each megaflow. Both caches are standalone so a
 * switch model can cache whole pipeline results (several tables, actions) the
 * same way.
 *
 * The EMC's lookup is straight-line code generated (with `new Function`, from
 * numbers only) for the relevant mask's words, kept per mask.
 *
 * Costs: an EMC hit hashes and compares the union-mask words (usually a few); a
 * megaflow hit probes O(megaflow masks) tables; a miss costs a classifier lookup
 * plus two insertions. When both EMC slots of a key are taken, the home slot's
 * entry is evicted. Left out: the EMC's probabilistic insertion, per-flow
 * statistics and idle expiry of megaflows (the megaflow cache is flushed whole
 * when it reaches its size bound), and the SMC (signature match cache).
 *
 * @module
 */
import { type FlowKey, KEY_WORDS } from "./flow_key.ts";
import { Classifier, type InsertResult, type Rule } from "./classifier.ts";
import type { Match } from "./match.ts";
import { FINISH_MUL, finishHash, MaskMap, MaskTable, sameMask, wordTriples } from "./table.ts";

/**
 * The exact-match cache's lookup for one relevant mask: the value of the slot
 * holding `key` (records `1 << log2Stride` words each, see
 * {@link ExactMatchCache}), or undefined.
 */
type EmcProbe = <V>(
  key: FlowKey,
  recs: Int32Array,
  vals: Array<V | undefined>,
  salt: number,
  shift: number,
) => V | undefined;

/** Compiled {@link EmcProbe}s by source text, shared by all caches. */
const probeCache = new Map<string, EmcProbe>();

/**
 * Straight-line code probing the exact-match cache for the relevant words
 * `wwm` (`[word, mask, multiplier]` triples): each word masked once for both
 * the hash and the comparison, the key's two slots tried by their tags, and
 * the stored words compared with one test of all their XORs. The word
 * indexes, masks and multipliers are constants in the code, so the JIT loads
 * none of them. Only numbers this module computed enter the source.
 */
function emcProbe(wwm: Int32Array, log2Stride: number): EmcProbe {
  const n = wwm.length / 3, xs: string[] = [], terms: string[] = [], diffs: string[] = [];
  for (let j = 0; j < n; j++) {
    xs.push(`const x${j} = key[${wwm[3 * j]}] & ${wwm[3 * j + 1]};`);
    terms.push(`Math.imul(x${j}, ${wwm[3 * j + 2]})`);
    diffs.push(`(recs[base | ${j + 1}] ^ x${j})`);
  }
  const src = `"use strict";
${xs.join("\n")}
const acc = (${terms.length > 0 ? terms.join(" + ") : "0"}) | 0;
const h = Math.imul(acc ^ (acc >>> 16), ${FINISH_MUL}), tag = h ^ salt;
let slot = h >>> shift;
let base = slot << ${log2Stride};
if (recs[base] !== tag) {
  slot ^= 1;
  base = slot << ${log2Stride};
  if (recs[base] !== tag) return undefined;
}
return (${diffs.length > 0 ? diffs.join(" | ") : "0"}) === 0 ? vals[slot] : undefined;`;
  let probe = probeCache.get(src);
  if (probe === undefined) {
    probe = new Function("key", "recs", "vals", "salt", "shift", src) as EmcProbe;
    if (probeCache.size >= 64) probeCache.clear();
    probeCache.set(src, probe);
  }
  return probe;
}

/**
 * A two-way set-associative exact-match cache from flow keys to values `V`
 * (which must not include `undefined`, the "not cached" answer). Keys are
 * compared on the bits of the relevant mask set with
 * {@link ExactMatchCache.setRelevant} (all bits by default).
 */
export class ExactMatchCache<V> {
  private wwm: Int32Array = new Int32Array(0);
  private n = 0;
  /** Words per record: the power of two above the relevant words (a tag and the words). */
  private stride = 1;
  /** The probe generated for the relevant mask (see {@link emcProbe}). */
  private probe: EmcProbe = () => undefined;
  private readonly shift: number;
  private readonly entries: number;
  /**
   * Records `[tag, k0 … k(n−1)]`, one per slot (padded with zeros to the
   * stride, so a record's words are at `slot · stride | k`), where the tag is
   * the key's hash xor the current epoch's salt: a record of an older epoch
   * (or an empty one) cannot show the right tag for the key it holds, so one
   * compare checks both.
   */
  private recs: Int32Array = new Int32Array(0);
  /** The epoch each slot was written in (for choosing where to insert). */
  private epochs: Int32Array;
  private vals: Array<V | undefined>;
  private epoch = 1;
  private salt = 0;
  private relevant = new Uint32Array(KEY_WORDS).fill(1); // no real mask: forces the first layout

  /** A cache of 2^sizeLog2 entries (default 8192, as Open vSwitch's EMC). */
  constructor(sizeLog2 = 13) {
    if (!Number.isInteger(sizeLog2) || sizeLog2 < 2 || sizeLog2 > 24) {
      throw new RangeError(`EMC size 2^${sizeLog2}`);
    }
    this.entries = 2 ** sizeLog2;
    this.shift = 32 - sizeLog2;
    this.epochs = new Int32Array(this.entries);
    this.vals = new Array<V | undefined>(this.entries).fill(undefined);
    this.setRelevant(new Uint32Array(KEY_WORDS).fill(0xffffffff));
  }

  /** Number of entries the cache can hold. */
  get capacity(): number {
    return this.entries;
  }

  /**
   * Compare keys only on the bits of `mask` from now on; empties the cache (in
   * O(1) when the mask is the one already in use, else O(capacity)).
   */
  setRelevant(mask: Uint32Array): void {
    if (sameMask(mask, this.relevant)) {
      this.clear();
      return;
    }
    this.relevant = mask.slice();
    this.wwm = wordTriples(mask);
    this.n = this.wwm.length / 3;
    const log2Stride = 32 - Math.clz32(this.n); // 2^log2Stride > n
    this.stride = 1 << log2Stride;
    this.probe = emcProbe(this.wwm, log2Stride);
    const need = this.entries * this.stride;
    if (this.recs.length < need) this.recs = new Int32Array(need);
    this.wipe(); // old records used another layout
  }

  /**
   * Forget every entry, in O(1): a new epoch changes the salt every tag is
   * compared with. (Old values stay referenced until their slot is reused.)
   */
  clear(): void {
    if (this.epoch >= 0x7fffffff) this.wipe();
    else this.epoch++;
    this.salt = Math.imul(this.epoch, 0x9e3779b1);
  }

  /** Zero every record and restart the epochs (O(capacity)). */
  private wipe(): void {
    this.recs.fill(0);
    this.epochs.fill(0);
    this.vals.fill(undefined);
    this.epoch = 1;
    this.salt = Math.imul(this.epoch, 0x9e3779b1);
  }

  /** The cached value for `key`, or undefined. */
  lookup(key: FlowKey): V | undefined {
    return this.probe(key, this.recs, this.vals, this.salt, this.shift);
  }

  /**
   * Cache `value` for `key` in its home slot or the neighbour, whichever is free
   * (or already holds the key); when both are taken, evict the home slot's entry.
   */
  insert(key: FlowKey, value: V): void {
    const wwm = this.wwm, n = this.n, recs = this.recs, stride = this.stride;
    let acc = 0;
    for (let j = 0; j < n; j++) {
      acc = (acc + Math.imul(key[wwm[3 * j]!]! & wwm[3 * j + 1]!, wwm[3 * j + 2]!)) | 0;
    }
    const h = finishHash(acc), tag = h ^ this.salt;
    const home = h >>> this.shift, alt = home ^ 1, epoch = this.epoch;
    let i = home;
    if (this.epochs[home] === epoch) {
      if (this.epochs[alt] !== epoch) i = alt;
      else if (recs[alt * stride] === tag) {
        let j = 0;
        while (j < n && recs[alt * stride + 1 + j] === (key[wwm[3 * j]!]! & wwm[3 * j + 1]!)) j++;
        if (j === n) i = alt;
      }
    }
    const base = i * stride;
    recs[base] = tag;
    for (let j = 0; j < n; j++) recs[base + 1 + j] = key[wwm[3 * j]!]! & wwm[3 * j + 1]!;
    this.epochs[i] = epoch;
    this.vals[i] = value;
  }
}

class MegaflowTable<V> extends MaskTable<V> {
  hits = 0;
  constructor(mask: Uint32Array) {
    super(mask, false);
  }
}

/** Counters of a {@link MegaflowCache}. */
export interface MegaflowStats {
  /** Lookups performed. */
  lookups: number;
  /** Lookups answered from the cache. */
  hits: number;
  /** Mask tables probed over all lookups. */
  tablesProbed: number;
  /** Times the cache was emptied because it was full. */
  overflows: number;
}

/**
 * Megaflows: values `V` (not including `undefined`) for key/wildcard-mask pairs.
 * Entries must not disagree where they overlap (true of results of one
 * classifier generation); the first table with a hit answers.
 */
export class MegaflowCache<V> {
  private tables: Array<MegaflowTable<V>> = [];
  private byMask = new MaskMap<MegaflowTable<V>>();
  private count = 0;
  private sinceRank = 0;
  /** Counters; see {@link MegaflowStats}. */
  readonly stats: MegaflowStats = { lookups: 0, hits: 0, tablesProbed: 0, overflows: 0 };

  /** A cache holding at most `maxEntries` megaflows (default 65536). */
  constructor(readonly maxEntries = 65536) {}

  /** Number of megaflows. */
  get size(): number {
    return this.count;
  }

  /** Number of distinct megaflow masks. */
  get maskCount(): number {
    return this.tables.length;
  }

  /** Forget every megaflow. */
  clear(): void {
    this.tables = [];
    this.byMask.clear();
    this.count = 0;
  }

  /** The value of a megaflow covering `key`, or undefined. */
  lookup(key: FlowKey): V | undefined {
    const tables = this.tables;
    const nt = tables.length;
    const stats = this.stats;
    stats.lookups++;
    if (++this.sinceRank >= 4096) this.rank();
    for (let t = 0; t < nt; t++) {
      const tb = tables[t]!;
      const id = tb.find(key);
      if (id !== 0) {
        tb.hits++;
        stats.hits++;
        stats.tablesProbed += t + 1;
        return tb.vals[id];
      }
    }
    stats.tablesProbed += nt;
    return undefined;
  }

  /**
   * Install a megaflow: every key agreeing with `key` on the bits of `wc` maps
   * to `value`. Replaces an identical megaflow. Empties the cache first when it
   * is full.
   */
  insert(key: FlowKey, wc: Uint32Array, value: V): void {
    if (this.count >= this.maxEntries) {
      this.clear();
      this.stats.overflows++;
    }
    let tb = this.byMask.get(wc);
    if (tb === undefined) {
      tb = new MegaflowTable<V>(wc);
      this.byMask.add(tb);
      this.tables.push(tb);
    }
    const e = tb.find(key);
    if (e !== 0) {
      tb.vals[e] = value;
      return;
    }
    tb.add(key, value);
    this.count++;
  }

  /** Re-order tables by hits, most first (stable, so deterministic), and age the counts. */
  private rank(): void {
    this.sinceRank = 0;
    this.tables.sort((a, b) => b.hits - a.hits);
    for (const t of this.tables) t.hits >>>= 1;
  }
}

/** Counters of a {@link CachedClassifier}. */
export interface CacheStats {
  /** Lookups performed. */
  lookups: number;
  /** Lookups answered by the exact-match cache. */
  emcHits: number;
  /** Lookups answered by the megaflow cache. */
  megaflowHits: number;
  /** Lookups that went to the classifier (the slow path). */
  slowPath: number;
  /** Times the caches were flushed because the rules changed. */
  flushes: number;
}

/** Options for {@link CachedClassifier}. */
export interface CacheOptions {
  /** Use the exact-match cache (default true). */
  emc?: boolean;
  /** log2 of the exact-match cache size (default 13). */
  emcSizeLog2?: number;
  /** Use the megaflow cache (default true). */
  megaflow?: boolean;
  /** Megaflow cache size bound (default 65536). */
  megaflowMax?: number;
}

/**
 * A classifier with the datapath caches in front. Modify rules through this
 * object or directly on {@link CachedClassifier.classifier}; either way the
 * caches notice the new generation. Results are identical to the classifier's.
 */
export class CachedClassifier<T> {
  /** The classifier (the slow path). */
  readonly classifier: Classifier<T>;
  /** The exact-match cache, or undefined when disabled. */
  readonly emc: ExactMatchCache<Rule<T> | null> | undefined;
  /** The megaflow cache, or undefined when disabled. */
  readonly megaflows: MegaflowCache<Rule<T> | null> | undefined;
  private emcHitCount = 0;
  private megaflowHitCount = 0;
  private slowPathCount = 0;
  private flushCount = 0;
  private gen = -1;
  private readonly wc = new Uint32Array(KEY_WORDS);

  /** Caches in front of `classifier` (a new empty one by default). */
  constructor(classifier: Classifier<T> = new Classifier<T>(), opts: CacheOptions = {}) {
    this.classifier = classifier;
    this.emc = opts.emc === false ? undefined : new ExactMatchCache(opts.emcSizeLog2 ?? 13);
    this.megaflows = opts.megaflow === false ? undefined : new MegaflowCache(opts.megaflowMax);
  }

  /** Add a rule (see `Classifier.insert`). */
  insert(match: Match, priority: number, value: T): InsertResult<T> {
    return this.classifier.insert(match, priority, value);
  }

  /** Remove a rule (see `Classifier.remove`). */
  remove(rule: Rule<T>): boolean {
    return this.classifier.remove(rule);
  }

  /** Counters (a snapshot); see {@link CacheStats}. */
  get stats(): CacheStats {
    const emcHits = this.emcHitCount, megaflowHits = this.megaflowHitCount;
    const slowPath = this.slowPathCount;
    return {
      lookups: emcHits + megaflowHits + slowPath,
      emcHits,
      megaflowHits,
      slowPath,
      flushes: this.flushCount,
    };
  }

  /** Zero the counters. */
  resetStats(): void {
    this.emcHitCount =
      this.megaflowHitCount =
      this.slowPathCount =
      this.flushCount =
        0;
  }

  /** Drop every cached result now (the next lookup would do it anyway after a change). */
  flush(): void {
    this.gen = this.classifier.generation;
    this.flushCount++;
    this.emc?.setRelevant(this.classifier.unionMask());
    this.megaflows?.clear();
  }

  /** The best rule matching `key`, or undefined, through the caches. */
  lookup(key: FlowKey): Rule<T> | undefined {
    if (this.classifier.generation !== this.gen) this.flush();
    const emc = this.emc;
    if (emc !== undefined) {
      const r = emc.lookup(key);
      if (r !== undefined) {
        this.emcHitCount++;
        return r ?? undefined;
      }
    }
    const mf = this.megaflows;
    if (mf !== undefined) {
      const r = mf.lookup(key);
      if (r !== undefined) {
        this.megaflowHitCount++;
        emc?.insert(key, r);
        return r ?? undefined;
      }
    }
    this.slowPathCount++;
    const wc = this.wc;
    wc.fill(0);
    const rule = this.classifier.lookupWc(key, wc) ?? null;
    mf?.insert(key, wc, rule);
    emc?.insert(key, rule);
    return rule ?? undefined;
  }
}
