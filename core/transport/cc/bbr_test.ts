import assert from "node:assert/strict";
import { Bbr, BBR_PACING_GAIN_CYCLE, type BbrOptions } from "./bbr.ts";
import { type CcState, makeRateSample, newCcState } from "./types.ts";
import { MS, runBottleneck, SEC } from "./test_util.ts";

const MSS = 1000;
const RTT = 100 * MS;
const HIGH_GAIN = 2 / Math.LN2;

/** One synthetic ACK for {@link Driver.ack}. */
interface Ack {
  /** Delivery-rate sample, bytes/s. */
  bw: number;
  /** Time since the previous ACK, ns. Default one RTT. */
  dt?: number;
  /** RTT sample, ns. Default RTT. */
  rtt?: number;
  /** Whether this ACK starts a new round (its packet was sent after the last round began). Default true. */
  round?: boolean;
  appLimited?: boolean;
  bytes?: number;
  lost?: number;
  /** Pipe after the ACK (sets s.bytesInFlight); unchanged if omitted. */
  inFlight?: number;
  /** Pipe before the ACK. Default: s.bytesInFlight. */
  priorInFlight?: number;
}

/**
 * Drives a BBR instance with hand-made rate samples, one ACK at a time. Round
 * trips are explicit: an ACK with `round: true` reports the delivered total
 * before it as its priorDelivered, which always completes BBR's round.
 */
class Driver {
  readonly cc: Bbr;
  readonly s: CcState;
  now = 0;
  delivered = 0;

  constructor(options: BbrOptions = {}) {
    this.cc = new Bbr({ sendQuantum: 1, ...options });
    this.s = newCcState(MSS);
    this.s.srtt = RTT;
    this.s.minRtt = RTT;
    this.cc.init(this.s, 0);
  }

  ack(a: Ack): this {
    this.now += a.dt ?? RTT;
    const bytes = a.bytes ?? MSS;
    const prior = (a.round ?? true) ? this.delivered : 0;
    const priorInFlight = a.priorInFlight ?? this.s.bytesInFlight;
    this.delivered += bytes;
    if (a.inFlight !== undefined) this.s.bytesInFlight = a.inFlight;
    this.cc.onAck(
      this.s,
      makeRateSample({
        deliveryRate: a.bw,
        delivered: this.delivered - prior,
        interval: RTT,
        priorDelivered: prior,
        deliveredTotal: this.delivered,
        rtt: a.rtt ?? RTT,
        isAppLimited: a.appLimited ?? false,
        newlyAcked: bytes,
        newlyLost: a.lost ?? 0,
        priorInFlight,
      }),
      this.now,
    );
    return this;
  }

  get mode(): string {
    return this.cc.mode;
  }

  get(key: string): number | string | undefined {
    return this.cc.inspect()[key];
  }
}

/** Bandwidth doubling for 4 rounds then flat for 3: STARTUP → DRAIN → PROBE_BW (pipe empty). */
function toProbeBw(d: Driver, bw = 8e6): Driver {
  for (const f of [1 / 8, 1 / 4, 1 / 2, 1, 1, 1, 1]) d.ack({ bw: bw * f, inFlight: 0 });
  assert.equal(d.mode, "PROBE_BW");
  return d;
}

function near(actual: number, want: number, tol: number, msg = ""): void {
  assert.ok(Math.abs(actual - want) <= tol, `${msg} ${actual} not within ${tol} of ${want}`);
}

Deno.test("bbr init: IW10, STARTUP gains, pacing 2.885 × cwnd / RTT", () => {
  // No RTT yet: a nominal 1 ms (Linux). 10 000 B / 1 ms = 1e7 B/s.
  const table: [number, number][] = [
    [0, 1e7 * HIGH_GAIN * 0.99],
    [RTT, 1e5 * HIGH_GAIN * 0.99], // 10 000 B / 100 ms
  ];
  for (const [srtt, pacing] of table) {
    const cc = new Bbr();
    const s = newCcState(MSS);
    s.srtt = srtt;
    cc.init(s, 0);
    assert.equal(s.cwnd, 10 * MSS);
    near(s.pacingRate, pacing, 1e-6, `srtt ${srtt}`);
    assert.equal(cc.mode, "STARTUP");
    assert.equal(cc.inspect().pacingGain, HIGH_GAIN);
    assert.equal(cc.inspect().cwndGain, HIGH_GAIN);
  }
});

