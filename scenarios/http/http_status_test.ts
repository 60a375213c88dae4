/**
 * What the server answers, and what happens to the connection: 404 for a
 * path nobody serves (the connection stays open for the next request), 405
 * with `Allow` for a method the route does not take, 400 for malformed
 * requests fed as raw bytes — a missing Host, a broken request line, a space
 * before a colon, conflicting lengths — after which the server closes the
 * connection (the byte stream can no longer be split into messages), 505 for
 * an HTTP major version it does not speak; pipelined requests in one segment
 * are answered in order; HTTP/1.0 needs no Host and is closed after its
 * response.
 *
 *   a 10.0.0.1 ──── 1 ms ──── 10.0.0.2 b (HttpServer :80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms } from "../../core/sim/simulator.ts";
import { pair, segments } from "../transport/tcp_testing.ts";
import { rawClient, webServer } from "./http_testing.ts";

scenario("http status: 404 for an unknown path; the connection serves the next request", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  const { web } = webServer(b);
  const r = a.sh("curl -si http://10.0.0.2/missing http://10.0.0.2/");
  assert.equal(r.status, 0, "curl without -f exits 0 on a 404");
  assert.equal(
    r.stdout,
    "HTTP/1.1 404 Not Found\r\nServer: packetlab\r\nContent-Type: text/plain\r\n" +
      "Content-Length: 14\r\n\r\n404 Not Found\n" +
      "HTTP/1.1 200 OK\r\nServer: packetlab\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n",
  );
  assert.deepEqual(web.log.map((l) => [l.connection, l.target, l.status]), [
    [0, "/missing", 404],
    [0, "/", 200],
  ]);
  const f = a.sh("curl -sSf http://10.0.0.2/missing");
  assert.deepEqual([f.stderr, f.status], [
    "curl: (22) The requested URL returned error: 404\n",
    22,
  ]);
});

scenario("http status: 405 with Allow for a method the route does not take", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  const { web } = webServer(b);
  const c = rawClient(a, "10.0.0.2", 80, "DELETE / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n");
  net.run(50 * ms);
  assert.equal(
    c.received(),
    "HTTP/1.1 405 Method Not Allowed\r\nServer: packetlab\r\nAllow: GET, HEAD\r\n" +
      "Content-Type: text/plain\r\nContent-Length: 23\r\n\r\n405 Method Not Allowed\n",
  );
  assert.equal(c.finAt(), -1, "still open: a 405 does not break the stream");
  assert.deepEqual(web.log.map((l) => [l.method, l.status]), [["DELETE", 405]]);
});

/** Malformed requests as raw bytes, and the status each must get (RFC 9112). */
const MALFORMED: Array<[string, string, number]> = [
  ["no Host", "GET / HTTP/1.1\r\n\r\n", 400],
  ["two spaces in the request line", "GET  / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n", 400],
  ["space before the colon", "GET / HTTP/1.1\r\nHost : 10.0.0.2\r\n\r\n", 400],
  [
    "two different Content-Lengths",
    "POST / HTTP/1.1\r\nHost: 10.0.0.2\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
    400,
  ],
  ["garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400],
  ["HTTP/2.0 in a request line", "GET / HTTP/2.0\r\nHost: 10.0.0.2\r\n\r\n", 505],
];

for (const [what, bytes, status] of MALFORMED) {
  scenario(`http status: ${what} → ${status}, then the server closes the connection`, (net) => {
    const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
    const { web } = webServer(b);
    // A valid request first, then the bad one on the same connection.
    const c = rawClient(a, "10.0.0.2", 80, "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n" + bytes);
    net.run();
    const reason = status === 400 ? "Bad Request" : "HTTP Version Not Supported";
    const body = `${status} ${reason}\n`;
    assert.equal(
      c.received(),
      "HTTP/1.1 200 OK\r\nServer: packetlab\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nhello\n" +
        `HTTP/1.1 ${status} ${reason}\r\nServer: packetlab\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    assert.deepEqual(web.log.map((l) => [l.method, l.status]), [["GET", 200], ["-", status]]);
    // The server's FIN right after its answer; the client's after it.
    assert.ok(c.finAt() > 0, "the server closed");
    const fins = segments(net).filter((g) => g.flags.includes("F")).map((g) => g.node);
    assert.deepEqual(fins, ["b", "a"]);
    assert.equal(c.error(), undefined, "closed with FIN, not reset");
  });
}

scenario("http status: pipelined requests in one segment are answered in order", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  const { web } = webServer(b);
  const req = (p: string) => `GET ${p} HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n`;
  const c = rawClient(a, "10.0.0.2", 80, req("/two") + req("/nope") + req("/"));
  net.run(50 * ms);
  const got = c.received();
  assert.deepEqual(
    [...got.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]),
    ["200", "404", "200"],
  );
  assert.ok(got.indexOf("second\n") < got.indexOf("404 Not Found\n"));
  assert.ok(got.endsWith("hello\n"));
  assert.deepEqual(web.log.map((l) => l.target), ["/two", "/nope", "/"]);
  // One request segment from a, all three answers in one response write each.
  const fromA = segments(net, { node: "a" }).filter((g) => g.len > 0);
  assert.equal(fromA.length, 1);
});

scenario("http status: HTTP/1.0 without Host is served, then closed", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  webServer(b);
  const c = rawClient(a, "10.0.0.2", 80, "GET / HTTP/1.0\r\n\r\n");
  net.run();
  assert.equal(
    c.received(),
    "HTTP/1.1 200 OK\r\nServer: packetlab\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n" +
      "Connection: close\r\n\r\nhello\n",
  );
  assert.ok(c.finAt() > 0);
  const k = rawClient(a, "10.0.0.2", 80, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  net.run(net.sim.now + 50 * ms);
  assert.match(k.received(), /\r\nConnection: keep-alive\r\n/);
  assert.equal(k.finAt(), -1, "kept alive on request");
});
