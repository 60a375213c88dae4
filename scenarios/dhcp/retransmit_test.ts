/**
 * Retransmission with nobody answering. RFC 2131 §4.1: the client waits 4 s,
 * then 8, 16, 32 … (at most 64 s), each time a random amount between −1 and
 * +1 s off, drawn from its own seeded stream — so the same seed gives the same
 * times and another seed other ones. ISC dhclient does it its own way: 3 s
 * plus up to twice the last interval, cut back under 15 s, printed as
 * "interval N"; after 60 s it says "No DHCPOFFERS received." and tries again
 * five minutes or so later. The `secs` field counts the seconds since the first
 * DISCOVER.
 *
 *   srv 192.168.1.1 (no DHCP server) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, lan, secs } from "./dhcp_testing.ts";

/** The DISCOVER times (s) of an RFC-timed client alone on a LAN for 70 s. */
function discoverTimes(net: Network): number[] {
  const { pcs: [pc] } = lan(net, "pc");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0" });
  client.start();
  net.runFor(70e9);
  return dhcpOnWire(net, { type: "DHCPDISCOVER" }).map((w) => secs(w.time));
}

scenario("dhcp retransmit: 4, 8, 16, 32 s, each ±1 s from a seeded stream", (net) => {
  const times = discoverTimes(net);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.equal(times[0], 0);
  assert.ok(gaps.length >= 3, `${gaps.length} retransmissions`);
  [4, 8, 16, 32].slice(0, gaps.length).forEach((base, i) => {
    assert.ok(Math.abs(gaps[i]! - base) <= 1, `gap ${i + 1}: ${gaps[i]} s, not ${base} ± 1`);
  });
  // Another seed, other draws, the same rule.
  const other = discoverTimes(new Network({ seed: 2 }));
  assert.notDeepEqual(other, times);
  const otherGaps = other.slice(1).map((t, i) => t - other[i]!);
  [4, 8, 16].forEach((base, i) => assert.ok(Math.abs(otherGaps[i]! - base) <= 1));
  // secs: whole seconds since the first DISCOVER.
  const sent = dhcpOnWire(net, { type: "DHCPDISCOVER" });
  assert.deepEqual(sent.map((w) => w.message.secs), times.map((t) => Math.floor(t)));
  // Same transaction throughout the attempt.
  assert.equal(new Set(sent.map((w) => w.message.xid)).size, 1);
});

scenario("dhcp retransmit: dhclient's intervals, then 'No DHCPOFFERS received.'", (net) => {
  const { pcs: [pc] } = lan(net, "pc");
  const r = pc!.sh("dhclient -v eth0");
  assert.equal(r.status, 0, "it goes on as a daemon");
  const lines = r.stderr.split("\n").slice(8, -1);
  assert.deepEqual(lines.slice(-2), [
    "No DHCPOFFERS received.",
    "No working leases in persistent database - sleeping.",
  ]);
  const intervals = lines.slice(0, -2).map((l) =>
    Number(/^DHCPDISCOVER on eth0 to 255\.255\.255\.255 port 67 interval (\d+)$/.exec(l)![1])
  );
  const sent = dhcpOnWire(net, { type: "DHCPDISCOVER" }).map((w) => secs(w.time));
  assert.equal(sent.length, intervals.length);
  assert.ok(intervals[0]! >= 3 && intervals[0]! <= 8);
  for (const iv of intervals) assert.ok(iv <= 22, `interval ${iv} above dhclient's cut-back`);
  // Each DISCOVER comes when the previous one said (to the whole second, plus a random fraction).
  for (let i = 1; i < sent.length; i++) {
    assert.equal(Math.floor(sent[i]!), Math.floor(sent[i - 1]!) + intervals[i - 1]!);
  }
  // The last interval stops at the 60 s timeout.
  assert.equal(Math.floor(sent.at(-1)!) + intervals.at(-1)!, 61);
  // Asleep, then at it again 150–450 s later.
  net.runFor(500e9);
  const again = dhcpOnWire(net, { type: "DHCPDISCOVER" }).map((w) => secs(w.time))[sent.length]!;
  assert.ok(again - 61 >= 150 && again - 61 <= 450, `retry at ${again} s`);
});
