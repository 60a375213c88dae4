/**
 * A reference classifier: a list of rules kept in precedence order (priority
 * descending, then insertion order) and scanned until the first match. It has
 * the same semantics as `Classifier` (highest priority wins; among equal
 * priorities the rule added earliest; an equal match and priority replaces) and
 * exists to check it, and as the baseline in benchmarks.
 *
 * Costs: lookup O(R · 26) worst case for R rules (a miss scans every rule), less
 * when a high-priority rule matches; insert and remove O(R). Left out: wildcard
 * tracking and everything else not needed to state the semantics.
 *
 * @module
 */
import { type FlowKey, KEY_WORDS } from "./flow_key.ts";
import { copyMatch, type Match, matchEquals } from "./match.ts";

/** A rule in a {@link LinearClassifier}. */
export interface LinearRule<T> {
  /** Priority, 0..65535; higher wins. */
  readonly priority: number;
  /** The match (a private copy). */
  readonly match: Match;
  /** Insertion sequence number; lower wins among equal priorities. */
  readonly seq: number;
  /** The payload. */
  value: T;
}

/** A classifier that scans its rules in precedence order. */
export class LinearClassifier<T> {
  private list: Array<LinearRule<T>> = [];
  private nextSeq = 0;

  /** Number of rules. */
  get size(): number {
    return this.list.length;
  }

  /**
   * Add a rule, replacing one with an equal match and priority; returns the new
   * rule and the replaced one.
   */
  insert(
    match: Match,
    priority: number,
    value: T,
  ): { rule: LinearRule<T>; replaced: LinearRule<T> | undefined } {
    const m = copyMatch(match);
    for (let i = 0; i < KEY_WORDS; i++) m.value[i] = (m.value[i] ?? 0) & (m.mask[i] ?? 0);
    const rule: LinearRule<T> = { priority, match: m, seq: this.nextSeq++, value };
    const i = this.list.findIndex((r) => r.priority === priority && matchEquals(r.match, m));
    let replaced: LinearRule<T> | undefined;
    if (i >= 0) {
      replaced = this.list[i];
      this.list.splice(i, 1);
    }
    // After every rule of higher or equal priority (they were all added earlier).
    let lo = 0, hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid]!.priority >= priority) lo = mid + 1;
      else hi = mid;
    }
    this.list.splice(lo, 0, rule);
    return { rule, replaced };
  }

  /** Remove a rule; false when it is not in the list. */
  remove(rule: LinearRule<T>): boolean {
    const i = this.list.indexOf(rule);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** All rules in precedence order (priority descending, then insertion order). */
  rules(): ReadonlyArray<LinearRule<T>> {
    return this.list;
  }

  /** The best rule matching `key`, or undefined. */
  lookup(key: FlowKey): LinearRule<T> | undefined {
    const list = this.list;
    for (let r = 0; r < list.length; r++) {
      const rule = list[r]!;
      const v = rule.match.value, m = rule.match.mask;
      let i = 0;
      while (i < KEY_WORDS && ((key[i]! & m[i]!) >>> 0) === v[i]) i++;
      if (i === KEY_WORDS) return rule;
    }
    return undefined;
  }
}
