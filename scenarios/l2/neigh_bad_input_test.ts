/**
 * Bad `ip neigh` command lines: each one fails with a non-zero status and a
 * message on stderr, prints nothing on stdout, changes no table and sends no
 * frame — and the shell never throws. Where iproute2's wording is certain, the
 * message is checked word for word.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import type { Network } from "../../core/lab/network.ts";
import { ipNeigh } from "./frames.ts";

function build(net: Network) {
  const [a, b] = net.nodes("a", "b");
  const sw = net.switch("sw");
  net.connect(a, sw);
  net.connect(b, sw);
  a.sh("ip addr add 10.0.0.1/24 dev eth0");
  b.sh("ip addr add 10.0.0.2/24 dev eth0");
  a.sh("ping -c 1 10.0.0.2");
  a.sh("ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:09 dev eth0");
  return { a, b };
}

/** Run a bad command: it must fail cleanly, leave the table alone and send nothing. */
function fails(net: Network, a: ReturnType<typeof build>["a"], command: string): string {
  const before = ipNeigh(a);
  const frames = net.trace.events.length;
  const out = a.sh(command);
  assert.notEqual(out.status, 0, `${command}: status 0`);
  assert.equal(out.stdout, "", `${command}: printed on stdout`);
  assert.ok(out.stderr.length > 0, `${command}: no error message`);
  assert.deepEqual(ipNeigh(a), before, `${command}: changed the table`);
  assert.equal(net.trace.events.length, frames, `${command}: sent something`);
  return out.stderr;
}

scenario("bad ip neigh: missing or unknown device", (net) => {
  const { a } = build(net);
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03"),
    "Device and destination are required arguments.\n",
  );
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.3 lladdr 02:00:00:00:00:03 dev eth9"),
    'Cannot find device "eth9"\n',
  );
  assert.equal(fails(net, a, "ip neigh show dev eth9"), 'Cannot find device "eth9"\n');
  assert.equal(
    fails(net, a, "ip neigh del 10.0.0.9"),
    "Device and destination are required arguments.\n",
  );
});

scenario("bad ip neigh: an entry that exists, an entry that does not", (net) => {
  const { a } = build(net);
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.9 lladdr 02:00:00:00:00:10 dev eth0"),
    "RTNETLINK answers: File exists\n",
  );
  // Even a learned entry: add never overwrites (NLM_F_EXCL); that is what replace is for.
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:10 dev eth0"),
    "RTNETLINK answers: File exists\n",
  );
  assert.equal(
    fails(net, a, "ip neigh del 10.0.0.77 dev eth0"),
    "RTNETLINK answers: No such file or directory\n",
  );
  // The failed add did not touch the existing entry's MAC.
  assert.ok(ipNeigh(a).includes("10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT"));
});

scenario("bad ip neigh: malformed address, MAC or command line", (net) => {
  const { a } = build(net);
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.300 lladdr 02:00:00:00:00:03 dev eth0"),
    'Error: any valid address is expected rather than "10.0.0.300".\n',
  );
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.3 lladdr zz dev eth0"),
    '"zz" is invalid lladdr.\n',
  );
  fails(net, a, "ip neigh add 10.0.0.3 dev eth0"); // no MAC: the kernel refuses it
  assert.equal(
    fails(net, a, "ip neigh add 10.0.0.3 lladdr"),
    'Command line is not complete. Try option "help"\n',
  );
  assert.equal(fails(net, a, "ip neigh frob"), 'Command "frob" is unknown, try "ip neigh help".\n');
  // A bare flush would empty the cache; iproute2 wants to be told what to flush.
  assert.equal(fails(net, a, "ip neigh flush"), "Flush requires arguments.\n");
});

scenario("bad ip neigh: after all that, the good commands still work", (net) => {
  const { a, b } = build(net);
  a.sh("ip neigh add 10.0.0.300 lladdr zz dev eth9; ip neigh frob; ip neigh del 1.2.3.4 dev eth0");
  const out = a.sh("ip neigh replace 10.0.0.2 lladdr " + b.mac("eth0") + " dev eth0");
  assert.equal(out.status, 0);
  assert.deepEqual(ipNeigh(a), [
    `10.0.0.2 dev eth0 lladdr ${b.mac("eth0")} PERMANENT`,
    "10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 PERMANENT",
  ]);
  assert.equal(a.sh("ping -c 1 10.0.0.2").status, 0);
});
