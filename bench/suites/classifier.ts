/**
 * Benchmarks of the flow classifier: lookups without caches (tuple-space search
 * with priority sorting and prefix tracking), lookups answered by the
 * exact-match cache, the linear scan as the peer, and the rule-insert rate; for
 * 1k and 10k rules over 10, 50 and 200 distinct masks.
 *
 * Rule sets are ACL-like and seeded: each mask is a template over dl_type=ip,
 * in_port (exact or not), nw_src and nw_dst prefix lengths, nw_proto and exact
 * tp_src/tp_dst; values come from a few address pools and common ports, so rules
 * overlap. Two priority models:
 * - "specific first" (the main cases): a rule's priority is 500 × (half the
 *   number of bits its mask matches) plus a random 0..499, so more specific
 *   rules win, as in longest-prefix routing or OVN-style ACL stages; masks of
 *   equal specificity share a priority band. A lookup must rule out every more
 *   specific subtable; prefix tracking skips most of them.
 * - "random": priorities uniform over 0..65535 and unrelated to the mask. A
 *   packet usually matches some broad rule of high priority early, after which
 *   priority sorting stops the search.
 * The packet stream is derived from the rules (a random rule's masked values, the
 * other fields random) plus one packet in five of unrelated traffic; almost every
 * packet matches some rule. The EMC case cycles over 1024 flows (they fit the
 * 8192-entry cache; about 2% of lookups still fall to the megaflow cache where
 * three flows share a slot pair).
 *
 * The slow-path case is `Classifier.lookupWc` (the lookup that also reports
 * the key bits its outcome depended on, which a switch's megaflow cache needs)
 * on the same stream as the uncached case.
 *
 * The linear peer keeps its rules in precedence order and stops at the first
 * match; set-up checks that it agrees with the tuple space. Left out:
 * megaflow-only hits.
 *
 * @module
 */
import { Classifier } from "../../core/sdn/classifier/classifier.ts";
import { CachedClassifier } from "../../core/sdn/classifier/cache.ts";
import { LinearClassifier } from "../../core/sdn/classifier/linear.ts";
import { type FlowKey, KEY_WORDS, W } from "../../core/sdn/classifier/flow_key.ts";
import { type Match, newMatch, setMaskedWord } from "../../core/sdn/classifier/match.ts";
import { type BenchCase, type BenchSuite, lazy } from "../harness.ts";

/** A small seeded PRNG (mulberry32): deterministic rule sets and packet streams. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Template {
  inPort: boolean;
  srcLen: number;
  dstLen: number;
  proto: boolean;
  tpSrc: boolean;
  tpDst: boolean;
}

/** A generated rule set: matches with priorities, and the packet streams. */
export interface Workload {
  rules: Array<{ match: Match; priority: number }>;
  /** Packets for uncached and linear lookups (many distinct flows). */
  stream: FlowKey[];
  /** A smaller set of flows that fits the exact-match cache. */
  hotStream: FlowKey[];
}

const PREFIX_LENS = [0, 8, 12, 16, 20, 24, 28, 32];
const PORTS = [22, 25, 53, 80, 123, 179, 443, 993, 3306, 5432, 6379, 8080, 8443, 9090];

function templateId(t: Template): string {
  return `${+t.inPort}${t.srcLen}/${t.dstLen}${+t.proto}${+t.tpSrc}${+t.tpDst}`;
}

/** How rule priorities relate to masks; see the module documentation. */
export type PriorityModel = "specific-first" | "random";