Deno.test("bbr STARTUP ends after 3 rounds without 25% bandwidth growth", () => {
  // Each entry: delivery-rate samples (MB/s) of successive rounds, app-limited
  // rounds marked "a", and the 1-based round at which STARTUP ends (0: never).
  const table: [string, (number | string)[], number][] = [
    ["doubling then flat", [1, 2, 4, 8, 8, 8, 8, 8], 7],
    ["growth under 25% of the last full-bw value", [1, 1.1, 1.2, 1.24], 4],
    ["a 25% step resets the count", [1, 1.1, 1.2, 1.25, 1.3, 1.4, 1.5], 7],
    ["compounding 20% growth keeps passing 25%", [1, 1.2, 1.44, 1.728, 2.0736, 2.48832], 0],
    ["app-limited rounds do not count", [1, 2, 4, "a4", "a4", 4, 4, 4], 8],
  ];
  for (const [name, rounds, exitRound] of table) {
    const d = new Driver();
    let exited = 0;
    rounds.forEach((r, i) => {
      const appLimited = typeof r === "string";
      const bw = (typeof r === "string" ? Number(r.slice(1)) : r) * 1e6;
      d.ack({ bw, appLimited, inFlight: 100 * 1e6 }); // a big queue: stay in DRAIN
      if (exited === 0 && d.mode !== "STARTUP") exited = i + 1;
    });
    assert.equal(exited, exitRound, name);
    if (exitRound > 0) assert.equal(d.mode, "DRAIN", name);
  }
});

Deno.test("bbr DRAIN: pacing gain 1/2.885, ssthresh = BDP, exit once inflight ≤ BDP", () => {
  // btlBw 8e6 B/s × minRtt 100 ms = 800 000 B = 800 packets; plus 3 × 1
  // packet quantum = 803, rounded up to even: 804 packets = 804 000 B.
  const bdp = 804_000;
  const table: [number, string][] = [
    [2_000_000, "DRAIN"],
    [bdp + 1, "DRAIN"],
    [bdp, "PROBE_BW"],
    [100_000, "PROBE_BW"],
  ];
  for (const [inflight, mode] of table) {
    const d = new Driver();
    for (const f of [1, 2, 4, 8, 8, 8, 8]) d.ack({ bw: f * 1e6, inFlight: 3_000_000 });
    assert.equal(d.mode, "DRAIN");
    assert.equal(d.s.ssthresh, bdp);
    near(Number(d.get("pacingGain")), Math.LN2 / 2, 1e-12);
    assert.equal(d.get("cwndGain"), HIGH_GAIN);
    near(d.s.pacingRate, 8e6 * (Math.LN2 / 2) * 0.99, 1e-6, "drain paces below btlBw");
    d.ack({ bw: 8e6, inFlight: inflight, round: false, dt: MS });
    assert.equal(d.mode, mode, `inflight ${inflight}`);
  }
});

Deno.test("bbr PROBE_BW starts at a random phase other than 0.75", () => {
  // Linux: cycle_idx = 7 − random(7), then advanced by one.
  const table: [number, number][] = [
    [0, 0], // r = 0 → 7 → 0 (gain 1.25)
    [0.15, 7], // r = 1 → 6 → 7
    [0.5, 5], // r = 3 → 4 → 5
    [0.99, 2], // r = 6 → 1 → 2
  ];
  for (const [r, phase] of table) {
    const d = toProbeBw(new Driver({ rand: () => r }));
    assert.equal(d.get("cycleIndex"), phase, `rand ${r}`);
    assert.equal(d.get("pacingGain"), BBR_PACING_GAIN_CYCLE[phase]);
    assert.equal(d.get("cwndGain"), 2);
  }
  for (let i = 0; i < 200; i++) {
    const d = toProbeBw(new Driver({ seed: i }));
    assert.notEqual(d.get("cycleIndex"), 1, `seed ${i}`);
  }
});

