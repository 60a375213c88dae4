import assert from "node:assert/strict";
import fc from "fast-check";
import { CachedClassifier, ExactMatchCache, MegaflowCache } from "./cache.ts";
import { Classifier } from "./classifier.ts";
import { KEY_WORDS, newFlowKey, W } from "./flow_key.ts";
import { parseMatch } from "./syntax.ts";

function tcpKey(src: number, dport: number, inPort = 1): Uint32Array {
  const k = newFlowKey();
  k[W.IN_PORT] = inPort;
  k[W.DL_TYPE] = 0x800;
  k[W.NW_SRC] = src;
  k[W.NW_DST] = 0x0a000002;
  k[W.NW_PROTO] = 6;
  k[W.TP_SRC] = 40000 + (src & 0xff);
  k[W.TP_DST] = dport;
  return k;
}

Deno.test("cached lookups: first packet takes the slow path, the rest hit the EMC", () => {
  const c = new CachedClassifier<string>();
  c.insert(parseMatch("tcp,tp_dst=80"), 10, "web");
  c.insert(parseMatch("ip"), 1, "ip");
  const k = tcpKey(0x0a000001, 80);
  for (let i = 0; i < 5; i++) assert.equal(c.lookup(k)?.value, "web");
  assert.deepEqual(c.stats, { lookups: 5, emcHits: 4, megaflowHits: 0, slowPath: 1, flushes: 1 });
  assert.equal(c.classifier.stats.lookups, 1);
});

Deno.test("cached lookups: one megaflow covers other microflows that only differ in wildcarded bits", () => {
  const c = new CachedClassifier<string>();
  c.insert(parseMatch("tcp,tp_dst=80"), 10, "web");
  c.insert(parseMatch("ip"), 1, "ip");
  // This rule makes nw_src relevant to the EMC, but lookups that hit "web" never
  // probe its subtable (priority sorting), so their megaflows leave nw_src out.
  c.insert(parseMatch("ip,nw_src=192.168.0.0/16"), 5, "lan");
  c.lookup(tcpKey(0x0a000001, 80));
  // Other sources and source ports: same megaflow (nw_src/tp_src were never examined).
  for (let i = 2; i < 10; i++) {
    assert.equal(c.lookup(tcpKey(0x0a000000 + (i << 16), 80))?.value, "web");
  }
  assert.equal(c.stats.slowPath, 1);
  assert.equal(c.stats.megaflowHits, 8);
  assert.equal(c.megaflows?.size, 1);
  // A different destination port is a different megaflow.
  assert.equal(c.lookup(tcpKey(0x0a000001, 22))?.value, "ip");
  assert.equal(c.stats.slowPath, 2);
  assert.equal(c.lookup(tcpKey(0xc0a80001, 22))?.value, "lan");
  assert.equal(c.stats.slowPath, 3);
  // The EMC ignores bits no rule looks at: a different source MAC is still an EMC hit.
  const k = tcpKey(0x0a000001, 22);
  k[W.DL_SRC_LO] = 0x1234;
  assert.equal(c.lookup(k)?.value, "ip");
  assert.equal(c.stats.emcHits, 1);
});

Deno.test("cached lookups: inserts and removes invalidate the caches", () => {
  const c = new CachedClassifier<string>();
  const k = tcpKey(0x0a000001, 80);
  assert.equal(c.lookup(k), undefined, "misses are cached too");
  assert.equal(c.lookup(k), undefined);
  assert.equal(c.stats.emcHits, 1);
  const r = c.insert(parseMatch("tcp"), 5, "tcp").rule;
  assert.equal(c.lookup(k)?.value, "tcp");
  // Changing the classifier directly (not through the wrapper) is noticed too.
  const r2 = c.classifier.insert(parseMatch("tcp,tp_dst=80"), 6, "web").rule;
  assert.equal(c.lookup(k)?.value, "web");
  c.classifier.remove(r2);
  assert.equal(c.lookup(k)?.value, "tcp");
  c.remove(r);
  assert.equal(c.lookup(k), undefined);
  assert.equal(c.stats.flushes, 5);
  assert.equal(c.stats.slowPath, 5);
});

Deno.test("cached lookups: a value change needs no flush", () => {
  const c = new CachedClassifier<string>();
  const r = c.insert(parseMatch("tcp"), 5, "old").rule;
  const k = tcpKey(1, 1);
  c.lookup(k);
  r.value = "new";
  assert.equal(c.lookup(k)?.value, "new");
  assert.equal(c.stats.flushes, 1);
});

