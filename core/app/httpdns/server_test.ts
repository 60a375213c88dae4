import assert from "node:assert/strict";
import fc from "fast-check";
import { ip } from "../../wire/addr.ts";
import { formatHttpDnsAnswer, parseHttpDnsAnswer } from "./server.ts";

Deno.test("httpdns: D+ answers in text and back", () => {
  const a = {
    addresses: [ip("198.51.100.10"), ip("198.51.100.11")],
    ttl: 60,
    client: ip("10.2.0.10"),
  };
  assert.equal(formatHttpDnsAnswer(a), "198.51.100.10;198.51.100.11,60|10.2.0.10");
  assert.deepEqual(parseHttpDnsAnswer("198.51.100.10;198.51.100.11,60|10.2.0.10"), a);
  assert.equal(
    formatHttpDnsAnswer({ addresses: [ip("192.0.2.1")], ttl: undefined, client: undefined }),
    "192.0.2.1",
  );
  assert.equal(formatHttpDnsAnswer({ addresses: [], ttl: 60, client: ip("10.0.0.1") }), "");
  assert.deepEqual(parseHttpDnsAnswer(""), { addresses: [], ttl: undefined, client: undefined });
  assert.deepEqual(parseHttpDnsAnswer("192.0.2.1\n"), {
    addresses: [ip("192.0.2.1")],
    ttl: undefined,
    client: undefined,
  });
});

Deno.test("httpdns: bodies that are not D+ answers are refused", () => {
  for (
    const body of [
      "<html>",
      "1.2.3.4;",
      "1.2.3.4,x",
      "300.1.1.1",
      "1.2.3.4|nobody",
      "1.2.3.4,60,60",
      ";",
    ]
  ) {
    assert.equal(parseHttpDnsAnswer(body), undefined, body);
  }
});

Deno.test("httpdns property: any answer survives formatting and parsing", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 8 }),
      fc.option(fc.integer({ min: 0, max: 86400 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
      (addresses, ttl, client) => {
        const a = { addresses, ttl, client };
        assert.deepEqual(parseHttpDnsAnswer(formatHttpDnsAnswer(a)), a);
      },
    ),
    { seed: 53, numRuns: 300 },
  );
});
