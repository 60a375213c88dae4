/**
 * Block numbers are 16 bits. A file of more than 65535 blocks goes on past
 * block 65535 with block 0, then 1, 2, … — tftpd-hpa's default rollover, as
 * tftp-hpa and PXELINUX count too (recorded on Linux: a 524291-byte file in
 * blocks of 8 bytes came as blocks 1…65535, 0, 1, the last one 3 bytes long).
 * The client asks for 8-byte blocks (the smallest RFC 2348 allows), so the
 * 65537 blocks take half a megabyte. The file arrives whole.
 *
 * Run with the trace in digest mode: 131 074 packets cross the link, watched
 * by a capture tap instead of kept as events.
 *
 *   srv 192.168.1.1 (in.tftpd -s /srv/tftp) ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { TFTP_HPA_CLIENT, TftpClientTransfer } from "../../core/app/tftp/client.ts";
import { tftpdOf } from "../../core/shell/tftpd.ts";
import { ip, patterned, tftpOf } from "./tftp_testing.ts";

const SIZE = 65536 * 8 + 3;

scenario("tftp: after block 65535 comes block 0, and a 65537-block file arrives whole", (net) => {
  const [srv, pc] = net.nodes("srv", "pc");
  net.connect(srv, pc);
  srv.sh("ip addr add 192.168.1.1/24 dev eth0");
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  const file = patterned(SIZE, 7);
  srv.files.set("/srv/tftp/big.img", file);
  srv.sh("in.tftpd -L -s /srv/tftp &");

  // Count every DATA and ACK on the wire; keep the block numbers around the wrap.
  let data = 0, acks = 0;
  const dataBlocks: number[] = [], ackBlocks: number[] = [];
  net.trace.taps.push((kind, at, p) => {
    if (kind !== "tx" || at.iface !== "eth0") return;
    const m = tftpOf(p);
    if (m?.op === "DATA" && at.node === "srv") {
      data++;
      if (data <= 2 || data >= 65534) dataBlocks.push(m.block);
    } else if (m?.op === "ACK" && at.node === "pc") {
      acks++;
      if (acks <= 2 || acks >= 65535) ackBlocks.push(m.block);
    }
  });

  const t = new TftpClientTransfer(pc.root, {
    server: ip("192.168.1.1"),
    filename: "big.img",
    options: [{ name: "blksize", value: "8" }],
    profile: TFTP_HPA_CLIENT,
  });
  net.sim.runUntil(() => t.done);
  assert.equal(t.result.state, "complete");
  assert.deepEqual(t.result.oack, [{ name: "blksize", value: "8" }]);
  assert.equal(t.result.blocks, 65537);
  assert.deepEqual(t.result.data, file);

  // DATA 1, 2, …, 65534, 65535, 0, 1 (3 bytes); ACK 0 (of the OACK), 1, …, 65535, 0, 1.
  assert.deepEqual(dataBlocks, [1, 2, 65534, 65535, 0, 1]);
  assert.deepEqual(ackBlocks, [0, 1, 65534, 65535, 0, 1]);
  assert.deepEqual([data, acks], [65537, 65538]);
  net.runFor(1e6); // the last ACK reaches the server
  const s = tftpdOf(srv.root)[0]!.transfers[0]!;
  assert.deepEqual([s.state, s.blocks, s.sent, s.retransmissions], ["complete", 65537, 65537, 0]);
}, { trace: "digest" });
