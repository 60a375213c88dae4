/**
 * Requests a server cannot serve get ERROR 4, "Illegal TFTP operation", with
 * the server's own text (recorded against tftpd-hpa 5.2 and dnsmasq 2.90):
 * tftpd-hpa says "Unknown mode" for a mode other than netascii or octet (the
 * obsolete "mail" included), "Missing mode" when there is none or the file
 * name is empty, "Request not null-terminated" when the last string has no
 * NUL; dnsmasq says "unsupported request from …" for all of them. Packets
 * that are no request at all (a DATA or an ACK sent to port 69) tftpd-hpa
 * ignores — its child for them exits without a word — and dnsmasq answers
 * like the rest. Every ERROR comes from a fresh port, as a transfer's first
 * packet would.
 *
 *   srv 192.168.1.1 ── sw ── pc 192.168.1.135
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { encodeTftp } from "../../core/app/tftp/message.ts";
import { bootLan, ip, tftpOnWire } from "./tftp_testing.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Raw requests: the opcode, then the strings as given. */
const REQUESTS: Array<[string, Uint8Array]> = [
  ["ACK to port 69", encodeTftp({ op: "ACK", block: 1 })],
  ["DATA to port 69", encodeTftp({ op: "DATA", block: 1, data: new Uint8Array(4) })],
  ["mode mail", latin1("\x00\x01pxelinux.0\x00mail\x00")],
  ["mode MAIL", latin1("\x00\x01pxelinux.0\x00MAIL\x00")],
  ["empty file name", latin1("\x00\x01\x00octet\x00")],
  ["no mode", latin1("\x00\x01pxelinux.0\x00")],
  ["mode without NUL", latin1("\x00\x01pxelinux.0\x00octet")],
];

/** Send each request from its own port; the answers, in order. */
function ask(net: Network, pc: ReturnType<typeof bootLan>["pc"]) {
  const answers: Array<{ name: string; reply: unknown; fromPort: number | undefined }> = [];
  REQUESTS.forEach(([name, bytes], i) => {
    const s = pc.root.udp.socket();
    assert.equal(s.bind(0, 41000 + i), undefined);
    s.sendTo(bytes, ip("192.168.1.1"), 69);
    net.runFor(10e6);
    const d = s.recv();
    answers.push({
      name,
      reply: d === undefined ? undefined : tftpOnWire(net, { node: "srv" }).at(-1)!.message,
      fromPort: d?.fromPort,
    });
    s.close();
  });
  return answers;
}

scenario("tftp: tftpd-hpa answers bad requests with ERROR 4 and its own words", (net) => {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  srv.sh("in.tftpd -L -s /srv/tftp &");
  const answers = ask(net, pc);
  const err = (message: string) => ({ op: "ERROR", code: 4, message });
  assert.deepEqual(answers.map((a) => [a.name, a.reply]), [
    ["ACK to port 69", undefined],
    ["DATA to port 69", undefined],
    ["mode mail", err("Unknown mode")],
    ["mode MAIL", err("Unknown mode")],
    ["empty file name", err("Missing mode")],
    ["no mode", err("Missing mode")],
    ["mode without NUL", err("Request not null-terminated")],
  ]);
  for (const a of answers.slice(2)) assert.ok(a.fromPort !== 69 && a.fromPort! >= 32768);
});

scenario("tftp: dnsmasq calls every one of them an unsupported request", (net) => {
  const { srv, pc } = bootLan(net);
  pc.sh("ip addr add 192.168.1.135/24 dev eth0");
  srv.sh("dnsmasq --port=0 --enable-tftp --tftp-root=/srv/tftp");
  const answers = ask(net, pc);
  assert.equal(answers.length, 7);
  for (const a of answers) {
    assert.ok(a.fromPort !== 69 && a.fromPort! >= 32768);
    assert.deepEqual(a.reply, {
      op: "ERROR",
      code: 4,
      message: "unsupported request from 192.168.1.135",
    }, a.name);
  }
});
