/**
 * Block size negotiation (RFC 2347, RFC 2348). The same 1 MB kernel read by
 * tftp-hpa, which sends no options, takes 1954 DATA packets of 512 bytes; read
 * by PXELINUX, which asks for `tsize 0 blksize 1408`, it takes an OACK
 * carrying the size and the block size, an ACK of block 0, and 711 packets —
 * fewer packets, fewer round trips, a shorter transfer. The server has the
 * last word: in.tftpd -B 1024 grants at most 1024; dnsmasq grants at most the
 * interface MTU less 32 (1468 on Ethernet). tftpd-hpa refuses what it cannot
 * honour with ERROR 8 "Unsupported option(s) requested": a block size under
 * 8, a tsize for a netascii transfer. Recorded against tftpd-hpa 5.2 and
 * dnsmasq 2.90 on Linux.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { TftpClientTransfer, type TftpTransferRequest } from "../../core/app/tftp/client.ts";
import { PXELINUX_TFTP } from "../../core/app/pxe/boot.ts";
import { tftpdOf } from "../../core/shell/tftpd.ts";
import { bootLan, ip, served, tftpOnWire } from "./tftp_testing.ts";

const KERNEL = "debian-installer/amd64/linux";

function lan(net: Network) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  return { srv, pc };
}

function read(net: Network, pc: Node, req: Partial<TftpTransferRequest>) {
  const t = new TftpClientTransfer(pc.root, {
    server: ip("192.168.1.1"),
    filename: KERNEL,
    ...req,
  });
  net.sim.runUntil(() => t.done);
  return t.result;
}

const PXELINUX_OPTIONS = [{ name: "tsize", value: "0" }, { name: "blksize", value: "1408" }];

scenario("tftp: blksize 1408 takes 711 packets where 512-byte blocks take 1954", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const plain = read(net, pc, { mode: "octet" });
  const big = read(net, pc, { options: PXELINUX_OPTIONS, profile: PXELINUX_TFTP });
  for (const r of [plain, big]) assert.deepEqual(r.data, served(srv, KERNEL));
  assert.deepEqual([plain.blksize, plain.blocks, plain.oack], [512, 1954, undefined]);
  assert.deepEqual([big.blksize, big.blocks, big.tsize], [1408, 711, 1_000_000]);
  // The OACK echoes the options in the order asked, with the size filled in.
  assert.deepEqual(big.oack, [{ name: "tsize", value: "1000000" }, {
    name: "blksize",
    value: "1408",
  }]);
  const [first, second] = tftpdOf(srv.root)[0]!.transfers;
  const onWire = (port: number) =>
    tftpOnWire(net).filter((w) => w.srcPort === port || w.dstPort === port);
  const plainTalk = onWire(first!.localPort), bigTalk = onWire(second!.localPort);
  assert.deepEqual(
    bigTalk.slice(0, 3).map((
      w,
    ) => [w.node, w.message.op, "block" in w.message ? w.message.block : "-"]),
    [
      ["srv", "OACK", "-"],
      ["pc", "ACK", 0],
      ["srv", "DATA", 1],
    ],
  );
  // Lockstep: one DATA and one ACK per block (plus the OACK and its ACK 0).
  assert.equal(plainTalk.length, 2 * 1954);
  assert.equal(bigTalk.length, 2 * 711 + 2);
  // A round trip per block: the bigger blocks finish sooner.
  assert.ok(big.endedAt! - big.startedAt < (plain.endedAt! - plain.startedAt) / 2);
  // A 1408-byte block is a 1440-byte IP packet (20 + 8 + 4 + 1408): no fragmentation on Ethernet.
  const bigData = net.trace.filter({ kind: "tx", node: "srv", proto: 17 }).filter((e) =>
    e.packet.udp!.srcPort === second!.localPort
  );
  assert.ok(bigData.every((e) => !e.packet.ip!.mf && e.packet.ip!.fragOffset === 0));
});

scenario(
  "tftp: the server caps the block size: in.tftpd -B 1024, dnsmasq the MTU less 32",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("in.tftpd -L -B 1024 -s /srv/tftp &");
    const capped = read(net, pc, { options: [{ name: "blksize", value: "1408" }] });
    assert.deepEqual([capped.blksize, capped.blocks, capped.oack], [1024, 977, [{
      name: "blksize",
      value: "1024",
    }]]);
    assert.deepEqual(capped.data, served(srv, KERNEL));
    srv.sh("kill %1");

    srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
    const d = read(net, pc, {
      options: [{ name: "blksize", value: "9000" }, { name: "tsize", value: "0" }],
    });
    // dnsmasq answers in its own order: blksize, then tsize.
    assert.deepEqual(d.oack, [{ name: "blksize", value: "1468" }, {
      name: "tsize",
      value: "1000000",
    }]);
    assert.deepEqual([d.blksize, d.blocks], [1468, 682]);
    assert.deepEqual(d.data, served(srv, KERNEL));
  },
);

scenario(
  "tftp: tftpd-hpa refuses a block size under 8 and a tsize in netascii with ERROR 8",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const tiny = read(net, pc, { options: [{ name: "blksize", value: "4" }] });
    const ascii = read(net, pc, { mode: "netascii", options: [{ name: "tsize", value: "0" }] });
    for (const r of [tiny, ascii]) {
      assert.deepEqual([r.state, r.error], ["error", {
        code: 8,
        message: "Unsupported option(s) requested",
        received: true,
      }]);
    }
    // Options it does not know, and values that are no numbers, are ignored: plain DATA comes.
    const odd = read(net, pc, {
      options: [{ name: "foo", value: "1" }, { name: "blksize", value: "x12" }],
    });
    assert.deepEqual([odd.state, odd.oack, odd.blksize, odd.blocks], [
      "complete",
      undefined,
      512,
      1954,
    ]);
  },
);
