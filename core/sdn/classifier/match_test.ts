import assert from "node:assert/strict";
import {
  clearField,
  copyMatch,
  getField,
  isCatchAll,
  matchCovers,
  matchEquals,
  matchesKey,
  matchesOverlap,
  matchFromKey,
  newMatch,
  prereqMet,
  setDlVlan,
  setDlVlanPcp,
  setField,
  setMaskedWord,
  unmetPrereq,
  VLAN_NONE,
} from "./match.ts";
import { newFlowKey, VLAN_CFI, W } from "./flow_key.ts";

Deno.test("setField: exact, masked and 64/48-bit fields land in the right words", () => {
  const m = newMatch();
  setField(m, "metadata", 0x1_0000_00ffn, 0xffff_ffff_0000_00ffn);
  assert.deepEqual([m.value[W.METADATA_HI], m.value[W.METADATA_LO]], [1, 0xff]);
  assert.deepEqual([m.mask[W.METADATA_HI], m.mask[W.METADATA_LO]], [0xffffffff, 0xff]);
  setField(m, "dl_src", 0x0a0b0c0d0e0f);
  assert.deepEqual([m.value[W.DL_SRC_HI], m.value[W.DL_SRC_LO]], [0x0a0b, 0x0c0d0e0f]);
  assert.deepEqual([m.mask[W.DL_SRC_HI], m.mask[W.DL_SRC_LO]], [0xffff, 0xffffffff]);
  setField(m, "reg3", 0x1234, 0xff00);
  assert.deepEqual([m.value[W.REG3], m.mask[W.REG3]], [0x1200, 0xff00]);
  setField(m, "in_port", 5);
  assert.equal(m.mask[W.IN_PORT], 0xffffffff, "in_port compares the whole word");
  setField(m, "icmp_type", 8);
  assert.equal(m.mask[W.TP_SRC], 0xffff, "icmp_type compares the whole port word");
  assert.deepEqual(getField(m, "reg3"), { value: 0x1200n, mask: 0xff00n });
  clearField(m, "reg3");
  assert.deepEqual(getField(m, "reg3"), { value: 0n, mask: 0n });
});

Deno.test("setField: rejects bad values, masks on exact-only fields and unknown names", () => {
  assert.throws(() => setField(newMatch(), "nw_proto", 256), RangeError);
  assert.throws(() => setField(newMatch(), "dl_type", 0x800, 0xff00), RangeError);
  assert.throws(() => setField(newMatch(), "tp_dst", 1, 0x10000), RangeError);
  assert.throws(() => setField(newMatch(), "nope", 1), RangeError);
  setField(newMatch(), "dl_type", 0x800, 0); // a zero mask is a wildcard, always fine
});

Deno.test("dl_vlan and dl_vlan_pcp use the CFI bit so untagged differs from VID 0", () => {
  const tagged0 = newMatch();
  setDlVlan(tagged0, 0);
  const untagged = newMatch();
  setDlVlan(untagged, VLAN_NONE);
  const k = newFlowKey();
  assert.ok(matchesKey(untagged, k));
  assert.ok(!matchesKey(tagged0, k));
  k[W.VLAN_TCI] = VLAN_CFI | (3 << 13);
  assert.ok(matchesKey(tagged0, k));
  assert.ok(!matchesKey(untagged, k));
  const pcp = newMatch();
  setDlVlanPcp(pcp, 3);
  assert.ok(matchesKey(pcp, k));
  k[W.VLAN_TCI] = VLAN_CFI | (2 << 13) | 7;
  assert.ok(!matchesKey(pcp, k));
  assert.throws(() => setDlVlan(newMatch(), 4096), RangeError);
  assert.throws(() => setDlVlanPcp(newMatch(), 8), RangeError);
});

Deno.test("prerequisites: nw_* need ip or arp, tp_* need an L4 protocol", () => {
  const m = newMatch();
  setMaskedWord(m, W.NW_SRC, 0x0a000000, 0xff000000);
  assert.equal(unmetPrereq(m), "nw_src");
  setField(m, "dl_type", 0x0806);
  assert.equal(unmetPrereq(m), undefined);
  assert.ok(prereqMet(m, "arp") && !prereqMet(m, "ip"));
  setField(m, "dl_type", 0x0800);
  setMaskedWord(m, W.TP_DST, 80, 0xffff);
  assert.equal(unmetPrereq(m), "tp_dst");
  setField(m, "nw_proto", 47);
  assert.equal(unmetPrereq(m), "tp_dst");
  setField(m, "nw_proto", 6);
  assert.equal(unmetPrereq(m), undefined);
  assert.ok(prereqMet(m, "tcp") && !prereqMet(m, "udp") && prereqMet(m, "l4"));
  setField(m, "dl_type", 0x0800, 0);
  assert.ok(!prereqMet(m, "ip"), "a wildcarded dl_type is not ip");
});

Deno.test("matchesKey, equality, overlap and coverage", () => {
  const a = newMatch();
  setField(a, "dl_type", 0x800);
  setField(a, "nw_src", 0x0a000000, 0xff000000);
  const b = newMatch();
  setField(b, "dl_type", 0x800);
  setField(b, "nw_src", 0x0a010000, 0xffff0000);
  const c = newMatch();
  setField(c, "dl_type", 0x800);
  setField(c, "nw_src", 0x0b000000, 0xff000000);
  assert.ok(matchesOverlap(a, b) && !matchesOverlap(a, c) && !matchesOverlap(b, c));
  assert.ok(matchCovers(a, b) && !matchCovers(b, a) && !matchCovers(a, c));
  assert.ok(matchCovers(newMatch(), a), "the empty match covers everything");
  assert.ok(isCatchAll(newMatch()) && !isCatchAll(a));
  assert.ok(matchEquals(a, copyMatch(a)) && !matchEquals(a, b));
  const k = newFlowKey();
  k[W.DL_TYPE] = 0x800;
  k[W.NW_SRC] = 0x0a010203;
  assert.ok(matchesKey(a, k) && matchesKey(b, k) && !matchesKey(c, k));
  const exact = matchFromKey(k);
  assert.ok(matchesKey(exact, k));
  k[W.TP_DST] = 1;
  assert.ok(!matchesKey(exact, k));
  const partial = matchFromKey(k, a.mask);
  assert.ok(matchEquals(partial, a));
});
