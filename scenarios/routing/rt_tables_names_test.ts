/**
 * Table names come from /etc/iproute2/rt_tables, which each machine ships
 * with Debian's contents. A line appended with `echo 200 chao >> …` names
 * table 200 everywhere iproute2 prints or reads a table (ip rule, ip route
 * show/get, JSON); ids may be hex; a line that is not `ID NAME` makes
 * iproute2 call the file corrupted and read no further. The names are the
 * machine's: every namespace on it sees them.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";

const DEBIAN = "#\n# reserved values\n#\n255\tlocal\n254\tmain\n253\tdefault\n0\tunspec\n" +
  "#\n# local\n#\n#1\tinr.ruhep\n";

scenario("rt_tables: Debian's file, and a name added to it used everywhere", (net) => {
  const r = net.node("r");
  assert.equal(r.sh("cat /etc/iproute2/rt_tables").stdout, DEBIAN);
  r.sh("ip link add veth0 type veth peer name veth1; ip link set veth0 up; ip link set veth1 up");
  r.sh("ip addr add 10.0.0.1/24 dev veth0");
  assert.equal(r.sh("echo 200 chao >> /etc/iproute2/rt_tables").status, 0);
  assert.equal(r.sh("ip rule add from 192.168.1.101 lookup chao").status, 0);
  assert.equal(r.sh("ip route add default via 10.0.0.2 table 200").status, 0);
  assert.match(r.sh("ip rule").stdout, /^32765:\tfrom 192\.168\.1\.101 lookup chao\n/m);
  assert.match(r.sh("ip -j rule").stdout, /"src":"192\.168\.1\.101","table":"chao"/);
  assert.equal(r.sh("ip route show table chao").stdout, "default via 10.0.0.2 dev veth0 \n");
  assert.match(
    r.sh("ip route show table all").stdout,
    /^default via 10\.0\.0\.2 dev veth0 table chao \n/m,
  );
  r.sh("sysctl -w net.ipv4.ip_forward=1");
  assert.equal(
    r.sh("ip route get 8.8.8.8 from 192.168.1.101 iif veth1").stdout,
    "8.8.8.8 from 192.168.1.101 via 10.0.0.2 dev veth0 table chao \n    cache iif veth1 \n",
  );
  // Another namespace on the same machine reads the same file.
  r.sh("ip netns add other");
  assert.equal(r.sh("ip netns exec other ip rule add from 10.9.9.9 table chao").status, 0);
  assert.match(r.sh("ip netns exec other ip rule").stdout, /from 10\.9\.9\.9 lookup chao/);
  // Without the line, the number shows again.
  r.sh("echo '#' > /etc/iproute2/rt_tables");
  assert.match(r.sh("ip rule").stdout, /^32765:\tfrom 192\.168\.1\.101 lookup 200\n/m);
  assert.match(r.sh("ip rule").stdout, /^32766:\tfrom all lookup main\n/m); // built in, not from the file
});

scenario(
  "rt_tables: hex ids, indented lines and trailing comments are read as iproute2 reads them",
  (net) => {
    const r = net.node("r");
    r.sh("echo 0x10 hexy >> /etc/iproute2/rt_tables");
    r.sh("echo '  202 spaced # a comment' >> /etc/iproute2/rt_tables");
    assert.equal(r.sh("ip rule add from 1.2.3.5 table hexy").status, 0);
    assert.equal(r.sh("ip rule add from 1.2.3.6 table spaced").status, 0);
    assert.equal(r.sh("ip rule add from 1.2.3.7 table 0x10").status, 0);
    assert.equal(
      r.sh("ip rule show from 1.2.3.0/24").stdout,
      "32763:\tfrom 1.2.3.7 lookup hexy\n32764:\tfrom 1.2.3.6 lookup spaced\n" +
        "32765:\tfrom 1.2.3.5 lookup hexy\n",
    );
  },
);

scenario(
  "rt_tables: the name written the wrong way round corrupts the file from there on",
  (net) => {
    const r = net.node("r");
    r.sh("echo chao 200 >> /etc/iproute2/rt_tables");
    r.sh("echo 201 other >> /etc/iproute2/rt_tables");
    const bad = r.sh("ip rule add from 1.2.3.4 table chao");
    assert.equal(bad.status, 255);
    assert.equal(
      bad.stderr,
      "Database /etc/iproute2/rt_tables is corrupted at chao 200\n\n" +
        'Error: argument "chao" is wrong: invalid table ID\n\n',
    );
    // The good line after it is never read.
    assert.match(r.sh("ip rule add from 1.2.3.4 table other").stderr, /invalid table ID/);
    const byNumber = r.sh("ip rule add from 1.2.3.4 table 201");
    assert.equal(byNumber.status, 0);
    assert.equal(byNumber.stderr, "Database /etc/iproute2/rt_tables is corrupted at chao 200\n\n");
    assert.match(r.sh("ip rule").stdout, /^32765:\tfrom 1\.2\.3\.4 lookup 201\n/m);
  },
);
