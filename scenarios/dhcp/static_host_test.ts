/**
 * Static leases by MAC (`--dhcp-host=MAC,IP,NAME`): that MAC always gets its
 * address and host name — even outside the dynamic range, as long as it is in
 * the subnet — and nobody else gets it: the allocator skips it, and an
 * authoritative server NAKs another client asking for it ("address
 * reserved"). A MAC written wrongly is refused on the command line.
 *
 *   srv 192.168.1.1 ── sw ── pc 52:54:00:a1:b2:c3, pc2 52:54:00:00:02:01
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DhcpClient, leaseFromAck } from "../../core/app/dhcp/client.ts";
import {
  dhcpOnWire,
  fileText,
  formatIp4,
  ip,
  lan,
  PC2_MAC,
  PC_MAC,
  syslogLines,
} from "./dhcp_testing.ts";

scenario("dhcp static host: the MAC gets its address and name, outside the range", (net) => {
  const { srv, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
  srv.sh(
    `dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-host=${PC_MAC},192.168.1.50,printer,infinite`,
  );
  const r = pc!.sh("dhclient -v eth0");
  assert.match(r.stderr, /^DHCPOFFER of 192\.168\.1\.50 from 192\.168\.1\.1$/m);
  const ack = dhcpOnWire(net, { type: "DHCPACK" })[0]!;
  // The configured name replaces the client's own in the ACK; the lease never ends.
  assert.equal(ack.message.options.hostName, "printer");
  assert.equal(ack.message.options.leaseTime, 0xffffffff);
  assert.equal(ack.message.options.renewalTime, undefined, "no T1/T2 for an infinite lease");
  // dhclient reads "infinite" as 2^32 - 1 seconds: a renewal some 50 to 68 years away, never due.
  const renewal = Number(
    /^bound to 192\.168\.1\.50 -- renewal in (\d+) seconds\.$/m.exec(r.stderr)![1],
  );
  assert.ok(renewal >= 1610612736 && renewal <= 2147483648, `${renewal}`);
  net.runFor(30 * 86400e9);
  assert.equal(dhcpOnWire(net, { type: "DHCPREQUEST" }).length, 1);
  assert.match(
    fileText(srv, "/var/lib/misc/dnsmasq.leases")!,
    /^0 52:54:00:a1:b2:c3 192\.168\.1\.50 printer \*$/m,
  );
  // The static address was never pinged: it is the host's by configuration.
  assert.equal(net.trace.filter({ kind: "tx", node: "srv", icmp: "echo-request" }).length, 0);
  pc2!.sh("dhclient eth0");
  assert.match(pc2!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.1\d\d\/24/);
});

scenario("dhcp static host: nobody else gets it, and asking for it is refused", (net) => {
  const { srv, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
  // The reserved address is inside the range; pc2's hash would land exactly on it.
  srv.sh(
    `dnsmasq --port=0 --dhcp-authoritative --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-host=${PC_MAC},192.168.1.155`,
  );
  pc2!.sh("dhclient eth0");
  const offer = dhcpOnWire(net, { type: "DHCPOFFER" })[0]!;
  assert.equal(formatIp4(offer.message.yiaddr), "192.168.1.156", "the allocator steps over .155");
  // pc2 lets its lease go, then tries to reboot into .155 (a lease it never had): NAK.
  pc2!.sh("dhclient -r eth0");
  const client = new DhcpClient({
    ns: pc2!.root,
    iface: "eth0",
    arpProbe: false,
    previousLease: {
      ...leaseFromAck({ ...offer.message, yiaddr: ip("192.168.1.155") }, 0),
      expiresAt: Infinity,
    },
  });
  client.start();
  net.runFor(1e9);
  const nak = dhcpOnWire(net, { type: "DHCPNAK" })[0]!;
  assert.equal(new TextDecoder().decode(nak.message.options.raw!.get(56)), "address reserved");
  assert.ok(
    syslogLines(srv, "dnsmasq-dhcp").includes(
      `DHCPNAK(eth0) 192.168.1.155 ${PC2_MAC} address reserved`,
    ),
  );
  net.runFor(10e9);
  assert.equal(formatIp4(client.lease!.address), "192.168.1.156");
  // The owner gets it.
  pc!.sh("dhclient eth0");
  assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.155\/24/);
});

scenario("dhcp static host: a bad MAC or name is refused", (net) => {
  const { srv } = lan(net);
  const bad = srv.sh(
    "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200 --dhcp-host=zz:zz,192.168.1.50",
  );
  assert.deepEqual([bad.stderr, bad.status], [
    "\ndnsmasq: bad command line options: bad hex constant\n",
    1,
  ]);
  // Nothing was started.
  assert.equal(srv.sh("pkill dnsmasq").status, 1);
});
