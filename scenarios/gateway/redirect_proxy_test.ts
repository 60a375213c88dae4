/**
 * REDIRECT: a transparent proxy on the gateway. `iptables -t nat -A
 * PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 3128` sends
 * every inside host's web connection to the gateway's own port 3128, whatever
 * server the host meant; the host never knows (its replies come from the
 * address it connected to). The proxy learns the original destination from
 * conntrack, as SO_ORIGINAL_DST does. Locally generated connections are
 * redirected in OUTPUT to 127.0.0.1.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { serve } from "../transport/tcp_testing.ts";
import { connect, natLan, peer } from "./nat_testing.ts";
import { formatIp4 } from "../../core/wire/addr.ts";

scenario("REDIRECT: web connections from the LAN land on the gateway's proxy port", (net) => {
  const { gw, h, s } = natLan(net, 2, 1);
  gw.sh("iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 3128");
  const proxy = serve(gw, 3128);
  const web = serve(s[0]!, 80);
  const c = connect(h[0]!, "203.0.113.80", 80, 40000);
  net.run(1e9);
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(peer(c), "203.0.113.80:80", "the host believes it reached the server");
  assert.equal(web.conns.length, 0, "the real server saw nothing");
  assert.deepEqual(proxy.conns.map(peer), ["192.168.1.10:40000"]);
  // The proxy's socket is bound to the address of the interface the SYN came in on.
  assert.equal(formatIp4(proxy.conns[0]!.localAddr), "192.168.1.1");
  // SO_ORIGINAL_DST: conntrack still knows where the host wanted to go.
  const [entry] = gw.root.netfilter.conntrack.list(net.sim.now);
  assert.equal(formatIp4(entry!.orig.dst), "203.0.113.80");
  assert.equal(entry!.orig.dport, 80);
  assert.equal(
    gw.sh("conntrack -L").stdout.replace(/^tcp {6}6 \d+ /, ""),
    "ESTABLISHED src=192.168.1.10 dst=203.0.113.80 sport=40000 dport=80 " +
      "src=192.168.1.1 dst=192.168.1.10 sport=3128 dport=40000 [ASSURED] mark=0 use=1\n",
  );
});

scenario("REDIRECT: other ports and other interfaces are untouched", (net) => {
  const { gw, h, s } = natLan(net, 1, 1);
  gw.sh("iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 3128");
  gw.sh("iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE");
  serve(gw, 3128);
  const ssh = serve(s[0]!, 22);
  connect(h[0]!, "203.0.113.80", 22, 40001);
  net.run(1e9);
  assert.deepEqual(ssh.conns.map(peer), ["203.0.113.1:40001"]);
  assert.equal(gw.sh("iptables -t nat -L PREROUTING -n -v").stdout.split("\n")[2]!.trim()[0], "0");
});

scenario("REDIRECT in OUTPUT: the gateway's own web traffic goes to its local proxy", (net) => {
  const { gw, s } = natLan(net, 1, 1);
  gw.sh("iptables -t nat -A OUTPUT -p tcp -d 203.0.113.80 --dport 80 -j REDIRECT --to-ports 3128");
  const proxy = serve(gw, 3128);
  const web = serve(s[0]!, 80);
  const c = connect(gw, "203.0.113.80", 80, 40002);
  net.run(1e9);
  assert.equal(c.state, "ESTABLISHED");
  assert.equal(web.conns.length, 0);
  assert.equal(proxy.conns.length, 1);
  assert.equal(formatIp4(proxy.conns[0]!.localAddr), "127.0.0.1");
  // The SYN never left through eth1.
  assert.equal(net.trace.filter({ kind: "tx", node: "gw", iface: "eth1", proto: 6 }).length, 0);
});

scenario("REDIRECT: bad command lines", (net) => {
  const { gw } = natLan(net, 1, 1);
  let r = gw.sh("iptables -t nat -A PREROUTING -j REDIRECT --to-ports 3128");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Need TCP, UDP, SCTP or DCCP with port specification/);
  r = gw.sh("iptables -t nat -A POSTROUTING -p tcp -j REDIRECT --to-ports 3128");
  assert.equal(r.status, 4);
  assert.match(r.stderr, /RULE_APPEND failed \(Invalid argument\): rule in chain POSTROUTING/);
  r = gw.sh("iptables -t filter -A INPUT -p tcp -j REDIRECT");
  assert.equal(r.status, 4);
});
