/**
 * Unit tests of the reference NaivePrefixMap (the oracle of the Fib tests), so
 * that a bug in the oracle cannot hide a bug in the structure under test.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NaivePrefixMap } from "./naive.ts";
import { ip } from "../../wire/addr.ts";

Deno.test("naive: longest prefix wins, /0 and /32 included", () => {
  const m = new NaivePrefixMap();
  m.insert(0, 0, 1);
  m.insert(ip("10.0.0.0"), 8, 2);
  m.insert(ip("10.0.0.0"), 24, 3);
  m.insert(ip("10.0.0.5"), 32, 4);
  assert.equal(m.lookup(ip("11.0.0.0")), 1);
  assert.equal(m.lookup(ip("10.1.0.0")), 2);
  assert.equal(m.lookup(ip("10.0.0.4")), 3);
  assert.equal(m.lookup(ip("10.0.0.5")), 4);
  assert.equal(m.size, 4);
});

Deno.test("naive: masking, replacement, get, delete and ordering", () => {
  const m = new NaivePrefixMap();
  m.insert(ip("192.168.7.9"), 16, 5);
  m.insert(ip("192.168.0.0"), 16, 6);
  assert.equal(m.size, 1);
  assert.equal(m.get(ip("192.168.255.255"), 16), 6);
  assert.equal(m.get(ip("192.168.0.0"), 17), -1);
  m.insert(ip("1.0.0.0"), 8, 7);
  assert.deepEqual([...m.entries()], [[ip("1.0.0.0"), 8, 7], [ip("192.168.0.0"), 16, 6]]);
  assert.equal(m.delete(ip("192.168.1.1"), 16), true);
  assert.equal(m.delete(ip("192.168.1.1"), 16), false);
  assert.equal(m.lookup(ip("192.168.1.1")), -1);
  assert.throws(() => m.insert(0, 33, 0), RangeError);
  assert.throws(() => m.insert(0, 1, -5), RangeError);
});
