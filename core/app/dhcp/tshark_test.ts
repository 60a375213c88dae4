/**
 * Interoperability check: a DORA exchange (DISCOVER, OFFER, REQUEST, ACK)
 * encoded by this codec, framed in Ethernet/IPv4/UDP on ports 68/67, must be
 * dissected by tshark field by field with no malformed packet and no expert
 * warning. Skipped where tshark is not installed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import { BROADCAST_MAC } from "../../wire/packet.ts";
import { dissect, frames, hasTshark, problems, type UdpFrame } from "../dns/udp_pcap_testing.ts";
import { type DhcpMessage, DhcpMessageType, encodeDhcp } from "./message.ts";

const CLIENT = 0x525400a1b2c3;
const SERVER = 0x525400000001;
const SERVER_IP = ip("192.168.1.1");
const OFFERED = ip("192.168.1.123");
const PRL = [1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42];

function base(op: number): DhcpMessage {
  return {
    op,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x3903f326,
    secs: 0,
    broadcast: false,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: CLIENT,
    sname: "",
    file: "",
    options: {},
  };
}

const serverOptions = (type: number) => ({
  messageType: type,
  serverId: SERVER_IP,
  leaseTime: 43200,
  renewalTime: 21600,
  rebindingTime: 37800,
  subnetMask: ip("255.255.255.0"),
  raw: new Map([[28, new Uint8Array([192, 168, 1, 255])]]),
  routers: [SERVER_IP],
  dnsServers: [SERVER_IP],
  domainName: "lan",
  order: [53, 54, 51, 58, 59, 1, 28, 3, 6, 15],
});

const discover: DhcpMessage = {
  ...base(1),
  secs: 3,
  options: { messageType: DhcpMessageType.DISCOVER, hostName: "debian", parameterRequestList: PRL },
};
const offer: DhcpMessage = {
  ...base(2),
  yiaddr: OFFERED,
  siaddr: SERVER_IP,
  options: serverOptions(DhcpMessageType.OFFER),
};
const request: DhcpMessage = {
  ...base(1),
  secs: 3,
  broadcast: true,
  options: {
    messageType: DhcpMessageType.REQUEST,
    serverId: SERVER_IP,
    requestedAddress: OFFERED,
    clientId: new Uint8Array([1, 0x52, 0x54, 0x00, 0xa1, 0xb2, 0xc3]),
    hostName: "debian",
    parameterRequestList: PRL,
    order: [53, 54, 50, 61, 12, 55],
  },
};
const ack: DhcpMessage = {
  ...base(2),
  yiaddr: OFFERED,
  siaddr: SERVER_IP,
  sname: "gateway",
  file: "pxelinux.0",
  options: { ...serverOptions(DhcpMessageType.ACK), hostName: "debian" },
};

const fromClient = (m: DhcpMessage): UdpFrame => ({
  srcMac: CLIENT,
  dstMac: BROADCAST_MAC,
  src: 0,
  dst: 0xffffffff,
  srcPort: 68,
  dstPort: 67,
  payload: encodeDhcp(m),
});
const fromServer = (m: DhcpMessage): UdpFrame => ({
  srcMac: SERVER,
  dstMac: CLIENT,
  src: SERVER_IP,
  dst: OFFERED,
  srcPort: 67,
  dstPort: 68,
  payload: encodeDhcp(m),
});

Deno.test({
  name: "dhcp tshark: DISCOVER/OFFER/REQUEST/ACK dissect cleanly",
  ignore: !hasTshark(),
  async fn() {
    const text = await dissect("/tmp/packetlab-dhcp-dora.pcap", [
      fromClient(discover),
      fromServer(offer),
      fromClient(request),
      fromServer(ack),
    ]);
    assert.deepEqual(problems(text), []);
    const [d, o, r, a] = frames(text);
    assert.ok(d && o && r && a, "four frames");
    const expect = (frame: string, lines: string[]) => {
      for (const l of lines) assert.ok(frame.includes(l), `missing "${l}" in:\n${frame}`);
    };
    expect(d, [
      "Dynamic Host Configuration Protocol (Discover)",
      "Message type: Boot Request (1)",
      "Transaction ID: 0x3903f326",
      "Seconds elapsed: 3",
      "Client MAC address: RealtekU_a1:b2:c3 (52:54:00:a1:b2:c3)",
      "Magic cookie: DHCP",
      "Option: (53) DHCP Message Type (Discover)",
      "Host Name: debian",
      "Parameter Request List Item: (121) Classless Static Route",
      "Parameter Request List Item: (42) Network Time Protocol Servers",
      "Option: (255) End",
      "UDP payload (300 bytes)",
      "[Checksum Status: Good]",
    ]);
    expect(o, [
      "Dynamic Host Configuration Protocol (Offer)",
      "Message type: Boot Reply (2)",
      "Your (client) IP address: 192.168.1.123",
      "Next server IP address: 192.168.1.1",
      "Option: (53) DHCP Message Type (Offer)",
      "DHCP Server Identifier: 192.168.1.1",
      "IP Address Lease Time: (43200s) 12 hours",
      "Renewal Time Value: (21600s) 6 hours",
      "Rebinding Time Value: (37800s) 10 hours, 30 minutes",
      "Subnet Mask: 255.255.255.0",
      "Broadcast Address: 192.168.1.255",
      "Router: 192.168.1.1",
      "Domain Name Server: 192.168.1.1",
      "Domain Name: lan",
    ]);
    expect(r, [
      "Dynamic Host Configuration Protocol (Request)",
      "Broadcast flag: Broadcast",
      "Requested IP Address: 192.168.1.123",
      "Option: (61) Client identifier",
      "Client MAC address: RealtekU_a1:b2:c3 (52:54:00:a1:b2:c3)",
    ]);
    expect(a, [
      "Dynamic Host Configuration Protocol (ACK)",
      "Option: (53) DHCP Message Type (ACK)",
      "Server host name: gateway",
      "Boot file name: pxelinux.0",
      "Your (client) IP address: 192.168.1.123",
    ]);
  },
});
