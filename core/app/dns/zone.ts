/**
 * Zones: the authoritative data of one DNS zone (RFC 1034 §4.2, §4.3.2) and a
 * reader for the master-file text that BIND loads (RFC 1035 §5).
 *
 * A {@link Zone} holds RRsets by owner name under an origin, with one SOA at
 * the apex. {@link Zone.lookup} runs the authoritative part of RFC 1034
 * §4.3.2's algorithm for one name: an answer, a CNAME to follow, a referral
 * at a zone cut (the delegation's NS RRset and the glue the zone holds for
 * it), NXDOMAIN, or NODATA (the name exists, possibly only as an empty
 * non-terminal, RFC 8020, but has no record of the type). Negative answers
 * carry the SOA with the TTL RFC 2308 §3 asks for: the lower of the SOA's own
 * TTL and its MINIMUM field.
 *
 * The master-file reader ({@link parseZone}) takes `$ORIGIN`, `$TTL`, `@`,
 * relative names, a blank owner (the previous one), TTL and class in either
 * order, parentheses spanning lines, `;` comments, quoted strings, and the
 * types A, AAAA, NS, CNAME, SOA, TXT, MX and PTR. TTLs are seconds or BIND's
 * units (`1h30m`, `2d`, `1w`).
 *
 * Left out: wildcards (RFC 4592), DNAME, `$INCLUDE`, `$GENERATE`, zone
 * transfers and DNSSEC. A name that matches no node is NXDOMAIN.
 *
 * @module
 */
import { parseIp4 } from "../../wire/addr.ts";
import {
  DnsClass,
  type DnsRdata,
  type DnsRecord,
  DnsType,
  rdataTypeCode,
  type SoaData,
} from "./message.ts";
import { canonicalDnsName, parseIp6 } from "./name.ts";

/** A problem in zone text or zone data: the message says where. */
export class ZoneError extends Error {
  /** A zone error with its message. */
  constructor(message: string) {
    super(message);
    this.name = "ZoneError";
  }
}

/** What {@link Zone.lookup} finds for one name and type. */
export type ZoneLookup =
  /** Records of the type asked for (all RRsets for ANY), authoritative. */
  | { kind: "answer"; records: DnsRecord[] }
  /** The name is an alias: its CNAME record, to be followed by the caller. */
  | { kind: "cname"; record: DnsRecord }
  /** The name lies at or below a zone cut: the delegation and its glue (not authoritative). */
  | { kind: "referral"; ns: DnsRecord[]; glue: DnsRecord[] }
  /** No such name: the SOA for the authority section, TTL already lowered per RFC 2308. */
  | { kind: "nxdomain"; soa: DnsRecord }
  /** The name exists without records of this type: the SOA as for NXDOMAIN. */
  | { kind: "nodata"; soa: DnsRecord }
  /** The name is not inside this zone. */
  | { kind: "outside" };

/** Whether `name` is `ancestor` or below it; both canonical. */
export function isSubdomain(name: string, ancestor: string): boolean {
  return ancestor === "." || name === ancestor || name.endsWith("." + ancestor);
}

/** The number of labels of a canonical name (the root has none). */
export function labelCount(name: string): number {
  if (name === ".") return 0;
  let n = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "\\") i++;
    else if (name[i] === ".") n++;
  }
  return n;
}

/** The parent of a canonical name ("www.example.com." → "example.com."; the root's is the root). */
export function parentName(name: string): string {
  if (name === ".") return ".";
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "\\") i++;
    else if (name[i] === ".") return i === name.length - 1 ? "." : name.slice(i + 1);
  }
  return ".";
}

/** A deep-enough copy of a record with another TTL. */
export function withTtl(rr: DnsRecord, ttl: number): DnsRecord {
  return { ...rr, ttl };
}

/**
 * One zone's data. Names are stored canonical (lower case, trailing dot);
 * records keep the owner spelling they were given. Lookups cost O(labels)
 * map probes.
 *
 * @example
 * ```ts
 * import { parseZone } from "./zone.ts";
 * const zone = parseZone(`
 * $ORIGIN example.com.
 * $TTL 300
 * @    IN SOA ns1 hostmaster 1 7200 3600 1209600 60
 *      IN NS  ns1
 * ns1  IN A   192.0.2.53
 * www  IN A   192.0.2.10
 * `);
 * console.assert(zone.lookup("www.example.com.", 1).kind === "answer");
 * ```
 */
