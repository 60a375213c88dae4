import assert from "node:assert/strict";
import { Simulator } from "../../sim/simulator.ts";
import { BlockCursor, blockPayload, chrootPath, RetryTimer, SECOND } from "./lockstep.ts";

/** Times (s) at which a timer retransmits and gives up, with no answer ever coming. */
function schedule(waits: number[]): { resent: number[]; gaveUp: number | undefined } {
  const sim = new Simulator({ seed: 1 });
  const resent: number[] = [];
  let gaveUp: number | undefined;
  const t = new RetryTimer(
    sim,
    waits.map((w) => w * SECOND),
    () => resent.push(sim.now / SECOND),
    () => (gaveUp = sim.now / SECOND),
  );
  t.start();
  sim.run();
  return { resent, gaveUp };
}

Deno.test("retry timer: tftpd-hpa's doubling waits resend at 1, 3, 7, 15, 31 s and give up at 63 s", () => {
  assert.deepEqual(schedule([1, 2, 4, 8, 16, 32]), { resent: [1, 3, 7, 15, 31], gaveUp: 63 });
});

Deno.test("retry timer: tftp-hpa's 5 s timer resends at 5, 10, 15, 20 s and gives up at 25 s", () => {
  assert.deepEqual(schedule([5, 5, 5, 5, 5]), { resent: [5, 10, 15, 20], gaveUp: 25 });
});

Deno.test("retry timer: restart runs the current wait again, a new start the first one", () => {
  const sim = new Simulator({ seed: 1 });
  const resent: number[] = [];
  const t = new RetryTimer(sim, [2 * SECOND, 4 * SECOND], () => resent.push(sim.now), () => {});
  t.start();
  sim.run(1 * SECOND);
  t.restart(); // the wait of 2 s starts over at 1 s
  sim.run(2.5 * SECOND);
  assert.deepEqual(resent, []);
  sim.run(3 * SECOND);
  assert.deepEqual(resent, [3 * SECOND]);
  t.start(); // a new packet: back to the first wait
  sim.run(4.9 * SECOND);
  assert.equal(resent.length, 1);
  sim.run(5 * SECOND);
  assert.deepEqual(resent, [3 * SECOND, 5 * SECOND]);
  t.stop();
  sim.run();
  assert.equal(resent.length, 2);
  assert.equal(sim.pending, 0);
});

Deno.test("blocks: the last DATA is short, empty when the size is a multiple", () => {
  const data = new Uint8Array(1024).map((_, i) => i & 255);
  const c = new BlockCursor(data.length, 512);
  assert.equal(c.count, 3);
  assert.deepEqual([1, 2, 3].map((i) => blockPayload(data, 512, i).length), [512, 512, 0]);
  c.index = 3;
  assert.ok(c.last);
  const wrap = new BlockCursor(65537 * 8, 8);
  wrap.index = 65535;
  assert.equal(wrap.block, 65535);
  wrap.index = 65536;
  assert.equal(wrap.block, 0);
});

Deno.test("chroot paths stay inside the root", () => {
  assert.equal(chrootPath("/srv/tftp", "pxelinux.0"), "/srv/tftp/pxelinux.0");
  assert.equal(chrootPath("/srv/tftp/", "/etc/passwd"), "/srv/tftp/etc/passwd");
  assert.equal(chrootPath("/srv/tftp", "../../etc/passwd"), "/srv/tftp/etc/passwd");
  assert.equal(chrootPath("/srv/tftp", "a/./b/../c"), "/srv/tftp/a/c");
});
