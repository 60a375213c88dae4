/**
 * resolv.conf's `options timeout:1 attempts:2` with two name servers that
 * never answer (a process holds port 53 and reads nothing): glibc sends each
 * question to the first server, waits 1 s, to the second, waits
 * (1 << 1) / 2 = 1 s, and does the round twice — 4 s per question, AAAA then
 * A, 8 s in all, as recorded from glibc 2.36 — retrying from the same source
 * port for the same server, with one query id per question. getent exits 2.
 * With the defaults (timeout:5 attempts:2) one silent server costs 20 s.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";
import { StubResolver } from "../../core/app/dns/stub.ts";

scenario("dns: glibc's timeouts and attempts against servers that never answer", (net) => {
  const lab = dnsLab(net);
  // A hung name server on the ISP router: port 53 is open (no ICMP error), nothing answers.
  const hung = lab.isp.root.udp.socket();
  hung.bind(0, 53);
  hung.onMessage = () => void hung.inbox.splice(0);
  lab.pc.files.set(
    "/etc/resolv.conf",
    new TextEncoder().encode(
      "nameserver 192.168.1.1\nnameserver 10.53.0.1\noptions timeout:1 attempts:2\n",
    ),
  );
  const start = net.sim.now;
  const r = lab.pc.sh("getent hosts www.163.com");
  assert.equal(r.status, 2);
  assert.equal(Math.round((net.sim.now - start) / 1e9), 8);

  // The same through the API, to see each try.
  const stub = new StubResolver(lab.pc, lab.pc.root);
  let result = "";
  const t0 = net.sim.now;
  stub.search("www.163.com", 1, (res) => (result = res.ok ? "ok" : res.error));
  net.run(t0 + 10e9);
  assert.equal(result, "TRY_AGAIN");
  assert.deepEqual(
    stub.queries.map((q) => [(q.time - t0) / 1e9, q.server === 0xc0a80101 ? "ns1" : "ns2"]),
    [
      [0, "ns1"],
      [1, "ns2"],
      [2, "ns1"],
      [3, "ns2"],
    ],
  );
  assert.deepEqual(stub.queries.map((q) => q.outcome), [
    "timed out",
    "timed out",
    "timed out",
    "timed out",
  ]);
  assert.equal(stub.queries[0]!.port, stub.queries[2]!.port);
  assert.equal(stub.queries[1]!.port, stub.queries[3]!.port);
  assert.equal(new Set(stub.queries.map((q) => q.id)).size, 1);

  // Defaults: 5 s per try, two attempts, two questions: 20 s.
  lab.pc.files.set("/etc/resolv.conf", new TextEncoder().encode("nameserver 192.168.1.1\n"));
  const s2 = net.sim.now;
  assert.equal(lab.pc.sh("getent hosts www.163.com").status, 2);
  assert.equal(Math.round((net.sim.now - s2) / 1e9), 20);
});
