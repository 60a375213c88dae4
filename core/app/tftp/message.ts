/**
 * TFTP packet codec: the five packets of RFC 1350 (RRQ, WRQ, DATA, ACK, ERROR)
 * and the option extension of RFC 2347 (options on RRQ/WRQ, the OACK packet,
 * error code 8), with typed views of the blksize (RFC 2348), timeout and tsize
 * (RFC 2349) and windowsize (RFC 7440) options, 16-bit block-number arithmetic,
 * and the netascii line-ending translation of RFC 1350 / RFC 764.
 *
 * Strings (file name, mode, option names and values, error text) are byte
 * strings: one character per byte, code points 0..255, so any bytes survive a
 * round trip. Options stay an ordered list of name/value pairs as sent, names in
 * their original case; {@link tftpOptionValues} reads the typed values out.
 *
 * What it leaves out: the transfer state machine (timeouts, retransmission,
 * the "sorcerer's apprentice" rule), which DATA size ends a transfer (that
 * depends on the negotiated blksize), and the obsolete "mail" mode semantics
 * (the mode string is carried as given). Bytes after a complete ACK or ERROR
 * packet are ignored, as tftp-hpa does.
 *
 * @module
 */
import { WireError } from "../../wire/errors.ts";

const LAYER = "tftp";

/** Opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const TftpOpcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** Error codes (RFC 1350 appendix, RFC 2347 for 8). */
export const TftpErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

const ERROR_TEXT = [
  "Undefined error code",
  "File not found",
  "Access violation",
  "Disk full or allocation exceeded",
  "Illegal TFTP operation",
  "Unknown transfer ID",
  "File already exists",
  "No such user",
  "Failure to negotiate RFC2347 options",
];

/** The usual text of an error code (as tftp-hpa words it); "Error N" for codes past 8. */
export function tftpErrorMessage(code: number): string {
  return ERROR_TEXT[code] ?? `Error ${code}`;
}

/** The default data block size (RFC 1350). */
export const TFTP_DEFAULT_BLKSIZE = 512;
/** The largest block size RFC 2348 allows (65535 - 20 IP - 8 UDP - 4 TFTP, less 39). */
export const TFTP_MAX_BLKSIZE = 65464;
/** The smallest block size RFC 2348 allows. */
export const TFTP_MIN_BLKSIZE = 8;

/** One option of a request or OACK (RFC 2347): names are case-insensitive. */
export interface TftpOption {
  /** Option name as sent ("blksize", "tsize", …). */
  name: string;
  /** Its value, as text. */
  value: string;
}

/** A read or write request. */
export interface TftpRequest {
  /** Read (RRQ, opcode 1) or write (WRQ, opcode 2). */
  op: "RRQ" | "WRQ";
  /** The file name, as the client wrote it. */
  filename: string;
  /** "netascii", "octet" or "mail", in any case. */
  mode: string;
  /** Options in the order sent; empty for a plain RFC 1350 request. */
  options: TftpOption[];
}

/** A data packet: block `block` of the file, at most blksize bytes (fewer ends the transfer). */
export interface TftpData {
  /** Opcode 3. */
  op: "DATA";
  /** Block number, 1 for the first block, wrapping at 16 bits. */
  block: number;
  /** The block's bytes. */
  data: Uint8Array;
}

/** An acknowledgement of block `block` (0 acknowledges a WRQ or an OACK). */
export interface TftpAck {
  /** Opcode 4. */
  op: "ACK";
  /** The block acknowledged. */
  block: number;
}

/** An error packet; it ends the transfer. */
export interface TftpError {
  /** Opcode 5. */
  op: "ERROR";
  /** A {@link TftpErrorCode} (uint16). */
  code: number;
  /** The error text. */
  message: string;
}

/** An option acknowledgement (RFC 2347): the options the server accepted. */
export interface TftpOack {
  /** Opcode 6. */
  op: "OACK";
  /** The options accepted, with the values the server chose. */
  options: TftpOption[];
}

/** Any TFTP packet. */
export type TftpMessage = TftpRequest | TftpData | TftpAck | TftpError | TftpOack;

function fail(message: string): never {
  throw new WireError(LAYER, message);
}

function checkU16(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
    fail(`${what} is not a 16-bit unsigned integer: ${v}`);
  }
  return v;
}

/** Bytes of a NUL-terminated byte string; a NUL inside or a code point above 255 throws. */
function cstring(s: string, what: string, allowEmpty = true): number[] {
  if (!allowEmpty && s.length === 0) fail(`${what} is empty`);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 255) fail(`${what} has a character that cannot be sent at ${i}`);
    out.push(c);
  }
  out.push(0);
  return out;
}

