/**
 * dnsmasq's command line, checked against dnsmasq 2.90 on Linux: each bad
 * option prints dnsmasq's message after an empty line and exits 1, starting
 * nothing; a second server on port 67 fails with exit 2; `--test` says the
 * syntax is fine; odd but valid ranges are taken as dnsmasq takes them (ends
 * swapped, leases under two minutes raised to two minutes), and a missing
 * interface is only a warning. Options can come from a `--conf-file`.
 *
 *   srv 192.168.1.1
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { lan, syslogLines } from "./dhcp_testing.ts";

const BAD: Array<[string, string]> = [
  ["--dhcp-range=foo", "bad dhcp-range"],
  ["--dhcp-range=192.168.1.100", "bad dhcp-range"],
  ["--dhcp-range=192.168.1.100,192.168.1.200,5x", "bad dhcp-range"],
  ["--dhcp-range=192.168.1.100,192.168.1.200,static", "bad dhcp-range"],
  ["--dhcp-option=3,300.1.1.1", "bad IPv4 address"],
  ["--dhcp-option=42,foo", "bad IP address"],
  ["--dhcp-option=foo,1.2.3.4", "bad dhcp-option"],
  ["--dhcp-host=zz:zz,1.2.3.4", "bad hex constant"],
  ["--nosuchoption", "try --help"],
  ["--dhcp-range", "try --help"],
  ["-Z", "try --help"],
  ["stray-operand", "try --help"],
];

scenario("dnsmasq: bad options get dnsmasq's messages and start nothing", (net) => {
  const { srv } = lan(net);
  for (const [arg, message] of BAD) {
    const r = srv.sh(`dnsmasq --port=0 ${arg}`);
    assert.deepEqual(
      [r.stdout, r.stderr, r.status],
      ["", `\ndnsmasq: bad command line options: ${message}\n`, 1],
      arg,
    );
  }
  assert.equal(srv.sh("pkill dnsmasq").status, 1, "no dnsmasq running");
  assert.deepEqual(syslogLines(srv), []);
});

scenario("dnsmasq: one server per port 67; --test; odd ranges as dnsmasq reads them", (net) => {
  const { srv } = lan(net);
  const test = srv.sh("dnsmasq --test --dhcp-range=192.168.1.200,192.168.1.100,1m");
  assert.deepEqual([test.stderr, test.status], ["dnsmasq: syntax check OK.\n", 0]);
  const first = srv.sh(
    "dnsmasq --port=0 --dhcp-range=192.168.1.200,192.168.1.100,1m --interface=eth9",
  );
  assert.deepEqual([first.out, first.status], ["", 0], "daemonized, silent");
  assert.deepEqual(syslogLines(srv), [
    "started, version 2.90 DNS disabled",
    "compile time options: IPv6 GNU-getopt DBus no-UBus i18n IDN2 DHCP DHCPv6 no-Lua TFTP conntrack ipset nftset auth cryptohash DNSSEC loop-detect inotify dumpfile",
    "warning: interface eth9 does not currently exist",
    "DHCP, IP range 192.168.1.100 -- 192.168.1.200, lease time 2m",
  ]);
  const second = srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200");
  assert.deepEqual(
    [second.stderr, second.status],
    ["\ndnsmasq: failed to bind DHCP server socket: Address already in use\n", 2],
  );
  const stop = srv.sh("pkill dnsmasq");
  assert.equal(stop.status, 0);
  assert.equal(syslogLines(srv).at(-1), "exiting on receipt of SIGTERM");
  // The port is free again.
  assert.equal(srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200").status, 0);
});

scenario("dnsmasq: options from a conf file, ranges listed newest first", (net) => {
  const { srv } = lan(net);
  srv.files.set(
    "/etc/dnsmasq.conf",
    new TextEncoder().encode(
      "# the LAN\nport=0\ndhcp-range=192.168.1.100,192.168.1.150,12h\ndhcp-range=10.9.0.10,10.9.0.20,255.255.255.0,infinite\ndhcp-authoritative\n",
    ),
  );
  const r = srv.sh("dnsmasq -d --conf-file=/etc/dnsmasq.conf &");
  assert.deepEqual(r.stderr.split("\n").filter((l) => l.startsWith("dnsmasq-dhcp")), [
    "dnsmasq-dhcp: DHCP, IP range 10.9.0.10 -- 10.9.0.20, lease time infinite",
    "dnsmasq-dhcp: DHCP, IP range 192.168.1.100 -- 192.168.1.150, lease time 12h",
  ]);
  const stop = srv.sh("kill %1");
  assert.deepEqual([stop.stderr, stop.status], ["dnsmasq: exiting on receipt of SIGTERM\n", 0]);
  // Errors in a conf file name the line, as dnsmasq does.
  const conf = (name: string, text: string) => {
    srv.files.set(name, new TextEncoder().encode(text));
    const r = srv.sh(`dnsmasq --conf-file=${name}`);
    return [r.stderr, r.status];
  };
  assert.deepEqual(conf("/etc/a.conf", "# ok\ndhcp-range\n"), [
    "\ndnsmasq: missing parameter at line 2 of /etc/a.conf\n",
    1,
  ]);
  assert.deepEqual(conf("/etc/b.conf", "dhcp-range=foo\n"), [
    "\ndnsmasq: bad dhcp-range at line 1 of /etc/b.conf\n",
    1,
  ]);
  assert.deepEqual(conf("/etc/c.conf", "nosuch=1\n"), [
    "\ndnsmasq: bad option at line 1 of /etc/c.conf\n",
    1,
  ]);
  const missing = srv.sh("dnsmasq -C /etc/none.conf");
  assert.deepEqual(
    [missing.stderr, missing.status],
    ["\ndnsmasq: cannot read /etc/none.conf: No such file or directory\n", 3],
  );
});
