import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeIcmp,
  echoId,
  echoRest,
  echoSeq,
  encodeIcmp,
  encodeIcmpHeader,
  icmpLength,
  IcmpType,
  isIcmpError,
  nextHopMtu,
  parseQuote,
  quoteDatagram,
  RedirectCode,
  UnreachableCode,
} from "./icmp.ts";
import { encodeUdp } from "./udp.ts";
import { encodeTcp } from "./tcp.ts";
import { decodeIpv4Header, encodeIpv4 } from "./ipv4.ts";
import { internetChecksum } from "./checksum.ts";
import {
  EtherType,
  type IcmpMessage,
  IpProto,
  type Ipv4Header,
  newPacket,
  noTcpOptions,
  type Packet,
  TcpFlag,
} from "./packet.ts";
import { ip } from "./addr.ts";
import { arbIcmp, decodesOrWireError, hex, SEED, toHex } from "./test_util.ts";

const A = ip("10.0.0.1");
const B = ip("10.0.0.2");

Deno.test("icmp: echo request fixture with a hand-computed checksum", () => {
  // 0800 + 1234 + 0001 + 6162 + 6364 = defb → checksum 2104.
  const m: IcmpMessage = {
    type: IcmpType.ECHO_REQUEST,
    code: 0,
    rest: echoRest(0x1234, 1),
    payload: hex("61626364"),
  };
  const out = new Uint8Array(12);
  assert.equal(encodeIcmp(m, out, 0), 12);
  assert.equal(toHex(out), "0800" + "2104" + "1234" + "0001" + "61626364");
  const back = decodeIcmp(out, 0);
  assert.deepEqual(back, m);
  assert.equal(echoId(back), 0x1234);
  assert.equal(echoSeq(back), 1);
  assert.equal(icmpLength(m), 12);
});

Deno.test("icmp: odd-length body, virtual body, header-only encode", () => {
  const m: IcmpMessage = { type: 0, code: 0, rest: echoRest(7, 0xffff), payload: hex("ff") };
  const out = new Uint8Array(9);
  encodeIcmp(m, out, 0);
  assert.equal(internetChecksum(out, 0, 9), 0);
  assert.deepEqual(decodeIcmp(out, 0), m);
  const v: IcmpMessage = { type: 8, code: 0, rest: echoRest(1, 2), payload: 56 };
  const big = new Uint8Array(64).fill(0x55);
  assert.equal(encodeIcmp(v, big, 0), 64);
  assert.ok(big.subarray(8).every((b) => b === 0));
  assert.equal(internetChecksum(big, 0, 64), 0);
  const head = new Uint8Array(8);
  encodeIcmpHeader(v, head, 0);
  assert.equal(toHex(head), toHex(big.subarray(0, 8)));
});

Deno.test("icmp: errors", () => {
  const out = new Uint8Array(12);
  encodeIcmp({ type: 8, code: 0, rest: 1, payload: hex("01020304") }, out, 0);
  assert.throws(() => decodeIcmp(out, 0, 7), { message: "icmp: truncated header" });
  assert.throws(() => decodeIcmp(out, 0, 11), { message: "icmp: bad checksum" });
  assert.deepEqual(decodeIcmp(out, 0, 11, { verifyChecksum: false }).payload, hex("010203"));
  assert.throws(() => encodeIcmp({ type: 8, code: 0, rest: 1, payload: 5 }, out, 0), {
    message: "icmp: output buffer too small",
  });
  assert.throws(() => quoteDatagram(newPacket({ dst: 0, src: 0, type: 0x0806, vlan: undefined })), {
    message: "icmp: quoted packet is not IPv4",
  });
  assert.throws(() => parseQuote(hex("4500")), { message: "ipv4: truncated header" });
});

Deno.test("icmp: helper predicates", () => {
  assert.ok(isIcmpError(IcmpType.DEST_UNREACHABLE));
  assert.ok(isIcmpError(IcmpType.TIME_EXCEEDED));
  assert.ok(isIcmpError(IcmpType.REDIRECT));
  assert.ok(!isIcmpError(IcmpType.ECHO_REQUEST));
  assert.ok(!isIcmpError(IcmpType.ECHO_REPLY));
  assert.equal(echoRest(0xffff, 0xffff), 0xffffffff);
});

function ipHeader(proto: number, patch: Partial<Ipv4Header> = {}): Ipv4Header {
  return {
    tos: 0,
    id: 77,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 63,
    proto,
    src: A,
    dst: B,
    options: undefined,
    ...patch,
  };
}

function ipPacket(h: Ipv4Header): Packet {
  const p = newPacket({ dst: 2, src: 1, type: EtherType.IPv4, vlan: undefined });
  p.ip = h;
  return p;
}

