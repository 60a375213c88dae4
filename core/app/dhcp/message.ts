/**
 * DHCP message codec: the BOOTP fixed layout of RFC 2131 §2 (Figure 1) with the
 * RFC 2132 options that a client and server exchange to configure an IPv4 host.
 *
 * What it models:
 * - every fixed field (op, htype, hlen, hops, xid, secs, the broadcast flag,
 *   ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file) and the magic cookie
 *   99.130.83.99 (RFC 2131 §3);
 * - typed options: message type (53), subnet mask (1), routers (3), DNS servers
 *   (6), host name (12), domain name (15), requested address (50), lease time
 *   (51), option overload (52), server identifier (54), parameter request list
 *   (55), maximum message size (57), T1 (58), T2 (59), vendor class id (60),
 *   client id (61), TFTP server name (66) and bootfile name (67);
 * - every other option (PXE's 43/93/94/97, classless routes 121, ...) kept as raw
 *   bytes and written back in the order it arrived;
 * - long options (RFC 3396): instances of one code are concatenated on decode and
 *   data longer than 255 bytes is split into consecutive instances on encode;
 * - option overloading (RFC 2131 §4.1, option 52): on decode the options in the
 *   `file` and `sname` fields are merged (main area, then file, then sname);
 *   on encode, when `overload` is set, options past the 312-byte options field
 *   move into the overloaded fields;
 * - padding of short messages to the 300-byte BOOTP minimum, as ISC dhclient and
 *   dnsmasq send them.
 *
 * What it leaves out: chaddr longer than 6 bytes (only the first six bytes are
 * kept, as a {@link Mac}), the reserved flag bits (written as zero), bytes after
 * the NUL terminating sname/file, pad options between options, and anything
 * after the end option. Text options and the sname/file fields are byte strings
 * (one character per byte, code points 0..255), so any bytes survive a round trip.
 *
 * @module
 */
import type { Ip4, Mac } from "../../wire/packet.ts";
import { WireError } from "../../wire/errors.ts";

/** The wire-error layer name used by this codec. */
const LAYER = "dhcp";

/** BOOTP operation codes (RFC 951, RFC 2131 §2). */
export const BootpOp = { REQUEST: 1, REPLY: 2 } as const;

/** DHCP message types, the value of option 53 (RFC 2132 §9.6). */
export const DhcpMessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

/** Option codes with a typed representation here, plus pad and end (RFC 2132). */
export const DhcpOption = {
  PAD: 0,
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS_SERVER: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS_ID: 60,
  CLIENT_ID: 61,
  TFTP_SERVER_NAME: 66,
  BOOTFILE_NAME: 67,
  END: 255,
} as const;

/** The magic cookie 99.130.83.99 that opens the options field (RFC 2131 §3). */
export const DHCP_MAGIC_COOKIE = 0x63825363;
/** The BOOTP minimum message size that encoded messages are padded to (RFC 951, RFC 1542 §2.1). */
export const BOOTP_MIN_SIZE = 300;
/** Size of the fixed BOOTP header, up to and excluding the cookie. */
export const BOOTP_FIXED_SIZE = 236;
/**
 * Size of the options field (cookie included) that every DHCP host accepts
 * (RFC 2131 §2: a 576-byte datagram); overloading spills past it.
 */
export const DHCP_MIN_OPTIONS_SIZE = 312;

const SNAME_OFFSET = 44;
const SNAME_SIZE = 64;
const FILE_OFFSET = 108;
const FILE_SIZE = 128;

/**
 * The options of a message. A field is present exactly when its option is on
 * the wire; all IPv4 addresses are uint32 numbers and times are seconds.
 */
