import assert from "node:assert/strict";
import fc from "fast-check";
import { LINKTYPE_ETHERNET, PCAP_NANOSECOND_MAGIC, PCAP_SNAPLEN, PcapWriter } from "./pcap.ts";
import { encodeFrame, encodeTransport } from "./frame.ts";
import { echoRest, IcmpType, quoteDatagram, RedirectCode, UnreachableCode } from "./icmp.ts";
import { ArpOp } from "./arp.ts";
import {
  BROADCAST_MAC,
  EtherType,
  IpProto,
  type Ipv4Header,
  newPacket,
  noTcpOptions,
  type Packet,
  TcpFlag,
  type TcpSegment,
} from "./packet.ts";
import { ip } from "./addr.ts";
import { WireError } from "./errors.ts";
import { SEED, toHex } from "./test_util.ts";

function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Split a pcap file into records (a minimal reader for the tests). */
function records(
  file: Uint8Array,
): Array<{ sec: number; nsec: number; orig: number; data: Uint8Array }> {
  const out = [];
  let o = 24;
  while (o < file.length) {
    const incl = u32le(file, o + 8);
    out.push({
      sec: u32le(file, o),
      nsec: u32le(file, o + 4),
      orig: u32le(file, o + 12),
      data: file.subarray(o + 16, o + 16 + incl),
    });
    o += 16 + incl;
  }
  assert.equal(o, file.length);
  return out;
}

Deno.test("pcap: global header is nanosecond libpcap 2.4, snaplen 262144, Ethernet", () => {
  const w = new PcapWriter();
  assert.equal(w.count, 0);
  const b = w.bytes();
  assert.equal(b.length, 24);
  assert.equal(
    toHex(b),
    "4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000",
  );
  assert.equal(u32le(b, 0), PCAP_NANOSECOND_MAGIC);
  assert.equal(u32le(b, 16), PCAP_SNAPLEN);
  assert.equal(u32le(b, 20), LINKTYPE_ETHERNET);
});

Deno.test("pcap: record layout and timestamp split", () => {
  const w = new PcapWriter();
  w.write(1_234_567_890_123, new Uint8Array([1, 2, 3]));
  assert.equal(w.count, 1);
  assert.equal(w.byteLength, 24 + 16 + 3);
  assert.equal(
    toHex(w.bytes().subarray(24)),
    "d2040000" + "cb50d921" + "03000000" + "03000000" + "010203",
  ); // 1234 s, 567890123 ns
  assert.throws(() => w.write(-1, new Uint8Array(1)), { message: "pcap: bad timestamp" });
  assert.throws(() => w.write(1.5, new Uint8Array(1)), WireError);
  assert.throws(() => w.write(Number.NaN, new Uint8Array(1)), WireError);
  assert.equal(w.count, 1);
});

Deno.test("pcap: frames over the snapshot length are truncated, original length kept", () => {
  const w = new PcapWriter(16);
  w.write(0, new Uint8Array(PCAP_SNAPLEN + 10).fill(9));
  const [r] = records(w.bytes());
  assert.equal(r!.data.length, PCAP_SNAPLEN);
  assert.equal(r!.orig, PCAP_SNAPLEN + 10);
});

Deno.test("pcap: growing buffer keeps every record and earlier views (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(2 ** 40), fc.uint8Array({ maxLength: 300 })), { maxLength: 60 }),
      fc.integer({ min: 1, max: 200 }),
      (frames, cap) => {
        const w = new PcapWriter(cap);
        const early = w.bytes();
        for (const [t, f] of frames) w.write(t, f);
        assert.equal(w.count, frames.length);
        assert.equal(toHex(early), toHex(w.bytes().subarray(0, 24)));
        const rs = records(w.bytes());
        assert.equal(rs.length, frames.length);
        rs.forEach((r, i) => {
          const [t, f] = frames[i]!;
          assert.equal(r.sec * 1e9 + r.nsec, t);
          assert.ok(r.nsec < 1e9);
          assert.equal(r.orig, f.length);
          assert.equal(toHex(r.data), toHex(f));
        });
      },
    ),
    { seed: SEED, numRuns: 200 },
  );
});

