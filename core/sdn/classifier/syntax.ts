/**
 * The `ovs-ofctl` flow match syntax: parse text such as
 * `priority=100,tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80,reg0=0x5/0xff` into a
 * priority and a {@link Match}, and format matches back the way `ovs-ofctl
 * dump-flows` prints them (shorthands such as `tcp`, prefixes as `/len`, masked
 * integers in hex, priority omitted when it is the default 32768).
 *
 * Errors are {@link FlowParseError}s whose messages read like `ovs-ofctl`'s
 * (`nw_src=10.0.0.300: invalid IP address`, `unknown keyword foo`); a shell prints
 * them after `ovs-ofctl: `. As in Open vSwitch, fields may come in any order, a
 * later setting of the same field wins, and prerequisites (tp_dst needs an L4
 * nw_proto, nw_src needs ip or arp, ...) are checked on the finished match.
 *
 * Left out: actions (the caller splits off `actions=` before parsing; other
 * flow-mod keywords such as `table` or `cookie` can be let through with
 * {@link ParseOptions.accept}), subfield syntax (`reg0[0..7]=5`), named ports
 * other than the OpenFlow reserved ones, and octal numbers.
 *
 * @module
 */
import { EtherType, IpProto } from "../../wire/packet.ts";
import { formatIp4, formatMac, maskLength, parseIp4, parseMac } from "../../wire/addr.ts";
import {
  type FieldDef,
  FIELDS,
  IP_FRAG_MODES,
  type Match,
  newMatch,
  type Prereq,
  prereqMet,
  prereqText,
  setDlVlan,
  setDlVlanPcp,
  setField,
  setMaskedWord,
  VLAN_NONE,
} from "./match.ts";
import { type FlowKey, getKey64, getKeyMac, VLAN_CFI, W } from "./flow_key.ts";

/** What went wrong, for callers that react to more than the message. */
export type FlowParseErrorKind =
  | "unknown-keyword"
  | "missing-value"
  | "bad-value"
  | "prerequisites"
  | "conflict";

/** A flow text that `ovs-ofctl` would reject; `message` is printable as is. */
export class FlowParseError extends Error {
  /** The class of error. */
  readonly kind: FlowParseErrorKind;
  /** The keyword concerned, when there is one. */
  readonly field: string | undefined;
  /** Build an error; `message` is the `ovs-ofctl`-style text. */
  constructor(kind: FlowParseErrorKind, message: string, field?: string) {
    super(message);
    this.name = "FlowParseError";
    this.kind = kind;
    this.field = field;
  }
}

/** The priority a flow gets when its text does not say (OpenFlow's default). */
export const DEFAULT_PRIORITY = 0x8000;

/** Options for {@link parseFlow}. */
export interface ParseOptions {
  /**
   * Keywords besides match fields and `priority` to let through (e.g. `table`,
   * `cookie`, `idle_timeout`); they are returned in {@link ParsedFlow.other}.
   * Anything else unknown is an error.
   */
  accept?: readonly string[] | ((name: string) => boolean);
  /** Whether `priority=` is allowed (default true; a bare match for `dump-flows` may refuse it). */
  allowPriority?: boolean;
}

/** A parsed flow: priority, match and the let-through keywords in order. */
export interface ParsedFlow {
  /** `priority=`, or {@link DEFAULT_PRIORITY}. */
  priority: number;
  /** The match fields. */
  match: Match;
  /** Keywords let through by {@link ParseOptions.accept}, in order. */
  other: Array<{ name: string; value: string }>;
}

/** Protocol shorthands: name → [dl_type, nw_proto or undefined]. */
const SHORTHANDS: ReadonlyMap<string, [number, number | undefined]> = new Map([
  ["ip", [EtherType.IPv4, undefined]],
  ["ipv4", [EtherType.IPv4, undefined]],
  ["arp", [EtherType.ARP, undefined]],
  ["tcp", [EtherType.IPv4, IpProto.TCP]],
  ["udp", [EtherType.IPv4, IpProto.UDP]],
  ["icmp", [EtherType.IPv4, IpProto.ICMP]],
  ["sctp", [EtherType.IPv4, 132]],
]);

/** OpenFlow 1.0 reserved port names accepted for in_port. */
const PORT_NAMES: ReadonlyMap<string, number> = new Map([
  ["IN_PORT", 0xfff8],
  ["TABLE", 0xfff9],
  ["NORMAL", 0xfffa],
  ["FLOOD", 0xfffb],
  ["ALL", 0xfffc],
  ["CONTROLLER", 0xfffd],
  ["LOCAL", 0xfffe],
  ["NONE", 0xffff],
]);

