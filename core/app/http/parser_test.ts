/**
 * Tests of the HTTP/1.1 parser: byte fixtures in the shapes curl, browsers and
 * servers send, every framing of RFC 9112 §6.3, a table of malformed requests
 * with the status a server answers, and property tests that split a stream of
 * messages at random points (any TCP segmentation) and get exactly what the
 * whole buffer gives.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type HttpEnd, type HttpHead, HttpParseError, HttpParser } from "./parser.ts";
import {
  concatBytes,
  encodeChunked,
  encodeRequest,
  encodeResponse,
  fieldValue,
  type HttpRequest,
  type HttpResponse,
  keepsAlive,
  text,
  utf8,
} from "./message.ts";

interface Outcome<M> {
  messages: M[];
  heads: HttpHead[];
  error: { kind: string; status: number } | undefined;
  end?: HttpEnd;
}

function parse<M extends HttpRequest | HttpResponse>(
  mode: "request" | "response",
  pieces: Uint8Array[],
  o: { methods?: string[]; end?: boolean } = {},
): Outcome<M> {
  const out: Outcome<M> = { messages: [], heads: [], error: undefined };
  const p = new HttpParser<M>(mode, {
    onHead: (h) => out.heads.push(h),
    onMessage: (m) => out.messages.push(m.message),
    onError: (e) => out.error = { kind: e.kind, status: e.status },
  });
  for (const m of o.methods ?? []) p.expect(m);
  for (const piece of pieces) p.push(piece);
  if (o.end) out.end = p.end();
  return out;
}

const req = (s: string) => parse<HttpRequest>("request", [utf8(s)]);

Deno.test("http parser: curl's GET request", () => {
  const r = req(
    "GET /d?dn=www.example.com HTTP/1.1\r\nHost: 10.0.0.2\r\n" +
      "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
  );
  assert.equal(r.error, undefined);
  assert.equal(r.messages.length, 1);
  const m = r.messages[0]!;
  assert.deepEqual([m.method, m.target, m.version], ["GET", "/d?dn=www.example.com", "HTTP/1.1"]);
  assert.deepEqual(m.headers, [
    { name: "Host", value: "10.0.0.2" },
    { name: "User-Agent", value: "curl/7.88.1" },
    { name: "Accept", value: "*/*" },
  ]);
  assert.equal(m.body.length, 0);
  assert.equal(r.heads[0]!.framing, "none");
  assert.deepEqual(r.heads[0]!.rawLines, [
    "GET /d?dn=www.example.com HTTP/1.1\r\n",
    "Host: 10.0.0.2\r\n",
    "User-Agent: curl/7.88.1\r\n",
    "Accept: */*\r\n",
    "\r\n",
  ]);
});

Deno.test("http parser: field values lose surrounding whitespace, keep inner; names keep case", () => {
  const m = req("GET / HTTP/1.1\r\nhOsT:\t example \r\nX-A:  a  b \t\r\nX-Empty:\r\n\r\n")
    .messages[0]!;
  assert.deepEqual(m.headers, [
    { name: "hOsT", value: "example" },
    { name: "X-A", value: "a  b" },
    { name: "X-Empty", value: "" },
  ]);
  assert.equal(fieldValue(m.headers, "host"), "example");
});

Deno.test("http parser: Content-Length body, then a pipelined request in the same bytes", () => {
  const r = req(
    "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n" +
      "Host: h\r\n\r\n",
  );
  assert.deepEqual(r.messages.map((m) => [m.method, m.target, text(m.body)]), [
    ["POST", "/up", "hello"],
    ["GET", "/next", ""],
  ]);
});

Deno.test("http parser: chunked request body with extensions and trailer fields", () => {
  const r = req(
    "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
      "5;name=value\r\nhello\r\nA \r\n, world!!!\r\n0\r\nX-Trailer: yes\r\n\r\n",
  );
  assert.equal(r.error, undefined);
  assert.equal(text(r.messages[0]!.body), "hello, world!!!");
  assert.equal(r.heads[0]!.framing, "chunked");
});

Deno.test("http parser: leading empty lines are skipped, bare LF ends lines", () => {
  const r = req("\r\n\nGET / HTTP/1.1\nHost: h\n\n");
  assert.equal(r.error, undefined);
  assert.equal(r.messages[0]!.target, "/");
});

Deno.test("http parser: HTTP/1.0 needs no Host; HTTP/1.2 is answered as 1.1", () => {
  assert.equal(req("GET / HTTP/1.0\r\n\r\n").messages[0]!.version, "HTTP/1.0");
  assert.equal(req("GET / HTTP/1.2\r\nHost: h\r\n\r\n").messages[0]!.version, "HTTP/1.1");
});

