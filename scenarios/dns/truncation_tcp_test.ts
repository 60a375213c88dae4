/**
 * Truncation and the retry over TCP (RFC 1035 §4.2.1, RFC 7766): many.163.com.
 * has 40 A records, 670 bytes of answer. Asked over UDP without EDNS (512
 * bytes at most) the server sets TC and sends the 30 records that fit (BIND
 * keeps part of an RRset; with +ignore dig shows them); dig prints
 * ";; Truncated, retrying in TCP mode." and asks again over TCP, where the
 * message travels with its two-byte length and all 40 records arrive. With
 * EDNS (1232 bytes) the same answer fits in UDP. A bigger RRset (100 records)
 * does not fit even with EDNS: the resolver retries over TCP upstream, and
 * its own UDP answer to the pc is truncated in turn, so dig retries over TCP
 * to the resolver.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DnsClass, type DnsRecord } from "../../core/app/dns/message.ts";
import { TcpFlag } from "../../core/wire/packet.ts";
import { describe, dnsLab, dnsOnWire } from "./dns_testing.ts";

function many(name: string, n: number): DnsRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name,
    class: DnsClass.IN,
    ttl: 600,
    data: { type: "A", address: (10 << 24 | 1 << 16 | (i >> 8) << 8 | (i & 255) + 1) >>> 0 },
  }));
}

scenario("dns: TC over UDP without EDNS, then the whole answer over TCP", (net) => {
  const lab = dnsLab(net);
  const zone = lab.authServer.zones.get("163.com.")!;
  for (const rr of many("many.163.com.", 40)) zone.add(rr);
  const r = lab.pc.sh("dig @198.51.100.3 +noedns many.163.com");
  assert.equal(r.status, 0);
  assert.ok(r.out.startsWith(";; Truncated, retrying in TCP mode.\n\n; <<>> DiG "), r.out);
  assert.match(r.out, /;; flags: qr aa rd; QUERY: 1, ANSWER: 40, AUTHORITY: 0, ADDITIONAL: 0/);
  assert.match(r.out, /^;; SERVER: 198\.51\.100\.3#53\(198\.51\.100\.3\) \(TCP\)$/m);
  assert.match(r.out, /^;; MSG SIZE {2}rcvd: 670$/m);
  const wire = dnsOnWire(net, { node: "pc" }).concat(dnsOnWire(net, { node: "auth" }))
    .sort((a, b) => a.time - b.time).map(describe).map((l) =>
      l.replace(/192\.168\.1\.10:\d+/, "pc")
    );
  assert.deepEqual(wire, [
    "pc > 198.51.100.3:53 udp query many.163.com. A rd",
    "198.51.100.3:53 > pc udp response many.163.com. A NOERROR aa tc 30/0/0",
    "pc > 198.51.100.3:53 tcp query many.163.com. A rd",
    "198.51.100.3:53 > pc tcp response many.163.com. A NOERROR aa 40/0/0",
  ]);
  // The TCP exchange: handshake, the query, the answer, and dig closes first.
  const tcp = net.trace.filter({
    kind: "tx",
    node: "pc",
    where: (e) => e.packet.tcp !== undefined,
  });
  assert.equal(tcp[0]!.packet.tcp!.flags, TcpFlag.SYN);
  assert.ok(tcp.some((e) => (e.packet.tcp!.flags & TcpFlag.FIN) !== 0));
  // With +ignore dig keeps the truncated answer: 30 of the 40 records, TC set.
  const partial = lab.pc.sh("dig @198.51.100.3 +noedns +ignore many.163.com").out;
  assert.match(partial, /;; flags: qr aa tc rd; QUERY: 1, ANSWER: 30, AUTHORITY: 0, ADDITIONAL: 0/);
  assert.match(partial, /^;; MSG SIZE {2}rcvd: 510$/m);
  // With EDNS the 670 bytes fit in one datagram.
  const edns = lab.pc.sh("dig @198.51.100.3 many.163.com");
  assert.doesNotMatch(edns.out, /Truncated/);
  assert.match(edns.out, /\(UDP\)/);
  assert.equal(lab.authServer.listeners[0]!.stats.truncated, 2);
});

scenario("dns: an answer too big even for EDNS goes over TCP upstream and to the client", (net) => {
  const lab = dnsLab(net);
  const zone = lab.authServer.zones.get("163.com.")!;
  for (const rr of many("huge.163.com.", 100)) zone.add(rr);
  const r = lab.pc.sh("dig huge.163.com");
  assert.ok(r.out.startsWith(";; Truncated, retrying in TCP mode.\n"));
  assert.match(r.out, /ANSWER: 100,/);
  assert.match(r.out, /^;; SERVER: 10\.53\.0\.53#53\(10\.53\.0\.53\) \(TCP\)$/m);
  assert.deepEqual(lab.resolver.upstream.map((u) => [u.zone, u.transport, u.outcome]), [
    [".", "udp", "answer"],
    [".", "udp", "referral"],
    ["com.", "udp", "referral"],
    ["163.com.", "udp", "truncated"],
    ["163.com.", "tcp", "answer"],
  ]);
  assert.deepEqual(
    [lab.resolver.listeners[0]!.stats.udpQueries, lab.resolver.listeners[0]!.stats.tcpQueries],
    [1, 1],
  );
  // The second time the resolver answers from its cache, over TCP, with all 100 records.
  assert.equal(lab.pc.sh("dig +tcp +short huge.163.com").out.trim().split("\n").length, 100);
  assert.equal(lab.resolver.upstream.length, 5);
});
