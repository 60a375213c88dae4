import assert from "node:assert/strict";
import { max5data, time2str } from "./curl.ts";
import { vethPair } from "./test_util.ts";
import { HttpServer } from "../app/http/server.ts";
import { ip } from "../wire/addr.ts";

Deno.test("curl: the meter's five-column sizes and eight-column times (lib/progress.c)", () => {
  assert.deepEqual([0, 6, 99999, 100000, 200000, 10239999].map(max5data), [
    "    0",
    "    6",
    "99999",
    "  97k",
    " 195k",
    "9999k",
  ]);
  assert.equal(max5data(10240000), " 9.7M");
  assert.equal(max5data(150 * 1024 * 1024), " 150M");
  assert.equal(max5data(20 * 1024 ** 3), "20.0G");
  assert.deepEqual([0, 1, 61, 3600, 359999, 360000].map(time2str), [
    "--:--:--",
    " 0:00:01",
    " 0:01:01",
    " 1:00:00",
    "99:59:59",
    "  4d 04h",
  ]);
});

/** Command-line errors curl 7.88.1 prints, with its exit status. */
const USAGE: Array<[string, string, number]> = [
  ["curl", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2],
  [
    "curl -s",
    "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl -o",
    "curl: option -o: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl --max-time",
    "curl: option --max-time: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl -m abc http://x/",
    "curl: option -m: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl --max-time -1 http://x/",
    "curl: option --max-time: expected a positive numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl --frobnicate http://x/",
    "curl: option --frobnicate: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  [
    "curl -Z9 http://x/",
    "curl: option -Z9: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    2,
  ],
  ["curl -L http://x/", "curl: option -L: is not supported by packetlab\n", 2],
  ["curl --resolve bad http://x/", "curl: (49) Couldn't parse CURLOPT_RESOLVE entry 'bad'\n", 49],
  ["curl http://10.0.0.2:99999/", "curl: (3) URL using bad/illegal format or missing URL\n", 3],
  ["curl http://10.0.0.2:abc/", "curl: (3) URL using bad/illegal format or missing URL\n", 3],
  ["curl http://[::1]/", "curl: (3) URL using bad/illegal format or missing URL\n", 3],
  ["curl foo://10.0.0.2/", 'curl: (1) Protocol "foo" not supported or disabled in libcurl\n', 1],
  ["curl -s https://10.0.0.2/", "", 1],
  [
    "curl -sS https://10.0.0.2/",
    'curl: (1) Protocol "https" not supported or disabled in libcurl\n',
    1,
  ],
];

for (const [cmd, err, status] of USAGE) {
  Deno.test(`curl: ${cmd}`, () => {
    const { a } = vethPair();
    const r = a(cmd);
    assert.equal(r.stderr, err);
    assert.equal(r.stdout, "");
    assert.equal(r.status, status);
  });
}

function served() {
  const p = vethPair();
  const web = new HttpServer(p.lab.netns.get("b")!);
  web.route("/", () => ({ body: "hello\n" }));
  web.route("/big", () => ({ body: new Uint8Array(200_000).fill(0x78) }));
  assert.equal(web.start(), undefined);
  return { ...p, web };
}

Deno.test("curl: URL forms — no scheme, upper-case scheme, inet_aton host, user info, fragment", () => {
  const { a, web } = served();
  for (
    const url of [
      "10.0.0.2/",
      "HTTP://10.0.0.2/",
      "http://0x0a000002/#top",
      "http://u:p@10.0.0.2:80",
    ]
  ) {
    const r = a(`curl -s ${url}`);
    assert.deepEqual([r.stdout, r.status], ["hello\n", 0], url);
  }
  assert.deepEqual(web.log.map((l) => l.target), ["/", "/", "/", "/"]);
});

