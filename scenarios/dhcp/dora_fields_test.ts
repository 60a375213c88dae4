/**
 * The four-message exchange as it runs between dnsmasq 2.90 and ISC dhclient
 * 4.4.3 (recorded on Linux namespaces with the same MAC and configuration):
 * DISCOVER and REQUEST broadcast from 0.0.0.0:68 to 255.255.255.255:67 with the
 * client's MAC in chaddr and one xid throughout; the server pings the address
 * first (three ARP requests a second apart, nobody answers), so the OFFER comes
 * 3 s later, unicast to the offered address at the client's MAC; the ACK
 * repeats the OFFER's options plus the host name. Every header field and
 * option is checked from the frames as transmitted, then what the host
 * configured: address, prefix route, default route, resolv.conf, lease files.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc 52:54:00:a1:b2:c3 (dhclient)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import {
  dhclientHeader,
  dhcpOnWire,
  fileText,
  formatIp4,
  formatMac,
  ip,
  lan,
  PC_MAC,
  secs,
  syslogLines,
} from "./dhcp_testing.ts";
import { DHCLIENT_REQUEST_LIST } from "../../core/app/dhcp/client.ts";

const DNSMASQ =
  "dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-option=3,192.168.1.1 --dhcp-option=6,192.168.1.1 --dhcp-boot=pxelinux.0";

scenario("dhcp: DISCOVER, OFFER, REQUEST, ACK field by field", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  assert.equal(srv.sh(DNSMASQ).status, 0);
  const r = pc!.sh("dhclient -v eth0");
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n");
  assert.deepEqual(lines.slice(0, 8), dhclientHeader("eth0", PC_MAC));
  // dhclient's first interval is 3 s plus a random 0..5 s.
  assert.match(lines[8]!, /^DHCPDISCOVER on eth0 to 255\.255\.255\.255 port 67 interval [3-8]$/);
  assert.deepEqual(lines.slice(9, 12), [
    "DHCPOFFER of 192.168.1.135 from 192.168.1.1",
    "DHCPREQUEST for 192.168.1.135 on eth0 to 255.255.255.255 port 67",
    "DHCPACK of 192.168.1.135 from 192.168.1.1",
  ]);
  // Renewal lands between 3/4·T1 and T1 (T1 = 21600 s).
  const renewal = Number(
    /^bound to 192\.168\.1\.135 -- renewal in (\d+) seconds\.$/.exec(lines[12]!)![1],
  );
  assert.ok(renewal >= 16200 && renewal <= 21600, `renewal in ${renewal}`);

  const wire = dhcpOnWire(net);
  assert.deepEqual(wire.map((w) => `${w.node} ${w.type}`), [
    "pc DHCPDISCOVER",
    "srv DHCPOFFER",
    "pc DHCPREQUEST",
    "srv DHCPACK",
  ]);
  const discover = wire[0]!, offer = wire[1]!, request = wire[2]!, ack = wire[3]!;
  const xid = discover.message.xid;
  for (const w of wire) assert.equal(w.message.xid, xid, `${w.type} keeps the xid`);

  // From nobody to everybody, with the MAC as the only identity.
  for (const m of [discover, request]) {
    assert.deepEqual(
      [m.srcMac, m.dstMac, m.src, m.dst, m.srcPort, m.dstPort, m.ttl, m.tos],
      [PC_MAC, "ff:ff:ff:ff:ff:ff", "0.0.0.0", "255.255.255.255", 68, 67, 128, 0x10],
    );
    const b = m.message;
    assert.deepEqual(
      [b.op, b.htype, b.hlen, b.hops, b.secs, b.broadcast, b.ciaddr, b.yiaddr, b.siaddr, b.giaddr],
      [1, 1, 6, 0, 0, false, 0, 0, 0, 0],
    );
    assert.equal(formatMac(b.chaddr), PC_MAC);
    assert.equal(b.options.hostName, "pc");
    assert.deepEqual(b.options.parameterRequestList, [...DHCLIENT_REQUEST_LIST]);
  }
  assert.deepEqual(discover.message.options.order, [53, 12, 55]);
  assert.deepEqual(request.message.options.order, [53, 54, 50, 12, 55]);
  assert.equal(formatIp4(request.message.options.serverId!), "192.168.1.1");
  assert.equal(formatIp4(request.message.options.requestedAddress!), "192.168.1.135");

  // The server answers the unconfigured client by unicast to the offered address at its MAC.
  for (const m of [offer, ack]) {
    assert.deepEqual(
      [m.srcMac, m.dstMac, m.src, m.dst, m.srcPort, m.dstPort, m.ttl, m.tos],
      [srv.mac("eth0"), PC_MAC, "192.168.1.1", "192.168.1.135", 67, 68, 64, 0xc0],
    );
    const b = m.message;
    assert.deepEqual(
      [b.op, formatIp4(b.yiaddr), formatIp4(b.siaddr), b.file, formatMac(b.chaddr)],
      [2, "192.168.1.135", "192.168.1.1", "pxelinux.0", PC_MAC],
    );
    const o = b.options;
    assert.deepEqual(
      [o.leaseTime, o.renewalTime, o.rebindingTime, formatIp4(o.subnetMask!)],
      [43200, 21600, 37800, "255.255.255.0"],
    );
    assert.deepEqual([o.routers!.map(formatIp4), o.dnsServers!.map(formatIp4)], [[
      "192.168.1.1",
    ], ["192.168.1.1"]]);
    assert.deepEqual([...o.raw!.get(28)!], [192, 168, 1, 255]);
  }
  assert.equal(offer.message.options.messageType, 2);
  assert.equal(ack.message.options.messageType, 5);
  // dnsmasq's order: configured options newest first; the ACK adds the host name.
  assert.deepEqual(offer.message.options.order, [53, 54, 51, 58, 59, 1, 28, 6, 3]);
  assert.deepEqual(ack.message.options.order, [53, 54, 51, 58, 59, 1, 28, 12, 6, 3]);
  assert.equal(ack.message.options.hostName, "pc");

  // The ping check: three ARP requests for .135, a second apart, unanswered; the OFFER at 3 s.
  const arps = net.trace.filter({ kind: "tx", node: "srv", arp: true })
    .filter((e) => e.packet.arp!.targetIp === ip("192.168.1.135") && e.time < offer.time);
  const heard = arps[0]!.time;
  assert.ok(heard - discover.time < 1e6, "the server pings as soon as the DISCOVER arrives");
  assert.deepEqual(arps.map((e) => secs(e.time - heard)), [0, 1, 2]);
  assert.equal(secs(offer.time - heard), 3);
  const offerIn = net.trace.filter({ kind: "rx", node: "pc", proto: 17 })
    .find((e) => e.time >= offer.time)!;
  assert.equal(request.time, offerIn.time, "the first OFFER is taken as it arrives");

  // What dhclient-script configured.
  assert.match(
    pc!.sh("ip addr show dev eth0").stdout,
    /^ {4}inet 192\.168\.1\.135\/24 brd 192\.168\.1\.255 scope global eth0$/m,
  );
  assert.equal(
    pc!.sh("ip route").stdout,
    "default via 192.168.1.1 dev eth0 \n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.135 \n",
  );
  assert.equal(fileText(pc!, "/etc/resolv.conf"), "nameserver 192.168.1.1\n");
  assert.match(
    fileText(pc!, "/var/lib/dhcp/dhclient.leases")!,
    /^ {2}fixed-address 192\.168\.1\.135;$/m,
  );
  assert.match(
    fileText(pc!, "/var/lib/dhcp/dhclient.leases")!,
    /^ {2}filename "pxelinux\.0";\n {2}option subnet-mask 255\.255\.255\.0;\n {2}option routers 192\.168\.1\.1;\n {2}option dhcp-lease-time 43200;$/m,
  );
  assert.equal(
    fileText(srv, "/var/lib/misc/dnsmasq.leases"),
    `${Math.floor(secs(ack.time)) + 43200} ${PC_MAC} 192.168.1.135 pc *\n`,
  );
  assert.equal(pc!.sh("ping -c 1 192.168.1.1").status, 0);
});

scenario("dhcp: dnsmasq --log-dhcp tells what it sent, option by option", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const r = srv.sh(DNSMASQ.replace("dnsmasq", "dnsmasq -d --log-dhcp") + " &");
  assert.equal(r.stderr.split("\n")[0], "dnsmasq: started, version 2.90 DNS disabled");
  assert.equal(
    r.stderr.split("\n")[2],
    "dnsmasq-dhcp: DHCP, IP range 192.168.1.100 -- 192.168.1.200, lease time 12h",
  );
  pc!.sh("dhclient eth0");
  const xid = dhcpOnWire(net, { type: "DHCPDISCOVER" })[0]!.message.xid;
  const log = syslogLines(srv, "dnsmasq-dhcp").map((l) => l.replace(String(xid), "XID"));
  // The lines dnsmasq logged on Linux for the OFFER, xid aside.
  const offerAt = log.indexOf("XID DHCPOFFER(eth0) 192.168.1.135 52:54:00:a1:b2:c3 ");
  assert.deepEqual(log.slice(offerAt - 4, offerAt + 19), [
    "XID available DHCP range: 192.168.1.100 -- 192.168.1.200",
    "XID client provides name: pc",
    "XID DHCPDISCOVER(eth0) 52:54:00:a1:b2:c3 ",
    "XID tags: eth0",
    "XID DHCPOFFER(eth0) 192.168.1.135 52:54:00:a1:b2:c3 ",
    "XID requested options: 1:netmask, 28:broadcast, 2:time-offset, 3:router, ",
    "XID requested options: 15:domain-name, 6:dns-server, 119:domain-search, ",
    "XID requested options: 12:hostname, 44:netbios-ns, 47:netbios-scope, ",
    "XID requested options: 26:mtu, 121:classless-static-route, 42:ntp-server",
    "XID bootfile name: pxelinux.0",
    "XID next server: 192.168.1.1",
    "XID sent size:  1 option: 53 message-type  2",
    "XID sent size:  4 option: 54 server-identifier  192.168.1.1",
    "XID sent size:  4 option: 51 lease-time  12h",
    "XID sent size:  4 option: 58 T1  6h",
    "XID sent size:  4 option: 59 T2  10h30m",
    "XID sent size:  4 option:  1 netmask  255.255.255.0",
    "XID sent size:  4 option: 28 broadcast  192.168.1.255",
    "XID sent size:  4 option:  6 dns-server  192.168.1.1",
    "XID sent size:  4 option:  3 router  192.168.1.1",
    "XID available DHCP range: 192.168.1.100 -- 192.168.1.200",
    "XID client provides name: pc",
    "XID DHCPREQUEST(eth0) 192.168.1.135 52:54:00:a1:b2:c3 ",
  ]);
  assert.ok(log.includes("XID DHCPACK(eth0) 192.168.1.135 52:54:00:a1:b2:c3 pc"));
  assert.ok(log.includes("XID sent size:  2 option: 12 hostname  pc"));
  srv.sh("kill %1");
});
