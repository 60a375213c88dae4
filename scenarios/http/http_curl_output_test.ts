/**
 * curl's output, byte for byte, against a recording of curl 7.88.1 on Linux.
 *
 * The recording (curl_output.expected) was made with two network namespaces on
 * a veth pair (client 10.0.0.1, server 10.0.0.2, no default route), a server
 * on port 80 that sends exactly the bytes packetlab's HttpServer sends for `/`
 * (text/plain "hello\n"), `/chunked` (the same body in one chunk) and any other
 * path (404), nothing listening on port 81, and `iptables -A INPUT -p tcp
 * --dport 8080 -j DROP` on the server. Each command's standard error and
 * standard output were captured separately into files (so standard output is
 * not a terminal and the progress meter is drawn), with its exit status.
 *
 * Here the same commands run on the same network, and both transcripts are
 * compared after masking what differs between two runs of curl anywhere: the
 * speeds of the progress meter, the intermediate redraws of the meter (curl
 * redraws when the wall clock's second changes, which virtual time does not
 * share), elapsed milliseconds, and the heap address in "Found bundle for
 * host". Everything else — the `*`, `>` and `<` lines with their CRLFs, the
 * `{ [N bytes data]` lines, the meter's sizes and percentages, connection
 * numbers and reuse, error messages and exit statuses — must be identical.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { HttpServer } from "../../core/app/http/server.ts";

/** The commands of the recording, in order. */
const COMMANDS = [
  "curl -v http://10.0.0.2/ http://10.0.0.2/chunked",
  "curl -sv http://10.0.0.2/nope",
  "curl -si http://10.0.0.2/nope",
  "curl -i http://10.0.0.2/",
  "curl -s -o /tmp/body.out http://10.0.0.2/",
  "curl -sSf http://10.0.0.2/nope",
  "curl -s http://10.0.0.2/nope http://10.0.0.2/",
  "curl -v -o /tmp/body.out http://10.0.0.2/",
  "curl http://10.0.0.2:81/",
  "curl -v http://10.0.0.2:81/",
  "curl -s http://10.0.0.2:81/",
  "curl -sS http://10.0.0.2:81/",
  "curl -v --connect-timeout 1.5 http://10.0.0.2:8080/",
  "curl -sS --connect-timeout 2 http://10.0.0.2:8080/",
  "curl -sS -m 1 http://10.0.0.2:8080/",
  "curl -v http://192.0.2.1/",
  "curl -v --resolve www.example.com:80:10.0.0.2 http://www.example.com/",
  "curl -sf http://10.0.0.2/nope",
  "curl -f http://10.0.0.2/nope",
  "curl -v foo://10.0.0.2/",
  "curl http://10.0.0.2:99999/",
  "curl --frobnicate http://10.0.0.2/",
  "curl -o",
  "curl -s",
  "curl --connect-timeout x http://10.0.0.2/",
];

/** A stream's text as the recording lays it out (a missing final newline is marked). */
function stream(text: string): string {
  return text === "" || text.endsWith("\n") ? text : text + "\n[no trailing newline]\n";
}

/** One redraw of the meter: "\r" and 78 columns (the average and current speeds at 33 and 73). */
const METER = /\r([^\r\n*<>{]{78})/g;

/** A redraw with its two speed columns masked. */
function maskSpeeds(_: string, line: string): string {
  return `\r${line.slice(0, 33)}<spd>${line.slice(38, 73)}<spd>`;
}

/** Mask what legitimately differs between two curl runs (see the module comment). */
function mask(text: string): string {
  return text
    // Keep only the last of consecutive meter redraws…
    .replace(/(?:\r[^\r\n*<>{]{78})+(?=\r[^\r\n*<>{]{78})/g, "")
    // …and drop the redraws a second's tick makes mid-transfer (at a line start, not the last).
    .replace(/(?<=\n)(?<!Speed\n)\r[^\r\n*<>{]{78}(?!\n)/g, "")
    .replace(METER, maskSpeeds)
    .replace(/after \d+ ms/g, "after <n> ms")
    .replace(/after \d+ms/g, "after <n>ms")
    .replace(/after \d+ milliseconds/g, "after <n> milliseconds")
    .replace(/Found bundle for host: 0x[0-9a-f]+/g, "Found bundle for host: <ptr>");
}

scenario(
  "curl: verbose lines, meter, errors and exit statuses match curl 7.88.1 on Linux",
  (net) => {
    const [client, server] = net.nodes("client", "server");
    net.connect(client, server);
    client.sh("ip addr add 10.0.0.1/24 dev eth0");
    server.sh("ip addr add 10.0.0.2/24 dev eth0");
    server.sh("iptables -A INPUT -p tcp --dport 8080 -j DROP");
    const web = new HttpServer(server.root);
    const text = [{ name: "Content-Type", value: "text/plain" }];
    web.route("/", () => ({ headers: text, body: "hello\n" }));
    web.route("/chunked", () => ({ headers: text, body: "hello\n".slice(0, 5), chunked: 4096 }));
    assert.equal(web.start(), undefined);

    let transcript = "";
    for (const cmd of COMMANDS) {
      const r = client.sh(cmd);
      transcript += `$ ${cmd}\n[stderr]\n${stream(r.stderr)}[stdout]\n${
        stream(r.stdout)
      }[exit ${r.status}]\n`;
      net.runFor(100e6); // the recording paused between commands
    }
    const expected = Deno.readTextFileSync(new URL("./curl_output.expected", import.meta.url));
    const got = mask(transcript).split("\n");
    const want = mask(expected).split("\n");
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      assert.equal(JSON.stringify(got[i]), JSON.stringify(want[i]), `line ${i + 1}`);
    }
    // The two files -o wrote hold the body.
    assert.equal(
      new TextDecoder().decode(client.files.get("/tmp/body.out") as Uint8Array),
      "hello\n",
    );
  },
);
