/**
 * How iptables 1.8 (nf_tables) prints rules: `iptables -L` rows (with `-n`,
 * `-v`, `-x`, `--line-numbers`) and `iptables -S` / `iptables-save` rule
 * specifications. Layouts were taken from the real tool; names for ports and
 * ICMP types come from small built-in copies of /etc/services and iptables'
 * ICMP table, and addresses are never resolved to host names.
 *
 * @module
 */
import { formatIp4, maskLength } from "../wire/addr.ts";
import type { Chain } from "./netfilter.ts";
import { CtState } from "./conntrack.ts";
import {
  ADDR_TYPES,
  type AddrSel,
  LOG_FLAGS,
  type Match,
  type NatRange,
  type PortRange,
  type Rule,
  type Target,
} from "./rule.ts";

/** "LOCAL,BROADCAST" for a set of ADDR_TYPES bits. */
export function addrTypeNames(bits: number): string {
  return ADDR_TYPES.filter((_, i) => bits & (1 << i)).join(",");
}

/** Options of `iptables -L`. */
export interface ListFormat {
  numeric: boolean;
  verbose: boolean;
  exact: boolean;
  lineNumbers: boolean;
}

/** Service names for the ports /etc/services names (the ones rules commonly use). */
export const SERVICES: Readonly<Record<string, number>> = {
  tcpmux: 1,
  ftp: 21,
  ssh: 22,
  telnet: 23,
  smtp: 25,
  domain: 53,
  bootps: 67,
  bootpc: 68,
  tftp: 69,
  http: 80,
  pop3: 110,
  ntp: 123,
  imap2: 143,
  snmp: 161,
  ldap: 389,
  https: 443,
  submission: 587,
  imaps: 993,
  pop3s: 995,
  "cisco-sccp": 2000,
  mysql: 3306,
  postgresql: 5432,
  "http-alt": 8080,
  amanda: 10080,
};
const SERVICE_BY_PORT = new Map<number, string>(
  Object.entries(SERVICES).map(([n, p]) => [p, n]),
);

/** ICMP type names as iptables knows them: name → [type, code] (code -1 = any). */
export const ICMP_NAMES: ReadonlyArray<[string, number, number]> = [
  ["any", 255, -1],
  ["echo-reply", 0, -1],
  ["destination-unreachable", 3, -1],
  ["network-unreachable", 3, 0],
  ["host-unreachable", 3, 1],
  ["protocol-unreachable", 3, 2],
  ["port-unreachable", 3, 3],
  ["fragmentation-needed", 3, 4],
  ["source-route-failed", 3, 5],
  ["network-unknown", 3, 6],
  ["host-unknown", 3, 7],
  ["network-prohibited", 3, 9],
  ["host-prohibited", 3, 10],
  ["TOS-network-unreachable", 3, 11],
  ["TOS-host-unreachable", 3, 12],
  ["communication-prohibited", 3, 13],
  ["host-precedence-violation", 3, 14],
  ["precedence-cutoff", 3, 15],
  ["source-quench", 4, -1],
  ["redirect", 5, -1],
  ["network-redirect", 5, 0],
  ["host-redirect", 5, 1],
  ["TOS-network-redirect", 5, 2],
  ["TOS-host-redirect", 5, 3],
  ["echo-request", 8, -1],
  ["router-advertisement", 9, -1],
  ["router-solicitation", 10, -1],
  ["time-exceeded", 11, -1],
  ["ttl-zero-during-transit", 11, 0],
  ["ttl-zero-during-reassembly", 11, 1],
  ["parameter-problem", 12, -1],
  ["ip-header-bad", 12, 0],
  ["required-option-missing", 12, 1],
  ["timestamp-request", 13, -1],
  ["timestamp-reply", 14, -1],
  ["address-mask-request", 17, -1],
  ["address-mask-reply", 18, -1],
];

const PROTO_NAMES: Record<number, string> = {
  0: "all",
  1: "icmp",
  6: "tcp",
  17: "udp",
  47: "gre",
  50: "esp",
  51: "ah",
  132: "sctp",
  2: "igmp",
};

/** Names of the conntrack states in the order iptables prints them. */
const STATE_ORDER: Array<[number, string]> = [
  [CtState.INVALID, "INVALID"],
  [CtState.NEW, "NEW"],
  [CtState.RELATED, "RELATED"],
  [CtState.ESTABLISHED, "ESTABLISHED"],
  [CtState.UNTRACKED, "UNTRACKED"],
];

/** "RELATED,ESTABLISHED". */
export function stateNames(states: number): string {
  return STATE_ORDER.filter(([bit]) => states & bit).map(([, n]) => n).join(",");
}

/** Syslog level names as the LOG target prints them. */
export const LOG_LEVELS = ["emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"];

