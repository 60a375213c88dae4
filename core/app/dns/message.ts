/**
 * DNS message codec (RFC 1035 §4): the header, questions and resource records
 * of the answer, authority and additional sections, with name compression both
 * ways, the EDNS(0) OPT pseudo-record (RFC 6891) and UDP truncation.
 *
 * What it models:
 * - the header: id, QR, opcode, AA, TC, RD, RA, AD and CD (RFC 4035 §3.2), and
 *   the response code, extended to 12 bits by the OPT record (RFC 6891 §6.1.3);
 *   the section counts are the lengths of the arrays;
 * - typed rdata for A, AAAA (RFC 3596), NS, CNAME, SOA, PTR, MX and TXT; every
 *   other type keeps its rdata as raw bytes;
 * - name compression (RFC 1035 §4.1.4): on encode every owner name and the
 *   names inside NS, CNAME, PTR, MX and SOA rdata (the only types allowed to be
 *   compressed, RFC 3597 §4) point to the first occurrence of their
 *   longest known suffix, as BIND and dnsmasq do; matching is exact, so the case
 *   of every name survives. On decode pointers are followed anywhere, but each
 *   must point strictly before the run of labels it interrupts, so a pointer
 *   loop cannot happen; labels are limited to 63 bytes and names to 255;
 * - EDNS(0): the first OPT record of the additional section with the root as
 *   owner becomes `edns` (UDP payload size, version, DO bit, the other flag bits
 *   and the options as code/bytes pairs); encode writes it last;
 * - truncation ({@link truncateDns}): fitting a response into a UDP payload
 *   limit by whole RRsets, setting TC when the answer or authority section does
 *   not fit and silently dropping additional records that do not (RFC 2181 §9),
 *   always keeping the OPT record (RFC 6891 §7).
 *
 * What it leaves out: the reserved Z header bit (written as zero), DNSSEC and
 * TSIG semantics (their records are raw), wire-format validation of raw rdata,
 * the position of an OPT record that is not last, and bytes after the last
 * record (ignored). Text in TXT strings is one character per byte.
 *
 * @module
 */
import type { Ip4 } from "../../wire/packet.ts";
import { WireError } from "../../wire/errors.ts";
import { formatDnsName, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, parseDnsName } from "./name.ts";

const LAYER = "dns";

/** Resource record type codes (RFC 1035 §3.2.2 and later RFCs). */
export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const;

/** Class codes (RFC 1035 §3.2.4, RFC 2136 for NONE). */
export const DnsClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

/** Header opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136). */
export const DnsOpcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** Response codes (RFC 1035 §4.1.1, RFC 2136, RFC 6891 for BADVERS). */
export const DnsRcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const;

/** The largest UDP payload a DNS message may use without EDNS (RFC 1035 §4.2.1). */
export const DNS_UDP_LIMIT = 512;

/** A question (RFC 1035 §4.1.2). */
export interface DnsQuestion {
  /** The name in text form, "www.example.com.". */
  name: string;
  /** A {@link DnsType} code (ANY, AXFR and other query-only types included). */
  type: number;
  /** A {@link DnsClass} code. */
  class: number;
}

/** The start of authority of a zone (RFC 1035 §3.3.13); times in seconds. */
export interface SoaData {
  /** The type tag. */
  type: "SOA";
  /** The primary name server. */
  mname: string;
  /** The responsible mailbox, as a name ("hostmaster.example.com."). */
  rname: string;
  /** The zone's serial number. */
  serial: number;
  /** Seconds between secondary refreshes. */
  refresh: number;
  /** Seconds before a failed refresh is retried. */
  retry: number;
  /** Seconds after which a secondary stops answering. */
  expire: number;
  /** The negative-caching TTL (RFC 2308). */
  minimum: number;
}

/**
 * Record data. Typed variants are tagged with the type mnemonic; any other type
 * is `{ type: <code>, data: <rdata bytes> }`. Record data of length zero (as in
 * RFC 2136 update prerequisites) always decodes to the raw form.
 */
