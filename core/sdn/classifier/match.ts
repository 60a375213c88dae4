/**
 * Flow matches: a value and a per-bit mask over the flow key words, plus the
 * named OpenFlow match fields (as `ovs-ofctl` spells them) that set those bits,
 * and the OpenFlow prerequisite rules between fields.
 *
 * A key matches when `(key[i] & mask[i]) === value[i]` for every word; `value` is
 * always kept normalised (`value & ~mask === 0`). A zero mask word wildcards the
 * word; a full one matches it exactly.
 *
 * Which fields may be masked follows Open vSwitch: bitwise masks on dl_src,
 * dl_dst, vlan_tci, nw_src, nw_dst (any netmask, prefix or not), tp_src, tp_dst,
 * tun_id, metadata and the registers; exact-or-wildcard on in_port, dl_type,
 * dl_vlan, dl_vlan_pcp, nw_proto, nw_tos, nw_ecn, icmp_type and icmp_code.
 *
 * Left out: fields this key does not carry (IPv6, MPLS, arp_sha/arp_tha, nw_ttl,
 * tcp_flags, conntrack), and `arp_op` is limited to 8 bits (the key keeps the low
 * byte of the opcode, as Open vSwitch does for `nw_proto` on ARP).
 *
 * @module
 */
import { EtherType, IpProto } from "../../wire/packet.ts";
import { type FlowKey, KEY_WORDS, splitU64, VLAN_CFI, W } from "./flow_key.ts";

/** A flow match: `value` and `mask` over the {@link KEY_WORDS} words of a flow key. */
export interface Match {
  /** The bits to compare, already ANDed with `mask`. */
  readonly value: Uint32Array;
  /** 1 bits are compared, 0 bits are wildcarded. */
  readonly mask: Uint32Array;
}

/** A match that matches every packet. */
export function newMatch(): Match {
  return { value: new Uint32Array(KEY_WORDS), mask: new Uint32Array(KEY_WORDS) };
}

/** An independent copy of a match. */
export function copyMatch(m: Match): Match {
  return { value: m.value.slice(), mask: m.mask.slice() };
}

/**
 * The match that matches exactly the bits of `key` selected by `mask` (every bit
 * when `mask` is omitted): what a megaflow or a `learn`ed flow looks like.
 */
export function matchFromKey(key: FlowKey, mask?: Uint32Array): Match {
  const m = newMatch();
  for (let i = 0; i < KEY_WORDS; i++) {
    const mk = mask === undefined ? 0xffffffff : (mask[i] ?? 0);
    m.mask[i] = mk;
    m.value[i] = (key[i] ?? 0) & mk;
  }
  return m;
}

/**
 * Set the `mask` bits of word `word` to compare against `value`; the word's other
 * bits keep their state.
 */
export function setMaskedWord(m: Match, word: number, value: number, mask: number): void {
  const keep = ~mask;
  m.mask[word] = ((m.mask[word] ?? 0) & keep) | mask;
  m.value[word] = ((m.value[word] ?? 0) & keep) | (value & mask);
}

/** Wildcard the `mask` bits of word `word`. */
export function clearMaskedWord(m: Match, word: number, mask: number): void {
  m.mask[word] = (m.mask[word] ?? 0) & ~mask;
  m.value[word] = (m.value[word] ?? 0) & ~mask;
}

/** Whether flow key `key` matches `m`. */
export function matchesKey(m: Match, key: FlowKey): boolean {
  const v = m.value, mk = m.mask;
  for (let i = 0; i < KEY_WORDS; i++) {
    if ((((key[i] ?? 0) & (mk[i] ?? 0)) >>> 0) !== v[i]) return false;
  }
  return true;
}

/** Whether two matches select exactly the same packets (same masks and values). */
export function matchEquals(a: Match, b: Match): boolean {
  for (let i = 0; i < KEY_WORDS; i++) {
    if (a.mask[i] !== b.mask[i] || a.value[i] !== b.value[i]) return false;
  }
  return true;
}

/** Whether some flow key matches both `a` and `b`. */
export function matchesOverlap(a: Match, b: Match): boolean {
  for (let i = 0; i < KEY_WORDS; i++) {
    const common = (a.mask[i] ?? 0) & (b.mask[i] ?? 0);
    if ((((a.value[i] ?? 0) ^ (b.value[i] ?? 0)) & common) !== 0) return false;
  }
  return true;
}

/**
 * Whether `general` covers `specific`: every field bit `general` matches on,
 * `specific` matches on too, with the same value. This is OpenFlow's non-strict
 * selection (`delete-flows` without `--strict` removes every flow the given match
 * covers).
 */
