/**
 * Address classes of real addresses, and what a Linux stack does with each.
 * The library names the block of every address a person meets (RFC 1918
 * private, RFC 6598 CGN, RFC 3927 link-local, RFC 5737 documentation, …).
 * On the wire, a host drops as martian exactly the sources Linux rejects —
 * loopback, multicast, the limited broadcast and "this network" 0/8 — and
 * answers every other class, reserved 240/4 included; a router forwards
 * private, shared, documentation and public destinations alike but never a
 * 127/8 or 0/8 destination that arrived from a wire.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { classify, multicastScope } from "../../core/ip/cidr.ts";
import { ip } from "../../core/wire/addr.ts";
import { injectEcho } from "./inject_testing.ts";

scenario("addressing: the addresses people meet, classified", (net) => {
  const table: Array<[string, string, string]> = [
    ["192.168.1.101", "private", "a home LAN host"],
    ["10.20.30.40", "private", "a corporate host"],
    ["172.20.0.1", "private", "a docker bridge"],
    ["172.32.0.1", "public", "just past 172.16/12"],
    ["100.64.12.7", "shared", "a CGN subscriber"],
    ["169.254.169.254", "link-local", "the cloud metadata service"],
    ["127.0.0.53", "loopback", "systemd-resolved's stub"],
    ["0.0.0.0", "this-network", "the unspecified address"],
    ["255.255.255.255", "limited-broadcast", "DHCP discover's destination"],
    ["224.0.0.251", "multicast", "mDNS"],
    ["239.255.255.250", "multicast", "SSDP"],
    ["192.0.2.1", "documentation", "TEST-NET-1"],
    ["198.51.100.10", "documentation", "TEST-NET-2"],
    ["203.0.113.10", "documentation", "TEST-NET-3"],
    ["198.18.0.1", "benchmarking", "RFC 2544 lab addresses"],
    ["240.0.0.1", "reserved", "class E"],
    ["8.8.8.8", "public", "a public resolver"],
    ["16.158.165.91", "public", "the notes' example host"],
  ];
  for (const [addr, cls, what] of table) assert.equal(classify(ip(addr)), cls, `${addr}: ${what}`);
  assert.equal(multicastScope(ip("224.0.0.251")), "link-local");
  assert.equal(multicastScope(ip("239.255.255.250")), "local");
  assert.equal(multicastScope(ip("232.1.1.1")), "global");
  // The stack knows its own loopback block: any 127/8 address is local.
  const [h] = net.nodes("h");
  assert.match(
    h.sh("ip route get 127.0.0.53").stdout,
    /^local 127\.0\.0\.53 dev lo src 127\.0\.0\.1 /m,
  );
});

scenario("addressing: martian sources are the classes Linux rejects, and only those", (net) => {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  // b answers anyone: its default route points back at a.
  b.sh("ip addr add 10.0.0.2/24 dev eth0; ip route add default via 10.0.0.1");
  const sources = [
    "192.168.7.7",
    "8.8.8.8",
    "100.64.1.1",
    "169.254.1.1",
    "198.51.100.7",
    "198.18.0.1",
    "240.0.0.1",
    "127.0.0.1",
    "224.0.0.5",
    "255.255.255.255",
    "0.1.2.3",
  ];
  const rejected = new Set(["loopback", "multicast", "limited-broadcast", "this-network"]);
  for (const [i, src] of sources.entries()) {
    injectEcho(net, a, "eth0", b, "eth0", src, "10.0.0.2", i + 1);
    net.runFor(10e6);
  }
  for (const src of sources) {
    const martian = net.trace.filter({ kind: "drop", node: "b", reason: "martian address", src });
    const answered = net.trace.filter({ kind: "tx", node: "b", icmp: "echo-reply", dst: src });
    const expectMartian = rejected.has(classify(ip(src)));
    assert.equal(martian.length, expectMartian ? 1 : 0, `${src} (${classify(ip(src))})`);
    assert.equal(answered.length, expectMartian ? 0 : 1, `${src} (${classify(ip(src))})`);
    if (expectMartian) assert.equal(martian[0]!.detail, `source ${src}`);
  }
});

scenario(
  "addressing: a router forwards every unicast class but no 127/8 or 0/8 destination",
  (net) => {
    const [a, r, b] = net.nodes("a", "r", "b");
    net.connect(a, r);
    net.connect(r, b);
    a.sh("ip addr add 10.0.0.1/24 dev eth0");
    r.sh("ip addr add 10.0.0.254/24 dev eth0; ip addr add 10.9.0.1/24 dev eth1");
    r.sh("sysctl -w net.ipv4.ip_forward=1; ip route add default via 10.9.0.2");
    b.sh("ip addr add 10.9.0.2/24 dev eth0");
    const dsts = [
      "172.16.5.5",
      "100.100.100.100",
      "192.0.2.77",
      "203.0.113.200",
      "9.9.9.9",
      "240.1.2.3",
      "127.0.0.1",
      "0.0.0.9",
    ];
    for (const [i, dst] of dsts.entries()) {
      injectEcho(net, a, "eth0", r, "eth0", "10.0.0.1", dst, i + 1);
      net.runFor(10e6);
    }
    for (const dst of dsts) {
      const forwarded = net.trace.filter({ kind: "tx", node: "r", iface: "eth1", proto: 1, dst });
      const martian = net.trace.filter({ kind: "drop", node: "r", reason: "martian address", dst });
      const isMartian = dst.startsWith("127.") || dst.startsWith("0.");
      assert.equal(forwarded.length, isMartian ? 0 : 1, dst);
      assert.equal(martian.length, isMartian ? 1 : 0, dst);
      if (!isMartian) assert.equal(forwarded[0]!.packet.ip!.ttl, 63, dst);
    }
    // Nothing was sent back to a about the martians: they vanish silently.
    assert.equal(net.trace.filter({ kind: "tx", node: "r", iface: "eth0", proto: 1 }).length, 0);
  },
);
