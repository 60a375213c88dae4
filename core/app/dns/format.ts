/**
 * DNS messages and records as dig (BIND 9) prints them: master-file
 * presentation form (RFC 1035 §5.1) laid out in dig's columns.
 *
 * dig indents with tabs to fixed columns: the TTL starts at column 24, the class
 * at 32, the type at 40 and the rdata at 48 (tab stops every 8). When a field
 * already reaches its column, the next one starts one character later instead:
 * the gap is then a single space, or a tab when that character is a tab stop's
 * predecessor (the gap crosses a tab stop). So a short
 * owner gets `www.example.com.\t300\tIN\tA\t93.184.216.34` and a long one
 * `a-rather-long-owner-name.example.com. 300 IN A\t192.0.2.1`. Questions are
 * printed with a leading `;` and no TTL (the `;` is not counted in the columns,
 * as in BIND).
 *
 * Rdata: A dotted, AAAA as inet_ntop prints it, names with their trailing dot,
 * MX `pref exchange`, SOA on one line `mname rname serial refresh retry expire
 * minimum`, TXT as quoted strings (`"` and `\` escaped, other bytes outside
 * 0x20..0x7e as `\DDD`), other types in the RFC 3597 generic form
 * `\# length HEX`.
 *
 * What it leaves out: dig's multi-line and YAML styles, the `;; Query time` and
 * server lines, and the decoded forms of EDNS options other than COOKIE.
 *
 * @module
 */
import { formatIp4 } from "../../wire/addr.ts";
import {
  type DnsMessage,
  type DnsQuestion,
  type DnsRdata,
  type DnsRecord,
  DnsType,
  rdataTypeCode,
} from "./message.ts";
import { formatDnsName, formatIp6, parseDnsName } from "./name.ts";

const TYPE_NAMES = new Map<number, string>(
  Object.entries(DnsType).map(([name, code]) => [code, name]),
);
const CLASS_NAMES = new Map([[1, "IN"], [3, "CH"], [4, "HS"], [254, "NONE"], [255, "ANY"]]);
const RCODE_NAMES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
];
const OPCODE_NAMES = ["QUERY", "IQUERY", "STATUS", "RESERVED3", "NOTIFY", "UPDATE"];

/** The mnemonic of a type code ("A", "AAAA"), or "TYPE<n>" (RFC 3597 §5). */
export function dnsTypeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

/** The mnemonic of a class code ("IN"), or "CLASS<n>" (RFC 3597 §5). */
export function dnsClassName(code: number): string {
  return CLASS_NAMES.get(code) ?? `CLASS${code}`;
}

/** The name of a response code ("NXDOMAIN"); BADVERS for 16, the number otherwise. */
export function dnsRcodeName(rcode: number): string {
  return rcode === 16 ? "BADVERS" : RCODE_NAMES[rcode] ?? String(rcode);
}

/** A name in canonical text form, trailing dot included, whatever form it was given in. */
function name(text: string): string {
  return formatDnsName(parseDnsName(text));
}

function hexUpper(b: Uint8Array): string {
  let s = "";
  for (const c of b) s += c.toString(16).toUpperCase().padStart(2, "0");
  return s;
}

function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) out += "\\" + String(c).padStart(3, "0");
    else if (c === 0x22 || c === 0x5c) out += "\\" + s[i];
    else out += s[i];
  }
  return out + '"';
}

/** The presentation form of record data, as in the last column of dig's output. */
export function formatRdata(d: DnsRdata): string {
  switch (d.type) {
    case "A":
      return formatIp4(d.address);
    case "AAAA":
      return formatIp6(d.address);
    case "NS":
    case "CNAME":
    case "PTR":
      return name(d.target);
    case "MX":
      return `${d.preference} ${name(d.exchange)}`;
    case "SOA":
      return [name(d.mname), name(d.rname), d.serial, d.refresh, d.retry, d.expire, d.minimum]
        .join(" ");
    case "TXT":
      return d.strings.map(quoted).join(" ");
    default:
      return d.data.length === 0 ? "\\# 0" : `\\# ${d.data.length} ${hexUpper(d.data)}`;
  }
}