export function matchCovers(general: Match, specific: Match): boolean {
  for (let i = 0; i < KEY_WORDS; i++) {
    const g = general.mask[i] ?? 0;
    if (((specific.mask[i] ?? 0) & g) >>> 0 !== g) return false;
    if ((((specific.value[i] ?? 0) ^ (general.value[i] ?? 0)) & g) !== 0) return false;
  }
  return true;
}

/** Whether the match wildcards everything. */
export function isCatchAll(m: Match): boolean {
  for (let i = 0; i < KEY_WORDS; i++) if (m.mask[i] !== 0) return false;
  return true;
}

// ---------------------------------------------------------------------------
// Named fields

/** Which other fields a field's match needs, as in OpenFlow. */
export type Prereq =
  | "none"
  | "ip"
  | "arp"
  | "ip_or_arp"
  | "l4"
  | "tcp"
  | "udp"
  | "icmp";

/** How a field's value is written in `ovs-ofctl` syntax. */
export type FieldSyntax = "port" | "dec" | "hex" | "mac" | "ip";

/** A plain match field: a run of key bits, a width, a syntax and prerequisites. */
export interface FieldDef {
  /** The name as `ovs-ofctl` writes it. */
  readonly name: string;
  /** Key words, most significant first (two for fields wider than 32 bits). */
  readonly words: readonly number[];
  /** Width in bits (16, 32, 48, 64, 8). */
  readonly bits: number;
  /**
   * Width of the key bits an exact match on the field compares (at least `bits`):
   * in_port compares its whole word and icmp_type/icmp_code their 16-bit port
   * words, so a value out of the field's range never matches by accident.
   */
  readonly maskBits: number;
  /** Whether arbitrary bitwise masks are allowed (otherwise exact or wildcard). */
  readonly maskable: boolean;
  /** How the value is written. */
  readonly syntax: FieldSyntax;
  /** What the match must also say for this field to be allowed. */
  readonly prereq: Prereq;
}

function def(
  name: string,
  words: number[],
  bits: number,
  maskable: boolean,
  syntax: FieldSyntax,
  prereq: Prereq,
  maskBits = bits,
): FieldDef {
  return { name, words, bits, maskBits, maskable, syntax, prereq };
}

/** The plain match fields by name (including aliases such as `tcp_dst` and `arp_spa`). */
export const FIELDS: ReadonlyMap<string, FieldDef> = new Map(
  [
    def("in_port", [W.IN_PORT], 16, false, "port", "none", 32),
    def("tun_id", [W.TUN_ID_HI, W.TUN_ID_LO], 64, true, "hex", "none"),
    def("tunnel_id", [W.TUN_ID_HI, W.TUN_ID_LO], 64, true, "hex", "none"),
    def("metadata", [W.METADATA_HI, W.METADATA_LO], 64, true, "hex", "none"),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => def(`reg${i}`, [W.REG0 + i], 32, true, "hex", "none")),
    def("dl_src", [W.DL_SRC_HI, W.DL_SRC_LO], 48, true, "mac", "none"),
    def("dl_dst", [W.DL_DST_HI, W.DL_DST_LO], 48, true, "mac", "none"),
    def("eth_src", [W.DL_SRC_HI, W.DL_SRC_LO], 48, true, "mac", "none"),
    def("eth_dst", [W.DL_DST_HI, W.DL_DST_LO], 48, true, "mac", "none"),
    def("dl_type", [W.DL_TYPE], 16, false, "hex", "none"),
    def("eth_type", [W.DL_TYPE], 16, false, "hex", "none"),
    def("vlan_tci", [W.VLAN_TCI], 16, true, "hex", "none"),
    def("nw_src", [W.NW_SRC], 32, true, "ip", "ip_or_arp"),
    def("nw_dst", [W.NW_DST], 32, true, "ip", "ip_or_arp"),
    def("ip_src", [W.NW_SRC], 32, true, "ip", "ip"),
    def("ip_dst", [W.NW_DST], 32, true, "ip", "ip"),
    def("arp_spa", [W.NW_SRC], 32, true, "ip", "arp"),
    def("arp_tpa", [W.NW_DST], 32, true, "ip", "arp"),
    def("nw_proto", [W.NW_PROTO], 8, false, "dec", "ip_or_arp"),
    def("ip_proto", [W.NW_PROTO], 8, false, "dec", "ip"),
    def("arp_op", [W.NW_PROTO], 8, false, "dec", "arp"),
    def("tp_src", [W.TP_SRC], 16, true, "dec", "l4"),
    def("tp_dst", [W.TP_DST], 16, true, "dec", "l4"),
    def("tcp_src", [W.TP_SRC], 16, true, "dec", "tcp"),
    def("tcp_dst", [W.TP_DST], 16, true, "dec", "tcp"),
    def("udp_src", [W.TP_SRC], 16, true, "dec", "udp"),
    def("udp_dst", [W.TP_DST], 16, true, "dec", "udp"),
    def("icmp_type", [W.TP_SRC], 8, false, "dec", "icmp", 16),
    def("icmp_code", [W.TP_DST], 8, false, "dec", "icmp", 16),
  ].map((f) => [f.name, f]),
);

