import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DEFAULT_PRIORITY,
  FlowParseError,
  type FlowParseErrorKind,
  formatFlow,
  formatFlowKey,
  formatMatch,
  parseFlow,
  parseMatch,
} from "./syntax.ts";
import { getField, matchEquals, matchesKey } from "./match.ts";
import { keyFromPacket, newFlowKey, VLAN_CFI, W } from "./flow_key.ts";
import { EtherType, newPacket, noTcpOptions } from "../../wire/packet.ts";
import { ip } from "../../wire/addr.ts";

Deno.test("parseFlow: the example flow", () => {
  const f = parseFlow(
    "priority=100,in_port=1,dl_type=0x0800,nw_src=10.0.0.0/8,tcp,tp_dst=80,dl_vlan=10," +
      "reg0=0x5/0xff,metadata=0x1",
  );
  assert.equal(f.priority, 100);
  const m = f.match;
  assert.deepEqual([m.value[W.IN_PORT], m.mask[W.IN_PORT]], [1, 0xffffffff]);
  assert.deepEqual([m.value[W.DL_TYPE], m.mask[W.DL_TYPE]], [0x0800, 0xffff]);
  assert.deepEqual([m.value[W.NW_SRC], m.mask[W.NW_SRC]], [ip("10.0.0.0"), 0xff000000]);
  assert.deepEqual([m.value[W.NW_PROTO], m.mask[W.NW_PROTO]], [6, 0xff]);
  assert.deepEqual([m.value[W.TP_DST], m.mask[W.TP_DST]], [80, 0xffff]);
  assert.deepEqual([m.value[W.VLAN_TCI], m.mask[W.VLAN_TCI]], [VLAN_CFI | 10, 0x1fff]);
  assert.deepEqual([m.value[W.REG0], m.mask[W.REG0]], [5, 0xff]);
  assert.deepEqual(getField(m, "metadata"), { value: 1n, mask: 0xffffffffffffffffn });
  assert.equal(
    formatFlow(m, f.priority),
    "priority=100,tcp,reg0=0x5/0xff,metadata=0x1,in_port=1,dl_vlan=10,nw_src=10.0.0.0/8,tp_dst=80",
  );
});

Deno.test("parseFlow: shorthands, default priority, white space, later settings win", () => {
  for (
    const [text, type, proto] of [["ip", 0x800, -1], ["arp", 0x806, -1], ["tcp", 0x800, 6], [
      "udp",
      0x800,
      17,
    ], ["icmp", 0x800, 1]] as const
  ) {
    const f = parseFlow(text);
    assert.equal(f.priority, DEFAULT_PRIORITY);
    assert.equal(f.match.value[W.DL_TYPE], type);
    assert.equal(f.match.mask[W.NW_PROTO], proto < 0 ? 0 : 0xff);
    if (proto >= 0) assert.equal(f.match.value[W.NW_PROTO], proto);
  }
  const f = parseFlow("  tcp  in_port=2, in_port=3\tnw_dst=1.2.3.4  ");
  assert.equal(f.match.value[W.IN_PORT], 3);
  assert.equal(f.match.value[W.NW_DST], ip("1.2.3.4"));
  assert.equal(formatMatch(parseMatch("")), "");
});

Deno.test("parseFlow: masks in every accepted form", () => {
  const m = parseMatch(
    "ip,nw_src=10.1.0.0/255.255.0.0,nw_dst=10.0.0.1/255.0.0.255,udp,tp_src=0x1000/0xf000," +
      "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,tun_id=0x10/0xf0,vlan_tci=0x1000/0x1000",
  );
  assert.equal(m.mask[W.NW_SRC], 0xffff0000);
  assert.equal(m.mask[W.NW_DST], 0xff0000ff);
  assert.deepEqual([m.value[W.TP_SRC], m.mask[W.TP_SRC]], [0x1000, 0xf000]);
  assert.deepEqual([m.value[W.DL_DST_HI], m.mask[W.DL_DST_HI]], [0x0100, 0x0100]);
  assert.deepEqual([m.value[W.TUN_ID_LO], m.mask[W.TUN_ID_LO]], [0x10, 0xf0]);
  assert.equal(
    formatMatch(m),
    "udp,tun_id=0x10/0xf0,vlan_tci=0x1000/0x1000,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00," +
      "nw_src=10.1.0.0/16,nw_dst=10.0.0.1/255.0.0.255,tp_src=0x1000/0xf000",
  );
});