/** Build a workload of `nRules` rules over exactly `nMasks` masks. */
export function makeWorkload(
  nRules: number,
  nMasks: number,
  seed: number,
  priorities: PriorityModel = "specific-first",
): Workload {
  const rnd = prng(seed);
  const pick = <X>(a: readonly X[]): X => a[Math.floor(rnd() * a.length)]!;
  const templates: Template[] = [];
  const seen = new Set<string>();
  while (templates.length < nMasks) {
    const proto = rnd() < 0.75;
    const t: Template = {
      inPort: rnd() < 0.4,
      srcLen: rnd() < 0.7 ? pick(PREFIX_LENS) : Math.floor(rnd() * 33),
      dstLen: rnd() < 0.7 ? pick(PREFIX_LENS) : Math.floor(rnd() * 33),
      proto,
      tpSrc: proto && rnd() < 0.2,
      tpDst: proto && rnd() < 0.7,
    };
    const id = templateId(t);
    if (seen.has(id)) continue;
    seen.add(id);
    templates.push(t);
  }
  // Address pools: a few /16 sites, each with a few /24 subnets.
  const nets: number[] = [];
  for (let i = 0; i < 64; i++) {
    nets.push(((10 << 24) | (Math.floor(rnd() * 16) << 16) | (Math.floor(rnd() * 32) << 8)) >>> 0);
  }
  const addr = () => (pick(nets) | Math.floor(rnd() * 256)) >>> 0;
  const port = () => rnd() < 0.8 ? pick(PORTS) : 1024 + Math.floor(rnd() * 60000);
  const proto = () => rnd() < 0.7 ? 6 : 17;
  const pfx = (len: number) => len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;

  const rules: Array<{ match: Match; priority: number }> = [];
  for (let i = 0; i < nRules; i++) {
    const t = i < nMasks ? templates[i]! : pick(templates);
    const m = newMatch();
    setMaskedWord(m, W.DL_TYPE, 0x0800, 0xffff);
    if (t.inPort) setMaskedWord(m, W.IN_PORT, 1 + Math.floor(rnd() * 48), 0xffffffff);
    if (t.srcLen > 0) setMaskedWord(m, W.NW_SRC, addr(), pfx(t.srcLen));
    if (t.dstLen > 0) setMaskedWord(m, W.NW_DST, addr(), pfx(t.dstLen));
    if (t.proto) setMaskedWord(m, W.NW_PROTO, proto(), 0xff);
    if (t.tpSrc) setMaskedWord(m, W.TP_SRC, port(), 0xffff);
    if (t.tpDst) setMaskedWord(m, W.TP_DST, port(), 0xffff);
    const bits = (t.inPort ? 32 : 0) + 16 + t.srcLen + t.dstLen + (t.proto ? 8 : 0) +
      (t.tpSrc ? 16 : 0) + (t.tpDst ? 16 : 0);
    const priority = priorities === "random"
      ? Math.floor(rnd() * 65536)
      : Math.min(65535, Math.floor(bits / 2) * 500 + Math.floor(rnd() * 500));
    rules.push({ match: m, priority });
  }
  const packet = (): FlowKey => {
    const k = new Uint32Array(KEY_WORDS);
    k[W.IN_PORT] = 1 + Math.floor(rnd() * 48);
    k[W.DL_SRC_HI] = 0x0200;
    k[W.DL_SRC_LO] = Math.floor(rnd() * 4294967296);
    k[W.DL_DST_HI] = 0x0200;
    k[W.DL_DST_LO] = Math.floor(rnd() * 4294967296);
    k[W.DL_TYPE] = 0x0800;
    k[W.NW_SRC] = addr();
    k[W.NW_DST] = addr();
    k[W.NW_PROTO] = proto();
    k[W.TP_SRC] = 1024 + Math.floor(rnd() * 60000);
    k[W.TP_DST] = port();
    if (rnd() < 0.8) {
      const r = pick(rules).match;
      for (let w = 0; w < KEY_WORDS; w++) {
        k[w] = ((k[w]! & ~r.mask[w]!) | r.value[w]!) >>> 0;
      }
    }
    return k;
  };
  const stream = Array.from({ length: 4096 }, packet);
  const hotStream = Array.from({ length: 1024 }, packet);
  return { rules, stream, hotStream };
}

