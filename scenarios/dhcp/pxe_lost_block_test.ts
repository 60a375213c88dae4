/**
 * A PXE boot over a network that loses a packet. One DATA block of the kernel
 * never arrives: PXELINUX, waiting for it, sends its last ACK again after 2,
 * 2, 3, 3 and 4 BIOS ticks (110, 220, 385, 549 and 769 ms); tftpd-hpa takes
 * those repeated ACKs for what they are — duplicates of an ACK it already had
 * — and sends nothing for them (the Sorcerer's Apprentice rule), then resends
 * the lost block when its own one-second timer runs out. The transfer goes on
 * and the kernel that arrives is byte for byte the file on the server.
 *
 * The second run loses 2% of all frames on the client's cable, both ways:
 * every file still arrives intact, with as many retransmissions as the losses
 * needed.
 *
 *   srv 192.168.1.1 (dnsmasq DHCP, in.tftpd -s /srv/tftp) ── sw ── pc (PXE)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { BIOS_TICK } from "../../core/app/pxe/boot.ts";
import { tftpdOf } from "../../core/shell/tftpd.ts";
import { boot, bootLan, DNSMASQ_DHCP, dropAt, served, tftpOnWire } from "./tftp_testing.ts";

const KERNEL = "debian-installer/amd64/linux";
const LOST = 300;

scenario(
  "pxe: a lost kernel block comes again after tftpd-hpa's 1 s timeout; the kernel is intact",
  (net) => {
    const { srv, pc } = bootLan(net);
    srv.sh(DNSMASQ_DHCP);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const lost = dropAt(pc.root, "input", (m) => m.op === "DATA" && m.block === LOST);
    // Only the kernel is that long.
    const pxe = boot(net, pc);
    assert.equal(pxe.state, "booted");
    assert.equal(lost.dropped, 1);
    assert.equal(
      net.trace.filter({ kind: "drop", node: "pc", reason: "netfilter drop" }).length,
      1,
    );

    const kernel = pxe.fetches.find((f) => f.purpose === "kernel")!;
    assert.deepEqual(pxe.files.get(KERNEL), served(srv, KERNEL));
    assert.equal(kernel.blocks, 711);
    const fromServer = tftpOnWire(net, { node: "srv" }).filter((w) =>
      w.srcPort === kernel.serverPort
    );
    const sends = (block: number) =>
      fromServer.filter((w) => w.message.op === "DATA" && w.message.block === block).map((w) =>
        w.time
      );
    // Block 300 twice, exactly one second apart; its neighbours once.
    const lostSends = sends(LOST);
    assert.equal(lostSends.length, 2);
    assert.equal(lostSends[1]! - lostSends[0]!, 1e9);
    assert.equal(sends(LOST - 1).length, 1);
    assert.equal(sends(LOST + 1).length, 1);
    // 712 DATA packets for 711 blocks: one retransmission, none for the repeated ACKs.
    assert.equal(fromServer.filter((w) => w.message.op === "DATA").length, 712);
    const t = tftpdOf(srv.root)[0]!.transfers.find((t) => t.filename === KERNEL)!;
    assert.deepEqual([t.state, t.sent, t.retransmissions], ["complete", 712, 1]);

    // PXELINUX resends ACK 299 on its TimeoutTable until block 300 shows up.
    const acks299 = tftpOnWire(net, { node: "pc", op: "ACK" }).filter((w) =>
      w.dstPort === kernel.serverPort && w.message.op === "ACK" && w.message.block === LOST - 1
    ).map((w) => w.time);
    const after = acks299.map((at) => Math.round((at - acks299[0]!) / BIOS_TICK));
    assert.deepEqual(after, [0, 2, 4, 7, 10, 14]); // ticks: waits of 2, 2, 3, 3, 4
    assert.equal(kernel.retransmissions, 5);
    assert.ok(acks299.at(-1)! < lostSends[1]!, "the server's timer decides, not the ACKs");
  },
);

scenario("pxe: with 2% frame loss on the client's cable every file still arrives intact", (net) => {
  const { srv, pc } = bootLan(net);
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const cable = net.links.find((l) => l.name === "pc-sw")!;
  cable.setLoss(0.02);
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "booted");
  const lost = net.trace.drops.get("random loss") ?? 0;
  assert.ok(lost > 20, `${lost} frames lost`);
  for (const f of pxe.fetches.filter((f) => f.state === "complete")) {
    assert.deepEqual(pxe.files.get(f.file), served(srv, f.file), f.file);
  }
  // Lost DATA came again on the server's timer; lost ACKs and requests on the client's.
  const server = tftpdOf(srv.root)[0]!;
  const serverResent = server.transfers.reduce((n, t) => n + t.retransmissions, 0);
  const clientResent = pxe.fetches.reduce((n, f) => n + f.retransmissions, 0);
  assert.ok(serverResent > 0 && clientResent > 0);
  // Nothing was delivered out of order: each file's blocks were accepted 1, 2, 3, ...
  for (const f of pxe.fetches.filter((f) => f.state === "complete")) {
    assert.equal(f.blocks, Math.floor(f.bytes / f.blksize) + 1, f.file);
  }
});
