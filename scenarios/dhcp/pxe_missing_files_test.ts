/**
 * A PXE boot that cannot find a file says where it stopped, as the screen of
 * a real machine does: the firmware's "PXE-T01: File not found" and
 * "PXE-E3B: TFTP Error - File Not found" when the boot file is missing;
 * PXELINUX's "Failed to load ldlinux.c32" when its second half is; "Could not
 * find kernel image: …" and the boot: prompt when the configuration names a
 * kernel the server does not have; "PXE-E53: No boot filename received" when
 * DHCP gave no filename at all. No boot goes further than the file that is
 * missing.
 *
 *   srv 192.168.1.1 (dnsmasq DHCP, in.tftpd -s /srv/tftp) ── sw ── pc (PXE)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { boot, bootLan, DNSMASQ_DHCP, ROOT } from "./tftp_testing.ts";

scenario("pxe: a missing pxelinux.0 stops the firmware with PXE-E3B", (net) => {
  const { srv, pc } = bootLan(net);
  srv.files.delete(`${ROOT}/pxelinux.0`);
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "failed");
  assert.deepEqual(pxe.console.slice(-4), [
    "TFTP.",
    "PXE-T01: File not found",
    "PXE-E3B: TFTP Error - File Not found",
    "PXE-M0F: Exiting Intel PXE ROM.",
  ]);
  // The very first request (the size probe) got the ERROR; nothing else was asked for.
  assert.deepEqual(pxe.fetches.map((f) => [f.purpose, f.file, f.state, f.error?.code]), [
    ["size", "pxelinux.0", "error", 1],
  ]);
});

scenario(
  "pxe: a missing ldlinux.c32 ends PXELINUX before any configuration is looked for",
  (net) => {
    const { srv, pc } = bootLan(net);
    srv.files.delete(`${ROOT}/ldlinux.c32`);
    srv.sh(DNSMASQ_DHCP);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const pxe = boot(net, pc);
    assert.equal(pxe.state, "failed");
    assert.deepEqual(pxe.fetches.map((f) => [f.file, f.state]), [
      ["pxelinux.0", "aborted"],
      ["pxelinux.0", "complete"],
      ["ldlinux.c32", "error"],
    ]);
    assert.deepEqual(pxe.console.slice(-2), [
      "Failed to load ldlinux.c32",
      "Boot failed: press a key to retry, or wait for reset...",
    ]);
  },
);

scenario("pxe: a kernel the server lacks leaves PXELINUX at its boot: prompt", (net) => {
  const { srv, pc } = bootLan(net);
  srv.files.delete(`${ROOT}/debian-installer/amd64/linux`);
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "prompt");
  assert.equal(pxe.kernel, undefined);
  const last = pxe.fetches.at(-1)!;
  assert.deepEqual([last.purpose, last.file, last.state, last.error?.message], [
    "kernel",
    "debian-installer/amd64/linux",
    "error",
    "File not found",
  ]);
  // The initrd is not asked for.
  assert.equal(pxe.fetches.filter((f) => f.purpose === "initrd").length, 0);
  assert.deepEqual(pxe.console.slice(-2), [
    "Could not find kernel image: debian-installer/amd64/linux",
    "boot:",
  ]);
});

scenario("pxe: without a filename in the DHCP answer the firmware gives up (PXE-E53)", (net) => {
  const { srv, pc } = bootLan(net);
  srv.sh(DNSMASQ_DHCP.replace(" --dhcp-boot=pxelinux.0", ""));
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "failed");
  assert.equal(pxe.lease!.bootFile, "");
  assert.deepEqual(pxe.fetches, []);
  assert.deepEqual(pxe.console.slice(-2), [
    "PXE-E53: No boot filename received",
    "PXE-M0F: Exiting Intel PXE ROM.",
  ]);
});

scenario("pxe: with no DHCP server the firmware gives up after a minute (PXE-E51)", (net) => {
  const { pc } = bootLan(net);
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "failed");
  assert.equal(pxe.failure, "PXE-E51: No DHCP or proxyDHCP offers were received.");
  // DISCOVERs after 4, 8 and 16 s (each ±1 s); the fifth would go past 60 s, so none is sent.
  assert.equal(pxe.dhcp.sent.get("DHCPDISCOVER"), 4);
  assert.ok(net.sim.now > 60e9 && net.sim.now <= 64e9, `${net.sim.now / 1e9} s`);
});
