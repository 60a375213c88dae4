/**
 * The HTTPDNS service's interface, as curl shows it (DNSPod D+'s plain-text
 * form): `GET /d?dn=NAME` answers the addresses separated by `;`, `ttl=1`
 * adds `,TTL`, `clientip=1` adds `|ADDRESS` (who the answer was chosen for),
 * and `ip=` chooses for another address than the TCP source. CNAME chains
 * inside the provider's zones are followed and the smallest TTL on the chain
 * is given; names without an address get an empty 200; a request without a
 * name, or with an address that is not one, gets 400; several names go over
 * one kept-alive connection.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { formatIp4 } from "../../core/wire/addr.ts";
import { httpdnsLab } from "./httpdns_testing.ts";

const D = "http://198.51.100.53/d";

scenario(
  "httpdns api: answers, TTL, client address, ip=, chains, empty and bad requests",
  (net) => {
    const lab = httpdnsLab(net);
    const get = (query: string) => lab.pc.sh(`curl -s '${D}?${query}'`).stdout;
    assert.equal(get("dn=www.163.com"), "203.0.113.10");
    assert.equal(get("dn=www.163.com&ttl=1"), "203.0.113.10,60");
    assert.equal(get("dn=www.163.com&ttl=1&clientip=1"), "203.0.113.10,60|192.168.1.10");
    // ip= picks the region for another address (an app behind a proxy sends its own).
    assert.equal(
      get("dn=www.163.com&ip=192.168.2.10&ttl=1&clientip=1"),
      "203.0.113.140,60|192.168.2.10",
    );
    // news → m → www (CNAMEs, 600 s) → the GSLB's 60 s answer: the chain expires with its shortest TTL.
    assert.equal(get("dn=news.163.com&ttl=1"), "203.0.113.10,60");
    assert.equal(get("dn=mail.163.com&ttl=1"), "203.0.113.25,600");
    assert.equal(get("dn=WWW.163.COM."), "203.0.113.10", "case and the trailing dot do not matter");
    // No address: NXDOMAIN inside the zone, a name outside the provider's zones.
    for (const dn of ["nope.163.com", "www.example.org"]) {
      const r = lab.pc.sh(`curl -si '${D}?dn=${dn}&ttl=1'`);
      assert.equal(
        r.stdout,
        "HTTP/1.1 200 OK\r\nServer: packetlab\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n",
      );
    }
    // Bad requests.
    const bad = (query: string) => lab.pc.sh(`curl -si '${D}${query}'`).stdout;
    assert.match(bad(""), /^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\nmissing dn\n$/);
    assert.match(bad("?dn="), /\r\n\r\nmissing dn\n$/);
    assert.match(bad(`?dn=${"a".repeat(64)}.163.com`), /\r\n\r\nbad dn\n$/);
    assert.match(bad("?dn=www.163.com&ip=300.1.2.3"), /\r\n\r\nbad ip\n$/);
    assert.match(
      lab.pc.sh("curl -si http://198.51.100.53/resolve").stdout,
      /^HTTP\/1\.1 404 Not Found\r\n/,
    );
    // What the service logged, and what the authority saw.
    assert.deepEqual(
      lab.httpdns.log.slice(0, 4).map((l) => [formatIp4(l.peer), formatIp4(l.client), l.status]),
      [
        ["192.168.1.10", "192.168.1.10", 200],
        ["192.168.1.10", "192.168.1.10", 200],
        ["192.168.1.10", "192.168.1.10", 200],
        ["192.168.1.10", "192.168.2.10", 200],
      ],
    );
    assert.deepEqual([...lab.gslb.answered], [["north", 5], ["south", 1]]);
  },
);

scenario("httpdns api: several names over one kept-alive connection", (net) => {
  const lab = httpdnsLab(net);
  const r = lab.pc2.sh(`curl -s '${D}?dn=www.163.com&ttl=1' '${D}?dn=mail.163.com&ttl=1'`);
  assert.equal(r.stdout, "203.0.113.140,60203.0.113.25,600");
  assert.equal(lab.httpdns.http.accepted, 1);
  assert.deepEqual(lab.httpdns.http.log.map((l) => [l.connection, l.status]), [[0, 200], [0, 200]]);
});
