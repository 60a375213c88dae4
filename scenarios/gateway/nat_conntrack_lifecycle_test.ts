/**
 * A NAT gateway's conntrack entry over the life of one TCP connection, as
 * `conntrack -L` shows it: SYN_SENT [UNREPLIED] after the SYN, SYN_RECV once
 * the SYN-ACK passed, ESTABLISHED [ASSURED] with the 5-day timeout, then the
 * close (FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT) and removal 120 s later.
 * Deleting the entry by hand (`conntrack -D`) does not break the connection:
 * its next packet is picked up mid-stream and gets the same mapping back.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, natLan } from "./nat_testing.ts";

/** The conntrack line without the protocol and timeout columns. */
function ct(gw: { sh(c: string): { stdout: string } }): string {
  return gw.sh("conntrack -L -p tcp").stdout.replace(/^tcp {6}6 \d+ /gm, "").trim();
}

function seconds(gw: { sh(c: string): { stdout: string } }): number {
  return Number(/^tcp {6}6 (\d+) /.exec(gw.sh("conntrack -L -p tcp").stdout)![1]);
}

const TUPLES = "src=192.168.1.10 dst=203.0.113.80 sport=40000 dport=80 " +
  "src=203.0.113.80 dst=203.0.113.1 sport=80 dport=40000";

scenario(
  "conntrack through a NAT: the states of one TCP connection, handshake to TIME_WAIT",
  (net) => {
    const { gw, h, s } = natLan(net, 1, 1);
    gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
    const srv = serve(s[0]!, 80);
    // Stop time right after the SYN crossed the gateway.
    const c = connect(h[0]!, "203.0.113.80", 80, 40000);
    const synAt = () => net.trace.first({ kind: "tx", node: "gw", iface: "eth1", proto: 6 });
    net.sim.runUntil(() => synAt() !== undefined);
    assert.equal(
      ct(gw),
      `SYN_SENT src=192.168.1.10 dst=203.0.113.80 sport=40000 dport=80 [UNREPLIED] ` +
        `src=203.0.113.80 dst=203.0.113.1 sport=80 dport=40000 mark=0 use=1`,
    );
    assert.equal(seconds(gw), 119);
    net.run(net.sim.now + 1e9);
    assert.equal(c.state, "ESTABLISHED");
    assert.equal(ct(gw), `ESTABLISHED ${TUPLES} [ASSURED] mark=0 use=1`);
    assert.equal(seconds(gw), 431999);
    // The client closes; the server closes after it.
    c.close();
    net.run(net.sim.now + 1e9);
    assert.equal(srv.conns[0]!.state, "CLOSE-WAIT");
    assert.equal(ct(gw), `CLOSE_WAIT ${TUPLES} [ASSURED] mark=0 use=1`);
    srv.conns[0]!.close();
    net.run(net.sim.now + 1e9);
    assert.equal(ct(gw), `TIME_WAIT ${TUPLES} [ASSURED] mark=0 use=1`);
    // The last ACK passed a moment after the close, just under a second ago.
    assert.equal(seconds(gw), 119);
    net.run(net.sim.now + 119e9);
    assert.match(ct(gw), /^TIME_WAIT /, "still there 119 s later");
    net.run(net.sim.now + 1e9);
    assert.equal(ct(gw), "", "gone 120 s after the last ACK");
  },
);

scenario(
  "conntrack through a NAT: an entry deleted by hand is picked up again mid-stream",
  (net) => {
    const { gw, h, s } = natLan(net, 1, 1);
    gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
    const srv = serve(s[0]!, 80);
    const c = connect(h[0]!, "203.0.113.80", 80, 40000);
    net.run(1e9);
    const del = gw.sh("conntrack -D -p tcp --sport 40000");
    assert.equal(
      del.stderr,
      "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n",
    );
    assert.equal(ct(gw), "");
    c.send(new TextEncoder().encode("still here"));
    net.run(net.sim.now + 2e9);
    assert.equal(new TextDecoder().decode(srv.received[0]), "still here");
    // Picked up from a lone ACK: ESTABLISHED at once, with the same mapping.
    assert.match(ct(gw), new RegExp(`^ESTABLISHED ${TUPLES.replaceAll(".", "\\.")}`));
    // Nothing to delete twice.
    const again = gw.sh("conntrack -D -p udp");
    assert.equal(again.status, 1);
    assert.equal(
      again.stderr,
      "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n",
    );
  },
);

scenario("conntrack: -F empties the table; bad options get conntrack's messages", (net) => {
  const { gw, h, s } = natLan(net, 1, 1);
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  serve(s[0]!, 80);
  connect(h[0]!, "203.0.113.80", 80, 40000);
  h[0]!.sh("ping -c 1 203.0.113.80");
  assert.equal(gw.sh("conntrack -C").stdout, "2\n");
  const f = gw.sh("conntrack -F");
  assert.equal(
    f.stderr,
    "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n",
  );
  assert.equal(gw.sh("conntrack -C").stdout, "0\n");
  // Without arguments conntrack 1.4.7 prints its usage and succeeds.
  const none = gw.sh("conntrack");
  assert.equal(none.status, 0);
  assert.match(
    none.stdout,
    /^Command line interface for the connection tracking system\. Version 1\.4\.7\n/,
  );
  const bad = gw.sh("conntrack -L -p foo");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^conntrack v1\.4\.7 \(conntrack-tools\): `foo' unsupported protocol\n/);
});
