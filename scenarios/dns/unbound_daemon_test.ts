/**
 * The resolver started the way it is on a real machine: `unbound` reads
 * /etc/unbound/unbound.conf — the interface to listen on, who may ask
 * (access-control), local data, a root hints file — and runs as a daemon
 * until `pkill unbound`. A client outside access-control gets REFUSED; after
 * pkill the port is closed (dig: connection refused). Configuration mistakes
 * get Unbound 1.17's messages (recorded from the real daemon): an unknown
 * keyword is fatal, a missing file falls back to the defaults, an interface
 * that is not local cannot be bound.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsLab } from "./dns_testing.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function box(net: Parameters<typeof dnsLab>[0]) {
  const lab = dnsLab(net);
  const unb = net.node("unb");
  net.connect(unb, lab.isp, { delay: "5ms" });
  lab.isp.sh("ip addr add 10.55.0.1/24 dev eth3");
  unb.sh("ip addr add 10.55.0.53/24 dev eth0; ip route add default via 10.55.0.1");
  unb.files.set(
    "/etc/unbound/root.hints",
    enc(
      ".                 3600000  NS  a.root-servers.net.\na.root-servers.net. 3600000 A 198.51.100.1\n",
    ),
  );
  return { lab, unb };
}

scenario("dns: unbound from its configuration file, stopped by pkill", (net) => {
  const { lab, unb } = box(net);
  unb.files.set(
    "/etc/unbound/unbound.conf",
    enc(`# a small resolver
server:
  interface: 10.55.0.53
  access-control: 192.168.1.0/24 allow
  root-hints: "/etc/unbound/root.hints"
  local-data: "intranet.example. 300 IN A 10.55.0.80"
  username: "unbound"
  verbosity: 1
`),
  );
  const r = unb.sh("unbound");
  assert.deepEqual([r.out, r.status], ["", 0]);
  assert.equal(lab.pc.sh("dig +short @10.55.0.53 www.163.com").out, "203.0.113.80\n");
  assert.match(
    lab.pc.sh("dig @10.55.0.53 intranet.example").out,
    /flags: qr aa rd ra;[^]*\t300\tIN\tA\t10\.55\.0\.80/,
  );
  // The router's own address is not in access-control: REFUSED.
  assert.match(lab.isp.sh("dig @10.55.0.53 www.163.com").out, /status: REFUSED/);
  assert.equal(unb.sh("pkill unbound").status, 0);
  assert.match(
    lab.pc.sh("dig +tries=1 @10.55.0.53 www.163.com").out,
    /communications error to 10\.55\.0\.53#53: connection refused/,
  );
});

scenario("dns: unbound's messages for a bad configuration", (net) => {
  const { unb } = box(net);
  unb.files.set("/etc/unbound/bad.conf", enc("server:\n  bogus-option: yes\n"));
  const bad = unb.sh("unbound -c /etc/unbound/bad.conf");
  assert.equal(bad.status, 1);
  assert.equal(
    bad.stderr.replace(/^\[\d+\] unbound\[\d+:0\]/gm, "[T] unbound[P:0]"),
    "/etc/unbound/bad.conf:2: error: unknown keyword 'bogus-option'\n" +
      "/etc/unbound/bad.conf:2: error: stray ':'\n" +
      "/etc/unbound/bad.conf:2: error: unknown keyword 'yes'\n" +
      "read /etc/unbound/bad.conf failed: 3 errors in configuration file\n" +
      "[T] unbound[P:0] fatal error: Could not read config file: /etc/unbound/bad.conf. Maybe try unbound -dd, it stays on the commandline to see more errors, or unbound-checkconf\n",
  );
  unb.files.set("/etc/unbound/far.conf", enc("server:\n  interface: 10.55.0.99\n"));
  const far = unb.sh("unbound -c /etc/unbound/far.conf");
  assert.equal(far.status, 1);
  assert.equal(
    far.stderr.replace(/^\[\d+\] unbound\[\d+:0\]/gm, "[T] unbound[P:0]"),
    "[T] unbound[P:0] error: can't bind socket: Cannot assign requested address for 10.55.0.99 port 53\n" +
      "[T] unbound[P:0] fatal error: could not open ports\n",
  );
  // No file: the defaults (127.0.0.1, localhost only), after a warning.
  const none = unb.sh("unbound -c /nonexistent.conf");
  assert.equal(none.status, 0);
  assert.equal(
    none.stderr.replace(/^\[\d+\] unbound\[\d+:0\]/gm, "[T] unbound[P:0]"),
    "[T] unbound[P:0] error: Could not open /nonexistent.conf: No such file or directory\n" +
      "[T] unbound[P:0] warning: Continuing with default config settings\n",
  );
  assert.match(unb.sh("dig +norecurse @127.0.0.1 x.example").out, /status: REFUSED/);
  const h = unb.sh("unbound -h");
  assert.equal(h.status, 1);
  assert.match(h.stdout, /^usage: {2}unbound \[options\]\n\tstart unbound daemon DNS resolver\.\n/);
  const x = unb.sh("unbound -x");
  assert.deepEqual([x.stderr, x.status], ["unbound: invalid option -- 'x'\n", 1]);
});
