/**
 * Bad command lines get the words and exit status of the real programs
 * (recorded on Debian 12 with tftp-hpa 5.2, tftpd-hpa 5.2 and dnsmasq 2.90):
 * tftp's usage line and its messages on standard output (even its "invalid
 * command: (null)" for an ambiguous abbreviation); in.tftpd's silence on the
 * terminal, its complaints in syslog and sysexits.h codes; dnsmasq's TFTP
 * start-up failures. Nothing is sent on the network for any of them.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { bootLan, syslogOf } from "./tftp_testing.ts";

const USAGE = "Usage: tftp [-4][-6][-v][-l][-m mode] [host [port]] [-c command]\n";
const GET_USAGE = "usage: get host:file host:file ... file, or\n" +
  "       get file file ... file if connected\n";

/** Command, stdout, stderr, status. */
const TFTP_CASES: Array<[string, string, string, number]> = [
  ["tftp -x", "", USAGE, 64],
  ["tftp -h", "", USAGE, 0],
  ["tftp -m", "", USAGE, 64],
  ["tftp 192.168.1.1 a b c -c get x", "", USAGE, 64],
  ["tftp -m foo 192.168.1.1 -c get x", "", "tftp: invalid mode: foo\n", 64],
  ["tftp -R 5:3 192.168.1.1", "", "Bad port range: 5:3\n", 64],
  ["tftp 192.168.1.1 -c foo pxelinux.0", "", "tftp: invalid command: pxelinux.0\n", 64],
  ["tftp 192.168.1.1 -c gett x", "", "tftp: invalid command: x\n", 64],
  ["tftp 192.168.1.1 -c t", "", "tftp: invalid command: (null)\n", 64],
  ["tftp 192.168.1.1 -c", "tftp> ", "", 0],
  ["tftp -c get pxelinux.0", "(to) ", "", 0],
  ["tftp 192.168.1.1 -c get", "(files) ", "", 0],
  ["tftp 192.168.1.1 -c put", "(file) ", "", 0],
  [
    "tftp nosuchhost -c get pxelinux.0",
    "Error: Name or service not known\nnosuchhost: unknown host\n" + GET_USAGE,
    "",
    0,
  ],
  ["tftp 192.168.1.1 99999 -c get pxelinux.0", "99999: bad port number\n" + GET_USAGE, "", 0],
  [
    "tftp 192.168.1.1 -c mode foo",
    "foo: unknown mode\nusage: mode [ netascii | ascii | octet | binary | image ]\n",
    "",
    0,
  ],
  ["tftp 192.168.1.1 -c mode", "Using netascii mode to transfer files.\n", "", 0],
  [
    "tftp -v 192.168.1.1 -c binary",
    "Connected to 192.168.1.1 (192.168.1.1), port 69\nmode set to octet\n",
    "",
    0,
  ],
  ["tftp 192.168.1.1 -c put nosuchlocal", "", "tftp: nosuchlocal: No such file or directory\n", 0],
  ["tftp 192.168.1.1 -c verbose", "Verbose mode on.\n", "", 0],
  ["tftp 192.168.1.1 -c help get", "tftp-hpa 5.2\nreceive file\n", "", 0],
  [
    "tftp -v -m binary 192.168.1.1 -c status",
    "mode set to octet\nConnected to 192.168.1.1 (192.168.1.1), port 69\nConnected to 192.168.1.1.\n" +
    "Mode: octet Verbose: on Tracing: off Literal: off\n" +
    "Rexmt-interval: 5 seconds, Max-timeout: 25 seconds\n",
    "",
    0,
  ],
  ["tftp -V", "tftp-hpa 5.2, without readline\n", "", 0],
];

