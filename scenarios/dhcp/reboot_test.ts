/**
 * INIT-REBOOT: a client that remembers an unexpired lease (dhclient's lease
 * file) does not DISCOVER; it broadcasts a REQUEST for its old address — option
 * 50, no server id, ciaddr 0 — and the server that knows the lease ACKs it at
 * once. A server that lost its lease database answers only if it is
 * authoritative (dnsmasq then recovers the lease); otherwise the client waits
 * out its reboot timeout and DISCOVERs, asking for the same address, which the
 * server grants if it is free. A running client renewing a lease its server
 * forgot is NAKed "lease not found" and starts over.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, fileText, formatIp4, lan, PC_MAC, secs, syslogLines } from "./dhcp_testing.ts";

const RANGE = "--dhcp-range=192.168.1.100,192.168.1.200,12h";

/** A lease taken, dhclient stopped (-x), then the server restarted as `restart` says. */
function rebootAfter(net: Network, restart: string | undefined) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(`dnsmasq --port=0 ${RANGE}`);
  pc!.sh("dhclient eth0");
  pc!.sh("dhclient -x eth0");
  if (restart !== undefined) srv.sh(`pkill dnsmasq; dnsmasq --port=0 ${RANGE} ${restart}`);
  net.runFor(60e9);
  const before = dhcpOnWire(net).length;
  const r = pc!.sh("dhclient -v eth0");
  return { srv, pc: pc!, r, wire: dhcpOnWire(net).slice(before) };
}

scenario("dhcp reboot: the remembered lease is asked for again and ACKed", (net) => {
  const { pc, r, wire } = rebootAfter(net, undefined);
  assert.deepEqual(r.stderr.split("\n").slice(8, 11), [
    "DHCPREQUEST for 192.168.1.135 on eth0 to 255.255.255.255 port 67",
    "DHCPACK of 192.168.1.135 from 192.168.1.1",
    r.stderr.split("\n")[10]!,
  ]);
  assert.deepEqual(wire.map((w) => `${w.node} ${w.type}`), ["pc DHCPREQUEST", "srv DHCPACK"]);
  const m = wire[0]!.message;
  assert.deepEqual(
    [wire[0]!.src, m.ciaddr, formatIp4(m.options.requestedAddress!), m.options.serverId],
    ["0.0.0.0", 0, "192.168.1.135", undefined],
  );
  assert.match(pc.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
  // The lease file held what INIT-REBOOT needed.
  assert.match(fileText(pc, "/var/lib/dhcp/dhclient.leases")!, /fixed-address 192\.168\.1\.135;/);
});

scenario("dhcp reboot: a server that lost its leases stays silent unless authoritative", (net) => {
  const { r, wire } = rebootAfter(net, "--dhcp-leasefile=/tmp/new.leases");
  const reboots = wire.filter((w) =>
    w.type === "DHCPREQUEST" && w.message.options.serverId === undefined
  );
  assert.ok(reboots.length >= 2);
  const discover = wire.find((w) => w.type === "DHCPDISCOVER")!;
  assert.ok(secs(discover.time - reboots[0]!.time) > 10);
  // The DISCOVER asks for the old address, and the server gives it back.
  assert.equal(formatIp4(discover.message.options.requestedAddress!), "192.168.1.135");
  assert.match(r.stderr, /^bound to 192\.168\.1\.135 -- /m);
});

scenario("dhcp reboot: an authoritative server recovers the lease at once", (net) => {
  const { srv, wire } = rebootAfter(net, "--dhcp-authoritative --dhcp-leasefile=/tmp/new.leases");
  assert.deepEqual(wire.map((w) => `${w.node} ${w.type}`), ["pc DHCPREQUEST", "srv DHCPACK"]);
  assert.match(fileText(srv, "/tmp/new.leases")!, new RegExp(`${PC_MAC} 192\\.168\\.1\\.135 pc`));
});

scenario("dhcp reboot: a renewal the server cannot place is NAKed 'lease not found'", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(`dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,10m`);
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", arpProbe: false });
  client.start();
  net.runFor(5e9);
  // The server restarts with an empty lease file: the lease is gone from its memory.
  srv.sh(
    "pkill dnsmasq; dnsmasq --port=0 --dhcp-leasefile=/tmp/new.leases --dhcp-range=192.168.1.100,192.168.1.200,10m",
  );
  net.run(client.history[0]!.time + 310e9);
  const nak = dhcpOnWire(net, { type: "DHCPNAK" })[0]!;
  assert.equal(new TextDecoder().decode(nak.message.options.raw!.get(56)), "lease not found");
  // Unicast REQUEST, broadcast NAK (the server cannot trust the client's address).
  assert.deepEqual([nak.dst, nak.message.broadcast], ["255.255.255.255", true]);
  assert.ok(
    syslogLines(srv, "dnsmasq-dhcp").includes(
      `DHCPNAK(eth0) 192.168.1.135 ${PC_MAC} lease not found`,
    ),
  );
  // The client dropped the address and started over; it got the same address back.
  const states = client.history.map((h) => h.state);
  assert.deepEqual(states.slice(states.indexOf("RENEWING")), [
    "RENEWING",
    "INIT",
    "SELECTING",
    "REQUESTING",
    "BOUND",
  ]);
  assert.equal(formatIp4(client.lease!.address), "192.168.1.135");
});