Deno.test("curl: -H replaces, removes and adds fields; -A sets User-Agent; -I sends HEAD", () => {
  const { a, web } = served();
  let seen: string[] = [];
  web.route("/h", (ex) => {
    seen = ex.request.headers.map((f) => `${f.name}: ${f.value}`);
    return { body: "ok\n" };
  });
  a("curl -s -H 'Accept:' -H 'Host: example.com' -H 'X-Trace: 1' -H 'X-Empty;' -A probe/1 http://10.0.0.2/h");
  assert.deepEqual(seen, ["Host: example.com", "User-Agent: probe/1", "X-Trace: 1", "X-Empty: "]);
  const head = a("curl -sI http://10.0.0.2/");
  assert.equal(
    head.stdout,
    "HTTP/1.1 200 OK\r\nServer: packetlab\r\nContent-Length: 6\r\n\r\n",
  );
  assert.equal(web.log.at(-1)!.method, "HEAD");
});

Deno.test("curl: -o writes the body into the node's file, stdout stays empty; meter on stderr", () => {
  const { a, lab } = served();
  const r = a("curl -o /tmp/big.out http://10.0.0.2/big");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "");
  assert.equal((lab.files.get("/tmp/big.out") as Uint8Array).length, 200_000);
  const lines = r.stderr.split("\n");
  assert.equal(
    lines[0],
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current",
  );
  // The last redraw: 100% of 195k received, upload columns zero, no time estimates yet.
  const last = lines.at(-2)!.split("\r").at(-1)!;
  assert.equal(last.slice(0, 33), "100  195k  100  195k    0     0  ");
  assert.equal(last.slice(38, 73), "      0 --:--:-- --:--:-- --:--:-- ");
  assert.equal(last.length, 78);
});

Deno.test("curl: names from /etc/hosts and localhost; unknown names fail with (6)", () => {
  const { a, lab, web } = served();
  lab.files.set(
    "/etc/hosts",
    new TextEncoder().encode("127.0.0.1 localhost\n10.0.0.2 web.lab web\n"),
  );
  assert.equal(a("curl -s http://web/").stdout, "hello\n");
  assert.equal(web.log.at(-1)!.remoteAddr, ip("10.0.0.1"));
  const bad = a("curl -sS http://nowhere.lab/");
  assert.deepEqual([bad.stderr, bad.status], [
    "curl: (6) Could not resolve host: nowhere.lab\n",
    6,
  ]);
  const lo = a("curl -sS http://localhost:8080/");
  assert.equal(lo.status, 7, "lo is up in the namespace, nothing listens on 8080");
});

Deno.test("curl: the exit status is the last transfer's; later URLs still run", () => {
  const { a } = served();
  const r = a("curl -sS http://10.0.0.2:81/ http://10.0.0.2/");
  assert.equal(r.stdout, "hello\n");
  assert.equal(r.status, 0);
  const r2 = a("curl -sS http://10.0.0.2/ http://10.0.0.2:81/");
  assert.equal(r2.status, 7);
});

Deno.test("curl: DNS that does not answer — 6 after glibc's retries, 28 within --connect-timeout", () => {
  const { a, b, lab, net } = served();
  lab.files.set("/etc/netns/a/resolv.conf", new TextEncoder().encode("nameserver 10.0.0.2\n"));
  b("iptables -A INPUT -p udp --dport 53 -j DROP");
  let t0 = net.sim.now;
  const slow = a("curl -sS http://www.lab/");
  assert.deepEqual([slow.status, slow.stderr], [6, "curl: (6) Could not resolve host: www.lab\n"]);
  assert.equal(net.sim.now - t0, 10e9, "two attempts of 5 s (resolv.conf defaults)");
  t0 = net.sim.now;
  const fast = a("curl -sS --connect-timeout 3 http://www.lab/");
  assert.deepEqual([fast.status, fast.stderr], [
    28,
    "curl: (28) Resolving timed out after 3000 milliseconds\n",
  ]);
  assert.equal(net.sim.now - t0, 3e9);
});