export class Zone {
  /** The apex, canonical ("example.com."). */
  readonly origin: string;
  /** RRsets: canonical owner → type code → records. */
  readonly #nodes = new Map<string, Map<number, DnsRecord[]>>();
  /** Every name that exists: owners and their ancestors down to the origin (empty non-terminals). */
  readonly #names = new Map<string, number>();

  /** An empty zone for `origin`; add an SOA (and NS) before serving it. */
  constructor(origin: string, records: DnsRecord[] = []) {
    this.origin = canonicalDnsName(origin);
    for (const rr of records) this.add(rr);
  }

  /** The apex SOA record (throws if the zone has none). */
  get soa(): DnsRecord {
    const soa = this.rrset(this.origin, DnsType.SOA)[0];
    if (!soa) throw new ZoneError(`zone ${this.origin} has no SOA record`);
    return soa;
  }

  /** The SOA as the authority of a negative answer: TTL = min(SOA TTL, MINIMUM) (RFC 2308 §3). */
  get negativeSoa(): DnsRecord {
    const soa = this.soa;
    return withTtl(soa, Math.min(soa.ttl, (soa.data as SoaData).minimum));
  }

  /**
   * Add a record. Throws ZoneError for an owner outside the zone, a second SOA,
   * an SOA away from the apex, or a CNAME beside other data (RFC 1034 §3.6.2).
   */
  add(rr: DnsRecord): void {
    const owner = canonicalDnsName(rr.name);
    if (!isSubdomain(owner, this.origin)) {
      throw new ZoneError(`${rr.name} is outside zone ${this.origin}`);
    }
    const type = rdataTypeCode(rr.data);
    if (type === DnsType.SOA && owner !== this.origin) {
      throw new ZoneError(`SOA record ${rr.name} is not at the apex ${this.origin}`);
    }
    let node = this.#nodes.get(owner);
    if (!node) {
      node = new Map();
      this.#nodes.set(owner, node);
      for (let n = owner;; n = parentName(n)) {
        this.#names.set(n, (this.#names.get(n) ?? 0) + 1);
        if (n === this.origin) break;
      }
    }
    if (type === DnsType.SOA && node.has(DnsType.SOA)) {
      throw new ZoneError(`zone ${this.origin} has a second SOA record`);
    }
    const hasCname = node.has(DnsType.CNAME);
    if (
      (type === DnsType.CNAME && node.size > 0 && !hasCname) || (type !== DnsType.CNAME && hasCname)
    ) {
      throw new ZoneError(`${rr.name} has a CNAME and other data`);
    }
    const list = node.get(type) ?? [];
    list.push(rr);
    node.set(type, list);
  }

