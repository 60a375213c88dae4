/**
 * When nobody answers, each side gives up on its own schedule:
 * - tftp-hpa resends its request every 5 s and stops at 25 s with "Transfer
 *   timed out." and exit status 69 (recorded on Linux against a port with no
 *   server: RRQs at 0, 5, 10, 15 and 20 s, each drawing an ICMP port
 *   unreachable it does not read);
 * - tftpd-hpa, whose client hangs, sends the block again after 1, 2, 4, 8 and
 *   16 more seconds (at 1, 3, 7, 15 and 31 s) and gives up silently at 63 s
 *   (recorded on Linux with a client that stopped reading); but its socket is
 *   connect()ed, so when the client program has exited the next copy draws a
 *   port unreachable and the transfer ends at once ("read(ack): Connection
 *   refused");
 * - dnsmasq 2.90 resends on whole seconds, 2, 4, 7, 10, 15 and 20 s after the
 *   last ACK's second, and at 29 s stops: "failed sending …" when a full
 *   block went unanswered, "sent …" when only the last, short block did
 *   (recorded on Linux: copies 1.8, 3.8, 6.8, 9.8, 14.8 and 19.8 s after the
 *   first, then the log line);
 * - PXELINUX, waiting for a block, resends its ACK 30 times after the waits
 *   of its TimeoutTable (2, 2, 3, 3, 4, 5 … 255 ticks of 54.9 ms: 2382 ticks,
 *   131 s), then the boot fails.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { decodeTftp, encodeTftp } from "../../core/app/tftp/message.ts";
import { BIOS_TICK, PxeClient, PXELINUX_TIMEOUT_TABLE } from "../../core/app/pxe/boot.ts";
import { tftpdOf } from "../../core/shell/tftpd.ts";
import { bootLan, DNSMASQ_DHCP, dropAt, ip, syslogOf, tftpOnWire } from "./tftp_testing.ts";

function lan(net: Network) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  return { srv, pc };
}

/** Seconds of each time relative to the first, rounded to the millisecond. */
const rel = (times: number[]) => times.map((t) => Math.round((t - times[0]!) / 1e6) / 1e3);

/**
 * A client that reads the first `blocks` blocks of ldlinux.c32 and then stops
 * answering, its socket still open (a hung program): the server's packets
 * arrive and nothing comes back.
 */
function hungClient(pc: Node, blocks: number) {
  const sock = pc.root.udp.socket();
  assert.equal(sock.bind(0, 40011), undefined);
  sock.onMessage = (d) => {
    sock.recv();
    const m = decodeTftp(d.data as Uint8Array);
    if (m.op === "DATA" && m.block <= blocks) {
      sock.sendTo(encodeTftp({ op: "ACK", block: m.block }), d.from, d.fromPort);
    }
  };
  const rrq = encodeTftp({ op: "RRQ", filename: "ldlinux.c32", mode: "octet", options: [] });
  sock.sendTo(rrq, ip("192.168.1.1"), 69);
  return sock;
}

/** When the server sent block 4. */
const data4Times = (net: Network) =>
  tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
    w.message.op === "DATA" && w.message.block === 4
  ).map((w) => w.time);

scenario("tftp: tftp-hpa gives up after 25 s: 'Transfer timed out.', exit 69", (net) => {
  const { pc } = lan(net);
  const start = net.sim.now;
  const r = pc.sh("tftp 192.168.1.1 -c get pxelinux.0");
  assert.deepEqual([r.stdout, r.stderr, r.status], ["Transfer timed out.\n", "", 69]);
  assert.equal(net.sim.now - start, 25e9);
  const rrqs = tftpOnWire(net, { node: "pc", op: "RRQ" }).map((w) => w.time);
  assert.deepEqual(rel(rrqs), [0, 5, 10, 15, 20]);
  // Nothing listens on port 69: each request draws a port unreachable.
  assert.equal(net.trace.filter({ kind: "tx", node: "srv", proto: 1 }).length, 5);
  assert.ok(pc.files.get("pxelinux.0") instanceof Uint8Array);
});

scenario(
  "tftp: tftpd-hpa resends at 1, 3, 7, 15, 31 s and gives up at 63 s when its client hangs",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const sock = hungClient(pc, 3);
    net.runFor(100e9);
    const s = tftpdOf(srv.root)[0]!.transfers[0]!;
    assert.deepEqual([s.state, s.retransmissions], ["timeout", 5]);
    const data4 = data4Times(net);
    assert.deepEqual(rel(data4), [0, 1, 3, 7, 15, 31]);
    assert.equal(s.endedAt! - data4[0]!, 63e9);
    assert.deepEqual(syslogOf(srv, "in.tftpd"), []); // it exits without a word
    sock.close();
  },
);

