/**
 * The one-box PXE server most labs use: dnsmasq doing DHCP and TFTP
 * (`--dhcp-boot=pxelinux.0 --enable-tftp --tftp-root=/srv/tftp`). The boot is
 * the same as with in.tftpd; dnsmasq's log tells it in its own words, line
 * for line as dnsmasq 2.90 does (recorded on Linux): the firmware's size
 * probe ("error 0 TFTP Aborted received from …", then "sent …", since only
 * the OACK was out), the boot file sent, ldlinux.c32 sent, a "not found" for
 * each configuration name PXELINUX tries, then the configuration, kernel and
 * initrd sent.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc 52:54:00:a1:b2:c3 (PXE)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { boot, bootLan, served, syslogOf } from "./tftp_testing.ts";

const DNSMASQ =
  "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-boot=pxelinux.0 --enable-tftp --tftp-root=/srv/tftp";

scenario("pxe: one dnsmasq for DHCP and TFTP; its log tells the boot", (net) => {
  const { srv, pc } = bootLan(net);
  assert.equal(srv.sh(DNSMASQ).status, 0);
  const pxe = boot(net, pc);
  net.runFor(1e6); // the last ACK reaches dnsmasq
  assert.equal(pxe.state, "booted");
  for (const f of pxe.fetches.filter((f) => f.state === "complete")) {
    assert.deepEqual(pxe.files.get(f.file), served(srv, f.file), f.file);
  }
  // dnsmasq grants the ROM's 1456 and PXELINUX's 1408: both fit 1500 - 32.
  assert.deepEqual(
    [...new Set(pxe.fetches.filter((f) => f.state === "complete").map((f) => f.blksize))],
    [1456, 1408],
  );
  const log = syslogOf(srv, "dnsmasq-tftp");
  const notFound = [
    "01-52-54-00-a1-b2-c3",
    "C0A80187",
    "C0A8018",
    "C0A801",
    "C0A80",
    "C0A8",
    "C0A",
    "C0",
    "C",
  ].map((n) => `file /srv/tftp/pxelinux.cfg/${n} not found for 192.168.1.135`);
  assert.deepEqual(log, [
    "TFTP root is /srv/tftp  ",
    "error 0 TFTP Aborted received from 192.168.1.135",
    "sent /srv/tftp/pxelinux.0 to 192.168.1.135", // the aborted size probe: only the OACK was out
    "sent /srv/tftp/pxelinux.0 to 192.168.1.135",
    "sent /srv/tftp/ldlinux.c32 to 192.168.1.135",
    ...notFound,
    "sent /srv/tftp/pxelinux.cfg/default to 192.168.1.135",
    "sent /srv/tftp/debian-installer/amd64/linux to 192.168.1.135",
    "sent /srv/tftp/debian-installer/amd64/initrd.gz to 192.168.1.135",
  ]);
  // PXELINUX got dnsmasq's wording in each ERROR 1.
  const miss = pxe.fetches.find((f) => f.state === "error")!;
  assert.deepEqual(miss.error, {
    code: 1,
    message: notFound[0],
    received: true,
  });
});
