/**
 * The three-way handshake on the wire, as tcpdump shows it between two Linux
 * hosts: SYN, SYN-ACK, ACK, with the SYN options MSS 1460 (a 1500-byte MTU less
 * 40), window scale 7 (for a 6 MB receive buffer), SACK-permitted and
 * timestamps; the SYN-ACK echoes the SYN's timestamp; the final ACK carries no
 * SYN options. What is negotiated is what both sides offered: turn SACK,
 * timestamps or window scaling off on one side (`sysctl -w net.ipv4.tcp_sack=0`
 * …) and the other side stops using it too. Data segments carry the MSS less
 * the 12-byte timestamp option; a smaller MTU on one side lowers the MSS both
 * use.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { ConnectOptions } from "../../core/lab/network.ts";
import type { TcpSocket } from "../../core/transport/tcp/socket.ts";
import { dropWhere, ip, nthData, pair, segments, serve } from "./tcp_testing.ts";

/**
 * Connect a → b:80, send `bytes`, close, run to the end; returns both sockets.
 * `drop` loses those data segments (1-based) on their first arrival.
 */
function handshake(
  net: Network,
  o: { client?: string; server?: string; bytes?: number; link?: ConnectOptions; drop?: number[] } =
    {},
): { c: TcpSocket; s: TcpSocket } {
  const { a, b, link } = pair(net, o.link ?? { rate: "100mbit", delay: "10ms" });
  if (o.drop) dropWhere(net, link.b, nthData(...o.drop));
  if (o.client) a.sh(o.client);
  if (o.server) b.sh(o.server);
  const srv = serve(b, 80);
  const c = a.root.tcp.socket();
  c.onConnect = () => {
    c.send(o.bytes ?? 5000);
    c.close();
  };
  assert.equal(a.root.tcp.connect(c, ip("10.0.0.2"), 80), undefined);
  net.run();
  return { c, s: srv.conns[0]! };
}

scenario(
  "handshake: SYN, SYN-ACK, ACK with MSS, window scale, SACK-permitted, timestamps",
  (net) => {
    const { c, s } = handshake(net);
    const [syn, synAck, ack] = segments(net);
    assert.deepEqual([syn!.node, syn!.flags, synAck!.node, synAck!.flags, ack!.node, ack!.flags], [
      "a",
      "S",
      "b",
      "S.",
      "a",
      ".",
    ]);
    // Sequence numbers: the SYN-ACK acknowledges ISN(a)+1, the ACK ISN(b)+1.
    assert.equal(synAck!.tcp.ack, (syn!.tcp.seq + 1) >>> 0);
    assert.equal(ack!.tcp.seq, (syn!.tcp.seq + 1) >>> 0);
    assert.equal(ack!.tcp.ack, (synAck!.tcp.seq + 1) >>> 0);
    assert.deepEqual([syn!.len, synAck!.len, ack!.len], [0, 0, 0]);
    // The SYN's options.
    const o = syn!.tcp.options;
    assert.deepEqual([o.mss, o.wscale, o.sackPermitted, o.timestamp?.ecr], [1460, 7, true, 0]);
    assert.equal(syn!.win, 65535, "the window of a SYN is never scaled");
    // The SYN-ACK's: the same offers, and the SYN's timestamp echoed.
    const p = synAck!.tcp.options;
    assert.deepEqual([p.mss, p.wscale, p.sackPermitted], [1460, 7, true]);
    assert.equal(p.timestamp?.ecr, o.timestamp?.val);
    // The final ACK: no SYN-only options, a timestamp echoing the SYN-ACK's,
    // and a window field now scaled by 2^7 (6 MB / 128 = 49152).
    const q = ack!.tcp.options;
    assert.deepEqual([q.mss, q.wscale, q.sackPermitted], [undefined, undefined, false]);
    assert.equal(q.timestamp?.ecr, p.timestamp?.val);
    assert.equal(ack!.win, 49152);
    // Negotiated on both ends.
    for (const x of [c, s]) {
      assert.deepEqual(x.negotiated, {
        mss: 1460,
        sack: true,
        timestamps: true,
        sndScale: 7,
        rcvScale: 7,
      });
      assert.equal(x.mss, 1448, "1460 less the 12-byte timestamp option");
    }
    // 5000 bytes go as 1448 + 1448 + 1448 + 656.
    const data = segments(net, { node: "a" }).filter((x) => x.len > 0).map((x) => x.len);
    assert.deepEqual(data, [1448, 1448, 1448, 656]);
  },
);

