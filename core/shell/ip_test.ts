/**
 * `ip` behaviours the Linux recordings do not show, checked against iproute2
 * 6.1 on Linux 6.x by hand: expected texts below are what Linux printed.
 */
import assert from "node:assert/strict";
import { iprouteJson } from "./ip_format.ts";
import { ipv4Arg } from "./ip.ts";
import { vethPair } from "./test_util.ts";

Deno.test("ip: iproute2's JSON writer, compact and pretty", () => {
  const v = [{ a: 1, flags: ["X", "Y"], none: [], sub: [{ b: "c" }, { b: true }] }];
  assert.equal(
    iprouteJson(v, false),
    '[{"a":1,"flags":["X","Y"],"none":[],"sub":[{"b":"c"},{"b":true}]}]',
  );
  assert.equal(
    iprouteJson(v, true),
    [
      "[ {",
      '        "a": 1,',
      '        "flags": [ "X","Y" ],',
      '        "none": [ ],',
      '        "sub": [ {',
      '                "b": "c"',
      "            },{",
      '                "b": true',
      "            } ]",
      "    } ]",
    ].join("\n"),
  );
  assert.equal(iprouteJson([], true), "[ ]");
});

Deno.test("ip: addresses as iproute2 reads them", () => {
  assert.equal(ipv4Arg("10.1"), 0x0a010000);
  assert.equal(ipv4Arg("0x0a.0.0.1"), 0x0a000001);
  assert.equal(ipv4Arg("010.0.0.1"), 0x08000001);
  assert.equal(ipv4Arg("10.0.0.256"), undefined);
  assert.equal(ipv4Arg("1.2.3.4.5"), undefined);
  assert.equal(ipv4Arg("a.b"), undefined);
});

Deno.test("ip: messages and exit statuses Linux gives", () => {
  const { a } = vethPair();
  const cases: Array<[string, string, string, number]> = [
    ["ip route flush", "", '"ip route flush" requires arguments.\n', 1],
    ["ip route show table 98", "", "Error: ipv4: FIB table does not exist.\nDump terminated\n", 2],
    ["ip neigh flush", "", "Flush requires arguments.\n", 1],
    ["ip link set veth0 address zz", "", '"zz" is invalid lladdr.\n', 1],
    ["ip link set lo netns b", "", "Error: The interface netns is immutable.\n", 2],
    ["ip link del lo", "", "RTNETLINK answers: Operation not supported\n", 2],
    [
      "ip route add 10.21.0.0/16 via 10.0.0.2 metric abc",
      "",
      'Error: argument "abc" is wrong: "metric" value is invalid\n\n',
      255,
    ],
    [
      "ip route add 10.21.0.0/16 via 10.0.0.2 table nosuch",
      "",
      'Error: argument "nosuch" is wrong: "table" value is invalid\n\n',
      255,
    ],
    ["ip -Version", "ip utility, iproute2-6.1.0, libbpf 1.1.2\n", "", 0],
    ["ip -6 route", "", "", 0],
    [
      "ip -4 addr show dev lo",
      "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n",
      "",
      0,
    ],
    [
      "ip -o -4 addr show dev veth0",
      "3: veth0    inet 10.0.0.1/24 scope global veth0\\       valid_lft forever preferred_lft forever\n",
      "",
      0,
    ],
    ["ip r", "10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1 \n", "", 0],
    [
      "ip route get 10.0.0.2 fibmatch",
      "10.0.0.0/24 dev veth0 proto kernel scope link src 10.0.0.1 \n",
      "",
      0,
    ],
    [
      "ip -j -p -br link show lo",
      '[ {\n        "ifname": "lo",\n        "operstate": "UNKNOWN",\n        "address": "00:00:00:00:00:00",\n        "flags": [ "LOOPBACK","UP","LOWER_UP" ]\n    } ]\n',
      "",
      0,
    ],
    [
      "ip -br -j addr show dev veth0",
      '[{"link_index":2,"ifname":"veth0","operstate":"UP","addr_info":[{"local":"10.0.0.1","prefixlen":24}]}]\n',
      "",
      0,
    ],
  ];
  for (const [cmd, out, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stdout, r.stderr, r.status], [out, err, status], cmd);
  }
});

