/**
 * An exhausted pool: a range of two addresses and three clients. The first two
 * get them; the third's DISCOVERs go unanswered — dnsmasq logs "no address
 * available" for each — until dhclient gives up after 60 s ("No DHCPOFFERS
 * received."; with `-1` it exits with status 2). When one client releases its
 * lease the address is free again and the third gets exactly that one; a
 * lease nobody renews frees its address when it runs out.
 *
 *   srv 192.168.1.1 (range .100–.101) ── sw ── pc, pc2, pc3
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import {
  dhcpOnWire,
  fileText,
  formatIp4,
  lan,
  PC2_MAC,
  PC_MAC,
  secs,
  syslogLines,
} from "./dhcp_testing.ts";

scenario(
  "dhcp pool: the third client of a two-address pool gets nothing until one is released",
  (net) => {
    const { srv, pcs: [pc, pc2, pc3] } = lan(net, "pc", "pc2", "pc3");
    srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.101,12h");
    assert.equal(pc!.sh("dhclient eth0").status, 0);
    assert.equal(pc2!.sh("dhclient eth0").status, 0);
    const taken = [pc!, pc2!].map((n) =>
      /inet (\S+)\/24/.exec(n.sh("ip addr show dev eth0").stdout)![1]
    );
    assert.deepEqual(taken.sort(), ["192.168.1.100", "192.168.1.101"]);

    const r = pc3!.sh("dhclient -v -1 eth0");
    assert.equal(r.status, 2);
    const tail = r.stderr.split("\n").slice(-4);
    assert.deepEqual(tail, [
      "No DHCPOFFERS received.",
      "No working leases in persistent database - sleeping.",
      "Unable to obtain a lease on first try.  Exiting.",
      "",
    ]);
    const discovers = dhcpOnWire(net, { type: "DHCPDISCOVER", node: "pc3" });
    assert.ok(discovers.length >= 4, `${discovers.length} DISCOVERs`);
    const span = secs(discovers.at(-1)!.time - discovers[0]!.time);
    assert.ok(span <= 61, `all within the 60 s timeout (${span} s)`);
    assert.equal(dhcpOnWire(net, { type: "DHCPOFFER" }).length, 2, "no offer for pc3");
    const refusals = syslogLines(srv, "dnsmasq-dhcp").filter((l) =>
      l === "DHCPDISCOVER(eth0) 52:54:00:00:02:02 no address available"
    );
    assert.equal(refusals.length, discovers.length);
    assert.equal(pc3!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");

    // pc releases; pc3 tries again and gets the address pc had.
    const freed = /inet (\S+)\/24/.exec(pc!.sh("ip addr show dev eth0").stdout)![1]!;
    pc!.sh("dhclient -r eth0");
    assert.equal(pc3!.sh("dhclient eth0").status, 0);
    assert.match(
      pc3!.sh("ip -br addr show dev eth0").stdout,
      new RegExp(`${freed.replaceAll(".", "\\.")}/24`),
    );
    const lastOffer = dhcpOnWire(net, { type: "DHCPOFFER" }).at(-1)!;
    assert.equal(formatIp4(lastOffer.message.yiaddr), freed);
  },
);

scenario(
  "dhcp pool: an offered address is held a minute for the client it was offered to",
  (net) => {
    const { srv, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
    srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.100,12h");
    // pc asks, and is stopped before the offer (after dnsmasq's 3 s ping) arrives.
    pc!.sh("dhclient -nw eth0");
    net.run(2.9e9);
    pc!.sh("dhclient -x eth0");
    pc2!.sh("dhclient -nw eth0");
    net.run(60e9);
    const offers = dhcpOnWire(net, { type: "DHCPOFFER" });
    assert.deepEqual(offers.map((o) => [formatIp4(o.message.yiaddr), o.dstMac]), [
      ["192.168.1.100", PC_MAC],
    ]);
    assert.ok(
      syslogLines(srv, "dnsmasq-dhcp").includes(
        `DHCPDISCOVER(eth0) ${PC2_MAC} no address available`,
      ),
    );
    // The hold ends 60 s after the offer; dhclient's next attempt, after its sleep, gets the address.
    net.run(600e9);
    const last = dhcpOnWire(net, { type: "DHCPOFFER" }).at(-1)!;
    assert.equal(last.dstMac, PC2_MAC);
    assert.ok(secs(last.time - offers[0]!.time) > 60);
    assert.match(pc2!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.100\/24/);
  },
);

scenario("dhcp pool: a lease nobody renews runs out and the address is free again", (net) => {
  const { srv, pcs: [pc, pc2] } = lan(net, "pc", "pc2");
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.100,2m");
  pc!.sh("dhclient eth0");
  // pc is switched off without a release: the server still holds the lease…
  pc!.sh("pkill dhclient; ip link set eth0 down");
  assert.equal(pc2!.sh("dhclient -1 eth0").status, 2);
  assert.match(fileText(srv, "/var/lib/misc/dnsmasq.leases")!, /192\.168\.1\.100 pc /);
  // …until its two minutes are up (the first attempt took 60 s; wait out the rest).
  const granted = dhcpOnWire(net, { type: "DHCPACK" })[0]!.time;
  net.run(granted + 120e9);
  assert.equal(pc2!.sh("dhclient eth0").status, 0);
  assert.match(pc2!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.100\/24/);
  assert.match(
    fileText(srv, "/var/lib/misc/dnsmasq.leases")!,
    /^\d+ 52:54:00:00:02:01 192\.168\.1\.100 pc2 \*\n$/,
  );
});
