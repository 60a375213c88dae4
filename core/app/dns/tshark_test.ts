/**
 * Interoperability check: DNS queries and compressed responses encoded by this
 * codec, framed in Ethernet/IPv4/UDP on port 53, must be dissected by tshark
 * with every record and no malformed packet or expert warning. Skipped where
 * tshark is not installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import {
  DnsClass,
  type DnsMessage,
  dnsQuery,
  DnsRcode,
  type DnsRdata,
  type DnsRecord,
  DnsType,
  type Edns,
  encodeDns,
  truncateDns,
} from "./message.ts";
import { parseIp6 } from "./name.ts";
import { dissect, frames, hasTshark, problems, type UdpFrame } from "./udp_pcap_testing.ts";

const CLIENT_MAC = 0x525400a1b2c3;
const SERVER_MAC = 0x525400000001;
const CLIENT = ip("192.168.1.123");
const SERVER = ip("192.168.1.1");

const rr = (name: string, ttl: number, data: DnsRdata): DnsRecord => ({
  name,
  class: DnsClass.IN,
  ttl,
  data,
});

function frame(fromClient: boolean, port: number, payload: Uint8Array): UdpFrame {
  return {
    srcMac: fromClient ? CLIENT_MAC : SERVER_MAC,
    dstMac: fromClient ? SERVER_MAC : CLIENT_MAC,
    src: fromClient ? CLIENT : SERVER,
    dst: fromClient ? SERVER : CLIENT,
    srcPort: fromClient ? port : 53,
    dstPort: fromClient ? 53 : port,
    payload,
  };
}

Deno.test({
  name: "dns tshark: queries and compressed responses dissect cleanly",
  ignore: !hasTshark(),
  async fn() {
    const edns: Edns = {
      udpSize: 1232,
      version: 0,
      dnssecOk: false,
      z: 0,
      options: [{ code: 10, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }],
    };
    const query = { ...dnsQuery(0xbeef, "www.example.com.", DnsType.A, { edns }), ad: true };
    const response: DnsMessage = {
      ...query,
      qr: true,
      ra: true,
      ad: false,
      edns: { ...edns, udpSize: 1232 },
      answers: [
        rr("www.example.com.", 300, { type: "CNAME", target: "edge.example.com." }),
        rr("edge.example.com.", 60, { type: "A", address: ip("93.184.216.34") }),
        rr("edge.example.com.", 60, { type: "A", address: ip("93.184.216.35") }),
      ],
      authorities: [
        rr("example.com.", 86400, { type: "NS", target: "ns1.example.com." }),
        rr("example.com.", 86400, { type: "NS", target: "ns2.example.net." }),
      ],
      additionals: [
        rr("ns1.example.com.", 86400, { type: "A", address: ip("192.0.2.53") }),
        rr("ns1.example.com.", 86400, { type: "AAAA", address: parseIp6("2001:db8::53")! }),
      ],
    };
    const nxQuery = dnsQuery(0x0102, "nope.example.com.", DnsType.MX);
    const nx: DnsMessage = {
      ...nxQuery,
      qr: true,
      ra: true,
      aa: true,
      rcode: DnsRcode.NXDOMAIN,
      authorities: [rr("example.com.", 3600, {
        type: "SOA",
        mname: "ns1.example.com.",
        rname: "hostmaster.example.com.",
        serial: 2024010101,
        refresh: 7200,
        retry: 3600,
        expire: 1209600,
        minimum: 300,
      })],
    };
    const txtQuery = dnsQuery(0x0203, "example.com.", DnsType.TXT);
    const txt: DnsMessage = {
      ...txtQuery,
      qr: true,
      ra: true,
      answers: [
        rr("example.com.", 300, { type: "TXT", strings: ["v=spf1 -all"] }),
        rr("example.com.", 300, { type: "MX", preference: 10, exchange: "mail.example.com." }),
        rr("34.216.184.93.in-addr.arpa.", 300, { type: "PTR", target: "www.example.com." }),
      ],
    };
    // A response too big for 512 bytes, sent truncated.
    const bigQuery = dnsQuery(0x0304, "many.example.com.", DnsType.A);
    const big: DnsMessage = {
      ...bigQuery,
      qr: true,
      ra: true,
      answers: Array.from(
        { length: 40 },
        (_, i) => rr("many.example.com.", 60, { type: "A", address: ip(`10.0.0.${i}`) }),
      ),
    };
    const sent = truncateDns(big, 512);
    assert.ok(sent.truncated);

    const text = await dissect("/tmp/packetlab-dns.pcap", [
      frame(true, 53000, encodeDns(query)),
      frame(false, 53000, encodeDns(response)),
      frame(true, 53001, encodeDns(nxQuery)),
      frame(false, 53001, encodeDns(nx)),
      frame(true, 53002, encodeDns(txtQuery)),
      frame(false, 53002, encodeDns(txt)),
      frame(true, 53003, encodeDns(bigQuery)),
      frame(false, 53003, sent.bytes),
    ]);
    assert.deepEqual(problems(text), []);
    const f = frames(text);
    assert.equal(f.length, 8);
    const expect = (i: number, lines: string[]) => {
      for (const l of lines) {
        assert.ok(f[i]!.includes(l), `missing "${l}" in frame ${i + 1}:\n${f[i]}`);
      }
    };
    expect(0, [
      "Domain Name System (query)",
      "Transaction ID: 0xbeef",
      "Flags: 0x0120 Standard query",
      "www.example.com: type A, class IN",
      "<Root>: type OPT",
      "UDP payload size: 1232",
      "Option: COOKIE",
    ]);
    expect(1, [
      "Domain Name System (response)",
      "Flags: 0x8180 Standard query response, No error",
      "Answer RRs: 3",
      "Authority RRs: 2",
      "Additional RRs: 3",
      "Answers",
      "www.example.com: type CNAME, class IN, cname edge.example.com",
      "edge.example.com: type A, class IN, addr 93.184.216.34",
      "edge.example.com: type A, class IN, addr 93.184.216.35",
      "Authoritative nameservers",
      "example.com: type NS, class IN, ns ns1.example.com",
      "example.com: type NS, class IN, ns ns2.example.net",
      "Additional records",
      "ns1.example.com: type A, class IN, addr 192.0.2.53",
      "ns1.example.com: type AAAA, class IN, addr 2001:db8::53",
      "[Request In: 1]",
    ]);
    expect(3, [
      "Flags: 0x8583 Standard query response, No such name",
      "example.com: type SOA, class IN, mname ns1.example.com",
      "Responsible authority's mailbox: hostmaster.example.com",
      "Serial Number: 2024010101",
      "Minimum TTL: 300 (5 minutes)",
    ]);
    expect(5, [
      "example.com: type TXT, class IN",
      "TXT: v=spf1 -all",
      "example.com: type MX, class IN, preference 10, mx mail.example.com",
      "34.216.184.93.in-addr.arpa: type PTR, class IN, www.example.com",
    ]);
    expect(7, ["Message is truncated", "Answer RRs: 0"]);
  },
});