/** Virtual fields (carried in parts of a key word) and their prerequisites. */
const VIRTUAL: ReadonlyMap<string, Prereq> = new Map([
  ["dl_vlan", "none"],
  ["dl_vlan_pcp", "none"],
  ["nw_tos", "ip"],
  ["ip_dscp", "ip"],
  ["nw_ecn", "ip"],
  ["ip_ecn", "ip"],
  ["ip_frag", "ip"],
  ["nw_frag", "ip"],
]);

function bad(tok: string, what: string, field: string): FlowParseError {
  return new FlowParseError("bad-value", `${tok}: ${what}`, field);
}

function parseUint(text: string): bigint | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(text) || /^[0-9]+$/.test(text)) return BigInt(text);
  return undefined;
}

/** Parse an integer that must fit `bits`; `tok` and `name` are for the message. */
function intValue(text: string, bits: number, tok: string, name: string): bigint {
  const v = parseUint(text);
  if (v === undefined) throw bad(tok, `bad syntax for ${name}`, name);
  if (v >> BigInt(bits) !== 0n) {
    throw bad(tok, `value too large for ${Math.ceil(bits / 8)}-byte field ${name}`, name);
  }
  return v;
}

function splitMask(text: string): [string, string | undefined] {
  const slash = text.indexOf("/");
  return slash < 0 ? [text, undefined] : [text.slice(0, slash), text.slice(slash + 1)];
}

function parseIpMasked(text: string, tok: string, name: string): [number, number] {
  const [a, m] = splitMask(text);
  const addr = parseIp4(a);
  if (addr === undefined) throw bad(tok, "invalid IP address", name);
  if (m === undefined) return [addr, 0xffffffff];
  if (/^[0-9]{1,2}$/.test(m)) {
    const len = Number(m);
    if (len > 32) throw bad(tok, "network prefix bits not between 0 and 32", name);
    return [addr, len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0];
  }
  const mask = parseIp4(m);
  if (mask === undefined) throw bad(tok, "invalid IP address", name);
  return [addr, mask];
}

function parseMacMasked(text: string, tok: string, name: string): [number, number] {
  const [a, m] = splitMask(text);
  const mac = parseMac(a);
  const mask = m === undefined ? 0xffffffffffff : parseMac(m);
  if (mac === undefined || mask === undefined) throw bad(tok, "invalid Ethernet address", name);
  return [mac, mask];
}

function setPlain(m: Match, f: FieldDef, text: string, tok: string): void {
  const name = f.name;
  let value: bigint, mask: bigint | undefined;
  if (f.syntax === "ip") {
    const [a, mk] = parseIpMasked(text, tok, name);
    value = BigInt(a);
    mask = BigInt(mk);
  } else if (f.syntax === "mac") {
    const [a, mk] = parseMacMasked(text, tok, name);
    value = BigInt(a);
    mask = BigInt(mk);
  } else if (f.syntax === "port") {
    if (text.includes("/")) throw bad(tok, `${name} does not support masking`, name);
    const named = PORT_NAMES.get(text.toUpperCase());
    const v = named !== undefined ? BigInt(named) : parseUint(text);
    if (v === undefined || v > 0xffffn) {
      throw bad(tok, `invalid or unknown port for ${name}`, name);
    }
    value = v;
  } else {
    const [a, mk] = splitMask(text);
    value = intValue(a, f.bits, tok, name);
    if (mk !== undefined) {
      if (!f.maskable) throw bad(tok, `${name} does not support masking`, name);
      mask = intValue(mk, f.bits, tok, name);
    }
  }
  const full = (1n << BigInt(f.bits)) - 1n;
  if (!f.maskable && mask !== undefined && mask !== full) {
    throw bad(tok, `${name} does not support masking`, name);
  }
  setField(m, name, value, mask);
}

