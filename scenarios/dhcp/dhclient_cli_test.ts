/**
 * dhclient's command line, checked against ISC dhclient 4.4.3 on Debian: an
 * unknown option prints the banner, "Unknown command", the usage and the
 * bug-report text, exit 1; a missing interface is reported by its script's
 * `ip link set` ("Cannot find device"), exit 1, with `-v` followed by
 * "Failed to get interface index"; `-1` turns the 60 s give-up into exit 2 (its message only in syslog without `-v`);
 * `-nw` returns at once and the client works on in the background; without
 * `-v` a successful run prints nothing.
 *
 *   srv 192.168.1.1 (dnsmasq) ── sw ── pc
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dhcpOnWire, lan, secs, syslogLines } from "./dhcp_testing.ts";

const BANNER = "Internet Systems Consortium DHCP Client 4.4.3-P1\n" +
  "Copyright 2004-2022 Internet Systems Consortium.\n" +
  "All rights reserved.\n" +
  "For info, please visit https://www.isc.org/software/dhcp/\n";
const BUG = "\nIf you think you have received this message due to a bug rather\n" +
  "than a configuration issue please read the section on submitting\n" +
  "bugs on either our web page at www.isc.org or in the README file\n" +
  "before submitting a bug.  These pages explain the proper\n" +
  "process and the information we find helpful for debugging.\n\n" +
  "exiting.\n";

scenario("dhclient: unknown option, missing interface", (net) => {
  const { pcs: [pc] } = lan(net, "pc");
  const z = pc!.sh("dhclient -z");
  assert.equal(z.status, 1);
  assert.equal(z.stdout, "");
  assert.ok(
    z.stderr.startsWith(
      `${BANNER}Unknown command: -z\nUsage: dhclient [-4|-6] [-SNTPRI1dvrxi] [-nw]`,
    ),
  );
  assert.ok(
    z.stderr.includes(
      "                [-sf script-file] [interface]*\n       dhclient {--version|--help|-h}\n",
    ),
  );
  assert.ok(z.stderr.endsWith(BUG));
  const quiet = pc!.sh("dhclient nosuchif");
  assert.deepEqual([quiet.stdout, quiet.stderr, quiet.status], [
    "",
    'Cannot find device "nosuchif"\n',
    1,
  ]);
  const loud = pc!.sh("dhclient -v nosuchif");
  assert.equal(
    loud.stderr,
    `Cannot find device "nosuchif"\n${BANNER}\nFailed to get interface index: No such device\n${BUG}`,
  );
  assert.equal(loud.status, 1);
  assert.deepEqual(dhcpOnWire(net), [], "nothing was sent");
});

scenario("dhclient: -1 gives up with status 2; -nw returns at once", (net) => {
  const { srv, pcs: [pc] } = lan(net, "pc");
  const once = pc!.sh("dhclient -1 eth0");
  // Without -v the give-up goes to syslog only.
  assert.deepEqual([once.stderr, once.status], ["", 2]);
  assert.equal(
    syslogLines(pc!, "dhclient").at(-1),
    "Unable to obtain a lease on first try.  Exiting.",
  );
  const t = secs(net.sim.now);
  assert.ok(t > 60 && t < 62, `gave up at ${t} s`);
  // Stopped for good: no DISCOVER after the give-up.
  const n = dhcpOnWire(net).length;
  net.runFor(600e9);
  assert.equal(dhcpOnWire(net).length, n);
  srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
  const start = net.sim.now;
  const nw = pc!.sh("dhclient -nw eth0");
  assert.deepEqual([nw.out, nw.status, net.sim.now], ["", 0, start]);
  assert.equal(pc!.sh("ip -br addr show dev eth0").stdout, "eth0             UP             \n");
  net.runFor(5e9);
  assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /192\.168\.1\.135\/24/);
});

scenario(
  "dhclient: a successful run without -v prints nothing; dhclient brings the link up",
  (net) => {
    const { srv, pcs: [pc] } = lan(net, "pc");
    srv.sh("dnsmasq --port=0 --dhcp-range=192.168.1.100,192.168.1.200,12h");
    pc!.sh("ip link set eth0 down");
    const r = pc!.sh("dhclient eth0");
    assert.deepEqual([r.out, r.status], ["", 0]);
    assert.match(pc!.sh("ip -br addr show dev eth0").stdout, /^eth0 +UP +192\.168\.1\.135\/24 $/m);
  },
);