Deno.test("http parser: absolute form, OPTIONS *, CONNECT authority", () => {
  assert.equal(
    req("GET http://h/x?y HTTP/1.1\r\nHost: h\r\n\r\n").messages[0]!.target,
    "http://h/x?y",
  );
  assert.equal(req("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").messages[0]!.target, "*");
  assert.equal(req("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n").messages[0]!.target, "h:443");
});

/** Malformed requests and what a server must answer (RFC 9112, RFC 9110). */
const MALFORMED: Array<[string, string, string, number]> = [
  ["no Host in HTTP/1.1 (§3.2)", "GET / HTTP/1.1\r\n\r\n", "host", 400],
  ["two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "host", 400],
  ["Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", "host", 400],
  ["two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "request-line", 400],
  ["no version", "GET /\r\nHost: h\r\n\r\n", "request-line", 400],
  ["bad method", "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", "request-line", 400],
  ["control char in target", "GET /\x7f HTTP/1.1\r\nHost: h\r\n\r\n", "request-line", 400],
  ["* without OPTIONS", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", "request-line", 400],
  ["authority without CONNECT", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", "request-line", 400],
  ["not HTTP", "GET / FTP/1.1\r\nHost: h\r\n\r\n", "version", 400],
  ["version not digits", "GET / HTTP/1.x\r\nHost: h\r\n\r\n", "version", 400],
  ["HTTP/2.0 in a request line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", "version", 505],
  ["HTTP/3.0", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", "version", 505],
  ["space before colon (§5.1)", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", "field", 400],
  ["no colon", "GET / HTTP/1.1\r\nHost: h\r\nnonsense\r\n\r\n", "field", 400],
  ["obs-fold (§5.2)", "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", "obs-fold", 400],
  ["NUL in a value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\x00b\r\n\r\n", "field", 400],
  ["bare CR", "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", "field", 400],
  [
    "differing Content-Lengths",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
    "content-length",
    400,
  ],
  [
    "negative Content-Length",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
    "content-length",
    400,
  ],
  [
    "Content-Length not a number",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n",
    "content-length",
    400,
  ],
  [
    "Transfer-Encoding and Content-Length (§6.1 smuggling)",
    "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "transfer-encoding",
    400,
  ],
  [
    "chunked not last",
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
    "transfer-encoding",
    400,
  ],
  [
    "unknown coding before chunked",
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    "unknown-coding",
    501,
  ],
  [
    "Transfer-Encoding in HTTP/1.0",
    "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
    "transfer-encoding",
    400,
  ],
  [
    "chunk size not hex",
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "chunk",
    400,
  ],
  [
    "chunk data longer than its size",
    "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n",
    "chunk",
    400,
  ],
  [
    "head over 16 KiB",
    `GET / HTTP/1.1\r\nHost: h\r\nX: ${"a".repeat(17000)}\r\n\r\n`,
    "too-large",
    431,
  ],
];

for (const [what, bytes, kind, status] of MALFORMED) {
  Deno.test(`http parser: malformed request, ${what} → ${status}`, () => {
    const r = req(bytes);
    assert.deepEqual(r.error, { kind, status });
    assert.equal(r.messages.length, 0);
  });
}

Deno.test("http parser: nothing is parsed after an error", () => {
  const got: string[] = [];
  let errors = 0;
  const p = new HttpParser<HttpRequest>("request", {
    onMessage: (m) => got.push(m.message.target),
    onError: () => errors++,
  });
  p.push(utf8("GET /ok HTTP/1.1\r\nHost: h\r\n\r\nGET /bad HTTP/9.9\r\n\r\n"));
  p.push(utf8("GET /later HTTP/1.1\r\nHost: h\r\n\r\n"));
  assert.deepEqual(got, ["/ok"]);
  assert.equal(errors, 1);
  assert.ok(p.error instanceof HttpParseError);
  assert.equal(p.error.status, 505);
});

const res = (s: string, methods: string[] = [], end = false) =>
  parse<HttpResponse>("response", [utf8(s)], { methods, end });

Deno.test("http parser: responses — Content-Length, chunked, until close", () => {
  const cl = res("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n");
  assert.deepEqual([cl.messages[0]!.status, cl.messages[0]!.reason, text(cl.messages[0]!.body)], [
    200,
    "OK",
    "hello\n",
  ]);
  const ch = res("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  assert.equal(text(ch.messages[0]!.body), "hello");
  const open = res("HTTP/1.1 200 OK\r\n\r\nuntil close", [], false);
  assert.equal(open.messages.length, 0, "no end yet");
  const closed = res("HTTP/1.1 200 OK\r\n\r\nuntil close", [], true);
  assert.equal(text(closed.messages[0]!.body), "until close");
  assert.deepEqual(closed.end, { kind: "complete" });
});

Deno.test("http parser: no body for HEAD, 204, 304; 1xx interim responses are skipped", () => {
  const head = res(
    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nHTTP/1.1 404 Not Found\r\n" +
      "Content-Length: 0\r\n\r\n",
    ["HEAD", "GET"],
  );
  assert.deepEqual(head.messages.map((m) => [m.status, m.body.length]), [[200, 0], [404, 0]]);
  const nc = res("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n");
  assert.deepEqual(nc.messages.map((m) => m.status), [204, 304]);
  const interim = res(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  );
  assert.deepEqual(interim.messages.map((m) => [m.status, text(m.body)]), [[200, "ok"]]);
});

Deno.test("http parser: a response is unfolded, not refused, on obs-fold", () => {
  const r = res("HTTP/1.1 200 OK\r\nX-Long: a\r\n  b\r\nContent-Length: 0\r\n\r\n");
  assert.equal(fieldValue(r.messages[0]!.headers, "x-long"), "a b");
});

Deno.test("http parser: a reply that is not HTTP is HTTP/0.9, known from its first bytes", () => {
  assert.deepEqual(res("HELLO THERE\r\n\r\n").error, { kind: "http09", status: 400 });
  assert.deepEqual(parse("response", [utf8("HE")]).error, { kind: "http09", status: 400 });
  assert.deepEqual(parse("response", [utf8("HT")]).error, undefined);
});

Deno.test("http parser: where a closed connection leaves a response", () => {
  assert.deepEqual(res("", [], true).end, { kind: "idle" });
  assert.deepEqual(res("HTTP/1.1 200 OK\r\nContent-Le", [], true).end, {
    kind: "in-head",
    received: 27,
  });
  assert.deepEqual(res("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", [], true).end, {
    kind: "in-body",
    remaining: 7,
    received: 3,
  });
  assert.deepEqual(
    res("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", [], true).end,
    { kind: "in-body", remaining: undefined, received: 3 },
  );
});

Deno.test("http parser: body events report wire bytes (chunk framing included) per push", () => {
  const events: Array<[number, string]> = [];
  const p = new HttpParser<HttpResponse>("response", {
    onBody: (w, d) => events.push([w, text(d)]),
    onMessage: () => events.push([-1, "done"]),
  });
  p.push(utf8("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  assert.deepEqual(events, [[15, "hello"], [-1, "done"]]);
});

Deno.test("http message: persistence per RFC 9112 §9.3", () => {
  const m = (version: string, conn?: string) => ({
    version,
    headers: conn ? [{ name: "Connection", value: conn }] : [],
  });
  assert.equal(keepsAlive(m("HTTP/1.1")), true);
  assert.equal(keepsAlive(m("HTTP/1.1", "Close")), false);
  assert.equal(keepsAlive(m("HTTP/1.1", "keep-alive, close")), false);
  assert.equal(keepsAlive(m("HTTP/1.0")), false);
  assert.equal(keepsAlive(m("HTTP/1.0", "Keep-Alive")), true);
});

Deno.test("http message: encodings round-trip through the parser", () => {
  const r: HttpResponse = {
    version: "HTTP/1.1",
    status: 200,
    reason: "OK",
    headers: [{ name: "Transfer-Encoding", value: "chunked" }],
    body: encodeChunked(utf8("abcdefghij"), 3),
  };
  const wire = text(encodeResponse(r));
  assert.equal(
    wire.slice(wire.indexOf("\r\n\r\n") + 4),
    "3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n1\r\nj\r\n0\r\n\r\n",
  );
  assert.equal(text(res(text(encodeResponse(r))).messages[0]!.body), "abcdefghij");
});

// --- Property tests: any segmentation parses as the whole stream ---------------

const tokenChar = fc.constantFrom(
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".split(""),
);
const token = fc.array(tokenChar, { minLength: 1, maxLength: 12 }).map((a) => a.join(""));
const valueChar = fc.constantFrom(...' abcdefghijklmnopqrstuvwxyz0123456789-_/.;,="\t'.split(""));
const fieldValueArb = fc.array(valueChar, { maxLength: 30 }).map((a) => a.join("").trim());
const bodyArb = fc.uint8Array({ maxLength: 300 });
const pathArb = fc.array(fc.constantFrom(..."abc/?=&%._-0123456789".split("")), { maxLength: 30 })
  .map((a) => "/" + a.join(""));

/** A valid request and its bytes, body framed by Content-Length, chunked, or absent. */
const requestArb = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "HEAD"),
  target: pathArb,
  fields: fc.array(fc.record({ name: token, value: fieldValueArb }), { maxLength: 5 }),
  body: bodyArb,
  framing: fc.constantFrom("length", "chunked", "none"),
  chunk: fc.integer({ min: 1, max: 64 }),
  lf: fc.boolean(),
}).map((r) => {
  const fields = r.fields.filter((f) =>
    !["host", "content-length", "transfer-encoding"].includes(f.name.toLowerCase())
  ).map((f) => ({ name: f.name, value: f.value }));
  const headers = [{ name: "Host", value: "example.com" }, ...fields];
  let body: Uint8Array = r.body;
  let wire: Uint8Array = r.body;
  if (r.framing === "length") headers.push({ name: "Content-Length", value: String(body.length) });
  else if (r.framing === "chunked") {
    headers.push({ name: "Transfer-Encoding", value: "chunked" });
    wire = encodeChunked(body, r.chunk);
  } else body = wire = new Uint8Array(0);
  const message: HttpRequest = {
    method: r.method,
    target: r.target,
    version: "HTTP/1.1",
    headers,
    body,
  };
  let bytes = encodeRequest({ ...message, body: wire });
  if (r.lf) {
    bytes = utf8(text(bytes.subarray(0, bytes.length - wire.length)).replaceAll("\r\n", "\n"));
  }
  if (r.lf) bytes = concatBytes([bytes, wire]);
  return { message, bytes };
});

/** Split `bytes` at the given fractions (sorted positions), including empty pieces. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = cuts.map((c) => Math.floor(c * (bytes.length + 1))).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

const cutsArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
  maxLength: 20,
});

Deno.test("http parser property: pipelined requests split anywhere parse as the whole", () => {
  fc.assert(
    fc.property(fc.array(requestArb, { minLength: 1, maxLength: 4 }), cutsArb, (reqs, cuts) => {
      const stream = concatBytes(reqs.map((r) => r.bytes));
      const whole = parse<HttpRequest>("request", [stream]);
      const pieces = parse<HttpRequest>("request", split(stream, cuts));
      const bytewise = parse<HttpRequest>(
        "request",
        Array.from(stream, (b) => new Uint8Array([b])),
      );
      assert.equal(whole.error, undefined);
      assert.deepEqual(whole.messages, reqs.map((r) => r.message));
      assert.deepEqual(pieces.messages, whole.messages);
      assert.deepEqual(bytewise.messages, whole.messages);
    }),
    { seed: 9112, numRuns: 300 },
  );
});

const responseArb = fc.record({
  status: fc.constantFrom(200, 201, 404, 500),
  body: bodyArb,
  framing: fc.constantFrom("length", "chunked"),
  chunk: fc.integer({ min: 1, max: 50 }),
}).map((r) => {
  const headers = [{ name: "Server", value: "t" }];
  let wire: Uint8Array = r.body;
  if (r.framing === "length") {
    headers.push({ name: "Content-Length", value: String(r.body.length) });
  } else {
    headers.push({ name: "Transfer-Encoding", value: "chunked" });
    wire = encodeChunked(r.body, r.chunk);
  }
  const message: HttpResponse = {
    version: "HTTP/1.1",
    status: r.status,
    reason: "X",
    headers,
    body: r.body,
  };
  return { message, bytes: encodeResponse({ ...message, body: wire }) };
});

Deno.test("http parser property: responses split anywhere parse as the whole, body events add up", () => {
  fc.assert(
    fc.property(fc.array(responseArb, { minLength: 1, maxLength: 4 }), cutsArb, (list, cuts) => {
      const stream = concatBytes(list.map((r) => r.bytes));
      const got: HttpResponse[] = [];
      let wire = 0;
      let heads = 0;
      const p = new HttpParser<HttpResponse>("response", {
        onHead: (h) => heads += h.rawLines.join("").length,
        onBody: (w) => wire += w,
        onMessage: (m) => got.push(m.message),
      });
      for (const piece of split(stream, cuts)) p.push(piece);
      assert.deepEqual(got, list.map((r) => r.message));
      assert.equal(heads + wire, stream.length, "every byte is head or body");
      assert.deepEqual(p.end(), { kind: "idle" });
    }),
    { seed: 7230, numRuns: 300 },
  );
});

Deno.test("http parser property: malformed requests fail the same way however they are split", () => {
  fc.assert(
    fc.property(fc.constantFrom(...MALFORMED), cutsArb, ([, bytes, kind, status], cuts) => {
      const r = parse<HttpRequest>("request", split(utf8(bytes), cuts));
      assert.deepEqual(r.error, { kind, status });
      assert.equal(r.messages.length, 0);
    }),
    { seed: 400, numRuns: 500 },
  );
});

Deno.test("http parser property: random bytes only ever raise HttpParseError", () => {
  fc.assert(
    fc.property(
      fc.constantFrom("request" as const, "response" as const),
      fc.uint8Array({ maxLength: 200 }),
      cutsArb,
      (mode, bytes, cuts) => {
        const p = new HttpParser(mode, { onMessage: () => {} });
        for (const piece of split(bytes, cuts)) p.push(piece);
        p.end();
      },
    ),
    { seed: 1, numRuns: 500 },
  );
});