scenario(
  "handshake: the server turns SACK off — its SYN-ACK omits it and neither side SACKs",
  (net) => {
    const { c, s } = handshake(net, { server: "sysctl -w net.ipv4.tcp_sack=0", drop: [2] });
    const [syn, synAck] = segments(net);
    assert.equal(syn!.tcp.options.sackPermitted, true, "the client still offers it");
    assert.equal(synAck!.tcp.options.sackPermitted, false);
    assert.equal(c.negotiated.sack, false);
    assert.equal(s.negotiated.sack, false);
    // Everything else is still negotiated.
    assert.deepEqual([c.negotiated.timestamps, c.negotiated.sndScale, c.mss], [true, 7, 1448]);
    // The second data segment was lost: the server's duplicate ACKs carry no SACK blocks.
    const dups = segments(net, { node: "b" }).filter((x) => x.flags === "." && x.ack === 1449);
    assert.ok(dups.length >= 2, `${dups.length} duplicate ACKs`);
    assert.ok(dups.every((x) => x.tcp.options.sack === undefined));
    assert.equal(s.stats.bytesReceived, 5000, "recovered all the same");
  },
);

scenario(
  "handshake: the client turns SACK off — it does not offer it, the server does not answer it",
  (net) => {
    const { c, s } = handshake(net, { client: "sysctl -w net.ipv4.tcp_sack=0" });
    const [syn, synAck] = segments(net);
    assert.deepEqual([syn!.tcp.options.sackPermitted, synAck!.tcp.options.sackPermitted], [
      false,
      false,
    ]);
    assert.deepEqual([c.negotiated.sack, s.negotiated.sack], [false, false]);
  },
);

scenario(
  "handshake: the server turns timestamps off — no timestamps anywhere, 1460-byte segments",
  (net) => {
    const { c, s } = handshake(net, { server: "sysctl -w net.ipv4.tcp_timestamps=0" });
    const segs = segments(net);
    assert.notEqual(segs[0]!.tcp.options.timestamp, undefined, "offered in the SYN");
    // From the SYN-ACK on, no segment carries the option.
    assert.deepEqual(segs.slice(1).filter((x) => x.tcp.options.timestamp).length, 0);
    assert.deepEqual([c.negotiated.timestamps, s.negotiated.timestamps], [false, false]);
    assert.deepEqual([c.mss, s.mss], [1460, 1460]);
    const data = segments(net, { node: "a" }).filter((x) => x.len > 0).map((x) => x.len);
    assert.deepEqual(data, [1460, 1460, 1460, 620]);
  },
);

scenario(
  "handshake: the client turns window scaling off — windows stay unscaled, at most 65535",
  (net) => {
    const { c, s } = handshake(net, { client: "sysctl -w net.ipv4.tcp_window_scaling=0" });
    const [syn, synAck] = segments(net);
    // RFC 7323 §2.2: a SYN-ACK may carry window scale only if the SYN did.
    assert.deepEqual([syn!.tcp.options.wscale, synAck!.tcp.options.wscale], [undefined, undefined]);
    assert.deepEqual([c.negotiated.sndScale, c.negotiated.rcvScale], [0, 0]);
    assert.deepEqual([s.negotiated.sndScale, s.negotiated.rcvScale], [0, 0]);
    for (const x of segments(net).slice(2)) {
      assert.equal(
        x.win,
        65535,
        "6 MB of room, capped at 65535",
      );
    }
    assert.equal(c.peerWindow, 65535);
  },
);

scenario("handshake: a 1400-byte MTU on one side lowers the MSS both sides use", (net) => {
  const { a, b } = pair(net, { rate: "100mbit", delay: "10ms" });
  a.sh("ip link set dev eth0 mtu 1400");
  const srv = serve(b, 80);
  const c = a.root.tcp.socket();
  c.onConnect = () => c.send(4000);
  a.root.tcp.connect(c, ip("10.0.0.2"), 80);
  net.run();
  const [syn, synAck] = segments(net);
  assert.deepEqual([syn!.tcp.options.mss, synAck!.tcp.options.mss], [1360, 1460]);
  // Each side sends at most the smaller MSS, less the timestamp option.
  assert.deepEqual([c.mss, srv.conns[0]!.mss], [1348, 1348]);
  const data = segments(net, { node: "a" }).filter((x) => x.len > 0);
  assert.deepEqual(data.map((x) => x.len), [1348, 1348, 1304]);
  assert.ok(data.every((x) => x.event.packet.ip!.df), "sent with DF, no fragmentation");
  assert.equal(srv.received[0]!.length, 4000);
});