Deno.test("icmp: quote of a UDP datagram, inside a frag-needed message", () => {
  const p = ipPacket(ipHeader(IpProto.UDP));
  p.udp = { srcPort: 5000, dstPort: 53, payload: 1472 };
  const q = quoteDatagram(p);
  assert.equal(q.length, 28);
  // The quoted IP header is the one on the wire: total 1500, valid checksum.
  const wireHeader = new Uint8Array(20);
  encodeIpv4(p.ip!, wireHeader, 0, 1480);
  assert.equal(toHex(q.subarray(0, 20)), toHex(wireHeader));
  const full = new Uint8Array(1480);
  encodeUdp(p.udp, full, 0, A, B);
  assert.equal(toHex(q.subarray(20)), toHex(full.subarray(0, 8)));

  const err: IcmpMessage = {
    type: IcmpType.DEST_UNREACHABLE,
    code: UnreachableCode.FRAG_NEEDED,
    rest: 1400,
    payload: q,
  };
  const out = new Uint8Array(icmpLength(err));
  encodeIcmp(err, out, 0);
  assert.equal(toHex(out.subarray(0, 2)), "0304");
  assert.equal(toHex(out.subarray(4, 8)), "00000578");
  const back = decodeIcmp(out, 0);
  assert.equal(nextHopMtu(back), 1400);
  const parsed = parseQuote(back.payload as Uint8Array);
  assert.deepEqual(parsed, {
    ip: p.ip,
    totalLength: 1500,
    srcPort: 5000,
    dstPort: 53,
    tcpSeq: undefined,
    echoId: undefined,
    echoSeq: undefined,
  });
});

Deno.test("icmp: quote of a TCP segment and of an echo request", () => {
  const t = ipPacket(ipHeader(IpProto.TCP, { options: hex("01010100") }));
  t.tcp = {
    srcPort: 40000,
    dstPort: 443,
    seq: 0xfedcba98,
    ack: 5,
    flags: TcpFlag.ACK,
    window: 100,
    urgent: 0,
    options: noTcpOptions(),
    payload: hex("0102030405"),
  };
  const q = quoteDatagram(t);
  assert.equal(q.length, 32);
  const full = new Uint8Array(25);
  encodeTcp(t.tcp, full, 0, A, B);
  assert.equal(toHex(q.subarray(24)), toHex(full.subarray(0, 8)));
  const pq = parseQuote(q);
  assert.equal(pq.totalLength, 24 + 25);
  assert.deepEqual([pq.srcPort, pq.dstPort, pq.tcpSeq], [40000, 443, 0xfedcba98]);
  assert.deepEqual(pq.ip.options, hex("01010100"));

  const e = ipPacket(ipHeader(IpProto.ICMP));
  e.icmp = { type: IcmpType.ECHO_REQUEST, code: 0, rest: echoRest(99, 3), payload: 56 };
  const eq = quoteDatagram(e);
  assert.equal(eq.length, 28);
  assert.equal(internetChecksum(eq, 0, 20), 0);
  const ep = parseQuote(eq);
  assert.deepEqual([ep.echoId, ep.echoSeq, ep.srcPort], [99, 3, undefined]);
  // A quoted error is not an echo: no id/seq.
  e.icmp = { type: IcmpType.REDIRECT, code: RedirectCode.HOST, rest: ip("10.0.0.254"), payload: 0 };
  assert.equal(parseQuote(quoteDatagram(e)).echoId, undefined);
});

Deno.test("icmp: quote of short and fragmented payloads; cut-short quotes", () => {
  const r = ipPacket(ipHeader(IpProto.GRE));
  r.raw = hex("aabbcc");
  const q = quoteDatagram(r);
  assert.equal(toHex(q.subarray(20)), "aabbcc");
  assert.equal(parseQuote(q).totalLength, 23);

  const frag = ipPacket(ipHeader(IpProto.UDP, { df: false, fragOffset: 1480 }));
  frag.raw = new Uint8Array(100).fill(7);
  const fq = parseQuote(quoteDatagram(frag));
  assert.equal(fq.ip.fragOffset, 1480);
  assert.equal(fq.srcPort, undefined);

  const u = ipPacket(ipHeader(IpProto.UDP));
  u.udp = { srcPort: 1, dstPort: 2, payload: 0 };
  const uq = quoteDatagram(u);
  assert.deepEqual([parseQuote(uq, 0, 22).srcPort, parseQuote(uq, 0, 22).dstPort], [1, undefined]);
  assert.equal(parseQuote(uq, 0, 20).srcPort, undefined);
  // The quoted checksum is not verified.
  uq[10] = uq[10]! ^ 0xff;
  assert.deepEqual(parseQuote(uq).ip, decodeIpv4Header(uq, 0, 20, { verifyChecksum: false }));
});

Deno.test("icmp: decode(encode(m)) = m (property)", () => {
  fc.assert(
    fc.property(arbIcmp, fc.nat(3), (m, off) => {
      const out = new Uint8Array(off + icmpLength(m));
      assert.equal(encodeIcmp(m, out, off), icmpLength(m));
      assert.deepEqual(decodeIcmp(out, off), m);
    }),
    { seed: SEED, numRuns: 500 },
  );
});

Deno.test("icmp: random bytes, truncations and corruptions decode or throw WireError (property)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), fc.nat(70), (b, n) => {
      decodesOrWireError(() => decodeIcmp(b, 0));
      decodesOrWireError(() => decodeIcmp(b, n, undefined, { verifyChecksum: false }));
      decodesOrWireError(() => decodeIcmp(b, 0, n));
      if (b.length > 0) b[0] = 0x40 | (b[0]! & 0xf);
      decodesOrWireError(() => parseQuote(b));
      decodesOrWireError(() => parseQuote(b, n));
      decodesOrWireError(() => parseQuote(b, 0, n));
    }),
    { seed: SEED, numRuns: 1000 },
  );
  fc.assert(
    fc.property(arbIcmp, (m) => {
      const out = new Uint8Array(icmpLength(m));
      encodeIcmp(m, out, 0);
      for (let n = 0; n <= out.length; n++) {
        decodesOrWireError(() => decodeIcmp(out.subarray(0, n), 0));
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});
