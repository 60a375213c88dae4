import assert from "node:assert/strict";
import fc from "fast-check";
import { Classifier, type Rule } from "./classifier.ts";
import { CachedClassifier } from "./cache.ts";
import { LinearClassifier, type LinearRule } from "./linear.ts";
import { KEY_WORDS, newFlowKey, W } from "./flow_key.ts";
import { matchesKey, newMatch, setMaskedWord } from "./match.ts";
import { parseMatch } from "./syntax.ts";
import { arbKey, arbMatch, arbOps, arbPriority } from "./testing.ts";

function key(fields: Record<number, number>): Uint32Array {
  const k = newFlowKey();
  for (const [w, v] of Object.entries(fields)) k[Number(w)] = v;
  return k;
}

const web = key({
  [W.IN_PORT]: 1,
  [W.DL_TYPE]: 0x800,
  [W.NW_SRC]: 0x0a000001,
  [W.NW_PROTO]: 6,
  [W.TP_DST]: 80,
});

Deno.test("classifier: highest priority wins, whatever the insertion order", () => {
  const c = new Classifier<string>();
  c.insert(parseMatch("ip"), 10, "ip");
  c.insert(parseMatch("tcp,tp_dst=80"), 30, "web");
  c.insert(parseMatch("ip,nw_src=10.0.0.0/8"), 20, "ten");
  assert.equal(c.lookup(web)?.value, "web");
  const k2 = web.slice();
  k2[W.TP_DST] = 81;
  assert.equal(c.lookup(k2)?.value, "ten");
  k2[W.NW_SRC] = 0x0b000001;
  assert.equal(c.lookup(k2)?.value, "ip");
  k2[W.DL_TYPE] = 0x806;
  assert.equal(c.lookup(k2), undefined);
  assert.equal(c.size, 3);
  assert.equal(c.subtableCount, 3);
});

Deno.test("classifier: same match and priority replaces; same match, other priority coexists", () => {
  const c = new Classifier<string>();
  const a = c.insert(parseMatch("tcp"), 5, "a");
  assert.equal(a.replaced, undefined);
  const b = c.insert(parseMatch("tcp"), 5, "b");
  assert.equal(b.replaced, a.rule);
  assert.equal(c.size, 1);
  assert.equal(c.remove(a.rule), false, "a replaced rule is gone");
  c.insert(parseMatch("tcp"), 7, "c");
  c.insert(parseMatch("tcp"), 3, "d");
  assert.equal(c.size, 3);
  assert.equal(c.subtableCount, 1);
  assert.equal(c.lookup(web)?.value, "c");
  assert.equal(c.find(parseMatch("tcp"), 5)?.value, "b");
  assert.equal(c.find(parseMatch("tcp"), 4), undefined);
  assert.equal(c.find(parseMatch("udp"), 5), undefined);
  assert.deepEqual(c.rules().map((r) => r.value), ["c", "b", "d"]);
});

Deno.test("classifier: among overlapping rules of equal priority the earliest added wins", () => {
  const c = new Classifier<string>();
  const first = c.insert(parseMatch("ip,nw_src=10.0.0.0/8"), 50, "first");
  c.insert(parseMatch("tcp"), 50, "second");
  c.insert(parseMatch("in_port=1"), 50, "third");
  assert.equal(c.lookup(web)?.value, "first");
  c.remove(first.rule);
  assert.equal(c.lookup(web)?.value, "second");
  // Re-adding makes it the newest: it no longer wins the tie.
  c.insert(parseMatch("ip,nw_src=10.0.0.0/8"), 50, "again");
  assert.equal(c.lookup(web)?.value, "second");
  // A replacement also counts as newly added.
  c.insert(parseMatch("tcp"), 50, "second'");
  assert.equal(c.lookup(web)?.value, "third");
});

Deno.test("classifier: remove, value updates and rules() order", () => {
  const c = new Classifier<string>();
  const r1 = c.insert(parseMatch("ip"), 1, "low").rule;
  const r2 = c.insert(parseMatch("tcp"), 9, "high").rule;
  const gen = c.generation;
  r2.value = "HIGH";
  assert.equal(c.generation, gen, "changing a value is not a classifier change");
  assert.equal(c.lookup(web)?.value, "HIGH");
  assert.ok(c.remove(r2));
  assert.ok(!c.remove(r2));
  assert.equal(c.lookup(web), r1);
  assert.equal(c.subtableCount, 1, "empty subtables are dropped");
  const other = new Classifier<string>();
  assert.equal(other.remove(r1), false, "a rule of another classifier");
  c.clear();
  assert.equal(c.size, 0);
  assert.equal(c.lookup(web), undefined);
  assert.equal(c.remove(r1), false);
  assert.throws(() => c.insert(newMatch(), 65536, "x"), RangeError);
  assert.throws(() => c.insert(newMatch(), -1, "x"), RangeError);
});

