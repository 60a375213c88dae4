/**
 * Flow control: the receiver advertises the free room in its receive buffer
 * (`rcvbuf`), and the sender never has more unacknowledged data out than the
 * last window it heard. With a 60,000-byte buffer and an application that
 * does not read (autoRead off) each ACK's window is exactly the buffer less
 * what has arrived, and the sender stops when it is full; a receiver that
 * reads slowly (10 KB every 100 ms) holds a sender on a 100 Mbit/s link to
 * its own pace; and when window scaling is negotiated the window field is the
 * room divided by 2^scale.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import type { TcpSocketOptions } from "../../core/transport/tcp/socket.ts";
import { bytesOf, ip, pair, pattern, segments, serve } from "./tcp_testing.ts";

function conn(net: Network, server: Partial<TcpSocketOptions>) {
  const { a, b } = pair(net, { rate: "100mbit", delay: "5ms" }, { permanent: true });
  const srv = serve(b, 80, { options: server });
  const c = a.root.tcp.socket();
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run(1 * s);
  return { c, server: srv.conns[0]! };
}

/** For every data segment a sent: it ends within the last window a had heard (ack + window). */
function withinWindow(net: Network, scale: number): boolean {
  const isn = segments(net).find((g) => g.flags === "S")!.tcp.seq;
  const rel = (x: number) => (x - isn) >>> 0;
  let edge = -1;
  for (const e of net.trace.filter({ proto: 6, node: "a" })) {
    const t = e.packet.tcp!;
    if (e.kind === "rx" && !(t.flags & 2)) {
      edge = Math.max(edge, rel(t.ack) + t.window * 2 ** scale);
    }
    const len = typeof t.payload === "number" ? t.payload : t.payload.length;
    if (e.kind === "tx" && len > 0 && edge >= 0 && rel(t.seq) + len > edge) return false;
  }
  return true;
}

scenario(
  "flow: each ACK advertises the buffer's free room; the sender stops when it is full",
  (net) => {
    const { c, server } = conn(net, { rcvbuf: 60_000, autoRead: false });
    assert.equal(server.negotiated.rcvScale, 0, "60,000 fits the 16-bit field: no scaling");
    c.send(pattern(200_000));
    net.run(3 * s);
    const acks = segments(net, { node: "b" }).filter((g) => g.flags === "." && g.len === 0);
    // window = 60,000 − bytes received (all unread): ack − 1 is what arrived.
    for (const g of acks.filter((x) => x.time > 1 * s)) assert.equal(g.win, 60_000 - (g.ack - 1));
    // It filled up completely and the sender stopped there.
    assert.equal(server.readable, 60_000);
    assert.equal(server.advertisedWindow, 0);
    assert.equal(c.peerWindow, 0);
    assert.equal(c.stats.bytesAcked, 60_000);
    assert.ok(withinWindow(net, 0), "never more out than the window allowed");
  },
);

scenario("flow: a slow reader sets the pace of a fast sender", (net) => {
  const { c, server } = conn(net, { rcvbuf: 30_000, autoRead: false });
  const data = pattern(600_000, 2);
  c.send(data);
  const got: Uint8Array[] = [];
  // The application reads 10 KB every 100 ms: 100 KB/s on a 100 Mbit/s link.
  const t0 = net.sim.now;
  for (let k = 1; k <= 80; k++) {
    net.sim.after(k * 100 * ms, () => got.push(bytesOf(server.read(10_000))));
  }
  const ackedAt = (t: number) => {
    net.run(t0 + t);
    return c.stats.bytesAcked;
  };
  const at2 = ackedAt(2 * s), at4 = ackedAt(4 * s);
  // Two seconds of reading moved 200 KB, never more than that plus the buffer.
  assert.ok(at4 - at2 >= 190_000 && at4 - at2 <= 210_000, `${at4 - at2} bytes in 2 s`);
  assert.ok(at4 <= 400_000 + 30_000);
  assert.ok(withinWindow(net, 0));
  net.run(t0 + 9 * s);
  assert.deepEqual(bytesOf(got).subarray(0, 600_000), data);
  assert.equal(c.unacked, 0);
});

scenario("flow: with window scaling the field is the room divided by 2^scale", (net) => {
  const { c, server } = conn(net, { rcvbuf: 1_000_000, autoRead: false });
  // 1,000,000 needs a shift of 4 to fit in 16 bits (1,000,000 / 16 = 62,500).
  assert.equal(server.negotiated.rcvScale, 4);
  assert.equal(c.negotiated.sndScale, 4);
  const synAck = segments(net).find((g) => g.flags === "S.")!;
  assert.deepEqual([synAck.tcp.options.wscale, synAck.win], [4, 65535]);
  c.send(pattern(300_000));
  net.run(3 * s);
  const acks = segments(net, { node: "b" }).filter((g) => g.flags === "." && g.time > 1 * s);
  for (const g of acks) assert.equal(g.win, Math.ceil((1_000_000 - (g.ack - 1)) / 16));
  assert.equal(c.peerWindow, Math.ceil(700_000 / 16) * 16);
  assert.ok(withinWindow(net, 4));
});
