/**
 * dig's messages for bad command lines and unreachable servers, as dig
 * 9.18.49 prints them (recorded in namespaces): an unknown +option or a
 * dangling -p (the short usage, exit 1), a bad port or timeout (two lines,
 * one on each stream), an unknown type (a warning, then the query goes out
 * as A); a server that does not answer (`;; communications error … timed
 * out` per try, then the command block and `;; no servers could be reached`,
 * exit 9); a closed port (`connection refused`, three tries); TCP to a closed
 * port; a source address that is not local; and +short's terse form.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

const USAGE = `Usage:  dig [@global-server] [domain] [q-type] [q-class] {q-opt}
            {global-d-opt} host [@local-server] {local-d-opt}
            [ host [@local-server] {local-d-opt} [...]]

Use "dig -h" (or "dig -h | more") for complete list of options
`;

scenario("dns: dig's errors for bad command lines", (net) => {
  const lab = dnsLab(net);
  const run = (c: string) => {
    const r = lab.pc.sh(c);
    return [r.stdout, r.stderr, r.status];
  };
  assert.deepEqual(run("dig +foo"), ["", `Invalid option: +foo\n${USAGE}`, 1]);
  assert.deepEqual(run("dig -p"), ["", `Invalid option: -p\n${USAGE}`, 1]);
  assert.deepEqual(run("dig -z"), ["", `Invalid option: -z\n${USAGE}`, 1]);
  assert.deepEqual(run("dig -p 70000 @198.51.100.3 x"), [
    "invalid port number '70000': out of range\n",
    "dig: Couldn't parse port number\n",
    1,
  ]);
  assert.deepEqual(run("dig +time=x x"), [
    "invalid timeout 'x': not a valid number\n",
    "dig: Couldn't parse timeout\n",
    10,
  ]);
  assert.deepEqual(run("dig +bufsize=70000 x"), [
    "invalid buffer size '70000': out of range\n",
    "dig: Couldn't parse buffer size\n",
    10,
  ]);
  assert.deepEqual(run("dig @ x"), ["", "dig: couldn't get address for '': not found\n", 1]);
  const t = lab.pc.sh("dig -t FOO www.163.com");
  assert.equal(t.stderr, ";; Warning, ignoring invalid type FOO\n");
  assert.match(t.stdout, /^;www\.163\.com\.\t\t\tIN\tA$/m);
  assert.equal(lab.pc.sh("dig -v").stderr, "DiG 9.18.49-1~deb12u3-Debian\n");
  assert.match(lab.pc.sh("dig -h").stdout, /^Usage: {2}dig \[@global-server\]/);
});

scenario("dns: dig when no server answers", (net) => {
  const lab = dnsLab(net);
  // 192.168.1.1 (the router) has no DNS server: ICMP port unreachable, three tries.
  const refused = lab.pc.sh("dig @192.168.1.1 www.163.com");
  assert.deepEqual([refused.out, refused.status], [
    ";; communications error to 192.168.1.1#53: connection refused\n".repeat(3) +
    "\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @192.168.1.1 www.163.com\n" +
    "; (1 server found)\n;; global options: +cmd\n;; no servers could be reached\n",
    9,
  ]);
  // A hung server: each try waits +time seconds.
  const hung = lab.isp.root.udp.socket();
  hung.bind(0, 53);
  hung.onMessage = () => void hung.inbox.splice(0);
  const start = net.sim.now;
  const t = lab.pc.sh("dig +tries=2 +time=1 @192.168.1.1 www.163.com");
  assert.equal(
    t.out,
    ";; communications error to 192.168.1.1#53: timed out\n".repeat(2) +
      "\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +tries=2 +time=1 @192.168.1.1 www.163.com\n" +
      "; (1 server found)\n;; global options: +cmd\n;; no servers could be reached\n",
  );
  assert.equal(Math.round((net.sim.now - start) / 1e9), 2);
  // Without @server: the servers of resolv.conf, the first one tried +tries times, the next once.
  lab.pc.files.set(
    "/etc/resolv.conf",
    new TextEncoder().encode("nameserver 192.168.1.1\nnameserver 10.53.0.1\n"),
  );
  assert.equal(
    lab.pc.sh("dig +time=1 +tries=2 www.163.com").out,
    ";; communications error to 192.168.1.1#53: timed out\n".repeat(2) +
      ";; communications error to 10.53.0.1#53: timed out\n" +
      "\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> +time=1 +tries=2 www.163.com\n" +
      ";; global options: +cmd\n;; no servers could be reached\n",
  );
  // +short: only the error lines.
  assert.equal(
    lab.pc.sh("dig +short +tries=1 +time=1 @192.168.1.1 www.163.com").out,
    ";; communications error to 192.168.1.1#53: timed out\n;; no servers could be reached\n",
  );
  hung.close();
  // TCP to a closed port: dig's connection lines, one pair per try.
  assert.equal(
    lab.pc.sh("dig +tcp @192.168.1.1 www.163.com").out,
    (";; Connection to 192.168.1.1#53(192.168.1.1) for www.163.com failed: connection refused.\n" +
      ";; no servers could be reached\n").repeat(3),
  );
  // A source address that is not ours.
  assert.equal(
    lab.pc.sh("dig -b 10.9.9.9 @10.53.0.53 www.163.com").out,
    (";; UDP setup with 10.53.0.53#53(10.53.0.53) for www.163.com failed: address not available.\n" +
      ";; no servers could be reached\n").repeat(3),
  );
});
