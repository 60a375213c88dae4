/**
 * A laptop moved to another network: dhclient remembers its lease and starts
 * in INIT-REBOOT, broadcasting a REQUEST for the old address (option 50, no
 * server id, ciaddr 0). An authoritative server for the new network says no —
 * DHCPNAK "wrong network", broadcast, since the client cannot be reached at an
 * address that is not its — and the client starts over with a DISCOVER and
 * gets an address of the new network. A server that is not authoritative does
 * not know the lease and stays silent: the client waits out its 10 s reboot
 * timeout, then DISCOVERs.
 *
 *   home: srv  192.168.1.1 ─┐
 *   work: srv2 10.0.0.1    ─┼─ sw ── pc (the laptop)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { dhcpOnWire, formatIp4, lan, PC_MAC, secs, syslogLines } from "./dhcp_testing.ts";

function moveToWork(net: Network, authoritative: boolean) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const srv2 = net.node("srv2");
  net.connect(srv2, net.devices.get("sw")!);
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
  assert.equal(pc!.sh("dhclient eth0").status, 0);
  assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
  // The laptop is suspended (dhclient stopped, lease kept on disk) and carried to work,
  // where the home network is gone and another one runs.
  pc!.sh("dhclient -x eth0");
  srv.sh("pkill dnsmasq; ip link set eth0 down");
  srv2.sh("ip addr add 10.0.0.1/24 dev eth0");
  srv2.sh(
    `dnsmasq --port=0 ${
      authoritative ? "--dhcp-authoritative " : ""
    }--dhcp-range=10.0.0.100,10.0.0.200,12h`,
  );
  const before = dhcpOnWire(net).length;
  const r = pc!.sh("dhclient -v eth0");
  return { srv2, pc: pc!, r, wire: dhcpOnWire(net).slice(before) };
}

scenario(
  "dhcp NAK: a client on a new network asks for its old address, gets NAK, then DISCOVERs",
  (net) => {
    const { srv2, pc, r, wire } = moveToWork(net, true);
    const lines = r.stderr.split("\n").slice(8, -1);
    assert.equal(lines[0], "DHCPREQUEST for 192.168.1.135 on eth0 to 255.255.255.255 port 67");
    assert.equal(lines[1], "DHCPNAK from 10.0.0.1");
    assert.match(lines[2]!, /^DHCPDISCOVER on eth0 to 255\.255\.255\.255 port 67 interval \d+$/);
    assert.deepEqual(lines.slice(3, 6), [
      "DHCPOFFER of 10.0.0.135 from 10.0.0.1",
      "DHCPREQUEST for 10.0.0.135 on eth0 to 255.255.255.255 port 67",
      "DHCPACK of 10.0.0.135 from 10.0.0.1",
    ]);
    assert.deepEqual(wire.map((w) => `${w.node} ${w.type}`), [
      "pc DHCPREQUEST",
      "srv2 DHCPNAK",
      "pc DHCPDISCOVER",
      "srv2 DHCPOFFER",
      "pc DHCPREQUEST",
      "srv2 DHCPACK",
    ]);
    const [reboot, nak, discover] = wire as [typeof wire[0], typeof wire[0], typeof wire[0]];
    // INIT-REBOOT: the old address, no server named, from nobody.
    const m = reboot.message;
    assert.deepEqual(
      [reboot.src, formatIp4(m.ciaddr), formatIp4(m.options.requestedAddress!), m.options.serverId],
      ["0.0.0.0", "0.0.0.0", "192.168.1.135", undefined],
    );
    assert.deepEqual(m.options.order, [53, 50, 12, 55]);
    // The NAK: broadcast (flag set), no address in it, dnsmasq's reason as option 56.
    assert.deepEqual([nak.dst, nak.dstMac, nak.message.broadcast], [
      "255.255.255.255",
      "ff:ff:ff:ff:ff:ff",
      true,
    ]);
    assert.deepEqual([nak.message.yiaddr, nak.message.options.order], [0, [53, 54, 56]]);
    assert.equal(new TextDecoder().decode(nak.message.options.raw!.get(56)), "wrong network");
    assert.ok(secs(discover.time - nak.time) < 0.001, "straight back to INIT");
    // A DISCOVER after a NAK does not ask for the refused address.
    assert.equal(discover.message.options.requestedAddress, undefined);
    assert.ok(
      syslogLines(srv2, "dnsmasq-dhcp").includes(
        `DHCPNAK(eth0) 192.168.1.135 ${PC_MAC} wrong network`,
      ),
    );
    assert.equal(
      pc.sh("ip route").stdout,
      "default via 10.0.0.1 dev eth0 \n10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.135 \n",
    );
  },
);

scenario(
  "dhcp NAK: a server that is not authoritative stays silent; the client DISCOVERs after its 10 s",
  (net) => {
    const { r, wire } = moveToWork(net, false);
    const reboots = wire.filter((w) =>
      w.type === "DHCPREQUEST" && w.message.options.serverId === undefined
    );
    assert.ok(reboots.length >= 2, "the INIT-REBOOT REQUEST is retransmitted");
    assert.equal(wire.filter((w) => w.type === "DHCPNAK").length, 0);
    const discover = wire.find((w) => w.type === "DHCPDISCOVER")!;
    // dhclient checks its 10 s reboot timeout when the next retransmission is due.
    const last = secs(reboots.at(-1)!.time - reboots[0]!.time);
    const waited = secs(discover.time - reboots[0]!.time);
    assert.ok(
      last <= 10 && waited > 10 && waited < 25,
      `last at ${last} s, gave up at ${waited} s`,
    );
    // Still asking for the old address: the server may give it if it is free (here it is not in its network).
    assert.equal(formatIp4(discover.message.options.requestedAddress!), "192.168.1.135");
    assert.match(r.stderr, /^bound to 10\.0\.0\.135 -- renewal in \d+ seconds\.$/m);
  },
);
