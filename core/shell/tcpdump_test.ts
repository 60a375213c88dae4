import assert from "node:assert/strict";
import { compileFilter, FilterError, tcpdumpLine } from "./tcpdump.ts";
import { EtherType, IpProto, newPacket, type Packet } from "../wire/packet.ts";
import { ip } from "../wire/addr.ts";

function icmp(src: string, dst: string, type: number): Packet {
  const p = newPacket({ dst: 2, src: 1, type: EtherType.IPv4, vlan: undefined });
  p.ip = {
    tos: 0,
    id: 1,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto: IpProto.ICMP,
    src: ip(src),
    dst: ip(dst),
    options: undefined,
  };
  p.icmp = { type, code: 0, rest: (7 << 16) | 1, payload: new Uint8Array(56) };
  return p;
}

function arp(sender: string, target: string): Packet {
  const p = newPacket({ dst: 0xffffffffffff, src: 1, type: EtherType.ARP, vlan: undefined });
  p.arp = { op: 1, senderMac: 1, senderIp: ip(sender), targetMac: 0, targetIp: ip(target) };
  return p;
}

Deno.test("tcpdump: lines as tcpdump 4.99 prints them", () => {
  assert.equal(
    tcpdumpLine(3_000_123_456, icmp("10.0.0.1", "10.0.0.2", 8), false),
    "00:00:03.000123 IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 64",
  );
  assert.equal(
    tcpdumpLine(0, arp("10.0.0.1", "10.0.0.2"), true),
    "00:00:00.000000 00:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28",
  );
});

Deno.test("tcpdump: capture filters", () => {
  const req = icmp("10.0.0.1", "10.0.1.2", 8);
  const who = arp("10.0.0.1", "10.0.0.9");
  const cases: Array<[string, boolean, boolean]> = [
    ["", true, true],
    ["icmp", true, false],
    ["arp or icmp", true, true],
    ["arp and src host 10.0.0.1", false, true],
    ["icmp and not host 10.0.1.1", true, false],
    ["host 10.0.0.9", false, true],
    ["ip host 10.0.0.9", false, false],
    ["dst host 10.0.1.2", true, false],
    ["src 10.0.1.2", false, false],
    ["net 10.0.1.0/24", true, false],
    ["not (icmp or arp)", false, false],
    ["! arp", true, false],
    ["udp port 53", false, false],
    ["broadcast", false, true],
    ["ether src host 00:00:00:00:00:01", true, true],
  ];
  for (const [expr, a, b] of cases) {
    const f = compileFilter(expr);
    assert.deepEqual([f(req), f(who)], [a, b], expr);
  }
  for (const bad of ["icmp and", "(icmp", "host", "port x", "frobnicate"]) {
    assert.throws(() => compileFilter(bad), FilterError, bad);
  }
});