Deno.test("bbr PROBE_BW gain cycle advances once per min RTT", () => {
  // ACKs every 1 ms with a large inflight (so the 1.25 phase is satisfied):
  // each phase ends on the first ACK more than minRtt (100 ms) after it began.
  const d = toProbeBw(new Driver({ rand: () => 0.99 })); // phase 2
  const changes: [number, number][] = [];
  let phase = Number(d.get("cycleIndex"));
  const start = d.now;
  while (changes.length < 8) {
    d.ack({ bw: 8e6, dt: MS, round: false, priorInFlight: 5_000_000 });
    const p = Number(d.get("cycleIndex"));
    if (p !== phase) {
      changes.push([(d.now - start) / MS, p]);
      phase = p;
    }
  }
  assert.deepEqual(changes, [
    [101, 3],
    [202, 4],
    [303, 5],
    [404, 6],
    [505, 7],
    [606, 0],
    [707, 1],
    [808, 2],
  ]);
  const gains = changes.map(([, p]) => BBR_PACING_GAIN_CYCLE[p]);
  assert.deepEqual(gains, [1, 1, 1, 1, 1, 1.25, 0.75, 1]);
});

Deno.test("bbr PROBE_BW: 1.25 waits for 1.25·BDP in flight, 0.75 ends once inflight ≤ BDP", () => {
  // BDP target (gain 1) = 804 packets; gain 1.25: ceil(1000) + 3 = 1003 →
  // 1004, +2 in phase 0 → 1006 packets.
  const d = toProbeBw(new Driver({ rand: () => 0 })); // phase 0, gain 1.25
  const start = d.now;
  for (let i = 0; i < 300; i++) {
    d.ack({ bw: 8e6, dt: MS, round: false, priorInFlight: 1_005_000 });
  }
  assert.equal(d.get("cycleIndex"), 0, "not enough in flight: keep probing");
  d.ack({ bw: 8e6, dt: MS, round: false, priorInFlight: 1_006_000 });
  assert.equal(d.get("cycleIndex"), 1);
  assert.equal(d.now - start, 301 * MS);
  d.ack({ bw: 8e6, dt: MS, round: false, priorInFlight: 805_000 });
  assert.equal(d.get("cycleIndex"), 1, "queue not drained yet");
  d.ack({ bw: 8e6, dt: MS, round: false, priorInFlight: 804_000 });
  assert.equal(d.get("cycleIndex"), 2, "drained: leave 0.75 early");

  // A loss ends the 1.25 phase at full length even below the target.
  const e = toProbeBw(new Driver({ rand: () => 0 }));
  e.ack({ bw: 8e6, dt: 101 * MS, round: false, priorInFlight: 0, lost: MSS });
  assert.equal(e.get("cycleIndex"), 1);
});

Deno.test("bbr PROBE_RTT after 10 s without a new min RTT; exits after 200 ms and a round", () => {
  // order: whether the round completes before or after the 200 ms.
  for (const order of ["round-first", "time-first"]) {
    const d = toProbeBw(new Driver({ rand: () => 0.5 }));
    // Same RTT as the minimum: no refresh. ACKs every 10 ms.
    while (d.now + 10 * MS <= 10 * SEC) d.ack({ bw: 8e6, dt: 10 * MS, round: false });
    assert.equal(d.now, 10 * SEC);
    assert.equal(d.mode, "PROBE_BW", "10 s exactly: not expired yet");
    const before = d.s.cwnd;
    d.ack({ bw: 8e6, dt: 10 * MS, round: false, inFlight: 3 * MSS });
    assert.equal(d.mode, "PROBE_RTT");
    assert.equal(d.s.cwnd, 4 * MSS, "cwnd 4 packets");
    assert.equal(d.get("priorCwnd"), before);
    const entered = d.now;
    assert.equal(d.get("probeRttDoneStamp"), entered + 200 * MS);
    if (order === "round-first") {
      d.ack({ bw: 8e6, dt: 50 * MS, round: true });
      assert.equal(d.mode, "PROBE_RTT", "a round alone is not enough");
      d.ack({ bw: 8e6, dt: 150 * MS, round: false });
      assert.equal(d.mode, "PROBE_RTT", "200 ms not passed (strictly)");
      d.ack({ bw: 8e6, dt: MS, round: false });
    } else {
      d.ack({ bw: 8e6, dt: 300 * MS, round: false });
      assert.equal(d.mode, "PROBE_RTT", "time alone is not enough");
      d.ack({ bw: 8e6, dt: MS, round: true });
    }
    assert.equal(d.mode, "PROBE_BW", order);
    assert.equal(d.get("minRttStamp"), d.now);
    // cwnd restored to the saved value (then grown by the ACK, up to the target).
    assert.equal(d.s.cwnd, Math.min(before + MSS, d.cc.targetCwnd(d.s)));
  }
});

