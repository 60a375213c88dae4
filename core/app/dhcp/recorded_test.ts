/**
 * The codec against messages recorded from ISC dhclient, dnsmasq and dhcrelay
 * on Linux: each decodes to the fields those programs put in, and encodes back
 * to exactly the recorded bytes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { formatIp4, formatMac } from "../../wire/addr.ts";
import { decodeDhcp, type DhcpMessage, encodeDhcp } from "./message.ts";
import * as rec from "./recorded_fixtures.ts";
import { DHCLIENT_REQUEST_LIST } from "./client.ts";

const PC = "52:54:00:a1:b2:c3";

function summary(m: DhcpMessage) {
  return {
    op: m.op,
    hops: m.hops,
    secs: m.secs,
    broadcast: m.broadcast,
    ciaddr: formatIp4(m.ciaddr),
    yiaddr: formatIp4(m.yiaddr),
    siaddr: formatIp4(m.siaddr),
    giaddr: formatIp4(m.giaddr),
    chaddr: formatMac(m.chaddr),
    file: m.file,
    type: m.options.messageType,
    order: m.options.order,
  };
}

const CASES: Array<[string, Uint8Array, Partial<ReturnType<typeof summary>>]> = [
  ["dhclient DISCOVER", rec.DHCLIENT_DISCOVER, {
    op: 1,
    type: 1,
    ciaddr: "0.0.0.0",
    order: [53, 12, 55],
  }],
  ["dnsmasq OFFER", rec.DNSMASQ_OFFER, {
    op: 2,
    type: 2,
    yiaddr: "192.168.1.135",
    siaddr: "192.168.1.1",
    file: "pxelinux.0",
    order: [53, 54, 51, 58, 59, 1, 28, 6, 3],
  }],
  ["dhclient REQUEST", rec.DHCLIENT_REQUEST, { type: 3, order: [53, 54, 50, 12, 55] }],
  ["dnsmasq ACK", rec.DNSMASQ_ACK, { type: 5, order: [53, 54, 51, 58, 59, 1, 28, 12, 6, 3] }],
  ["dhclient INIT-REBOOT REQUEST", rec.DHCLIENT_REBOOT_REQUEST, {
    type: 3,
    order: [53, 50, 12, 55],
  }],
  ["dhclient RELEASE", rec.DHCLIENT_RELEASE, { type: 7, ciaddr: "192.168.1.135" }],
  ["dhclient RENEWING REQUEST", rec.DHCLIENT_RENEW_REQUEST, {
    type: 3,
    ciaddr: "192.168.1.135",
    order: [53, 12, 55],
  }],
  ["dnsmasq ACK to a renewal", rec.DNSMASQ_RENEW_ACK, { type: 5, ciaddr: "192.168.1.135" }],
  ["dhclient REBINDING REQUEST", rec.DHCLIENT_REBIND_REQUEST, { type: 3, ciaddr: "192.168.1.135" }],
  ["dhcrelay's DISCOVER", rec.DHCRELAY_DISCOVER, { type: 1, hops: 1, giaddr: "10.0.2.1" }],
  ["dnsmasq OFFER to the relay", rec.DNSMASQ_RELAYED_OFFER, {
    type: 2,
    hops: 1,
    giaddr: "10.0.2.1",
    yiaddr: "10.0.2.155",
    siaddr: "172.16.0.1",
  }],
];

for (const [name, bytes, want] of CASES) {
  Deno.test(`dhcp recorded: ${name} decodes and re-encodes byte for byte`, () => {
    assert.equal(bytes.length, 300);
    const m = decodeDhcp(bytes);
    const got = summary(m);
    for (const [k, v] of Object.entries(want)) {
      assert.deepEqual(got[k as keyof typeof got], v, k);
    }
    assert.deepEqual(encodeDhcp(m), bytes);
  });
}

Deno.test("dhcp recorded: the options dhclient and dnsmasq exchange, decoded", () => {
  const d = decodeDhcp(rec.DHCLIENT_DISCOVER);
  assert.equal(formatMac(d.chaddr), PC);
  assert.equal(d.options.hostName, "vm");
  assert.deepEqual(d.options.parameterRequestList, [...DHCLIENT_REQUEST_LIST]);
  const o = decodeDhcp(rec.DNSMASQ_OFFER).options;
  assert.deepEqual(
    [o.serverId, o.subnetMask, o.routers![0], o.dnsServers![0]].map((a) => formatIp4(a!)),
    ["192.168.1.1", "255.255.255.0", "192.168.1.1", "192.168.1.1"],
  );
  assert.deepEqual([o.leaseTime, o.renewalTime, o.rebindingTime], [43200, 21600, 37800]);
  assert.deepEqual([...o.raw!.get(28)!], [192, 168, 1, 255]);
  // dnsmasq desynchronises renewals: the renewal ACK's T1 and T2 are cut by the same few seconds.
  const r = decodeDhcp(rec.DNSMASQ_RENEW_ACK).options;
  const fuzz = 60 - r.renewalTime!;
  assert.ok(fuzz > 0 && fuzz <= 7, `fuzz ${fuzz}`);
  assert.deepEqual([r.leaseTime, r.rebindingTime], [120, 105 - fuzz]);
  const rel = decodeDhcp(rec.DHCLIENT_RELEASE).options;
  assert.equal(formatIp4(rel.serverId!), "192.168.1.1");
  const relayed = decodeDhcp(rec.DNSMASQ_RELAYED_OFFER).options;
  assert.equal(formatIp4(relayed.routers![0]!), "10.0.2.1");
});