function optionBytes(options: TftpOption[]): number[] {
  const out: number[] = [];
  for (const o of options) {
    out.push(...cstring(o.name, "option name", false), ...cstring(o.value, `option ${o.name}`));
  }
  return out;
}

/** Encode a packet. Throws WireError for fields that cannot be sent. */
export function encodeTftp(m: TftpMessage): Uint8Array {
  switch (m.op) {
    case "RRQ":
    case "WRQ": {
      const body = [
        ...cstring(m.filename, "filename"),
        ...cstring(m.mode, "mode", false),
        ...optionBytes(m.options),
      ];
      return new Uint8Array([0, TftpOpcode[m.op], ...body]);
    }
    case "DATA": {
      const block = checkU16(m.block, "block");
      if (m.data.length > TFTP_MAX_BLKSIZE) {
        fail(`DATA of ${m.data.length} bytes exceeds the largest block size ${TFTP_MAX_BLKSIZE}`);
      }
      const out = new Uint8Array(4 + m.data.length);
      out[1] = TftpOpcode.DATA;
      out[2] = block >> 8;
      out[3] = block & 255;
      out.set(m.data, 4);
      return out;
    }
    case "ACK": {
      const block = checkU16(m.block, "block");
      const out = new Uint8Array(4);
      out[1] = TftpOpcode.ACK;
      out[2] = block >> 8;
      out[3] = block & 255;
      return out;
    }
    case "ERROR": {
      const code = checkU16(m.code, "error code");
      return new Uint8Array([
        0,
        TftpOpcode.ERROR,
        code >> 8,
        code & 255,
        ...cstring(m.message, "error message"),
      ]);
    }
    case "OACK":
      return new Uint8Array([0, TftpOpcode.OACK, ...optionBytes(m.options)]);
    default:
      return fail(`unknown packet kind ${(m as { op: unknown }).op}`);
  }
}

/** Reads NUL-terminated byte strings from a packet. */
class Strings {
  pos: number;
  constructor(readonly b: Uint8Array, start: number) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.b.length;
  }
  /** Whether everything left is NUL padding. */
  get onlyPadding(): boolean {
    for (let i = this.pos; i < this.b.length; i++) if (this.b[i] !== 0) return false;
    return true;
  }
  next(what: string): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) fail(`${what} is not NUL-terminated`);
    let s = "";
    for (let i = this.pos; i < end; i++) s += String.fromCharCode(this.b[i]!);
    this.pos = end + 1;
    return s;
  }
}

function readOptions(r: Strings): TftpOption[] {
  const options: TftpOption[] = [];
  while (!r.done && !r.onlyPadding) {
    const name = r.next("option name");
    if (name === "") fail("empty option name");
    if (r.done) fail(`option ${name} has no value`);
    options.push({ name, value: r.next(`option ${name} value`) });
  }
  return options;
}

/**
 * Decode a packet. Throws WireError for a packet shorter than its fixed part, an
 * unknown opcode, or a string without its terminating NUL. Trailing NUL bytes
 * after the options of a request or OACK are accepted (some clients pad). The
 * data of a DATA packet is a view into `b`, not a copy.
 */
export function decodeTftp(b: Uint8Array): TftpMessage {
  if (b.length < 2) fail(`truncated: ${b.length} bytes, no opcode`);
  const opcode = (b[0]! << 8) | b[1]!;
  const word = () => {
    if (b.length < 4) fail(`truncated: ${b.length} bytes, the header needs 4`);
    return (b[2]! << 8) | b[3]!;
  };
  switch (opcode) {
    case TftpOpcode.RRQ:
    case TftpOpcode.WRQ: {
      const r = new Strings(b, 2);
      const filename = r.next("filename");
      const mode = r.next("mode");
      if (mode === "") fail("empty mode");
      return {
        op: opcode === TftpOpcode.RRQ ? "RRQ" : "WRQ",
        filename,
        mode,
        options: readOptions(r),
      };
    }
    case TftpOpcode.DATA: {
      const block = word();
      // A view, not a copy: packet bytes are never mutated once sent.
      return { op: "DATA", block, data: b.subarray(4) };
    }
    case TftpOpcode.ACK:
      return { op: "ACK", block: word() };
    case TftpOpcode.ERROR: {
      const code = word();
      return { op: "ERROR", code, message: new Strings(b, 4).next("error message") };
    }
    case TftpOpcode.OACK:
      return { op: "OACK", options: readOptions(new Strings(b, 2)) };
    default:
      return fail(`unknown opcode ${opcode}`);
  }
}