function setVirtual(m: Match, name: string, text: string, tok: string): void {
  switch (name) {
    case "dl_vlan": {
      const v = intValue(text, 16, tok, name);
      if (v > 0xfffn && v !== BigInt(VLAN_NONE)) {
        throw bad(tok, "dl_vlan must be 0..4095, or 0xffff for untagged frames", name);
      }
      setDlVlan(m, Number(v));
      return;
    }
    case "dl_vlan_pcp": {
      const v = intValue(text, 8, tok, name);
      if (v > 7n) throw bad(tok, `value ${v} invalid for field ${name}`, name);
      setDlVlanPcp(m, Number(v));
      return;
    }
    case "nw_tos": {
      const v = intValue(text, 8, tok, name);
      if ((v & 3n) !== 0n) throw bad(tok, `value ${v} invalid for field ${name}`, name);
      setMaskedWord(m, W.NW_TOS, Number(v), 0xfc);
      return;
    }
    case "ip_dscp": {
      const v = intValue(text, 8, tok, name);
      if (v > 63n) throw bad(tok, `value ${v} invalid for field ${name}`, name);
      setMaskedWord(m, W.NW_TOS, Number(v) << 2, 0xfc);
      return;
    }
    case "nw_ecn":
    case "ip_ecn": {
      const v = intValue(text, 8, tok, name);
      if (v > 3n) throw bad(tok, `value ${v} invalid for field ${name}`, name);
      setMaskedWord(m, W.NW_TOS, Number(v), 0x03);
      return;
    }
    case "ip_frag":
    case "nw_frag": {
      const mode = IP_FRAG_MODES.get(text);
      if (mode === undefined) {
        throw bad(tok, `unknown frag mode (use no, yes, first, later or not_later)`, name);
      }
      setMaskedWord(m, W.NW_FRAG, mode.value, 3);
      m.mask[W.NW_FRAG] = mode.mask;
      m.value[W.NW_FRAG] = mode.value & mode.mask;
      return;
    }
  }
}

/** Split flow text into key/value tokens the way `ovs-ofctl` does (commas or white space). */
function tokens(text: string): Array<{ tok: string; name: string; value: string | undefined }> {
  const out: Array<{ tok: string; name: string; value: string | undefined }> = [];
  for (const tok of text.split(/[,\s]+/)) {
    if (tok === "") continue;
    const eq = tok.indexOf("=");
    if (eq < 0) out.push({ tok, name: tok, value: undefined });
    else out.push({ tok, name: tok.slice(0, eq), value: tok.slice(eq + 1) });
  }
  return out;
}

/**
 * Parse `ovs-ofctl` flow text (match fields, shorthands and `priority=`) into a
 * priority ({@link DEFAULT_PRIORITY} when absent) and a match. Throws
 * {@link FlowParseError}.
 */
export function parseFlow(text: string, opts: ParseOptions = {}): ParsedFlow {
  const m = newMatch();
  let priority = DEFAULT_PRIORITY;
  const other: Array<{ name: string; value: string }> = [];
  const setBy: Array<{ tok: string; name: string; prereq: Prereq }> = [];
  const accept = opts.accept;
  const accepts = (name: string): boolean =>
    accept === undefined
      ? false
      : typeof accept === "function"
      ? accept(name)
      : accept.includes(name);
  const vlanNoneTok: string[] = [];

  for (const { tok, name, value } of tokens(text)) {
    const sh = SHORTHANDS.get(name);
    if (sh !== undefined) {
      setMaskedWord(m, W.DL_TYPE, sh[0], 0xffff);
      if (sh[1] !== undefined) setMaskedWord(m, W.NW_PROTO, sh[1], 0xff);
      continue;
    }
    const f = FIELDS.get(name);
    const virt = VIRTUAL.get(name);
    if (f === undefined && virt === undefined && name !== "priority" && !accepts(name)) {
      throw new FlowParseError("unknown-keyword", `unknown keyword ${name}`, name);
    }
    if (value === undefined || value === "") {
      throw new FlowParseError("missing-value", `field ${name} missing value`, name);
    }
    if (f !== undefined) {
      setPlain(m, f, value, tok);
      setBy.push({ tok, name, prereq: f.prereq });
    } else if (virt !== undefined) {
      setVirtual(m, name, value, tok);
      setBy.push({ tok, name, prereq: virt });
      if (name === "dl_vlan") {
        if (m.mask[W.VLAN_TCI] === 0xffff && m.value[W.VLAN_TCI] === 0) vlanNoneTok.push(tok);
        else vlanNoneTok.length = 0;
      }
      if (name === "dl_vlan_pcp" && vlanNoneTok.length > 0) {
        throw new FlowParseError(
          "conflict",
          `${tok}: conflicts with ${vlanNoneTok[0]} (untagged frames have no priority)`,
          name,
        );
      }
    } else if (name === "priority") {
      if (opts.allowPriority === false) {
        throw new FlowParseError("unknown-keyword", `unknown keyword ${name}`, name);
      }
      const v = parseUint(value);
      if (v === undefined || v > 0xffffn) {
        throw new FlowParseError("bad-value", `invalid priority "${value}"`, name);
      }
      priority = Number(v);
    } else {
      other.push({ name, value });
    }
  }
  for (const s of setBy) {
    if (!prereqMet(m, s.prereq)) {
      throw new FlowParseError(
        "prerequisites",
        `${s.tok}: prerequisites not met for setting ${s.name} (needs ${prereqText(s.prereq)})`,
        s.name,
      );
    }
  }
  return { priority, match: m, other };
}

