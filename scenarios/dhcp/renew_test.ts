/**
 * Renewal: at T1 — half the lease, as the notes say — the client asks the
 * server that gave it the lease again, by unicast from its leased address
 * (ciaddr set, no requested-address or server-id option), and the server's ACK
 * comes straight back to ciaddr; the lease then runs from the new request.
 * dnsmasq shaves a random amount off the T1 and T2 it grants on renewals (so
 * that its clients do not renew in step), and ISC dhclient renews at a random
 * point between 3/4·T1 and T1: the log line "renewal in N seconds" tells when.
 *
 *   srv 192.168.1.1 (dnsmasq, 10-minute leases) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, formatIp4, lan, PC_MAC, secs, syslogLines } from "./dhcp_testing.ts";

scenario("dhcp renew: at 50% of the lease, unicast to the server", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,10m");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", arpProbe: false });
  client.start();
  net.runFor(5e9);
  const first = client.lease!;
  assert.deepEqual([first.leaseTime, first.renewalTime, first.rebindingTime], [600, 300, 525]);
  assert.equal(first.renewAt - first.obtained, 300e9, "T1 is exactly half the lease");
  net.run(first.renewAt - 1);
  assert.equal(dhcpOnWire(net, { type: "DHCPREQUEST" }).length, 1, "nothing before T1");
  net.runFor(1e9);
  const [, renewal] = dhcpOnWire(net, { type: "DHCPREQUEST" });
  assert.equal(renewal!.time, first.renewAt);
  assert.deepEqual(
    [
      renewal!.src,
      renewal!.dst,
      renewal!.srcPort,
      renewal!.dstPort,
      renewal!.srcMac,
      renewal!.dstMac,
    ],
    ["192.168.1.135", "192.168.1.1", 68, 67, PC_MAC, srv.mac("eth0")],
  );
  const m = renewal!.message;
  assert.equal(formatIp4(m.ciaddr), "192.168.1.135");
  assert.equal(m.options.requestedAddress, undefined);
  assert.equal(m.options.serverId, undefined);
  assert.equal(m.xid, first.ack.xid, "the transaction id of the lease");
  const [, ack] = dhcpOnWire(net, { type: "DHCPACK" });
  assert.deepEqual([ack!.src, ack!.dst, ack!.dstMac], ["192.168.1.1", "192.168.1.135", PC_MAC]);
  // dnsmasq's renewal fuzz: T1 and T2 shortened by the same few seconds, at most T1/8.
  const o = ack!.message.options;
  const fuzz = 300 - o.renewalTime!;
  assert.ok(fuzz > 0 && fuzz <= 37, `fuzz ${fuzz}`);
  assert.deepEqual([o.leaseTime, o.rebindingTime], [600, 525 - fuzz]);
  const second = client.lease!;
  assert.equal(second.obtained, renewal!.time);
  assert.equal(second.expiresAt, renewal!.time + 600e9, "the lease runs from the renewal");
  assert.equal(second.renewAt, renewal!.time + (300 - fuzz) * 1e9);
  assert.deepEqual(
    client.history.filter((h) => h.time >= renewal!.time).map((h) => h.state),
    ["RENEWING", "BOUND"],
  );
  // The address never went away.
  assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
  assert.equal(dhcpOnWire(net, { type: "DHCPDISCOVER" }).length, 1);
});

scenario("dhcp renew: dhclient renews when its log line said, and again", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,2m");
  const r = pc!.sh("dhclient -v eth0");
  const bound = /bound to 192\.168\.1\.135 -- renewal in (\d+) seconds\./.exec(r.stderr)!;
  const wait = Number(bound[1]);
  // 3/4 of T1 (60 s) up to T1.
  assert.ok(wait >= 45 && wait <= 60, `renewal in ${wait}`);
  const boundAt = dhcpOnWire(net, { type: "DHCPACK" })[0]!.time;
  net.runFor(200e9);
  const renewals = dhcpOnWire(net, { type: "DHCPREQUEST" }).slice(1);
  assert.ok(renewals.length >= 3, `${renewals.length} renewals in 200 s`);
  // The first one at the announced second (dhclient counts whole seconds, then adds a random fraction).
  assert.equal(Math.floor(secs(renewals[0]!.time)), Math.floor(secs(boundAt)) + wait);
  for (const w of renewals) assert.deepEqual([w.src, w.dst], ["192.168.1.135", "192.168.1.1"]);
  const log = syslogLines(pc!, "dhclient");
  assert.deepEqual(log.slice(5, 8), [
    "DHCPREQUEST for 192.168.1.135 on eth0 to 192.168.1.1 port 67",
    "DHCPACK of 192.168.1.135 from 192.168.1.1",
    log[7]!,
  ]);
  assert.match(log[7]!, /^bound to 192\.168\.1\.135 -- renewal in \d+ seconds\.$/);
  // Every renewal was answered; the client never lost its address.
  assert.equal(dhcpOnWire(net, { type: "DHCPACK" }).length, renewals.length + 1);
  assert.equal(dhcpOnWire(net, { type: "DHCPDISCOVER" }).length, 1);
});