Deno.test("classifier: non-strict selection (covered) and check_overlap (overlaps)", () => {
  const c = new Classifier<string>();
  c.insert(parseMatch("tcp,tp_dst=80"), 10, "a");
  c.insert(parseMatch("tcp,tp_dst=22"), 20, "b");
  c.insert(parseMatch("udp"), 10, "c");
  c.insert(parseMatch("arp"), 10, "d");
  assert.deepEqual(c.covered(parseMatch("tcp")).map((r) => r.value), ["b", "a"]);
  assert.deepEqual(c.covered(parseMatch("ip")).map((r) => r.value), ["b", "a", "c"]);
  assert.deepEqual(c.covered(parseMatch("")).length, 4);
  assert.deepEqual(c.covered(parseMatch("ip"), 10).map((r) => r.value), ["a", "c"]);
  assert.ok(c.overlaps(parseMatch("ip,nw_dst=1.2.3.4"), 10));
  assert.ok(!c.overlaps(parseMatch("ip,nw_dst=1.2.3.4"), 11));
  assert.ok(!c.overlaps(parseMatch("tcp,tp_dst=81"), 10));
  assert.ok(!c.overlaps(parseMatch("tcp,tp_dst=80"), 10), "an identical match would be replaced");
});

Deno.test("classifier: priority sorting stops the search at the first good enough hit", () => {
  const c = new Classifier<number>();
  c.insert(parseMatch("tcp,tp_dst=80"), 1000, 0);
  for (let i = 0; i < 20; i++) {
    const m = newMatch();
    setMaskedWord(m, W.REG0 + (i % 8), i, 0xff << (i >> 3));
    c.insert(m, i, i + 1);
  }
  assert.equal(c.subtableCount, 21);
  c.resetStats();
  assert.equal(c.lookup(web)?.value, 0);
  assert.deepEqual(c.stats, {
    lookups: 1,
    hits: 1,
    subtablesProbed: 1,
    subtablesSkipped: 0,
    inserts: 0,
    removes: 0,
  });
  const miss = web.slice();
  miss[W.TP_DST] = 443;
  c.lookup(miss);
  assert.equal(c.stats.subtablesProbed, 1 + 21, "a miss probes every subtable");
});

Deno.test("prefix tries: subtables whose prefixes cannot match are skipped without hashing", () => {
  const c = new Classifier<string>();
  c.insert(parseMatch("ip,nw_dst=10.1.2.0/24"), 300, "/24");
  c.insert(parseMatch("ip,nw_dst=10.1.0.0/16"), 200, "/16");
  c.insert(parseMatch("ip,nw_src=192.168.0.0/16,nw_dst=10.0.0.0/8"), 150, "src");
  c.insert(parseMatch("ip"), 100, "ip");
  const k = key({ [W.DL_TYPE]: 0x800, [W.NW_SRC]: 0x0a000001, [W.NW_DST]: 0x0a090909 });
  c.resetStats();
  assert.equal(c.lookup(k)?.value, "ip");
  assert.equal(c.stats.subtablesSkipped, 3, "no /24, /16 or source /16 matches");
  assert.equal(c.stats.subtablesProbed, 1);
  const wc = new Uint32Array(KEY_WORDS);
  assert.equal(c.lookupWc(k, wc)?.value, "ip");
  assert.equal(wc[W.NW_DST], 0xffffff00, "the /24 skip needs only the first 24 bits");
  assert.equal(wc[W.NW_SRC], 0xffff0000);
  k[W.NW_DST] = 0x0a010203;
  assert.equal(c.lookup(k)?.value, "/24");
});

