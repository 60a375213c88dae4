/**
 * SERVFAIL when the authoritative server cannot be reached: ns1.163.com.'s
 * interface is down. The root and com. servers still refer the resolver to
 * it; the resolver's query goes unanswered for 800 ms, the second try for
 * 1600 ms, and then the resolver gives up and answers SERVFAIL — within
 * dig's 5 s, so dig prints the SERVFAIL answer (exit 0) after about 2.4 s.
 * glibc treats SERVFAIL as "try again": getent asks twice per type, then
 * exits 2.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

scenario("dns: all authoritative servers unreachable → SERVFAIL after the timeouts", (net) => {
  const lab = dnsLab(net);
  lab.auth.sh("ip link set eth0 down");
  const start = net.sim.now;
  const r = lab.pc.sh("dig www.163.com");
  assert.equal(r.status, 0);
  assert.match(r.out, /;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: \d+/);
  assert.match(r.out, /;; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1/);
  const ms = Number(/;; Query time: (\d+) msec/.exec(r.out)?.[1]);
  assert.ok(ms >= 2400 && ms < 2600, `query time ${ms} ms`);
  const up = lab.resolver.upstream;
  assert.deepEqual(up.map((u) => [u.zone, u.outcome]), [
    [".", "answer"],
    [".", "referral"],
    ["com.", "referral"],
    ["163.com.", "timed out"],
    ["163.com.", "timed out"],
  ]);
  assert.equal(up[4]!.time - up[3]!.time, 800e6);
  assert.ok(net.sim.now - start < 5e9);
  // Nothing reached the 163.com. server; the query answered SERVFAIL is not cached as an answer.
  assert.equal(lab.authServer.log.length, 0);
  assert.equal(lab.resolver.stats.answers.SERVFAIL, 1);
  // The server comes back (its default route went with the link, as on Linux): the next query works.
  lab.auth.sh("ip link set eth0 up; ip route add default via 198.51.100.254; sleep 5");
  assert.equal(lab.pc.sh("dig +short www.163.com").out, "203.0.113.80\n");
});

scenario("dns: glibc retries SERVFAIL once per type, then getent gives up", (net) => {
  const lab = dnsLab(net);
  lab.auth.sh("ip link set eth0 down");
  const r = lab.pc.sh("getent hosts www.163.com");
  assert.equal(r.status, 2);
  assert.equal(r.out, "");
  // AAAA twice (attempts:2), then A twice; each SERVFAIL closes the socket, so each try has a new port.
  const clientQueries = lab.resolver.listeners[0]!.stats.udpQueries;
  assert.equal(clientQueries, 4);
});
