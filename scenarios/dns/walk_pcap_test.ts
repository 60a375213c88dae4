/**
 * A capture of the iterative resolution opens in tshark with every DNS field
 * decoded: `tcpdump -w` on the resolver's interface records the pc's query,
 * the priming exchange, the three queries root → com. → 163.com. with their
 * referrals and the answer, and the answer to the pc — ten DNS messages with correct IPv4
 * and UDP checksums, each response matched to its query, no malformed packet
 * and no expert warning (tshark, when installed).
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { frames, hasTshark, problems } from "../../core/app/dns/udp_pcap_testing.ts";
import { dnsLab } from "./dns_testing.ts";

const TSHARK = hasTshark();
let checked = false;

scenario("dns pcap: tshark decodes the whole resolution walk", (net) => {
  const lab = dnsLab(net);
  lab.ldns.sh("tcpdump -i eth0 -w /tmp/walk.pcap udp port 53 &");
  assert.equal(lab.pc.sh("dig +short www.163.com").out, "203.0.113.80\n");
  lab.ldns.sh("kill %1");
  const f = lab.ldns.files.get("/tmp/walk.pcap");
  const pcap = typeof f === "function" ? f() : f!;
  const view = new DataView(pcap.buffer, pcap.byteOffset, pcap.byteLength);
  let records = 0;
  for (let at = 24; at < pcap.length; at += 16 + view.getUint32(at + 8, true)) records++;
  assert.equal(records, 10);
  if (!TSHARK || checked) return;
  checked = true;
  const file = Deno.makeTempFileSync({
    dir: "/tmp",
    prefix: "packetlab-dns-walk-",
    suffix: ".pcap",
  });
  try {
    Deno.writeFileSync(file, pcap);
    const out = new Deno.Command("tshark", {
      args: ["-r", file, "-V", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const text = new TextDecoder().decode(out.stdout);
    assert.deepEqual(problems(text), []);
    const fr = frames(text);
    assert.equal(fr.length, 10);
    const expect = (i: number, lines: string[]) => {
      for (const l of lines) {
        assert.ok(fr[i]!.includes(l), `missing "${l}" in frame ${i + 1}:\n${fr[i]}`);
      }
    };
    expect(0, [
      "Src: 192.168.1.10, Dst: 10.53.0.53",
      "Domain Name System (query)",
      "Flags: 0x0120 Standard query",
      "www.163.com: type A, class IN",
      "<Root>: type OPT",
      "Option: COOKIE",
    ]);
    expect(1, ["Src: 10.53.0.53, Dst: 198.51.100.1", "<Root>: type NS, class IN"]);
    expect(2, [
      "Flags: 0x8400 Standard query response, No error",
      "<Root>: type NS, class IN, ns a.root-servers.net",
      "a.root-servers.net: type A, class IN, addr 198.51.100.1",
      "[Request In: 2]",
    ]);
    expect(3, [
      "Src: 10.53.0.53, Dst: 198.51.100.1",
      "Flags: 0x0000 Standard query",
      "UDP payload size: 1232",
    ]);
    expect(4, [
      "Flags: 0x8000 Standard query response, No error",
      "Authoritative nameservers",
      "com: type NS, class IN, ns a.gtld-servers.net",
      "Additional records",
      "a.gtld-servers.net: type A, class IN, addr 198.51.100.2",
      "[Request In: 4]",
    ]);
    expect(6, [
      "163.com: type NS, class IN, ns ns1.163.com",
      "ns1.163.com: type A, class IN, addr 198.51.100.3",
    ]);
    expect(8, [
      "Flags: 0x8400 Standard query response, No error",
      "1... .... .... .... = Response: Message is a response",
      ".... .1.. .... .... = Authoritative: Server is an authority for domain",
      "www.163.com: type A, class IN, addr 203.0.113.80",
      "Time to live: 600 (10 minutes)",
    ]);
    expect(9, [
      "Src: 10.53.0.53, Dst: 192.168.1.10",
      "Flags: 0x8180 Standard query response, No error",
      "[Request In: 1]",
    ]);
    const good = text.split("\n").filter((l) =>
      /\[(Header checksum|Checksum) status: Good\]/i.test(l)
    );
    assert.equal(good.length, 20, "IPv4 and UDP checksums of ten frames");
  } finally {
    Deno.removeSync(file);
  }
});
