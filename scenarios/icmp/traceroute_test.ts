/**
 * traceroute's UDP method: probes to ports 33434, 33435, … with TTL 1 for the
 * first three, 2 for the next three, and so on; each router where a probe's
 * TTL runs out answers time exceeded and is listed as that hop; the
 * destination answers port unreachable, which ends the trace. Options -q
 * (probes per hop), -m (max hops), -n (numbers only) and -f (first TTL)
 * change the probes and the lines exactly as the manual says.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { payloadLength } from "../../core/wire/packet.ts";
import { ip, line } from "./topology_testing.ts";

/** Hop lines of traceroute's output as [hop, first address, rest]. */
function hops(stdout: string): Array<[number, string, string]> {
  return stdout.split("\n").slice(1).filter((l) => l.trim() !== "").map((l) => {
    const m = /^\s*(\d+)\s+(\S+)(.*)$/.exec(l);
    assert.ok(m, l);
    return [Number(m[1]), m[2]!, m[3]!];
  });
}

scenario("traceroute: UDP probes from port 33434, three per TTL, TTL 1, 2, 3", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(
    out.stdout,
    /^traceroute to 10\.0\.2\.2 \(10\.0\.2\.2\), 30 hops max, 60 byte packets$/m,
  );
  const probes = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  // Port n-th probe = 33434 + n; its TTL = n / 3 + 1; each a 60-byte IP packet without DF.
  for (const e of probes) {
    const n = e.packet.udp!.dstPort - 33434;
    assert.ok(n >= 0);
    assert.equal(e.packet.ip!.ttl, Math.floor(n / 3) + 1);
    assert.equal(e.packet.ip!.df, false);
    assert.equal(e.packet.ip!.dst, ip("10.0.2.2"));
    assert.equal(20 + 8 + payloadLength(e.packet.udp!.payload), 60);
  }
  const ports = probes.map((e) => e.packet.udp!.dstPort).sort((x, y) => x - y);
  assert.deepEqual(ports.slice(0, 9), [
    33434,
    33435,
    33436,
    33437,
    33438,
    33439,
    33440,
    33441,
    33442,
  ]);
  assert.deepEqual(hops(out.stdout).map((h) => [h[0], h[1]]), [
    [1, "10.0.1.1"],
    [2, "10.0.12.2"],
    [3, "10.0.2.2"],
  ]);
  // Three answers per hop, each with its time; names are the addresses (no DNS).
  for (const [, addr, rest] of hops(out.stdout)) {
    assert.match(
      rest,
      new RegExp(`^ \\(${addr.replaceAll(".", "\\.")}\\)( {2}\\d+\\.\\d{3} ms){3}$`),
    );
  }
  // Who answered what: time exceeded from the routers, port unreachable from b.
  const answers = net.trace.filter({ kind: "rx", node: "a", proto: 1 }).map((e) =>
    `${e.packet.icmp!.type}/${e.packet.icmp!.code} from ${e.packet.ip!.src >>> 0}`
  );
  assert.equal(answers.filter((x) => x === `11/0 from ${ip("10.0.1.1")}`).length, 3);
  assert.equal(answers.filter((x) => x === `11/0 from ${ip("10.0.12.2")}`).length, 3);
  assert.ok(answers.filter((x) => x === `3/3 from ${ip("10.0.2.2")}`).length >= 3);
});

scenario("traceroute -n -q 1 -m 2: one probe per hop, two hops, numbers only", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute -n -q 1 -m 2 10.0.2.2");
  assert.equal(out.status, 0);
  assert.match(
    out.stdout,
    /^traceroute to 10\.0\.2\.2 \(10\.0\.2\.2\), 2 hops max, 60 byte packets$/m,
  );
  assert.deepEqual(hops(out.stdout), [
    [1, "10.0.1.1", hops(out.stdout)[0]![2]],
    [2, "10.0.12.2", hops(out.stdout)[1]![2]],
  ]);
  for (const [, , rest] of hops(out.stdout)) assert.match(rest, /^ {2}\d+\.\d{3} ms$/);
  // Two probes in all, TTL 1 and 2; b never saw one.
  const probes = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.deepEqual(probes.map((e) => [e.packet.ip!.ttl, e.packet.udp!.dstPort]), [
    [1, 33434],
    [2, 33435],
  ]);
  assert.equal(net.trace.filter({ kind: "rx", node: "b", proto: 17 }).length, 0);
});

scenario("traceroute -f 2 -q 2: starts at the second hop with two probes each", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute -n -f 2 -q 2 10.0.2.2");
  assert.deepEqual(hops(out.stdout).map((h) => [h[0], h[1]]), [[2, "10.0.12.2"], [3, "10.0.2.2"]]);
  const probes = net.trace.filter({ kind: "tx", node: "a", proto: 17 });
  assert.ok(probes.every((e) => e.packet.ip!.ttl >= 2));
  assert.equal(
    net.trace.filter({ kind: "rx", node: "r1", proto: 17 }).every((e) => e.packet.ip!.ttl >= 2),
    true,
  );
  assert.equal(net.trace.filter({ kind: "tx", node: "r1", icmp: 11, src: "10.0.1.1" }).length, 0);
});

scenario("traceroute: to the gateway itself, one hop and done", (net) => {
  const { a } = line(net);
  const out = a.sh("traceroute -n 10.0.1.1");
  assert.deepEqual(hops(out.stdout).map((h) => [h[0], h[1]]), [[1, "10.0.1.1"]]);
  assert.equal(net.trace.filter({ icmp: 11 }).length, 0);
  assert.ok(
    net.trace.filter({ kind: "tx", node: "r1", icmp: 3 }).every((e) => e.packet.icmp!.code === 3),
  );
});
