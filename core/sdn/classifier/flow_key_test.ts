import assert from "node:assert/strict";
import {
  DL_TYPE_NONE,
  FRAG_ANY,
  FRAG_LATER,
  getKey64,
  getKeyMac,
  joinU64,
  KEY_WORDS,
  keyFromPacket,
  newFlowKey,
  setKey64,
  setKeyMac,
  splitU64,
  STAGE_ENDS,
  VLAN_CFI,
  W,
} from "./flow_key.ts";
import {
  type EthernetHeader,
  EtherType,
  IpProto,
  newPacket,
  noTcpOptions,
  type Packet,
} from "../../wire/packet.ts";
import { ip } from "../../wire/addr.ts";

function eth(type: number, vlan?: { pcp: number; vid: number }): EthernetHeader {
  return {
    src: 0x020000000001,
    dst: 0xfe0000000002,
    type,
    vlan: vlan === undefined ? undefined : { ...vlan, dei: false },
  };
}

function ipPacket(proto: number, opts: { mf?: boolean; off?: number; tos?: number } = {}): Packet {
  const p = newPacket(eth(EtherType.IPv4));
  p.ip = {
    tos: opts.tos ?? 0,
    id: 1,
    df: false,
    mf: opts.mf ?? false,
    fragOffset: opts.off ?? 0,
    ttl: 64,
    proto,
    src: ip("10.0.0.1"),
    dst: ip("192.168.1.200"),
    options: undefined,
  };
  return p;
}

Deno.test("flow key layout: word offsets are distinct and stages cover every word", () => {
  const offsets = Object.values(W);
  assert.equal(new Set(offsets).size, offsets.length);
  assert.equal(offsets.length, KEY_WORDS);
  assert.ok(offsets.every((o) => o >= 0 && o < KEY_WORDS));
  assert.equal(STAGE_ENDS[STAGE_ENDS.length - 1], KEY_WORDS);
  assert.ok(W.REG7 < W.DL_SRC_HI && W.VLAN_TCI < W.NW_SRC && W.NW_FRAG < W.TP_SRC);
});

Deno.test("keyFromPacket: TCP over an untagged frame", () => {
  const p = ipPacket(IpProto.TCP, { tos: 0xb9 });
  p.tcp = {
    srcPort: 40000,
    dstPort: 80,
    seq: 0,
    ack: 0,
    flags: 0x02,
    window: 1000,
    urgent: 0,
    options: noTcpOptions(),
    payload: 0,
  };
  const k = keyFromPacket(p, 3);
  assert.equal(k[W.IN_PORT], 3);
  assert.equal(getKeyMac(k, W.DL_SRC_HI), 0x020000000001);
  assert.equal(getKeyMac(k, W.DL_DST_HI), 0xfe0000000002);
  assert.equal(k[W.DL_SRC_HI], 0x0200);
  assert.equal(k[W.DL_DST_LO], 2);
  assert.equal(k[W.DL_TYPE], 0x0800);
  assert.equal(k[W.VLAN_TCI], 0);
  assert.equal(k[W.NW_SRC], ip("10.0.0.1"));
  assert.equal(k[W.NW_DST], ip("192.168.1.200"));
  assert.equal(k[W.NW_PROTO], 6);
  assert.equal(k[W.NW_TOS], 0xb9);
  assert.equal(k[W.NW_FRAG], 0);
  assert.equal(k[W.TP_SRC], 40000);
  assert.equal(k[W.TP_DST], 80);
});

Deno.test("keyFromPacket: VLAN tag sets the TCI with CFI; VID 0 differs from untagged", () => {
  const p = newPacket(eth(EtherType.IPv4, { pcp: 5, vid: 10 }));
  assert.equal(keyFromPacket(p, 1)[W.VLAN_TCI], (5 << 13) | VLAN_CFI | 10);
  const p0 = newPacket(eth(EtherType.IPv4, { pcp: 0, vid: 0 }));
  assert.equal(keyFromPacket(p0, 1)[W.VLAN_TCI], VLAN_CFI);
  assert.equal(keyFromPacket(newPacket(eth(EtherType.IPv4)), 1)[W.VLAN_TCI], 0);
});

