/**
 * Lease times as dnsmasq grants them: the range's time (T1 half of it, T2
 * seven eighths); a client may ask for less (option 51) and gets it, but never
 * less than two minutes, nor more than the range's; a host entry overrides the
 * range; `--dhcp-option=58,…` sets T1 when it fits inside the lease. The
 * client's timers follow what the ACK said.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, lan, PC_MAC } from "./dhcp_testing.ts";

/** The lease time, T1 and T2 granted to a client asking for `asked` seconds (or nothing). */
function granted(net: Network, dnsmasqArgs: string, asked?: number) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(`dnsmasq --port=0 ${dnsmasqArgs}`);
  const client = new DhcpClient({
    ns: pc!.root,
    iface: "eth0",
    arpProbe: false,
    ...(asked === undefined ? {} : { requestedLeaseTime: asked }),
  });
  client.start();
  net.runFor(5e9);
  const o = dhcpOnWire(net, { type: "DHCPACK" })[0]!.message.options;
  return { client, times: [o.leaseTime, o.renewalTime, o.rebindingTime] };
}

scenario("dhcp lease time: the range's, with T1 at 1/2 and T2 at 7/8", (net) => {
  const { client, times } = granted(net, "--dhcp-range=192.168.1.100,192.168.1.200,45m");
  assert.deepEqual(times, [2700, 1350, 2362]);
  const l = client.lease!;
  assert.deepEqual(
    [l.renewAt - l.obtained, l.rebindAt - l.obtained, l.expiresAt - l.obtained],
    [1350e9, 2362e9, 2700e9],
  );
});

scenario("dhcp lease time: a client asking for ten minutes gets ten minutes", (net) => {
  const { times } = granted(net, "--dhcp-range=192.168.1.100,192.168.1.200,45m", 600);
  assert.deepEqual(times, [600, 300, 525]);
  const req = dhcpOnWire(net, { type: "DHCPREQUEST" })[0]!.message;
  assert.equal(req.options.leaseTime, 600);
});

scenario("dhcp lease time: never under two minutes, never over the range's", (net) => {
  const short = granted(net, "--dhcp-range=192.168.1.100,192.168.1.200,45m", 30);
  assert.deepEqual(short.times, [120, 60, 105]);
  const long = granted(
    new Network({ seed: 1 }),
    "--dhcp-range=192.168.1.100,192.168.1.200,45m",
    86400,
  );
  assert.deepEqual(long.times, [2700, 1350, 2362]);
});

scenario("dhcp lease time: a host entry and a configured T1 override the range", (net) => {
  const { times } = granted(
    net,
    `--dhcp-range=192.168.1.100,192.168.1.200,45m --dhcp-host=${PC_MAC},5m --dhcp-option=58,100`,
  );
  assert.deepEqual(times, [300, 100, 262]);
});
