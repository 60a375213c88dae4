/**
 * A capture of the exchange opens in tshark as DHCP: `tcpdump -w` on the
 * client's interface records dhclient getting a lease from dnsmasq (with a
 * domain and a PXE boot file), and tshark (when installed) decodes every DHCP
 * field of the four messages — op, xid, flags, addresses, chaddr, sname, file,
 * each option — with correct IPv4 and UDP checksums and no malformed packet or
 * expert warning.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc (dhclient, tcpdump -w)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { frames, hasTshark, problems } from "../../core/app/dns/udp_pcap_testing.ts";
import { dhcpOnWire, lan, PC_MAC } from "./dhcp_testing.ts";

const TSHARK = hasTshark();
let checked = false;

function tshark(file: string, args: string[]): string {
  const out = new Deno.Command("tshark", {
    args: ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", ...args],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

scenario("dhcp pcap: tshark decodes every field of the four messages", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  srv.sh(
    "dnsmasq --port=0 --domain=lan --dhcp-range=192.168.1.100,192.168.1.200,12h --dhcp-option=option:dns-server,192.168.1.1 --dhcp-boot=pxelinux.0,bootsrv,192.168.1.5",
  );
  pc!.sh("tcpdump -i eth0 -w /tmp/dora.pcap udp &");
  assert.equal(pc!.sh("dhclient eth0").status, 0);
  pc!.sh("kill %1");
  assert.equal(dhcpOnWire(net).length, 4);
  const f = pc!.files.get("/tmp/dora.pcap");
  const pcap = typeof f === "function" ? f() : f!;
  // Four records: three 342-byte frames and the ACK, one byte longer (domain and host name).
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  const lengths: number[] = [];
  for (let at = 24; at < pcap.length; at += 16 + view.getUint32(at + 8, true)) {
    lengths.push(view.getUint32(at + 8, true));
  }
  assert.deepEqual(lengths, [342, 342, 342, 343]);
  if (!TSHARK || checked) return;
  checked = true;
  const file = Deno.makeTempFileSync({ dir: "/tmp", prefix: "packetlab-dhcp-", suffix: ".pcap" });
  try {
    Deno.writeFileSync(file, pcap);
    const verbose = tshark(file, ["-V"]);
    assert.deepEqual(problems(verbose), []);
    const good = verbose.split("\n").filter((l) =>
      /\[(Header checksum|Checksum) status: Good\]/i.test(l)
    );
    assert.equal(good.length, 8, "IPv4 and UDP checksums of four frames");
    const [d, o, r, a] = frames(verbose) as [string, string, string, string];
    const expect = (frame: string, lines: string[]) => {
      for (const l of lines) assert.ok(frame.includes(l), `missing "${l}" in:\n${frame}`);
    };
    const common = [
      "Hardware type: Ethernet (0x01)",
      "Hardware address length: 6",
      "Hops: 0",
      `Client MAC address: RealtekU_a1:b2:c3 (${PC_MAC})`,
      "Client hardware address padding: 00000000000000000000",
      "Magic cookie: DHCP",
      "Option: (255) End",
    ];
    expect(d, [
      ...common,
      "Src: 0.0.0.0, Dst: 255.255.255.255",
      "Src Port: 68, Dst Port: 67",
      "Dynamic Host Configuration Protocol (Discover)",
      "Message type: Boot Request (1)",
      "Bootp flags: 0x0000 (Unicast)",
      "Client IP address: 0.0.0.0",
      "Your (client) IP address: 0.0.0.0",
      "Option: (53) DHCP Message Type (Discover)",
      "Option: (12) Host Name",
      "Host Name: pc",
      "Option: (55) Parameter Request List",
      "Parameter Request List Item: (1) Subnet Mask",
      "Parameter Request List Item: (121) Classless Static Route",
    ]);
    expect(o, [
      ...common,
      "Src: 192.168.1.1, Dst: 192.168.1.135",
      "Src Port: 67, Dst Port: 68",
      "Dynamic Host Configuration Protocol (Offer)",
      "Message type: Boot Reply (2)",
      "Your (client) IP address: 192.168.1.135",
      "Next server IP address: 192.168.1.5",
      "Relay agent IP address: 0.0.0.0",
      "Server host name: bootsrv",
      "Boot file name: pxelinux.0",
      "Option: (53) DHCP Message Type (Offer)",
      "DHCP Server Identifier: 192.168.1.1",
      "IP Address Lease Time: (43200s) 12 hours",
      "Renewal Time Value: (21600s) 6 hours",
      "Rebinding Time Value: (37800s) 10 hours, 30 minutes",
      "Subnet Mask: 255.255.255.0",
      "Broadcast Address: 192.168.1.255",
      "Router: 192.168.1.1",
      "Domain Name: lan",
      "Domain Name Server: 192.168.1.1",
    ]);
    expect(r, [
      ...common,
      "Src: 0.0.0.0, Dst: 255.255.255.255",
      "Dynamic Host Configuration Protocol (Request)",
      "Option: (54) DHCP Server Identifier (192.168.1.1)",
      "Option: (50) Requested IP Address (192.168.1.135)",
      "Host Name: pc",
    ]);
    expect(a, [
      ...common,
      "Dynamic Host Configuration Protocol (ACK)",
      "Option: (53) DHCP Message Type (ACK)",
      "Your (client) IP address: 192.168.1.135",
      "Boot file name: pxelinux.0",
      "Host Name: pc",
      "Domain Name: lan",
    ]);
    const xids = tshark(file, ["-T", "fields", "-e", "dhcp.id"]).trim().split("\n");
    assert.equal(new Set(xids).size, 1, `one transaction: ${xids}`);
  } finally {
    Deno.removeSync(file);
  }
});