scenario("tftp: bad command lines print tftp-hpa's messages and send nothing", (net) => {
  const { pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  for (const [cmd, stdout, stderr, status] of TFTP_CASES) {
    const r = pc.sh(cmd);
    assert.deepEqual([r.stdout, r.stderr, r.status], [stdout, stderr, status], cmd);
  }
  assert.equal(net.trace.filter({ kind: "tx", node: "pc", proto: 17 }).length, 0);
});

/** Command, exit status, syslog line (in.tftpd prints nothing on the terminal). */
const TFTPD_CASES: Array<[string, number, string]> = [
  ["in.tftpd -L -B 100 -s /srv/tftp", 64, "Bad maximum blocksize value (range 512-65464): 100"],
  ["in.tftpd -L -T 5 -s /srv/tftp", 64, "Bad timeout value: 5"],
  ["in.tftpd -L -R 5:3 -s /srv/tftp", 64, "Bad port range: 5:3"],
  ["in.tftpd -L -r foo -s /srv/tftp", 64, "Unknown option: foo"],
  ["in.tftpd -L -U 99 -s /srv/tftp", 64, "Invalid umask: 99"],
  ["in.tftpd -L -s", 64, "no -s directory"],
  ["in.tftpd -L -s /srv/tftp /tmp", 64, "too many -s directories"],
  ["in.tftpd -L -s /nonexistent", 66, "/nonexistent: No such file or directory"],
  ["in.tftpd -L -u nosuchuser -s /srv/tftp", 67, "no user nosuchuser: Success"],
  [
    "in.tftpd -L -a 10.9.9.9 -s /srv/tftp",
    71,
    "cannot bind to local IPv4 socket: Cannot assign requested address",
  ],
  ["in.tftpd -L -a 192.168.1.1:99999x -s /srv/tftp", 66, "cannot resolve local bind port: 99999x"],
  ["in.tftpd -s /srv/tftp", 74, "recvfrom: Socket operation on non-socket"],
];

scenario("tftp: in.tftpd says nothing, logs to syslog and exits with sysexits codes", (net) => {
  const { srv } = bootLan(net);
  for (const [cmd, status, line] of TFTPD_CASES) {
    const r = srv.sh(cmd);
    assert.deepEqual([r.out, r.status], ["", status], cmd);
    assert.equal(syslogOf(srv, "in.tftpd").at(-1), line, cmd);
  }
  assert.deepEqual([srv.sh("in.tftpd -V").stdout, srv.sh("in.tftpd -V").status], [
    "tftp-hpa 5.2, with remap, with tcpwrappers\n",
    0,
  ]);
  // An unknown option: getopt's complaint on the terminal, a syslog line, and it runs anyway.
  const x = srv.sh("in.tftpd -L -x -s /srv/tftp &");
  assert.deepEqual([x.stderr, x.status], ["in.tftpd: invalid option -- 'x'\n", 0]);
  assert.equal(syslogOf(srv, "in.tftpd").at(-1), "Unknown option: 'x'");
  // A second server finds port 69 taken.
  assert.equal(srv.sh("in.tftpd -L -s /srv/tftp").status, 71);
  assert.equal(
    syslogOf(srv, "in.tftpd").at(-1),
    "cannot bind to local IPv4 socket: Address already in use",
  );
  // dnsmasq's TFTP cannot have it either.
  const d = srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
  assert.deepEqual([d.stderr, d.status], [
    "\ndnsmasq: failed to create listening socket for port 69: Address already in use\n",
    2,
  ]);
  srv.sh("kill %1");
  assert.equal(net.trace.filter({ kind: "tx", node: "srv" }).length, 0);
});

scenario("tftp: dnsmasq will not start its TFTP on a root that is no directory", (net) => {
  const { srv } = bootLan(net);
  const missing = srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/nonexistent");
  assert.deepEqual([missing.stderr, missing.status], [
    "\ndnsmasq: TFTP directory /nonexistent inaccessible: No such file or directory\n",
    3,
  ]);
  const file = srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp/pxelinux.0");
  assert.deepEqual([file.stderr, file.status], [
    "\ndnsmasq: TFTP directory /srv/tftp/pxelinux.0 inaccessible: Not a directory\n",
    3,
  ]);
  // Nothing was left running: a good root starts.
  assert.equal(srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp").status, 0);
});