  /** Remove the RRset of a type at a name (all types when `type` is omitted). */
  remove(name: string, type?: number): void {
    const owner = canonicalDnsName(name);
    const node = this.#nodes.get(owner);
    if (!node) return;
    if (type !== undefined) node.delete(type);
    else node.clear();
    if (node.size > 0) return;
    this.#nodes.delete(owner);
    for (let n = owner;; n = parentName(n)) {
      const c = (this.#names.get(n) ?? 1) - 1;
      if (c === 0) this.#names.delete(n);
      else this.#names.set(n, c);
      if (n === this.origin) break;
    }
  }

  /** The records of one RRset (empty when absent). */
  rrset(name: string, type: number): DnsRecord[] {
    return this.#nodes.get(canonicalDnsName(name))?.get(type) ?? [];
  }

  /** Every record of the zone, apex first, then owners in insertion order. */
  records(): DnsRecord[] {
    const out: DnsRecord[] = [];
    for (const node of this.#nodes.values()) for (const list of node.values()) out.push(...list);
    return out;
  }

  /** Whether the name exists in the zone (has records, or descendants that do). */
  exists(name: string): boolean {
    return this.#names.has(canonicalDnsName(name));
  }

  /**
   * The zone cut at or above `name` and below the apex, if any: the owner of
   * the highest NS RRset between them (RFC 1034 §4.3.2 step 3b).
   */
  cutAbove(name: string): string | undefined {
    const chain: string[] = [];
    for (let n = name; n !== this.origin; n = parentName(n)) {
      chain.push(n);
      if (n === ".") break;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      if (this.#nodes.get(chain[i]!)?.has(DnsType.NS)) return chain[i];
    }
    return undefined;
  }

  /** Address records the zone holds for a name (glue or in-zone addresses). */
  addresses(name: string): DnsRecord[] {
    const node = this.#nodes.get(canonicalDnsName(name));
    if (!node) return [];
    return [...(node.get(DnsType.A) ?? []), ...(node.get(DnsType.AAAA) ?? [])];
  }

  /** RFC 1034 §4.3.2 for this zone's data: what an authoritative server answers for (name, type). */
  lookup(name: string, type: number): ZoneLookup {
    const qname = canonicalDnsName(name);
    if (!isSubdomain(qname, this.origin)) return { kind: "outside" };
    const cut = this.cutAbove(qname);
    if (cut !== undefined && !(cut === qname && type === DnsType.DS)) {
      const ns = this.rrset(cut, DnsType.NS);
      const glue: DnsRecord[] = [];
      for (const rr of ns) {
        const target = canonicalDnsName((rr.data as { target: string }).target);
        if (isSubdomain(target, this.origin)) glue.push(...this.addresses(target));
      }
      return { kind: "referral", ns, glue };
    }
    const node = this.#nodes.get(qname);
    if (!node) {
      return this.#names.has(qname)
        ? { kind: "nodata", soa: this.negativeSoa }
        : { kind: "nxdomain", soa: this.negativeSoa };
    }
    const cname = node.get(DnsType.CNAME);
    if (cname && type !== DnsType.CNAME && type !== DnsType.ANY) {
      return { kind: "cname", record: cname[0]! };
    }
    if (type === DnsType.ANY) {
      const all = [...node.values()].flat();
      return all.length > 0
        ? { kind: "answer", records: all }
        : { kind: "nodata", soa: this.negativeSoa };
    }
    const records = node.get(type);
    return records && records.length > 0
      ? { kind: "answer", records }
      : { kind: "nodata", soa: this.negativeSoa };
  }
}

// ------------------------------------------------------------ master files

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** A TTL in seconds or BIND's unit form ("1h30m"); undefined when not one. */
export function parseTtl(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n <= 0xffffffff ? n : undefined;
  }
  const m = /^(\d+[smhdwSMHDW])+$/.test(text) ? text.match(/\d+[smhdwSMHDW]/g) : null;
  if (!m) return undefined;
  let total = 0;
  for (const part of m) {
    total += Number(part.slice(0, -1)) * UNIT_SECONDS[part.slice(-1).toLowerCase()]!;
  }
  return total <= 0xffffffff ? total : undefined;
}

interface Token {
  text: string;
  quoted: boolean;
}

/** Split one logical line (parentheses already joined) into tokens. */
function tokenize(line: string, where: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === " " || c === "\t" || c === "(" || c === ")") {
      i++;
      continue;
    }
    if (c === ";") break;
    if (c === '"') {
      let s = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length) {
          const d = line.slice(i + 1, i + 4);
          if (/^\d{3}$/.test(d)) {
            s += String.fromCharCode(Number(d));
            i += 4;
            continue;
          }
          s += line[i + 1];
          i += 2;
          continue;
        }
        s += line[i++];
      }
      if (i >= line.length) throw new ZoneError(`${where}: unterminated quoted string`);
      i++;
      out.push({ text: s, quoted: true });
      continue;
    }
    let s = "";
    while (i < line.length && !" \t();".includes(line[i]!)) {
      if (line[i] === "\\" && i + 1 < line.length) {
        s += line[i]! + line[i + 1]!;
        i += 2;
        continue;
      }
      s += line[i++];
    }
    out.push({ text: s, quoted: false });
  }
  return out;
}

/** Join lines continued by parentheses; keeps each logical line's first line number and indentation. */
function logicalLines(text: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let depth = 0;
  let cur = "";
  let start = 0;
  text.split("\n").forEach((raw, idx) => {
    let inQuote = false;
    let body = "";
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === "\\" && i + 1 < raw.length) {
        body += c + raw[i + 1];
        i++;
        continue;
      }
      if (c === '"') inQuote = !inQuote;
      if (!inQuote && c === ";") break;
      if (!inQuote && c === "(") depth++;
      if (!inQuote && c === ")") depth--;
      body += c;
    }
    if (cur === "") start = idx + 1;
    cur += (cur === "" ? "" : " ") + body.replace(/\r$/, "");
    if (depth <= 0) {
      depth = 0;
      out.push({ line: start, text: cur });
      cur = "";
    }
  });
  if (cur !== "") out.push({ line: start, text: cur });
  return out;
}

