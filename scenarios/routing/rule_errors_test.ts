/**
 * Bad `ip rule` command lines get iproute2's (or the kernel's) words and exit
 * status — 255 for what iproute2 refuses, 2 for what the kernel refuses, 1
 * for a bad prefix or a missing argument list — and leave the rules as they
 * were.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";

const CASES: Array<[string, number, string]> = [
  ["ip rule add", 1, '"ip rule add" requires arguments.\n'],
  ["ip rule del", 1, '"ip rule del" requires arguments.\n'],
  [
    "ip rule add from 192.168.1.101 table chao",
    255,
    'Error: argument "chao" is wrong: invalid table ID\n\n',
  ],
  [
    "ip rule add priority abc table 5",
    255,
    'Error: argument "abc" is wrong: preference value is invalid\n\n',
  ],
  [
    "ip rule add fwmark xyz table 5",
    255,
    'Error: argument "xyz" is wrong: fwmark value is invalid\n\n',
  ],
  [
    "ip rule add fwmark 1/0xzz table 5",
    255,
    'Error: argument "0xzz" is wrong: fwmask value is invalid\n\n',
  ],
  [
    "ip rule add from 1.2.3.300 table 5",
    1,
    'Error: any valid prefix is expected rather than "1.2.3.300".\n',
  ],
  [
    "ip rule add to 10.0.0.0/33 table 5",
    1,
    'Error: any valid prefix is expected rather than "10.0.0.0/33".\n',
  ],
  [
    "ip rule add table 4294967296",
    255,
    'Error: argument "4294967296" is wrong: invalid table ID\n\n',
  ],
  [
    "ip rule add table 5 bogus",
    255,
    'Error: argument "bogus" is wrong: Failed to parse rule type\n',
  ],
  [
    "ip rule add ipproto xyz table 5",
    255,
    'Error: argument "xyz" is wrong: Invalid "ipproto" value\n\n',
  ],
  ["ip rule add dport a-b table 5", 255, 'Error: argument "a-b" is wrong: invalid dport range\n\n'],
  ["ip rule add pref 14 table", 255, 'Command line is not complete. Try option "help"\n'],
  ["ip rule add pref 100 goto 50", 2, "Error: Backward goto not supported.\n"],
  ["ip rule add tos 0x03 table 5", 2, "Error: Invalid dsfield (tos): ECN bits must be 0.\n"],
  [
    "ip rule add iif a-name-far-too-long table 5",
    255,
    'Error: argument "a-name-far-too-long" is wrong: "iif"/"dev" not a valid ifname\n',
  ],
  ["ip rule del from 10.9.9.9", 2, "RTNETLINK answers: No such file or directory\n"],
  ["ip rule del pref 32700", 2, "RTNETLINK answers: No such file or directory\n"],
  [
    "ip rule show table nosuch",
    255,
    'Error: argument "nosuch" is wrong: table id value is invalid\n\n',
  ],
  ["ip rule show garbage", 1, 'Error: inet prefix is expected rather than "garbage".\n'],
  ["ip rule frobnicate", 255, 'Command "frobnicate" is unknown, try "ip rule help".\n'],
];

scenario("rule errors: each bad command line gets Linux's message and status", (net) => {
  const r = net.node("r");
  const before = r.sh("ip rule").stdout;
  for (const [cmd, status, stderr] of CASES) {
    const out = r.sh(cmd);
    assert.equal(out.stderr, stderr, cmd);
    assert.equal(out.status, status, cmd);
    assert.equal(out.stdout, "", cmd);
  }
  assert.equal(r.sh("ip rule").stdout, before);
});

scenario("rule errors: a duplicate is refused only at the same priority", (net) => {
  const r = net.node("r");
  assert.equal(r.sh("ip rule add from 10.0.0.0/8 table 5 pref 1000").status, 0);
  const dup = r.sh("ip rule add from 10.0.0.0/8 table 5 pref 1000");
  assert.equal(dup.status, 2);
  assert.equal(dup.stderr, "RTNETLINK answers: File exists\n");
  // Same selectors elsewhere, or another table at that priority, are new rules.
  assert.equal(r.sh("ip rule add from 10.0.0.0/8 table 5").status, 0);
  assert.equal(r.sh("ip rule add from 10.0.0.0/8 table 6 pref 1000").status, 0);
  assert.equal(r.sh("ip rule show from 10.0.0.0/8").stdout.split("\n").length - 1, 3);
});

scenario("rule errors: options packetlab does not model are refused plainly", (net) => {
  const r = net.node("r");
  for (const opt of ["uidrange 1-2", "l3mdev", "realms 3", "nat 1.2.3.4", "tun_id 5"]) {
    const out = r.sh(`ip rule add ${opt} table 7`);
    assert.equal(out.status, 255, opt);
    assert.match(out.stderr, /^ip: rule selector "\S+" is not supported by packetlab\n$/, opt);
  }
  assert.equal(r.sh("ip rule").stdout.split("\n").length - 1, 3);
});
