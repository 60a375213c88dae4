/**
 * Writing a file (WRQ), as a switch or a router saves its configuration to a
 * TFTP server. tftpd-hpa answers ACK 0 from a new port, the client sends DATA
 * 1…n, the server acknowledges each and, after the last, waits one timeout in
 * case its final ACK was lost. Text goes in netascii: each LF is CR LF on the
 * wire and LF again in the server's file. Without `-c` only an existing file
 * may be written ("Error code 1: File not found"); dnsmasq's TFTP is
 * read-only. If the final ACK is lost, tftp-hpa resends its last block after
 * 5 s — when tftpd-hpa has already stopped waiting — and ends with "Transfer
 * timed out." although the server has the whole file.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { bootLan, dropAt, patterned, ROOT, syslogOf, tftpOnWire } from "./tftp_testing.ts";

const enc = new TextEncoder();
const CONFIG = "hostname sw1\ninterface vlan1\n ip address 192.168.1.2 255.255.255.0\nend\n";

function lan(net: Network) {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  pc.files.set("sw1-confg", enc.encode(CONFIG));
  pc.files.set("image.bin", patterned(1024, 3));
  return { srv, pc };
}

scenario("tftp: put writes a text file in netascii; the server stores LF again", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("in.tftpd -L -c -v -s /srv/tftp &");
  const r = pc.sh("tftp -v 192.168.1.1 -c put sw1-confg backups/sw1-confg");
  const lines = r.stdout.split("\n");
  assert.deepEqual(lines.slice(0, 2), [
    "Connected to 192.168.1.1 (192.168.1.1), port 69",
    "putting sw1-confg to 192.168.1.1:backups/sw1-confg [netascii]",
  ]);
  // Four lines: four CRs more on the wire than in the file.
  assert.match(lines[2]!, new RegExp(`^Sent ${CONFIG.length + 4} bytes in 0\\.\\d seconds`));
  assert.equal(r.status, 0);
  net.runFor(2e9); // the server's dally after its final ACK
  assert.equal(
    new TextDecoder().decode(srv.files.get(`${ROOT}/backups/sw1-confg`) as Uint8Array),
    CONFIG,
  );
  const data = tftpOnWire(net, { node: "pc", op: "DATA" });
  assert.equal(data.length, 1);
  const wire = new TextDecoder().decode((data[0]!.message as { data: Uint8Array }).data);
  assert.equal(wire, CONFIG.replaceAll("\n", "\r\n"));
  assert.deepEqual(syslogOf(srv, "in.tftpd"), [
    "WRQ from 192.168.1.135 filename backups/sw1-confg",
  ]);
});

scenario("tftp: put of 1024 bytes ends with an empty DATA 3; lockstep from ACK 0", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("in.tftpd -L -c -s /srv/tftp &");
  assert.equal(pc.sh("tftp -m binary 192.168.1.1 -c put image.bin").status, 0);
  net.runFor(2e9);
  assert.deepEqual(srv.files.get(`${ROOT}/image.bin`), patterned(1024, 3));
  const talk = tftpOnWire(net).map((w) => {
    const m = w.message;
    return `${w.node} ${m.op}${"block" in m ? " " + m.block : ""}${
      m.op === "DATA" ? ` (${m.data.length})` : ""
    }`;
  });
  assert.deepEqual(talk, [
    "pc WRQ",
    "srv ACK 0",
    "pc DATA 1 (512)",
    "srv ACK 1",
    "pc DATA 2 (512)",
    "srv ACK 2",
    "pc DATA 3 (0)",
    "srv ACK 3",
  ]);
});

scenario("tftp: put of a new file needs in.tftpd -c; dnsmasq refuses every write", (net) => {
  const { srv, pc } = lan(net);
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const r = pc.sh("tftp 192.168.1.1 -c put sw1-confg");
  assert.deepEqual([r.stdout, r.status], ["Error code 1: File not found\n", 0]);
  assert.equal(srv.files.get(`${ROOT}/sw1-confg`), undefined);
  srv.sh("kill %1");
  srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
  const d = pc.sh("tftp 192.168.1.1 -c put sw1-confg");
  assert.equal(d.stdout, "Error code 4: unsupported write request from 192.168.1.135\n");
});

scenario(
  "tftp: a lost final ACK: the server has the file, tftp still says 'Transfer timed out.'",
  (net) => {
    const { srv, pc } = lan(net);
    srv.sh("in.tftpd -L -c -s /srv/tftp &");
    const lost = dropAt(srv.root, "output", (m) => m.op === "ACK" && m.block === 3);
    const r = pc.sh("tftp -m binary 192.168.1.1 -c put image.bin");
    assert.deepEqual([r.stdout, r.status], ["Transfer timed out.\n", 69]);
    assert.equal(lost.dropped, 1);
    assert.deepEqual(srv.files.get(`${ROOT}/image.bin`), patterned(1024, 3));
    // DATA 3 five times, 5 s apart; the server left 1 s after its ACK, so the last four
    // meet a closed port.
    const data3 = tftpOnWire(net, { node: "pc", op: "DATA" }).filter((w) =>
      w.message.op === "DATA" && w.message.block === 3
    );
    assert.equal(data3.length, 5);
    assert.equal(net.trace.filter({ kind: "tx", node: "srv", proto: 1 }).length, 4);
  },
);
