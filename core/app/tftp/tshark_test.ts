/**
 * Interoperability check: a TFTP read with option negotiation (RRQ with tsize
 * and blksize, OACK, ACK 0, two DATA blocks and their ACKs) and a refused read
 * (RRQ, ERROR 1), encoded by this codec and framed in Ethernet/IPv4/UDP, must be
 * dissected by tshark with every field and no malformed packet or expert
 * warning (except the one Wireshark attaches to every ERROR reply). tshark follows the transfer only because it sees the RRQ to port 69
 * first. Skipped where tshark is not installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import { dissect, frames, hasTshark, problems, type UdpFrame } from "../dns/udp_pcap_testing.ts";
import {
  encodeTftp,
  TftpErrorCode,
  tftpErrorMessage,
  type TftpMessage,
  tftpOptions,
} from "./message.ts";

const CLIENT_MAC = 0x525400a1b2c3;
const SERVER_MAC = 0x525400000001;
const CLIENT = ip("192.168.1.123");
const SERVER = ip("192.168.1.1");

function frame(
  fromClient: boolean,
  clientPort: number,
  serverPort: number,
  m: TftpMessage,
): UdpFrame {
  return {
    srcMac: fromClient ? CLIENT_MAC : SERVER_MAC,
    dstMac: fromClient ? SERVER_MAC : CLIENT_MAC,
    src: fromClient ? CLIENT : SERVER,
    dst: fromClient ? SERVER : CLIENT,
    srcPort: fromClient ? clientPort : serverPort,
    dstPort: fromClient ? serverPort : clientPort,
    payload: encodeTftp(m),
  };
}

Deno.test({
  name: "tftp tshark: RRQ/OACK/DATA/ACK/ERROR dissect cleanly",
  ignore: !hasTshark(),
  async fn() {
    const block1 = new Uint8Array(1468).map((_, i) => i & 255);
    const block2 = new Uint8Array(100).fill(0x41);
    const c = (m: TftpMessage) => frame(true, 49152, 50000, m);
    const s = (m: TftpMessage) => frame(false, 49152, 50000, m);
    const text = await dissect("/tmp/packetlab-tftp.pcap", [
      frame(true, 49152, 69, {
        op: "RRQ",
        filename: "pxelinux.0",
        mode: "octet",
        options: [{ name: "tsize", value: "0" }, { name: "blksize", value: "1468" }],
      }),
      s({ op: "OACK", options: tftpOptions({ blksize: 1468, tsize: 1568 }) }),
      c({ op: "ACK", block: 0 }),
      s({ op: "DATA", block: 1, data: block1 }),
      c({ op: "ACK", block: 1 }),
      s({ op: "DATA", block: 2, data: block2 }),
      c({ op: "ACK", block: 2 }),
      frame(true, 49153, 69, { op: "RRQ", filename: "missing.cfg", mode: "netascii", options: [] }),
      frame(false, 49153, 50001, {
        op: "ERROR",
        code: TftpErrorCode.FILE_NOT_FOUND,
        message: tftpErrorMessage(TftpErrorCode.FILE_NOT_FOUND),
      }),
    ]);
    const f = frames(text);
    assert.equal(f.length, 9);
    // Wireshark marks every ERROR packet with a "Warning/Response" expert note:
    // that is the dissector reporting an error reply, not a malformed packet.
    for (let i = 0; i < 8; i++) assert.deepEqual(problems(f[i]!), [], `frame ${i + 1}`);
    assert.deepEqual(problems(f[8]!).map((l) => l.trim()), [
      "[Expert Info (Warning/Response): TFTP ERROR packet]",
    ]);
    const expect = (i: number, lines: string[]) => {
      for (const l of lines) {
        assert.ok(f[i]!.includes(l), `missing "${l}" in frame ${i + 1}:\n${f[i]}`);
      }
    };
    expect(0, [
      "Trivial File Transfer Protocol",
      "Opcode: Read Request (1)",
      "Source File: pxelinux.0",
      "Type: octet",
      "Option: tsize = 0",
      "Option: blksize = 1468",
    ]);
    expect(1, [
      "Opcode: Option Acknowledgement (6)",
      "Option: blksize = 1468",
      "Option: tsize = 1568",
    ]);
    expect(2, ["Opcode: Acknowledgement (4)", "Block: 0"]);
    expect(3, ["Opcode: Data Packet (3)", "Block: 1", "Data (1468 bytes)"]);
    expect(4, ["Opcode: Acknowledgement (4)", "Block: 1"]);
    expect(5, ["Opcode: Data Packet (3)", "Block: 2", "Data (100 bytes)"]);
    expect(7, ["Opcode: Read Request (1)", "Source File: missing.cfg", "Type: netascii"]);
    expect(8, [
      "Opcode: Error Code (5)",
      "Error code: File not found (1)",
      "Error message: File not found",
    ]);
  },
});
