/**
 * Release (`dhclient -r`): the running client is stopped ("Killed old client
 * process"), a DHCPRELEASE goes by unicast from the leased address to the
 * server named in the lease (ciaddr set, option 54, the host name, a fresh xid), and then
 * dhclient-script removes the address — with it the routes. The server drops
 * the lease (its lease file empties) and the address can go to someone else.
 * A server that does not know the lease (here: restarted with another lease
 * file) logs "unknown lease". Releasing with nothing running and no lease is
 * quiet.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import {
  dhclientHeader,
  dhcpOnWire,
  fileText,
  formatIp4,
  lan,
  PC_MAC,
  syslogLines,
} from "./dhcp_testing.ts";

const DNSMASQ = "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h";

scenario("dhcp release: RELEASE to the server, then the address goes", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(DNSMASQ);
  pc!.sh("dhclient eth0");
  assert.match(fileText(srv, "/var/lib/misc/dnsmasq.leases")!, /192\.168\.1\.135 pc/);
  const r = pc!.sh("dhclient -r -v eth0");
  assert.equal(r.status, 0);
  assert.deepEqual(r.stderr.split("\n"), [
    "Killed old client process",
    ...dhclientHeader("eth0", PC_MAC),
    "DHCPRELEASE of 192.168.1.135 on eth0 to 192.168.1.1 port 67",
    "",
  ]);
  net.runFor(1e6); // the RELEASE reaches the server
  const [release] = dhcpOnWire(net, { type: "DHCPRELEASE" });
  assert.deepEqual(
    [release!.src, release!.dst, release!.srcPort, release!.dstPort, release!.dstMac],
    ["192.168.1.135", "192.168.1.1", 68, 67, srv.mac("eth0")],
  );
  const m = release!.message;
  assert.equal(formatIp4(m.ciaddr), "192.168.1.135");
  assert.deepEqual(m.options.order, [53, 54, 12]);
  assert.equal(formatIp4(m.options.serverId!), "192.168.1.1");
  assert.notEqual(m.xid, dhcpOnWire(net, { type: "DHCPACK" })[0]!.message.xid);
  assert.ok(
    syslogLines(srv, "dnsmasq-dhcp").includes(`DHCPRELEASE(eth0) 192.168.1.135 ${PC_MAC} `),
  );
  assert.equal(fileText(srv, "/var/lib/misc/dnsmasq.leases"), "");
  assert.equal(pc!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
  assert.equal(pc!.sh("ip route").stdout, "");
  // The lease file keeps the lease, run out: the next dhclient starts with a DISCOVER.
  assert.match(
    fileText(pc!, "/var/lib/dhcp/dhclient.leases")!,
    /^ {2}expire 4 1970\/01\/01 00:00:03;$/m,
  );
  const before = dhcpOnWire(net).length;
  pc!.sh("dhclient eth0");
  assert.equal(dhcpOnWire(net)[before]!.type, "DHCPDISCOVER");
  // No renewals from the stopped client: only the new one's exchange.
  assert.equal(dhcpOnWire(net, { type: "DHCPREQUEST" }).length, 2);
});

scenario("dhcp release: a server that lost the lease logs 'unknown lease'", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(DNSMASQ);
  pc!.sh("dhclient eth0");
  srv.sh(`pkill dnsmasq; ${DNSMASQ} --dhcp-leasefile=/tmp/empty.leases`);
  pc!.sh("dhclient -r eth0");
  net.runFor(1e6);
  assert.ok(
    syslogLines(srv, "dnsmasq-dhcp").includes(
      `DHCPRELEASE(eth0) 192.168.1.135 ${PC_MAC} unknown lease`,
    ),
  );
  assert.equal(pc!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
});

scenario("dhcp release: with no client and no lease there is nothing to do", (net) => {
  const { pcs: [pc] } = lan(net, "pc");
  const r = pc!.sh("dhclient -r eth0");
  assert.deepEqual([r.out, r.status], ["", 0]);
  assert.deepEqual(dhcpOnWire(net), []);
});