export type DnsRdata =
  | { type: "A"; address: Ip4 }
  /** 16 bytes; see `formatIp6` and `parseIp6`. */
  | { type: "AAAA"; address: Uint8Array }
  | { type: "NS"; target: string }
  | { type: "CNAME"; target: string }
  | { type: "PTR"; target: string }
  | { type: "MX"; preference: number; exchange: string }
  | SoaData
  /** One or more character-strings of at most 255 bytes each. */
  | { type: "TXT"; strings: string[] }
  | { type: number; data: Uint8Array };

/** A resource record (RFC 1035 §4.1.3). */
export interface DnsRecord {
  /** The owner name in text form. */
  name: string;
  /** A {@link DnsClass} code. */
  class: number;
  /** Time to live in seconds (uint32). */
  ttl: number;
  /** The record data. */
  data: DnsRdata;
}

/** One EDNS option (RFC 6891 §6.1.2), kept as bytes (cookies, client subnet, padding, ...). */
export interface EdnsOption {
  /** The option code (10 is COOKIE). */
  code: number;
  /** The option data. */
  data: Uint8Array;
}

/** The EDNS(0) OPT pseudo-record of a message (RFC 6891 §6.1). */
export interface Edns {
  /** The requester's UDP payload size (the OPT record's class field). */
  udpSize: number;
  /** EDNS version, 0. */
  version: number;
  /** The DO bit: DNSSEC records are wanted (RFC 3225). */
  dnssecOk: boolean;
  /** The 15 other flag bits, zero today. */
  z: number;
  /** The options. */
  options: EdnsOption[];
}

/** A DNS message. */
export interface DnsMessage {
  /** Query id (uint16). */
  id: number;
  /** True in a response. */
  qr: boolean;
  /** A {@link DnsOpcode}. */
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated. */
  tc: boolean;
  /** Recursion desired. */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  /** Authentic data (RFC 4035). */
  ad: boolean;
  /** Checking disabled (RFC 4035). */
  cd: boolean;
  /** A {@link DnsRcode}; values above 15 need `edns`. */
  rcode: number;
  /** The question section. */
  questions: DnsQuestion[];
  /** The answer section. */
  answers: DnsRecord[];
  /** The authority section. */
  authorities: DnsRecord[];
  /** The additional section without the OPT record. */
  additionals: DnsRecord[];
  /** The OPT record, when the message has one. */
  edns: Edns | undefined;
}

const TYPE_CODE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
} as const;

function fail(message: string): never {
  throw new WireError(LAYER, message);
}

/** The numeric type of record data. */
export function rdataTypeCode(d: DnsRdata): number {
  return typeof d.type === "number" ? d.type : TYPE_CODE[d.type];
}

/** A query as a stub resolver sends it: one question, RD set, an optional OPT record. */
export function dnsQuery(
  id: number,
  name: string,
  type: number,
  opts: { rd?: boolean; edns?: Edns; class?: number } = {},
): DnsMessage {
  return {
    id,
    qr: false,
    opcode: DnsOpcode.QUERY,
    aa: false,
    tc: false,
    rd: opts.rd ?? true,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [{ name, type, class: opts.class ?? DnsClass.IN }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: opts.edns,
  };
}

/**
 * The largest response a server may send over UDP to this query: 512 bytes
 * without EDNS, otherwise the advertised payload size (never below 512).
 */
export function dnsPayloadLimit(query: DnsMessage): number {
  return query.edns === undefined ? DNS_UDP_LIMIT : Math.max(DNS_UDP_LIMIT, query.edns.udpSize);
}

// ---------------------------------------------------------------- encoding

function checkUint(v: number, bits: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    fail(`${what} is not a ${bits}-bit unsigned integer: ${v}`);
  }
  return v;
}

/** A growable output buffer with the compression table of one message. */
class Writer {
  buf = new Uint8Array(512);
  len = 0;
  /** Suffix key → offset of its first label. */
  private names = new Map<string, number>();
  /** Keys in the order they were added, so that a rollback can remove them. */
  private added: string[] = [];

