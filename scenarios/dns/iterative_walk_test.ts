/**
 * The notes' resolution walk on the wire: the pc asks its local DNS server
 * (the ISP's resolver) for www.163.com with RD set; the resolver, with an
 * empty cache, first primes (RFC 8109: `. NS` to the root server of its
 * hints, as Unbound does before its first resolution), then asks the root
 * server for the name (no RD), which refers it to the com.
 * servers (AA clear, NS in AUTHORITY, glue in ADDITIONAL); the com. server
 * refers it to ns1.163.com.; the 163.com. server answers with AA; the
 * resolver answers the pc with RA set and AA clear. Every DNS message on the
 * wire, in order, read back from the trace.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatRecord } from "../../core/app/dns/format.ts";
import { describe, dnsLab, dnsOnWire } from "./dns_testing.ts";

scenario("dns: iterative resolution root → com. → 163.com. as seen on the wire", (net) => {
  const lab = dnsLab(net);
  const r = lab.pc.sh("dig +nocookie www.163.com");
  assert.equal(r.status, 0);
  assert.match(r.out, /^www\.163\.com\.\t\t600\tIN\tA\t203\.0\.113\.80$/m);
  const wire = dnsOnWire(net);
  const ports = wire.map((w) => w.from.endsWith(":53") ? w.to : w.from);
  assert.deepEqual(wire.map(describe), [
    `${ports[0]} > 10.53.0.53:53 udp query www.163.com. A rd`,
    `${ports[1]} > 198.51.100.1:53 udp query . NS`,
    `198.51.100.1:53 > ${ports[2]} udp response . NS NOERROR aa 1/0/1`,
    `${ports[3]} > 198.51.100.1:53 udp query www.163.com. A`,
    `198.51.100.1:53 > ${ports[4]} udp response www.163.com. A NOERROR 0/1/1`,
    `${ports[5]} > 198.51.100.2:53 udp query www.163.com. A`,
    `198.51.100.2:53 > ${ports[6]} udp response www.163.com. A NOERROR 0/1/1`,
    `${ports[7]} > 198.51.100.3:53 udp query www.163.com. A`,
    `198.51.100.3:53 > ${ports[8]} udp response www.163.com. A NOERROR aa 1/1/1`,
    `10.53.0.53:53 > ${ports[9]} udp response www.163.com. A NOERROR 1/0/0`,
  ]);
  // Priming: the root NS RRset with the root server's address in ADDITIONAL.
  assert.deepEqual(wire[2]!.message.answers.map(formatRecord), [
    ".\t\t\t86400\tIN\tNS\ta.root-servers.net.",
  ]);
  assert.deepEqual(wire[2]!.message.additionals.map(formatRecord), [
    "a.root-servers.net.\t3600000\tIN\tA\t198.51.100.1",
  ]);
  // The referrals: the delegation in AUTHORITY, its glue in ADDITIONAL, AA clear.
  const fromRoot = wire[4]!.message;
  assert.deepEqual(fromRoot.authorities.map(formatRecord), [
    "com.\t\t\t172800\tIN\tNS\ta.gtld-servers.net.",
  ]);
  assert.deepEqual(fromRoot.additionals.map(formatRecord), [
    "a.gtld-servers.net.\t172800\tIN\tA\t198.51.100.2",
  ]);
  const fromTld = wire[6]!.message;
  assert.deepEqual(fromTld.authorities.map(formatRecord), [
    "163.com.\t\t172800\tIN\tNS\tns1.163.com.",
  ]);
  assert.deepEqual(fromTld.additionals.map(formatRecord), [
    "ns1.163.com.\t\t172800\tIN\tA\t198.51.100.3",
  ]);
  // The resolver's queries carry no RD and an OPT record; each leaves from its own port.
  for (const i of [1, 3, 5, 7]) {
    assert.equal(wire[i]!.message.rd, false);
    assert.equal(wire[i]!.message.edns?.udpSize, 1232);
  }
  assert.equal(new Set([ports[1], ports[3], ports[5], ports[7]]).size, 4);
  // The client's answer: RA set, AA clear, the same id as its query.
  const answer = wire[9]!.message;
  assert.deepEqual([answer.ra, answer.aa, answer.id], [true, false, wire[0]!.message.id]);
  // Each server saw the resolver's address as the client.
  assert.deepEqual(lab.rootServer.log.map((e) => [e.client, e.name]), [[0x0a350035, "."], [
    0x0a350035,
    "www.163.com.",
  ]]);
  for (const s of [lab.tldServer, lab.authServer]) {
    assert.deepEqual(s.log.map((e) => [e.client, e.name]), [[0x0a350035, "www.163.com."]]);
  }
  assert.deepEqual(lab.resolver.upstream.map((u) => [u.zone, u.outcome]), [
    [".", "answer"],
    [".", "referral"],
    ["com.", "referral"],
    ["163.com.", "answer"],
  ]);
});
