/**
 * The Sorcerer's Apprentice (RFC 1123 §4.2.3.1). An ACK that is late — not
 * lost — makes the server time out and send the block again; the client
 * answers the repeated block with a second ACK; now the server holds two ACKs
 * for one block. A server that sent the next block for each would send every
 * later block twice, and each of those would be acknowledged twice, for the
 * rest of the file. tftpd-hpa and dnsmasq send DATA only for the first ACK of
 * a block and ignore the duplicate: one extra packet, then lockstep again.
 *
 * The late ACK is held in the client's output queue for 4 s (longer than
 * tftpd-hpa's 1 s and dnsmasq's 2 s timers), then released.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135 (tftp)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { bootLan, delayOnce, dropAt, served, tftpOnWire } from "./tftp_testing.ts";

const FILE = "pxelinux.0"; // 42430 bytes: 83 blocks of 512

function run(net: Network, server: string) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  assert.equal(srv.sh(server).status, 0);
  const late = delayOnce(pc.root, (m) => m.op === "ACK" && m.block === 5, 4e9);
  const r = pc.sh(`tftp -m binary 192.168.1.1 -c get ${FILE}`);
  assert.deepEqual([r.out, r.status], ["", 0]);
  assert.deepEqual(pc.files.get(FILE), served(srv, FILE));
  net.runFor(5e9);
  const data = tftpOnWire(net, { node: "srv", op: "DATA" });
  const acks = tftpOnWire(net, { node: "pc", op: "ACK" });
  const count = (list: typeof data, block: number) =>
    list.filter((w) => "block" in w.message && w.message.block === block).length;
  return { late, data, acks, count };
}

for (
  const [name, server, resendAfter] of [
    ["tftpd-hpa", "in.tftpd -L -s /srv/tftp &", 1],
    ["dnsmasq", "dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp", 2],
  ] as const
) {
  scenario(
    `tftp: ${name} answers a duplicate ACK with nothing (no Sorcerer's Apprentice)`,
    (net) => {
      const { late, data, acks, count } = run(net, server);
      assert.ok(late.heldAt !== undefined && late.sentAt! - late.heldAt === 4e9);
      // Block 5 twice (the timeout), ACK 5 twice (one for each copy, the first one late).
      assert.equal(count(data, 5), 2);
      assert.equal(count(acks, 5), 2);
      const sends5 = data.filter((w) => w.message.op === "DATA" && w.message.block === 5);
      assert.equal(Math.round((sends5[1]!.time - sends5[0]!.time) / 1e9), resendAfter);
      // Every other block exactly once: 83 blocks, 84 DATA packets in all.
      for (let b = 1; b <= 83; b++) if (b !== 5) assert.equal(count(data, b), 1, `DATA ${b}`);
      assert.equal(data.length, 84);
      // The late ACK 5 reached the server long after block 6 went out, and changed nothing.
      const firstData6 = data.find((w) => w.message.op === "DATA" && w.message.block === 6)!;
      assert.ok(late.sentAt! > firstData6.time);
      assert.equal(acks.length, 84);
    },
  );
}

scenario("tftp: a lost ACK costs one repeated DATA, which the client acknowledges again", (net) => {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  srv.sh("in.tftpd -L -s /srv/tftp &");
  // ACK 7 is lost: the server resends DATA 7 after 1 s, tftp-hpa re-ACKs the duplicate.
  const lost = dropAt(pc.root, "output", (m) => m.op === "ACK" && m.block === 7);
  const r = pc.sh(`tftp -m binary 192.168.1.1 -c get ${FILE}`);
  assert.equal(r.status, 0);
  assert.deepEqual(pc.files.get(FILE), served(srv, FILE));
  assert.equal(lost.dropped, 1);
  net.runFor(1e6);
  const data7 = tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
    w.message.op === "DATA" && w.message.block === 7
  );
  assert.equal(data7.length, 2);
  assert.equal(data7[1]!.time - data7[0]!.time, 1e9);
  const acks7 = tftpOnWire(net, { node: "pc", op: "ACK" }).filter((w) =>
    w.message.op === "ACK" && w.message.block === 7
  );
  // The first ACK 7 never made it to the wire; the second answers the repeated block at once:
  // as soon as its 558-byte frame has crossed both 1 Gbit/s, 50 µs links of the switch.
  assert.equal(acks7.length, 1);
  assert.equal(acks7[0]!.time - data7[1]!.time, 2 * (50_000 + 558 * 8));
});
