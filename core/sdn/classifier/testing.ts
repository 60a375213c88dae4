/**
 * Test support, not used by the classifier itself: fast-check generators shared
 * by the classifier tests. Random matches live in a small key space (few words,
 * tiny values, a few priorities) so that rules overlap, tie and get hit often.
 *
 * @module
 */
import fc from "fast-check";
import { type FlowKey, KEY_WORDS, W } from "./flow_key.ts";
import { type Match, newMatch, setMaskedWord } from "./match.ts";

/** Words the random rules and keys use: spread over all four lookup stages. */
export const WORDS: readonly number[] = [
  W.IN_PORT,
  W.METADATA_LO,
  W.REG0,
  W.DL_SRC_LO,
  W.DL_TYPE,
  W.NW_SRC,
  W.NW_DST,
  W.TP_DST,
];

/** Masks a rule may put on a word: wildcard, exact, prefixes and odd bit masks. */
const MASKS = [
  0,
  0,
  0,
  0xffffffff,
  0xffffffff,
  0xfffffffc,
  0xfffffffe,
  0x80000000,
  0xc0000000,
  0xffffff00,
  0x1,
  0x2,
  0x3,
  0x80000001,
];

/** A key word value: small numbers, with high bits now and then (for prefixes). */
const wordValue = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 3 }).map((v) => (v | 0x80000000) >>> 0),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([a, b]) =>
    ((a << 30) | b) >>> 0
  ),
);

/** A random match over {@link WORDS}. */
export const arbMatch: fc.Arbitrary<Match> = fc.array(
  fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...MASKS), wordValue),
  { maxLength: 4 },
).map((fields) => {
  const m = newMatch();
  for (const [w, mask, v] of fields) setMaskedWord(m, w, v, mask);
  return m;
});

/** A random key over {@link WORDS} (other words random too, rules ignore them). */
export const arbKey: fc.Arbitrary<FlowKey> = fc.tuple(
  fc.array(wordValue, { minLength: WORDS.length, maxLength: WORDS.length }),
  fc.nat(),
).map(([vals, noise]) => {
  const k = new Uint32Array(KEY_WORDS);
  k[W.REG5] = noise; // never matched on
  WORDS.forEach((w, i) => (k[w] = vals[i]!));
  return k;
});

/** A priority from a small set, so equal priorities (ties) are common. */
export const arbPriority: fc.Arbitrary<number> = fc.constantFrom(0, 1, 2, 3, 100, 65535);

/** One step of a random workload. */
export type Op =
  | { kind: "insert"; match: Match; priority: number }
  | { kind: "remove"; pick: number }
  | { kind: "lookup"; key: FlowKey };

/** A random interleaving of inserts, removes and lookups. */
export const arbOps: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("insert" as const),
        match: arbMatch,
        priority: arbPriority,
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant("lookup" as const), key: arbKey }) },
  ),
  { minLength: 1, maxLength: 120 },
);
