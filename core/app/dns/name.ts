/**
 * Domain names between their text form and their labels (RFC 1035 §2.3 and
 * §3.1, RFC 4343 for case), plus IPv6 address text for AAAA records (RFC 4291
 * §2.2, printed as RFC 5952 recommends).
 *
 * Text form is the master-file presentation form that dig prints: labels joined
 * by dots, always with the trailing dot of an absolute name ("www.example.com.",
 * the root is "."). Inside a label `.`, `\`, `"`, `(`, `)`, `;`, `@` and `$` are
 * escaped with a backslash and bytes outside 0x21..0x7e as `\DDD` (three
 * decimal digits), so every label byte string has exactly one canonical text.
 * Case is kept as written; {@link dnsNameEquals} compares ASCII
 * case-insensitively as RFC 4343 requires.
 *
 * What it leaves out: relative names and `@`/`$ORIGIN` expansion (a name without
 * a trailing dot is taken as absolute), internationalised names (labels are
 * bytes; IDNs arrive already in punycode).
 *
 * @module
 */
import { WireError } from "../../wire/errors.ts";

/** The longest label, in bytes (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;
/** The longest name on the wire, length bytes and the root byte included (RFC 1035 §2.3.4). */
export const MAX_NAME_LENGTH = 255;

const LAYER = "dns";

function fail(message: string): never {
  throw new WireError(LAYER, message);
}

/** Bytes that need a backslash in front of them in a label's text. */
const SPECIAL = new Set([0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24]);

/** One label's text, with the escapes described above. */
export function formatLabel(label: Uint8Array): string {
  let s = "";
  for (const c of label) {
    if (c <= 0x20 || c >= 0x7f) s += "\\" + String(c).padStart(3, "0");
    else if (SPECIAL.has(c)) s += "\\" + String.fromCharCode(c);
    else s += String.fromCharCode(c);
  }
  return s;
}

/** The text form of a name given as labels (root first is the last label): "www.example.com.". */
export function formatDnsName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return ".";
  let s = "";
  for (const l of labels) s += formatLabel(l) + ".";
  return s;
}

/** The number of bytes a name takes on the wire without compression. */
export function nameWireLength(labels: readonly Uint8Array[]): number {
  let n = 1;
  for (const l of labels) n += 1 + l.length;
  return n;
}

/**
 * The labels of a name in text form. A trailing dot is optional ("example.com"
 * is the same absolute name). Throws WireError for an empty label, a label
 * longer than 63 bytes, a name longer than 255 bytes on the wire, a bad escape
 * or a character above U+00FF.
 */
export function parseDnsName(text: string): Uint8Array[] {
  if (text === ".") return [];
  if (text === "") fail("empty name");
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let i = 0;
  const endLabel = () => {
    if (cur.length === 0) fail(`empty label in name "${text}"`);
    if (cur.length > MAX_LABEL_LENGTH) fail(`label longer than 63 bytes in name "${text}"`);
    labels.push(new Uint8Array(cur));
    cur = [];
  };
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      endLabel();
      i++;
    } else if (c === 0x5c) {
      const d = text.slice(i + 1, i + 4);
      if (/^[0-9]{3}$/.test(d)) {
        const v = Number(d);
        if (v > 255) fail(`escape \\${d} is above 255 in name "${text}"`);
        cur.push(v);
        i += 4;
      } else {
        if (i + 1 >= text.length) fail(`name "${text}" ends in a lone backslash`);
        const e = text.charCodeAt(i + 1);
        if (e > 255) fail(`character above U+00FF in name "${text}"`);
        cur.push(e);
        i += 2;
      }
    } else {
      if (c > 255) fail(`character above U+00FF in name "${text}"`);
      cur.push(c);
      i++;
    }
  }
  if (cur.length > 0) endLabel();
  if (nameWireLength(labels) > MAX_NAME_LENGTH) fail(`name longer than 255 bytes: "${text}"`);
  return labels;
}

function lowerByte(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/**
 * The canonical spelling of a name: ASCII letters in lower case, canonical
 * escapes, trailing dot. Two names are the same name exactly when their
 * canonical spellings are equal. Throws WireError for names that do not parse.
 */
export function canonicalDnsName(name: string): string {
  return formatDnsName(parseDnsName(name).map((l) => l.map(lowerByte)));
}

/** Whether two names in text form are the same name (ASCII case-insensitive, RFC 4343). */
export function dnsNameEquals(a: string, b: string): boolean {
  return canonicalDnsName(a) === canonicalDnsName(b);
}

/**
 * Format 16 bytes as an IPv6 address the way inet_ntop does (RFC 5952): lower
 * case, no leading zeros, the longest run of two or more zero groups as "::",
 * and the last 32 bits dotted for IPv4-mapped (::ffff:a.b.c.d) and
 * IPv4-compatible (::a.b.c.d) addresses.
 */
export function formatIp6(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError(`an IPv6 address has 16 bytes, not ${b.length}`);
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i]! << 8) | b[i + 1]!);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) (best = i), (bestLen = j - i);
    i = j;
  }
  if (bestLen < 2) best = -1;
  const dotted = best === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff));
  const groups = dotted ? 6 : 8;
  let s = "";
  for (let i = 0; i < groups; i++) {
    if (i === best) {
      s += "::";
      i += bestLen - 1;
      continue;
    }
    if (s !== "" && !s.endsWith(":")) s += ":";
    s += w[i]!.toString(16);
  }
  if (dotted) s += (s.endsWith(":") ? "" : ":") + `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  return s;
}

/** Parse IPv6 address text (RFC 4291 §2.2, with an optional dotted IPv4 tail); undefined if invalid. */
export function parseIp6(text: string): Uint8Array | undefined {
  let head = text;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const parts = text.slice(lastColon + 1).split(".");
    if (parts.length !== 4) return undefined;
    for (const p of parts) {
      if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return undefined;
    }
    const v = parts.map(Number);
    tail.push((v[0]! << 8) | v[1]!, (v[2]! << 8) | v[3]!);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (left === undefined || right === undefined) return undefined;
  const have = left.length + right.length + tail.length;
  let words: number[];
  if (halves.length === 2) {
    if (have > 7) return undefined;
    words = [...left, ...new Array<number>(8 - have).fill(0), ...right, ...tail];
  } else {
    if (have !== 8) return undefined;
    words = [...left, ...tail];
  }
  const out = new Uint8Array(16);
  words.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 255;
  });
  return out;
}
