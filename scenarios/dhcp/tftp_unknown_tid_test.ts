/**
 * Transfer IDs (RFC 1350 §4): a transfer is the pair of ports chosen at its
 * start, and a packet from any other address or port belongs to no transfer.
 * dnsmasq answers such a packet with ERROR 5 "ignoring packet from … (TID
 * mismatch)" to its sender and goes on undisturbed (recorded on Linux with
 * dnsmasq 2.90). tftpd-hpa never sees it — its transfer socket is connect()ed,
 * so Linux's kernel answers with ICMP port unreachable (packetlab's UDP
 * sockets have no connect(), so here the packet is dropped unanswered); the
 * transfer is undisturbed too.
 *
 * On the client side PXELINUX, once the server answered, takes packets only
 * from that address and port, so a forged DATA from another host changes
 * nothing; tftp-hpa's client does not check where replies come from ("should
 * verify packet came from server", says its source) and takes a forged DATA
 * carrying the next block number for the real one.
 *
 *   srv 192.168.1.1 ─┐
 *   pc 192.168.1.135 ─┼─ sw
 *   x 192.168.1.50   ─┘ (sends the stray packets)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { L2Device } from "../../core/l2/device.ts";
import { encodeTftp, type TftpMessage } from "../../core/app/tftp/message.ts";
import { TFTP_HPA_CLIENT, TftpClientTransfer } from "../../core/app/tftp/client.ts";
import { PXELINUX_TFTP } from "../../core/app/pxe/boot.ts";
import { tftpdOf } from "../../core/shell/tftpd.ts";
import { bootLan, ip, served, syslogOf, tftpOnWire } from "./tftp_testing.ts";

function lan(net: Network) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  const x = net.node("x");
  net.connect(x, net.devices.get("sw") as L2Device);
  x.sh("ip addr add 192.168.1.50/24 dev eth0");
  const stray = x.root.udp.socket();
  assert.equal(stray.bind(0, 4444), undefined);
  return { srv, pc, x, stray };
}

/** Read ldlinux.c32 (234 blocks of 512 bytes) from pc and stop after `blocks` of them. */
function startRead(
  net: Network,
  pc: ReturnType<typeof lan>["pc"],
  blocks: number,
  profile = TFTP_HPA_CLIENT,
) {
  const t = new TftpClientTransfer(pc.root, {
    server: ip("192.168.1.1"),
    filename: "ldlinux.c32",
    localPort: 49152,
    profile,
  });
  net.sim.runUntil(() => t.result.blocks >= blocks);
  return t;
}

const send = (
  s: { sendTo(d: Uint8Array, a: number, p: number): unknown },
  m: TftpMessage,
  to: string,
  port: number,
) => s.sendTo(encodeTftp(m), ip(to), port);

scenario(
  "tftp: dnsmasq answers a packet from another port with ERROR 5 and the transfer goes on",
  (net) => {
    const { srv, pc, x, stray } = lan(net);
    assert.equal(srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp").status, 0);
    const t = startRead(net, pc, 10);
    const tid = t.result.serverPort;
    send(stray, { op: "ACK", block: 10 }, "192.168.1.1", tid);
    net.sim.runUntil(() => t.done);
    net.runFor(1e6);
    assert.equal(t.result.state, "complete");
    assert.deepEqual(t.result.data, served(srv, "ldlinux.c32"));
    assert.equal(t.result.blocks, 234);

    const reply = stray.recv()!;
    assert.deepEqual([reply.from, reply.fromPort], [ip("192.168.1.1"), tid]);
    const toX = tftpOnWire(net, { node: "srv" }).filter((w) => w.dst === "192.168.1.50");
    assert.deepEqual(toX.map((w) => [w.srcPort, w.dstPort, w.message]), [[tid, 4444, {
      op: "ERROR",
      code: 5,
      message: "ignoring packet from 192.168.1.50 (TID mismatch)",
    }]]);
    // Each block went out once: the stray ACK moved nothing.
    const data = tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
      w.dst === "192.168.1.135"
    );
    assert.equal(data.length, 234);
    assert.deepEqual(syslogOf(srv, "dnsmasq-tftp").slice(1), [
      "ignoring packet from 192.168.1.50 (TID mismatch)",
      "sent /srv/tftp/ldlinux.c32 to 192.168.1.135",
    ]);
    void x;
  },
);

scenario("tftp: tftpd-hpa's transfer is deaf to other ports and goes on", (net) => {
  const { srv, pc, stray } = lan(net);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const t = startRead(net, pc, 10);
  send(stray, { op: "ACK", block: 10 }, "192.168.1.1", t.result.serverPort);
  send(
    stray,
    { op: "DATA", block: 11, data: new Uint8Array(512) },
    "192.168.1.1",
    t.result.serverPort,
  );
  net.sim.runUntil(() => t.done);
  net.runFor(1e6);
  assert.deepEqual([t.result.state, t.result.blocks], ["complete", 234]);
  assert.deepEqual(t.result.data, served(srv, "ldlinux.c32"));
  assert.equal(stray.recv(), undefined);
  const transfer = tftpdOf(srv.root)[0]!.transfers[0]!;
  assert.deepEqual([transfer.strays, transfer.sent, transfer.retransmissions], [2, 234, 0]);
});

scenario(
  "tftp: PXELINUX ignores a forged DATA from another host; tftp-hpa's client takes it",
  (net) => {
    const { srv, pc, stray } = lan(net);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const forged = new Uint8Array(512).fill(0xee);
    const real = served(srv, "ldlinux.c32");

    // PXELINUX (it asks for blksize 1408): the forged block 6 is not from the server's port.
    const p = startRead(net, pc, 5, PXELINUX_TFTP);
    send(stray, { op: "DATA", block: 6, data: forged.subarray(0, 1408) }, "192.168.1.135", 49152);
    net.sim.runUntil(() => p.done);
    assert.deepEqual([p.result.state, p.result.strays], ["complete", 1]);
    assert.deepEqual(p.result.data, real);

    // tftp-hpa: block 6 from 192.168.1.50 is accepted, and the server's own block 6 is then
    // only a duplicate to re-acknowledge. The file is wrong in exactly that block.
    const h = startRead(net, pc, 5);
    send(stray, { op: "DATA", block: 6, data: forged }, "192.168.1.135", 49152);
    net.sim.runUntil(() => h.done);
    assert.deepEqual([h.result.state, h.result.blocks, h.result.duplicates], ["complete", 234, 1]);
    const got = h.result.data;
    assert.equal(got.length, real.length);
    assert.deepEqual(got.subarray(5 * 512, 6 * 512), forged);
    assert.deepEqual(got.subarray(0, 5 * 512), real.subarray(0, 5 * 512));
    assert.deepEqual(got.subarray(6 * 512), real.subarray(6 * 512));
    // Its ACK of the forged block went to the server's address at the forger's port.
    const ack6 = tftpOnWire(net, { node: "pc", op: "ACK" }).filter((w) =>
      w.message.op === "ACK" && w.message.block === 6 && w.srcPort === 49152 && w.dstPort === 4444
    );
    assert.equal(ack6.length, 1);
    assert.equal(ack6[0]!.dst, "192.168.1.1");
  },
);