Deno.test("lookupWc: staged lookup un-wildcards only the stages it examined", () => {
  const c = new Classifier<string>();
  c.insert(parseMatch("in_port=1,ip,nw_src=10.0.0.0/8,tcp,tp_dst=80"), 10, "a");
  const wc = new Uint32Array(KEY_WORDS);
  const k = web.slice();
  k[W.IN_PORT] = 2;
  assert.equal(c.lookupWc(k, wc), undefined);
  assert.deepEqual([...wc].map((v, i) => v ? i : -1).filter((i) => i >= 0), [W.IN_PORT]);
  wc.fill(0);
  assert.equal(c.lookupWc(web, wc)?.value, "a");
  assert.equal(wc[W.NW_SRC], 0xff000000);
  assert.equal(wc[W.TP_DST], 0xffff);
  assert.equal(wc[W.TP_SRC], 0);
  wc.fill(0);
  const k3 = web.slice();
  k3[W.NW_SRC] = 0x0b000000; // passes stage 0 and L2, fails at L3: L4 stays wildcarded
  assert.equal(c.lookupWc(k3, wc), undefined);
  assert.equal(wc[W.NW_SRC], 0xff000000);
  assert.equal(wc[W.TP_DST], 0);
});

type Handles = { cls: Rule<number>; cached: Rule<number>; lin: LinearRule<number> };

/** Run ops against the tuple-space classifier (plain and cached) and the linear one. */
function runOps(ops: ReturnType<typeof arbOps.generate>["value"], cacheOpts = {}): void {
  const cls = new Classifier<number>();
  const cached = new CachedClassifier<number>(new Classifier<number>(), cacheOpts);
  const lin = new LinearClassifier<number>();
  let live: Handles[] = [];
  ops.forEach((op, id) => {
    if (op.kind === "insert") {
      const a = cls.insert(op.match, op.priority, id);
      const b = cached.insert(op.match, op.priority, id);
      const c = lin.insert(op.match, op.priority, id);
      assert.equal(a.replaced?.value, c.replaced?.value);
      assert.equal(b.replaced?.value, c.replaced?.value);
      if (c.replaced !== undefined) live = live.filter((h) => h.lin !== c.replaced);
      live.push({ cls: a.rule, cached: b.rule, lin: c.rule });
    } else if (op.kind === "remove") {
      if (live.length === 0) return;
      const [h] = live.splice(op.pick % live.length, 1);
      assert.ok(cls.remove(h!.cls) && cached.remove(h!.cached) && lin.remove(h!.lin));
    } else {
      const want = lin.lookup(op.key)?.value;
      assert.equal(cls.lookup(op.key)?.value, want);
      assert.equal(cached.lookup(op.key)?.value, want);
      assert.equal(cached.lookup(op.key)?.value, want, "a repeated lookup (cache hit) agrees");
    }
  });
  assert.equal(cls.size, lin.size);
  assert.deepEqual(
    cls.rules().map((r) => r.value),
    lin.rules().map((r) => r.value),
  );
}

Deno.test("property: tuple space = linear scan (no cache, EMC+megaflow, each cache alone)", () => {
  const ops = arbOps;
  fc.assert(fc.property(ops, (o) => runOps(o)), { seed: 1, numRuns: 300 });
  fc.assert(fc.property(ops, (o) => runOps(o, { emc: false })), { seed: 2, numRuns: 150 });
  fc.assert(fc.property(ops, (o) => runOps(o, { megaflow: false, emcSizeLog2: 2 })), {
    seed: 3,
    numRuns: 150,
  });
  fc.assert(fc.property(ops, (o) => runOps(o, { megaflowMax: 3, emcSizeLog2: 2 })), {
    seed: 4,
    numRuns: 150,
  });
});

Deno.test("property: lookupWc's wildcards are sound (keys agreeing on them get the same rule)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(arbMatch, arbPriority), { maxLength: 40 }),
      arbKey,
      fc.array(arbKey, { minLength: 1, maxLength: 8 }),
      (rules, k, others) => {
        const c = new Classifier<number>();
        rules.forEach(([m, p], i) => c.insert(m, p, i));
        const wc = new Uint32Array(KEY_WORDS);
        const r = c.lookupWc(k, wc);
        assert.equal(r, c.lookup(k));
        for (const o of others) {
          const k2 = new Uint32Array(KEY_WORDS);
          for (let i = 0; i < KEY_WORDS; i++) k2[i] = ((k[i]! & wc[i]!) | (o[i]! & ~wc[i]!)) >>> 0;
          assert.equal(c.lookup(k2), r);
        }
        if (r !== undefined) assert.ok(matchesKey(r.match, k));
      },
    ),
    { seed: 5, numRuns: 400 },
  );
});