/** Parse a bare match (no `priority=`, no other keywords). Throws {@link FlowParseError}. */
export function parseMatch(text: string): Match {
  return parseFlow(text, { allowPriority: false }).match;
}

// ---------------------------------------------------------------------------
// Formatting

function hex(v: number | bigint): string {
  return "0x" + v.toString(16);
}

function formatIpMasked(v: number, mk: number): string {
  if (mk === 0xffffffff) return formatIp4(v);
  const len = maskLength(mk);
  return len !== undefined ? `${formatIp4(v)}/${len}` : `${formatIp4(v)}/${formatIp4(mk)}`;
}

function formatPort(v: number): string {
  for (const [name, n] of PORT_NAMES) if (n === v && name === "LOCAL") return name;
  return String(v);
}

/** Format `name=value[/mask]` for a plain field, or nothing when it is wildcarded. */
function plain(m: Match, name: string, out: string[]): void {
  const f = FIELDS.get(name);
  if (f === undefined) return;
  let value = 0n, mask = 0n;
  for (const w of f.words) {
    value = (value << 32n) | BigInt(m.value[w] ?? 0);
    mask = (mask << 32n) | BigInt(m.mask[w] ?? 0);
  }
  if (mask === 0n) return;
  const exact = mask === (1n << BigInt(f.maskBits)) - 1n;
  let text: string;
  switch (f.syntax) {
    case "ip":
      text = formatIpMasked(Number(value), Number(mask));
      break;
    case "mac":
      text = formatMac(Number(value)) + (exact ? "" : "/" + formatMac(Number(mask)));
      break;
    case "port":
      text = exact ? formatPort(Number(value)) : `${hex(value)}/${hex(mask)}`;
      break;
    case "hex":
      text = name === "dl_type" && exact
        ? "0x" + value.toString(16).padStart(4, "0")
        : exact
        ? hex(value)
        : `${hex(value)}/${hex(mask)}`;
      break;
    case "dec":
      text = exact ? String(value) : `${hex(value)}/${hex(mask)}`;
      break;
  }
  out.push(`${name}=${text}`);
}

function formatVlan(m: Match, out: string[]): void {
  const mask = m.mask[W.VLAN_TCI] ?? 0;
  if (mask === 0) return;
  const tci = m.value[W.VLAN_TCI] ?? 0;
  const vidMask = mask & 0xfff, pcpMask = mask & 0xe000;
  if (
    (mask & VLAN_CFI) !== 0 && (tci & VLAN_CFI) !== 0 &&
    (vidMask === 0 || vidMask === 0xfff) && (pcpMask === 0 || pcpMask === 0xe000) &&
    (vidMask | pcpMask) !== 0
  ) {
    if (vidMask !== 0) out.push(`dl_vlan=${tci & 0xfff}`);
    if (pcpMask !== 0) out.push(`dl_vlan_pcp=${tci >>> 13}`);
  } else {
    const h = (v: number) => "0x" + v.toString(16).padStart(4, "0");
    out.push(mask === 0xffff ? `vlan_tci=${h(tci)}` : `vlan_tci=${h(tci)}/${h(mask)}`);
  }
}

function formatFrag(m: Match, out: string[]): void {
  const mask = m.mask[W.NW_FRAG] ?? 0;
  if (mask === 0) return;
  const value = m.value[W.NW_FRAG] ?? 0;
  for (const [name, mode] of IP_FRAG_MODES) {
    if (mode.mask === mask && mode.value === value) {
      out.push(`ip_frag=${name}`);
      return;
    }
  }
  // Another value/mask pair: name the mode that selects the same packets. A
  // packet's NW_FRAG is 0 (not a fragment), 1 (first) or 3 (later).
  const hits = [0, 1, 3].filter((s) => (s & mask) === value).join("");
  const mode = ({ "0": "no", "13": "yes", "1": "first", "3": "later", "01": "not_later" } as Record<
    string,
    string
  >)[hits];
  out.push(`ip_frag=${mode ?? "no"}`);
}

/**
 * Format a match as `ovs-ofctl dump-flows` does: protocol shorthand first, then
 * registers, tunnel id, metadata, in_port, VLAN, Ethernet, L3 and L4 fields.
 * The empty string for a match-everything. {@link parseMatch} reads it back.
 */