const TCP_FLAG_NAMES: Array<[number, string]> = [
  [0x01, "FIN"],
  [0x02, "SYN"],
  [0x04, "RST"],
  [0x08, "PSH"],
  [0x10, "ACK"],
  [0x20, "URG"],
];

/** "SYN,ACK" for a flag set, "NONE" for none, "ALL" for all six. */
export function tcpFlagNames(f: number): string {
  if (f === 0) return "NONE";
  if (f === 0x3f) return "ALL";
  return TCP_FLAG_NAMES.filter(([b]) => f & b).map(([, n]) => n).join(",");
}

/** xtables_print_num: counters as iptables -L -v prints them (K, M, G, T above 99999). */
export function formatCount(n: number, exact: boolean): string {
  if (exact) return String(n).padStart(8) + " ";
  if (n <= 99999) return String(n).padStart(5) + " ";
  for (const unit of ["K", "M", "G", "T"]) {
    n = Math.floor((n + 500) / 1000);
    if (n <= 9999 || unit === "T") return String(n).padStart(4) + unit + " ";
  }
  return String(n);
}

/** Counters as the chain header prints them ("123K packets"). */
function headerCount(n: number, exact: boolean): string {
  return formatCount(n, exact).trim();
}

function addrText(a: AddrSel | undefined, numeric: boolean): string {
  if (a === undefined || a.mask === 0) return numeric ? "0.0.0.0/0" : "anywhere";
  const len = maskLength(a.mask);
  const base = formatIp4((a.addr & a.mask) >>> 0);
  if (len === 32) return base;
  return `${base}/${len ?? formatIp4(a.mask)}`;
}

function saveAddr(a: AddrSel): string {
  const len = maskLength(a.mask);
  return `${formatIp4((a.addr & a.mask) >>> 0)}/${len ?? formatIp4(a.mask)}`;
}

function portName(p: number, numeric: boolean): string {
  return numeric ? String(p) : SERVICE_BY_PORT.get(p) ?? String(p);
}

function portsText(r: PortRange, numeric: boolean): string {
  return r.lo === r.hi
    ? portName(r.lo, numeric)
    : `${portName(r.lo, numeric)}:${portName(r.hi, numeric)}`;
}

function rangeSave(r: PortRange): string {
  return r.lo === r.hi ? String(r.lo) : `${r.lo}:${r.hi}`;
}

function icmpName(type: number, code: number): string | undefined {
  for (const [name, t, c] of ICMP_NAMES) {
    if (t === type && c === code) return name;
  }
  return undefined;
}

/** The extra text of one match in `iptables -L`. */
function listMatch(m: Match, numeric: boolean): string {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      let s = ` ${m.kind}`;
      const one = (name: string, r: PortRange | undefined, inv: boolean) => {
        if (r === undefined) return;
        const plural = r.lo !== r.hi ? "s" : "";
        s += ` ${name}${plural}:${inv ? "!" : ""}${portsText(r, numeric)}`;
      };
      one("spt", m.sport, m.sportInvert);
      one("dpt", m.dport, m.dportInvert);
      if (m.kind === "tcp" && m.flags) {
        const f = m.flags;
        s += ` flags:${f.invert ? "!" : ""}` +
          (numeric
            ? `0x${f.mask.toString(16).padStart(2, "0")}/0x${f.comp.toString(16).padStart(2, "0")}`
            : `${tcpFlagNames(f.mask)}/${tcpFlagNames(f.comp)}`);
      }
      return s;
    }
    case "icmp": {
      if (numeric) {
        let s = ` ${m.invert ? "!" : ""}icmptype ${m.type}`;
        if (m.code >= 0) s += ` code ${m.code}`;
        return s;
      }
      const name = icmpName(m.type, m.code);
      if (name) return ` icmp ${m.invert ? "!" : ""}${name}`;
      return ` icmp ${m.invert ? "!" : ""}type ${m.type}${m.code >= 0 ? ` code ${m.code}` : ""}`;
    }
    case "multiport":
      return ` multiport ${m.which} ${m.invert ? " !" : ""}${
        m.ports.map((r) => portsText(r, numeric)).join(",")
      }`;
    case "conntrack":
      return ` ${m.invert ? "! " : ""}ctstate ${stateNames(m.states)}`;
    case "state":
      return ` ${m.invert ? "! " : ""}state ${stateNames(m.states)}`;
    case "mark":
      return ` mark match ${m.invert ? "! " : ""}0x${m.value.toString(16)}${
        m.mask === 0xffffffff ? "" : `/0x${m.mask.toString(16)}`
      }`;
    case "comment":
      return ` /* ${m.text} */`;
    case "addrtype": {
      let s = " ADDRTYPE match";
      if (m.src) s += ` src-type ${m.srcInvert ? "!" : ""}${addrTypeNames(m.src)}`;
      if (m.dst) s += ` dst-type ${m.dstInvert ? "!" : ""}${addrTypeNames(m.dst)}`;
      return s;
    }
  }
}

