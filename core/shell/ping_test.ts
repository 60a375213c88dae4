import assert from "node:assert/strict";
import { formatRtt, icmpErrorText } from "./ping.ts";
import { vethPair } from "./test_util.ts";

Deno.test("ping: RTT as iputils prints it (rounded above 1 ms, truncated below)", () => {
  assert.equal(formatRtt(53), "0.053");
  assert.equal(formatRtt(999), "0.999");
  assert.equal(formatRtt(1234), "1.23");
  assert.equal(formatRtt(1235), "1.24");
  assert.equal(formatRtt(9994), "9.99");
  assert.equal(formatRtt(9995), "10.0");
  assert.equal(formatRtt(12349), "12.3");
  assert.equal(formatRtt(99950), "100");
  assert.equal(formatRtt(123456), "123");
});

Deno.test("ping: ICMP error texts", () => {
  assert.equal(icmpErrorText({ type: 3, code: 1, rest: 0 }), "Destination Host Unreachable");
  assert.equal(icmpErrorText({ type: 3, code: 13, rest: 0 }), "Packet filtered");
  assert.equal(
    icmpErrorText({ type: 3, code: 4, rest: 1400 }),
    "Frag needed and DF set (mtu = 1400)",
  );
  assert.equal(icmpErrorText({ type: 11, code: 0, rest: 0 }), "Time to live exceeded");
  assert.equal(icmpErrorText({ type: 3, code: 99, rest: 0 }), "Dest Unreachable, Bad Code: 99");
});

Deno.test("ping: summary line, loss as %g, pipe, exit codes", () => {
  const { a, net } = vethPair();
  const ok = a("ping -c 3 -i 0.2 10.0.0.2");
  assert.equal(ok.status, 0);
  assert.match(
    ok.stdout,
    /\n3 packets transmitted, 3 received, 0% packet loss, time 400ms\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms\n$/,
  );
  // No reply: an empty line where the rtt line would be, exit 1.
  const none = a("ping -c 1 -W 1 10.0.0.9");
  assert.equal(none.status, 1);
  assert.ok(
    none.stdout.endsWith("1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n"),
  );
  // With a deadline, requests keep going until it passes (checked on Linux:
  // 3 transmitted for -c 2 -w 3).
  const t0 = net.sim.now;
  const dl = a("ping -c 2 -W 1 -w 3 10.0.0.8");
  assert.match(
    dl.stdout,
    /\n3 packets transmitted, 0 received, 100% packet loss, time 2000ms\n\n$/,
  );
  assert.equal(dl.status, 1);
  assert.equal(net.sim.now - t0, 3e9);
  // A third of the requests lost: %g prints 33.3333.
  const b = vethPair();
  b.net.sim.after(1.5e9, () => b.lab.sh("ip netns exec b ip link set veth1 down"));
  const part = b.a("ping -c 3 10.0.0.2");
  assert.match(
    part.stdout,
    /\n3 packets transmitted, 2 received, 33.3333% packet loss, time 2000ms\n/,
  );
  assert.equal(part.status, 0);
  // ARP gives up after 3 s: three requests were outstanding at once (pipe 3).
  const c = vethPair();
  c.b("ip link set veth1 down");
  const late = c.a("ping -c 3 10.0.0.2");
  assert.match(
    late.stdout,
    /\n3 packets transmitted, 0 received, \+3 errors, 100% packet loss, time 2000ms\npipe 3\n$/,
  );
  // Answered late: the rtt line and the pipe share a line.
  const d = vethPair();
  d.b("ip link set veth1 down");
  d.net.sim.after(1.5e9, () => d.lab.sh("ip netns exec b ip link set veth1 up"));
  const slow = d.a("ping -c 3 10.0.0.2");
  assert.match(slow.stdout, /icmp_seq=1 ttl=64 time=2000 ms\n/);
  assert.match(slow.stdout, /\nrtt min\/avg\/max\/mdev = [\d.\/]+ ms, pipe 3\n$/);
});

Deno.test("ping: option and address errors", () => {
  const { a } = vethPair();
  const cases: Array<[string, string, number]> = [
    ["ping", "ping: usage error: Destination address required\n", 1],
    [
      "ping -c 0 10.0.0.2",
      "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n",
      1,
    ],
    ["ping -c x 10.0.0.2", "ping: invalid argument: 'x'\n", 1],
    ["ping -t 256 10.0.0.2", "ping: invalid argument: '256': out of range: 0 <= value <= 255\n", 1],
    ["ping -t 0 -c 1 10.0.0.2", "ping: cannot set unicast time-to-live: Invalid argument\n", 2],
    ["ping -i x 10.0.0.2", "ping: bad timing interval: x\n", 2],
    ["ping -M maybe 10.0.0.2", "ping: invalid -M argument: maybe\n", 2],
    ["ping -c 1 no.such.host", "ping: no.such.host: Name or service not known\n", 2],
    ["ping -c 1 203.0.113.1", "ping: connect: Network is unreachable\n", 2],
    [
      "ping -c 1 10.0.0.255",
      "ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n",
      2,
    ],
    ["ping -c 1 -I nosuch 10.0.0.2", "ping: SO_BINDTODEVICE nosuch: No such device\n", 2],
  ];
  for (const [cmd, err, status] of cases) {
    const r = a(cmd);
    assert.equal(r.stderr, err, cmd);
    assert.equal(r.stdout, "", cmd);
    assert.equal(r.status, status, cmd);
  }
  const z = a("ping -Z 10.0.0.2");
  assert.ok(
    z.stderr.startsWith("ping: invalid option -- 'Z'\n\nUsage\n  ping [options] <destination>\n"),
  );
  assert.equal(z.status, 2);
  const m = a("ping -c");
  assert.ok(m.stderr.startsWith("ping: option requires an argument -- 'c'\n"));
  assert.equal(a("ping -V").stdout.split("\n")[0], "ping from iputils 20221126");
});

Deno.test("ping: -I names the source in the header, localhost resolves, 0.0.0.0 is the host", () => {
  const { a } = vethPair();
  assert.match(
    a("ping -c 1 -I veth0 10.0.0.2").stdout,
    /^PING 10\.0\.0\.2 \(10\.0\.0\.2\) from 10\.0\.0\.1 veth0: 56\(84\) bytes of data\.\n/,
  );
  assert.match(
    a("ping -c 1 localhost").stdout,
    /^PING localhost \(127\.0\.0\.1\) 56\(84\) bytes of data\.\n64 bytes from localhost \(127\.0\.0\.1\): icmp_seq=1 ttl=64 time=/,
  );
  assert.match(a("ping -c 1 0").stdout, /^PING 0 \(127\.0\.0\.1\)/);
});
