/**
 * dig's output, line by line, as dig 9.18.49 prints it (recorded on Debian
 * 12 against Unbound and BIND): the command line echo, `; (1 server found)`
 * with @server, the header and flags, the warning when RD got no RA, the OPT
 * pseudo-section, the sections in dig's tab columns, and the statistics. Only
 * the query time and the date are masked. Also +short, +noall +answer,
 * +nocomments, several names in one command (the command block only once),
 * and +trace.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab, maskDig } from "./dns_testing.ts";

const id = (out: string) => /id: (\d+)/.exec(out)![1];

scenario("dns: dig's layout for a resolver's answer and an authoritative referral", (net) => {
  const lab = dnsLab(net);
  const a = lab.pc.sh("dig www.163.com").out;
  assert.equal(
    maskDig(a),
    `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> www.163.com
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ${id(a)}
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;www.163.com.			IN	A

;; ANSWER SECTION:
www.163.com.		600	IN	A	203.0.113.80

;; Query time: N msec
;; SERVER: 10.53.0.53#53(10.53.0.53) (UDP)
;; WHEN: DATE
;; MSG SIZE  rcvd: 56

`,
  );
  const ref = lab.pc.sh("dig @198.51.100.1 www.163.com").out;
  assert.equal(
    maskDig(ref),
    `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @198.51.100.1 www.163.com
; (1 server found)
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ${id(ref)}
;; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 2
;; WARNING: recursion requested but not available

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;www.163.com.			IN	A

;; AUTHORITY SECTION:
com.			172800	IN	NS	a.gtld-servers.net.

;; ADDITIONAL SECTION:
a.gtld-servers.net.	172800	IN	A	198.51.100.2

;; Query time: N msec
;; SERVER: 198.51.100.1#53(198.51.100.1) (UDP)
;; WHEN: DATE
;; MSG SIZE  rcvd: 88

`,
  );
  // The date comes from virtual time (the epoch is the start of the simulation).
  assert.match(ref, /^;; WHEN: Thu Jan 01 00:00:00 UTC 1970$/m);
});

scenario("dns: dig's display options and several names", (net) => {
  const lab = dnsLab(net);
  assert.equal(lab.pc.sh("dig +short m.163.com").out, "www.163.com.\n203.0.113.80\n");
  assert.equal(lab.pc.sh("dig +short mail.163.com TXT").out, '"v=spf1 mx -all"\n');
  assert.equal(lab.pc.sh("dig +short nope.163.com").out, "");
  assert.equal(
    lab.pc.sh("dig +noall +answer www.163.com").out,
    "www.163.com.\t\t600\tIN\tA\t203.0.113.80\n",
  );
  const nc = lab.pc.sh("dig +nocomments +norecurse @198.51.100.3 www.163.com").out;
  assert.equal(
    maskDig(nc),
    `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +nocomments +norecurse @198.51.100.3 www.163.com
; (1 server found)
;; global options: +cmd
;www.163.com.			IN	A
www.163.com.		600	IN	A	203.0.113.80
163.com.		600	IN	NS	ns1.163.com.
ns1.163.com.		600	IN	A	198.51.100.3
;; Query time: N msec
;; SERVER: 198.51.100.3#53(198.51.100.3) (UDP)
;; WHEN: DATE
;; MSG SIZE  rcvd: 90

`,
  );
  const two = lab.pc.sh("dig +nostats www.163.com mail.163.com TXT").out;
  assert.equal(
    two.replace(/id: \d+/g, "id: ID"),
    `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +nostats www.163.com mail.163.com TXT
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ID
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;www.163.com.			IN	A

;; ANSWER SECTION:
www.163.com.		600	IN	A	203.0.113.80

;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: ID
;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags:; udp: 1232
;; QUESTION SECTION:
;mail.163.com.			IN	TXT

;; ANSWER SECTION:
mail.163.com.		600	IN	TXT	"v=spf1 mx -all"

`,
  );
  // -x builds the PTR name; -t and -c set type and class.
  assert.match(
    lab.pc.sh("dig -x 203.0.113.80").out,
    /^;80\.113\.0\.203\.in-addr\.arpa\.\tIN\tPTR$/m,
  );
  assert.match(lab.pc.sh("dig -t mx -c in 163.com").out, /^;163\.com\.\t\t\tIN\tMX$/m);
});

scenario("dns: dig +trace walks down from the root as dig 9.18 prints it", (net) => {
  const lab = dnsLab(net);
  const out = lab.pc.sh("dig +trace www.163.com").out.replace(/ in \d+ ms$/gm, " in N ms");
  // Layout recorded from dig 9.18.49 over a root, a TLD and a 163.com server in namespaces
  // (the byte counts differ there: BIND adds its server COOKIE to every answer).
  assert.equal(
    out,
    `
; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +trace www.163.com
;; global options: +cmd
.			86400	IN	NS	a.root-servers.net.
;; Received 75 bytes from 10.53.0.53#53(10.53.0.53) in N ms

com.			172800	IN	NS	a.gtld-servers.net.
;; Received 88 bytes from 198.51.100.1#53(a.root-servers.net) in N ms

163.com.		172800	IN	NS	ns1.163.com.
;; Received 74 bytes from 198.51.100.2#53(a.gtld-servers.net) in N ms

www.163.com.		600	IN	A	203.0.113.80
163.com.		600	IN	NS	ns1.163.com.
;; Received 90 bytes from 198.51.100.3#53(ns1.163.com) in N ms

`,
  );
  // dig itself asked each server without RD, after asking the resolver for the root NS.
  assert.deepEqual(lab.rootServer.log.map((e) => e.name), [".", "www.163.com."]);
});
