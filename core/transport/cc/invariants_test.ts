import assert from "node:assert/strict";
import fc from "fast-check";
import { congestionControlNames, createCongestionControl } from "./registry.ts";
import { makeRateSample, newCcState } from "./types.ts";
import { MS } from "./test_util.ts";

const MSS = 1448;

type Op =
  | { kind: "ack"; segs: number; lostSegs: number; dt: number; rtt: number; round: boolean }
  | { kind: "loss" }
  | { kind: "exit" }
  | { kind: "rto" }
  | { kind: "ecn" }
  | { kind: "idle"; dt: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant("ack" as const),
      segs: fc.integer({ min: 0, max: 4 }),
      lostSegs: fc.integer({ min: 0, max: 2 }),
      dt: fc.integer({ min: 0, max: 50 * MS }),
      rtt: fc.integer({ min: -1, max: 300 * MS }),
      round: fc.boolean(),
    }),
  },
  fc.constant({ kind: "loss" as const }),
  fc.constant({ kind: "exit" as const }),
  fc.constant({ kind: "rto" as const }),
  fc.constant({ kind: "ecn" as const }),
  fc.record({ kind: fc.constant("idle" as const), dt: fc.integer({ min: 0, max: 20_000 * MS }) }),
);

Deno.test("every algorithm keeps a sane state under arbitrary event sequences", () => {
  for (const name of congestionControlNames) {
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 400, size: "max" }), (ops) => {
        const cc = createCongestionControl(name);
        const s = newCcState(MSS);
        cc.init(s, 0);
        let now = 0;
        let delivered = 0;
        for (const o of ops) {
          switch (o.kind) {
            case "ack": {
              now += o.dt;
              const bytes = o.segs * MSS;
              const prior = o.round ? delivered : Math.max(0, delivered - 10 * MSS);
              delivered += bytes;
              s.bytesInFlight = Math.max(0, Math.floor(s.cwnd) - bytes);
              s.flightSize = s.bytesInFlight + o.lostSegs * MSS;
              if (o.rtt >= 0) {
                s.srtt = s.srtt === 0 ? o.rtt : Math.round((7 * s.srtt + o.rtt) / 8);
                s.minRtt = Math.min(s.minRtt, o.rtt);
              }
              const interval = o.dt > 0 ? o.dt : -1;
              cc.onAck(
                s,
                makeRateSample({
                  newlyAcked: bytes,
                  newlyLost: o.lostSegs * MSS,
                  rtt: o.rtt,
                  priorDelivered: prior,
                  deliveredTotal: delivered,
                  delivered: delivered - prior,
                  interval,
                  deliveryRate: interval > 0 ? ((delivered - prior) * 1e9) / interval : 0,
                  priorInFlight: s.bytesInFlight + bytes,
                }),
                now,
              );
              break;
            }
            case "loss":
              if (s.inRecovery) break;
              s.flightSize = Math.max(s.flightSize, s.bytesInFlight);
              s.ssthresh = cc.ssthreshAfterLoss(s, now);
              s.inRecovery = true;
              cc.onEnterRecovery(s, now);
              break;
            case "exit":
              s.inRecovery = false;
              cc.onExitRecovery(s, now);
              break;
            case "rto":
              s.inRecovery = false;
              cc.onRetransmitTimeout(s, now);
              break;
            case "ecn":
              if (!s.inRecovery) cc.onEcn?.(s, now);
              break;
            case "idle":
              cc.onIdleRestart?.(s, now + o.dt, now);
              now += o.dt;
              break;
          }
          assert.ok(Number.isFinite(s.cwnd) && s.cwnd >= MSS, `${name}: cwnd ${s.cwnd}`);
          if (name !== "bbr") assert.ok(Number.isInteger(s.cwnd), `${name}: cwnd ${s.cwnd}`);
          assert.ok(
            s.ssthresh === Infinity || s.ssthresh >= MSS,
            `${name}: ssthresh ${s.ssthresh}`,
          );
          assert.ok(Number.isFinite(s.pacingRate) && s.pacingRate >= 0, `${name}: pacing`);
          for (const [k, v] of Object.entries(cc.inspect())) {
            assert.ok(typeof v === "string" || !Number.isNaN(v), `${name}: ${k} is NaN`);
          }
        }
      }),
      { numRuns: 150 },
    );
  }
});
