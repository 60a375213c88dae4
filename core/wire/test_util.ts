/**
 * Shared helpers for the codec tests: hex fixtures, a "WireError or success"
 * check for fuzzing decoders, and fast-check arbitraries for every header
 * representation. Test-only; not re-exported by `mod.ts`.
 *
 * @module
 */
import fc from "fast-check";
import { WireError } from "./errors.ts";
import {
  type ArpPacket,
  type EthernetHeader,
  EtherType,
  type IcmpMessage,
  IpProto,
  type Ipv4Header,
  newPacket,
  type Packet,
  type TcpOptions,
  type TcpSegment,
  type UdpDatagram,
  type VlanTag,
} from "./packet.ts";

/** Parse hex text (whitespace and newlines ignored) into bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) {
    throw new Error(`bad hex fixture: ${text}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Format bytes as lower-case hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += (b < 16 ? "0" : "") + b.toString(16);
  return s;
}

/**
 * Run a decoder on possibly bad input: returns true when it succeeded, false when
 * it threw a WireError, and rethrows anything else (which fails the test).
 */
export function decodesOrWireError(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (e instanceof WireError) return false;
    throw e;
  }
}

/** `fc.record` with ordinary (Object-prototype) objects, so deepStrictEqual matches decoded values. */
export function rec<T extends Record<string, any>>(
  model: { [K in keyof T]: fc.Arbitrary<T[K]> },
): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

/** Fixed seed so property runs are reproducible. */
export const SEED = 42;

/** Any 48-bit MAC. */
export const arbMac: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff }).chain((hi) =>
  fc.integer({ min: 0, max: 0xffffffff }).map((lo) => hi * 0x100000000 + lo)
);
/** Any IPv4 address. */
export const arbIp4: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffffffff });
/** Any 16-bit value. */
export const arbU16: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff });
/** Any 32-bit unsigned value. */
export const arbU32: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffffffff });
/** Payload bytes up to `max` long. */
export function arbBytes(max = 64): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength: max });
}

/** Any 802.1Q tag. */
export const arbVlan: fc.Arbitrary<VlanTag> = rec({
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});

/** An Ethernet header with the given EtherType arbitrary and an optional tag. */
export function arbEth(type: fc.Arbitrary<number>): fc.Arbitrary<EthernetHeader> {
  return rec({
    dst: arbMac,
    src: arbMac,
    type,
    vlan: fc.option(arbVlan, { nil: undefined }),
  });
}

/** Any ARP packet. */
export const arbArp: fc.Arbitrary<ArpPacket> = rec({
  op: arbU16,
  senderMac: arbMac,
  senderIp: arbIp4,
  targetMac: arbMac,
  targetIp: arbIp4,
});

/** IPv4 options: undefined or 4..40 bytes in 4-byte words. */
export const arbIpOptions: fc.Arbitrary<Uint8Array | undefined> = fc.option(
  fc.integer({ min: 1, max: 10 }).chain((n) =>
    fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })
  ),
  { nil: undefined },
);

/** An IPv4 header with the given protocol arbitrary; `frag` chooses fragment fields. */
export function arbIpv4(
  proto: fc.Arbitrary<number> = fc.integer({ min: 0, max: 255 }),
  frag: "any" | "none" | "fragment" = "any",
): fc.Arbitrary<Ipv4Header> {
  const offset = frag === "none"
    ? fc.constant(0)
    : fc.integer({ min: 0, max: 0x1fff }).map((u) => u * 8);
  const mf = frag === "none" ? fc.constant(false) : fc.boolean();
  return rec({
    tos: fc.integer({ min: 0, max: 255 }),
    id: arbU16,
    df: fc.boolean(),
    mf,
    fragOffset: offset,
    ttl: fc.integer({ min: 0, max: 255 }),
    proto,
    src: arbIp4,
    dst: arbIp4,
    options: arbIpOptions,
  }).filter((h) => frag !== "fragment" || h.mf || h.fragOffset !== 0);
}

/** Any ICMP message with real payload bytes. */
export const arbIcmp: fc.Arbitrary<IcmpMessage> = rec({
  type: fc.integer({ min: 0, max: 255 }),
  code: fc.integer({ min: 0, max: 255 }),
  rest: arbU32,
  payload: arbBytes(),
});

