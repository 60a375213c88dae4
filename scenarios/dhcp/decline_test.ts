/**
 * Address conflict: before using an address, the client probes it with ARP
 * (RFC 5227: from 0.0.0.0, three probes one to two seconds apart, then two
 * seconds of quiet). A squatter that took 192.168.1.135 by hand — and ignores
 * pings, so the server's ICMP check did not see it — answers the probe: the
 * client sends DHCPDECLINE (broadcast from 0.0.0.0, the address in option 50,
 * the server in option 54), waits ten seconds (RFC 2131 §3.1.5) and starts
 * over; the server marks the address and offers another. Without a conflict
 * the probes go unanswered and the client announces its address twice.
 *
 *   srv 192.168.1.1 ─┐
 *   sq  192.168.1.135 (static, ignores pings) ─┼─ sw ── pc (DHCP client with ARP probe)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { DhcpClient } from "../../core/app/dhcp/client.ts";
import { dhcpOnWire, formatIp4, ip, lan, PC_MAC, secs, syslogLines } from "./dhcp_testing.ts";

function setup(net: Network, squatter: boolean) {
  const { srv, pcs: [pc] } = lan(net, "pc");
  if (squatter) {
    const sq = net.node("sq");
    net.connect(sq, net.devices.get("sw")!);
    sq.sh("ip addr add 192.168.1.135/24 dev eth0; sysctl -w net.ipv4.icmp_echo_ignore_all=1");
  }
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
  const client = new DhcpClient({ ns: pc!.root, iface: "eth0", hostName: "pc" });
  const log: string[] = [];
  client.onLog = (l) => log.push(l);
  client.start();
  return { srv, pc: pc!, client, log };
}

/** ARP frames a node sent, as [time, op, sender IP, target IP]. */
function arps(net: Network, node: string): Array<[number, number, string, string]> {
  return net.trace.filter({ kind: "tx", node, arp: true }).map((e) => [
    e.time,
    e.packet.arp!.op,
    formatIp4(e.packet.arp!.senderIp),
    formatIp4(e.packet.arp!.targetIp),
  ]);
}

scenario(
  "dhcp decline: the probe finds a squatter, DECLINE, ten seconds, another address",
  (net) => {
    const { srv, pc, client, log } = setup(net, true);
    net.runFor(30e9);
    const ack = dhcpOnWire(net, { type: "DHCPACK" })[0]!;
    assert.equal(formatIp4(ack.message.yiaddr), "192.168.1.135", "the ping check did not see it");
    // The probe: an ARP request from 0.0.0.0 for the offered address, within a second of the ACK.
    const probes = arps(net, "pc").filter(([, op, s]) => op === 1 && s === "0.0.0.0");
    assert.equal(probes[0]![3], "192.168.1.135");
    assert.ok(secs(probes[0]![0] - ack.time) < 1);
    const reply = arps(net, "sq").find(([t, op]) => op === 2 && t >= probes[0]![0])!;
    assert.deepEqual(reply.slice(1), [2, "192.168.1.135", "0.0.0.0"]);
    // One probe was enough: the DECLINE follows the reply at once.
    const [decline] = dhcpOnWire(net, { type: "DHCPDECLINE" });
    assert.ok(decline !== undefined);
    assert.equal(probes.filter(([t]) => t < decline.time).length, 1);
    assert.deepEqual(
      [decline.src, decline.dst, decline.srcMac, decline.dstMac],
      ["0.0.0.0", "255.255.255.255", PC_MAC, "ff:ff:ff:ff:ff:ff"],
    );
    const m = decline.message;
    assert.deepEqual([m.ciaddr, m.xid, m.options.order], [0, ack.message.xid, [53, 50, 54]]);
    assert.deepEqual(
      [formatIp4(m.options.requestedAddress!), formatIp4(m.options.serverId!)],
      ["192.168.1.135", "192.168.1.1"],
    );
    assert.equal(m.options.parameterRequestList, undefined, "RFC 2131 Table 5: no request list");
    assert.ok(
      syslogLines(srv, "dnsmasq-dhcp").includes(`DHCPDECLINE(eth0) 192.168.1.135 ${PC_MAC} `),
    );
    assert.ok(log.includes("DHCPDECLINE of 192.168.1.135 on eth0 to 255.255.255.255 port 67"));
    // Ten seconds later, a new DISCOVER; the server offers the next address.
    const discovers = dhcpOnWire(net, { type: "DHCPDISCOVER" });
    assert.equal(discovers.length, 2);
    assert.equal(secs(discovers[1]!.time - decline.time), 10);
    assert.equal(discovers[1]!.message.options.requestedAddress, undefined);
    const offers = dhcpOnWire(net, { type: "DHCPOFFER" });
    assert.equal(formatIp4(offers[1]!.message.yiaddr), "192.168.1.136");
    assert.equal(client.state, "BOUND");
    assert.equal(formatIp4(client.lease!.address), "192.168.1.136");
    assert.match(pc.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.136\/24/);
    assert.deepEqual(
      client.history.map((h) => h.state).slice(0, 7),
      ["INIT", "SELECTING", "REQUESTING", "PROBING", "INIT", "SELECTING", "REQUESTING"],
    );
    // The squatter keeps its address; the declined one is not offered to anyone for a while.
    assert.equal(
      net.get("sq").sh("ip -br addr show dev eth0").stdout.includes("192.168.1.135/24"),
      true,
    );
  },
);

scenario(
  "dhcp decline: no conflict — three probes, two seconds of quiet, two announcements",
  (net) => {
    const { client } = setup(net, false);
    net.runFor(20e9);
    const ack = dhcpOnWire(net, { type: "DHCPACK" })[0]!;
    assert.equal(client.state, "BOUND");
    const own = arps(net, "pc");
    const probes = own.filter(([, op, s, t]) =>
      op === 1 && s === "0.0.0.0" && t === "192.168.1.135"
    );
    assert.equal(probes.length, 3);
    // PROBE_WAIT: up to 1 s; then 1–2 s between probes (RFC 5227 §2.1.1).
    assert.ok(secs(probes[0]![0] - ack.time) < 1);
    for (let i = 1; i < 3; i++) {
      const gap = secs(probes[i]![0] - probes[i - 1]![0]);
      assert.ok(gap >= 1 && gap <= 2, `gap ${gap}`);
    }
    // Bound ANNOUNCE_WAIT (2 s) after the last probe; announcements (sender = target) 2 s apart.
    const bound = client.history.find((h) => h.state === "BOUND")!.time;
    assert.equal(secs(bound - probes[2]![0]), 2);
    const announcements = own.filter(([, op, s, t]) =>
      op === 1 && s === "192.168.1.135" && t === s
    );
    assert.deepEqual(announcements.map(([t]) => secs(t - bound)), [0, 2]);
    assert.equal(dhcpOnWire(net, { type: "DHCPDECLINE" }).length, 0);
    assert.equal(client.lease!.address, ip("192.168.1.135"));
  },
);