/** Protocol numbers whose transport ports (or ICMP type/code) tp_src/tp_dst select. */
const L4_PROTOS: readonly number[] = [IpProto.TCP, IpProto.UDP, IpProto.ICMP, 132];

function exactIs(m: Match, word: number, full: number, v: number): boolean {
  return m.mask[word] === full && m.value[word] === v;
}

/** Whether the match satisfies a prerequisite (dl_type / nw_proto matched exactly). */
export function prereqMet(m: Match, p: Prereq): boolean {
  const ip = exactIs(m, W.DL_TYPE, 0xffff, EtherType.IPv4);
  switch (p) {
    case "none":
      return true;
    case "ip":
      return ip;
    case "arp":
      return exactIs(m, W.DL_TYPE, 0xffff, EtherType.ARP);
    case "ip_or_arp":
      return ip || exactIs(m, W.DL_TYPE, 0xffff, EtherType.ARP);
    case "l4":
      return ip && m.mask[W.NW_PROTO] === 0xff && L4_PROTOS.includes(m.value[W.NW_PROTO] ?? 0);
    case "tcp":
      return ip && exactIs(m, W.NW_PROTO, 0xff, IpProto.TCP);
    case "udp":
      return ip && exactIs(m, W.NW_PROTO, 0xff, IpProto.UDP);
    case "icmp":
      return ip && exactIs(m, W.NW_PROTO, 0xff, IpProto.ICMP);
  }
}

/** A prerequisite as `ovs-ofctl` users would write it, for messages. */
export function prereqText(p: Prereq): string {
  switch (p) {
    case "none":
      return "nothing";
    case "ip":
      return "dl_type=0x0800 (ip)";
    case "arp":
      return "dl_type=0x0806 (arp)";
    case "ip_or_arp":
      return "dl_type=0x0800 (ip) or dl_type=0x0806 (arp)";
    case "l4":
      return "ip with nw_proto=1, 6, 17 or 132";
    case "tcp":
      return "tcp";
    case "udp":
      return "udp";
    case "icmp":
      return "icmp";
  }
}

function bitsMask(bits: number): number {
  return bits >= 32 ? 0xffffffff : ((1 << bits) >>> 0) - 1;
}

/**
 * Set a plain field (see {@link FIELDS}) to `value` under `mask` (all ones when
 * omitted; zero wildcards the field), replacing whatever the match said about
 * it. Values wider than 32 bits may be bigints. Throws `RangeError` when the
 * value or mask does not fit or the field does not allow that mask; does not
 * check prerequisites (see {@link unmetPrereq}).
 */
export function setField(
  m: Match,
  name: string,
  value: number | bigint,
  mask?: number | bigint,
): void {
  const f = FIELDS.get(name);
  if (f === undefined) throw new RangeError(`unknown field ${name}`);
  const full = f.bits >= 64 ? 0xffffffffffffffffn : (1n << BigInt(f.bits)) - 1n;
  const v = BigInt(value);
  const mk = mask === undefined ? full : BigInt(mask);
  if (v < 0n || v > full) {
    throw new RangeError(`${name}: value ${value} does not fit ${f.bits} bits`);
  }
  if (mk < 0n || mk > full) {
    throw new RangeError(`${name}: mask ${mask} does not fit ${f.bits} bits`);
  }
  if (!f.maskable && mk !== 0n && mk !== full) {
    throw new RangeError(`${name} cannot be matched with a bitwise mask`);
  }
  for (const w of f.words) clearMaskedWord(m, w, 0xffffffff);
  if (f.words.length === 1) {
    const wordMask = mk === full ? bitsMask(f.maskBits) : Number(mk) >>> 0;
    setMaskedWord(m, f.words[0] ?? 0, Number(v), wordMask);
  } else {
    const [vh, vl] = splitU64(v);
    const [mh, ml] = splitU64(mk);
    setMaskedWord(m, f.words[0] ?? 0, vh, mh & bitsMask(f.bits - 32));
    setMaskedWord(m, f.words[1] ?? 0, vl, ml);
  }
}

