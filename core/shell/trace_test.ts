/**
 * traceroute and tracepath against what Linux printed for the same commands
 * on the same three-namespace chain (traceroute 2.1.2, iputils 20221126,
 * Linux 6.x); round-trip times are replaced by `T`.
 */
import assert from "node:assert/strict";
import { chain } from "./test_util.ts";
import { unreachableMark } from "./traceroute.ts";
import { icmpErrno } from "./tracepath.ts";

const rtt = (s: string) => s.replace(/\d+\.\d{3}( ?ms)/g, "T$1");

Deno.test("tracepath: columns, hop 1 twice when the MTU changed, reached twice next door", () => {
  const { a } = chain();
  assert.equal(
    rtt(a("tracepath -n 10.0.0.2").stdout),
    " 1?: [LOCALHOST]                      pmtu 1500\n" +
      " 1:  10.0.0.2                                              Tms reached\n" +
      " 1:  10.0.0.2                                              Tms reached\n" +
      "     Resume: pmtu 1500 hops 1 back 1 \n",
  );
  assert.equal(
    rtt(a("tracepath -n -l 1000 10.0.1.2").stdout),
    " 1:  10.0.0.2                                              Tms \n" +
      " 2:  10.0.1.2                                              Tms reached\n" +
      "     Resume: pmtu 1000 hops 2 back 2 \n",
  );
  assert.equal(
    rtt(a("tracepath -b 10.0.1.2").stdout),
    " 1?: [LOCALHOST]                      pmtu 1500\n" +
      " 1:  10.0.0.2 (10.0.0.2)                                   Tms \n" +
      " 1:  10.0.0.2 (10.0.0.2)                                   Tms \n" +
      " 2:  10.0.1.2 (10.0.1.2)                                   Tms reached\n" +
      "     Resume: pmtu 1500 hops 2 back 2 \n",
  );
  assert.equal(
    rtt(a("tracepath -n -m 1 10.0.1.2").stdout),
    " 1?: [LOCALHOST]                      pmtu 1500\n" +
      " 1:  10.0.0.2                                              Tms \n" +
      " 1:  10.0.0.2                                              Tms \n" +
      "     Too many hops: pmtu 1500\n" +
      "     Resume: pmtu 1500 \n",
  );
  assert.equal(
    rtt(a("tracepath localhost").stdout),
    " 1:  localhost                                             Tms reached\n" +
      "     Resume: pmtu 65535 hops 1 back 1 \n",
  );
});

Deno.test("tracepath: a smaller MTU further on is reported by the router before it", () => {
  const { a, b, c } = chain();
  b("ip link set dev eth1 mtu 1400");
  c("ip link set dev eth0 mtu 1400");
  assert.equal(
    rtt(a("tracepath -n -p 5000 10.0.1.2").stdout),
    " 1?: [LOCALHOST]                      pmtu 1500\n" +
      " 1:  10.0.0.2                                              Tms \n" +
      " 1:  10.0.0.2                                              Tms \n" +
      " 2:  10.0.0.2                                              Tms pmtu 1400\n" +
      " 2:  10.0.1.2                                              Tms reached\n" +
      "     Resume: pmtu 1400 hops 2 back 2 \n",
  );
});

Deno.test("tracepath: silence gives no reply, no route gives send failed", () => {
  const { a, b } = chain();
  b("sysctl -qw net.ipv4.ip_forward=0");
  // A host that does not forward drops the probe silently, time exceeded or not.
  const r = a("tracepath -n -m 2 10.0.1.2");
  assert.equal(
    r.stdout,
    " 1?: [LOCALHOST]                      pmtu 1500\n" +
      " 1:  no reply\n 2:  no reply\n" +
      "     Too many hops: pmtu 1500\n     Resume: pmtu 1500 \n",
  );
  a("ip route del default");
  assert.equal(
    a("tracepath -n 203.0.113.5").stdout,
    " 1:  send failed\n     Resume: pmtu 65535 \n",
  );
});

Deno.test("tracepath: argument errors", () => {
  const { a } = chain();
  const cases: Array<[string, string, number]> = [
    [
      "tracepath -m 300 10.0.1.2",
      "tracepath: invalid argument: '300': out of range: 0 <= value <= 255\n",
      1,
    ],
    ["tracepath -l 20 10.0.1.2", "tracepath: pktlen must be within: 28 < value <= 2147483647\n", 1],
    ["tracepath nosuch.invalid", "tracepath: nosuch.invalid: Name or service not known\n", 1],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stderr, r.status], [err, status], cmd);
  }
  const x = a("tracepath -x 10.0.1.2");
  assert.ok(
    x.stderr.startsWith(
      "tracepath: invalid option -- 'x'\n\nUsage\n  tracepath [options] <destination>\n",
    ),
  );
  assert.equal(x.status, 255);
  const two = a("tracepath 1.2.3.4 5.6.7.8");
  assert.ok(two.stderr.startsWith("\nUsage\n"));
  assert.equal(two.status, 255);
});