Deno.test("keyFromPacket: UDP, ICMP type/code in the port words, other protocols without ports", () => {
  const u = ipPacket(IpProto.UDP);
  u.udp = { srcPort: 5353, dstPort: 53, payload: 10 };
  const ku = keyFromPacket(u, 1);
  assert.deepEqual([ku[W.NW_PROTO], ku[W.TP_SRC], ku[W.TP_DST]], [17, 5353, 53]);
  const i = ipPacket(IpProto.ICMP);
  i.icmp = { type: 3, code: 4, rest: 1500, payload: new Uint8Array(0) };
  const ki = keyFromPacket(i, 1);
  assert.deepEqual([ki[W.NW_PROTO], ki[W.TP_SRC], ki[W.TP_DST]], [1, 3, 4]);
  const g = ipPacket(IpProto.GRE);
  g.raw = new Uint8Array([1, 2, 3, 4]);
  const kg = keyFromPacket(g, 1);
  assert.deepEqual([kg[W.NW_PROTO], kg[W.TP_SRC], kg[W.TP_DST]], [47, 0, 0]);
});

Deno.test("keyFromPacket: fragments set nw_frag; first fragments keep ports, later ones do not", () => {
  const first = ipPacket(IpProto.UDP, { mf: true });
  first.raw = new Uint8Array([0x13, 0x88, 0x00, 0x35, 0, 0, 0, 0]);
  const kf = keyFromPacket(first, 1);
  assert.equal(kf[W.NW_FRAG], FRAG_ANY);
  assert.deepEqual([kf[W.TP_SRC], kf[W.TP_DST]], [5000, 53]);
  const later = ipPacket(IpProto.UDP, { mf: false, off: 1480 });
  later.raw = new Uint8Array([0x13, 0x88, 0x00, 0x35]);
  const kl = keyFromPacket(later, 1);
  assert.equal(kl[W.NW_FRAG], FRAG_ANY | FRAG_LATER);
  assert.deepEqual([kl[W.TP_SRC], kl[W.TP_DST]], [0, 0]);
  const icmpFirst = ipPacket(IpProto.ICMP, { mf: true });
  icmpFirst.raw = new Uint8Array([8, 0, 0, 0]);
  assert.deepEqual([...keyFromPacket(icmpFirst, 1).subarray(W.TP_SRC)], [8, 0]);
});

Deno.test("keyFromPacket: ARP puts SPA/TPA in nw_src/nw_dst and the opcode in nw_proto", () => {
  const p = newPacket(eth(EtherType.ARP));
  p.arp = {
    op: 2,
    senderMac: 1,
    senderIp: ip("10.0.0.1"),
    targetMac: 2,
    targetIp: ip("10.0.0.2"),
  };
  const k = keyFromPacket(p, 7);
  assert.deepEqual([k[W.DL_TYPE], k[W.NW_SRC], k[W.NW_DST], k[W.NW_PROTO]], [
    0x0806,
    ip("10.0.0.1"),
    ip("10.0.0.2"),
    2,
  ]);
  assert.equal(k[W.TP_SRC], 0);
});

Deno.test("keyFromPacket: 802.3 length field gives dl_type 0x05ff; extras fill metadata", () => {
  const p = newPacket(eth(100));
  const k = keyFromPacket(p, 1, {
    tunId: 0x1_0000_0002n,
    metadata: 0xdeadbeef_cafef00dn,
    regs: [1, 2, 3],
  });
  assert.equal(k[W.DL_TYPE], DL_TYPE_NONE);
  assert.equal(getKey64(k, W.TUN_ID_HI), 0x1_0000_0002n);
  assert.equal(getKey64(k, W.METADATA_HI), 0xdeadbeef_cafef00dn);
  assert.deepEqual([k[W.REG0], k[W.REG1], k[W.REG2], k[W.REG3]], [1, 2, 3, 0]);
});

Deno.test("keyFromPacket: reusing a buffer overwrites every word", () => {
  const buf = newFlowKey().fill(0xffffffff);
  const p = ipPacket(IpProto.GRE);
  const k = keyFromPacket(p, 2, undefined, buf);
  assert.equal(k, buf);
  assert.deepEqual(k, keyFromPacket(p, 2));
});

Deno.test("64-bit and MAC helpers round-trip", () => {
  assert.deepEqual(splitU64(0x1_2345_6789), [1, 0x23456789]);
  assert.deepEqual(splitU64(0xffffffff_ffffffffn), [0xffffffff, 0xffffffff]);
  assert.equal(joinU64(0xffffffff, 1), 0xffffffff_00000001n);
  assert.throws(() => splitU64(-1), RangeError);
  assert.throws(() => splitU64(1n << 64n), RangeError);
  const k = newFlowKey();
  setKey64(k, W.METADATA_HI, 2 ** 40 + 5);
  assert.equal(getKey64(k, W.METADATA_HI), 2n ** 40n + 5n);
  setKeyMac(k, W.DL_DST_HI, 0xffffffffffff);
  assert.equal(getKeyMac(k, W.DL_DST_HI), 0xffffffffffff);
});