// --- Cross-check against an independent dissector -------------------------

async function detectTshark(): Promise<boolean> {
  try {
    const perm = await Deno.permissions.query({ name: "run", command: "tshark" });
    if (perm.state !== "granted") return false;
    const out = await new Deno.Command("tshark", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const hasTshark = await detectTshark();

const MAC_A = 0x020000000001;
const MAC_B = 0x020000000002;
const MAC_R = 0x0200000000fe;
const A = ip("10.0.0.1");
const B = ip("10.0.0.2");
const R = ip("10.0.0.254");
const FAR = ip("192.0.2.7");

function ipv4(
  proto: number,
  src: number,
  dst: number,
  patch: Partial<Ipv4Header> = {},
): Ipv4Header {
  return {
    tos: 0,
    id: 0x100,
    df: true,
    mf: false,
    fragOffset: 0,
    ttl: 64,
    proto,
    src,
    dst,
    options: undefined,
    ...patch,
  };
}

function ipPacket(srcMac: number, dstMac: number, h: Ipv4Header): Packet {
  const p = newPacket({ dst: dstMac, src: srcMac, type: EtherType.IPv4, vlan: undefined });
  p.ip = h;
  return p;
}

function tcp(flags: number, seq: number, ack: number, patch: Partial<TcpSegment> = {}): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 50000,
    seq,
    ack,
    flags,
    window: 65535,
    urgent: 0,
    options: noTcpOptions(),
    payload: new Uint8Array(0),
    ...patch,
  };
}

/** One frame of every kind the codecs produce, with a label for failure messages. */
function sampleFrames(): Array<[string, Packet]> {
  const frames: Array<[string, Packet]> = [];
  const arpReq = newPacket({
    dst: BROADCAST_MAC,
    src: MAC_A,
    type: EtherType.ARP,
    vlan: undefined,
  });
  arpReq.arp = { op: ArpOp.REQUEST, senderMac: MAC_A, senderIp: A, targetMac: 0, targetIp: B };
  frames.push(["arp request", arpReq]);
  const arpRep = newPacket({ dst: MAC_A, src: MAC_B, type: EtherType.ARP, vlan: undefined });
  arpRep.arp = { op: ArpOp.REPLY, senderMac: MAC_B, senderIp: B, targetMac: MAC_A, targetIp: A };
  frames.push(["arp reply", arpRep]);

  const echo = ipPacket(MAC_A, MAC_B, ipv4(IpProto.ICMP, A, B));
  echo.icmp = {
    type: IcmpType.ECHO_REQUEST,
    code: 0,
    rest: echoRest(0x77, 1),
    payload: new Uint8Array(56).map((_, i) => i),
  };
  frames.push(["echo request", echo]);
  const reply = ipPacket(MAC_B, MAC_A, ipv4(IpProto.ICMP, B, A, { df: false }));
  reply.icmp = { ...echo.icmp, type: IcmpType.ECHO_REPLY };
  frames.push(["echo reply", reply]);

  const udp = ipPacket(MAC_A, MAC_B, ipv4(IpProto.UDP, A, B, { tos: 0xb8 }));
  udp.udp = { srcPort: 40001, dstPort: 40002, payload: new TextEncoder().encode("hello, wire") };
  frames.push(["udp", udp]);
  const unreach = ipPacket(MAC_B, MAC_A, ipv4(IpProto.ICMP, B, A));
  unreach.icmp = {
    type: IcmpType.DEST_UNREACHABLE,
    code: UnreachableCode.PORT,
    rest: 0,
    payload: quoteDatagram(udp),
  };
  frames.push(["port unreachable", unreach]);

  const big = ipPacket(MAC_A, MAC_R, ipv4(IpProto.UDP, A, FAR));
  big.udp = { srcPort: 40003, dstPort: 40004, payload: 1472 };
  frames.push(["udp 1500 virtual payload", big]);
  const fragNeeded = ipPacket(MAC_R, MAC_A, ipv4(IpProto.ICMP, R, A, { df: false }));
  fragNeeded.icmp = {
    type: IcmpType.DEST_UNREACHABLE,
    code: UnreachableCode.FRAG_NEEDED,
    rest: 1400,
    payload: quoteDatagram(big),
  };
  frames.push(["frag needed", fragNeeded]);

  const lost = ipPacket(MAC_A, MAC_R, { ...echo.ip!, dst: FAR, ttl: 1 });
  lost.icmp = echo.icmp;
  const expired = ipPacket(MAC_R, MAC_A, ipv4(IpProto.ICMP, R, A, { df: false }));
  expired.icmp = { type: IcmpType.TIME_EXCEEDED, code: 0, rest: 0, payload: quoteDatagram(lost) };
  frames.push(["time exceeded", expired]);

  const redirect = ipPacket(MAC_R, MAC_A, ipv4(IpProto.ICMP, R, A, { df: false }));
  redirect.icmp = {
    type: IcmpType.REDIRECT,
    code: RedirectCode.HOST,
    rest: B,
    payload: quoteDatagram({ ...udp, ip: { ...udp.ip!, dst: FAR } }),
  };
  frames.push(["redirect", redirect]);

  const synOpts = {
    mss: 1460,
    wscale: 7,
    sackPermitted: true,
    sack: undefined,
    timestamp: { val: 1000, ecr: 0 },
  };
  const syn = ipPacket(MAC_A, MAC_B, ipv4(IpProto.TCP, A, B));
  syn.tcp = tcp(TcpFlag.SYN, 1000, 0, { options: synOpts });
  frames.push(["tcp syn", syn]);
  const synAck = ipPacket(MAC_B, MAC_A, ipv4(IpProto.TCP, B, A));
  synAck.tcp = tcp(TcpFlag.SYN | TcpFlag.ACK, 5000, 1001, {
    srcPort: 50000,
    dstPort: 40000,
    options: { ...synOpts, wscale: 9, timestamp: { val: 2000, ecr: 1000 } },
  });
  frames.push(["tcp syn-ack", synAck]);
  const data = ipPacket(
    MAC_A,
    MAC_B,
    ipv4(IpProto.TCP, A, B, { options: new Uint8Array([1, 1, 1, 0]) }),
  );
  data.tcp = tcp(TcpFlag.ACK | TcpFlag.PSH, 1001, 5001, {
    window: 502,
    options: { ...noTcpOptions(), timestamp: { val: 1010, ecr: 2000 } },
    payload: new TextEncoder().encode("some bytes of stream data"),
  });
  frames.push(["tcp data with ip options", data]);
  const sackAck = ipPacket(MAC_B, MAC_A, ipv4(IpProto.TCP, B, A));
  sackAck.tcp = tcp(TcpFlag.ACK, 5001, 1026, {
    srcPort: 50000,
    dstPort: 40000,
    window: 1000,
    options: {
      ...noTcpOptions(),
      timestamp: { val: 2010, ecr: 1010 },
      sack: [[1126, 1226]],
    },
  });
  frames.push(["tcp ack with sack", sackAck]);

  const tagged = ipPacket(MAC_A, MAC_B, ipv4(IpProto.UDP, A, B));
  tagged.eth.vlan = { pcp: 5, dei: false, vid: 100 };
  tagged.udp = { srcPort: 40005, dstPort: 40006, payload: new Uint8Array([1, 2, 3]) };
  frames.push(["vlan udp", tagged]);

  const whole = ipPacket(MAC_A, MAC_B, ipv4(IpProto.UDP, A, B, { df: false, id: 0xbeef }));
  whole.udp = { srcPort: 40007, dstPort: 40008, payload: new Uint8Array(300).map((_, i) => i * 7) };
  const l4 = encodeTransport(whole);
  const first = ipPacket(MAC_A, MAC_B, { ...whole.ip!, mf: true });
  first.raw = l4.slice(0, 160);
  const second = ipPacket(MAC_A, MAC_B, { ...whole.ip!, fragOffset: 160 });
  second.raw = l4.slice(160);
  frames.push(["fragment 1", first], ["fragment 2", second]);
  return frames;
}

Deno.test({
  name: "pcap: tshark dissects every kind of frame without errors or bad checksums",
  ignore: !hasTshark,
  async fn() {
    const frames = sampleFrames();
    const w = new PcapWriter();
    frames.forEach(([, p], i) => w.write(1_000_000_000 + i * 1_000_123, encodeFrame(p)));
    const file = await Deno.makeTempFile({
      dir: "/tmp",
      prefix: "packetlab-wire-",
      suffix: ".pcap",
    });
    try {
      await Deno.writeFile(file, w.bytes());
      const run = async (args: string[]): Promise<string> => {
        const out = await new Deno.Command("tshark", {
          args: ["-r", file, ...args],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(out.success, new TextDecoder().decode(out.stderr));
        return new TextDecoder().decode(out.stdout);
      };
      const verbose = await run([
        "-o",
        "ip.check_checksum:TRUE",
        "-o",
        "udp.check_checksum:TRUE",
        "-o",
        "tcp.check_checksum:TRUE",
        "-V",
      ]);
      const lines = verbose.split("\n");
      const bad = lines.filter((l) =>
        l.includes("Malformed") || l.includes("[Checksum Status: Bad]") ||
        /checksum status: bad/i.test(l) || l.includes("Expert Info (Error")
      );
      assert.deepEqual(bad, []);
      // Checksums were really checked, not skipped: 15 IPv4 headers, 4 quoted
      // IPv4 headers, 6 ICMP, 4 UDP (one reassembled from the fragments), 4 TCP.
      const good = lines.filter((l) => /checksum status: good/i.test(l)).length;
      assert.equal(good, 33);

      const fields = await run([
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
        "-e",
        "frame.protocols",
        "-e",
        "tcp.options.mss_val",
        "-e",
        "tcp.options.wscale.shift",
        "-e",
        "icmp.mtu",
        "-e",
        "vlan.id",
      ]);
      const rows = fields.trimEnd().split("\n").map((l) => l.split("\t"));
      assert.equal(rows.length, frames.length);
      const want: Record<string, string> = {
        "arp request": "eth:ethertype:arp",
        "arp reply": "eth:ethertype:arp",
        "echo request": "eth:ethertype:ip:icmp:data",
        "udp": "eth:ethertype:ip:udp:data",
        "port unreachable": "eth:ethertype:ip:icmp:ip:udp",
        "frag needed": "eth:ethertype:ip:icmp:ip:udp",
        "tcp syn": "eth:ethertype:ip:tcp",
        "tcp data with ip options": "eth:ethertype:ip:tcp:data",
        "vlan udp": "eth:ethertype:vlan:ethertype:ip:udp:data",
        "fragment 2": "eth:ethertype:ip:udp:data",
      };
      frames.forEach(([label], i) => {
        const row = rows[i]!;
        assert.equal(row[0], `1.${String(i * 1_000_123).padStart(9, "0")}`, label);
        if (want[label] !== undefined) assert.equal(row[1], want[label], label);
      });
      const syn = rows[frames.findIndex(([l]) => l === "tcp syn")]!;
      assert.deepEqual([syn[2], syn[3]], ["1460", "7"]);
      assert.equal(rows[frames.findIndex(([l]) => l === "frag needed")]![4], "1400");
      assert.equal(rows[frames.findIndex(([l]) => l === "vlan udp")]![5], "100");
    } finally {
      await Deno.remove(file);
    }
  },
});