function casesFor(nRules: number, nMasks: number): BenchCase[] {
  const seed = 0xc1a55 + nRules * 7 + nMasks;
  const w = makeWorkload(nRules, nMasks, seed);
  const wr = makeWorkload(nRules, nMasks, seed, "random");
  const cls = new Classifier<number>();
  const clsRandom = new Classifier<number>();
  const lin = new LinearClassifier<number>();
  const cached = new CachedClassifier<number>();
  w.rules.forEach((r, i) => {
    cls.insert(r.match, r.priority, i);
    lin.insert(r.match, r.priority, i);
    cached.insert(r.match, r.priority, i);
  });
  wr.rules.forEach((r, i) => clsRandom.insert(r.match, r.priority, i));
  for (const k of w.hotStream) cached.lookup(k); // warm the caches
  const stream = w.stream, hot = w.hotStream, streamR = wr.stream;
  const linKeys = w.stream.slice(0, nRules >= 10000 ? 32 : 256);
  // The tuple space must agree with the linear peer (checked once, at set-up).
  for (const k of linKeys) {
    if (cls.lookup(k)?.value !== lin.lookup(k)?.value) throw new Error("classifier disagrees");
  }
  // Inserts: a chunk of rules per call into a classifier that is rebuilt from
  // empty once it holds them all, so the rate covers every size up to nRules.
  const chunk = 500;
  const wc = new Uint32Array(KEY_WORDS);
  let building = new Classifier<number>();
  let next = 0;
  return [
    {
      name: "lookup, uncached (specific first)",
      peer: false,
      ops: stream.length,
      fn: () => {
        let found = 0;
        for (let i = 0; i < stream.length; i++) if (cls.lookup(stream[i]!) !== undefined) found++;
        return found;
      },
    },
    {
      name: "lookup, uncached (random priorities)",
      peer: false,
      ops: streamR.length,
      fn: () => {
        let found = 0;
        for (let i = 0; i < streamR.length; i++) {
          if (clsRandom.lookup(streamR[i]!) !== undefined) found++;
        }
        return found;
      },
    },
    {
      name: "lookup, EMC hits",
      peer: false,
      ops: hot.length * 16,
      fn: () => {
        let found = 0;
        for (let r = 0; r < 16; r++) {
          for (let i = 0; i < hot.length; i++) if (cached.lookup(hot[i]!) !== undefined) found++;
        }
        return found;
      },
    },
    {
      name: "lookup, linear scan (specific first)",
      peer: true,
      ops: linKeys.length,
      fn: () => {
        let found = 0;
        for (let i = 0; i < linKeys.length; i++) if (lin.lookup(linKeys[i]!) !== undefined) found++;
        return found;
      },
    },
    {
      name: "insert",
      peer: false,
      ops: chunk,
      fn: () => {
        for (let i = 0; i < chunk; i++) {
          if (next === w.rules.length) {
            building = new Classifier<number>();
            next = 0;
          }
          const r = w.rules[next]!;
          building.insert(r.match, r.priority, next++);
        }
        return building.size;
      },
    },
    {
      name: "lookup with wildcard tracking (the switch's slow path)",
      peer: false,
      ops: stream.length,
      fn: () => {
        let found = 0;
        for (let i = 0; i < stream.length; i++) {
          wc.fill(0);
          if (cls.lookupWc(stream[i]!, wc) !== undefined) found++;
        }
        return found;
      },
    },
  ];
}

function suiteFor(nRules: number, nMasks: number): BenchSuite {
  const cases = lazy(() => casesFor(nRules, nMasks));
  return {
    suite: `classifier ${nRules / 1000}k rules, ${nMasks} masks`,
    about: `flow classification over ${nRules} ACL-like rules with ${nMasks} distinct masks ` +
      `(tuple space; EMC; linear peer; inserts)`,
    get cases() {
      return cases();
    },
  };
}

/** The classifier suites: 1k and 10k rules with 10, 50 and 200 masks. */
export function suites(): BenchSuite[] {
  const out: BenchSuite[] = [];
  for (const n of [1000, 10000]) {
    for (const m of [10, 50, 200]) out.push(suiteFor(n, m));
  }
  return out;
}
