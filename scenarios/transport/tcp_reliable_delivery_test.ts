/**
 * TCP delivers a byte stream reliably and in order whatever the network does.
 * ACKs are cumulative: each acknowledges every byte before it, never moves
 * backwards, stays at a hole while later segments arrive, and jumps past
 * everything received once the hole is filled. Real patterned bytes sent over
 * a link losing 2% of frames each way (seeded), over a path whose delay drops
 * mid-transfer (so later segments overtake earlier ones), and through bursts
 * of loss (Gilbert–Elliott) arrive byte for byte, in order, exactly once.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { ConnectOptions } from "../../core/lab/network.ts";
import type { LossModel } from "../../core/net/link.ts";
import { ms } from "../../core/sim/simulator.ts";
import { bytesOf, dropWhere, ip, nthData, pair, pattern, segments, serve } from "./tcp_testing.ts";

/** Send `data` from a to b:80 and close; returns the client and what b's application read. */
function transfer(
  net: Network,
  data: Uint8Array,
  link: ConnectOptions,
  o: { loss?: LossModel; sack?: boolean } = {},
) {
  const { a, b, link: l } = pair(net, link, { permanent: true });
  if (o.sack === false) a.sh("sysctl -w net.ipv4.tcp_sack=0");
  const chunks: Uint8Array[] = [];
  let ended = false;
  serve(b, 80, {
    onConn: (conn) => {
      conn.onData = (d) => chunks.push(bytesOf([d]));
      conn.onEnd = () => {
        ended = true;
        conn.close();
      };
    },
  });
  if (o.loss !== undefined) l.setLoss(o.loss);
  const c = a.root.tcp.socket();
  c.onConnect = () => {
    assert.equal(c.send(data), data.length);
    c.close();
  };
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  return { a, b, link: l, c, read: () => bytesOf(chunks), ended: () => ended };
}

scenario("reliability: ACKs are cumulative — they wait at a hole and then jump past it", (net) => {
  const data = pattern(20 * 1448);
  const { link, read } = transfer(net, data, { rate: "100mbit", delay: "10ms" }, { sack: false });
  dropWhere(net, link.b, nthData(5)); // the fifth segment, bytes 5793..7241, lost once
  net.run();
  assert.deepEqual(read(), data);
  const acks = segments(net, { node: "b" }).filter((g) => g.flags === "." && g.len === 0)
    .map((g) => g.ack);
  // Never backwards.
  assert.ok(acks.every((x, i) => i === 0 || x >= acks[i - 1]!));
  // While the fifth segment is missing, every ACK names its first byte…
  const hole = 4 * 1448 + 1;
  const stuck = acks.filter((x) => x === hole).length;
  assert.ok(stuck >= 4, `${stuck} ACKs for ${hole}`);
  // …and the one after the retransmission acknowledges all that arrived meanwhile at once.
  const after = acks[acks.lastIndexOf(hole) + 1]!;
  assert.ok(after - hole >= 10 * 1448, `jumped from ${hole} to ${after}`);
  assert.equal(acks.at(-1), data.length + 1, "all the data");
  // b's own FIN, sent as it read the end, acknowledges a's FIN too.
  const fin = segments(net, { node: "b" }).find((g) => g.flags.includes("F"))!;
  assert.equal(fin.ack, data.length + 2);
});

scenario("reliability: 1 MB over a link losing 2% each way arrives byte for byte", (net) => {
  const data = pattern(1_000_000, 5);
  const { c, read, ended } = transfer(net, data, { rate: "20mbit", delay: "15ms" }, {
    loss: 0.02,
  });
  net.run();
  assert.equal(read().length, data.length);
  assert.deepEqual(read(), data);
  assert.ok(ended(), "the FIN came after all the data");
  // There was loss, and it was repaired.
  const lost = net.trace.filter({ kind: "drop", reason: "random loss", proto: 6 }).length;
  assert.ok(lost > 10, `${lost} frames lost`);
  assert.ok(c.stats.retransmits > 0);
  assert.equal(c.stats.bytesAcked, data.length);
  assert.equal(c.state, "CLOSED");
});

scenario("reliability: the same transfer without SACK is just as exact", (net) => {
  const data = pattern(500_000, 6);
  const { c, read } = transfer(net, data, { rate: "20mbit", delay: "15ms" }, {
    loss: 0.02,
    sack: false,
  });
  net.run();
  assert.deepEqual(read(), data);
  assert.equal(c.negotiated.sack, false);
  assert.ok(c.stats.retransmits > 0);
  // Go-back-N is not needed: a retransmission per loss, give or take.
  const lost = net.trace.filter({ kind: "drop", node: "b", reason: "random loss" }).length;
  assert.ok(c.stats.retransmits <= 3 * lost, `${c.stats.retransmits} retransmits, ${lost} lost`);
});

scenario("reliability: segments overtaken on a shortened path are put back in order", (net) => {
  const data = pattern(400_000, 7);
  const { link, read } = transfer(net, data, { rate: "10mbit", delay: "40ms" });
  // Every 100 ms the path gets much shorter for 50 ms, then long again.
  for (let t = 100; t < 1500; t += 100) {
    net.sim.after(t * ms, () => link.configure({ delay: "2ms" }));
    net.sim.after((t + 50) * ms, () => link.configure({ delay: "40ms" }));
  }
  net.run();
  assert.deepEqual(read(), data);
  // Out-of-order arrivals did happen at b: data segments below one already seen.
  const arrivals = net.trace.filter({ kind: "rx", node: "b", proto: 6 })
    .map((e) => e.packet.tcp!)
    .filter((t) => (typeof t.payload === "number" ? t.payload : t.payload.length) > 0)
    .map((t) => t.seq);
  let highest = arrivals[0]!;
  let overtaken = 0;
  for (const x of arrivals) {
    if (((highest - x) | 0) > 0) overtaken++;
    else highest = x;
  }
  assert.ok(overtaken > 0, "some segments arrived after later ones");
  // The receiver said so at once with SACK blocks.
  const sacks = segments(net, { node: "b" }).filter((g) => g.tcp.options.sack !== undefined);
  assert.ok(sacks.length > 0);
});

scenario("reliability: bursts of loss (Gilbert–Elliott) are repaired too", (net) => {
  const data = pattern(600_000, 8);
  const { c, read } = transfer(net, data, { rate: "20mbit", delay: "10ms" }, {
    loss: { p: 0.01, r: 0.3 },
  });
  net.run();
  assert.deepEqual(read(), data);
  // Consecutive frames were lost together somewhere.
  const drops = net.trace.filter({ kind: "drop", node: "b", reason: "random loss" })
    .map((e) => e.packet.tcp!.seq);
  assert.ok(drops.length >= 5, `${drops.length} lost`);
  assert.ok(c.stats.retransmits >= drops.filter((_, i) => i >= 0).length - 5);
});