/** A line being laid out in dig's columns (see the module comment). */
class Line {
  text = "";
  col = 0;
  add(s: string) {
    this.text += s;
    this.col += s.length;
  }
  /** Move to column `to` as BIND's master-file writer does. */
  indent(to: number) {
    let from = this.col;
    if (to < from + 1) to = from + 1;
    const tabs = Math.floor(to / 8) - Math.floor(from / 8);
    if (tabs > 0) {
      this.text += "\t".repeat(tabs);
      from = Math.floor(to / 8) * 8;
    }
    this.text += " ".repeat(to - from);
    this.col = to;
  }
}

/** A record as dig prints it in an answer, authority or additional section. */
export function formatRecord(rr: DnsRecord): string {
  const l = new Line();
  l.add(name(rr.name));
  l.indent(24);
  l.add(String(rr.ttl));
  l.indent(32);
  l.add(dnsClassName(rr.class));
  l.indent(40);
  l.add(dnsTypeName(rdataTypeCode(rr.data)));
  l.indent(48);
  l.add(formatRdata(rr.data));
  return l.text;
}

/** A question as dig prints it: `;www.example.com.\t\tIN\tA`. */
export function formatQuestion(q: DnsQuestion): string {
  const l = new Line();
  l.add(name(q.name));
  l.indent(32);
  l.add(dnsClassName(q.class));
  l.indent(40);
  l.add(dnsTypeName(q.type));
  return ";" + l.text;
}

/** Which parts of a message dig prints (its `+[no]comments`, `+[no]question`, … options). */
export interface DigDisplay {
  /** The header, flags, OPT pseudo-section, section titles and the blank lines between. */
  comments: boolean;
  /** The question section. */
  question: boolean;
  /** The answer section. */
  answer: boolean;
  /** The authority section. */
  authority: boolean;
  /** The additional section. */
  additional: boolean;
}

const SHOW_ALL: DigDisplay = {
  comments: true,
  question: true,
  answer: true,
  authority: true,
  additional: true,
};

/**
 * A whole message in dig's layout, from the `;; ->>HEADER<<-` line to the
 * last section, each line ending in a newline. dig's warning line follows the
 * flags of a response that had RD set and RA clear. `display` leaves parts
 * out as dig's display options do (default: everything).
 */
export function formatDnsMessage(m: DnsMessage, display: DigDisplay = SHOW_ALL): string {
  const flags = (["qr", "aa", "tc", "rd", "ra", "ad", "cd"] as const).filter((f) => m[f]);
  const arcount = m.additionals.length + (m.edns === undefined ? 0 : 1);
  const out: string[] = [];
  if (display.comments) {
    out.push(
      `;; ->>HEADER<<- opcode: ${OPCODE_NAMES[m.opcode] ?? `RESERVED${m.opcode}`}, ` +
        `status: ${dnsRcodeName(m.rcode)}, id: ${m.id}`,
      `;; flags: ${flags.join(" ")}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, ` +
        `AUTHORITY: ${m.authorities.length}, ADDITIONAL: ${arcount}`,
    );
    if (m.qr && m.rd && !m.ra) out.push(";; WARNING: recursion requested but not available");
    out.push("");
    if (m.edns !== undefined) {
      const e = m.edns;
      out.push(";; OPT PSEUDOSECTION:");
      out.push(
        `; EDNS: version: ${e.version}, flags:${e.dnssecOk ? " do" : ""}; udp: ${e.udpSize}`,
      );
      for (const o of e.options) {
        const label = o.code === 10 ? "COOKIE" : `OPT=${o.code}`;
        out.push(`; ${label}: ${hexUpper(o.data).toLowerCase()}`);
      }
    }
  }
  const sections: Array<[string, string[], boolean]> = [
    ["QUESTION", m.questions.map(formatQuestion), display.question],
    ["ANSWER", m.answers.map(formatRecord), display.answer],
    ["AUTHORITY", m.authorities.map(formatRecord), display.authority],
    ["ADDITIONAL", m.additionals.map(formatRecord), display.additional],
  ];
  for (const [title, lines, shown] of sections) {
    if (!shown || lines.length === 0) continue;
    if (display.comments) out.push(`;; ${title} SECTION:`, ...lines, "");
    else out.push(...lines);
  }
  return out.length === 0 ? "" : out.join("\n") + "\n";
}
