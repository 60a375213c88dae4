/**
 * The notes' PXE boot, end to end: the machine gets an address by DHCP with
 * next-server and filename in the answer, its PXE ROM fetches pxelinux.0 by
 * TFTP (first asking only for the size, then downloading with 1456-byte
 * blocks), PXELINUX fetches ldlinux.c32, tries the configuration files in its
 * order until pxelinux.cfg/default answers, then loads the kernel and the
 * initrd it names. Every file arrives byte for byte; each transfer runs from
 * its own client port to a fresh server port, its DATA blocks numbered from 1
 * and full except the last, which is short — empty for the initrd, whose size
 * is a multiple of the block size.
 *
 *   srv 192.168.1.1 (dnsmasq DHCP, in.tftpd -s /srv/tftp) ── sw ── pc (PXE)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import {
  boot,
  BOOT_FILES,
  bootLan,
  DEFAULT_CFG,
  DNSMASQ_DHCP,
  formatIp4,
  served,
  syslogOf,
  tftpOnWire,
} from "./tftp_testing.ts";

const CONFIGS_TRIED = [
  "pxelinux.cfg/01-52-54-00-a1-b2-c3",
  "pxelinux.cfg/C0A80187",
  "pxelinux.cfg/C0A8018",
  "pxelinux.cfg/C0A801",
  "pxelinux.cfg/C0A80",
  "pxelinux.cfg/C0A8",
  "pxelinux.cfg/C0A",
  "pxelinux.cfg/C0",
  "pxelinux.cfg/C",
];
const KERNEL = "debian-installer/amd64/linux";
const INITRD = "debian-installer/amd64/initrd.gz";

scenario(
  "pxe: DHCP gives next-server and filename, then TFTP fetches pxelinux.0, the config, kernel and initrd",
  (net) => {
    const { srv, pc } = bootLan(net);
    assert.equal(srv.sh(DNSMASQ_DHCP).status, 0);
    assert.equal(srv.sh("in.tftpd -L -v -s /srv/tftp &").status, 0);
    const pxe = boot(net, pc);
    assert.equal(pxe.state, "booted");

    // DHCP: the address, and where to boot from.
    const lease = pxe.lease!;
    assert.deepEqual(
      [formatIp4(lease.address), formatIp4(lease.nextServer), lease.bootFile],
      ["192.168.1.135", "192.168.1.1", "pxelinux.0"],
    );
    assert.equal(pc.sh("ip -4 -o addr show dev eth0").stdout.includes("192.168.1.135/24"), true);

    // The files, in the order they were asked for.
    assert.deepEqual(
      pxe.fetches.map((f) => [f.stage, f.purpose, f.file, f.state]),
      [
        ["rom", "size", "pxelinux.0", "aborted"],
        ["rom", "bootfile", "pxelinux.0", "complete"],
        ["pxelinux", "ldlinux", "ldlinux.c32", "complete"],
        ...CONFIGS_TRIED.map((c) => ["pxelinux", "config", c, "error"]),
        ["pxelinux", "config", "pxelinux.cfg/default", "complete"],
        ["pxelinux", "kernel", KERNEL, "complete"],
        ["pxelinux", "initrd", INITRD, "complete"],
      ],
    );
    // Each missing configuration is an ERROR 1 from the server, and the next name is tried.
    for (const f of pxe.fetches.filter((f) => f.state === "error")) {
      assert.deepEqual(f.error, { code: 1, message: "File not found", received: true });
    }

    // Sizes and block counts: ceil(size / blksize), one more when the size is a multiple.
    const got = pxe.fetches.filter((f) => f.state === "complete").map((
      f,
    ) => [f.file, f.bytes, f.blksize, f.blocks]);
    assert.deepEqual(got, [
      ["pxelinux.0", 42430, 1456, 30],
      ["ldlinux.c32", 119524, 1408, 85],
      ["pxelinux.cfg/default", DEFAULT_CFG.length, 1408, 1],
      [KERNEL, 1_000_000, 1408, 711],
      [INITRD, 140800, 1408, 101],
    ]);
    for (const name of ["pxelinux.0", "ldlinux.c32", KERNEL, INITRD]) {
      assert.equal(BOOT_FILES[name], pxe.files.get(name)!.length);
      assert.deepEqual(pxe.files.get(name), served(srv, name), name);
    }

    // On the wire: requests to port 69 from the client's port, the transfer from a new server port.
    const requests = tftpOnWire(net, { node: "pc", op: "RRQ" });
    assert.deepEqual(
      requests.map((r) => [r.srcPort, r.dstPort, r.message.op === "RRQ" && r.message.options]),
      [
        [2070, 69, [{ name: "tsize", value: "0" }]],
        [2071, 69, [{ name: "blksize", value: "1456" }]],
        ...Array.from({ length: 13 }, (_, i) => [49152 + i, 69, [
          { name: "tsize", value: "0" },
          { name: "blksize", value: "1408" },
        ]]),
      ],
    );
    const serverPorts = pxe.fetches.map((f) => f.serverPort);
    assert.equal(new Set(serverPorts).size, serverPorts.length, "a new TID per transfer");
    for (const p of serverPorts) assert.ok(p >= 32768 && p <= 60999 && p !== 69, `port ${p}`);

    // The size probe: OACK with the size, ERROR 0 "TFTP Aborted" from the ROM, nothing more.
    const probe = pxe.fetches[0]!;
    const probeTalk = tftpOnWire(net).filter((w) =>
      w.srcPort === probe.serverPort || w.dstPort === probe.serverPort
    );
    assert.deepEqual(probeTalk.map((w) => [w.node, w.message]), [
      ["srv", { op: "OACK", options: [{ name: "tsize", value: "42430" }] }],
      ["pc", { op: "ERROR", code: 0, message: "TFTP Aborted" }],
    ]);
    assert.deepEqual(syslogOf(srv, "in.tftpd").slice(0, 2), [
      "RRQ from 192.168.1.135 filename pxelinux.0",
      "tftp: client does not accept options",
    ]);

    // Every transfer: DATA 1..n in order, all full but the last; the initrd ends with an empty block.
    for (const f of pxe.fetches.filter((f) => f.state === "complete")) {
      const data = tftpOnWire(net, { node: "srv", op: "DATA" }).filter((w) =>
        w.srcPort === f.serverPort
      ).map((w) => w.message as { block: number; data: Uint8Array });
      assert.equal(data.length, f.blocks, f.file);
      data.forEach((d, i) => assert.equal(d.block, i + 1));
      const sizes = data.map((d) => d.data.length);
      assert.ok(sizes.slice(0, -1).every((s) => s === f.blksize), f.file);
      assert.equal(sizes.at(-1), f.bytes % f.blksize, `${f.file}: last block`);
      const acks = tftpOnWire(net, { node: "pc", op: "ACK" }).filter((w) =>
        w.dstPort === f.serverPort
      );
      // After an OACK the client acknowledges block 0 first.
      assert.deepEqual(
        acks.map((w) => (w.message as { block: number }).block),
        Array.from({ length: f.blocks + 1 }, (_, i) => i),
      );
    }
    assert.equal(pxe.fetches.reduce((n, f) => n + f.retransmissions, 0), 0);

    // What the screen showed, and what boots.
    assert.deepEqual(pxe.console.slice(0, 4), [
      "CLIENT MAC ADDR: 52 54 00 A1 B2 C3  GUID: 00000000-0000-0000-0000-000000000000",
      "CLIENT IP: 192.168.1.135  MASK: 255.255.255.0  DHCP IP: 192.168.1.1",
      "GATEWAY IP: 192.168.1.1",
      "TFTP.",
    ]);
    assert.deepEqual(pxe.console.slice(-4), [
      "Trying to load: pxelinux.cfg/C",
      "Trying to load: pxelinux.cfg/default                                ok",
      `Loading ${KERNEL}... ok`,
      `Loading ${INITRD}...ok`,
    ]);
    assert.ok(pxe.console.includes("My IP address seems to be C0A80187 192.168.1.135"));
    assert.ok(pxe.console.includes("ip=192.168.1.135:192.168.1.1:192.168.1.1:255.255.255.0"));
    assert.deepEqual(pxe.kernel, {
      label: "install",
      kernel: KERNEL,
      initrd: [INITRD],
      cmdline: `initrd=${INITRD} vga=788 --- quiet BOOTIF=01-52-54-00-a1-b2-c3`,
    });
  },
);