/** Wildcard a plain field entirely. */
export function clearField(m: Match, name: string): void {
  const f = FIELDS.get(name);
  if (f === undefined) throw new RangeError(`unknown field ${name}`);
  for (const w of f.words) clearMaskedWord(m, w, 0xffffffff);
}

/** A plain field's value and mask as bigints (wildcarded fields read 0/0). */
export function getField(m: Match, name: string): { value: bigint; mask: bigint } {
  const f = FIELDS.get(name);
  if (f === undefined) throw new RangeError(`unknown field ${name}`);
  let value = 0n, mask = 0n;
  for (const w of f.words) {
    value = (value << 32n) | BigInt(m.value[w] ?? 0);
    mask = (mask << 32n) | BigInt(m.mask[w] ?? 0);
  }
  return { value, mask };
}

/** The prerequisite that guards each key word (for {@link unmetPrereq}). */
const WORD_PREREQ: ReadonlyArray<[number, string, Prereq]> = [
  [W.NW_SRC, "nw_src", "ip_or_arp"],
  [W.NW_DST, "nw_dst", "ip_or_arp"],
  [W.NW_PROTO, "nw_proto", "ip_or_arp"],
  [W.NW_TOS, "nw_tos", "ip"],
  [W.NW_FRAG, "ip_frag", "ip"],
  [W.TP_SRC, "tp_src", "l4"],
  [W.TP_DST, "tp_dst", "l4"],
];

/**
 * The name of a field the match constrains without its OpenFlow prerequisites
 * (e.g. tp_dst without an L4 nw_proto, nw_src without dl_type ip or arp), or
 * undefined when the match is consistent.
 */
export function unmetPrereq(m: Match): string | undefined {
  for (const [w, name, p] of WORD_PREREQ) {
    if (m.mask[w] !== 0 && !prereqMet(m, p)) return name;
  }
  return undefined;
}

// Virtual fields carried inside VLAN_TCI, NW_TOS and NW_FRAG.

/** dl_vlan value meaning "no 802.1Q tag". */
export const VLAN_NONE = 0xffff;

/**
 * Match the VLAN id as `ovs-ofctl`'s dl_vlan does: 0..4095 matches tagged frames
 * with that VID, {@link VLAN_NONE} matches untagged frames.
 */
export function setDlVlan(m: Match, vid: number): void {
  if (isUntagged(m) || vid === VLAN_NONE) clearMaskedWord(m, W.VLAN_TCI, 0xffff);
  if (vid === VLAN_NONE) {
    setMaskedWord(m, W.VLAN_TCI, 0, 0xffff);
  } else {
    if (!Number.isInteger(vid) || vid < 0 || vid > 0xfff) {
      throw new RangeError(`dl_vlan ${vid} is not 0..4095 or 0xffff`);
    }
    setMaskedWord(m, W.VLAN_TCI, VLAN_CFI | vid, VLAN_CFI | 0xfff);
  }
}

/** Whether the match selects exactly the untagged frames (dl_vlan=0xffff). */
export function isUntagged(m: Match): boolean {
  return m.mask[W.VLAN_TCI] === 0xffff && m.value[W.VLAN_TCI] === 0;
}

/**
 * Match the VLAN priority (tagged frames only), as `ovs-ofctl`'s dl_vlan_pcp
 * does. On a match for untagged frames it replaces that condition.
 */
export function setDlVlanPcp(m: Match, pcp: number): void {
  if (!Number.isInteger(pcp) || pcp < 0 || pcp > 7) throw new RangeError(`dl_vlan_pcp ${pcp}`);
  if (isUntagged(m)) clearMaskedWord(m, W.VLAN_TCI, 0xffff);
  setMaskedWord(m, W.VLAN_TCI, VLAN_CFI | (pcp << 13), VLAN_CFI | 0xe000);
}

/** The values `ip_frag=` accepts and their NW_FRAG value/mask. */
export const IP_FRAG_MODES: ReadonlyMap<string, { value: number; mask: number }> = new Map([
  ["no", { value: 0, mask: 1 }],
  ["yes", { value: 1, mask: 1 }],
  ["first", { value: 1, mask: 3 }],
  ["later", { value: 3, mask: 3 }],
  ["not_later", { value: 0, mask: 2 }],
]);