Deno.test("parseFlow: virtual fields (VLAN, TOS/ECN, fragments, ICMP, ARP names)", () => {
  const untagged = parseMatch("dl_vlan=0xffff");
  assert.deepEqual([untagged.value[W.VLAN_TCI], untagged.mask[W.VLAN_TCI]], [0, 0xffff]);
  assert.equal(formatMatch(untagged), "vlan_tci=0x0000");
  const pcp = parseMatch("dl_vlan=5,dl_vlan_pcp=6");
  assert.equal(pcp.value[W.VLAN_TCI], VLAN_CFI | (6 << 13) | 5);
  assert.equal(formatMatch(pcp), "dl_vlan=5,dl_vlan_pcp=6");
  const tos = parseMatch("ip,nw_tos=184,nw_ecn=2");
  assert.deepEqual([tos.value[W.NW_TOS], tos.mask[W.NW_TOS]], [186, 0xff]);
  assert.ok(matchEquals(parseMatch("ip,ip_dscp=46,nw_ecn=2"), tos));
  for (const mode of ["no", "yes", "first", "later", "not_later"]) {
    assert.equal(formatMatch(parseMatch(`ip,ip_frag=${mode}`)), `ip,ip_frag=${mode}`);
  }
  const icmp = parseMatch("icmp,icmp_type=8,icmp_code=0");
  assert.ok(matchEquals(icmp, parseMatch("icmp,tp_src=8,tp_dst=0")));
  assert.equal(formatMatch(icmp), "icmp,icmp_type=8,icmp_code=0");
  const arp = parseMatch("arp,nw_src=10.0.0.1,nw_dst=10.0.0.0/24,nw_proto=1");
  assert.ok(matchEquals(arp, parseMatch("arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_op=1")));
  assert.equal(formatMatch(arp), "arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_op=1");
  assert.equal(
    formatMatch(parseMatch("in_port=LOCAL,dl_type=0x88cc")),
    "in_port=LOCAL,dl_type=0x88cc",
  );
  assert.equal(formatMatch(parseMatch("ip,nw_proto=47")), "ip,nw_proto=47");
});