Deno.test("classifier: many rules in one subtable survive growth and deletion", () => {
  const c = new Classifier<number>();
  const rules: Array<Rule<number>> = [];
  for (let i = 0; i < 3000; i++) {
    const m = newMatch();
    setMaskedWord(m, W.NW_DST, Math.imul(i, 0x9e3779b1) >>> 0, 0xffffffff);
    setMaskedWord(m, W.DL_TYPE, 0x800, 0xffff);
    rules.push(c.insert(m, i % 7, i).rule);
  }
  for (let i = 0; i < 3000; i += 2) c.remove(rules[i]!);
  for (let i = 0; i < 3000; i++) {
    const k = key({ [W.DL_TYPE]: 0x800, [W.NW_DST]: Math.imul(i, 0x9e3779b1) >>> 0 });
    assert.equal(c.lookup(k)?.value, i % 2 === 0 ? undefined : i);
  }
  assert.equal(c.size, 1500);
});

Deno.test("classifier: lookups between inserts and removes see every change at once", () => {
  // Each lookup lays out the lookup plan (with its copies of the subtables'
  // filters); the next insert or remove must show in it, whether or not the
  // subtable grows.
  const c = new Classifier<number>();
  const keyOf = (i: number) =>
    key({ [W.DL_TYPE]: 0x800, [W.NW_DST]: Math.imul(i, 0x9e3779b1) >>> 0, [W.TP_DST]: i & 3 });
  const rules: Array<Rule<number>> = [];
  for (let i = 0; i < 600; i++) {
    const m = newMatch();
    setMaskedWord(m, W.NW_DST, Math.imul(i, 0x9e3779b1) >>> 0, 0xffffffff);
    setMaskedWord(m, W.DL_TYPE, 0x800, 0xffff);
    if (i % 5 === 0) setMaskedWord(m, W.TP_DST, i & 3, 0xffff); // a second subtable
    rules.push(c.insert(m, 1, i).rule);
    assert.equal(c.lookup(keyOf(i))?.value, i, `rule ${i} just inserted`);
    assert.equal(c.lookup(keyOf(i + 1)), undefined);
  }
  for (let i = 0; i < 600; i += 2) {
    assert.ok(c.remove(rules[i]!));
    assert.equal(c.lookup(keyOf(i)), undefined, `rule ${i} just removed`);
    assert.equal(c.lookup(keyOf(i + 1))?.value, i + 1);
  }
});

Deno.test("classifier: resetStats zeroes every lookup counter", () => {
  const c = new Classifier<string>();
  c.insert(parseMatch("ip,nw_dst=10.1.2.0/24"), 300, "/24");
  c.insert(parseMatch("ip"), 1, "ip");
  c.lookup(key({ [W.DL_TYPE]: 0x800, [W.NW_DST]: 0x0b000000 }));
  assert.equal(c.stats.subtablesSkipped, 1);
  c.resetStats();
  assert.deepEqual(Object.values(c.stats), [0, 0, 0, 0, 0, 0]);
});

/** Rules over many masks: every prefix length on nw_src/nw_dst and many distinct register masks. */
const arbWideRules = fc.array(
  fc.record({
    srcLen: fc.integer({ min: 0, max: 32 }),
    dstLen: fc.integer({ min: 0, max: 32 }),
    src: fc.integer({ min: 0, max: 7 }),
    dst: fc.integer({ min: 0, max: 7 }),
    // A register masked by one of 12 masks: 96 distinct terms, more partial
    // sums than the lookup keeps (those subtables hash their own words).
    reg: fc.option(fc.tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 0, max: 3 }))),
    reg2: fc.option(fc.tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 0, max: 3 }))),
    inPort: fc.option(fc.integer({ min: 1, max: 3 })),
    priority: fc.integer({ min: 0, max: 40 }),
  }),
  { minLength: 40, maxLength: 150 },
);

/** An address whose bits vary where prefixes of all lengths end. */
const addr = (v: number) => (Math.imul(v, 0x9e3779b1) ^ (v << 29)) >>> 0;

