/**
 * Where PXELINUX looks for its configuration, in the order PXELINUX 6's
 * pxe_load_config() tries: the file DHCP option 209 names; then below
 * pxelinux.cfg/ the machine's UUID, "01-" and its MAC, its address in hex
 * losing one digit at a time (C0A80187, C0A8018, … C), and "default". The
 * first file the server has is the one used — so a machine-specific file
 * beats a subnet-wide one, which beats the default. Everything is relative to
 * the directory of the boot file: with boot/pxelinux.0, PXELINUX fetches
 * boot/ldlinux.c32 and boot/pxelinux.cfg/…. A configuration with a prompt
 * waits its TIMEOUT (in tenths of a second) before booting ONTIMEOUT.
 *
 *   srv 192.168.1.1 (dnsmasq DHCP, in.tftpd -s /srv/tftp) ── sw ── pc 52:54:00:a1:b2:c3
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Node } from "../../core/node/node.ts";
import { boot, bootLan, DNSMASQ_DHCP, patterned, ROOT } from "./tftp_testing.ts";

const UUID = "8a3f9c2e-4b1d-4e7a-9c3b-2d5e6f708192";
const enc = new TextEncoder();

function config(srv: Node, name: string, kernel: string): void {
  srv.files.set(`${ROOT}/${name}`, enc.encode(`DEFAULT x\nLABEL x\n  KERNEL ${kernel}\n`));
  srv.files.set(`${ROOT}/${kernel}`, patterned(3000, kernel.length));
}

const tried = (pxe: ReturnType<typeof boot>) =>
  pxe.fetches.filter((f) => f.purpose === "config").map((f) => `${f.file} ${f.state}`);

scenario("pxe: the UUID file is tried first, then 01-MAC, which wins over default", (net) => {
  const { srv, pc } = bootLan(net);
  config(srv, "pxelinux.cfg/01-52-54-00-a1-b2-c3", "this-machine/vmlinuz");
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc, { uuid: UUID });
  assert.deepEqual(tried(pxe), [
    `pxelinux.cfg/${UUID} error`,
    "pxelinux.cfg/01-52-54-00-a1-b2-c3 complete",
  ]);
  assert.equal(pxe.configFile, "pxelinux.cfg/01-52-54-00-a1-b2-c3");
  assert.deepEqual([pxe.state, pxe.kernel?.kernel], ["booted", "this-machine/vmlinuz"]);
  assert.ok(pxe.console.includes(`SYSUUID=${UUID}`));
  assert.equal(pxe.console[0], `CLIENT MAC ADDR: 52 54 00 A1 B2 C3  GUID: ${UUID.toUpperCase()}`);
});

scenario(
  "pxe: a file for the subnet (C0A801 = 192.168.1.x) is found after the longer hex names",
  (net) => {
    const { srv, pc } = bootLan(net);
    config(srv, "pxelinux.cfg/C0A801", "subnet/vmlinuz");
    srv.sh(DNSMASQ_DHCP);
    srv.sh("in.tftpd -L -s /srv/tftp &");
    const pxe = boot(net, pc);
    assert.deepEqual(tried(pxe), [
      "pxelinux.cfg/01-52-54-00-a1-b2-c3 error",
      "pxelinux.cfg/C0A80187 error",
      "pxelinux.cfg/C0A8018 error",
      "pxelinux.cfg/C0A801 complete",
    ]);
    assert.equal(pxe.kernel?.kernel, "subnet/vmlinuz");
  },
);

scenario("pxe: DHCP option 209 names the configuration, and it is asked for first", (net) => {
  const { srv, pc } = bootLan(net);
  config(srv, "special.cfg", "special/vmlinuz");
  srv.sh(DNSMASQ_DHCP + " --dhcp-option-force=209,special.cfg");
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.deepEqual(tried(pxe), ["special.cfg complete"]);
  assert.equal(pxe.kernel?.kernel, "special/vmlinuz");
});

scenario("pxe: with boot/pxelinux.0 every path is below boot/", (net) => {
  const { srv, pc } = bootLan(net);
  for (const name of ["pxelinux.0", "ldlinux.c32"]) {
    srv.files.set(`${ROOT}/boot/${name}`, srv.files.get(`${ROOT}/${name}`)!);
    srv.files.delete(`${ROOT}/${name}`);
  }
  config(srv, "boot/pxelinux.cfg/default", "vmlinuz");
  srv.files.set(`${ROOT}/boot/vmlinuz`, patterned(3000, 9));
  srv.sh(DNSMASQ_DHCP.replace("--dhcp-boot=pxelinux.0", "--dhcp-boot=boot/pxelinux.0"));
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "booted");
  assert.ok(pxe.console.includes("TFTP prefix: boot/"));
  const files = pxe.fetches.map((f) => f.file);
  assert.deepEqual(files.slice(0, 4), [
    "boot/pxelinux.0",
    "boot/pxelinux.0",
    "boot/ldlinux.c32",
    "boot/pxelinux.cfg/01-52-54-00-a1-b2-c3",
  ]);
  assert.deepEqual(files.slice(-2), ["boot/pxelinux.cfg/default", "boot/vmlinuz"]);
  assert.deepEqual(pxe.files.get("boot/vmlinuz"), patterned(3000, 9));
});

scenario("pxe: a prompt waits its TIMEOUT, then boots ONTIMEOUT (here the local disk)", (net) => {
  const { srv, pc } = bootLan(net);
  srv.files.set(
    `${ROOT}/pxelinux.cfg/default`,
    enc.encode(
      "PROMPT 1\nTIMEOUT 50\nDEFAULT install\nONTIMEOUT local\n" +
        "LABEL install\n  KERNEL vmlinuz\nLABEL local\n  LOCALBOOT 0\n",
    ),
  );
  srv.sh(DNSMASQ_DHCP);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const pxe = boot(net, pc);
  assert.equal(pxe.state, "localboot");
  assert.equal(pxe.console.at(-1), "Booting from local disk...");
  // Five seconds at the prompt after the configuration arrived; no kernel fetched.
  const cfg = pxe.fetches.find((f) => f.file === "pxelinux.cfg/default")!;
  assert.equal(net.sim.now - cfg.endedAt, 5e9);
  assert.equal(pxe.fetches.filter((f) => f.purpose === "kernel").length, 0);
});
