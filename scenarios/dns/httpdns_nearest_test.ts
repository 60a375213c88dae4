/**
 * HTTPDNS returns the nearest address: two phones, one in each region of the
 * carrier, resolve www.163.com through the site's HTTPDNS service and each
 * gets the edge of its own region — the service hands the GSLB the phone's
 * own address (the TCP source of its request). Each app then connects to
 * the address it got: the north edge's log shows the north phone, the south
 * edge's the south phone, each 12 ms away instead of 62 ms.
 *
 * Through DNS the same GSLB sees only the carrier's resolver, which sits in
 * the north: `getent hosts` on the south phone answers the north edge, five
 * times farther away.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { ms } from "../../core/sim/simulator.ts";
import { formatIp4, ip } from "../../core/wire/addr.ts";
import { HttpDnsClient } from "../../core/app/httpdns/client.ts";
import { appFetch, httpdnsLab, PAGES } from "./httpdns_testing.ts";

scenario("httpdns: each phone gets its own region's edge and connects to it", (net) => {
  const lab = httpdnsLab(net);
  const north = appFetch(
    lab.pc,
    new HttpDnsClient(lab.pc, lab.pc.root, { servers: ["198.51.100.53"] }),
  );
  const south = appFetch(
    lab.pc2,
    new HttpDnsClient(lab.pc2, lab.pc2.root, { servers: ["198.51.100.53"] }),
  );
  net.run();

  // The answers: each phone its region's edge, from the service, with the GSLB's TTL.
  assert.deepEqual(
    [north, south].map((
      a,
    ) => [a.lookup!.source, a.lookup!.addresses.map(formatIp4), a.lookup!.ttl]),
    [["httpdns", ["203.0.113.10"], 60], ["httpdns", ["203.0.113.140"], 60]],
  );
  // The service chose for the phones' own addresses, the TCP sources of their requests.
  assert.deepEqual(
    lab.httpdns.log.map((
      l,
    ) => [formatIp4(l.peer), formatIp4(l.client), l.addresses.map(formatIp4)]),
    [
      ["192.168.1.10", "192.168.1.10", ["203.0.113.10"]],
      ["192.168.2.10", "192.168.2.10", ["203.0.113.140"]],
    ],
  );
  assert.deepEqual([...lab.gslb.answered], [["north", 1], ["south", 1]]);
  // The apps connected where they were sent: each edge served only its own region's phone.
  assert.deepEqual([north.connectedTo, north.status, north.page], [
    "203.0.113.10",
    200,
    PAGES.north,
  ]);
  assert.deepEqual([south.connectedTo, south.status, south.page], [
    "203.0.113.140",
    200,
    PAGES.south,
  ]);
  assert.deepEqual(lab.webN.log.map((l) => formatIp4(l.remoteAddr)), ["192.168.1.10"]);
  assert.deepEqual(lab.webS.log.map((l) => formatIp4(l.remoteAddr)), ["192.168.2.10"]);
  // Near: each handshake took one 12 ms round trip (5 ms + 1 ms each way), plus the edge
  // router's first ARP exchange over the 1 ms link and a few µs of serialization.
  for (const a of [north, south]) {
    assert.ok(a.handshake! >= 14 * ms && a.handshake! < 14.1 * ms, `${a.handshake! / ms} ms`);
  }
  // The DNS path was never used by the apps.
  assert.equal(lab.resolver.stats.queries, 0);
});

scenario("httpdns: through the carrier's resolver the south phone would be sent north", (net) => {
  const lab = httpdnsLab(net);
  // DNS: the authoritative server sees the resolver (10.53.0.53, north) and answers the north edge.
  assert.equal(lab.pc2.sh("getent hosts www.163.com").stdout, "203.0.113.10    www.163.com\n");
  assert.ok(lab.authServer.log.some((l) => l.client === ip("10.53.0.53")));
  // HTTPDNS: the same service, asked over HTTP, answers the south edge (what curl shows).
  const r = lab.pc2.sh("curl -s 'http://198.51.100.53/d?dn=www.163.com&ttl=1&clientip=1'");
  assert.equal(r.stdout, "203.0.113.140,60|192.168.2.10");
  // The two edges from the south phone: 62 ms against 12 ms.
  const rtt = (dst: string) =>
    Number(
      /time=([\d.]+) ms/.exec(lab.pc2.sh(`ping -c 2 -i 0.2 ${dst}`).stdout.split("\n")[2]!)?.[1],
    );
  assert.equal(rtt("203.0.113.10"), 62.0);
  assert.equal(rtt("203.0.113.140"), 12.0);
  // curl to the name, pinned to the HTTPDNS answer as apps do: the south edge's page.
  const page = lab.pc2.sh("curl -s --resolve www.163.com:80:203.0.113.140 http://www.163.com/");
  assert.equal(page.stdout, PAGES.south);
  assert.deepEqual(lab.webS.log.map((l) => formatIp4(l.remoteAddr)), ["192.168.2.10"]);
});