Deno.test("ip: a table exists once a route went in, even when emptied again", () => {
  const { a } = vethPair();
  assert.equal(a("ip route show table 100").status, 2);
  assert.equal(a("ip route add 10.20.0.0/16 via 10.0.0.2 table 100").status, 0);
  assert.equal(a("ip route show table 100").stdout, "10.20.0.0/16 via 10.0.0.2 dev veth0 \n");
  assert.equal(a("ip route del 10.20.0.0/16 table 100").status, 0);
  const empty = a("ip route show table 100");
  assert.deepEqual([empty.out, empty.status], ["", 0]);
  assert.equal(a("ip -j route show table 100").stdout, "[]\n");
});

Deno.test("ip: static neighbours, JSON statistics", () => {
  const { a } = vethPair();
  assert.equal(a("ip neigh add 10.0.0.50 lladdr 02:00:00:00:00:50 dev veth0").status, 0);
  assert.equal(
    a("ip neigh show 10.0.0.50").stdout,
    "10.0.0.50 dev veth0 lladdr 02:00:00:00:00:50 PERMANENT \n",
  );
  assert.equal(a("ip neigh del 10.0.0.50 dev veth0").status, 0);
  const again = a("ip neigh del 10.0.0.50 dev veth0");
  assert.deepEqual([again.stderr, again.status], [
    "RTNETLINK answers: No such file or directory\n",
    2,
  ]);
  a("ping -c 1 127.0.0.1");
  const j = JSON.parse(a("ip -s -j link show lo").stdout);
  assert.deepEqual(Object.keys(j[0]).slice(-2), ["broadcast", "stats64"]);
  assert.deepEqual(j[0].stats64.rx, {
    bytes: 168,
    packets: 2,
    errors: 0,
    dropped: 0,
    over_errors: 0,
    multicast: 0,
  });
});

Deno.test("ip: veth operational states follow Linux's link watch", () => {
  const { lab } = vethPair();
  const sh = (c: string) => lab.sh(c).stdout;
  sh("ip netns add c");
  sh("ip -n c link add x0 type veth peer name x1");
  // Both ends down in one namespace: M-DOWN on both.
  assert.match(
    sh("ip -n c link show x0"),
    /^\d+: x0@x1: <BROADCAST,MULTICAST,M-DOWN> .* state DOWN /,
  );
  sh("ip -n c link set x0 up");
  // Up with the peer down next to it: the lower layer is down.
  assert.match(
    sh("ip -n c link show x0"),
    /<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> .* state LOWERLAYERDOWN /,
  );
  sh("ip -n c link set x1 up");
  assert.match(sh("ip -n c link show x0"), /<BROADCAST,MULTICAST,UP,LOWER_UP> .* state UP /);
  sh("ip -n c link set x1 down");
  assert.match(
    sh("ip -n c link show x0"),
    /<NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> .* state LOWERLAYERDOWN /,
  );
  assert.match(
    sh("ip -n c -s -s link show x0"),
    /TX errors: aborted {3}fifo {2}window heartbt transns\n {21}0 {6}0 {7}0 {7}0 {7}3 \n/,
  );
});

Deno.test("ip: which gateways a route may use (fib_check_nh, as Linux decided them)", () => {
  const { b } = vethPair();
  b("ip link add eth1 type veth peer name x");
  b("ip addr add 10.0.1.1/24 dev eth1");
  b("ip link set eth1 up");
  const refused = [
    "ip route add 192.168.9.0/24 via 10.0.1.7 dev veth1",
    "ip route add 192.168.8.0/24 via 10.0.0.2 dev eth1",
    "ip route add default via 10.0.0.255",
    "ip route add 192.168.5.0/24 via 10.0.5.5",
  ];
  for (const cmd of refused) {
    const r = b(cmd);
    assert.deepEqual([r.stderr, r.status], ["Error: Nexthop has invalid gateway.\n", 2], cmd);
  }
  for (
    const cmd of [
      "ip route add 192.168.9.0/24 via 10.0.0.2",
      "ip route add 192.168.7.0/24 via 10.0.0.0",
      "ip route add 192.168.6.0/24 via 127.0.0.1",
    ]
  ) {
    assert.equal(b(cmd).status, 0, cmd);
  }
  assert.equal(
    b("ip route").stdout,
    "10.0.0.0/24 dev veth1 proto kernel scope link src 10.0.0.2 \n" +
      "10.0.1.0/24 dev eth1 proto kernel scope link src 10.0.1.1 linkdown \n" +
      "192.168.6.0/24 via 127.0.0.1 dev lo \n" +
      "192.168.7.0/24 via 10.0.0.0 dev veth1 \n" +
      "192.168.9.0/24 via 10.0.0.2 dev veth1 \n",
  );
});