export interface DhcpOptions {
  /** Option 53, a {@link DhcpMessageType} value (1..8; later RFCs add more). */
  messageType?: number;
  /** Option 1. */
  subnetMask?: Ip4;
  /** Option 3, in order of preference; at least one. */
  routers?: Ip4[];
  /** Option 6, in order of preference; at least one. */
  dnsServers?: Ip4[];
  /** Option 12. */
  hostName?: string;
  /** Option 15. */
  domainName?: string;
  /** Option 50, the address a client asks for. */
  requestedAddress?: Ip4;
  /** Option 51, lease time in seconds (0xffffffff is infinite). */
  leaseTime?: number;
  /**
   * Option 52: 1 = `file` holds options, 2 = `sname` does, 3 = both. Decoded
   * messages carry the merged options and an empty string in each overloaded field.
   */
  overload?: 1 | 2 | 3;
  /** Option 54, the server identifier. */
  serverId?: Ip4;
  /** Option 55, option codes the client asks for, in its order; at least one. */
  parameterRequestList?: number[];
  /** Option 57, the largest DHCP message the client accepts (uint16). */
  maxMessageSize?: number;
  /** Option 58, T1 renewal time in seconds. */
  renewalTime?: number;
  /** Option 59, T2 rebinding time in seconds. */
  rebindingTime?: number;
  /** Option 60, vendor class identifier (e.g. "PXEClient:Arch:00000:UNDI:002001"). */
  vendorClassId?: string;
  /** Option 61, client identifier: a type byte (1 = Ethernet) then the identifier. */
  clientId?: Uint8Array;
  /** Option 66, TFTP server name. */
  tftpServerName?: string;
  /** Option 67, bootfile name. */
  bootfileName?: string;
  /**
   * Options without a typed field, and typed ones whose bytes do not fit their
   * type (a 3-byte subnet mask, say): code → data. Absent when there are none.
   */
  raw?: Map<number, Uint8Array>;
  /**
   * Option codes in wire order. Decoding always fills it; encoding follows it,
   * skipping absent codes and appending present options it does not list
   * (message type first, then ascending code). Overload (52) is always written first.
   */
  order?: number[];
}

/** A DHCP (or BOOTP-with-cookie) message, RFC 2131 §2. */
export interface DhcpMessage {
  /** 1 = BOOTREQUEST (client), 2 = BOOTREPLY (server). */
  op: number;
  /** Hardware type, 1 = Ethernet. */
  htype: number;
  /** Hardware address length, 6 for Ethernet. */
  hlen: number;
  /** Relay agent hops. */
  hops: number;
  /** Transaction id chosen by the client (uint32). */
  xid: number;
  /** Seconds since the client began acquiring or renewing (uint16). */
  secs: number;
  /** The BROADCAST flag (the top bit of `flags`): the client cannot receive unicast yet. */
  broadcast: boolean;
  /** Client address, when the client is bound and can answer ARP. */
  ciaddr: Ip4;
  /** "Your" address: the address offered or assigned to the client. */
  yiaddr: Ip4;
  /** Next server to use in bootstrap (the TFTP "next-server"). */
  siaddr: Ip4;
  /** Relay agent address. */
  giaddr: Ip4;
  /** Client hardware address (the first six bytes of the 16-byte chaddr field). */
  chaddr: Mac;
  /** Server host name, at most 64 bytes ("" when unused or overloaded). */
  sname: string;
  /** Boot file name, at most 128 bytes ("" when unused or overloaded). */
  file: string;
  /** The options after the magic cookie. */
  options: DhcpOptions;
}

type TypedKey = Exclude<keyof DhcpOptions, "raw" | "order">;

/** How one typed option maps to bytes. */
interface Codec {
  key: TypedKey;
  /** Bytes of the value, or throws WireError for a value out of range. */
  encode(v: unknown): Uint8Array;
  /** The value, or undefined when the bytes do not fit the type. */
  decode(b: Uint8Array): unknown;
}

function fail(message: string): never {
  throw new WireError(LAYER, message);
}

function u32Bytes(v: number): Uint8Array {
  return new Uint8Array([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function checkUint(v: unknown, bits: number, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    fail(`${what} is not a ${bits}-bit unsigned integer: ${String(v)}`);
  }
  return v;
}

/** Latin-1 (one byte per character) bytes of a string; throws for code points above 255. */
function textBytes(s: unknown, what: string): Uint8Array {
  if (typeof s !== "string") fail(`${what} is not a string`);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) fail(`${what} has a character outside 0..255 at ${i}`);
    out[i] = c;
  }
  return out;
}

