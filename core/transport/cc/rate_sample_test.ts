import assert from "node:assert/strict";
import {
  beginAck,
  checkAppLimited,
  generateRateSample,
  markAppLimited,
  newRateEstimator,
  onPacketAcked,
  onPacketLost,
  onPacketSent,
  type PacketSnapshot,
  type RateEstimator,
} from "./rate_sample.ts";
import type { RateSample } from "./types.ts";
import { MS, SEC } from "./test_util.ts";

const MSS = 1000;

/** A scripted connection: packets sent and acknowledged by index. */
class Script {
  c: RateEstimator = newRateEstimator();
  pkts: PacketSnapshot[] = [];
  inFlight = 0;

  send(now: number, n = 1, isRetransmission = false): this {
    for (let i = 0; i < n; i++) {
      this.pkts.push(
        onPacketSent(this.c, { now, size: MSS, bytesInFlight: this.inFlight, isRetransmission }),
      );
      this.inFlight += MSS;
    }
    return this;
  }

  ack(now: number, idx: number[], opts: { lost?: number[]; minRtt?: number } = {}): RateSample {
    const a = beginAck(this.c, now, this.inFlight);
    for (const i of idx) {
      const p = this.pkts[i]!;
      if (!p.counted) this.inFlight -= MSS;
      onPacketAcked(this.c, a, p);
    }
    for (const i of opts.lost ?? []) {
      onPacketLost(this.c, a, this.pkts[i]!);
      this.inFlight -= MSS;
    }
    return generateRateSample(this.c, a, opts.minRtt ?? 100 * MS);
  }
}

interface Case {
  name: string;
  run: () => RateSample;
  want: Partial<RateSample>;
}

const cases: Case[] = [
  {
    // 10 packets sent at t=0; the 1st ACK at 100 ms: delivered 1000 B over
    // max(send 0, ack 100 ms) = 100 ms → 10 000 B/s.
    name: "first ACK of a burst: interval is the ACK elapsed time",
    run: () => new Script().send(0, 10).ack(100 * MS, [0]),
    want: {
      delivered: 1000,
      interval: 100 * MS,
      deliveryRate: 10_000,
      priorDelivered: 0,
      deliveredTotal: 1000,
      rtt: 100 * MS,
      newlyAcked: 1000,
      priorInFlight: 10_000,
      txInFlight: 1000,
    },
  },
  {
    // ACKs of packets 0..4 at 100,101,...,104 ms: the 5th sample covers
    // 5000 B over 104 ms (ack elapsed since delivered_time 0).
    name: "fifth ACK of a burst accumulates delivered bytes",
    run: () => {
      const sc = new Script().send(0, 10);
      let rs = sc.ack(100 * MS, [0]);
      for (let i = 1; i < 5; i++) rs = sc.ack((100 + i) * MS, [i]);
      return rs;
    },
    want: {
      delivered: 5000,
      interval: 104 * MS,
      deliveryRate: (5000 * SEC) / (104 * MS),
      priorDelivered: 0,
      txInFlight: 5000,
    },
  },
  {
    // Second flight: packet 10 is sent at 100 ms right after the first ACK
    // (P.delivered = 1000, P.delivered_time = 100 ms, first_sent = 0 then
    // reset to packet 0's send time 0 by the ACK). Acked at 200 ms:
    // delivered = 11 000 − 1000 = 10 000 B; send elapsed = 100 ms − 0;
    // ack elapsed = 200 − 100 ms → interval 100 ms → 100 000 B/s.
    name: "second flight measures the whole first window",
    run: () => {
      const sc = new Script().send(0, 10);
      sc.ack(100 * MS, [0]);
      sc.send(100 * MS);
      for (let i = 1; i < 10; i++) sc.ack((100 + i) * MS, [i]);
      return sc.ack(200 * MS, [10]);
    },
    want: {
      delivered: 10_000,
      interval: 100 * MS,
      deliveryRate: 100_000,
      priorDelivered: 1000,
      deliveredTotal: 11_000,
      rtt: 100 * MS,
    },
  },
  {
    name: "interval shorter than min RTT is not a valid sample",
    run: () => new Script().send(0, 2).ack(50 * MS, [0], { minRtt: 60 * MS }),
    want: { interval: -1, deliveryRate: 0, delivered: 1000, rtt: 50 * MS },
  },
  {
    name: "unknown min RTT (Infinity) makes every sample invalid",
    run: () => new Script().send(0, 2).ack(50 * MS, [0], { minRtt: Infinity }),
    want: { interval: -1, deliveryRate: 0 },
  },
  {
    name: "an ACK that delivers nothing gives an empty sample",
    run: () => new Script().send(0, 2).ack(100 * MS, []),
    want: { interval: -1, delivered: 0, newlyAcked: 0, rtt: -1, priorInFlight: 2000 },
  },
  {
    // Packets 0..3 all leave at t=0; one ACK covers 0..3: the newest is the
    // last transmitted (3), whose txInFlight was 4000.
    name: "newest packet chosen by transmission order at equal send times",
    run: () => new Script().send(0, 4).ack(100 * MS, [0, 1, 2, 3]),
    want: { delivered: 4000, newlyAcked: 4000, txInFlight: 4000, priorDelivered: 0 },
  },
  {
    name: "SACKed then cumulatively ACKed packet counts once",
    run: () => {
      const sc = new Script().send(0, 3);
      sc.ack(100 * MS, [1]); // SACK of packet 1
      return sc.ack(101 * MS, [0, 1]); // cumulative ACK covering 0 and 1
    },
    want: { newlyAcked: 1000, deliveredTotal: 2000 },
  },
  {
    // Packet 0 retransmitted at 50 ms (as packet index 2); the ACK of the
    // retransmission has no RTT sample under Karn's rule.
    name: "retransmitted data acknowledged: no RTT sample",
    run: () => {
      const sc = new Script().send(0, 2);
      sc.send(50 * MS, 1, true);
      return sc.ack(150 * MS, [2, 1]);
    },
    want: { rtt: -1, newlyAcked: 2000 },
  },
  {
    name: "RTT from the newest non-retransmitted packet",
    run: () => {
      const sc = new Script().send(0).send(10 * MS);
      return sc.ack(120 * MS, [0, 1]);
    },
    want: { rtt: 110 * MS },
  },
  {
    // Packet 0 marked lost on the ACK of packet 3: newlyLost 1000. Packet 3
    // was sent before the loss, so losses (C.lost − P.lost) = 1000.
    name: "loss counts: newly lost on this ACK and lost since the send",
    run: () => {
      const sc = new Script().send(0, 4);
      return sc.ack(100 * MS, [1, 2, 3], { lost: [0] });
    },
    want: { newlyLost: 1000, losses: 1000, newlyAcked: 3000, priorInFlight: 4000 },
  },
  {
    name: "packet sent after a loss does not see it in `losses`",
    run: () => {
      const sc = new Script().send(0, 2);
      sc.ack(100 * MS, [1], { lost: [0] });
      sc.send(100 * MS);
      return sc.ack(200 * MS, [2]);
    },
    want: { newlyLost: 0, losses: 0 },
  },
  {
    name: "packet sent while application-limited gives an app-limited sample",
    run: () => {
      const sc = new Script();
      markAppLimited(sc.c, 0);
      sc.send(0);
      return sc.ack(100 * MS, [0]);
    },
    want: { isAppLimited: true },
  },
];

