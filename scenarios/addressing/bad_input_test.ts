/**
 * Typing mistakes in `ip addr add`, answered as iproute2 answers them: a bad
 * octet or length is "Error: any valid prefix is expected rather than …"
 * (exit 1), a missing `dev` is "Not enough information", an unknown device
 * "Cannot find device", a duplicate "Address already assigned" (exit 2),
 * a bad broadcast "address is expected". Nothing is changed by a failed
 * command: addresses and routes are exactly as before. The CIDR library
 * rejects the same texts.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { Network } from "../../core/lab/network.ts";
import { parsePrefix } from "../../core/ip/cidr.ts";

scenario("addressing: bad ip addr add input is refused with iproute2's words", (net) => {
  const [a, b] = net.nodes("a", "b");
  net.connect(a, b);
  assert.equal(a.sh("ip addr add 10.0.0.1/24 dev eth0").status, 0);
  const state = () => a.sh("ip -j addr").stdout + a.sh("ip -j route show table all").stdout;
  const before = state();
  const exact: Array<[string, string, number]> = [
    [
      "ip addr add 10.0.0.300/24 dev eth0",
      'Error: any valid prefix is expected rather than "10.0.0.300/24".\n',
      1,
    ],
    ["ip addr add bogus dev eth0", 'Error: any valid prefix is expected rather than "bogus".\n', 1],
    ["ip addr add 10.0.0.5/24", 'Not enough information: "dev" argument is required.\n', 1],
    ["ip addr add 10.0.0.5/24 dev eth9", 'Cannot find device "eth9"\n', 1],
    ["ip addr add 10.0.0.1/24 dev eth0", "Error: ipv4: Address already assigned.\n", 2],
    // Before the address, the family is not known yet: "any valid".
    [
      "ip addr add brd 10.1.1.300 10.1.1.1/24 dev eth0",
      'Error: any valid address is expected rather than "10.1.1.300".\n',
      1,
    ],
  ];
  for (const [cmd, err, status] of exact) {
    const r = a.sh(cmd);
    assert.equal(r.stderr, err, cmd);
    assert.equal(r.stdout, "", cmd);
    assert.equal(r.status, status, cmd);
  }
  // A length over 32 and a mask with holes are not prefixes either.
  for (const text of ["10.0.0.1/33", "10.0.0.1/255.0.255.0"]) {
    const r = a.sh(`ip addr add ${text} dev eth0`);
    assert.equal(r.status, 1, text);
    assert.equal(r.stderr, `Error: any valid prefix is expected rather than "${text}".\n`, text);
  }
  assert.equal(state(), before);
  // The library refuses the same texts and accepts what iproute2 accepts.
  for (const bad of ["10.0.0.300/24", "bogus", "10.0.0.1/33", "10.0.0.1/255.0.255.0"]) {
    assert.equal(parsePrefix(bad), undefined, bad);
  }
  assert.deepEqual(parsePrefix("10.0.0.1/255.255.255.0"), parsePrefix("10.0.0.0/24"));
});

scenario(
  "addressing: a mistake in a script stops nothing else, and the good lines apply",
  (net) => {
    const [a, b] = net.nodes("a", "b");
    net.connect(a, b);
    b.sh("ip addr add 10.0.0.2/24 dev eth0");
    // One bad line among good ones: the shell carries on, as a script without `set -e` does.
    const r = a.sh("ip addr add 10.0.0.1/33 dev eth0\nip addr add 10.0.0.1/24 dev eth0");
    assert.equal(r.status, 0);
    assert.equal(r.stderr, 'Error: any valid prefix is expected rather than "10.0.0.1/33".\n');
    assert.match(a.sh("ip addr show eth0").stdout, /^ {4}inet 10\.0\.0\.1\/24 scope global eth0$/m);
    assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
    // A dotted netmask is a valid way to write the prefix length.
    assert.equal(a.sh("ip addr add 172.16.9.9/255.255.240.0 dev eth0").status, 0);
    assert.match(
      a.sh("ip route").stdout,
      /^172\.16\.0\.0\/20 dev eth0 proto kernel scope link src 172\.16\.9\.9\s*$/m,
    );
  },
);

// After the address iproute2 knows the family is inet (ipaddr_modify sets
// ifa_family from the local prefix before parsing `brd`), so get_addr says
// "inet address"; and invarg("invalid scope value.", arg) prints one line and
// exits with -1 (255).
Deno.test({
  name: "addressing: iproute2's words for a bad brd after the address and a bad scope",
  fn() {
    const net = new Network({ seed: 1 });
    const [a, b] = net.nodes("a", "b");
    net.connect(a, b);
    const brd = a.sh("ip addr add 10.1.1.1/24 dev eth0 brd 10.1.1.300");
    assert.equal(brd.stderr, 'Error: inet address is expected rather than "10.1.1.300".\n');
    assert.equal(brd.status, 1);
    const scope = a.sh("ip addr add 10.1.1.1/24 dev eth0 scope galaxy");
    assert.equal(scope.stderr, 'Error: argument "galaxy" is wrong: invalid scope value.\n');
    assert.equal(scope.status, 255);
  },
});
