import assert from "node:assert/strict";
import { checkRoom, checkSpan, WireError } from "./errors.ts";

Deno.test("WireError: message is layer-prefixed and keeps its parts", () => {
  const e = new WireError("ipv4", "truncated header");
  assert.ok(e instanceof Error);
  assert.equal(e.message, "ipv4: truncated header");
  assert.equal(e.layer, "ipv4");
  assert.equal(e.detail, "truncated header");
  assert.equal(e.name, "WireError");
});

Deno.test("checkSpan: defaults to the rest of the buffer and rejects bad windows", () => {
  const b = new Uint8Array(10);
  assert.equal(checkSpan("x", b, 0, undefined), 10);
  assert.equal(checkSpan("x", b, 4, undefined), 10);
  assert.equal(checkSpan("x", b, 4, 3), 7);
  assert.equal(checkSpan("x", b, 10, 0), 10);
  for (const [o, l] of [[-1, undefined], [11, undefined], [4, 7], [0.5, 1], [2, -1], [2, 1.5]]) {
    assert.throws(() => checkSpan("x", b, o!, l), WireError);
  }
});

Deno.test("checkRoom: rejects writes past the end", () => {
  const b = new Uint8Array(4);
  checkRoom("x", b, 0, 4);
  assert.throws(() => checkRoom("x", b, 1, 4), { message: "x: output buffer too small" });
  assert.throws(() => checkRoom("x", b, -1, 1), WireError);
});
