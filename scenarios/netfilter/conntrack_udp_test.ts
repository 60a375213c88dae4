/**
 * UDP connections in conntrack, and their timeouts in virtual time (the
 * kernel's defaults): 30 s while unreplied, 30 s after a single exchange
 * (a DNS lookup), 120 s and [ASSURED] once traffic continues past the first
 * two seconds (a "stream"). `conntrack -L` shows the seconds left; an entry
 * disappears when they run out. A late answer after expiry is a new
 * connection from outside, which a replies-only firewall drops. (The 29 / 29
 * / 119 [ASSURED] sequence was checked on Linux 6.18.)
 *
 *   client 10.1.0.2 ── fw ── 10.2.0.2 server (echo on udp/7)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import type { Node } from "../../core/node/node.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { ip } from "../../core/wire/addr.ts";
import { firewallLab } from "./netfilter_testing.ts";

const enc = new TextEncoder();

function lab(net: Network) {
  const l = firewallLab(net);
  l.fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  const echo = l.server.root.udp.socket();
  echo.bind(0, 7);
  echo.onMessage = (d) => echo.sendTo(d.data, d.from, d.fromPort);
  return l;
}

function entry(port: number, seconds: number, flags: { replied: boolean; assured?: boolean }) {
  return `udp      17 ${seconds} src=10.1.0.2 dst=10.2.0.2 sport=${port} dport=DPORT ` +
    (flags.replied ? "" : "[UNREPLIED] ") +
    `src=10.2.0.2 dst=10.1.0.2 sport=DPORT dport=${port} ` +
    (flags.assured ? "[ASSURED] " : "") + "mark=0 use=1\n";
}

function list(fw: Node): string {
  return fw.sh("conntrack -L -p udp").stdout;
}

scenario("conntrack UDP: unreplied, 30 s, then gone", (net) => {
  const { client, fw, server } = lab(net);
  server.sh("iptables -A INPUT -p udp --dport 9 -j DROP");
  const sock = client.root.udp.socket();
  const t0 = net.sim.now;
  sock.sendTo(enc.encode("x"), ip("10.2.0.2"), 9);
  net.run(t0 + 1 * ms);
  const p = sock.localPort;
  const e = (n: number) => entry(p, n, { replied: false }).replaceAll("DPORT", "9");
  assert.equal(list(fw), e(29));
  net.run(t0 + 10 * s);
  assert.equal(list(fw), e(20));
  net.run(t0 + 29.5 * s);
  assert.equal(list(fw), e(0));
  net.run(t0 + 30.5 * s);
  assert.equal(list(fw), "");
  assert.equal(fw.sh("conntrack -C").stdout, "0\n");
});

scenario("conntrack UDP: one exchange keeps 30 s; a stream gets 120 s and ASSURED", (net) => {
  const { client, fw } = lab(net);
  const sock = client.root.udp.socket();
  const t0 = net.sim.now;
  const send = () => sock.sendTo(enc.encode("q"), ip("10.2.0.2"), 7);
  send();
  net.run(t0 + 1 * ms);
  const e = (n: number, assured = false) =>
    entry(sock.localPort, n, { replied: true, assured }).replaceAll("DPORT", "7");
  assert.equal(list(fw), e(29), "answered: no [UNREPLIED], still 30 s");
  net.run(t0 + 1 * s);
  send();
  net.run(t0 + 1 * s + 1 * ms);
  assert.equal(list(fw), e(29), "within the first two seconds: still 30 s");
  net.run(t0 + 2.5 * s);
  send();
  net.run(t0 + 2.5 * s + 1 * ms);
  assert.equal(list(fw), e(119, true), "past two seconds: a stream");
  assert.equal(sock.inbox.length, 3);
  // 120 s of silence and it is gone.
  net.run(t0 + 122.6 * s);
  assert.equal(list(fw), "");
});

scenario("conntrack UDP: an answer after the entry expired is a stranger", (net) => {
  const { client, fw, server } = lab(net);
  fw.sh(`iptables -P FORWARD DROP
iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
iptables -A FORWARD -i eth0 -m conntrack --ctstate NEW -j ACCEPT`);
  // A slow server: it answers port 5000 forty seconds later.
  const slow = server.root.udp.socket();
  slow.bind(0, 5000);
  slow.onMessage = (d) =>
    net.sim.after(40 * s, () => slow.sendTo(enc.encode("late"), d.from, d.fromPort));
  const sock = client.root.udp.socket();
  const t0 = net.sim.now;
  sock.sendTo(enc.encode("q"), ip("10.2.0.2"), 5000);
  net.run(t0 + 41 * s);
  assert.equal(sock.inbox.length, 0);
  const d = net.trace.first({ kind: "drop", node: "fw" })!;
  assert.deepEqual([d.packet.udp!.srcPort, d.detail], [5000, "filter FORWARD policy DROP"]);
  assert.ok(d.time - t0 >= 40 * s);
  // Had it come back within 30 s it would have passed: the echo port does.
  sock.sendTo(enc.encode("q"), ip("10.2.0.2"), 7);
  net.run(net.sim.now + 1 * ms);
  assert.equal(sock.inbox.length, 1);
});
