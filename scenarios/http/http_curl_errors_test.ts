/**
 * curl's failures, each traced to what happened on the wire, with curl
 * 7.88.1's message and exit status:
 *
 * - a closed port: the SYN is answered by RST|ACK, connect() fails with
 *   ECONNREFUSED one round trip later → (7) "Couldn't connect to server";
 * - SYNs silently dropped (`iptables -j DROP`): Linux retransmits the SYN
 *   after 1 s, 2 s, …; `--connect-timeout 2` gives up after two SYNs → (28);
 *   `-m` likewise → (28) "Connection timed out"; without either, connect()
 *   itself fails when `tcp_syn_retries` are spent (1 + 2 + 4 s with 2
 *   retries) → (7) with "Connection timed out" in the verbose lines;
 * - a name DNS does not know (NXDOMAIN from the name server in
 *   /etc/resolv.conf) → (6), where a name it knows connects;
 * - a server that accepts and closes → (52) "Empty reply from server"; one
 *   that closes mid-body → (18) with the bytes missing; one that resets →
 *   (56); one that does not speak HTTP → (1).
 *
 *   a 10.0.0.1 ──── 1 ms ──── 10.0.0.2 b
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { DropReason } from "../../core/sim/trace.ts";
import { utf8 } from "../../core/app/http/message.ts";
import { AuthoritativeServer } from "../../core/app/dns/authoritative.ts";
import { brief, pair, segments, serve } from "../transport/tcp_testing.ts";
import { webServer } from "./http_testing.ts";

scenario("curl errors: a closed port — RST, exit 7 after one round trip", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  webServer(b);
  const r = a.sh("curl http://10.0.0.2:81/");
  assert.equal(r.status, 7);
  assert.equal(
    r.stderr.split("\n").at(-2),
    "curl: (7) Failed to connect to 10.0.0.2 port 81 after 2 ms: Couldn't connect to server",
  );
  assert.deepEqual(segments(net).map(brief), ["a S 0", "b R. 0 ack 1"]);
  const v = a.sh("curl -sv http://10.0.0.2:81/");
  assert.deepEqual(v.stderr.split("\n").slice(0, 4), [
    "*   Trying 10.0.0.2:81...",
    "* connect to 10.0.0.2 port 81 failed: Connection refused",
    "* Failed to connect to 10.0.0.2 port 81 after 2 ms: Couldn't connect to server",
    "* Closing connection 0",
  ]);
});

scenario(
  "curl errors: SYNs dropped — --connect-timeout 2 gives up after two SYNs, exit 28",
  (net) => {
    const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
    webServer(b);
    b.sh("iptables -A INPUT -p tcp --dport 8080 -j DROP");
    const t0 = net.sim.now;
    const r = a.sh("curl -sS --connect-timeout 2 http://10.0.0.2:8080/");
    assert.deepEqual([r.status, r.stderr], [
      28,
      "curl: (28) Failed to connect to 10.0.0.2 port 8080 after 2000 ms: Timeout was reached\n",
    ]);
    assert.equal(net.sim.now - t0, 2 * s);
    net.run();
    // The SYN and its retransmission after Linux's initial RTO of 1 s; nothing after curl gave up.
    const syns = segments(net, { node: "a" }).filter((g) => g.flags === "S");
    assert.deepEqual(syns.map((g) => (g.time - t0) / ms), [0, 1000]);
    const drops = net.trace.filter({ kind: "drop", node: "b", proto: 6 });
    assert.equal(drops.length, 2);
    assert.ok(drops.every((d) => d.reason === DropReason.netfilter));
    assert.equal(segments(net, { node: "b" }).length, 0, "the server never answered");
  },
);

scenario("curl errors: -m 2.5 — 'Connection timed out after 2500 milliseconds', exit 28", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  b.sh("iptables -A INPUT -p tcp --dport 8080 -j DROP");
  const r = a.sh("curl -sS -m 2.5 http://10.0.0.2:8080/");
  assert.deepEqual([r.status, r.stderr], [
    28,
    "curl: (28) Connection timed out after 2500 milliseconds\n",
  ]);
});

scenario(
  "curl errors: with no timeout of its own, connect() fails after tcp_syn_retries → 7",
  (net) => {
    const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
    b.sh("iptables -A INPUT -p tcp --dport 8080 -j DROP");
    a.sh("sysctl -w net.ipv4.tcp_syn_retries=2");
    const t0 = net.sim.now;
    const r = a.sh("curl -v http://10.0.0.2:8080/");
    assert.equal(r.status, 7);
    assert.match(r.stderr, /\* connect to 10\.0\.0\.2 port 8080 failed: Connection timed out\n/);
    assert.match(
      r.stderr,
      /curl: \(7\) Failed to connect to 10\.0\.0\.2 port 8080 after 7000 ms: Couldn't connect to server\n$/,
    );
    const syns = segments(net, { node: "a" }).filter((g) => g.flags === "S");
    assert.deepEqual(syns.map((g) => (g.time - t0) / ms), [0, 1000, 3000]);
  },
);

scenario("curl errors: names through DNS — found, then NXDOMAIN → 6", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  webServer(b);
  // b is also the name server of the zone "lab.": www.lab. is b.
  const ns = new AuthoritativeServer();
  ns.addZoneText(`
$ORIGIN lab.
$TTL 300
@   SOA ns hostmaster 1 7200 3600 1209600 60
    NS  ns
ns  A   10.0.0.2
www A   10.0.0.2
`);
  ns.listen(b.root);
  a.files.set("/etc/resolv.conf", utf8("nameserver 10.0.0.2\n"));
  const ok = a.sh("curl -sv http://www.lab/");
  assert.equal(ok.stdout, "hello\n");
  assert.match(ok.stderr, /^\* Connected to www\.lab \(10\.0\.0\.2\) port 80 \(#0\)$/m);
  assert.match(ok.stderr, /^> Host: www\.lab\r$/m);
  const r = a.sh("curl -sS http://www.nowhere.lab/");
  assert.deepEqual([r.status, r.stderr], [
    6,
    "curl: (6) Could not resolve host: www.nowhere.lab\n",
  ]);
  // The stub asked for an A record and got NXDOMAIN; no TCP connection was tried.
  assert.deepEqual(ns.log.map((l) => [l.name, l.rcode]), [["www.lab.", 0], [
    "www.nowhere.lab.",
    3,
  ]]);
  assert.equal(segments(net).filter((g) => g.flags === "S").length, 1, "only the one to www.lab");
});

scenario("curl errors: accepted and closed at once — (52) Empty reply from server", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  serve(b, 80, { onConn: (c) => c.onData = () => c.close() });
  const r = a.sh("curl -sS http://10.0.0.2/");
  assert.deepEqual([r.status, r.stdout, r.stderr], [
    52,
    "",
    "curl: (52) Empty reply from server\n",
  ]);
});

scenario("curl errors: the body cut short — (18) with the bytes that were missing", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  serve(b, 80, {
    onConn: (c) => {
      c.onData = () => {
        c.send(utf8("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
        c.close();
      };
    },
  });
  const r = a.sh("curl -sS http://10.0.0.2/");
  assert.deepEqual([r.status, r.stdout, r.stderr], [
    18,
    "abc",
    "curl: (18) transfer closed with 7 bytes remaining to read\n",
  ]);
});

scenario("curl errors: a reset mid-response — (56) Recv failure", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  serve(b, 80, {
    onConn: (c) => {
      c.onData = () => {
        c.send(utf8("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"));
        net.sim.after(5 * ms, () => c.abort());
      };
    },
  });
  const r = a.sh("curl -sS http://10.0.0.2/");
  assert.deepEqual([r.status, r.stdout, r.stderr], [
    56,
    "partial",
    "curl: (56) Recv failure: Connection reset by peer\n",
  ]);
  assert.ok(segments(net, { node: "b" }).some((g) => g.flags.includes("R")));
});

scenario("curl errors: a reply that is not HTTP — (1) HTTP/0.9 refused", (net) => {
  const { a, b } = pair(net, { delay: "1ms" }, { permanent: true });
  serve(b, 80, {
    onConn: (c) => {
      c.onData = () => {
        c.send(utf8("HELLO THERE\r\n\r\n"));
        c.close();
      };
    },
  });
  const r = a.sh("curl -sS http://10.0.0.2/");
  assert.deepEqual([r.status, r.stderr], [1, "curl: (1) Received HTTP/0.9 when not allowed\n"]);
});
