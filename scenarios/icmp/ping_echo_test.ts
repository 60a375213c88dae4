/**
 * ping's echo exchange on the wire: requests are ICMP type 8 with one
 * identifier per ping process and sequence numbers 1..N; each reply is type 0
 * with the same identifier and sequence and the request's payload byte for
 * byte (a send timestamp, then iputils' fill pattern). The TTL ping prints is
 * the reply's TTL on arrival: the responder's default TTL minus the routers.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { echoId, echoSeq } from "../../core/wire/icmp.ts";
import { icmpBody, line, pair } from "./topology_testing.ts";

scenario(
  "ping echo: requests share one identifier, sequence runs 1..N, replies mirror them",
  (net) => {
    const { a } = pair(net);
    const out = a.sh("ping -c 4 10.0.0.2");
    assert.equal(out.status, 0);
    const requests = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
    const replies = net.trace.filter({ kind: "tx", node: "b", icmp: "echo-reply" });
    assert.equal(requests.length, 4);
    assert.equal(replies.length, 4);
    const id = echoId(requests[0]!.packet.icmp!);
    for (const [k, e] of requests.entries()) {
      const m = e.packet.icmp!;
      assert.deepEqual([m.type, m.code, echoId(m), echoSeq(m)], [8, 0, id, k + 1]);
      assert.equal(e.packet.ip!.dst, 0x0a000002);
      assert.equal(e.packet.ip!.proto, 1);
    }
    for (const [k, e] of replies.entries()) {
      const m = e.packet.icmp!;
      assert.deepEqual([m.type, m.code, echoId(m), echoSeq(m)], [0, 0, id, k + 1]);
      // The reply goes back to the requester, from the address it asked.
      assert.deepEqual([e.packet.ip!.src, e.packet.ip!.dst], [0x0a000002, 0x0a000001]);
      assert.deepEqual(icmpBody(m), icmpBody(requests[k]!.packet.icmp!));
    }
    // Every reply was taken by the ping socket of that identifier.
    assert.equal(
      net.trace.filter({ kind: "deliver", node: "a", icmp: "echo-reply" })
        .filter((e) => e.detail === `ping id ${id}`).length,
      4,
    );
    for (let seq = 1; seq <= 4; seq++) {
      assert.match(
        out.stdout,
        new RegExp(`^64 bytes from 10\\.0\\.0\\.2: icmp_seq=${seq} ttl=64 `, "m"),
      );
    }
  },
);

scenario("ping echo: 56 data bytes are a send timestamp then the bytes 0x10, 0x11, …", (net) => {
  const { a } = pair(net);
  net.runFor(1_234_567); // start off a microsecond boundary
  const t0 = net.sim.now;
  a.sh("ping -c 3 10.0.0.2");
  const requests = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
  assert.equal(requests.length, 3);
  for (const [k, e] of requests.entries()) {
    const body = icmpBody(e.packet.icmp!);
    assert.equal(body.length, 56);
    assert.equal(e.packet.ip!.df, true, "Linux ping sets DF (IP_PMTUDISC_WANT)");
    // struct timeval: tv_sec and tv_usec, little-endian, as 64-bit fields.
    const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const stamp = dv.getUint32(0, true) * 1e9 + dv.getUint32(8, true) * 1e3;
    assert.equal(dv.getUint32(4, true), 0);
    assert.equal(dv.getUint32(12, true), 0);
    // Requests are made one second apart; the stamp is that time, to the microsecond.
    assert.equal(stamp, 1_234_000 + k * 1e9);
    assert.ok(stamp <= e.time);
    for (let i = 16; i < 56; i++) assert.equal(body[i], i);
  }
  // The first request waited for ARP; the later ones left the moment they were made.
  assert.ok(requests[0]!.time > t0);
  assert.deepEqual(requests.slice(1).map((e) => e.time - t0), [1e9, 2e9]);
});

scenario(
  "ping echo: two pings at once each count only the replies to their own identifier",
  (net) => {
    const { a } = pair(net);
    const bg = a.sh("ping -c 3 -i 0.5 10.0.0.2 &");
    assert.equal(bg.status, 0);
    const fg = a.sh("ping -c 3 10.0.0.2");
    const rest = a.sh("wait");
    const all = bg.out + fg.out + rest.out;
    const requests = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
    const ids = [...new Set(requests.map((e) => echoId(e.packet.icmp!)))];
    assert.equal(ids.length, 2, "one identifier per ping process");
    for (const id of ids) {
      const seqs = requests.filter((e) => echoId(e.packet.icmp!) === id).map((e) =>
        echoSeq(e.packet.icmp!)
      );
      assert.deepEqual(seqs, [1, 2, 3]);
    }
    const stats = all.match(/^3 packets transmitted, 3 received, 0% packet loss/gm) ?? [];
    assert.equal(stats.length, 2, all);
    // Six replies, none counted twice: no "(DUP!)".
    assert.equal((all.match(/^64 bytes from 10\.0\.0\.2/gm) ?? []).length, 6);
    assert.doesNotMatch(all, /DUP!/);
  },
);

scenario("ping echo: the TTL shown is the responder's default TTL minus one per router", (net) => {
  const { a, r1, b } = line(net);
  let out = a.sh("ping -c 1 10.0.2.2");
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=62 time=/m);
  out = a.sh("ping -c 1 10.0.12.2");
  assert.match(out.stdout, /^64 bytes from 10\.0\.12\.2: icmp_seq=1 ttl=63 time=/m);
  out = a.sh("ping -c 1 10.0.1.1");
  assert.match(out.stdout, /^64 bytes from 10\.0\.1\.1: icmp_seq=1 ttl=64 time=/m);
  // A responder that starts at 128 (as Windows does) shows 126 two routers away.
  b.sh("sysctl -w net.ipv4.ip_default_ttl=128");
  out = a.sh("ping -c 1 10.0.2.2");
  assert.match(out.stdout, /^64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=126 time=/m);
  const last = net.trace.filter({ kind: "rx", node: "a", icmp: "echo-reply" }).at(-1)!;
  assert.equal(last.packet.ip!.ttl, 126);
  assert.equal(
    net.trace.filter({ kind: "tx", node: "b", icmp: "echo-reply" }).at(-1)!.packet.ip!.ttl,
    128,
  );
  // The requests themselves left a with 64 and reached b with 62.
  const atB = net.trace.filter({ kind: "rx", node: "b", icmp: "echo-request" });
  assert.ok(atB.every((e) => e.packet.ip!.ttl === 62));
  void r1;
});