  private room(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  u8(v: number) {
    this.room(1);
    this.buf[this.len++] = v;
  }
  u16(v: number) {
    this.room(2);
    this.buf[this.len++] = v >>> 8;
    this.buf[this.len++] = v & 255;
  }
  u32(v: number) {
    this.room(4);
    this.buf[this.len++] = v >>> 24;
    this.buf[this.len++] = (v >>> 16) & 255;
    this.buf[this.len++] = (v >>> 8) & 255;
    this.buf[this.len++] = v & 255;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  putU16(at: number, v: number) {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v & 255;
  }
  /** Write a name, compressing it against earlier names when `compress` is set. */
  name(text: string, compress: boolean) {
    const labels = parseDnsName(text);
    // keys[i] identifies the suffix labels[i..] exactly (length-prefixed bytes).
    const keys: string[] = new Array(labels.length);
    let key = "";
    for (let i = labels.length - 1; i >= 0; i--) {
      const l = labels[i]!;
      let part = String.fromCharCode(l.length);
      for (const c of l) part += String.fromCharCode(c);
      key = part + key;
      keys[i] = key;
    }
    for (let i = 0; i < labels.length; i++) {
      const at = this.names.get(keys[i]!);
      if (compress && at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (at === undefined && this.len < 0x4000) {
        this.names.set(keys[i]!, this.len);
        this.added.push(keys[i]!);
      }
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }
  mark(): [number, number] {
    return [this.len, this.added.length];
  }
  rollback([len, added]: [number, number]) {
    this.len = len;
    while (this.added.length > added) this.names.delete(this.added.pop()!);
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function latin1(s: string, what: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) fail(`${what} has a character above U+00FF`);
    out[i] = c;
  }
  return out;
}

function writeRdata(w: Writer, d: DnsRdata) {
  switch (d.type) {
    case "A":
      w.u32(checkUint(d.address, 32, "A address"));
      return;
    case "AAAA":
      if (!(d.address instanceof Uint8Array) || d.address.length !== 16) {
        fail("AAAA address must be 16 bytes");
      }
      w.bytes(d.address);
      return;
    case "NS":
    case "CNAME":
    case "PTR":
      w.name(d.target, true);
      return;
    case "MX":
      w.u16(checkUint(d.preference, 16, "MX preference"));
      w.name(d.exchange, true);
      return;
    case "SOA":
      w.name(d.mname, true);
      w.name(d.rname, true);
      w.u32(checkUint(d.serial, 32, "SOA serial"));
      w.u32(checkUint(d.refresh, 32, "SOA refresh"));
      w.u32(checkUint(d.retry, 32, "SOA retry"));
      w.u32(checkUint(d.expire, 32, "SOA expire"));
      w.u32(checkUint(d.minimum, 32, "SOA minimum"));
      return;
    case "TXT":
      if (d.strings.length === 0) fail("TXT needs at least one string");
      for (const s of d.strings) {
        const b = latin1(s, "TXT string");
        if (b.length > 255) fail("TXT string longer than 255 bytes");
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    default:
      if (typeof d.type !== "number" || !(d.data instanceof Uint8Array)) {
        fail(`unknown rdata ${String(d.type)}`);
      }
      w.bytes(d.data);
  }
}

function writeRecord(w: Writer, rr: DnsRecord) {
  w.name(rr.name, true);
  w.u16(checkUint(rdataTypeCode(rr.data), 16, "type"));
  w.u16(checkUint(rr.class, 16, "class"));
  w.u32(checkUint(rr.ttl, 32, "TTL"));
  const at = w.len;
  w.u16(0);
  writeRdata(w, rr.data);
  const rdlen = w.len - at - 2;
  if (rdlen > 0xffff) fail("rdata longer than 65535 bytes");
  w.putU16(at, rdlen);
}

function ednsSize(e: Edns): number {
  return 11 + e.options.reduce((n, o) => n + 4 + o.data.length, 0);
}

function writeOpt(w: Writer, e: Edns, extRcode: number) {
  w.u8(0);
  w.u16(DnsType.OPT);
  w.u16(checkUint(e.udpSize, 16, "EDNS UDP size"));
  w.u8(extRcode);
  w.u8(checkUint(e.version, 8, "EDNS version"));
  w.u16((e.dnssecOk ? 0x8000 : 0) | checkUint(e.z, 15, "EDNS z"));
  let len = 0;
  for (const o of e.options) len += 4 + o.data.length;
  if (len > 0xffff) fail("EDNS options longer than 65535 bytes");
  w.u16(len);
  for (const o of e.options) {
    w.u16(checkUint(o.code, 16, "EDNS option code"));
    w.u16(o.data.length);
    w.bytes(o.data);
  }
}

/** Same owner (case-insensitively), type and class: records of one RRset. */
function sameRRset(a: DnsRecord, b: DnsRecord): boolean {
  return rdataTypeCode(a.data) === rdataTypeCode(b.data) && a.class === b.class &&
    (a.name === b.name || a.name.toLowerCase() === b.name.toLowerCase());
}

interface Encoded {
  bytes: Uint8Array;
  answers: number;
  authorities: number;
  additionals: number;
  truncated: boolean;
}

function encode(m: DnsMessage, limit: number, partial = false): Encoded {
  checkUint(m.id, 16, "id");
  checkUint(m.opcode, 4, "opcode");
  checkUint(m.rcode, 12, "rcode");
  if (m.rcode > 15 && m.edns === undefined) fail(`rcode ${m.rcode} needs an OPT record`);
  for (const list of [m.questions, m.answers, m.authorities, m.additionals]) {
    if (list.length > 0xffff) fail("more than 65535 entries in a section");
  }
  const w = new Writer();
  w.bytes(new Uint8Array(12));
  for (const q of m.questions) {
    w.name(q.name, true);
    w.u16(checkUint(q.type, 16, "question type"));
    w.u16(checkUint(q.class, 16, "question class"));
  }
  const reserve = m.edns === undefined ? 0 : ednsSize(m.edns);
  if (w.len + reserve > limit) fail(`header and question need more than ${limit} bytes`);

  let truncated = false;
  const counts = [0, 0, 0];
  const sections = [m.answers, m.authorities, m.additionals];
  for (let s = 0; s < 3 && !truncated; s++) {
    const list = sections[s]!;
    let i = 0;
    while (i < list.length) {
      let j = i + 1;
      while (j < list.length && sameRRset(list[i]!, list[j]!)) j++;
      const mark = w.mark();
      for (let k = i; k < j; k++) writeRecord(w, list[k]!);
      if (w.len + reserve > limit) {
        w.rollback(mark);
        // Extra information that does not fit is left out without TC (RFC 2181 §9).
        if (s < 2) {
          truncated = true;
          // BIND keeps the records of a partly fitting RRset that fit.
          for (let k = i; partial && k < j; k++) {
            const one = w.mark();
            writeRecord(w, list[k]!);
            if (w.len + reserve > limit) {
              w.rollback(one);
              break;
            }
            counts[s] = k + 1;
          }
        }
        break;
      }
      counts[s] = j;
      i = j;
    }
  }
  if (m.edns !== undefined) writeOpt(w, m.edns, m.rcode >> 4);

  const b = w.result();
  b[0] = m.id >> 8;
  b[1] = m.id & 255;
  b[2] = (m.qr ? 0x80 : 0) | (m.opcode << 3) | (m.aa ? 4 : 0) | (m.tc || truncated ? 2 : 0) |
    (m.rd ? 1 : 0);
  b[3] = (m.ra ? 0x80 : 0) | (m.ad ? 0x20 : 0) | (m.cd ? 0x10 : 0) | (m.rcode & 15);
  const arcount = counts[2]! + (m.edns === undefined ? 0 : 1);
  [m.questions.length, counts[0]!, counts[1]!, arcount].forEach((n, k) => {
    b[4 + 2 * k] = n >> 8;
    b[5 + 2 * k] = n & 255;
  });
  return {
    bytes: b,
    answers: counts[0]!,
    authorities: counts[1]!,
    additionals: counts[2]!,
    truncated,
  };
}

/**
 * Encode a message with name compression, every record included. Throws
 * WireError for a name that does not parse or a value that does not fit.
 */
export function encodeDns(m: DnsMessage): Uint8Array {
  return encode(m, Infinity).bytes;
}

/** The result of {@link truncateDns}: what was actually sent. */
export interface TruncatedDns {
  /** The message as sent: TC set if needed, records that did not fit removed. */
  message: DnsMessage;
  /** The encoded bytes. */
  bytes: Uint8Array;
  /** Whether TC had to be set (records of the answer or authority section were dropped). */
  truncated: boolean;
}

/**
 * Encode a response into at most `maxSize` bytes the way a server fills a UDP
 * reply ({@link dnsPayloadLimit} of the query): whole RRsets in order; when an
 * answer or authority RRset does not fit it and everything after it is dropped
 * and TC is set (with `partialRRsets`, as BIND does, the records of that RRset
 * that still fit are kept); additional RRsets that do not fit are dropped
 * without TC; the OPT record is always kept. Throws WireError if not even the
 * header, question and OPT record fit.
 */
export function truncateDns(
  m: DnsMessage,
  maxSize: number = DNS_UDP_LIMIT,
  options: { partialRRsets?: boolean } = {},
): TruncatedDns {
  const e = encode(m, maxSize, options.partialRRsets ?? false);
  return {
    message: {
      ...m,
      tc: m.tc || e.truncated,
      answers: m.answers.slice(0, e.answers),
      authorities: m.authorities.slice(0, e.authorities),
      additionals: m.additionals.slice(0, e.additionals),
    },
    bytes: e.bytes,
    truncated: e.truncated,
  };
}

// ---------------------------------------------------------------- decoding

/**
 * Read a possibly compressed name at `pos`; returns its text and the offset
 * just past it in the original position. A pointer must point before the start
 * of the run of labels that contains it, so every jump goes strictly backwards
 * and the walk ends.
 */
function readName(b: Uint8Array, pos: number): [string, number] {
  const labels: Uint8Array[] = [];
  let wire = 1;
  let p = pos;
  let limit = pos;
  let next = -1;
  for (;;) {
    if (p >= b.length) fail("truncated name");
    const l = b[p]!;
    if (l === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = l & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= b.length) fail("truncated compression pointer");
      const target = ((l & 0x3f) << 8) | b[p + 1]!;
      if (target >= limit) fail(`compression pointer to ${target} does not point backwards`);
      if (next < 0) next = p + 2;
      limit = target;
      p = target;
      continue;
    }
    if (kind !== 0) fail(`unsupported label type 0x${kind.toString(16)}`);
    if (l > MAX_LABEL_LENGTH) fail("label longer than 63 bytes");
    if (p + 1 + l > b.length) fail("truncated label");
    wire += 1 + l;
    if (wire > MAX_NAME_LENGTH) fail("name longer than 255 bytes");
    labels.push(b.subarray(p + 1, p + 1 + l));
    p += 1 + l;
  }
  return [formatDnsName(labels), next];
}

function u16At(b: Uint8Array, at: number): number {
  if (at + 2 > b.length) fail("truncated");
  return (b[at]! << 8) | b[at + 1]!;
}

function u32At(b: Uint8Array, at: number): number {
  if (at + 4 > b.length) fail("truncated");
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function readRdata(b: Uint8Array, start: number, end: number, type: number): DnsRdata {
  const len = end - start;
  if (len === 0) return { type, data: new Uint8Array(0) };
  const named = (what: string, at: number): [string, number] => {
    const [name, next] = readName(b, at);
    if (next > end) fail(`${what} runs past its rdata`);
    return [name, next];
  };
  const exact = (at: number, what: string) => {
    if (at !== end) fail(`${what} rdata length ${len} does not match its contents`);
  };
  switch (type) {
    case TYPE_CODE.A:
      exact(start + 4, "A");
      return { type: "A", address: u32At(b, start) };
    case TYPE_CODE.AAAA:
      exact(start + 16, "AAAA");
      return { type: "AAAA", address: b.slice(start, end) };
    case TYPE_CODE.NS:
    case TYPE_CODE.CNAME:
    case TYPE_CODE.PTR: {
      const mnemonic = type === TYPE_CODE.NS ? "NS" : type === TYPE_CODE.CNAME ? "CNAME" : "PTR";
      const [target, next] = named(mnemonic, start);
      exact(next, mnemonic);
      return { type: mnemonic, target };
    }
    case TYPE_CODE.MX: {
      if (len < 3) fail("MX rdata too short");
      const [exchange, next] = named("MX", start + 2);
      exact(next, "MX");
      return { type: "MX", preference: u16At(b, start), exchange };
    }
    case TYPE_CODE.SOA: {
      const [mname, p1] = named("SOA", start);
      const [rname, p2] = named("SOA", p1);
      exact(p2 + 20, "SOA");
      return {
        type: "SOA",
        mname,
        rname,
        serial: u32At(b, p2),
        refresh: u32At(b, p2 + 4),
        retry: u32At(b, p2 + 8),
        expire: u32At(b, p2 + 12),
        minimum: u32At(b, p2 + 16),
      };
    }
    case TYPE_CODE.TXT: {
      const strings: string[] = [];
      let p = start;
      while (p < end) {
        const n = b[p]!;
        if (p + 1 + n > end) fail("TXT string runs past its rdata");
        let s = "";
        for (let i = p + 1; i <= p + n; i++) s += String.fromCharCode(b[i]!);
        strings.push(s);
        p += 1 + n;
      }
      return { type: "TXT", strings };
    }
    default:
      return { type, data: b.slice(start, end) };
  }
}

/**
 * Decode a message. Throws WireError for anything malformed: a header shorter
 * than 12 bytes, fewer questions or records than the counts announce, names
 * with bad pointers, labels or lengths, or typed rdata whose length does not
 * match its contents. Throws nothing else, whatever the bytes.
 */
export function decodeDns(b: Uint8Array): DnsMessage {
  if (b.length < 12) fail(`truncated: ${b.length} bytes, the header needs 12`);
  const flags = (b[2]! << 8) | b[3]!;
  const counts = [u16At(b, 4), u16At(b, 6), u16At(b, 8), u16At(b, 10)];
  let pos = 12;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const [name, next] = readName(b, pos);
    questions.push({ name, type: u16At(b, next), class: u16At(b, next + 2) });
    pos = next + 4;
  }
  let edns: Edns | undefined;
  let extRcode = 0;
  const sections: DnsRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const ownerAt = pos;
      const [name, next] = readName(b, pos);
      const type = u16At(b, next);
      const cls = u16At(b, next + 2);
      const ttl = u32At(b, next + 4);
      const rdlen = u16At(b, next + 8);
      const start = next + 10;
      const end = start + rdlen;
      if (end > b.length) fail("truncated rdata");
      pos = end;
      if (s === 2 && type === DnsType.OPT && edns === undefined && b[ownerAt] === 0) {
        const options: EdnsOption[] = [];
        for (let p = start; p < end;) {
          const code = u16At(b, p);
          const olen = u16At(b, p + 2);
          if (p + 4 + olen > end) fail("EDNS option runs past the OPT record");
          options.push({ code, data: b.slice(p + 4, p + 4 + olen) });
          p += 4 + olen;
        }
        extRcode = ttl >>> 24;
        edns = {
          udpSize: cls,
          version: (ttl >>> 16) & 255,
          dnssecOk: (ttl & 0x8000) !== 0,
          z: ttl & 0x7fff,
          options,
        };
        continue;
      }
      sections[s]!.push({ name, class: cls, ttl, data: readRdata(b, start, end, type) });
    }
  }
  return {
    id: (b[0]! << 8) | b[1]!,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 15,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: (extRcode << 4) | (flags & 15),
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    edns,
  };
}