/** Parse rdata tokens of one type; names relative to `origin`. */
export function parseRdata(type: string, args: Token[] | string[], origin: string): DnsRdata {
  const toks: Token[] = args.map((a) => typeof a === "string" ? { text: a, quoted: false } : a);
  const name = (i: number): string => {
    const t = toks[i];
    if (t === undefined) throw new ZoneError(`${type}: missing name`);
    return absoluteName(t.text, origin);
  };
  const want = (n: number) => {
    if (toks.length !== n) {
      throw new ZoneError(`${type}: expected ${n} field${n === 1 ? "" : "s"}, got ${toks.length}`);
    }
  };
  switch (type) {
    case "A": {
      want(1);
      const a = parseIp4(toks[0]!.text);
      if (a === undefined || !/^\d+\.\d+\.\d+\.\d+$/.test(toks[0]!.text)) {
        throw new ZoneError(`A: bad IPv4 address ${toks[0]!.text}`);
      }
      return { type: "A", address: a };
    }
    case "AAAA": {
      want(1);
      const a = parseIp6(toks[0]!.text);
      if (a === undefined) throw new ZoneError(`AAAA: bad IPv6 address ${toks[0]!.text}`);
      return { type: "AAAA", address: a };
    }
    case "NS":
    case "CNAME":
    case "PTR":
      want(1);
      return { type, target: name(0) };
    case "MX": {
      want(2);
      const pref = Number(toks[0]!.text);
      if (!/^\d+$/.test(toks[0]!.text) || pref > 65535) {
        throw new ZoneError(`MX: bad preference ${toks[0]!.text}`);
      }
      return { type: "MX", preference: pref, exchange: name(1) };
    }
    case "SOA": {
      want(7);
      const nums = toks.slice(2).map((t) => parseTtl(t.text));
      if (nums.some((n) => n === undefined)) {
        throw new ZoneError(`SOA: bad number in ${toks.slice(2).map((t) => t.text).join(" ")}`);
      }
      const [serial, refresh, retry, expire, minimum] = nums as number[];
      return {
        type: "SOA",
        mname: name(0),
        rname: name(1),
        serial: serial!,
        refresh: refresh!,
        retry: retry!,
        expire: expire!,
        minimum: minimum!,
      };
    }
    case "TXT": {
      if (toks.length === 0) throw new ZoneError("TXT: no string");
      const strings = toks.map((t) => t.text);
      for (const s of strings) {
        if (s.length > 255) throw new ZoneError("TXT: string longer than 255 bytes");
      }
      return { type: "TXT", strings };
    }
    default:
      throw new ZoneError(`unknown RR type ${type}`);
  }
}

/** A name from zone text made absolute: `@` is the origin, names without a final dot get it appended. */
export function absoluteName(text: string, origin: string): string {
  if (text === "@") return origin;
  if (text.endsWith(".") && !text.endsWith("\\.")) return canonicalDnsName(text);
  return canonicalDnsName(origin === "." ? `${text}.` : `${text}.${origin}`);
}

const TYPES = new Set(["A", "AAAA", "NS", "CNAME", "PTR", "MX", "SOA", "TXT"]);
const CLASSES = new Set(["IN", "CH", "HS"]);

/** Options for {@link parseZone} and {@link parseRecords}. */
export interface ZoneTextOptions {
  /** The origin before any `$ORIGIN` line (default: the owner of the SOA must be absolute). */
  origin?: string;
  /** The TTL before any `$TTL` line. */
  ttl?: number;
}

/**
 * Read master-file text into records (RFC 1035 §5.1). Throws ZoneError with
 * the line number for anything it cannot read.
 */