Deno.test("ip: addr words after the address are read as inet", () => {
  const { a } = vethPair();
  const cases: Array<[string, string, number]> = [
    [
      "ip addr add 10.1.1.1/24 dev veth0 brd 10.1.1.300",
      'Error: inet address is expected rather than "10.1.1.300".\n',
      1,
    ],
    [
      "ip addr add brd 10.1.1.300 dev veth0",
      'Error: any valid address is expected rather than "10.1.1.300".\n',
      1,
    ],
    [
      "ip addr add 10.1.1.1/24 dev veth0 scope galaxy",
      'Error: argument "galaxy" is wrong: invalid scope value.\n',
      255,
    ],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stderr, r.status], [err, status], cmd);
  }
});

Deno.test("ip: interface names, link addresses and onlink next hops, as Linux refused them", () => {
  const { a } = vethPair();
  const cases: Array<[string, string, number]> = [
    // iproute2's check_ifname for `name`, check_altifname for `dev`, the kernel's IFNAMSIZ.
    [
      "ip link set veth0 name cali0123456789ab",
      'Error: argument "cali0123456789ab" is wrong: "name" not a valid ifname\n',
      255,
    ],
    [
      "ip link add veth2 type veth peer name eth0123456789abc",
      'Error: argument "eth0123456789abc" is wrong: "name" not a valid ifname\n',
      255,
    ],
    [
      "ip link add cali/0 type veth",
      'Error: argument "cali/0" is wrong: "dev" not a valid ifname\n',
      255,
    ],
    ["ip link add cali0123456789ab type veth", "Error: Attribute failed policy validation.\n", 2],
    [
      "ip link add br-0123456789abcd type bridge",
      "Error: Attribute failed policy validation.\n",
      2,
    ],
    // ll_addr_a2n names the piece it could not read; the length is checked against the device.
    ["ip link set veth0 address ee:ee:ee:ee:ee:100", '"100" is invalid lladdr.\n', 1],
    ["ip link set veth0 address ee:ee:ee:ee:ee:", '"" is invalid lladdr.\n', 1],
    ["ip link set veth0 address ee:ee:ee:ee:ee", "Invalid address length 5 - must be 6 bytes\n", 1],
    [
      "ip link set veth0 address ee-ee-ee-ee-ee-ee",
      "Invalid address length 1 - must be 6 bytes\n",
      1,
    ],
    ["ip link set veth0 address 1.2.3.4", "Invalid address length 4 - must be 6 bytes\n", 1],
    [
      "ip link set veth0 address 01:00:5e:00:00:01",
      "RTNETLINK answers: Cannot assign requested address\n",
      2,
    ],
    [
      "ip link set veth0 address 00:00:00:00:00:00",
      "RTNETLINK answers: Cannot assign requested address\n",
      2,
    ],
    [
      "ip link add veth2 address ee:ee:ee:ee:ee type veth",
      "RTNETLINK answers: Invalid argument\n",
      2,
    ],
    // fib_check_nh_v4_gw with onlink.
    [
      "ip route add default via 169.254.1.1 onlink",
      "Error: Nexthop device required for onlink.\n",
      2,
    ],
    [
      "ip route add 10.2.0.0/24 nexthop via 10.9.9.9 onlink",
      "Error: Nexthop device required for onlink.\n",
      2,
    ],
    [
      "ip route add 10.2.0.0/24 via 10.0.0.1 dev veth0 onlink",
      "Error: Nexthop has invalid gateway.\n",
      2,
    ],
    [
      "ip route add 10.2.0.0/24 via 10.0.0.255 dev veth0 onlink",
      "Error: Nexthop has invalid gateway.\n",
      2,
    ],
    [
      "ip route add 10.2.0.0/24 via 10.9.9.9 dev veth0 onlink scope link",
      "Error: Nexthop has invalid scope.\n",
      2,
    ],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stderr, r.status], [err, status], cmd);
  }
  assert.equal(a("ip link set veth0 address 0xee:1:2:3:4:5fz").status, 0);
  assert.match(a("ip link show veth0").stdout, /link\/ether ee:01:02:03:04:5f /);
  a("ip link set veth0 down");
  assert.equal(
    a("ip route add 10.2.0.0/24 via 10.9.9.9 dev veth0 onlink").stderr,
    "Error: Nexthop device is not up.\n",
  );
});
