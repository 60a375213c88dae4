/**
 * An HTTP GET over a link that loses frames delivers the body exactly: TCP
 * repairs the losses underneath, and the HTTP parser reassembles the
 * response from whatever pieces arrive — the head split from the body, a
 * Content-Length body across hundreds of segments, and chunked framing whose
 * 1000-byte chunks never line up with 1448-byte segments.
 *
 *   a 10.0.0.1 ──── 20 Mbit/s, 10 ms, 3% loss each way ──── 10.0.0.2 b (HttpServer)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { ip } from "../../core/wire/addr.ts";
import { getRequest, HttpConnection } from "../../core/app/http/client.ts";
import { fieldValue, type HttpResponse } from "../../core/app/http/message.ts";
import { pair, segments } from "../transport/tcp_testing.ts";
import { webServer } from "./http_testing.ts";

scenario("http lossy: curl fetches 300 kB byte for byte over a link losing 3% of frames", (net) => {
  const { a, b, link } = pair(net, { rate: "20mbit", delay: "10ms" });
  const { web, file } = webServer(b, { fileSize: 300_000 });
  link.setLoss(0.03);
  const r = a.sh("curl -s -o /tmp/file http://10.0.0.2/file");
  assert.deepEqual([r.status, r.stdout, r.stderr], [0, "", ""]);
  const got = a.files.get("/tmp/file") as Uint8Array;
  assert.equal(got.length, 300_000);
  assert.deepEqual(got, file);
  // Frames really were lost, and TCP sent them again.
  const lost = net.trace.filter({ kind: "drop" }).filter((e) => e.reason === DropReason.randomLoss);
  assert.ok(lost.length >= 5, `${lost.length} frames lost`);
  const sent = segments(net, { node: "b" }).filter((g) => g.len > 0).map((g) => g.seq);
  const again = sent.length - new Set(sent).size;
  assert.ok(again >= 5, `${again} segments sent again`);
  // One request, one response, one connection.
  assert.deepEqual(web.log.map((l) => [l.method, l.target, l.status, l.bytes]), [
    ["GET", "/file", 200, 300_000],
  ]);
  assert.equal(web.accepted, 1);
});

scenario(
  "http lossy: a chunked response is reassembled across losses and segment boundaries",
  (net) => {
    const { a, b, link } = pair(net, { rate: "20mbit", delay: "10ms" });
    const { file } = webServer(b, { fileSize: 120_000 });
    link.setLoss(0.03);
    const c = new HttpConnection(a.root, ip("10.0.0.2"), 80);
    const responses: HttpResponse[] = [];
    const pieces: number[] = [];
    c.request(getRequest("/chunked", "10.0.0.2"), {
      onBody: (wire) => pieces.push(wire),
      onResponse: (res) => responses.push(res),
      onError: (e) => assert.fail(`request failed: ${e.kind}`),
    });
    net.run();
    assert.equal(responses.length, 1);
    const res = responses[0]!;
    assert.equal(res.status, 200);
    assert.equal(fieldValue(res.headers, "transfer-encoding"), "chunked");
    assert.deepEqual(res.body, file);
    // 120 chunks of 1000 bytes, each with "3e8\r\n" and "\r\n", then "0\r\n\r\n".
    const wire = pieces.reduce((s, n) => s + n, 0);
    assert.equal(wire, 120 * (5 + 1000 + 2) + 5);
    // The body came in many deliveries, none of them aligned to the chunks.
    assert.ok(pieces.length > 50, `${pieces.length} deliveries`);
    assert.ok(pieces.some((n) => n % 1007 !== 0));
    assert.ok(net.trace.filter({ kind: "drop" }).some((e) => e.reason === DropReason.randomLoss));
  },
);
