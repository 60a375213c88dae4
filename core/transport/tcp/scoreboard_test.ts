import assert from "node:assert/strict";
import fc from "fast-check";
import { Scoreboard, type SentSegment } from "./scoreboard.ts";
import { newRateEstimator, onPacketSent } from "../cc/rate_sample.ts";

const MSS = 1000;

/** Recount pipe, SACKed and lost-pending bytes from the segments (RFC 6675 definitions). */
function recount(sb: Scoreboard) {
  let pipe = 0, sacked = 0, lostPending = 0;
  for (const s of sb.segments()) {
    const n = s.end - s.start;
    if (s.inPipe) pipe += n;
    if (s.sacked) sacked += n;
    if (s.lost && !s.inPipe && !s.sacked) lostPending += n;
  }
  return { pipe, sacked, lostPending };
}

function fill(sb: Scoreboard, count: number, from = 0, now = 0): void {
  const rate = newRateEstimator();
  for (let i = 0; i < count; i++) {
    const start = from + i * MSS;
    sb.add(
      start,
      start + MSS,
      0,
      now + i,
      onPacketSent(rate, { now, size: MSS, bytesInFlight: 0, isRetransmission: false }),
    );
  }
}

Deno.test("scoreboard: three SACKed segments above a hole mark it lost (RFC 6675 IsLost)", () => {
  const sb = new Scoreboard();
  fill(sb, 6);
  const lost: number[] = [] as number[];
  sb.sack(1 * MSS, 3 * MSS, () => {});
  sb.detectLosses(3, (s) => lost.push(s.num));
  assert.equal(lost.length, 0, "two SACKed segments are not enough");
  sb.sack(3 * MSS, 4 * MSS, () => {});
  sb.detectLosses(3, (s) => lost.push(s.num));
  assert.deepEqual(lost, [0]);
  assert.equal(sb.nextRetransmit()?.num, 0);
  assert.equal(sb.pipe, 2 * MSS); // segments 4 and 5
});

Deno.test("scoreboard: RACK marks a lost retransmission once a later-sent segment is delivered", () => {
  const sb = new Scoreboard();
  fill(sb, 4);
  sb.markLost(sb.first()!, () => {});
  const rate = newRateEstimator();
  const s0 = sb.nextRetransmit()!;
  sb.retransmitted(
    s0,
    100,
    onPacketSent(rate, { now: 100, size: MSS, bytesInFlight: 0, isRetransmission: true }),
  );
  fill(sb, 1, 4 * MSS, 200); // segment 4 sent at 200, after the retransmission
  const lost: SentSegment[] = [];
  sb.sack(4 * MSS, 5 * MSS, () => {});
  sb.rackDetect(200, 10, (s) => lost.push(s));
  assert.ok(lost.some((s) => s.num === 0), "the retransmission sent at 100 is lost");
  assert.equal(sb.nextRetransmit()?.num, 0);
});

Deno.test("scoreboard property: pipe, SACKed and lost-pending bytes always equal a recount", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("send"), n: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ kind: fc.constant("ack"), k: fc.integer({ min: 0, max: 4 }) }),
    fc.record({
      kind: fc.constant("sack"),
      a: fc.integer({ min: 0, max: 20 }),
      b: fc.integer({ min: 1, max: 4 }),
    }),
    fc.record({ kind: fc.constant("detect") }),
    fc.record({ kind: fc.constant("rack"), back: fc.integer({ min: 0, max: 30 }) }),
    fc.record({ kind: fc.constant("rtx") }),
    fc.record({ kind: fc.constant("rto") }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const sb = new Scoreboard();
      const rate = newRateEstimator();
      let next = 0, una = 0, now = 0;
      for (const o of ops) {
        now += 10;
        switch (o.kind) {
          case "send":
            for (let i = 0; i < o.n; i++) {
              sb.add(
                next,
                next + MSS,
                0,
                now,
                onPacketSent(rate, { now, size: MSS, bytesInFlight: 0, isRetransmission: false }),
              );
              next += MSS;
            }
            break;
          case "ack":
            una = Math.min(next, una + o.k * MSS);
            sb.ackTo(una, () => {});
            break;
          case "sack": {
            const l = una + o.a * MSS;
            sb.sack(l, Math.min(next, l + o.b * MSS), () => {});
            break;
          }
          case "detect":
            sb.detectLosses(3, () => {});
            break;
          case "rack":
            sb.rackDetect(now - o.back, 5, () => {});
            break;
          case "rtx": {
            const s = sb.nextRetransmit();
            if (s) {
              sb.retransmitted(
                s,
                now,
                onPacketSent(rate, { now, size: MSS, bytesInFlight: 0, isRetransmission: true }),
              );
            }
            break;
          }
          case "rto":
            sb.markAllLost(() => {});
            break;
        }
        const r = recount(sb);
        assert.equal(sb.pipe, r.pipe, "pipe");
        assert.equal(sb.sackedBytes, r.sacked, "sacked");
        assert.equal(sb.lostPending, r.lostPending, "lostPending");
        assert.ok(sb.lostPending >= 0);
        // nextRetransmit finds a pending lost segment whenever one exists.
        if (r.lostPending > 0) assert.ok(sb.nextRetransmit() !== undefined);
      }
    }),
    { seed: 7, numRuns: 400 },
  );
});
