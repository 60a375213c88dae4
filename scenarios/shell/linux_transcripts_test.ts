/**
 * The shell against Linux: each `*.sh` script here runs on one simulated
 * machine (seed 1), and its transcript — every command as `$ <command>`, what
 * it printed, `[exit N]` — must equal the `*.expected` file beside it, which
 * holds the output of the same script run as root on Linux (iproute2 6.1,
 * iputils 20221126, traceroute 2.1.2, procps-ng 4.0.2, iptables 1.8.9
 * (nf_tables), conntrack-tools 1.4.7, curl 7.88.1, Linux 6.x).
 *
 * Both sides go through `mask()` (see transcript.ts) first: it replaces what
 * legitimately differs between a Linux machine and packetlab — random MAC
 * addresses, round-trip times, scheduling delays in ping's `time` summary,
 * the real-time countdown of a learned path MTU, tcpdump's clock and ping's
 * echo identifiers, the random order of `ip neigh` listings, IPv6,
 * iptables-save's dates, conntrack's echo identifiers and hash-table order,
 * the IP and echo identifiers in LOG lines, curl's milliseconds to a failed connect — by placeholders. Everything else
 * must match byte for byte: every line, every space, every exit status.
 */
import assert from "node:assert/strict";
import { mask, runTranscript } from "./transcript.ts";

const dir = new URL(".", import.meta.url).pathname;

const scripts = [...Deno.readDirSync(dir)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".sh"))
  .sort();

