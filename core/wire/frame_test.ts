import assert from "node:assert/strict";
import fc from "fast-check";
import {
  clonePacket,
  decodeFrame,
  decodeTransport,
  encodeFrame,
  encodeTransport,
  frameLength,
  ipPayloadLength,
} from "./frame.ts";
import { encodeIpv4 } from "./ipv4.ts";
import { echoRest, IcmpType } from "./icmp.ts";
import {
  BROADCAST_MAC,
  EtherType,
  IpProto,
  type Ipv4Header,
  newPacket,
  noTcpOptions,
  type Packet,
  TcpFlag,
} from "./packet.ts";
import { ip } from "./addr.ts";
import { WireError } from "./errors.ts";
import { arbBytes, arbIpv4, arbPacket, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

const MAC_A = 0x020000000001;
const MAC_B = 0x020000000002;

function arpRequest(): Packet {
  const p = newPacket({ dst: BROADCAST_MAC, src: MAC_A, type: EtherType.ARP, vlan: undefined });
  p.arp = {
    op: 1,
    senderMac: MAC_A,
    senderIp: ip("10.0.0.1"),
    targetMac: 0,
    targetIp: ip("10.0.0.2"),
  };
  return p;
}

function ipHeader(proto: number, patch: Partial<Ipv4Header> = {}): Ipv4Header {
  return {
    tos: 0,
    id: 1,
    df: false,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto,
    src: ip("10.0.0.1"),
    dst: ip("10.0.0.2"),
    options: undefined,
    ...patch,
  };
}

function ipPacket(h: Ipv4Header): Packet {
  const p = newPacket({ dst: MAC_B, src: MAC_A, type: EtherType.IPv4, vlan: undefined });
  p.ip = h;
  return p;
}

Deno.test("frame: ARP request fixture, and padding to the Ethernet minimum is ignored", () => {
  const bytes = encodeFrame(arpRequest());
  assert.equal(
    toHex(bytes),
    "ffffffffffff" + "020000000001" + "0806" +
      "0001" + "0800" + "0604" + "0001" + "020000000001" + "0a000001" +
      "000000000000" + "0a000002",
  );
  assert.equal(frameLength(arpRequest()), 42);
  assert.deepEqual(decodeFrame(bytes), arpRequest());
  const padded = new Uint8Array(60);
  padded.set(bytes);
  assert.deepEqual(decodeFrame(padded), arpRequest());
});

Deno.test("frame: VLAN-tagged ICMP echo with padding", () => {
  const p = ipPacket(ipHeader(IpProto.ICMP));
  p.eth.vlan = { pcp: 3, dei: false, vid: 42 };
  p.icmp = { type: IcmpType.ECHO_REQUEST, code: 0, rest: echoRest(1, 1), payload: hex("00") };
  const bytes = encodeFrame(p);
  assert.equal(bytes.length, 18 + 20 + 9);
  assert.equal(toHex(bytes.subarray(12, 18)), "8100" + "602a" + "0800");
  const padded = new Uint8Array(64);
  padded.set(bytes);
  assert.deepEqual(decodeFrame(padded), p);
});

Deno.test("frame: virtual payloads are sized without encoding and sent as zeros", () => {
  const p = ipPacket(ipHeader(IpProto.TCP));
  p.tcp = {
    srcPort: 1,
    dstPort: 2,
    seq: 3,
    ack: 4,
    flags: TcpFlag.ACK,
    window: 5,
    urgent: 0,
    options: { ...noTcpOptions(), timestamp: { val: 1, ecr: 2 } },
    payload: 1448,
  };
  assert.equal(ipPayloadLength(p), 32 + 1448);
  assert.equal(frameLength(p), 14 + 20 + 32 + 1448);
  const bytes = encodeFrame(p);
  assert.equal(bytes.length, frameLength(p));
  const back = decodeFrame(bytes);
  assert.deepEqual(back.tcp!.payload, new Uint8Array(1448));
});

Deno.test("frame: fragments keep raw bytes; decodeTransport restores the datagram", () => {
  const whole = ipPacket(ipHeader(IpProto.UDP, { id: 0x4242 }));
  whole.udp = { srcPort: 7, dstPort: 9, payload: new Uint8Array(100).map((_, i) => i) };
  const l4 = encodeTransport(whole);
  assert.equal(l4.length, 108);
  const first = ipPacket({ ...whole.ip!, mf: true });
  first.raw = l4.slice(0, 64);
  const second = ipPacket({ ...whole.ip!, fragOffset: 64 });
  second.raw = l4.slice(64);
  for (const f of [first, second]) {
    const back = decodeFrame(encodeFrame(f));
    assert.deepEqual(back, f);
    assert.equal(back.udp, undefined);
  }
  assert.deepEqual(decodeTransport(whole.ip!, l4), {
    icmp: undefined,
    udp: whole.udp,
    tcp: undefined,
    raw: undefined,
  });
  assert.throws(() => decodeTransport(whole.ip!, l4.slice(0, 100)), WireError);
  assert.deepEqual(decodeTransport(ipHeader(IpProto.GRE), l4).raw, l4);
});

Deno.test("frame: unknown protocol and unknown EtherType decode to raw", () => {
  const gre = ipPacket(ipHeader(IpProto.GRE));
  gre.raw = hex("0000 0800 45");
  assert.deepEqual(decodeFrame(encodeFrame(gre)), gre);
  const v6 = newPacket({ dst: MAC_B, src: MAC_A, type: EtherType.IPv6, vlan: undefined });
  v6.raw = hex("6000000000003afffe80");
  assert.deepEqual(decodeFrame(encodeFrame(v6)), v6);
  const bare = newPacket({ dst: MAC_B, src: MAC_A, type: 0x88b5, vlan: undefined });
  assert.equal(frameLength(bare), 14);
  assert.deepEqual(decodeFrame(encodeFrame(bare)).raw, new Uint8Array(0));
  assert.throws(() => encodeTransport(bare), { message: "ipv4: packet has no IPv4 header" });
});

Deno.test("frame: checksum verification can be switched off", () => {
  const p = ipPacket(ipHeader(IpProto.UDP));
  p.udp = { srcPort: 1, dstPort: 2, payload: hex("0102") };
  const b = encodeFrame(p);
  b[b.length - 1] = b[b.length - 1]! ^ 0xff;
  assert.throws(() => decodeFrame(b), { message: "udp: bad checksum" });
  assert.deepEqual(decodeFrame(b, { verifyChecksum: false }).udp!.payload, hex("01fd"));
  b[24] = b[24]! ^ 0xff;
  assert.throws(() => decodeFrame(b), { message: "ipv4: bad header checksum" });
});

Deno.test("frame: frameLength equals the encoded length and decode inverts encode (property)", () => {
  fc.assert(
    fc.property(arbPacket, (p) => {
      const bytes = encodeFrame(p);
      assert.equal(bytes.length, frameLength(p));
      assert.deepEqual(decodeFrame(bytes), p);
      if (p.ip !== undefined) {
        assert.equal(encodeTransport(p).length, ipPayloadLength(p));
        assert.equal(frameLength(p), bytes.length);
      }
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

Deno.test("frame: clonePacket is a deep copy of headers that shares payload bytes (property)", () => {
  fc.assert(
    fc.property(arbPacket, fc.nat(), (p, id) => {
      p.id = id;
      const c = clonePacket(p);
      assert.deepEqual(c, p);
      assert.notEqual(c.eth, p.eth);
      if (p.eth.vlan) assert.notEqual(c.eth.vlan, p.eth.vlan);
      if (p.arp) assert.notEqual(c.arp, p.arp);
      if (p.ip) {
        assert.notEqual(c.ip, p.ip);
        if (p.ip.options) assert.notEqual(c.ip!.options, p.ip.options);
      }
      if (p.icmp) {
        assert.notEqual(c.icmp, p.icmp);
        assert.equal(c.icmp!.payload, p.icmp.payload);
      }
      if (p.udp) {
        assert.notEqual(c.udp, p.udp);
        assert.equal(c.udp!.payload, p.udp.payload);
      }
      if (p.tcp) {
        assert.notEqual(c.tcp, p.tcp);
        assert.notEqual(c.tcp!.options, p.tcp.options);
        if (p.tcp.options.sack) {
          assert.notEqual(c.tcp!.options.sack, p.tcp.options.sack);
          assert.notEqual(c.tcp!.options.sack![0], p.tcp.options.sack[0]);
        }
        if (p.tcp.options.timestamp) {
          assert.notEqual(c.tcp!.options.timestamp, p.tcp.options.timestamp);
        }
        assert.equal(c.tcp!.payload, p.tcp.payload);
      }
      assert.equal(c.raw, p.raw);
      // Mutating the copy leaves the original alone.
      const before = structuredClone(p);
      c.eth.dst = 1;
      if (c.ip) c.ip.ttl = (c.ip.ttl + 1) & 0xff;
      if (c.tcp) c.tcp.options.mss = 1;
      if (c.tcp?.options.sack) c.tcp.options.sack[0]![0] = 17;
      assert.deepEqual(p, before);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

Deno.test("frame: any bytes, truncations and corruptions decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (b, verify) => {
      decodesOrWireError(() => decodeFrame(b, { verifyChecksum: verify }));
    }),
    { seed: SEED, numRuns: 1000 },
  );
  // Valid Ethernet + IPv4 headers in front of random transport bytes.
  fc.assert(
    fc.property(
      arbIpv4(fc.constantFrom(1, 6, 17, 47), "any"),
      arbBytes(80),
      fc.boolean(),
      (h, body, verify) => {
        const b = new Uint8Array(14 + 60 + body.length);
        b[12] = 0x08;
        const hl = encodeIpv4(h, b, 14, body.length);
        b.set(body, 14 + hl);
        const o = { verifyChecksum: verify };
        decodesOrWireError(() => decodeFrame(b.subarray(0, 14 + hl + body.length), o));
        decodesOrWireError(() => decodeTransport(h, body, o));
      },
    ),
    { seed: SEED, numRuns: 2000 },
  );
  fc.assert(
    fc.property(arbPacket, fc.nat(), fc.nat(255), (p, at, v) => {
      const b = encodeFrame(p);
      for (let n = 0; n < b.length; n++) {
        decodesOrWireError(() => decodeFrame(b.subarray(0, n)));
        decodesOrWireError(() => decodeFrame(b.subarray(0, n), { verifyChecksum: false }));
      }
      const bad = b.slice();
      bad[at % bad.length] = v;
      decodesOrWireError(() => decodeFrame(bad));
      decodesOrWireError(() => decodeFrame(bad, { verifyChecksum: false }));
    }),
    { seed: SEED, numRuns: 300 },
  );
});