/** The match of one of {@link arbWideRules}. */
function wideMatch(r: typeof arbWideRules extends fc.Arbitrary<Array<infer R>> ? R : never) {
  const m = newMatch();
  setMaskedWord(m, W.DL_TYPE, 0x800, 0xffff);
  if (r.srcLen > 0) setMaskedWord(m, W.NW_SRC, addr(r.src), -1 << (32 - r.srcLen));
  if (r.dstLen > 0) setMaskedWord(m, W.NW_DST, addr(r.dst), -1 << (32 - r.dstLen));
  for (const g of [r.reg, r.reg2]) {
    if (g !== null) setMaskedWord(m, W.REG0 + (g[0] % 8), g[1], 0xfff >>> (g[0] >> 3));
  }
  if (r.inPort !== null) setMaskedWord(m, W.IN_PORT, r.inPort, 0xffffffff);
  return m;
}

/** A key for the rules of {@link arbWideRules}, from a random number. */
function wideKey(p: number): Uint32Array {
  const k = newFlowKey();
  k[W.DL_TYPE] = 0x800;
  k[W.NW_SRC] = addr(p & 7) ^ ((p >>> 3) & 0xff);
  k[W.NW_DST] = addr((p >>> 11) & 7) ^ ((p >>> 14) & 0x3ff);
  k[W.IN_PORT] = 1 + ((p >>> 24) & 3);
  for (let g = 0; g < 8; g++) k[W.REG0 + g] = (p >>> (2 * g)) & 3;
  return k;
}

Deno.test("property: many subtables (bitsets over several words, every prefix length, more terms than partial sums) = linear scan", () => {
  fc.assert(
    fc.property(arbWideRules, fc.array(fc.nat(), { minLength: 1, maxLength: 30 }), (rs, picks) => {
      const cls = new Classifier<number>();
      const cached = new CachedClassifier<number>();
      const lin = new LinearClassifier<number>();
      const handles: Array<[Rule<number>, LinearRule<number>, Rule<number>]> = [];
      rs.forEach((r, i) => {
        const m = wideMatch(r);
        handles.push([
          cls.insert(m, r.priority, i).rule,
          lin.insert(m, r.priority, i).rule,
          cached.insert(m, r.priority, i).rule,
        ]);
      });
      const check = () => {
        for (const p of picks) {
          const k = wideKey(p);
          const want = lin.lookup(k)?.value;
          assert.equal(cls.lookup(k)?.value, want);
          assert.equal(cached.lookup(k)?.value, want);
          assert.equal(cached.lookup(k)?.value, want);
        }
      };
      check();
      // Remove every third rule (subtables go, the plan is laid out again).
      for (let i = 0; i < handles.length; i += 3) {
        const [a, b, c] = handles[i]!;
        if (!lin.remove(b)) continue; // replaced by a later rule of equal match and priority
        assert.ok(cls.remove(a) && cached.remove(c));
      }
      check();
      assert.equal(cls.size, lin.size);
    }),
    { seed: 6, numRuns: 150 },
  );
});

Deno.test("property: insertion order and later priority changes (same masks, another order) = linear scan", () => {
  fc.assert(
    fc.property(
      arbWideRules,
      fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 41, max: 90 })), { maxLength: 12 }),
      (rs, picks, raises) => {
        // Two classifiers with the same rules, inserted in opposite orders:
        // their subtables come in other orders and share the partial sums' code.
        const fwd = new Classifier<number>(), rev = new Classifier<number>();
        const lin = new LinearClassifier<number>();
        const matches = rs.map(wideMatch);
        rs.forEach((r, i) => {
          fwd.insert(matches[i]!, r.priority, i);
          lin.insert(matches[i]!, r.priority, i);
        });
        for (let i = rs.length - 1; i >= 0; i--) rev.insert(matches[i]!, rs[i]!.priority, i);
        const check = () => {
          for (const p of picks) {
            const k = wideKey(p);
            const want = lin.lookup(k);
            assert.equal(fwd.lookup(k)?.value, want?.value);
            // Equal priorities go to the earliest added: compare those by priority only.
            assert.equal(rev.lookup(k)?.priority, want?.priority);
          }
        };
        check();
        // Higher priorities for some matches: the same masks in another order.
        for (const [pick, priority] of raises) {
          const i = pick % rs.length;
          fwd.insert(matches[i]!, priority, rs.length + i);
          rev.insert(matches[i]!, priority, rs.length + i);
          lin.insert(matches[i]!, priority, rs.length + i);
        }
        check();
      },
    ),
    { seed: 7, numRuns: 60 },
  );
});