scenario(
  "tftp: a tftpd-hpa transfer ends at once when its client was killed (ECONNREFUSED)",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    // ACK 3 never gets out: the server resends block 3; then the program is killed. The
    // next copy of block 3 meets a closed port, and the server's connected socket reads
    // ECONNREFUSED: the transfer ends there, without waiting for its last timeouts.
    dropAt(pc.root, "output", (m) => m.op === "ACK" && m.block >= 3, Infinity);
    pc.sh("tftp -m binary 192.168.1.1 -c get ldlinux.c32 &");
    net.runFor(2e9);
    pc.sh("kill %1");
    net.runFor(60e9);
    const s = tftpdOf(srv.root)[0]!.transfers[0]!;
    assert.deepEqual([s.state, s.retransmissions], ["aborted", 2]);
    const data3 = tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
      w.message.op === "DATA" && w.message.block === 3
    ).map((w) => w.time);
    assert.deepEqual(rel(data3), [0, 1, 3]);
    assert.ok(s.endedAt! - data3[2]! < 1e6, "ended as the port unreachable came back");
    assert.deepEqual(syslogOf(srv, "in.tftpd"), ["tftpd: read(ack): Connection refused"]);
    const unreachable = net.trace.filter({ kind: "tx", node: "pc", proto: 1 });
    assert.equal(unreachable.length, 1);
  },
);

scenario(
  "tftp: dnsmasq resends after 2, 2, 3, 3, 5, 5 s on whole seconds, then 'failed sending'",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
    const sock = hungClient(pc, 3);
    net.runFor(60e9);
    const data4 = data4Times(net);
    // The first copy went out as ACK 3 arrived, in second 0; the deadline then moved by
    // 1 + (1 << backoff/2) each time, the copies going out as the seconds counter reached it.
    assert.equal(Math.floor(data4[0]! / 1e9), 0);
    assert.deepEqual(data4.slice(1).map((t) => t / 1e9), [2, 4, 7, 10, 15, 20]);
    // At the next deadline, 29 s, the backoff counter passed 7: a full block was unanswered.
    assert.deepEqual(syslogOf(srv, "dnsmasq-tftp").slice(1), [
      "failed sending /srv/tftp/ldlinux.c32 to 192.168.1.135",
    ]);
    assert.deepEqual(tftpOnWire(net, { node: "srv" }).filter((w) => w.time > 20.5e9), []);
    sock.close();
  },
);

scenario("tftp: dnsmasq says 'sent' when only the last, short block goes unacknowledged", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
  // ldlinux.c32 is 234 blocks of 512; acknowledge all but the last.
  const sock = hungClient(pc, 233);
  net.runFor(60e9);
  const last = tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
    w.message.op === "DATA" && w.message.block === 234
  );
  assert.equal(last.length, 7);
  assert.deepEqual(syslogOf(srv, "dnsmasq-tftp").slice(1), [
    "sent /srv/tftp/ldlinux.c32 to 192.168.1.135",
  ]);
  sock.close();
});

scenario("pxe: PXELINUX resends its ACK on the TimeoutTable, then the boot fails", (net) => {
  const { srv, pc } = bootLan(net);
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const KERNEL = "debian-installer/amd64/linux";
  // The server's firewall drops the kernel from block 101 on: PXELINUX waits for it.
  const dropped = dropAt(srv.root, "output", (m) => m.op === "DATA" && m.block > 100, Infinity);
  const pxe = new PxeClient({ ns: pc.root, iface: "eth0" });
  pxe.start();
  net.sim.runUntil(() => pxe.done);
  assert.equal(pxe.state, "failed");
  assert.equal(pxe.console.at(-1), "Boot failed: press a key to retry, or wait for reset...");
  const k = pxe.fetches.at(-1)!;
  assert.deepEqual([k.purpose, k.state, k.blocks, k.retransmissions], [
    "kernel",
    "timeout",
    100,
    30,
  ]);
  // tftpd-hpa sent block 101 six times and gave up at 63 s; PXELINUX's repeated ACKs of
  // block 100 were duplicates to it and got no DATA.
  const kernel = tftpdOf(srv.root)[0]!.transfers.find((t) => t.filename === KERNEL)!;
  assert.deepEqual([kernel.state, kernel.sent, dropped.dropped], ["timeout", 106, 6]);
  const ack100 = tftpOnWire(net, { node: "pc", op: "ACK" }).filter((w) =>
    w.dstPort === k.serverPort && w.message.op === "ACK" && w.message.block === 100
  ).map((w) => w.time);
  assert.equal(ack100.length, 31);
  const ticks = ack100.map((t) => Math.round((t - ack100[0]!) / BIOS_TICK));
  let sum = 0;
  assert.deepEqual(ticks, [0, ...PXELINUX_TIMEOUT_TABLE.slice(0, 30).map((w) => (sum += w))]);
  const total = PXELINUX_TIMEOUT_TABLE.reduce((a, b) => a + b, 0);
  assert.equal(total, 2382);
  assert.equal(k.endedAt - ack100[0]!, total * BIOS_TICK);
});
