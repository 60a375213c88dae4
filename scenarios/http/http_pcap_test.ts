/**
 * A capture of an HTTP exchange opens in tshark as HTTP: `tcpdump -w` on the
 * server's interface records curl fetching two pages over one connection;
 * tshark (when installed) dissects every frame with correct IPv4 and TCP
 * checksums, decodes both requests (method, URI, Host, User-Agent) and both
 * responses (status, Content-Length, the body as a file of the right length),
 * pairs each response with its request, and reports no malformed packet and
 * no expert warning or error.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { hasTshark, problems } from "../../core/app/dns/udp_pcap_testing.ts";
import { pair } from "../transport/tcp_testing.ts";
import { webServer } from "./http_testing.ts";

const TSHARK = hasTshark();
let checked = false;

function tshark(file: string, args: string[]): string {
  const out = new Deno.Command("tshark", {
    args: ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", ...args],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

scenario("http pcap: tshark decodes both GETs and both responses, no warnings", (net) => {
  const { a, b } = pair(net, { delay: "1ms" });
  webServer(b);
  b.sh("tcpdump -i eth0 -w /tmp/http.pcap &");
  const r = a.sh("curl -s http://10.0.0.2/ http://10.0.0.2/missing");
  assert.equal(r.stdout, "hello\n404 Not Found\n");
  net.run();
  b.sh("kill %1");
  const f = b.files.get("/tmp/http.pcap");
  const pcap = typeof f === "function" ? f() : f!;
  // Pcap header, then ARP request and reply, handshake, two exchanges, FINs.
  assert.ok(pcap.length > 24 + 12 * 16);
  // tshark reads the capture once (the determinism run writes the same bytes).
  if (!TSHARK || checked) return;
  checked = true;
  const file = Deno.makeTempFileSync({ dir: "/tmp", prefix: "packetlab-http-", suffix: ".pcap" });
  try {
    Deno.writeFileSync(file, pcap);
    const verbose = tshark(file, ["-V"]);
    assert.deepEqual(problems(verbose), []);
    assert.ok(!/\[Checksum Status: Bad\]/.test(verbose));
    const good = verbose.split("\n").filter((l) =>
      /\[(Header checksum|Checksum) status: Good\]/i.test(l)
    );
    assert.ok(good.length >= 20, `${good.length} checksums verified`);
    const http = tshark(file, [
      "-Y",
      "http",
      "-T",
      "fields",
      "-e",
      "http.request.method",
      "-e",
      "http.request.uri",
      "-e",
      "http.host",
      "-e",
      "http.user_agent",
      "-e",
      "http.response.code",
      "-e",
      "http.content_length",
      "-e",
      "http.response_for.uri",
      "-e",
      "http.file_data",
    ]);
    // Requests and responses paired, and the bodies as tshark reassembled them.
    assert.deepEqual(http.trimEnd().split("\n").map((l) => l.split("\t")), [
      ["GET", "/", "10.0.0.2", "curl/7.88.1", "", "", "", ""],
      ["", "", "", "", "200", "6", "http://10.0.0.2/", "hello\\n"],
      ["GET", "/missing", "10.0.0.2", "curl/7.88.1", "", "", "", ""],
      ["", "", "", "", "404", "14", "http://10.0.0.2/missing", "404 Not Found\\n"],
    ]);
  } finally {
    Deno.removeSync(file);
  }
});