function rejects(text: string, kind: FlowParseErrorKind, message: string): void {
  assert.throws(() => parseFlow(text), (e: unknown) => {
    assert.ok(e instanceof FlowParseError, `${text}: ${e}`);
    assert.equal(e.kind, kind, text);
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("parseFlow: errors read like ovs-ofctl's", () => {
  rejects("foo=1", "unknown-keyword", "unknown keyword foo");
  rejects("in_port", "missing-value", "field in_port missing value");
  rejects("priority=65536", "bad-value", 'invalid priority "65536"');
  rejects("ip,nw_src=10.0.0.256", "bad-value", "nw_src=10.0.0.256: invalid IP address");
  rejects(
    "ip,nw_src=10.0.0.0/33",
    "bad-value",
    "nw_src=10.0.0.0/33: network prefix bits not between 0 and 32",
  );
  rejects("dl_src=00:11:22:33:44", "bad-value", "dl_src=00:11:22:33:44: invalid Ethernet address");
  rejects("reg0=zz", "bad-value", "reg0=zz: bad syntax for reg0");
  rejects(
    "reg0=0x100000000",
    "bad-value",
    "reg0=0x100000000: value too large for 4-byte field reg0",
  );
  rejects("in_port=1/1", "bad-value", "in_port=1/1: in_port does not support masking");
  rejects("in_port=70000", "bad-value", "in_port=70000: invalid or unknown port for in_port");
  rejects(
    "dl_type=0x800/0xff00",
    "bad-value",
    "dl_type=0x800/0xff00: dl_type does not support masking",
  );
  rejects("ip,nw_tos=5", "bad-value", "nw_tos=5: value 5 invalid for field nw_tos");
  rejects(
    "ip,ip_frag=maybe",
    "bad-value",
    "ip_frag=maybe: unknown frag mode (use no, yes, first, later or not_later)",
  );
  rejects(
    "dl_vlan=4096",
    "bad-value",
    "dl_vlan=4096: dl_vlan must be 0..4095, or 0xffff for untagged frames",
  );
  rejects(
    "dl_vlan=0xffff,dl_vlan_pcp=1",
    "conflict",
    "dl_vlan_pcp=1: conflicts with dl_vlan=0xffff (untagged frames have no priority)",
  );
  assert.throws(() => parseMatch("priority=5"), FlowParseError);
});

Deno.test("parseFlow: OpenFlow prerequisites are enforced as ovs-ofctl does", () => {
  rejects(
    "tp_dst=80",
    "prerequisites",
    "tp_dst=80: prerequisites not met for setting tp_dst (needs ip with nw_proto=1, 6, 17 or 132)",
  );
  rejects(
    "nw_src=10.0.0.1",
    "prerequisites",
    "nw_src=10.0.0.1: prerequisites not met for setting nw_src " +
      "(needs dl_type=0x0800 (ip) or dl_type=0x0806 (arp))",
  );
  rejects(
    "ip,tp_dst=80",
    "prerequisites",
    "tp_dst=80: prerequisites not met for setting tp_dst (needs ip with nw_proto=1, 6, 17 or 132)",
  );
  rejects(
    "arp,nw_tos=4",
    "prerequisites",
    "nw_tos=4: prerequisites not met for setting nw_tos (needs dl_type=0x0800 (ip))",
  );
  rejects(
    "udp,tcp_dst=80",
    "prerequisites",
    "tcp_dst=80: prerequisites not met for setting tcp_dst (needs tcp)",
  );
  rejects(
    "tcp,icmp_type=8",
    "prerequisites",
    "icmp_type=8: prerequisites not met for setting icmp_type (needs icmp)",
  );
  rejects(
    "ip,arp_spa=1.2.3.4",
    "prerequisites",
    "arp_spa=1.2.3.4: prerequisites not met for setting arp_spa (needs dl_type=0x0806 (arp))",
  );
  // Order does not matter: prerequisites are checked on the finished match.
  assert.equal(formatMatch(parseMatch("tp_dst=80,nw_proto=17,dl_type=0x0800")), "udp,tp_dst=80");
  // Overriding dl_type after setting an L3 field breaks its prerequisite.
  rejects(
    "ip,nw_src=1.2.3.4,dl_type=0x86dd",
    "prerequisites",
    "nw_src=1.2.3.4: prerequisites not met for setting nw_src (needs dl_type=0x0800 (ip) or dl_type=0x0806 (arp))",
  );
});

Deno.test("parseFlow: other flow-mod keywords pass through only when accepted", () => {
  const f = parseFlow("table=3,cookie=0x5,priority=7,ip", { accept: ["table", "cookie"] });
  assert.deepEqual(f.other, [{ name: "table", value: "3" }, { name: "cookie", value: "0x5" }]);
  assert.equal(f.priority, 7);
  const g = parseFlow("idle_timeout=10,ip", { accept: (n) => n.endsWith("_timeout") });
  assert.deepEqual(g.other, [{ name: "idle_timeout", value: "10" }]);
  rejects("table=3,ip", "unknown-keyword", "unknown keyword table");
});

Deno.test("formatFlow: priority shown unless it is the default", () => {
  assert.equal(formatFlow(parseMatch("ip"), DEFAULT_PRIORITY), "ip");
  assert.equal(formatFlow(parseMatch("ip"), 0), "priority=0,ip");
  assert.equal(formatFlow(parseMatch(""), 5), "priority=5");
});

Deno.test("formatFlowKey shows the packet's fields, and the result matches the key", () => {
  const p = newPacket({
    src: 0x020000000001,
    dst: 0x020000000002,
    type: EtherType.IPv4,
    vlan: undefined,
  });
  p.ip = {
    tos: 0,
    id: 0,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto: 6,
    src: ip("10.0.0.1"),
    dst: ip("10.0.0.2"),
    options: undefined,
  };
  p.tcp = {
    srcPort: 1234,
    dstPort: 80,
    seq: 0,
    ack: 0,
    flags: 2,
    window: 0,
    urgent: 0,
    options: noTcpOptions(),
    payload: 0,
  };
  const k = keyFromPacket(p, 1, { regs: [0, 7] });
  const text = formatFlowKey(k);
  assert.equal(
    text,
    "tcp,reg1=0x7,in_port=1,vlan_tci=0x0000,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02," +
      "nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_tos=0,nw_ecn=0,ip_frag=no,tp_src=1234,tp_dst=80",
  );
  assert.ok(matchesKey(parseMatch(text), k));
  const empty = newFlowKey();
  assert.equal(
    formatFlowKey(empty),
    "in_port=0,vlan_tci=0x0000,dl_src=00:00:00:00:00:00,dl_dst=00:00:00:00:00:00,dl_type=0x0000",
  );
});

/** Random valid flow text built from OVS-syntax pieces. */
const flowText = fc.record({
  proto: fc.constantFrom("", "ip", "arp", "tcp", "udp", "icmp"),
  inPort: fc.option(fc.integer({ min: 0, max: 0xfff0 }), { nil: undefined }),
  reg: fc.option(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.nat(), fc.nat()), { nil: undefined }),
  meta: fc.option(
    fc.tuple(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }),
    ),
    {
      nil: undefined,
    },
  ),
  vlan: fc.option(fc.oneof(fc.integer({ min: 0, max: 4095 }), fc.constant(0xffff)), {
    nil: undefined,
  }),
  pcp: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
  mac: fc.option(
    fc.tuple(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 1, max: 2 ** 48 - 1 })),
    {
      nil: undefined,
    },
  ),
  src: fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 32 })), { nil: undefined }),
  dst: fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
  tos: fc.option(fc.integer({ min: 0, max: 63 }), { nil: undefined }),
  tp: fc.option(
    fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 0xffff })),
    { nil: undefined },
  ),
  priority: fc.integer({ min: 0, max: 0xffff }),
}).map((r) => {
  const hexMac = (v: number) => {
    const s = v.toString(16).padStart(12, "0");
    return s.match(/../g)!.join(":");
  };
  const quad = (v: number) => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");
  const parts = [`priority=${r.priority}`];
  if (r.proto !== "") parts.push(r.proto);
  if (r.inPort !== undefined) parts.push(`in_port=${r.inPort}`);
  if (r.reg !== undefined) {
    parts.push(`reg${r.reg[0]}=${r.reg[1]}/0x${(r.reg[2] || 1).toString(16)}`);
  }
  if (r.meta !== undefined) {
    parts.push(`metadata=0x${r.meta[0].toString(16)}/0x${r.meta[1].toString(16)}`);
  }
  if (r.vlan !== undefined) parts.push(`dl_vlan=${r.vlan}`);
  if (r.pcp !== undefined && r.vlan !== 0xffff) parts.push(`dl_vlan_pcp=${r.pcp}`);
  if (r.mac !== undefined) parts.push(`dl_src=${hexMac(r.mac[0])}/${hexMac(r.mac[1])}`);
  const l3 = r.proto !== "";
  if (l3 && r.src !== undefined) parts.push(`nw_src=${quad(r.src[0])}/${r.src[1]}`);
  if (l3 && r.dst !== undefined) parts.push(`nw_dst=${quad(r.dst[0])}/${quad(r.dst[1] || 1)}`);
  const ipish = r.proto !== "" && r.proto !== "arp";
  if (ipish && r.tos !== undefined) parts.push(`ip_dscp=${r.tos}`);
  const l4 = r.proto === "tcp" || r.proto === "udp";
  if (l4 && r.tp !== undefined) parts.push(`tp_dst=${r.tp[0]}/${r.tp[1]}`);
  if (r.proto === "icmp" && r.tp !== undefined) parts.push(`icmp_type=${r.tp[0] & 255}`);
  return parts.join(",");
});

Deno.test("property: formatFlow output parses back to the same priority and match", () => {
  fc.assert(
    fc.property(flowText, (text) => {
      const f = parseFlow(text);
      const again = parseFlow(formatFlow(f.match, f.priority));
      assert.equal(again.priority, f.priority);
      assert.ok(matchEquals(again.match, f.match), `${text} -> ${formatFlow(f.match, f.priority)}`);
      assert.equal(formatFlow(again.match, again.priority), formatFlow(f.match, f.priority));
    }),
    { seed: 0x5eed, numRuns: 400 },
  );
});