for (const tc of cases) {
  Deno.test(`rate sample: ${tc.name}`, () => {
    const rs = tc.run();
    for (const [k, v] of Object.entries(tc.want)) {
      assert.equal(rs[k as keyof RateSample], v, k);
    }
  });
}

Deno.test("rate sample: sending from idle restarts the sampling flight", () => {
  const sc = new Script().send(0);
  sc.ack(100 * MS, [0]);
  assert.equal(sc.inFlight, 0);
  sc.send(5 * SEC);
  assert.equal(sc.c.firstSentTime, 5 * SEC);
  assert.equal(sc.c.deliveredTime, 5 * SEC);
  // The idle gap does not dilute the next sample: 1000 B over 100 ms.
  const rs = sc.ack(5 * SEC + 100 * MS, [1]);
  assert.equal(rs.interval, 100 * MS);
  assert.equal(rs.deliveryRate, 10_000);
});

Deno.test("rate sample: the app-limited bubble ends once its bytes are delivered", () => {
  const sc = new Script().send(0, 2);
  markAppLimited(sc.c, sc.inFlight); // bubble ends after 2000 B delivered
  assert.equal(sc.c.appLimited, 2000);
  sc.send(0); // packet 2 is app-limited
  sc.ack(100 * MS, [0, 1]);
  assert.equal(sc.c.appLimited, 2000, "not past the bubble yet");
  const rs = sc.ack(101 * MS, [2]);
  assert.equal(rs.isAppLimited, true);
  assert.equal(sc.c.appLimited, 0, "cleared once delivered > 2000");
  sc.send(101 * MS);
  assert.equal(sc.ack(201 * MS, [3]).isAppLimited, false);
});

Deno.test("rate sample: markAppLimited with nothing anywhere uses 1 (not 0)", () => {
  const c = newRateEstimator();
  markAppLimited(c, 0);
  assert.equal(c.appLimited, 1);
});

Deno.test("rate sample: checkAppLimited follows the draft's conditions", () => {
  const base = {
    unsentBytes: 0,
    mss: MSS,
    bytesInFlight: 3000,
    cwnd: 10_000,
    lostNotRetransmitted: 0,
  };
  const table: [Partial<typeof base>, boolean][] = [
    [{}, true],
    [{ unsentBytes: MSS }, false], // a full segment is waiting
    [{ bytesInFlight: 10_000 }, false], // cwnd-limited
    [{ lostNotRetransmitted: MSS }, false], // retransmission pending
  ];
  for (const [over, want] of table) {
    const c = newRateEstimator();
    assert.equal(checkAppLimited(c, { ...base, ...over }), want, JSON.stringify(over));
    assert.equal(c.appLimited !== 0, want);
  }
});

Deno.test("rate sample: a steady paced flow measures its pacing rate", () => {
  // One packet every 1 ms (1 MB/s), RTT 50 ms, ACKs one per packet.
  const sc = new Script();
  let last: RateSample | undefined;
  let nextAck = 0;
  for (let t = 0; t <= 400; t++) {
    // ACKs first, then the send of the same millisecond.
    while (nextAck < sc.pkts.length && sc.pkts[nextAck]!.sentTime + 50 * MS <= t * MS) {
      last = sc.ack(t * MS, [nextAck], { minRtt: 50 * MS });
      nextAck++;
    }
    sc.send(t * MS);
  }
  assert.ok(last);
  assert.equal(last.interval, 50 * MS);
  assert.equal(last.deliveryRate, 1_000_000);
});
