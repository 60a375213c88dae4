/**
 * /etc/hosts before DNS (`hosts: files dns`): an entry for www.163.com in
 * /etc/hosts wins over the DNS answer in getent. Because getent asks for
 * IPv6 first and an IPv4-only hosts entry does not answer AF_INET6, the AAAA
 * query still goes to the DNS server before the IPv4 entry is found — what
 * glibc 2.36 does on a real machine — but no A query does. With `hosts: dns
 * files` in /etc/nsswitch.conf DNS wins; dig never reads /etc/hosts. A
 * namespace sees /etc/netns/NAME/hosts, as `ip netns exec` bind-mounts it.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab, dnsOnWire } from "./dns_testing.ts";

const enc = (s: string) => new TextEncoder().encode(s);

scenario("dns: /etc/hosts comes first for getent; dig asks DNS", (net) => {
  const lab = dnsLab(net);
  lab.pc.files.set(
    "/etc/hosts",
    enc("127.0.0.1\tlocalhost\n10.9.9.9\twww.163.com web # local copy\n"),
  );
  const r = lab.pc.sh("getent hosts www.163.com");
  assert.deepEqual([r.out, r.status], ["10.9.9.9        www.163.com web\n", 0]);
  const asked = dnsOnWire(net, { node: "pc" }).filter((w) => !w.message.qr)
    .map((w) => w.message.questions[0]!.type);
  assert.deepEqual(asked, [28], "only the AAAA query went out");
  assert.equal(lab.pc.sh("getent hosts web").out, "10.9.9.9        www.163.com web\n");
  assert.equal(lab.pc.sh("dig +short www.163.com").out, "203.0.113.80\n");
  // Listing the hosts database and looking up an address.
  assert.equal(
    lab.pc.sh("getent hosts").out,
    "127.0.0.1       localhost\n10.9.9.9        www.163.com web\n",
  );
  assert.equal(lab.pc.sh("getent hosts 10.9.9.9").out, "10.9.9.9        www.163.com web\n");
  // DNS first.
  lab.pc.files.set("/etc/nsswitch.conf", enc("passwd: files\nhosts: dns files\n"));
  assert.equal(lab.pc.sh("getent hosts www.163.com").out, "203.0.113.80    www.163.com\n");
  // Without /etc/hosts: a fresh Debian's file (::1 answers AF_INET6 first).
  lab.pc.files.delete("/etc/hosts");
  lab.pc.files.delete("/etc/nsswitch.conf");
  assert.equal(
    lab.pc.sh("getent hosts localhost").out,
    "::1             localhost ip6-localhost ip6-loopback\n",
  );
});

scenario("dns: getent's exit status and messages", (net) => {
  const lab = dnsLab(net);
  const run = (c: string) => {
    const r = lab.pc.sh(c);
    return [r.stdout, r.stderr, r.status];
  };
  const tryLine = "Try `getent --help' or `getent --usage' for more information.\n";
  assert.deepEqual(run("getent"), [tryLine, "getent: wrong number of arguments\n", 1]);
  assert.deepEqual(run("getent foo x"), [tryLine, "Unknown database: foo\n", 1]);
  // One key found, one not: both looked up, exit 2.
  assert.deepEqual(run("getent hosts www.163.com nope.163.com"), [
    "203.0.113.80    www.163.com\n",
    "",
    2,
  ]);
  assert.deepEqual(run("getent hosts bad..name"), ["", "", 2]);
});

scenario("dns: a namespace reads /etc/netns/NAME/hosts before /etc/hosts", (net) => {
  const lab = dnsLab(net);
  lab.pc.sh("ip netns add blue");
  lab.pc.files.set("/etc/netns/blue/hosts", enc("192.0.2.7\twww.163.com\n"));
  // No route out of the new namespace: only the hosts file can answer (after a failed AAAA send).
  assert.equal(
    lab.pc.sh("ip netns exec blue getent hosts www.163.com").out,
    "192.0.2.7       www.163.com\n",
  );
  assert.equal(lab.pc.sh("getent hosts www.163.com").out, "203.0.113.80    www.163.com\n");
});