Deno.test("bbr a lower RTT sample postpones PROBE_RTT", () => {
  const d = toProbeBw(new Driver());
  while (d.now < 5 * SEC) d.ack({ bw: 8e6, dt: 10 * MS, round: false });
  d.ack({ bw: 8e6, dt: 10 * MS, round: false, rtt: RTT - MS });
  const refreshed = d.now;
  assert.equal(d.get("minRtt"), RTT - MS);
  while (d.now <= refreshed + 10 * SEC) {
    d.ack({ bw: 8e6, dt: 10 * MS, round: false });
    if (d.now <= refreshed + 10 * SEC) assert.equal(d.mode, "PROBE_BW");
  }
  assert.equal(d.mode, "PROBE_RTT");
});

Deno.test("bbr bandwidth filter: a peak lasts 10 rounds, then expires", () => {
  // Round 1 measures 10 MB/s, later rounds 5 MB/s: the peak taken at round 1
  // is kept through round 11 (10 rounds later) and gone at round 12.
  const d = new Driver();
  d.ack({ bw: 10e6 });
  assert.equal(d.get("roundCount"), 1);
  for (let round = 2; round <= 11; round++) {
    d.ack({ bw: 5e6 });
    assert.equal(d.cc.btlBw, 10e6, `round ${round}`);
  }
  d.ack({ bw: 5e6 });
  assert.equal(d.get("roundCount"), 12);
  assert.equal(d.cc.btlBw, 5e6);
});

Deno.test("bbr app-limited samples do not lower the bandwidth estimate", () => {
  const d = new Driver();
  d.ack({ bw: 10e6 });
  for (let i = 0; i < 20; i++) d.ack({ bw: 2e6, appLimited: true });
  assert.equal(d.cc.btlBw, 10e6, "30 rounds later, still the last real measurement");
  d.ack({ bw: 12e6, appLimited: true });
  assert.equal(d.cc.btlBw, 12e6, "an app-limited sample above the estimate counts");
  d.ack({ bw: 2e6 });
  assert.equal(d.cc.btlBw, 12e6, "a non-app-limited low sample enters the window");
});

Deno.test("bbr pacing rate is gain × btlBw × 99%, never lowered before the pipe is full", () => {
  const d = new Driver();
  d.ack({ bw: 8e6 });
  near(d.s.pacingRate, 8e6 * HIGH_GAIN * 0.99, 1e-6);
  d.ack({ bw: 1e6 }); // filter still 8e6
  near(d.s.pacingRate, 8e6 * HIGH_GAIN * 0.99, 1e-6);
  const e = toProbeBw(new Driver({ rand: () => 0.5 })); // phase 5, gain 1
  near(e.s.pacingRate, 8e6 * 0.99, 1e-6);
});

