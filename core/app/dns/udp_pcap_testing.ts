/**
 * Test support for the application codecs' interoperability checks: wraps UDP
 * payloads in Ethernet II (14 bytes), IPv4 (RFC 791, 20 bytes, no options,
 * correct header checksum) and UDP (RFC 768, correct checksum over the
 * pseudo-header) frames, writes them to a classic pcap file with nanosecond
 * timestamps (magic 0xa1b23c4d, link type 1), and runs tshark on it.
 *
 * Deliberately independent of the stack's own frame encoders, so that a check
 * of a codec against tshark does not also depend on them. Not for use outside
 * tests: no VLANs, fragments, IP options or validation of its inputs.
 *
 * @module
 */
import type { Ip4, Mac } from "../../wire/packet.ts";

/** One UDP datagram to put in a capture. */
export interface UdpFrame {
  srcMac: Mac;
  dstMac: Mac;
  src: Ip4;
  dst: Ip4;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

function put16(b: Uint8Array, at: number, v: number) {
  b[at] = (v >>> 8) & 255;
  b[at + 1] = v & 255;
}

function put32(b: Uint8Array, at: number, v: number) {
  put16(b, at, v >>> 16);
  put16(b, at + 2, v & 0xffff);
}

function putMac(b: Uint8Array, at: number, m: Mac) {
  for (let i = 0; i < 6; i++) b[at + i] = Math.floor(m / 2 ** (8 * (5 - i))) % 256;
}

/** The Internet checksum (RFC 1071) of byte ranges summed together. */
function checksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i += 2) sum += (p[i]! << 8) | (p[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The bytes of one Ethernet/IPv4/UDP frame; `ipId` fills the IPv4 identification field. */
export function udpFrame(f: UdpFrame, ipId: number): Uint8Array {
  const udpLen = 8 + f.payload.length;
  const out = new Uint8Array(14 + 20 + udpLen);
  putMac(out, 0, f.dstMac);
  putMac(out, 6, f.srcMac);
  put16(out, 12, 0x0800);
  const ip = out.subarray(14, 34);
  ip[0] = 0x45;
  put16(ip, 2, 20 + udpLen);
  put16(ip, 4, ipId & 0xffff);
  ip[8] = 64;
  ip[9] = 17;
  put32(ip, 12, f.src);
  put32(ip, 16, f.dst);
  put16(ip, 10, checksum(ip));
  const udp = out.subarray(34);
  put16(udp, 0, f.srcPort);
  put16(udp, 2, f.dstPort);
  put16(udp, 4, udpLen);
  udp.set(f.payload, 8);
  const pseudo = new Uint8Array(12);
  put32(pseudo, 0, f.src);
  put32(pseudo, 4, f.dst);
  pseudo[9] = 17;
  put16(pseudo, 10, udpLen);
  // An odd-length datagram is padded for the sum only; the pseudo-header is even.
  const sum = checksum(pseudo, udp);
  put16(udp, 6, sum === 0 ? 0xffff : sum);
  return out;
}

/** A classic little-endian pcap file, nanosecond timestamps, one frame per millisecond. */
export function pcapFile(frames: Uint8Array[]): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b23c4d, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((f, i) => {
    v.setUint32(at, 1_700_000_000, true);
    v.setUint32(at + 4, i * 1_000_000, true);
    v.setUint32(at + 8, f.length, true);
    v.setUint32(at + 12, f.length, true);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

/** Whether a `tshark` binary can be run here. */
export function hasTshark(): boolean {
  try {
    return new Deno.Command("tshark", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * Write the frames to `path` and return tshark's verbose dissection (`-V`)
 * with UDP and IPv4 checksum validation on; throws if tshark fails.
 */
export async function dissect(path: string, frames: UdpFrame[]): Promise<string> {
  await Deno.writeFile(path, pcapFile(frames.map((f, i) => udpFrame(f, i + 1))));
  const out = await new Deno.Command("tshark", {
    args: ["-r", path, "-V", "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`tshark failed: ${new TextDecoder().decode(out.stderr)}`);
  return text;
}

/** tshark's per-frame dissections: the text from each "Frame N:" line to the next. */
export function frames(dissection: string): string[] {
  return dissection.split(/^(?=Frame \d+:)/m).filter((s) => s.startsWith("Frame "));
}

/** Expert-info lines of warning or error severity, and any "Malformed" marks. */
export function problems(dissection: string): string[] {
  return dissection.split("\n").filter((l) =>
    /Malformed|\[Expert Info \((Warning|Error)\//.test(l) || /checksum.*\[(bad|incorrect)/i.test(l)
  );
}