/** The first difference, with a little context, for a readable failure. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  let cmd = "";
  for (let k = Math.min(i, e.length - 1); k >= 0; k--) {
    if (e[k]?.startsWith("$ ")) {
      cmd = e[k]!;
      break;
    }
  }
  return `line ${i + 1}, in ${JSON.stringify(cmd)}:\n` +
    `  expected: ${JSON.stringify(e[i] ?? "<end>")}\n` +
    `  actual:   ${JSON.stringify(a[i] ?? "<end>")}`;
}

Deno.test("every script has an expected transcript and there are enough of them", () => {
  assert.ok(scripts.length >= 10, `only ${scripts.length} scripts`);
  for (const s of scripts) {
    const expected = s.replace(/\.sh$/, ".expected");
    assert.ok(
      Deno.statSync(`${dir}/${expected}`).isFile,
      `${s} has no ${expected}`,
    );
  }
});

for (const script of scripts) {
  Deno.test(`Linux transcript: ${script}`, () => {
    const text = Deno.readTextFileSync(`${dir}/${script}`);
    const expected = mask(Deno.readTextFileSync(`${dir}/${script.replace(/\.sh$/, ".expected")}`));
    const actual = mask(runTranscript(text));
    if (actual !== expected) {
      assert.fail(`${script} differs from Linux at ${firstDifference(actual, expected)}`);
    }
  });
}

Deno.test("mask: keeps what must match and hides only what may differ", () => {
  const linux = [
    "$ ip netns exec a ping -c 2 10.0.0.2",
    "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=0.114 ms",
    "2 packets transmitted, 2 received, 0% packet loss, time 1025ms",
    "rtt min/avg/max/mdev = 0.053/0.088/0.114/0.025 ms",
    "    link/ether 3a:11:0c:d8:11:5f brd ff:ff:ff:ff:ff:ff link-netns b",
    "10.0.0.2 dev veth0 lladdr 3a:11:0c:d8:11:5f REACHABLE ",
    "    inet6 fe80::3811:cff:fed8:115f/64 scope link ",
    "       valid_lft forever preferred_lft forever",
    " 1:  192.168.1.1                                           0.064ms ",
    " 1  192.168.1.1  0.093 ms  0.014 ms  0.010 ms",
    "    cache expires 597sec mtu 1400 ",
    "23:44:25.127370 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 30688, seq 1, length 64",
  ].join("\n");
  assert.equal(
    mask(linux),
    [
      "$ ip netns exec a ping -c 2 10.0.0.2",
      "64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=<ms> ms",
      "2 packets transmitted, 2 received, 0% packet loss, time ~1000ms",
      "rtt min/avg/max/mdev = <ms>",
      "    link/ether <mac1> brd ff:ff:ff:ff:ff:ff link-netns b",
      "10.0.0.2 dev veth0 lladdr <mac1> REACHABLE ",
      " 1:  192.168.1.1                                           <ms>ms ",
      " 1  192.168.1.1  <ms> ms  <ms> ms  <ms> ms",
      "    cache expires ~590sec mtu 1400 ",
      "<time> IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id <id>, seq 1, length 64",
    ].join("\n"),
  );
  // Counts, states, addresses and spacing are left alone: these differ after masking.
  assert.notEqual(mask("time=0.1 ms ttl=64"), mask("time=0.1 ms ttl=63"));
  assert.notEqual(mask(" 1  a  0.1 ms"), mask(" 1 a  0.1 ms"));
  assert.notEqual(mask("x, time 400ms"), mask("x, time 1400ms"));
  assert.notEqual(
    mask("aa:bb:cc:dd:ee:01 aa:bb:cc:dd:ee:02"),
    mask("aa:bb:cc:dd:ee:01 aa:bb:cc:dd:ee:01"),
  );
  assert.equal(mask(mask(linux)), mask(linux));
});

Deno.test("mask: iptables-save dates, conntrack listings, curl's connect time", () => {
  const entry = (id: number, dst: string) =>
    `icmp     1 29 src=10.0.0.2 dst=${dst} type=8 code=0 id=${id} src=${dst} dst=10.0.0.2 ` +
    `type=0 code=0 id=${id} mark=0 use=1`;
  const summary = "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been shown.";
  const linux = [
    "$ iptables-save",
    "# Generated by iptables-save v1.8.9 (nf_tables) on Wed Nov 25 01:29:39 2026",
    "*nat",
    "COMMIT",
    "# Completed on Wed Nov 25 01:29:39 2026",
    "[exit 0]",
    "$ ip netns exec r conntrack -L",
    entry(301, "10.0.1.2"),
    entry(32737, "10.0.1.1"),
    summary,
    "[exit 0]",
  ].join("\n");
  const here = [
    "$ iptables-save",
    "# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:03 1970",
    "*nat",
    "COMMIT",
    "# Completed on Thu Jan  1 00:00:03 1970",
    "[exit 0]",
    "$ ip netns exec r conntrack -L",
    entry(9151, "10.0.1.1"),
    entry(9152, "10.0.1.2"),
    summary,
    "[exit 0]",
  ].join("\n");
  assert.equal(mask(linux), mask(here));
  assert.match(mask(linux), /^# Completed on <date>$/m);
  assert.match(mask(linux), /id=<id> mark=0 use=1\nconntrack v1\.4\.7/);
  assert.equal(
    mask("curl: (7) Failed to connect to 10.0.0.2 port 80 after 4 ms: Couldn't connect to server"),
    "curl: (7) Failed to connect to 10.0.0.2 port 80 after <ms> ms: Couldn't connect to server",
  );
  assert.equal(
    mask(
      "in: IN=eth0 OUT= SRC=10.0.0.2 DST=10.0.0.1 LEN=84 TTL=64 ID=5871 DF PROTO=ICMP ID=15185 SEQ=1",
    ),
    "in: IN=eth0 OUT= SRC=10.0.0.2 DST=10.0.0.1 LEN=84 TTL=64 ID=<id> DF PROTO=ICMP ID=<id> SEQ=1",
  );
  // Timeouts and addresses still count.
  assert.notEqual(mask(linux), mask(here.replace("icmp     1 29", "icmp     1 28")));
  assert.notEqual(mask(linux), mask(here.replace("dst=10.0.1.2 type=8", "dst=10.0.1.3 type=8")));
});
