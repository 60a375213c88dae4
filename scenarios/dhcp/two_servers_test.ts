/**
 * Two DHCP servers on one LAN, as the notes describe: both answer the
 * DISCOVER and each holds the address it offered; the client takes the first
 * OFFER to arrive and broadcasts a REQUEST naming that server; the other
 * server reads the REQUEST as "not you" and frees its reservation at once
 * (RFC 2131 §3.1 step 4), and never answers. Which offer comes first is a
 * matter of timing: behind a slower link, or pinging first while the other
 * does not, changes the winner.
 *
 *   srv1 192.168.1.1 ─┐
 *   pc              ─┼─ sw
 *   srv2 192.168.1.2 ─┘ (5 ms link)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { DhcpServer, type DhcpServerConfig } from "../../core/app/dhcp/server.ts";
import { dhcpOnWire, formatIp4, ip, PC_MAC, secs } from "./dhcp_testing.ts";

function build(net: Network, o: { srv2Ping: boolean }) {
  const [srv1, srv2, pc] = net.nodes("srv1", "srv2", "pc");
  const sw = net.switch("sw");
  net.connect(srv1, sw);
  net.connect(pc, sw);
  net.connect(srv2, sw, { delay: "5ms" });
  pc.sh(`ip link set eth0 address ${PC_MAC}`);
  srv1.sh("ip addr add 192.168.1.1/24 dev eth0");
  srv2.sh("ip addr add 192.168.1.2/24 dev eth0");
  const config = (start: string, end: string): DhcpServerConfig => ({
    ranges: [{ start: ip(start), end: ip(end), leaseTime: 3600 }],
  });
  const s1 = new DhcpServer(srv1.root, config("192.168.1.100", "192.168.1.200"));
  const s2 = new DhcpServer(srv2.root, {
    ...config("192.168.1.201", "192.168.1.250"),
    ping: o.srv2Ping,
  });
  assert.equal(s1.start(), undefined);
  assert.equal(s2.start(), undefined);
  const client = new DhcpClient({ ns: pc.root, iface: "eth0", arpProbe: false });
  return { s1, s2, client };
}

scenario("dhcp two servers: the first offer wins, the other frees its reservation", (net) => {
  const { s1, s2, client } = build(net, { srv2Ping: true });
  client.start();
  // Both servers ping their candidate for 3 s, then offer and hold the address;
  // srv2's DISCOVER and its OFFER each take 5 ms more on its link.
  const offered = (node: string) => () => dhcpOnWire(net, { type: "DHCPOFFER", node }).length > 0;
  net.sim.runUntil(offered("srv1"));
  const offers = dhcpOnWire(net, { type: "DHCPOFFER" });
  assert.deepEqual(offers.map((o) => [o.node, formatIp4(o.message.yiaddr)]), [
    ["srv1", "192.168.1.135"],
  ]);
  assert.deepEqual(s1.reservations().map((r) => formatIp4(r.address)), ["192.168.1.135"]);
  assert.deepEqual(s1.leases(), []);
  net.sim.runUntil(offered("srv2"));
  assert.deepEqual(s2.reservations().map((r) => formatIp4(r.address)), ["192.168.1.207"]);
  net.runFor(1e9);
  assert.equal(client.state, "BOUND");
  assert.equal(formatIp4(client.lease!.address), "192.168.1.135");
  assert.equal(formatIp4(client.lease!.serverId), "192.168.1.1");

  // The REQUEST names srv1; srv2 saw it (broadcast) and let its address go.
  const [request] = dhcpOnWire(net, { type: "DHCPREQUEST" });
  assert.equal(formatIp4(request!.message.options.serverId!), "192.168.1.1");
  assert.equal(request!.dst, "255.255.255.255");
  const srv2Heard = net.trace.filter({ kind: "deliver", node: "srv2", proto: 17 })
    .filter((e) => e.time > request!.time);
  assert.equal(srv2Heard.length, 1, "srv2 received the REQUEST");
  assert.deepEqual(s2.reservations(), []);
  assert.deepEqual(s2.leases(), []);
  assert.deepEqual(s1.leases().map((l) => formatIp4(l.address)), ["192.168.1.135"]);
  // srv2's late offer was ignored, and srv2 sent nothing after it.
  assert.deepEqual(dhcpOnWire(net, { node: "srv2" }).map((w) => w.type), ["DHCPOFFER"]);
  assert.deepEqual(dhcpOnWire(net, { node: "srv1" }).map((w) => w.type), [
    "DHCPOFFER",
    "DHCPACK",
  ]);
  assert.equal(client.sent.get("DHCPREQUEST"), 1);
});

scenario("dhcp two servers: a server that does not ping answers first and wins", (net) => {
  const { s1, s2, client } = build(net, { srv2Ping: false });
  client.start();
  net.runFor(1e9);
  // srv2 offers at once (10 ms there and back); srv1 is still pinging.
  assert.equal(client.state, "BOUND");
  assert.equal(formatIp4(client.lease!.serverId), "192.168.1.2");
  assert.equal(formatIp4(client.lease!.address), "192.168.1.207");
  assert.ok(secs(client.lease!.obtained) < 0.02);
  // srv1 was deaf while pinging; it heard the REQUEST afterwards and dropped its hold.
  net.runFor(3e9);
  assert.deepEqual(s1.reservations(), []);
  assert.deepEqual(s1.leases(), []);
  assert.deepEqual(s2.leases().map((l) => formatIp4(l.address)), ["192.168.1.207"]);
  // srv1 still sent its OFFER when its ping ended; the bound client ignored it.
  const late = dhcpOnWire(net, { node: "srv1" });
  assert.deepEqual(late.map((w) => w.type), ["DHCPOFFER"]);
  assert.equal(client.state, "BOUND");
});