Deno.test("traceroute: layout, -q, -m, -f, -I, names, packet length", () => {
  const { a } = chain();
  assert.equal(
    rtt(a("traceroute -n -q 2 -m 1 10.0.1.2").stdout),
    "traceroute to 10.0.1.2 (10.0.1.2), 1 hops max, 60 byte packets\n 1  10.0.0.2  T ms  T ms\n",
  );
  assert.equal(
    rtt(a("traceroute -q 1 -n -m 2 -w 1 10.0.1.2 50").stdout),
    "traceroute to 10.0.1.2 (10.0.1.2), 2 hops max, 50 byte packets\n 1  10.0.0.2  T ms\n 2  10.0.1.2  T ms\n",
  );
  assert.equal(
    rtt(a("traceroute -n -q 1 10.0.1.2 27").stdout),
    "traceroute to 10.0.1.2 (10.0.1.2), 30 hops max, 28 byte packets\n 1  10.0.0.2  T ms\n 2  10.0.1.2  T ms\n",
  );
  assert.equal(
    rtt(a("traceroute -n --max-hops=2 -q 1 -I 10.0.1.2").stdout),
    "traceroute to 10.0.1.2 (10.0.1.2), 2 hops max, 60 byte packets\n 1  10.0.0.2  T ms\n 2  10.0.1.2  T ms\n",
  );
  assert.equal(
    rtt(a("traceroute -f 2 -q 1 10.0.1.2").stdout),
    "traceroute to 10.0.1.2 (10.0.1.2), 30 hops max, 60 byte packets\n 2  10.0.1.2 (10.0.1.2)  T ms\n",
  );
  assert.equal(
    rtt(a("traceroute localhost").stdout),
    "traceroute to localhost (127.0.0.1), 30 hops max, 60 byte packets\n 1  localhost (127.0.0.1)  T ms  T ms  T ms\n",
  );
});

Deno.test("traceroute: silent hops, unreachable marks", () => {
  const { a, b } = chain();
  b("sysctl -qw net.ipv4.ip_forward=0");
  assert.equal(
    a("traceroute -n -m 2 -w 1 10.0.1.2").stdout,
    "traceroute to 10.0.1.2 (10.0.1.2), 2 hops max, 60 byte packets\n 1  * * *\n 2  * * *\n",
  );
  b("sysctl -qw net.ipv4.ip_forward=1");
  b("ip route add unreachable 10.9.0.0/16");
  assert.equal(
    rtt(a("traceroute -n 10.9.1.1").stdout),
    "traceroute to 10.9.1.1 (10.9.1.1), 30 hops max, 60 byte packets\n 1  10.0.0.2  T ms !H  T ms !H  T ms !H\n",
  );
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 9, 13, 14, 15, 7, 99].map(unreachableMark),
    ["!N", "!H", "!P", "", "!F", "!S", "!X", "!X", "!V", "!C", "!H", "!<99>"],
  );
  assert.deepEqual(
    [[3, 0], [3, 1], [3, 3], [3, 4], [3, 13], [11, 0], [12, 0]].map(([t, c]) => icmpErrno(t!, c!)),
    [
      "ENETUNREACH",
      "EHOSTUNREACH",
      "ECONNREFUSED",
      "EMSGSIZE",
      "EHOSTUNREACH",
      "EHOSTUNREACH",
      "EPROTO",
    ],
  );
});

Deno.test("traceroute: argument errors as traceroute 2.1.2 prints them", () => {
  const { a } = chain();
  const cases: Array<[string, string, number]> = [
    [
      "traceroute -n -q 1 10.0.1.2 abc",
      'Cannot handle "packetlen" cmdline arg `abc\' on position 2 (argc 5)\n',
      2,
    ],
    ["traceroute -n -q 1 10.0.1.2 40 50", "Extra arg `50' (position 3, argc 6)\n", 2],
    ["traceroute -n -f 3 -m 2 10.0.1.2", "first hop out of range\n", 2],
    ["traceroute -w x 10.0.1.2", "Cannot handle `-w' option with arg `x' (argc 2)\n", 2],
    ["traceroute -m 300 10.0.1.2", "max hops cannot be more than 255\n", 2],
    ["traceroute -Z 10.0.1.2", "Bad option `-Z' (argc 1)\n", 2],
    ["traceroute -n 10.0.1.2 70000", "too big packetlen 70000 specified\n", 2],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a(cmd);
    assert.deepEqual([r.stderr, r.stdout, r.status], [err, "", status], cmd);
  }
  const none = a("traceroute");
  assert.ok(none.stderr.startsWith("Usage:\n  traceroute [ -46dFITnreAUDV ]"));
  assert.equal(none.status, 0);
  assert.equal(a("traceroute --help").status, 0);
  assert.equal(
    a("traceroute -V").stdout,
    "Modern traceroute for Linux, version 2.1.2\nCopyright (c) 2016  Dmitry Butskoy,   License: GPL v2 or any later\n",
  );
});
