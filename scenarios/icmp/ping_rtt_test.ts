/**
 * ping's round-trip time is "now minus the timestamp in the echoed payload",
 * so in virtual time it is exact: over links of known rate and delay it is
 * twice the sum of each link's propagation delay and serialization time
 * (frame bits / rate), and the first ping also includes the ARP exchange it
 * waited for. No wall clock is involved; only virtual-time facts are asserted.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms, us } from "../../core/sim/simulator.ts";
import { line, pair } from "./topology_testing.ts";

/** Serialization time of `bytes` at `bitsPerSecond`, ns (the link rounds up). */
const ser = (bytes: number, bitsPerSecond: number) => Math.ceil((bytes * 8 * 1e9) / bitsPerSecond);

/** iputils' "time=" text for an RTT of `ns`: whole microseconds, 3 significant digits. */
function iputilsTime(ns: number): string {
  const t = Math.floor(ns / 1000);
  if (t >= 99950) return String(Math.round(t / 1000));
  if (t >= 9995) return (t / 1000).toFixed(1);
  if (t >= 1000) return (t / 1000).toFixed(2);
  return (t / 1000).toFixed(3);
}

/** A reply line of ping, as a regular expression. */
function replyLine(bytes: number, from: string, seq: number, ttl: number, ns: number): RegExp {
  const f = from.replaceAll(".", "\\.");
  return new RegExp(
    `^${bytes} bytes from ${f}: icmp_seq=${seq} ttl=${ttl} time=${iputilsTime(ns)} ms$`,
    "m",
  );
}

scenario("ping rtt: one link of 2 ms at 10 Mbit/s gives 2 × (2 ms + 78.4 µs) exactly", (net) => {
  const { a } = pair(net, { rate: "10mbit", delay: "2ms" });
  const out = a.sh("ping -c 3 10.0.0.2");
  // A 56-byte ping is a 98-byte frame: 14 Ethernet + 20 IP + 8 ICMP + 56 data.
  const frame = 98;
  const rtt = 2 * (2 * ms + ser(frame, 10e6));
  assert.equal(rtt, 4_156_800);
  // On the wire: each reply arrives exactly one RTT after its request left.
  const sent = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
  const back = net.trace.filter({ kind: "rx", node: "a", icmp: "echo-reply" });
  assert.deepEqual(back.map((e, k) => e.time - sent[k]!.time), [rtt, rtt, rtt]);
  // The first request waited for ARP (a 42-byte request and reply on the same link),
  // and ping's clock started when it made the request, not when it left.
  const arp = 2 * (2 * ms + ser(42, 10e6));
  assert.equal(sent[0]!.time, arp);
  assert.equal(arp + rtt, 8_224_000);
  assert.match(out.stdout, replyLine(64, "10.0.0.2", 1, 64, arp + rtt)); // 8.22
  assert.match(out.stdout, replyLine(64, "10.0.0.2", 2, 64, rtt)); // 4.16
  assert.match(out.stdout, replyLine(64, "10.0.0.2", 3, 64, rtt));
  assert.match(
    out.stdout,
    /^rtt min\/avg\/max\/mdev = 4\.156\/\d+\.\d{3}\/8\.224\/\d+\.\d{3} ms$/m,
  );
});

scenario(
  "ping rtt: across two routers the delays and serializations of all three links add up",
  (net) => {
    const { a } = line(net, {
      first: { rate: "10mbit", delay: "1ms" },
      middle: { rate: "100mbit", delay: "3ms" },
      last: { rate: "1gbit", delay: "500us" },
    });
    a.sh("ping -c 1 10.0.2.2"); // resolve every next hop first
    const t0 = net.sim.now;
    const out = a.sh("ping -c 1 10.0.2.2");
    const oneWay = 1 * ms + ser(98, 10e6) + 3 * ms + ser(98, 100e6) + 500 * us + ser(98, 1e9);
    assert.equal(2 * oneWay, 9_174_048);
    assert.match(out.stdout, replyLine(64, "10.0.2.2", 1, 62, 2 * oneWay)); // 9.17
    assert.match(out.stdout, /^rtt min\/avg\/max\/mdev = 9\.174\/9\.174\/9\.174\/0\.000 ms$/m);
    // The request took exactly one way to get there; routers add no time of their own.
    const req = net.trace.filter({ icmp: "echo-request" }).filter((e) => e.time >= t0);
    const left = req.find((e) => e.kind === "tx" && e.node === "a")!;
    const arrived = req.find((e) => e.kind === "rx" && e.node === "b")!;
    assert.equal(arrived.time - left.time, oneWay);
  },
);

scenario(
  "ping rtt: a bigger -s costs more serialization, and the line shows the ICMP size",
  (net) => {
    const { a } = pair(net, { rate: "10mbit", delay: "2ms" });
    a.sh("ping -c 1 10.0.0.2");
    const out = a.sh("ping -c 1 -s 1000 10.0.0.2");
    // 1000 data bytes: a 1042-byte frame, 833.6 µs at 10 Mbit/s each way.
    const rtt = 2 * (2 * ms + ser(1042, 10e6));
    assert.equal(rtt, 5_667_200);
    assert.match(out.stdout, /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 1000\(1028\) bytes of data\.$/m);
    assert.match(out.stdout, replyLine(1008, "10.0.0.2", 1, 64, rtt)); // 5.67
    assert.match(out.stdout, /^rtt min\/avg\/max\/mdev = 5\.667\//m);
  },
);

scenario("ping rtt: with fewer than 16 data bytes there is no timestamp, so no time", (net) => {
  const { a } = pair(net, { delay: "2ms" });
  const out = a.sh("ping -c 2 -s 8 10.0.0.2");
  assert.equal(out.status, 0);
  assert.match(out.stdout, /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) 8\(36\) bytes of data\.$/m);
  assert.match(out.stdout, /^16 bytes from 10\.0\.0\.2: icmp_seq=1 ttl=64$/m);
  assert.match(out.stdout, /^16 bytes from 10\.0\.0\.2: icmp_seq=2 ttl=64$/m);
  assert.doesNotMatch(out.stdout, /time=/);
  assert.doesNotMatch(out.stdout, /^rtt /m, "no timing, so no rtt line");
  assert.match(out.stdout, /^2 packets transmitted, 2 received, 0% packet loss/m);
  const req = net.trace.filter({ kind: "tx", node: "a", icmp: "echo-request" });
  assert.deepEqual(req.map((e) => (e.packet.icmp!.payload as Uint8Array).length), [8, 8]);
});