Deno.test("bbr cwnd target = cwnd_gain × BDP + 3 × quantum, even, +2 packets in the 1.25 phase", () => {
  // btlBw 8e6 B/s, minRtt 100 ms: BDP 800 packets; PROBE_BW cwnd gain 2.
  const table: [BbrOptions, number][] = [
    [{ sendQuantum: 1, rand: () => 0.5 }, 1604], // 1600 + 3 = 1603 → 1604
    [{ sendQuantum: 2, rand: () => 0.5 }, 1606], // 1600 + 6
    [{ sendQuantum: 2, rand: () => 0 }, 1608], // phase 0: +2
    // "auto": pacing 8e6·0.99 B/s → 7734 B per ~1 ms → 7 packets → +21 → 1621 → 1622.
    [{ sendQuantum: "auto", rand: () => 0.5 }, 1622],
  ];
  for (const [options, packets] of table) {
    const d = toProbeBw(new Driver(options));
    assert.equal(d.cc.targetCwnd(d.s), packets * MSS, JSON.stringify(options.sendQuantum));
  }
});

Deno.test("bbr cwnd: grows by acked bytes towards the target, cut to it once the pipe is full", () => {
  const d = new Driver();
  d.ack({ bw: 1e6, bytes: 5 * MSS });
  assert.equal(d.s.cwnd, 15 * MSS, "STARTUP: cwnd + acked");
  const e = toProbeBw(new Driver({ rand: () => 0.5 }));
  e.s.cwnd = 5_000_000;
  e.ack({ bw: 8e6, dt: MS, round: false });
  assert.equal(e.s.cwnd, e.cc.targetCwnd(e.s), "above the target: cut to it");
  e.s.cwnd = 2 * MSS;
  e.ack({ bw: 8e6, dt: MS, round: false });
  assert.equal(e.s.cwnd, 4 * MSS, "never below 4 packets");
});

Deno.test("bbr loss recovery: packet conservation for a round, then restore on exit", () => {
  const d = toProbeBw(new Driver({ rand: () => 0.5 }));
  d.s.cwnd = d.cc.targetCwnd(d.s); // 1604 packets
  const saved = d.s.cwnd;
  assert.equal(d.cc.ssthreshAfterLoss(d.s, d.now), d.s.ssthresh, "ssthresh untouched");
  d.s.inRecovery = true;
  d.cc.onEnterRecovery(d.s, d.now);
  // The ACK that triggered recovery: 3 packets lost, 1 acked, 500 in flight.
  d.ack({ bw: 8e6, dt: MS, round: false, lost: 3 * MSS, inFlight: 500 * MSS });
  assert.equal(d.s.cwnd, 501 * MSS, "cwnd = inflight + acked");
  assert.equal(d.get("packetConservation"), 1);
  // Further ACKs in the first round: cwnd = max(cwnd, inflight + acked).
  d.ack({ bw: 8e6, dt: MS, round: false, inFlight: 499 * MSS });
  assert.equal(d.s.cwnd, 501 * MSS);
  d.ack({ bw: 8e6, dt: MS, round: false, inFlight: 520 * MSS });
  assert.equal(d.s.cwnd, 521 * MSS);
  // A round later, conservation ends: grow by acked towards the target.
  d.ack({ bw: 8e6, dt: MS, round: true, inFlight: 520 * MSS });
  assert.equal(d.get("packetConservation"), 0);
  assert.equal(d.s.cwnd, 522 * MSS);
  // Recovery ends: restore the cwnd saved on entry.
  d.s.inRecovery = false;
  d.cc.onExitRecovery(d.s, d.now);
  d.ack({ bw: 8e6, dt: MS, round: false });
  assert.equal(d.s.cwnd, saved);
});

Deno.test("bbr retransmission timeout: 1 packet, slow growth, restore at the end of the episode", () => {
  const d = toProbeBw(new Driver({ rand: () => 0.5 }));
  d.s.cwnd = 1000 * MSS;
  d.cc.onRetransmitTimeout(d.s, d.now);
  assert.equal(d.s.cwnd, MSS);
  assert.equal(d.get("fullBw"), 0, "full-pipe counting restarts");
  assert.equal(d.get("fullBwReached"), 1, "but the pipe stays known to be full");
  d.ack({ bw: 8e6, dt: MS, round: false, bytes: MSS, inFlight: 0 });
  assert.equal(d.s.cwnd, 4 * MSS, "+acked, at least 4 packets");
  d.ack({ bw: 8e6, dt: MS, round: false, bytes: 2 * MSS, inFlight: 0 });
  assert.equal(d.s.cwnd, 6 * MSS);
  d.cc.onExitRecovery(d.s, d.now);
  d.ack({ bw: 8e6, dt: MS, round: false, inFlight: 0 });
  assert.equal(d.s.cwnd, 1001 * MSS, "restored, then + acked (below the target)");
});

