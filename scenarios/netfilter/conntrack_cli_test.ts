/**
 * The `conntrack` command (conntrack-tools 1.4.7) on the firewall, with a TCP
 * connection, a UDP exchange and a ping in its table: `-L` filtered by
 * protocol, addresses, ports and TCP state (port and state filters belong to
 * the protocol, so they need `-p` first), `-C` counting, `-D` deleting and
 * printing each entry it deletes (status 1 when none matched), `-F`
 * emptying. The summaries go to standard error. Bad command lines get the
 * tool's messages, and no arguments its usage. (Messages and statuses checked
 * against conntrack 1.4.7 on Linux 6.18.)
 *
 *   client 10.1.0.2 ── fw ── 10.2.0.2 server (:80 tcp, :7 udp echo)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { connect, firewallLab, serve } from "./netfilter_testing.ts";

const PROG = "conntrack v1.4.7 (conntrack-tools)";
const TRY = "Try `conntrack -h' or 'conntrack --help' for more information.\n";

function busy(net: Network) {
  const lab = firewallLab(net);
  const { client, fw, server } = lab;
  fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  serve(server, 80);
  const echo = server.root.udp.socket();
  echo.bind(0, 7);
  echo.onMessage = (d) => echo.sendTo(d.data, d.from, d.fromPort);
  connect(client, "10.2.0.2", 80, 40000);
  const u = client.root.udp.socket();
  u.bind(0, 40001);
  u.sendTo(new TextEncoder().encode("x"), ip("10.2.0.2"), 7);
  net.run(net.sim.now + 1 * ms);
  client.sh("ping -c 1 10.2.0.2");
  return lab;
}

const TCP = "tcp      6 431999 ESTABLISHED src=10.1.0.2 dst=10.2.0.2 sport=40000 dport=80 " +
  "src=10.2.0.2 dst=10.1.0.2 sport=80 dport=40000 [ASSURED] mark=0 use=1\n";
const UDP = "udp      17 29 src=10.1.0.2 dst=10.2.0.2 sport=40001 dport=7 " +
  "src=10.2.0.2 dst=10.1.0.2 sport=7 dport=40001 mark=0 use=1\n";

scenario("conntrack: listing with filters", (net) => {
  const { fw } = busy(net);
  const all = fw.sh("conntrack -L");
  assert.equal(all.stderr, `${PROG}: 3 flow entries have been shown.\n`);
  assert.equal(all.stdout.split("\n").length - 1, 3);
  const cases: Array<[string, string]> = [
    ["-p tcp", TCP],
    ["-p 17", UDP],
    ["-p tcp --dport 80", TCP],
    ["-p tcp --sport 80", ""],
    ["-p tcp --state ESTABLISHED", TCP],
    ["-p tcp --state TIME_WAIT", ""],
    ["-p udp --sport 40001", UDP],
    ["-s 10.1.0.2 -p udp", UDP],
    ["-d 10.2.0.9", ""],
  ];
  for (const [filter, out] of cases) {
    const r = fw.sh(`conntrack -L ${filter}`);
    const n = out === "" ? 0 : 1;
    assert.deepEqual([r.status, r.stdout, r.stderr], [
      0,
      out,
      `${PROG}: ${n} flow entries have been shown.\n`,
    ], filter);
  }
  const icmp = fw.sh("conntrack -L -p icmp --icmp-type 8").stdout;
  assert.match(
    icmp,
    /^icmp +1 29 src=10\.1\.0\.2 dst=10\.2\.0\.2 type=8 code=0 id=\d+ src=10\.2\.0\.2 dst=10\.1\.0\.2 type=0 code=0 id=\d+ mark=0 use=1\n$/,
  );
  assert.equal(fw.sh("conntrack -C").stdout, "3\n");
});

scenario("conntrack: -D prints what it deletes, -F empties", (net) => {
  const { fw } = busy(net);
  const d = fw.sh("conntrack -D -p udp");
  assert.deepEqual([d.status, d.stdout, d.stderr], [
    0,
    UDP,
    `${PROG}: 1 flow entries have been deleted.\n`,
  ]);
  const again = fw.sh("conntrack -D -p udp");
  assert.deepEqual([again.status, again.stdout, again.stderr], [
    1,
    "",
    `${PROG}: 0 flow entries have been deleted.\n`,
  ]);
  assert.equal(fw.sh("conntrack -C").stdout, "2\n");
  const f = fw.sh("conntrack -F");
  assert.deepEqual([f.status, f.stderr], [
    0,
    `${PROG}: connection tracking table has been emptied.\n`,
  ]);
  assert.equal(fw.sh("conntrack -L").stdout, "");
  // The TCP connection goes on: its next segment is picked up again (loose mode).
  const c = net.get("client").root.tcp.sockets().find((x) => x.localPort === 40000)!;
  c.send(new TextEncoder().encode("more"));
  net.run(net.sim.now + 1 * ms);
  assert.match(
    fw.sh("conntrack -L -p tcp").stdout,
    /^tcp +6 \d+ ESTABLISHED src=10\.1\.0\.2 dst=10\.2\.0\.2 sport=40000 dport=80 /,
  );
});

scenario("conntrack: bad command lines", (net) => {
  const { fw } = busy(net);
  const cases: Array<[string, string]> = [
    ["-L --dport 80", "unknown option `--dport'"],
    ["-L --state ESTABLISHED", "unknown option `--state'"],
    ["-L -p udp --state ESTABLISHED", "unknown option `--state'"],
    ["-L -p tcp --state established", "unknown TCP state `established'"],
    ["-L -p foo", "`foo' unsupported protocol"],
    ["-L -s 10.0.0.300", "Invalid IP address `10.0.0.300'"],
    ["-L -s", "option `-s' requires an argument"],
    ["-C -p tcp", "Illegal option `--protonum' with this command"],
    ["-F -s 10.1.0.2", "Illegal option `--src' with this command"],
    ["-L -F", "Invalid commands combination"],
    ["-X", "unknown option `-X'"],
  ];
  for (const [args, msg] of cases) {
    const r = fw.sh(`conntrack ${args}`);
    assert.deepEqual([r.status, r.stdout, r.stderr], [2, "", `${PROG}: ${msg}\n${TRY}`], args);
  }
  // Nothing was deleted by the failed commands.
  assert.equal(fw.sh("conntrack -C").stdout, "3\n");
  const usage = fw.sh("conntrack");
  assert.equal(usage.status, 0);
  assert.deepEqual(usage.stdout.split("\n").slice(0, 4), [
    "Command line interface for the connection tracking system. Version 1.4.7",
    "Usage: conntrack [commands] [options]",
    "",
    "Commands:",
  ]);
  assert.equal(
    usage.stdout.split("\n")[4],
    "  -L [table] [options]\t\tList conntrack or expectation table",
  );
});
