/**
 * Asking for a file the server does not have. tftpd-hpa answers the RRQ with
 * ERROR 1 "File not found" from a fresh port and is gone; tftp-hpa prints
 * "Error code 1: File not found", exits 0 all the same, leaves an empty local
 * file behind (it opened it before asking), and — as its abort path does —
 * acknowledges block 1 to the port the ERROR came from, which the kernel of
 * the server answers with ICMP port unreachable. dnsmasq says the same with
 * its own words. Recorded on Linux with tftp-hpa 5.2, tftpd-hpa 5.2 and
 * dnsmasq 2.90.
 *
 *   srv 192.168.1.1 (in.tftpd, or dnsmasq --enable-tftp) ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { toNetascii } from "../../core/app/tftp/message.ts";
import { bootLan, served, syslogOf, tftpOnWire } from "./tftp_testing.ts";

function lan(net: Network) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  return { srv, pc };
}

scenario("tftp: a missing file is ERROR 1, tftp prints 'Error code 1: File not found'", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("in.tftpd -L -vv -s /srv/tftp &");
  const r = pc.sh("tftp 192.168.1.1 -c get pxelinux.cfg/01-52-54-00-a1-b2-c3");
  assert.deepEqual([r.stdout, r.stderr, r.status], ["Error code 1: File not found\n", "", 0]);
  // The local file was created (and truncated) before the request went out.
  const local = pc.files.get("01-52-54-00-a1-b2-c3");
  assert.ok(local instanceof Uint8Array && local.length === 0);

  net.runFor(1e6); // tftp has exited; its last ACK is still on the wire
  const talk = tftpOnWire(net);
  assert.deepEqual(talk.map((w) => [w.node, w.dstPort === 69 ? 69 : "tid", w.message.op]), [
    ["pc", 69, "RRQ"],
    ["srv", "tid", "ERROR"],
    ["pc", "tid", "ACK"],
  ]);
  const [rrq, err, ack] = talk;
  assert.deepEqual(rrq!.message, {
    op: "RRQ",
    filename: "pxelinux.cfg/01-52-54-00-a1-b2-c3",
    mode: "netascii",
    options: [],
  });
  assert.deepEqual(err!.message, { op: "ERROR", code: 1, message: "File not found" });
  assert.equal(err!.dstPort, rrq!.srcPort);
  assert.notEqual(err!.srcPort, 69);
  assert.deepEqual([ack!.message, ack!.dstPort], [{ op: "ACK", block: 1 }, err!.srcPort]);
  // Nobody listens there any more: the server's kernel says so.
  const icmp = net.trace.filter({ kind: "tx", node: "srv", proto: 1 });
  assert.equal(icmp.length, 1);
  assert.deepEqual([icmp[0]!.packet.icmp!.type, icmp[0]!.packet.icmp!.code], [3, 3]);
  assert.deepEqual(syslogOf(srv, "in.tftpd"), [
    "RRQ from 192.168.1.135 filename pxelinux.cfg/01-52-54-00-a1-b2-c3",
    "sending NAK (1, File not found) to 192.168.1.135",
  ]);

  // -v adds the connection and transfer lines; several files are fetched in turn.
  const v = pc.sh("tftp -v 192.168.1.1 -c get nosuch1 nosuch2 pxelinux.0");
  const lines = v.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 6), [
    "Connected to 192.168.1.1 (192.168.1.1), port 69",
    "getting from 192.168.1.1:nosuch1 to nosuch1 [netascii]",
    "Error code 1: File not found",
    "getting from 192.168.1.1:nosuch2 to nosuch2 [netascii]",
    "Error code 1: File not found",
    "getting from 192.168.1.1:pxelinux.0 to pxelinux.0 [netascii]",
  ]);
  // pxelinux.0 grows in netascii (each LF becomes CR LF, each CR becomes CR NUL), and
  // tftp counts the bytes on the wire; the local copy is translated back.
  const wire = toNetascii(served(srv, "pxelinux.0")).length;
  assert.ok(wire > 42430);
  assert.match(
    lines[6]!,
    new RegExp(`^Received ${wire} bytes in 0\\.\\d seconds \\[\\d+ bit/s\\]$`),
  );
  assert.equal(lines.length, 8);
  assert.deepEqual(pc.files.get("pxelinux.0"), served(srv, "pxelinux.0"));
});

scenario("tftp: dnsmasq's TFTP names the path and the client in its ERROR 1", (net) => {
  const { srv, pc } = lan(net);
  assert.equal(srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp").status, 0);
  const r = pc.sh("tftp 192.168.1.1 -c get nosuch.file");
  assert.equal(r.stdout, "Error code 1: file /srv/tftp/nosuch.file not found for 192.168.1.135\n");
  assert.equal(r.status, 0);
  assert.deepEqual(syslogOf(srv, "dnsmasq-tftp"), [
    "TFTP root is /srv/tftp  ",
    "file /srv/tftp/nosuch.file not found for 192.168.1.135",
  ]);
  // A path out of the root is refused, not looked up.
  const up = pc.sh("tftp 192.168.1.1 -c get ../etc/passwd");
  assert.equal(
    up.stdout,
    "Error code 2: cannot access /srv/tftp/../etc/passwd: Permission denied\n",
  );
});

scenario(
  "tftp: tftpd-hpa's -s chroot keeps ../ inside the root; a directory reads as an error",
  (net) => {
    const { srv, pc } = lan(net);
    srv.files.set("/etc/passwd", new TextEncoder().encode("root:x:0:0:root:/root:/bin/bash\n"));
    srv.sh("in.tftpd -L -s /srv/tftp &");
    assert.equal(
      pc.sh("tftp 192.168.1.1 -c get ../etc/passwd").stdout,
      "Error code 1: File not found\n",
    );
    assert.equal(
      pc.sh("tftp 192.168.1.1 -c get /etc/passwd").stdout,
      "Error code 1: File not found\n",
    );
    assert.equal(
      pc.sh("tftp 192.168.1.1 -c get pxelinux.cfg").stdout,
      "Error code 0: Is a directory\n",
    );
  },
);
