/** sysctl against what procps-ng 4.0.2 printed on Linux 6.x for the same commands. */
import assert from "node:assert/strict";
import { SYSCTL_USAGE } from "./sysctl.ts";
import { vethPair } from "./test_util.ts";

Deno.test("sysctl: reads, writes, errors and their exit statuses", () => {
  const { a } = vethPair();
  const cases: Array<[string, string, string, number]> = [
    [
      "sysctl -w net.ipv4.ip_forward",
      "",
      "sysctl: command line(0): invalid syntax, continuing...\n",
      1,
    ],
    [
      "sysctl -w net.ipv4.ip_forward=abc",
      "",
      'sysctl: setting key "net.ipv4.ip_forward": Invalid argument\n',
      1,
    ],
    [
      "sysctl net.ipv4.nosuch net.ipv4.ip_forward",
      "net.ipv4.ip_forward = 0\n",
      "sysctl: cannot stat /proc/sys/net/ipv4/nosuch: No such file or directory\n",
      1,
    ],
    ["sysctl -e net.ipv4.nosuch", "", "", 0],
    ["sysctl -N net.ipv4.ip_forward", "net.ipv4.ip_forward\n", "", 0],
    [
      "sysctl -w net.ipv4.ip_forward=1 net.ipv4.ip_default_ttl=65",
      "net.ipv4.ip_forward = 1\nnet.ipv4.ip_default_ttl = 65\n",
      "",
      0,
    ],
    ["sysctl -q -w net.ipv4.ip_forward=0", "", "", 0],
    ["sysctl -qw net.ipv4.ip_forward=1", "", "", 0],
    ["sysctl net.ipv4.ip_forward=0 -w", "net.ipv4.ip_forward = 0\n", "", 0],
    [
      "sysctl -w net.ipv4.ip_local_port_range=1000",
      "",
      'sysctl: setting key "net.ipv4.ip_local_port_range": Invalid argument\n',
      1,
    ],
    [
      "sysctl -w net.ipv4.ip_default_ttl=0",
      "",
      'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\n',
      1,
    ],
    ["sysctl -w 'net.ipv4.ip_default_ttl= 64 '", "net.ipv4.ip_default_ttl = 64\n", "", 0],
    ["sysctl -n -w net.ipv4.ip_forward=0", "0\n", "", 0],
    ["sysctl -a -r 'forward$'", "net.ipv4.ip_forward = 0\n", "", 0],
    ["sysctl net/ipv4/ip_forward", "net.ipv4.ip_forward = 0\n", "", 0],
    ["sysctl -V", "sysctl from procps-ng 4.0.2\n", "", 0],
    ["sysctl --help", SYSCTL_USAGE, "", 0],
    ["sysctl -Z", SYSCTL_USAGE, "sysctl: invalid option -- 'Z'\n", 0],
    ["sysctl", "", SYSCTL_USAGE, 1],
  ];
  for (const [cmd, out, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stdout, r.stderr, r.status], [out, err, status], cmd);
  }
  // A directory lists every key below it.
  const dir = a("sysctl net.ipv4.conf.veth0").stdout.split("\n");
  assert.ok(dir.includes("net.ipv4.conf.veth0.forwarding = 0"));
  assert.ok(dir.every((l) => l === "" || l.startsWith("net.ipv4.conf.veth0.")));
});

Deno.test("sysctl: -p loads a file of settings", () => {
  const { a, lab } = vethPair();
  lab.files.set(
    "/etc/sysctl.d/99-router.conf",
    new TextEncoder().encode(
      "# a router\nnet.ipv4.ip_forward = 1\n\n; old\nnet.ipv4.ip_default_ttl=32\n",
    ),
  );
  const r = a("sysctl -p /etc/sysctl.d/99-router.conf");
  assert.equal(r.stdout, "net.ipv4.ip_forward = 1\nnet.ipv4.ip_default_ttl = 32\n");
  assert.equal(a("sysctl -n net.ipv4.ip_default_ttl").stdout, "32\n");
  assert.equal(
    a("sysctl -p /nope").stderr,
    'sysctl: cannot open "/nope": No such file or directory\n',
  );
});
