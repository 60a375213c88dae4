import assert from "node:assert/strict";
import {
  congestionControlNames,
  congestionControls,
  createCongestionControl,
  isCongestionControlName,
} from "./registry.ts";
import { type CongestionControl, makeRateSample, newCcState } from "./types.ts";
import { MS } from "./test_util.ts";

const MSS = 1000;

Deno.test("registry: each name creates its algorithm", () => {
  assert.deepEqual(congestionControlNames, ["newreno", "cubic", "bbr"]);
  for (const name of congestionControlNames) {
    const cc = createCongestionControl(name);
    assert.equal(cc.name, name);
    assert.equal(congestionControls[name]().name, name);
    assert.ok(isCongestionControlName(name));
  }
  assert.ok(!isCongestionControlName("toString"), "no inherited names");
});

Deno.test("registry: unknown names fail with the list of known ones", () => {
  for (const name of ["reno", "CUBIC", "", "constructor"]) {
    assert.throws(
      () => createCongestionControl(name),
      (e: unknown) =>
        e instanceof RangeError &&
        e.message === `unknown congestion control "${name}"; known: newreno, cubic, bbr`,
    );
  }
});

Deno.test("registry: options reach the algorithm", () => {
  const s = newCcState(MSS);
  s.flightSize = 100 * MSS;
  s.cwnd = 100 * MSS;
  assert.equal(createCongestionControl("cubic", { beta: 0.5 }).ssthreshAfterLoss(s, 0), 50 * MSS);
  assert.equal(createCongestionControl("cubic").ssthreshAfterLoss(s, 0), 70 * MSS);
  assert.equal(createCongestionControl("newreno", { abcLimit: 1 }).inspect().abcLimit, 1);
  const bbr = createCongestionControl("bbr", { sendQuantum: 5 });
  assert.equal(bbr.name, "bbr");
});

/** Feed `n` ACKs of one segment with a steadily growing delivered count. */
function feed(cc: CongestionControl, s: ReturnType<typeof newCcState>, n: number): void {
  for (let i = 1; i <= n; i++) {
    cc.onAck(
      s,
      makeRateSample({
        newlyAcked: MSS,
        rtt: 50 * MS,
        deliveredTotal: i * MSS,
        priorDelivered: (i - 1) * MSS,
        delivered: MSS,
        interval: 50 * MS,
        deliveryRate: (i * MSS * 1e9) / (50 * MS),
      }),
      i * MS,
    );
  }
}

Deno.test("registry: every algorithm's clone() is independent of the original", () => {
  for (const name of congestionControlNames) {
    const original = createCongestionControl(name);
    const s = newCcState(MSS);
    s.srtt = 50 * MS;
    s.minRtt = 50 * MS;
    original.init(s, 0);
    feed(original, s, 40);
    s.flightSize = s.cwnd;
    s.ssthresh = original.ssthreshAfterLoss(s, 40 * MS);
    s.inRecovery = true;
    original.onEnterRecovery(s, 40 * MS);
    const before = JSON.stringify(original.inspect());

    // A clone starts fresh: it inspects like a brand-new instance.
    const copy = original.clone();
    assert.notEqual(copy, original);
    assert.equal(copy.name, name);
    const fresh = createCongestionControl(name);
    const sa = newCcState(MSS);
    const sb = newCcState(MSS);
    copy.init(sa, 0);
    fresh.init(sb, 0);
    assert.deepEqual(copy.inspect(), fresh.inspect(), `${name}: clone not fresh`);

    // Driving the clone leaves the original alone, and vice versa.
    feed(copy, sa, 100);
    copy.onRetransmitTimeout(sa, 200 * MS);
    assert.equal(JSON.stringify(original.inspect()), before, `${name}: original changed`);
    feed(fresh, sb, 100);
    fresh.onRetransmitTimeout(sb, 200 * MS);
    assert.deepEqual(sa, sb, `${name}: clone behaves like a fresh instance`);
  }
});
