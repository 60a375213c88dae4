/**
 * Address text forms: IPv4 dotted quads, CIDR prefixes and MAC addresses, to and
 * from the numbers the stack uses. Parsers return `undefined` on bad text so
 * callers (the shell) can print their own message.
 *
 * @module
 */
import type { Ip4, Mac } from "./packet.ts";

/** Parse "a.b.c.d" strictly (four decimal octets, no leading junk); undefined if invalid. */
export function parseIp4(text: string): Ip4 | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = v * 256 + n;
  }
  return v >>> 0;
}

/** Parse "a.b.c.d" or throw; for addresses written in code and tests. */
export function ip(text: string): Ip4 {
  const v = parseIp4(text);
  if (v === undefined) throw new RangeError(`not an IPv4 address: ${text}`);
  return v;
}

/** Format an address as a dotted quad. */
export function formatIp4(a: Ip4): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The netmask of a prefix length (24 → 0xffffff00). */
export function prefixMask(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

/** The prefix length of a contiguous netmask, or undefined when the mask has holes. */
export function maskLength(mask: number): number | undefined {
  const inv = ~mask >>> 0;
  if ((inv & (inv + 1)) !== 0) return undefined;
  return 32 - Math.log2(inv + 1);
}

/** An IPv4 prefix: network address (host bits may be set as written) and length. */
export interface Cidr {
  /** The address as written (host bits may be set). */
  addr: Ip4;
  /** The prefix length, 0..32. */
  len: number;
}

/** Parse "a.b.c.d/len" (or a bare address as /32); undefined if invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) {
    const a = parseIp4(text);
    return a === undefined ? undefined : { addr: a, len: 32 };
  }
  const a = parseIp4(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (a === undefined) return undefined;
  if (/^\d{1,2}$/.test(lenText)) {
    const len = Number(lenText);
    return len > 32 ? undefined : { addr: a, len };
  }
  const mask = parseIp4(lenText);
  if (mask === undefined) return undefined;
  const len = maskLength(mask);
  return len === undefined ? undefined : { addr: a, len };
}

/** The network address of `a` under a prefix length. */
export function networkOf(a: Ip4, len: number): Ip4 {
  return (a & prefixMask(len)) >>> 0;
}

/** The broadcast address of `a` under a prefix length. */
export function broadcastOf(a: Ip4, len: number): Ip4 {
  return (a | ~prefixMask(len)) >>> 0;
}

/** Whether `a` lies inside `net/len`. */
export function inPrefix(a: Ip4, net: Ip4, len: number): boolean {
  const m = prefixMask(len);
  return ((a & m) >>> 0) === ((net & m) >>> 0);
}

/** Format a prefix as "a.b.c.d/len". */
export function formatCidr(c: Cidr): string {
  return `${formatIp4(c.addr)}/${c.len}`;
}

/** Parse "aa:bb:cc:dd:ee:ff"; undefined if invalid. */
export function parseMac(text: string): Mac | undefined {
  const parts = text.split(":");
  if (parts.length !== 6) return undefined;
  let v = 0;
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    v = v * 256 + parseInt(p, 16);
  }
  return v;
}

/** Format a MAC as lower-case "aa:bb:cc:dd:ee:ff". */
export function formatMac(m: Mac): string {
  let s = "";
  for (let i = 5; i >= 0; i--) {
    const b = Math.floor(m / 2 ** (8 * i)) % 256;
    s += (b < 16 ? "0" : "") + b.toString(16) + (i > 0 ? ":" : "");
  }
  return s;
}

/** Whether a MAC is a group (multicast or broadcast) address: the I/G bit of the first octet. */
export function isGroupMac(m: Mac): boolean {
  return Math.floor(m / 2 ** 40) % 2 === 1;
}
