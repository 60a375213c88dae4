/**
 * dnsmasq and dhclient as the daemons they are: `dnsmasq` returns at once and
 * serves in the background, logging to /var/log/syslog; `dhclient` returns
 * once bound and keeps renewing while the shell does other things; `pkill`
 * and `kill PID` stop them (SIGTERM: dhclient leaves the address in place and
 * sends nothing, so the server's lease simply runs out). `dnsmasq -d &` is a
 * shell job instead, stopped with `kill %1`.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc (dhclient)
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { DhcpServer } from "../../core/app/dhcp/server.ts";
import { dhcpOnWire, fileText, lan } from "./dhcp_testing.ts";

scenario("dhcp daemons: dnsmasq and dhclient run on after their command lines", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const d = srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,2m");
  assert.deepEqual([d.out, d.status, net.sim.now], ["", 0, 0]);
  assert.equal(pc!.sh("dhclient eth0").status, 0);
  // The shell goes on; the client renews in the background.
  pc!.sh("sleep 300");
  const requests = dhcpOnWire(net, { type: "DHCPREQUEST", node: "pc" });
  assert.ok(requests.length >= 5, `${requests.length} REQUESTs in 300 s`);
  const syslog = fileText(pc!, "/var/log/syslog")!.split("\n");
  const pid = /dhclient\[(\d+)\]/.exec(syslog[0]!)![1]!;
  assert.match(
    syslog[0]!,
    new RegExp(`^Jan  1 00:00:00 pc dhclient\\[${pid}\\]: DHCPDISCOVER on eth0`),
  );
  assert.ok(
    syslog.some((l) =>
      /^Jan {2}1 00:0[1-5]:\d\d pc dhclient\[\d+\]: DHCPREQUEST for 192\.168\.1\.135 on eth0 to 192\.168\.1\.1 port 67$/
        .test(l)
    ),
  );
  // kill PID: no release, the address stays, the renewals stop, the server's lease runs out.
  const k = pc!.sh(`kill ${pid}`);
  assert.deepEqual([k.out, k.status], ["", 0]);
  const n = dhcpOnWire(net, { node: "pc" }).length;
  pc!.sh("sleep 300");
  assert.equal(dhcpOnWire(net, { node: "pc" }).length, n);
  assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
  assert.equal(
    fileText(srv, "/var/lib/misc/dnsmasq.leases"),
    `${Math.floor(requests.at(-1)!.time / 1e9) + 120} 52:54:00:a1:b2:c3 192.168.1.135 pc *\n`,
  );
  // pkill dnsmasq: stopped, port 67 free (a server from code can take it).
  assert.equal(srv.sh("pkill dnsmasq").status, 0);
  assert.equal(srv.sh("pkill dnsmasq").status, 1);
  assert.equal(new DhcpServer(srv.root, { ranges: [] }).start(), undefined);
  const bad = pc!.sh("kill 9999");
  assert.deepEqual([bad.stderr, bad.status], ["bash: kill: (9999) - No such process\n", 1]);
});

scenario("dhcp daemons: dnsmasq -d & is a job that logs to the terminal", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const r = srv.sh("dnsmasq -d --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h &");
  assert.equal(r.stderr.split("\n").length, 4);
  // The client starts in the background; what dnsmasq logs meanwhile shows in the output of
  // whichever command is running on srv at that moment — here a sleep.
  pc!.sh("dhclient -nw eth0");
  const during = srv.sh("sleep 5");
  assert.deepEqual(during.stderr.split("\n"), [
    "dnsmasq-dhcp: DHCPDISCOVER(eth0) 52:54:00:a1:b2:c3 ",
    "dnsmasq-dhcp: DHCPOFFER(eth0) 192.168.1.135 52:54:00:a1:b2:c3 ",
    "dnsmasq-dhcp: DHCPREQUEST(eth0) 192.168.1.135 52:54:00:a1:b2:c3 ",
    "dnsmasq-dhcp: DHCPACK(eth0) 192.168.1.135 52:54:00:a1:b2:c3 pc",
    "",
  ]);
  const stop = srv.sh("kill %1");
  assert.equal(stop.stderr, "dnsmasq: exiting on receipt of SIGTERM\n");
  assert.equal(srv.sh("pkill dnsmasq").status, 1, "already gone");
});