/** The options TFTP implementations negotiate, as numbers. */
export interface TftpOptionValues {
  /** RFC 2348 block size, 8..65464. */
  blksize?: number;
  /** RFC 2349 transfer size in bytes (0 in an RRQ asks the server for it). */
  tsize?: number;
  /** RFC 2349 retransmission timeout in seconds, 1..255. */
  timeout?: number;
  /** RFC 7440 window size in blocks, 1..65535. */
  windowsize?: number;
}

const RANGES: Record<keyof TftpOptionValues, [number, number]> = {
  blksize: [TFTP_MIN_BLKSIZE, TFTP_MAX_BLKSIZE],
  tsize: [0, Number.MAX_SAFE_INTEGER],
  timeout: [1, 255],
  windowsize: [1, 65535],
};

/**
 * The known options of a list, matched case-insensitively. Values that are not
 * plain decimal numbers within their RFC range are left out, which is what a
 * server does with them (RFC 2347: unrecognised or invalid options are ignored).
 * When a name repeats, the first one counts.
 */
export function tftpOptionValues(options: TftpOption[]): TftpOptionValues {
  const out: TftpOptionValues = {};
  for (const { name, value } of options) {
    const key = name.toLowerCase() as keyof TftpOptionValues;
    const range = Object.hasOwn(RANGES, key) ? RANGES[key] : undefined;
    if (range === undefined || out[key] !== undefined) continue;
    if (!/^[0-9]{1,16}$/.test(value)) continue;
    const n = Number(value);
    if (n >= range[0] && n <= range[1]) out[key] = n;
  }
  return out;
}

/** The option list for typed values, in the order blksize, tsize, timeout, windowsize. */
export function tftpOptions(values: TftpOptionValues): TftpOption[] {
  const out: TftpOption[] = [];
  for (const key of ["blksize", "tsize", "timeout", "windowsize"] as const) {
    const v = values[key];
    if (v !== undefined) out.push({ name: key, value: String(v) });
  }
  return out;
}

/**
 * The block number after `block`, wrapping past 65535 to `rollover` (0 by
 * default, as tftp-hpa and most servers do; some clients expect 1).
 */
export function nextBlock(block: number, rollover: 0 | 1 = 0): number {
  return block >= 0xffff ? rollover : block + 1;
}

/**
 * The block number carrying the `index`-th block of a file (1-based), when the
 * counter wraps to `rollover` after 65535.
 */
export function blockNumber(index: number, rollover: 0 | 1 = 0): number {
  if (index <= 0xffff) return index;
  const period = 0x10000 - rollover;
  return rollover + ((index - 0x10000) % period);
}

/**
 * How many blocks `to` is ahead of `from` modulo 2^16 (0..65535): an ACK for a
 * block a little behind the current one shows up as a large value.
 */
export function blockDistance(from: number, to: number): number {
  return (to - from) & 0xffff;
}

/**
 * How many DATA packets carry a file of `size` bytes: the last one is always
 * shorter than `blksize`, so an exact multiple needs an extra empty packet.
 */
export function dataPacketCount(size: number, blksize: number = TFTP_DEFAULT_BLKSIZE): number {
  return Math.floor(size / blksize) + 1;
}

/** Local text to netascii (RFC 1350, RFC 764): LF becomes CR LF and a bare CR becomes CR NUL. */
export function toNetascii(b: Uint8Array): Uint8Array {
  let extra = 0;
  for (const c of b) if (c === 10 || c === 13) extra++;
  const out = new Uint8Array(b.length + extra);
  let w = 0;
  for (const c of b) {
    if (c === 10) (out[w++] = 13), (out[w++] = 10);
    else if (c === 13) (out[w++] = 13), (out[w++] = 0);
    else out[w++] = c;
  }
  return out;
}

/**
 * Netascii back to local text: CR LF becomes LF and CR NUL becomes CR. A CR
 * followed by anything else (or at the very end) is kept as it is. Apply it to
 * the reassembled file: a CR LF pair may straddle two DATA blocks.
 */
export function fromNetascii(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  let w = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 13 && (b[i + 1] === 10 || b[i + 1] === 0)) {
      out[w++] = b[i + 1] === 10 ? 10 : 13;
      i++;
    } else out[w++] = c;
  }
  return out.slice(0, w);
}