export function formatMatch(m: Match): string {
  const out: string[] = [];
  const typeExact = m.mask[W.DL_TYPE] === 0xffff;
  const type = m.value[W.DL_TYPE] ?? 0;
  const protoExact = m.mask[W.NW_PROTO] === 0xff;
  const proto = m.value[W.NW_PROTO] ?? 0;
  const isIp = typeExact && type === EtherType.IPv4;
  const isArp = typeExact && type === EtherType.ARP;
  let protoShown = false;
  if (isIp) {
    const sh = protoExact
      ? [...SHORTHANDS].find(([n, [, p]]) => p === proto && n !== "ipv4")?.[0]
      : undefined;
    out.push(sh ?? "ip");
    protoShown = sh !== undefined;
  } else if (isArp) {
    out.push("arp");
  }
  for (let i = 0; i < 8; i++) plain(m, `reg${i}`, out);
  plain(m, "tun_id", out);
  plain(m, "metadata", out);
  plain(m, "in_port", out);
  formatVlan(m, out);
  plain(m, "dl_src", out);
  plain(m, "dl_dst", out);
  if (!isIp && !isArp) plain(m, "dl_type", out);
  plain(m, isArp ? "arp_spa" : "nw_src", out);
  plain(m, isArp ? "arp_tpa" : "nw_dst", out);
  if (!protoShown) plain(m, isArp ? "arp_op" : "nw_proto", out);
  const tosMask = m.mask[W.NW_TOS] ?? 0, tos = m.value[W.NW_TOS] ?? 0;
  if ((tosMask & 0xfc) !== 0) out.push(`nw_tos=${tos & 0xfc}`);
  if ((tosMask & 0x03) !== 0) out.push(`nw_ecn=${tos & 0x03}`);
  formatFrag(m, out);
  const icmp = isIp && protoExact && proto === IpProto.ICMP;
  const icmpExact = (w: number) => m.mask[w] === 0xffff;
  if (icmp && (m.mask[W.TP_SRC] === 0 || icmpExact(W.TP_SRC))) {
    if (m.mask[W.TP_SRC] !== 0) out.push(`icmp_type=${m.value[W.TP_SRC]}`);
  } else plain(m, "tp_src", out);
  if (icmp && (m.mask[W.TP_DST] === 0 || icmpExact(W.TP_DST))) {
    if (m.mask[W.TP_DST] !== 0) out.push(`icmp_code=${m.value[W.TP_DST]}`);
  } else plain(m, "tp_dst", out);
  return out.join(",");
}

/** Format a flow's priority and match (`priority=` left out when it is the default). */
export function formatFlow(m: Match, priority: number): string {
  const match = formatMatch(m);
  if (priority === DEFAULT_PRIORITY) return match;
  return match === "" ? `priority=${priority}` : `priority=${priority},${match}`;
}

/**
 * Format a flow key as an exact flow (the way `ofproto/trace` shows the flow):
 * every field that applies to the packet's protocols, registers and tunnel
 * fields only when non-zero.
 */
export function formatFlowKey(key: FlowKey): string {
  const m = newMatch();
  const exact = (w: number, mask = 0xffffffff) => setMaskedWord(m, w, key[w] ?? 0, mask);
  for (let i = 0; i < 8; i++) if ((key[W.REG0 + i] ?? 0) !== 0) exact(W.REG0 + i);
  if (getKey64(key, W.TUN_ID_HI) !== 0n) [W.TUN_ID_HI, W.TUN_ID_LO].forEach((w) => exact(w));
  if (getKey64(key, W.METADATA_HI) !== 0n) [W.METADATA_HI, W.METADATA_LO].forEach((w) => exact(w));
  exact(W.IN_PORT);
  exact(W.VLAN_TCI, 0xffff);
  setField(m, "dl_src", getKeyMac(key, W.DL_SRC_HI));
  setField(m, "dl_dst", getKeyMac(key, W.DL_DST_HI));
  exact(W.DL_TYPE, 0xffff);
  const type = key[W.DL_TYPE];
  if (type === EtherType.IPv4 || type === EtherType.ARP) {
    exact(W.NW_SRC);
    exact(W.NW_DST);
    exact(W.NW_PROTO, 0xff);
  }
  if (type === EtherType.IPv4) {
    exact(W.NW_TOS, 0xff);
    const frag = key[W.NW_FRAG] ?? 0;
    setMaskedWord(m, W.NW_FRAG, frag, frag === 0 ? 1 : 3);
    const p = key[W.NW_PROTO];
    if (p === IpProto.TCP || p === IpProto.UDP || p === 132) {
      exact(W.TP_SRC, 0xffff);
      exact(W.TP_DST, 0xffff);
    } else if (p === IpProto.ICMP) {
      exact(W.TP_SRC, 0xffff);
      exact(W.TP_DST, 0xffff);
    }
  }
  return formatMatch(m);
}