function bytesText(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

const ip4Codec = (key: TypedKey): Codec => ({
  key,
  encode: (v) => u32Bytes(checkUint(v, 32, key)),
  decode: (b) => (b.length === 4 ? readU32(b, 0) : undefined),
});

const u32Codec = ip4Codec;

const ip4ListCodec = (key: TypedKey): Codec => ({
  key,
  encode(v) {
    if (!Array.isArray(v) || v.length === 0) fail(`${key} needs at least one address`);
    const out = new Uint8Array(v.length * 4);
    v.forEach((a, i) => out.set(u32Bytes(checkUint(a, 32, key)), i * 4));
    return out;
  },
  decode(b) {
    if (b.length === 0 || b.length % 4 !== 0) return undefined;
    const out: number[] = [];
    for (let i = 0; i < b.length; i += 4) out.push(readU32(b, i));
    return out;
  },
});

const textCodec = (key: TypedKey): Codec => ({
  key,
  encode: (v) => textBytes(v, key),
  decode: (b) => bytesText(b),
});

const CODECS = new Map<number, Codec>([
  [DhcpOption.SUBNET_MASK, ip4Codec("subnetMask")],
  [DhcpOption.ROUTER, ip4ListCodec("routers")],
  [DhcpOption.DNS_SERVER, ip4ListCodec("dnsServers")],
  [DhcpOption.HOST_NAME, textCodec("hostName")],
  [DhcpOption.DOMAIN_NAME, textCodec("domainName")],
  [DhcpOption.REQUESTED_ADDRESS, ip4Codec("requestedAddress")],
  [DhcpOption.LEASE_TIME, u32Codec("leaseTime")],
  [DhcpOption.OVERLOAD, {
    key: "overload",
    encode(v) {
      if (v !== 1 && v !== 2 && v !== 3) fail(`overload must be 1, 2 or 3: ${String(v)}`);
      return new Uint8Array([v]);
    },
    decode: (b) => (b.length === 1 && b[0]! >= 1 && b[0]! <= 3 ? b[0] : undefined),
  }],
  [DhcpOption.MESSAGE_TYPE, {
    key: "messageType",
    encode: (v) => new Uint8Array([checkUint(v, 8, "messageType")]),
    decode: (b) => (b.length === 1 ? b[0] : undefined),
  }],
  [DhcpOption.SERVER_ID, ip4Codec("serverId")],
  [DhcpOption.PARAMETER_REQUEST_LIST, {
    key: "parameterRequestList",
    encode(v) {
      if (!Array.isArray(v) || v.length === 0) fail("parameterRequestList needs at least one code");
      return new Uint8Array(v.map((c) => checkUint(c, 8, "parameterRequestList")));
    },
    decode: (b) => (b.length > 0 ? Array.from(b) : undefined),
  }],
  [DhcpOption.MAX_MESSAGE_SIZE, {
    key: "maxMessageSize",
    encode(v) {
      const n = checkUint(v, 16, "maxMessageSize");
      return new Uint8Array([n >> 8, n & 255]);
    },
    decode: (b) => (b.length === 2 ? (b[0]! << 8) | b[1]! : undefined),
  }],
  [DhcpOption.RENEWAL_TIME, u32Codec("renewalTime")],
  [DhcpOption.REBINDING_TIME, u32Codec("rebindingTime")],
  [DhcpOption.VENDOR_CLASS_ID, textCodec("vendorClassId")],
  [DhcpOption.CLIENT_ID, {
    key: "clientId",
    encode(v) {
      if (!(v instanceof Uint8Array)) fail("clientId is not a Uint8Array");
      return v.slice();
    },
    decode: (b) => b.slice(),
  }],
  [DhcpOption.TFTP_SERVER_NAME, textCodec("tftpServerName")],
  [DhcpOption.BOOTFILE_NAME, textCodec("bootfileName")],
]);

const CODE_OF_KEY = new Map<TypedKey, number>(
  [...CODECS].map(([code, c]) => [c.key, code]),
);

/** The option code of a typed {@link DhcpOptions} field name. */
export function dhcpOptionCode(key: Exclude<keyof DhcpOptions, "raw" | "order">): number {
  return CODE_OF_KEY.get(key)!;
}

/** The code → data pairs an options object puts on the wire, in the order they are written. */
function optionList(o: DhcpOptions): Array<[number, Uint8Array]> {
  const data = new Map<number, Uint8Array>();
  for (const [code, codec] of CODECS) {
    const v = o[codec.key];
    if (v !== undefined) data.set(code, codec.encode(v));
  }
  if (o.raw !== undefined) {
    for (const [code, bytes] of o.raw) {
      checkUint(code, 8, "raw option code");
      if (code === DhcpOption.PAD || code === DhcpOption.END) {
        fail(`raw option code ${code} is pad or end`);
      }
      if (data.has(code)) fail(`option ${code} is given both typed and raw`);
      if (!(bytes instanceof Uint8Array)) fail(`raw option ${code} is not a Uint8Array`);
      data.set(code, bytes);
    }
  }
  const out: Array<[number, Uint8Array]> = [];
  const take = (code: number) => {
    const d = data.get(code);
    if (d !== undefined) {
      out.push([code, d]);
      data.delete(code);
    }
  };
  take(DhcpOption.OVERLOAD);
  for (const code of o.order ?? []) take(code);
  take(DhcpOption.MESSAGE_TYPE);
  for (const code of [...data.keys()].sort((a, b) => a - b)) take(code);
  return out;
}

/** The bytes of one option: consecutive instances of at most 255 data bytes (RFC 3396). */
function optionInstances(code: number, data: Uint8Array): Uint8Array {
  const parts = Math.max(1, Math.ceil(data.length / 255));
  const out = new Uint8Array(data.length + 2 * parts);
  let w = 0;
  for (let i = 0; i < parts; i++) {
    const chunk = data.subarray(i * 255, Math.min(data.length, (i + 1) * 255));
    out[w++] = code;
    out[w++] = chunk.length;
    out.set(chunk, w);
    w += chunk.length;
  }
  return out;
}

function writeText(buf: Uint8Array, at: number, size: number, s: string, what: string) {
  const b = textBytes(s, what);
  if (b.length > size) fail(`${what} is longer than ${size} bytes`);
  buf.set(b, at);
}

/**
 * Encode a message: the fixed header, cookie, options and end option, padded
 * with zeros to {@link BOOTP_MIN_SIZE}. Throws WireError for values that do not
 * fit their fields.
 */
export function encodeDhcp(m: DhcpMessage): Uint8Array {
  const opts = optionList(m.options).map(([code, d]) => optionInstances(code, d));
  const overload = m.options.overload;
  // Areas to fill, in RFC 2131 §4.1 order: main options field, file, sname.
  const areas: Array<{ cap: number; parts: Uint8Array[]; used: number }> = [
    { cap: overload === undefined ? Infinity : DHCP_MIN_OPTIONS_SIZE - 4 - 1, parts: [], used: 0 },
  ];
  if (overload !== undefined && (overload & 1) !== 0) {
    if (m.file !== "") fail("file must be empty when overload carries options in it");
    areas.push({ cap: FILE_SIZE - 1, parts: [], used: 0 });
  }
  if (overload !== undefined && (overload & 2) !== 0) {
    if (m.sname !== "") fail("sname must be empty when overload carries options in it");
    areas.push({ cap: SNAME_SIZE - 1, parts: [], used: 0 });
  }
  let a = 0;
  for (const o of opts) {
    while (areas[a]!.used + o.length > areas[a]!.cap) {
      if (++a >= areas.length) fail("options do not fit the overloaded fields");
    }
    areas[a]!.parts.push(o);
    areas[a]!.used += o.length;
  }
  const main = areas[0]!;
  const size = Math.max(BOOTP_MIN_SIZE, BOOTP_FIXED_SIZE + 4 + main.used + 1);
  const buf = new Uint8Array(size);
  buf[0] = checkUint(m.op, 8, "op");
  buf[1] = checkUint(m.htype, 8, "htype");
  buf[2] = checkUint(m.hlen, 8, "hlen");
  buf[3] = checkUint(m.hops, 8, "hops");
  buf.set(u32Bytes(checkUint(m.xid, 32, "xid")), 4);
  const secs = checkUint(m.secs, 16, "secs");
  buf[8] = secs >> 8;
  buf[9] = secs & 255;
  buf[10] = m.broadcast ? 0x80 : 0;
  buf.set(u32Bytes(checkUint(m.ciaddr, 32, "ciaddr")), 12);
  buf.set(u32Bytes(checkUint(m.yiaddr, 32, "yiaddr")), 16);
  buf.set(u32Bytes(checkUint(m.siaddr, 32, "siaddr")), 20);
  buf.set(u32Bytes(checkUint(m.giaddr, 32, "giaddr")), 24);
  const mac = checkUint(m.chaddr, 48, "chaddr");
  for (let i = 0; i < 6; i++) buf[28 + i] = Math.floor(mac / 2 ** (8 * (5 - i))) % 256;
  writeText(buf, SNAME_OFFSET, SNAME_SIZE, m.sname, "sname");
  writeText(buf, FILE_OFFSET, FILE_SIZE, m.file, "file");
  buf.set(u32Bytes(DHCP_MAGIC_COOKIE), BOOTP_FIXED_SIZE);
  const fill = (area: { parts: Uint8Array[] }, at: number) => {
    for (const p of area.parts) {
      buf.set(p, at);
      at += p.length;
    }
    buf[at] = DhcpOption.END;
  };
  fill(main, BOOTP_FIXED_SIZE + 4);
  let next = 1;
  if (overload !== undefined && (overload & 1) !== 0) fill(areas[next++]!, FILE_OFFSET);
  if (overload !== undefined && (overload & 2) !== 0) fill(areas[next++]!, SNAME_OFFSET);
  return buf;
}

/**
 * Walk one options area, appending each option's data to `found` (instances of
 * one code concatenated, RFC 3396) and first appearances to `order`. Stops at
 * the end option or the end of the area; throws WireError when an option's
 * length runs past the area.
 */
function scanOptions(
  b: Uint8Array,
  start: number,
  end: number,
  where: string,
  found: Map<number, Uint8Array[]>,
  order: number[],
): void {
  let i = start;
  while (i < end) {
    const code = b[i]!;
    if (code === DhcpOption.END) return;
    if (code === DhcpOption.PAD) {
      i++;
      continue;
    }
    if (i + 1 >= end) fail(`option ${code} in ${where} has no length byte`);
    const len = b[i + 1]!;
    if (i + 2 + len > end) {
      fail(`option ${code} in ${where} overruns the field (${len} bytes at offset ${i})`);
    }
    const data = b.subarray(i + 2, i + 2 + len);
    const list = found.get(code);
    if (list === undefined) {
      found.set(code, [data]);
      order.push(code);
    } else list.push(data);
    i += 2 + len;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let w = 0;
  for (const p of parts) {
    out.set(p, w);
    w += p.length;
  }
  return out;
}

function readText(b: Uint8Array, at: number, size: number): string {
  let end = at;
  while (end < at + size && b[end] !== 0) end++;
  return bytesText(b.subarray(at, end));
}

/**
 * Decode a DHCP message. Throws WireError when the bytes are shorter than the
 * fixed header and cookie, the cookie is not 99.130.83.99, or an option's
 * length runs past its field.
 */
export function decodeDhcp(b: Uint8Array): DhcpMessage {
  if (b.length < BOOTP_FIXED_SIZE + 4) {
    fail(`truncated: ${b.length} bytes, the header and cookie need ${BOOTP_FIXED_SIZE + 4}`);
  }
  const cookie = readU32(b, BOOTP_FIXED_SIZE);
  if (cookie !== DHCP_MAGIC_COOKIE) {
    fail(`bad magic cookie 0x${cookie.toString(16).padStart(8, "0")}`);
  }
  const found = new Map<number, Uint8Array[]>();
  const order: number[] = [];
  scanOptions(b, BOOTP_FIXED_SIZE + 4, b.length, "options", found, order);
  const ovParts = found.get(DhcpOption.OVERLOAD);
  const ov = ovParts?.length === 1 && ovParts[0]!.length === 1 ? ovParts[0]![0]! : 0;
  const fileOverloaded = ov === 1 || ov === 3;
  const snameOverloaded = ov === 2 || ov === 3;
  if (fileOverloaded) scanOptions(b, FILE_OFFSET, FILE_OFFSET + FILE_SIZE, "file", found, order);
  if (snameOverloaded) {
    scanOptions(b, SNAME_OFFSET, SNAME_OFFSET + SNAME_SIZE, "sname", found, order);
  }

  const options: DhcpOptions = {};
  const typed = options as Record<string, unknown>;
  const raw = new Map<number, Uint8Array>();
  for (const code of order) {
    const data = concat(found.get(code)!);
    const codec = CODECS.get(code);
    const v = codec?.decode(data);
    if (codec !== undefined && v !== undefined) typed[codec.key] = v;
    else raw.set(code, data);
  }
  if (raw.size > 0) options.raw = raw;
  options.order = order;

  let chaddr = 0;
  for (let i = 0; i < 6; i++) chaddr = chaddr * 256 + b[28 + i]!;
  return {
    op: b[0]!,
    htype: b[1]!,
    hlen: b[2]!,
    hops: b[3]!,
    xid: readU32(b, 4),
    secs: (b[8]! << 8) | b[9]!,
    broadcast: (b[10]! & 0x80) !== 0,
    ciaddr: readU32(b, 12),
    yiaddr: readU32(b, 16),
    siaddr: readU32(b, 20),
    giaddr: readU32(b, 24),
    chaddr,
    sname: snameOverloaded ? "" : readText(b, SNAME_OFFSET, SNAME_SIZE),
    file: fileOverloaded ? "" : readText(b, FILE_OFFSET, FILE_SIZE),
    options,
  };
}

/** The conventional name of a message type ("DHCPOFFER"); "BOOTP" when option 53 is absent. */
export function dhcpMessageTypeName(type: number | undefined): string {
  switch (type) {
    case 1:
      return "DHCPDISCOVER";
    case 2:
      return "DHCPOFFER";
    case 3:
      return "DHCPREQUEST";
    case 4:
      return "DHCPDECLINE";
    case 5:
      return "DHCPACK";
    case 6:
      return "DHCPNAK";
    case 7:
      return "DHCPRELEASE";
    case 8:
      return "DHCPINFORM";
    case undefined:
      return "BOOTP";
    default:
      return `DHCP(${type})`;
  }
}
