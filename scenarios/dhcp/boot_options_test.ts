/**
 * What DHCP tells a network-booting machine (the notes' PXE section):
 * `--dhcp-boot=pxelinux.0,bootsrv,192.168.1.5` puts the next server in
 * siaddr, the server name in sname and the boot file in file — or, for a
 * client that lists options 66 and 67 in its request (PXE ROMs do), in those
 * options, NUL-terminated, as dnsmasq does; `--dhcp-no-override` keeps them in
 * the fixed fields. Either way the client's lease exposes the same
 * `nextServer`, `serverName` and `bootFile`. Without `--dhcp-boot`, siaddr is
 * the DHCP server itself and there is no file.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { PXE_VENDOR_CLASS } from "../../core/app/pxe/boot.ts";
import { dhcpOnWire, formatIp4, lan } from "./dhcp_testing.ts";

/** The options a PXE ROM asks for that matter here (its full list has some 30 codes). */
const PXE_PRL = [1, 3, 6, 43, 54, 60, 66, 67];
const PXE_CLASS = PXE_VENDOR_CLASS;

function boot(net: Network, dnsmasqArgs: string, pxe: boolean) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(`dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h ${dnsmasqArgs}`);
  const client = new DhcpClient({
    ns: pc!.root,
    iface: "eth0",
    arpProbe: false,
    ...(pxe ? { parameterRequestList: PXE_PRL, vendorClassId: PXE_CLASS } : {}),
  });
  client.start();
  net.runFor(5e9);
  assert.equal(client.state, "BOUND");
  return { lease: client.lease!, ack: dhcpOnWire(net, { type: "DHCPACK" })[0]!.message };
}

scenario("dhcp boot: next-server, server name and file in the fixed fields", (net) => {
  const { lease, ack } = boot(net, "--dhcp-boot=pxelinux.0,bootsrv,192.168.1.5", false);
  assert.deepEqual([formatIp4(ack.siaddr), ack.sname, ack.file], [
    "192.168.1.5",
    "bootsrv",
    "pxelinux.0",
  ]);
  assert.equal(ack.options.bootfileName, undefined);
  assert.deepEqual([formatIp4(lease.nextServer), lease.serverName, lease.bootFile], [
    "192.168.1.5",
    "bootsrv",
    "pxelinux.0",
  ]);
});

scenario("dhcp boot: a PXE client asking for 66 and 67 gets them as options", (net) => {
  const { lease, ack } = boot(net, "--dhcp-boot=pxelinux.0,bootsrv,192.168.1.5", true);
  assert.deepEqual([ack.sname, ack.file], ["", ""]);
  // dnsmasq NUL-terminates them (some PXE ROMs need it), right after the lease time.
  assert.equal(ack.options.tftpServerName, "bootsrv\0");
  assert.equal(ack.options.bootfileName, "pxelinux.0\0");
  assert.deepEqual(ack.options.order!.slice(0, 5), [53, 54, 51, 66, 67]);
  assert.equal(formatIp4(ack.siaddr), "192.168.1.5");
  assert.deepEqual([formatIp4(lease.nextServer), lease.serverName, lease.bootFile], [
    "192.168.1.5",
    "bootsrv",
    "pxelinux.0",
  ]);
  const discover = dhcpOnWire(net, { type: "DHCPDISCOVER" })[0]!;
  assert.equal(discover.message.options.vendorClassId, PXE_CLASS);
});

scenario(
  "dhcp boot: --dhcp-no-override keeps them in the fields; no --dhcp-boot, no file",
  (net) => {
    const { lease, ack } = boot(net, "--dhcp-no-override --dhcp-boot=pxelinux.0", true);
    assert.deepEqual([ack.file, ack.options.bootfileName], ["pxelinux.0", undefined]);
    // No server address given: the DHCP server is the next server.
    assert.deepEqual([formatIp4(lease.nextServer), lease.bootFile, lease.serverName], [
      "192.168.1.1",
      "pxelinux.0",
      "",
    ]);
  },
);

scenario("dhcp boot: without --dhcp-boot the lease has no boot file", (net) => {
  const { lease, ack } = boot(net, "", true);
  assert.deepEqual([ack.file, ack.sname, formatIp4(ack.siaddr)], ["", "", "192.168.1.1"]);
  assert.deepEqual([lease.bootFile, lease.serverName], ["", ""]);
});
