/**
 * Expiry: no server answers any more. The client renews, rebinds, and when the
 * lease runs out it gives the address up — dhclient-script's EXPIRE flushes
 * it, and with the device's last address the kernel drops its routes — and
 * starts over with a DISCOVER from 0.0.0.0. Until then the address worked;
 * after it, the network is unreachable. ISC dhclient's own schedule for the
 * same thing (recorded with a two-minute lease): unicast retries a few seconds
 * apart, a single broadcast after T2, then DISCOVERs.
 *
 *   srv 192.168.1.1 (dnsmasq, stopped after the lease) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, lan, secs, syslogLines } from "./dhcp_testing.ts";

scenario("dhcp expiry: at the end of the lease the address and its routes go", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,10m");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", arpProbe: false });
  client.start();
  net.runFor(5e9);
  const lease = client.lease!;
  srv.sh("pkill dnsmasq");
  net.run(lease.expiresAt - 2e9);
  assert.equal(pc!.sh("ping -c 1 -W 1 192.168.1.1").status, 0, "the address works to the end");
  net.run(lease.expiresAt - 1);
  assert.equal(client.state, "REBINDING");
  assert.equal(
    pc!.sh("ip route").stdout,
    "default via 192.168.1.1 dev eth0 \n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.135 \n",
  );
  net.run(lease.expiresAt);
  // Gone at the expiry instant: the address, the prefix route and the default route.
  assert.equal(pc!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
  assert.equal(pc!.sh("ip route").stdout, "");
  const ping = pc!.sh("ping -c 1 192.168.1.1");
  assert.deepEqual([ping.stderr, ping.status], ["ping: connect: Network is unreachable\n", 2]);
  // Back to INIT: a DISCOVER from nobody, at the expiry instant, asking for the old address.
  const discover = dhcpOnWire(net, { type: "DHCPDISCOVER" }).at(-1)!;
  assert.deepEqual([discover.time, discover.src, discover.dst], [
    lease.expiresAt,
    "0.0.0.0",
    "255.255.255.255",
  ]);
  const states = client.history.filter((h) => h.time >= lease.renewAt).map((h) => h.state);
  assert.deepEqual(states, ["RENEWING", "REBINDING", "INIT", "SELECTING"]);
  assert.equal(client.lease, undefined);
});

scenario("dhcp expiry: dhclient's retries, one broadcast after T2, then DISCOVER", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,2m");
  pc!.sh("dhclient eth0");
  const boundAt = dhcpOnWire(net, { type: "DHCPACK" })[0]!.time;
  srv.sh("pkill dnsmasq");
  net.runFor(125e9);
  const log = syslogLines(pc!, "dhclient").slice(5);
  const unicast = log.filter((l) =>
    l === "DHCPREQUEST for 192.168.1.135 on eth0 to 192.168.1.1 port 67"
  );
  const broadcast = log.filter((l) =>
    l === "DHCPREQUEST for 192.168.1.135 on eth0 to 255.255.255.255 port 67"
  );
  assert.ok(unicast.length >= 2, log.join("\n"));
  assert.equal(broadcast.length, 1, log.join("\n"));
  // The last REQUEST is the broadcast, then DISCOVERs: the order recorded on Linux.
  const firstDiscover = log.findIndex((l) => l.startsWith("DHCPDISCOVER"));
  assert.equal(log[firstDiscover - 1], broadcast[0]);
  // Unicast before T2 (105 s after the ACK, counted in whole seconds), broadcast after it.
  const requests = dhcpOnWire(net, { type: "DHCPREQUEST" }).slice(1);
  for (const w of requests) {
    const after = Math.floor(secs(w.time)) - Math.floor(secs(boundAt)) > 105;
    assert.equal(
      w.dst,
      after ? "255.255.255.255" : "192.168.1.1",
      `at ${secs(w.time - boundAt)} s`,
    );
  }
  const discover = dhcpOnWire(net, { type: "DHCPDISCOVER" })[1]!;
  assert.ok(secs(discover.time - boundAt) >= 120 && secs(discover.time - boundAt) < 122);
  assert.equal(pc!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
}, { seed: 4 });
