/**
 * A TCP connection's entry on the firewall, step by step, with the kernel's
 * timeout for each state (nf_conntrack_tcp_timeout_*): SYN_SENT 120 s while
 * unanswered; ESTABLISHED 432000 s (five days) and [ASSURED] once the
 * handshake completes; when the client closes first, FIN_WAIT 120 s, then
 * CLOSE_WAIT 60 s once the server acknowledges, LAST_ACK 30 s when the server
 * closes too, TIME_WAIT 120 s after the last ACK — then the entry is gone. A
 * reset mid-connection leaves CLOSE for 10 s.
 *
 *   client 10.1.0.2 ── fw ── 10.2.0.2 server (:80)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ms, s } from "../../core/sim/simulator.ts";
import { connect, firewallLab, serve } from "./netfilter_testing.ts";

function lab(net: Network) {
  const l = firewallLab(net);
  l.fw.sh("iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP");
  return l;
}

/** State and seconds left of the firewall's only TCP entry, with its flags. */
function state(net: Network): string {
  const out = net.get("fw").sh("conntrack -L -p tcp").stdout;
  if (out === "") return "none";
  const m = /^tcp +6 (\d+) (\S+) /.exec(out)!;
  return `${m[2]} ${m[1]}` + (out.includes("[UNREPLIED]") ? " UNREPLIED" : "") +
    (out.includes("[ASSURED]") ? " ASSURED" : "");
}

scenario("conntrack TCP: from SYN_SENT to TIME_WAIT, and gone", (net) => {
  const { client, server } = lab(net);
  const srv = serve(server, 80);
  const step = () => net.run(net.sim.now + 1 * ms);
  const c = connect(client, "10.2.0.2", 80, 40000);
  step();
  assert.equal(state(net), "ESTABLISHED 431999 ASSURED");
  assert.equal(
    net.get("fw").sh("conntrack -L").stdout,
    "tcp      6 431999 ESTABLISHED src=10.1.0.2 dst=10.2.0.2 sport=40000 dport=80 " +
      "src=10.2.0.2 dst=10.1.0.2 sport=80 dport=40000 [ASSURED] mark=0 use=1\n",
  );
  // The client closes; the server acknowledges but keeps its side open.
  c.shutdown();
  net.run(net.sim.now + 60e3);
  assert.equal(state(net), "FIN_WAIT 119 ASSURED", "the client's FIN passed");
  step();
  assert.equal(state(net), "CLOSE_WAIT 59 ASSURED", "the server's ACK passed");
  srv.conns[0]!.close();
  net.run(net.sim.now + 60e3);
  assert.equal(state(net), "LAST_ACK 29 ASSURED", "the server's FIN passed");
  step();
  assert.equal(state(net), "TIME_WAIT 119 ASSURED", "the client's last ACK passed");
  const t = net.sim.now;
  net.run(t + 119.5 * s);
  assert.equal(state(net), "TIME_WAIT 0 ASSURED");
  net.run(t + 120.5 * s);
  assert.equal(state(net), "none");
});

scenario("conntrack TCP: an unanswered SYN, 120 s in SYN_SENT", (net) => {
  const { client, server } = lab(net);
  server.sh("iptables -A INPUT -p tcp --dport 80 -j DROP");
  client.sh("sysctl -w net.ipv4.tcp_syn_retries=0");
  const t0 = net.sim.now;
  connect(client, "10.2.0.2", 80);
  net.run(t0 + 1 * ms);
  assert.equal(state(net), "SYN_SENT 119 UNREPLIED");
  net.run(t0 + 60 * s);
  assert.equal(state(net), "SYN_SENT 60 UNREPLIED");
  net.run(t0 + 120.5 * s);
  assert.equal(state(net), "none");
});

scenario("conntrack TCP: a reset leaves CLOSE for 10 s", (net) => {
  const { client, server } = lab(net);
  const srv = serve(server, 80);
  const c = connect(client, "10.2.0.2", 80, 40000);
  net.run(net.sim.now + 1 * ms);
  srv.conns[0]!.abort();
  net.run(net.sim.now + 1 * ms);
  assert.equal(c.error, "ECONNRESET");
  assert.equal(state(net), "CLOSE 9 ASSURED");
  net.run(net.sim.now + 10 * s);
  assert.equal(state(net), "none");
});