Deno.test("ExactMatchCache: direct-mapped, compares only the relevant bits, O(1) clear", () => {
  const emc = new ExactMatchCache<string>(4);
  assert.equal(emc.capacity, 16);
  const a = tcpKey(1, 80);
  assert.equal(emc.lookup(a), undefined);
  emc.insert(a, "a");
  assert.equal(emc.lookup(a), "a");
  const b = a.slice();
  b[W.REG7] = 1;
  assert.equal(emc.lookup(b), undefined, "all bits are relevant by default");
  const rel = new Uint32Array(KEY_WORDS);
  rel[W.TP_DST] = 0xffff;
  emc.setRelevant(rel);
  assert.equal(emc.lookup(a), undefined, "setRelevant empties the cache");
  emc.insert(a, "a");
  assert.equal(emc.lookup(b), "a");
  emc.clear();
  assert.equal(emc.lookup(a), undefined);
  for (let i = 0; i < 100; i++) emc.insert(tcpKey(1, i), `p${i}`);
  let present = 0;
  for (let i = 0; i < 100; i++) {
    const v = emc.lookup(tcpKey(1, i));
    if (v !== undefined) {
      assert.equal(v, `p${i}`);
      present++;
    }
  }
  assert.ok(present > 0 && present <= 16);
  assert.throws(() => new ExactMatchCache(1), RangeError);
});

Deno.test("MegaflowCache: entries cover their wildcarded keys, replace identical ones, overflow flushes", () => {
  const mf = new MegaflowCache<number>(4);
  const wc = new Uint32Array(KEY_WORDS);
  wc[W.TP_DST] = 0xffff;
  mf.insert(tcpKey(1, 80), wc, 1);
  assert.equal(mf.lookup(tcpKey(99, 80)), 1);
  assert.equal(mf.lookup(tcpKey(99, 81)), undefined);
  mf.insert(tcpKey(2, 80), wc, 2);
  assert.equal(mf.size, 1);
  assert.equal(mf.lookup(tcpKey(1, 80)), 2);
  const wc2 = new Uint32Array(KEY_WORDS);
  wc2[W.IN_PORT] = 0xffffffff;
  mf.insert(tcpKey(1, 81, 7), wc2, 3);
  assert.equal(mf.maskCount, 2);
  assert.equal(mf.lookup(tcpKey(5, 9, 7)), 3);
  for (let p = 100; p < 103; p++) mf.insert(tcpKey(1, p), wc, p);
  assert.equal(mf.stats.overflows, 1);
  assert.equal(mf.lookup(tcpKey(5, 9, 7)), undefined, "flushed on overflow");
  assert.equal(mf.lookup(tcpKey(1, 102)), 102);
  // Ranking by hits keeps answers unchanged.
  mf.insert(tcpKey(1, 81, 8), wc2, 8);
  for (let i = 0; i < 5000; i++) mf.lookup(tcpKey(1, 81, 8 + (i % 2)));
  assert.equal(mf.lookup(tcpKey(1, 102)), 102);
  assert.equal(mf.lookup(tcpKey(1, 81, 8)), 8);
  mf.clear();
  assert.equal(mf.size, 0);
});

Deno.test("CachedClassifier over an existing classifier, caches off", () => {
  const cls = new Classifier<string>();
  cls.insert(parseMatch("ip"), 1, "ip");
  const c = new CachedClassifier(cls, { emc: false, megaflow: false });
  assert.equal(c.emc, undefined);
  assert.equal(c.megaflows, undefined);
  assert.equal(c.lookup(tcpKey(1, 1))?.value, "ip");
  assert.equal(c.lookup(tcpKey(1, 1))?.value, "ip");
  assert.equal(c.stats.slowPath, 2);
});

Deno.test("property: ExactMatchCache answers as a map from keys under the relevant mask (0 to 26 words)", () => {
  const arbMask = fc.array(fc.constantFrom(0, 0, 0xffffffff, 0xff00, 0x80000001, 1), {
    minLength: KEY_WORDS,
    maxLength: KEY_WORDS,
  });
  const arbKeyWords = fc.array(fc.integer({ min: 0, max: 3 }), {
    minLength: KEY_WORDS,
    maxLength: KEY_WORDS,
  }).map((ws) => Uint32Array.from(ws, (v) => (v & 1 ? v | 0x80000000 : v << 8) >>> 0));
  fc.assert(
    fc.property(arbMask, fc.array(arbKeyWords, { minLength: 1, maxLength: 40 }), (mask, keys) => {
      // Two caches with the same mask share the generated lookup, not their records.
      const emc = new ExactMatchCache<number>(4), other = new ExactMatchCache<number>(4);
      const rel = Uint32Array.from(mask);
      emc.setRelevant(rel);
      other.setRelevant(rel);
      const masked = (k: Uint32Array) => Array.from(k, (v, w) => (v & rel[w]!) >>> 0).join();
      const model = new Map<string, number>();
      keys.forEach((k, i) => {
        emc.insert(k, i);
        model.set(masked(k), i);
        assert.equal(emc.lookup(k), i, "a key is found right after its insert");
        assert.equal(other.lookup(k), undefined);
        for (const q of keys) {
          const v = emc.lookup(q);
          // Evicted entries miss; present ones carry the latest value of their masked key.
          if (v !== undefined) assert.equal(v, model.get(masked(q)));
        }
      });
    }),
    { seed: 8, numRuns: 200 },
  );
});
