import assert from "node:assert/strict";
import { formatG, inetAton, nameAndAddr, resolveHost } from "./format.ts";
import { getopt, getoptMessage } from "./getopt.ts";

Deno.test("inet_aton forms", () => {
  assert.equal(inetAton("10.0.0.2"), 0x0a000002);
  assert.equal(inetAton("10.1"), 0x0a000001);
  assert.equal(inetAton("10.0.2"), 0x0a000002);
  assert.equal(inetAton("0x0a000002"), 0x0a000002);
  assert.equal(inetAton("167772162"), 0x0a000002);
  assert.equal(inetAton("012.0.0.1"), 0x0a000001);
  assert.equal(inetAton("0"), 0);
  for (
    const bad of ["10.0.0.256", "256.1.1.1", "1.2.3.4.5", "10..1", "x", "", "10.0.0.1a", "09.1.1.1"]
  ) {
    assert.equal(inetAton(bad), undefined, bad);
  }
});

Deno.test("name lookups without DNS", () => {
  assert.deepEqual(resolveHost("localhost"), { addr: 0x7f000001, name: "localhost" });
  assert.deepEqual(resolveHost("10.1"), { addr: 0x0a000001, name: undefined });
  assert.equal(resolveHost("example.com"), undefined);
  assert.equal(nameAndAddr(0x7f000001), "localhost (127.0.0.1)");
  assert.equal(nameAndAddr(0x0a000001), "10.0.0.1 (10.0.0.1)");
});

Deno.test("%g as printf prints it", () => {
  assert.equal(formatG(0), "0");
  assert.equal(formatG(100), "100");
  assert.equal(formatG(50), "50");
  assert.equal(formatG(Math.fround(100 / 3)), "33.3333");
  assert.equal(formatG(Math.fround(200 / 3)), "66.6667");
  assert.equal(formatG(12.5), "12.5");
  assert.equal(formatG(0.001), "0.001");
});

Deno.test("getopt as glibc: clusters, glued values, operands anywhere, --", () => {
  const r = getopt(["-nq", "-c3", "host", "-i", "0.2", "--", "-x"], "nqc:i:");
  assert.deepEqual(r, {
    ok: true,
    opts: [["n", undefined], ["q", undefined], ["c", "3"], ["i", "0.2"]],
    operands: ["host", "-x"],
  });
  const bad = getopt(["-Z"], "n");
  assert.deepEqual(bad, { ok: false, error: "invalid", ch: "Z" });
  assert.equal(
    getoptMessage("ping", { error: "invalid", ch: "Z" }),
    "ping: invalid option -- 'Z'\n",
  );
  const missing = getopt(["host", "-c"], "c:");
  assert.deepEqual(missing, { ok: false, error: "missing", ch: "c" });
  assert.equal(
    getoptMessage("ping", { error: "missing", ch: "c" }),
    "ping: option requires an argument -- 'c'\n",
  );
});