export function parseRecords(text: string, options: ZoneTextOptions = {}): DnsRecord[] {
  let origin = options.origin === undefined ? undefined : canonicalDnsName(options.origin);
  let defaultTtl = options.ttl;
  let lastTtl: number | undefined;
  let lastOwner: string | undefined;
  const out: DnsRecord[] = [];
  for (const { line, text: body } of logicalLines(text)) {
    const where = `line ${line}`;
    const blankOwner = /^[ \t]/.test(body);
    let toks: Token[];
    try {
      toks = tokenize(body, where);
    } catch (e) {
      throw e instanceof ZoneError ? e : new ZoneError(`${where}: ${(e as Error).message}`);
    }
    if (toks.length === 0) continue;
    const first = toks[0]!;
    if (!first.quoted && first.text.startsWith("$")) {
      const kw = first.text.toUpperCase();
      if (kw === "$ORIGIN") {
        if (toks.length !== 2) throw new ZoneError(`${where}: $ORIGIN takes one name`);
        origin = absoluteName(toks[1]!.text, origin ?? ".");
      } else if (kw === "$TTL") {
        const t = toks[1] === undefined ? undefined : parseTtl(toks[1].text);
        if (t === undefined) {
          throw new ZoneError(`${where}: bad $TTL ${toks[1]?.text ?? ""}`.trimEnd());
        }
        defaultTtl = t;
      } else {
        throw new ZoneError(`${where}: unknown directive ${first.text}`);
      }
      continue;
    }
    let i = 0;
    let owner: string;
    try {
      if (blankOwner) {
        if (lastOwner === undefined) throw new ZoneError("no previous owner name");
        owner = lastOwner;
      } else {
        if (origin === undefined && !first.text.endsWith(".")) {
          throw new ZoneError(`relative name ${first.text} without $ORIGIN`);
        }
        owner = absoluteName(first.text, origin ?? ".");
        i = 1;
      }
      let ttl: number | undefined;
      let cls = "IN";
      for (let k = 0; k < 2 && i < toks.length; k++) {
        const t = toks[i]!.text;
        const asTtl = /^\d/.test(t) ? parseTtl(t) : undefined;
        if (ttl === undefined && asTtl !== undefined) {
          ttl = asTtl;
          i++;
        } else if (CLASSES.has(t.toUpperCase())) {
          cls = t.toUpperCase();
          i++;
        }
      }
      const typeTok = toks[i];
      if (typeTok === undefined) throw new ZoneError("missing type");
      const type = typeTok.text.toUpperCase();
      if (!TYPES.has(type)) throw new ZoneError(`unknown RR type ${typeTok.text}`);
      if (cls !== "IN") throw new ZoneError(`class ${cls} is not supported`);
      const data = parseRdata(type, toks.slice(i + 1), origin ?? ".");
      if (ttl === undefined) {
        ttl = defaultTtl ?? lastTtl;
        // BIND without $TTL: the SOA's MINIMUM becomes the default TTL.
        if (ttl === undefined && type === "SOA") ttl = defaultTtl = (data as SoaData).minimum;
        if (ttl === undefined) throw new ZoneError("no TTL specified and no $TTL");
      } else {
        lastTtl = ttl;
      }
      lastOwner = owner;
      out.push({ name: owner, class: DnsClass.IN, ttl, data });
    } catch (e) {
      if (e instanceof ZoneError && !e.message.startsWith("line ")) {
        throw new ZoneError(`${where}: ${e.message}`);
      }
      throw e;
    }
  }
  return out;
}

/**
 * Read a zone from master-file text. The origin is the `origin` option, or
 * the owner of the SOA record, which must be the first record. Throws
 * ZoneError for unreadable text, a zone without an SOA, or records outside it.
 */
export function parseZone(text: string, options: ZoneTextOptions = {}): Zone {
  const records = parseRecords(text, options);
  const soa = records.find((r) => r.data.type === "SOA");
  if (!soa) throw new ZoneError("zone has no SOA record");
  const origin = options.origin ?? soa.name;
  const zone = new Zone(origin);
  for (const rr of records) zone.add(rr);
  if (canonicalDnsName(soa.name) !== zone.origin) {
    throw new ZoneError(`SOA record ${soa.name} is not at the apex ${zone.origin}`);
  }
  if (zone.rrset(zone.origin, DnsType.NS).length === 0) {
    throw new ZoneError(`zone ${zone.origin} has no NS records`);
  }
  return zone;
}
