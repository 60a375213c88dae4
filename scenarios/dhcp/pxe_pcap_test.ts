/**
 * The capture of a PXE boot, as `tcpdump -i eth0 -w boot.pcap` on the server
 * writes it, opened in tshark: every frame dissects without a malformed
 * packet or a bad checksum; DHCP shows next-server and the boot file; tshark
 * follows every TFTP transfer from its request to port 69 to the server's new
 * port and decodes each field (opcodes, file names, modes, options in RRQ and
 * OACK, block numbers, data lengths, error codes and texts). The only expert
 * warnings are the ones Wireshark puts on a server's TFTP ERROR packet; the
 * firmware's "TFTP Aborted" after the size it asked for, Wireshark knows as a
 * "Likely transfer size (tsize) probe". A second
 * capture, of a boot that lost a kernel block, shows the block twice.
 * Skipped where tshark is not installed.
 *
 *   srv 192.168.1.1 (dnsmasq DHCP, in.tftpd -s /srv/tftp, tcpdump) ── sw ── pc (PXE)
 */
import assert from "node:assert/strict";
import { runScenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { frames, hasTshark, problems } from "../../core/app/dns/udp_pcap_testing.ts";
import { boot, bootLan, DNSMASQ_DHCP, dropAt, tftpOnWire } from "./tftp_testing.ts";

/** Boot pc with a capture running on srv; returns the pcap and how many TFTP packets srv saw. */
function capture(lose?: number): { pcap: Uint8Array; tftp: number; errors: number } {
  let out: { pcap: Uint8Array; tftp: number; errors: number } | undefined;
  runScenario((net: Network) => {
    const { srv, pc } = bootLan(net);
    srv.sh(DNSMASQ_DHCP);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    srv.sh("tcpdump -i eth0 -w /tmp/boot.pcap &");
    if (lose !== undefined) dropAt(pc.root, "input", (m) => m.op === "DATA" && m.block === lose);
    const pxe = boot(net, pc);
    assert.equal(pxe.state, "booted");
    net.runFor(10e6);
    srv.sh("kill %2");
    const f = srv.files.get("/tmp/boot.pcap")!;
    const sent = tftpOnWire(net, { node: "srv" }).length;
    const received = tftpOnWire(net, { node: "pc" }).length;
    out = {
      pcap: typeof f === "function" ? f() : f,
      tftp: sent + received,
      errors: tftpOnWire(net).filter((w) => w.message.op === "ERROR").length,
    };
  });
  return out!;
}

async function tshark(path: string, pcap: Uint8Array, ...args: string[]): Promise<string> {
  await Deno.writeFile(path, pcap);
  const r = await new Deno.Command("tshark", {
    args: ["-r", path, "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
  return new TextDecoder().decode(r.stdout);
}

Deno.test({
  name: "pxe pcap: tshark dissects the whole boot, every TFTP field, no warning but ERROR notes",
  ignore: !hasTshark(),
  async fn() {
    const { pcap, tftp, errors } = capture();
    const text = await tshark("/tmp/packetlab-pxe-boot.pcap", pcap, "-V");
    const all = frames(text);
    // Every packet srv sent or pc sent for it reached srv's eth0, so the capture holds them all.
    const tftpFrames = all.filter((f) => f.includes("Trivial File Transfer Protocol"));
    assert.equal(tftpFrames.length, tftp);
    for (const f of all) {
      const p = problems(f).map((l) => l.trim());
      // Wireshark flags the server's ERROR replies; the ROM's abort it knows for what it is.
      if (f.includes("Opcode: Error Code (5)") && !f.includes("TFTP Aborted")) {
        assert.deepEqual(p, ["[Expert Info (Warning/Response): TFTP ERROR packet]"]);
      } else assert.deepEqual(p, [], f.split("\n")[0]);
    }
    assert.equal(tftpFrames.filter((f) => f.includes("Opcode: Error Code (5)")).length, errors);
    const has = (line: string) => assert.ok(text.includes(line), `no "${line}"`);
    // DHCP: where to boot from.
    has("Next server IP address: 192.168.1.1");
    has("Bootfile name: pxelinux.0"); // option 67: the ROM asked for it
    has("Vendor class identifier: PXEClient:Arch:00000:UNDI:002001");
    // The ROM's two requests, the OACK with the size, its abort.
    has("Source File: pxelinux.0");
    has("Type: octet");
    has("Option: tsize = 0");
    has("Option: tsize = 42430");
    has("Option: blksize = 1456");
    has("Error code: Not defined (0)");
    has("Error message: TFTP Aborted");
    has("[Expert Info (Chat/Request): Likely transfer size (tsize) probe]");
    // PXELINUX: its options, a missing configuration, the last blocks.
    has("Option: blksize = 1408");
    has("Source File: pxelinux.cfg/01-52-54-00-a1-b2-c3");
    has("Error code: File not found (1)");
    has("Error message: File not found");
    has("Source File: debian-installer/amd64/linux");
    has("Data (206 bytes)"); // pxelinux.0's block 30: 42430 - 29 × 1456
    has("Block: 711");
    has("Opcode: Acknowledgement (4)");
  },
});

Deno.test({
  name: "pxe pcap: a lost kernel block shows twice in the capture, one second apart",
  ignore: !hasTshark(),
  async fn() {
    const { pcap } = capture(300);
    const text = await tshark(
      "/tmp/packetlab-pxe-lost-block.pcap",
      pcap,
      "-Y",
      "tftp.opcode == 3 && tftp.block == 300 && frame.len > 1400",
      "-T",
      "fields",
      "-e",
      "frame.time_relative",
      "-e",
      "ip.dst",
    );
    const rows = text.trim().split("\n").map((l) => l.split("\t"));
    // Block 300 of the kernel (ldlinux.c32 has 85 blocks, so only the kernel has a block 300).
    assert.equal(rows.length, 2);
    const [t1, t2] = rows.map((r) => Number(r[0]));
    assert.equal(Math.round((t2! - t1!) * 1e3), 1000);
    for (const r of rows) assert.equal(r[1], "192.168.1.135");
  },
});
