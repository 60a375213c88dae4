/**
 * Capture files in the classic libpcap format with nanosecond timestamps, which
 * Wireshark, tshark and tcpdump read.
 *
 * The file is a 24-byte global header (magic 0xa1b23c4d for nanosecond
 * resolution, version 2.4, zone and accuracy 0, snapshot length 262144, link
 * type 1 = Ethernet) followed by one record per frame: seconds, nanoseconds,
 * captured length, original length, then the captured bytes. Fields are written
 * little-endian (readers detect the byte order from the magic), so the output
 * is identical on every host. Frames longer than the snapshot length are cut to
 * it, with the original length kept. Not modelled: pcapng, other link types,
 * FCS bytes. Timestamps are the simulator's integer virtual nanoseconds.
 *
 * @module
 */
import { WireError } from "./errors.ts";

/** Magic number of a nanosecond-resolution pcap file. */
export const PCAP_NANOSECOND_MAGIC = 0xa1b23c4d;
/** Snapshot length written in the file header; longer frames are truncated. */
export const PCAP_SNAPLEN = 262144;
/** Link type for Ethernet frames (LINKTYPE_ETHERNET). */
export const LINKTYPE_ETHERNET = 1;
/** Bytes in the pcap global header. */
export const PCAP_HEADER_LENGTH = 24;
/** Bytes in a pcap record header. */
export const PCAP_RECORD_HEADER_LENGTH = 16;

function putU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

/**
 * Builds a pcap file in memory, one frame at a time. The buffer grows by
 * doubling, so writing n frames costs amortised O(total bytes).
 */
export class PcapWriter {
  #buf: Uint8Array;
  #len = 0;
  #count = 0;

  /** Start a file (header written) with room for `initialCapacity` bytes before growing. */
  constructor(initialCapacity = 64 * 1024) {
    this.#buf = new Uint8Array(Math.max(PCAP_HEADER_LENGTH, Math.floor(initialCapacity)));
    const b = this.#buf;
    putU32(b, 0, PCAP_NANOSECOND_MAGIC);
    b[4] = 2; // version major (little-endian u16)
    b[5] = 0;
    b[6] = 4; // version minor
    b[7] = 0;
    putU32(b, 8, 0); // thiszone
    putU32(b, 12, 0); // sigfigs
    putU32(b, 16, PCAP_SNAPLEN);
    putU32(b, 20, LINKTYPE_ETHERNET);
    this.#len = PCAP_HEADER_LENGTH;
  }

  /** Number of frames written so far. */
  get count(): number {
    return this.#count;
  }

  /** Size of the file so far in bytes. */
  get byteLength(): number {
    return this.#len;
  }

  /**
   * Append one frame captured at virtual time `timeNs` (a non-negative integer
   * number of nanoseconds). Throws a WireError for any other timestamp.
   */
  write(timeNs: number, frame: Uint8Array): void {
    if (!Number.isSafeInteger(timeNs) || timeNs < 0) throw new WireError("pcap", "bad timestamp");
    const sec = Math.floor(timeNs / 1e9);
    const nsec = timeNs - sec * 1e9;
    const incl = Math.min(frame.length, PCAP_SNAPLEN);
    const need = this.#len + PCAP_RECORD_HEADER_LENGTH + incl;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
    }
    const b = this.#buf;
    const o = this.#len;
    putU32(b, o, sec);
    putU32(b, o + 4, nsec);
    putU32(b, o + 8, incl);
    putU32(b, o + 12, frame.length);
    b.set(incl === frame.length ? frame : frame.subarray(0, incl), o + PCAP_RECORD_HEADER_LENGTH);
    this.#len = need;
    this.#count++;
  }

  /**
   * The whole file so far. This is a view of the writer's buffer, not a copy:
   * bytes already written never change, so it stays valid after later writes,
   * but the caller must not modify it.
   */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }
}