Deno.test("bbr restart from idle: pace at btlBw and no PROBE_RTT until data is delivered", () => {
  const d = toProbeBw(new Driver({ rand: () => 0 })); // phase 0, gain 1.25
  near(d.s.pacingRate, 8e6 * 1.25 * 0.99, 1e-6);
  d.now = 20 * SEC; // idle for a long time: min RTT filter expired
  d.cc.onIdleRestart(d.s, d.now, SEC);
  near(d.s.pacingRate, 8e6 * 0.99, 1e-6, "gain 1 on restart");
  // An ACK that delivers nothing new (e.g. a window update) keeps the flag.
  d.ack({ bw: 8e6, dt: MS, round: false, bytes: 0 });
  assert.equal(d.mode, "PROBE_BW");
});

Deno.test("bbr through a bottleneck: finds btlBw and minRtt and settles in PROBE_BW", () => {
  // 1.25 MB/s (10 Mbit/s) bottleneck, 40 ms propagation, 1000 B packets
  // (0.8 ms serialization): BBR should measure ≈ 1.25e6 B/s and ≈ 40.8 ms.
  const modes: string[] = [];
  const cc = new Bbr();
  const s = runBottleneck(cc, {
    rate: 1.25e6,
    rtProp: 40 * MS,
    mss: MSS,
    duration: 3 * SEC,
    onAck: () => {
      if (modes.at(-1) !== cc.mode) modes.push(cc.mode);
    },
  });
  assert.deepEqual(modes, ["STARTUP", "DRAIN", "PROBE_BW"]);
  near(cc.btlBw, 1.25e6, 0.03 * 1.25e6, "btlBw");
  near(Number(cc.inspect().minRtt), 40.8 * MS, 0.1 * MS, "minRtt");
  assert.ok(s.pacingRate >= 0.7 * 1.25e6 && s.pacingRate <= 1.3 * 1.25e6);
  // cwnd ≈ 2 × BDP (51 packets) + headroom.
  assert.ok(s.cwnd >= 100 * MSS && s.cwnd <= 120 * MSS, `cwnd ${s.cwnd}`);
});

Deno.test("bbr is deterministic: same inputs, same trace", () => {
  const trace = () => {
    const cc = new Bbr();
    const rows: string[] = [];
    runBottleneck(cc, {
      rate: 2e6,
      rtProp: 20 * MS,
      mss: 1200,
      duration: 2 * SEC,
      onAck: (s, now) => rows.push(`${now} ${s.cwnd} ${s.pacingRate} ${cc.inspect().cycleIndex}`),
    });
    return rows;
  };
  const a = trace();
  assert.ok(a.length > 1000);
  assert.deepEqual(trace(), a);
});

Deno.test("bbr clone is independent and keeps the options", () => {
  const d = toProbeBw(new Driver({ seed: 7, sendQuantum: 2 }));
  const copy = d.cc.clone();
  const s2 = newCcState(MSS);
  copy.init(s2, 0);
  assert.equal(copy.mode, "STARTUP");
  assert.equal(copy.btlBw, 0);
  assert.equal(d.mode, "PROBE_BW");
  // Same seed: the clone draws the same starting phase as a fresh original.
  const e = new Driver({ seed: 7, sendQuantum: 2 });
  const f = new Driver({ seed: 7, sendQuantum: 2 });
  toProbeBw(e);
  toProbeBw(f);
  assert.equal(e.get("cycleIndex"), f.get("cycleIndex"));
  assert.equal(e.cc.targetCwnd(e.s), f.cc.targetCwnd(f.s));
});
