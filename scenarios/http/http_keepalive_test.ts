/**
 * HTTP/1.1 connections persist (RFC 9112 §9.3): two requests by one curl to
 * one server share one TCP connection — one handshake on the wire, the second
 * GET sent on the same client port right after the first response — while two
 * curl runs need two. `Connection: close` ends a connection after its
 * response, the server closing first; an idle persistent connection is closed
 * by the server when its keep-alive timeout (5 s) runs out.
 *
 *   a 10.0.0.1 ──── 1 ms ──── 10.0.0.2 b (HttpServer :80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s, us } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { getRequest, HttpConnection } from "../../core/app/http/client.ts";
import {
  encodeRequest,
  encodeResponse,
  fieldValue,
  type HttpResponse,
  utf8,
} from "../../core/app/http/message.ts";
import { brief, pair, segments } from "../transport/tcp_testing.ts";
import { webServer } from "./http_testing.ts";

/** Bytes of curl's GET for `path`. */
const GET_LEN = (path: string) =>
  encodeRequest(getRequest(path, "10.0.0.2", { userAgent: "curl/7.88.1" })).length;

/** Bytes of the server's 200 response with a text/plain `body`. */
const RESPONSE_LEN = (body: string) =>
  encodeResponse({
    version: "HTTP/1.1",
    status: 200,
    reason: "OK",
    headers: [
      { name: "Server", value: "packetlab" },
      { name: "Content-Type", value: "text/plain" },
      { name: "Content-Length", value: String(body.length) },
    ],
    body: utf8(body),
  }).length;

scenario("http keep-alive: two URLs, one connection — one handshake, both GETs on it", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  const { web } = webServer(b);
  const r = a.sh("curl -v http://10.0.0.2/ http://10.0.0.2/two");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "hello\nsecond\n");
  assert.match(r.stderr, /\* Re-using existing connection #0 with host 10\.0\.0\.2\n/);
  // One handshake: one SYN, one SYN-ACK, for both requests.
  const segs = segments(net);
  assert.deepEqual(segs.filter((g) => g.flags.includes("S")).map(brief), ["a S 0", "b S. 0 ack 1"]);
  // The requests and responses on the wire, in order, on one connection.
  const g1 = GET_LEN("/"), g2 = GET_LEN("/two");
  const r1 = RESPONSE_LEN("hello\n"), r2 = RESPONSE_LEN("second\n");
  assert.deepEqual(segs.filter((g) => g.len > 0).map((g) => [g.node, g.seq, g.len]), [
    ["a", 1, g1],
    ["b", 1, r1],
    ["a", 1 + g1, g2],
    ["b", 1 + r1, r2],
  ]);
  const ports = new Set(segs.map((g) => g.tcp.srcPort === 80 ? g.tcp.dstPort : g.tcp.srcPort));
  assert.equal(ports.size, 1, "one client port");
  // The server saw both on its first connection, from that port.
  assert.deepEqual(web.log.map((l) => [l.connection, l.target, l.status, l.remotePort]), [
    [0, "/", 200, [...ports][0]],
    [0, "/two", 200, [...ports][0]],
  ]);
  assert.equal(web.accepted, 1);
  // curl closes its connection as it exits: its FIN, then the server's.
  net.run();
  assert.deepEqual(segments(net).filter((g) => g.flags.includes("F")).map((g) => g.node), [
    "a",
    "b",
  ]);
});

scenario("http keep-alive: two curl runs, two connections from two ports", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  const { web } = webServer(b);
  assert.equal(a.sh("curl -s http://10.0.0.2/").stdout, "hello\n");
  assert.equal(a.sh("curl -s http://10.0.0.2/two").stdout, "second\n");
  assert.equal(segments(net).filter((g) => g.flags === "S").length, 2);
  assert.equal(web.accepted, 2);
  assert.notEqual(web.log[0]!.remotePort, web.log[1]!.remotePort);
});

scenario(
  "http keep-alive: Connection: close — the server answers, says close, and closes first",
  (net) => {
    const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
    const { web } = webServer(b);
    const r = a.sh("curl -v -H 'Connection: close' http://10.0.0.2/ http://10.0.0.2/two");
    assert.equal(r.stdout, "hello\nsecond\n");
    assert.match(r.stderr, /< Connection: close\r\n/);
    assert.match(r.stderr, /\* Closing connection 0\n/);
    assert.match(r.stderr, /\* Connected to 10\.0\.0\.2 \(10\.0\.0\.2\) port 80 \(#1\)\n/);
    const segs = segments(net);
    assert.equal(
      segs.filter((g) => g.flags === "S").length,
      2,
      "a new handshake for the second URL",
    );
    assert.equal(web.accepted, 2);
    net.run();
    // First connection: the server's FIN comes first (it closes after the response).
    const firstPort = web.log[0]!.remotePort;
    const fins = segments(net).filter((g) =>
      g.flags.includes("F") && [g.tcp.srcPort, g.tcp.dstPort].includes(firstPort)
    );
    assert.deepEqual(fins.map((g) => g.node), ["b", "a"]);
    // The FIN follows the response at once: the next sequence number, one frame's serialization later.
    const resp = segs.find((g) => g.node === "b" && g.len > 0)!;
    assert.equal(fins[0]!.seq, resp.seq + resp.len);
    assert.ok(fins[0]!.time - resp.time < 10 * us);
  },
);

scenario("http keep-alive: an idle connection is closed by the server after 5 s", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  webServer(b);
  const c = new HttpConnection(a.root, ip("10.0.0.2"), 80);
  const got: HttpResponse[] = [];
  c.request(getRequest("/", "10.0.0.2"), {
    onResponse: (res) => got.push(res),
    onError: (e) => assert.fail(e.kind),
  });
  net.run(100 * ms);
  assert.equal(got.length, 1);
  assert.equal(fieldValue(got[0]!.headers, "connection"), undefined, "kept alive");
  assert.equal(c.idle, true);
  net.run();
  const segs = segments(net);
  const response = segs.find((g) => g.node === "b" && g.len > 0)!;
  const fin = segs.find((g) => g.node === "b" && g.flags.includes("F"))!;
  assert.equal(fin.time - response.time, 5 * s);
  assert.equal(c.state, "closed");
  assert.equal(c.usable, false);
});
