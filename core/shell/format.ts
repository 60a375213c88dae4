/**
 * Small helpers shared by the shell's commands: number formats, C's
 * `inet_aton()` (which ping, traceroute and tracepath accept addresses with),
 * and the name lookups packetlab can answer without a resolver.
 *
 * @module
 */
import type { Ip4 } from "../wire/packet.ts";
import { formatIp4 } from "../wire/addr.ts";

/** traceroute's RTT: milliseconds with three decimals. */
export function formatRttTraceroute(ns: number): string {
  return (Math.floor(ns / 1000) / 1000).toFixed(3);
}

/**
 * C's `inet_aton()`: one to four parts separated by dots, each decimal, octal
 * (leading 0) or hex (0x); the last part fills the remaining bytes ("10.1" is
 * 10.0.0.1, "0x0a000002" is 10.0.0.2). Undefined when invalid.
 */
export function inetAton(text: string): Ip4 | undefined {
  const parts = text.split(".");
  if (parts.length > 4 || parts.some((p) => p === "")) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
    else if (/^[1-9]\d*$/.test(p)) n = Number(p);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return undefined;
  const lastMax = 2 ** (8 * (4 - nums.length)) - 1;
  if (last > lastMax) return undefined;
  let v = 0;
  for (const n of nums) v = v * 256 + n;
  return (v * (lastMax + 1) + last) >>> 0;
}

/** Names packetlab resolves, as /etc/hosts on a fresh Debian does (no DNS). */
const HOSTS: Record<string, Ip4> = { localhost: 0x7f000001 };

/** A host argument resolved: its address and whether it was given as a name. */
export interface Resolved {
  addr: Ip4;
  /** The name it was looked up by, if it was not an address. */
  name: string | undefined;
}

/**
 * Resolve a host argument as getaddrinfo() with `hosts: files` does: an
 * address in inet_aton form, or a name from the hosts table. Anything else
 * fails with "Name or service not known" (there is no DNS).
 */
export function resolveHost(text: string): Resolved | undefined {
  const a = inetAton(text);
  if (a !== undefined) return { addr: a, name: undefined };
  const h = HOSTS[text.toLowerCase()];
  return h === undefined ? undefined : { addr: h, name: text };
}

/** Reverse lookup as getnameinfo() with `hosts: files`: a name, or undefined. */
export function reverseName(addr: Ip4): string | undefined {
  for (const [name, a] of Object.entries(HOSTS)) if (a === addr) return name;
  return undefined;
}

/** `name (addr)` when the address has a name, else `addr (addr)` (traceroute's form). */
export function nameAndAddr(addr: Ip4): string {
  const a = formatIp4(addr);
  return `${reverseName(addr) ?? a} (${a})`;
}

/** C's `printf("%g")` for a non-negative number: six significant digits, no trailing zeros. */
export function formatG(x: number): string {
  if (x === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 6) {
    const m = (x / 10 ** exp).toFixed(5).replace(/\.?0+$/, "");
    return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return x.toFixed(Math.max(0, 5 - exp)).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}