/** Any UDP datagram with real payload bytes. */
export const arbUdp: fc.Arbitrary<UdpDatagram> = rec({
  srcPort: arbU16,
  dstPort: arbU16,
  payload: arbBytes(),
});

function optionBytes(o: TcpOptions): number {
  let n = 0;
  if (o.mss !== undefined) n += 4;
  if (o.timestamp !== undefined || o.sackPermitted) n += o.timestamp !== undefined ? 12 : 4;
  if (o.wscale !== undefined) n += 4;
  if (o.sack !== undefined) n += 4 + 8 * o.sack.length;
  return n;
}

/** TCP options that fit in 40 bytes. */
export const arbTcpOptions: fc.Arbitrary<TcpOptions> = rec({
  mss: fc.option(arbU16, { nil: undefined }),
  wscale: fc.option(fc.integer({ min: 0, max: 14 }), { nil: undefined }),
  sackPermitted: fc.boolean(),
  sack: fc.option(
    fc.array(fc.tuple(arbU32, arbU32), { minLength: 1, maxLength: 4 }) as fc.Arbitrary<
      Array<[number, number]>
    >,
    { nil: undefined },
  ),
  timestamp: fc.option(rec({ val: arbU32, ecr: arbU32 }), { nil: undefined }),
}).filter((o) => optionBytes(o) <= 40);

/** Any TCP segment with real payload bytes. */
export const arbTcp: fc.Arbitrary<TcpSegment> = rec({
  srcPort: arbU16,
  dstPort: arbU16,
  seq: arbU32,
  ack: arbU32,
  flags: fc.integer({ min: 0, max: 255 }),
  window: arbU16,
  urgent: arbU16,
  options: arbTcpOptions,
  payload: arbBytes(),
});

/** An IPv4 packet with a header from `ipArb`, completed by `fill`. */
function ipPacketArb(
  ipArb: fc.Arbitrary<Ipv4Header>,
  fill: (p: Packet) => fc.Arbitrary<Packet>,
): fc.Arbitrary<Packet> {
  return fc.tuple(arbEth(fc.constant(EtherType.IPv4)), ipArb).chain(([eth, ip]) => {
    const p = newPacket(eth);
    p.ip = ip;
    return fill(p);
  });
}

/**
 * Any packet the frame codec round-trips: ARP; IPv4 with ICMP, UDP, TCP, an
 * unknown protocol or a fragment (raw); or an unknown EtherType (raw).
 */
export const arbPacket: fc.Arbitrary<Packet> = fc.oneof(
  fc.tuple(arbEth(fc.constant(EtherType.ARP)), arbArp).map(([eth, arp]) => {
    const p = newPacket(eth);
    p.arp = arp;
    return p;
  }),
  ipPacketArb(arbIpv4(fc.constant(IpProto.ICMP), "none"), (p) =>
    arbIcmp.map((m) => {
      p.icmp = m;
      return p;
    })),
  ipPacketArb(arbIpv4(fc.constant(IpProto.UDP), "none"), (p) =>
    arbUdp.map((d) => {
      p.udp = d;
      return p;
    })),
  ipPacketArb(arbIpv4(fc.constant(IpProto.TCP), "none"), (p) =>
    arbTcp.map((s) => {
      p.tcp = s;
      return p;
    })),
  ipPacketArb(
    arbIpv4(fc.integer({ min: 0, max: 255 }).filter((n) => n !== 1 && n !== 6 && n !== 17), "none"),
    (p) =>
      arbBytes().map((b) => {
        p.raw = b;
        return p;
      }),
  ),
  ipPacketArb(arbIpv4(fc.constantFrom(1, 6, 17, 47), "fragment"), (p) =>
    arbBytes().map((b) => {
      p.raw = b;
      return p;
    })),
  fc.tuple(
    arbEth(
      arbU16.filter((t) => t !== EtherType.IPv4 && t !== EtherType.ARP && t !== EtherType.VLAN),
    ),
    arbBytes(),
  ).map(([eth, raw]) => {
    const p = newPacket(eth);
    p.raw = raw;
    return p;
  }),
);