function natRangeText(r: NatRange): string {
  let s = "";
  if (r.minAddr !== 0) {
    s += formatIp4(r.minAddr);
    if (r.maxAddr !== r.minAddr) s += `-${formatIp4(r.maxAddr)}`;
  }
  if (r.minPort !== 0 || r.maxPort !== 0) {
    s += `:${r.minPort}`;
    if (r.maxPort !== r.minPort) s += `-${r.maxPort}`;
  }
  return s;
}

function portRangeText(r: NatRange): string {
  return r.minPort === r.maxPort ? String(r.minPort) : `${r.minPort}-${r.maxPort}`;
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

/** The extra text of a target in `iptables -L`. */
function listTarget(t: Target, numeric: boolean): string {
  switch (t.kind) {
    case "REJECT":
      return ` reject-with ${t.with}`;
    case "LOG": {
      let s = numeric
        ? ` LOG flags ${t.flags} level ${t.level}`
        : ` LOG level ${LOG_LEVELS[t.level]}`;
      if (!numeric) { for (const [bit, , word] of LOG_FLAGS) if (t.flags & bit) s += ` ${word}`; }
      if (t.prefix !== "") s += ` prefix "${t.prefix}"`;
      return s;
    }
    case "MARK": {
      const { value, mask } = t;
      if (value === 0) return ` MARK and ${hex(~mask >>> 0)}`;
      if (value === mask) return ` MARK or ${hex(value)}`;
      if (mask === 0) return ` MARK xor ${hex(value)}`;
      if (mask === 0xffffffff) return ` MARK set ${hex(value)}`;
      return ` MARK xset ${hex(value)}/${hex(mask)}`;
    }
    case "SNAT":
    case "DNAT":
      return ` to:${natRangeText(t.range)}${t.range.random ? " random" : ""}`;
    case "MASQUERADE": {
      let s = "";
      if (t.range.minPort !== 0) s += ` masq ports: ${portRangeText(t.range)}`;
      if (t.range.random) s += " random";
      return s;
    }
    case "REDIRECT": {
      let s = "";
      if (t.range.minPort !== 0) s += ` redir ports ${portRangeText(t.range)}`;
      if (t.range.random) s += " random";
      return s;
    }
    case "NOTRACK":
      return t.ct ? " CT notrack" : " NOTRACK";
    default:
      return "";
  }
}

/** The name in the target column. */
export function targetName(t: Target): string {
  switch (t.kind) {
    case "jump":
      return t.chain;
    case "none":
      return "";
    case "NOTRACK":
      return "CT";
    default:
      return t.kind;
  }
}

/** The column header line of `iptables -L` for these options. */
export function listHeader(f: ListFormat): string {
  let s = f.lineNumbers ? "num  " : "";
  if (f.verbose) s += f.exact ? "    pkts      bytes " : " pkts bytes ";
  s += "target     prot opt ";
  if (f.verbose) s += "in     out     ";
  return s + "source               destination         ";
}

/** The "Chain X (…)" line. */
export function chainHeader(c: Chain, references: number, f: ListFormat): string {
  if (!c.builtin) return `Chain ${c.name} (${references} references)`;
  if (!f.verbose) return `Chain ${c.name} (policy ${c.policy})`;
  return `Chain ${c.name} (policy ${c.policy} ${headerCount(c.pkts, f.exact)} packets, ${
    headerCount(c.bytes, f.exact)
  } bytes)`;
}

/** One rule as a row of `iptables -L`. */
export function listRule(r: Rule, num: number, f: ListFormat): string {
  let s = f.lineNumbers ? String(num).padEnd(4) + " " : "";
  if (f.verbose) s += formatCount(r.pkts, f.exact) + formatCount(r.bytes, f.exact);
  s += targetName(r.target).padEnd(9) + " ";
  s += r.protoInvert ? "!" : " ";
  const pname = f.numeric ? String(r.proto) : PROTO_NAMES[r.proto] ?? String(r.proto);
  s += pname.padEnd(5);
  s += "-- ";
  if (f.verbose) {
    const iface = (x: { name: string; invert: boolean } | undefined) =>
      x === undefined ? (f.numeric ? "*" : "any") : (x.invert ? "!" : "") + x.name;
    s += " " + iface(r.inIf).padEnd(6) + " ";
    s += iface(r.outIf).padEnd(6) + " ";
  }
  s += (r.src?.invert ? "!" : " ") + addrText(r.src, f.numeric).padEnd(19) + " ";
  s += (r.dst?.invert ? "!" : " ") + addrText(r.dst, f.numeric).padEnd(19) + " ";
  if (r.target.kind === "jump" && r.target.goto) s += "[goto] ";
  for (const m of r.matches) s += listMatch(m, f.numeric);
  return s + listTarget(r.target, f.numeric);
}

function quoteIfNeeded(s: string): string {
  return /["\\' \t\n]/.test(s) || s === "" ? `"${s.replace(/(["\\])/g, "\\$1")}"` : s;
}

/** The matches and target of a rule as `iptables -S` prints them (after `-A CHAIN`). */
export function saveRule(r: Rule, counters: boolean): string {
  let s = "";
  if (r.src) s += `${r.src.invert ? " !" : ""} -s ${saveAddr(r.src)}`;
  if (r.dst) s += `${r.dst.invert ? " !" : ""} -d ${saveAddr(r.dst)}`;
  if (r.inIf) s += `${r.inIf.invert ? " !" : ""} -i ${r.inIf.name}`;
  if (r.outIf) s += `${r.outIf.invert ? " !" : ""} -o ${r.outIf.name}`;
  if (r.proto !== 0) s += `${r.protoInvert ? " !" : ""} -p ${PROTO_NAMES[r.proto] ?? r.proto}`;
  for (const m of r.matches) s += saveMatch(m);
  if (counters) s += ` -c ${r.pkts} ${r.bytes}`;
  s += saveTarget(r.target);
  return s;
}

function saveMatch(m: Match): string {
  switch (m.kind) {
    case "tcp":
    case "udp": {
      let s = "";
      if (m.sport) s += `${m.sportInvert ? " !" : ""} --sport ${rangeSave(m.sport)}`;
      if (m.dport) s += `${m.dportInvert ? " !" : ""} --dport ${rangeSave(m.dport)}`;
      if (m.kind === "tcp" && m.flags) {
        s += `${m.flags.invert ? " !" : ""} --tcp-flags ${tcpFlagNames(m.flags.mask)} ${
          tcpFlagNames(m.flags.comp)
        }`;
      }
      return s === "" && !m.explicit ? "" : ` -m ${m.kind}${s}`;
    }
    case "icmp": {
      const type = m.type === 255 ? "any" : m.code >= 0 ? `${m.type}/${m.code}` : String(m.type);
      return ` -m icmp${m.invert ? " !" : ""} --icmp-type ${type}`;
    }
    case "multiport":
      return ` -m multiport${m.invert ? " !" : ""} --${m.which} ${
        m.ports.map(rangeSave).join(",")
      }`;
    case "conntrack":
      return ` -m conntrack${m.invert ? " !" : ""} --ctstate ${stateNames(m.states)}`;
    case "state":
      return ` -m state${m.invert ? " !" : ""} --state ${stateNames(m.states)}`;
    case "mark":
      return ` -m mark${m.invert ? " !" : ""} --mark ${hex(m.value)}${
        m.mask === 0xffffffff ? "" : `/${hex(m.mask)}`
      }`;
    case "comment":
      return ` -m comment --comment ${quoteIfNeeded(m.text)}`;
    case "addrtype": {
      let s = " -m addrtype";
      if (m.src) s += `${m.srcInvert ? " !" : ""} --src-type ${addrTypeNames(m.src)}`;
      if (m.dst) s += `${m.dstInvert ? " !" : ""} --dst-type ${addrTypeNames(m.dst)}`;
      return s;
    }
  }
}

function saveTarget(t: Target): string {
  switch (t.kind) {
    case "none":
      return "";
    case "jump":
      return t.goto ? ` -g ${t.chain}` : ` -j ${t.chain}`;
    case "REJECT":
      return ` -j REJECT --reject-with ${t.with}`;
    case "LOG": {
      let s = " -j LOG";
      if (t.prefix !== "") s += ` --log-prefix ${quoteIfNeeded(t.prefix)}`;
      if (t.level !== 4) s += ` --log-level ${t.level}`;
      for (const [bit, option] of LOG_FLAGS) if (t.flags & bit) s += ` ${option}`;
      return s;
    }
    case "MARK":
      return ` -j MARK --set-xmark ${hex(t.value)}/${hex(t.mask)}`;
    case "SNAT":
      return ` -j SNAT --to-source ${natRangeText(t.range)}${t.range.random ? " --random" : ""}`;
    case "DNAT":
      return ` -j DNAT --to-destination ${natRangeText(t.range)}${
        t.range.random ? " --random" : ""
      }`;
    case "MASQUERADE":
    case "REDIRECT": {
      let s = ` -j ${t.kind}`;
      if (t.range.minPort !== 0) s += ` --to-ports ${portRangeText(t.range)}`;
      if (t.range.random) s += " --random";
      return s;
    }
    case "NOTRACK":
      return t.ct ? " -j CT --notrack" : " -j NOTRACK";
    default:
      return ` -j ${t.kind}`;
  }
}
