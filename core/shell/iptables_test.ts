import assert from "node:assert/strict";
import { Network } from "../lab/network.ts";

const here = new URL("./testdata/", import.meta.url);
const restore = Deno.readTextFileSync(new URL("iptables_restore.txt", here));
const recorded = Deno.readTextFileSync(new URL("iptables_listings.txt", here));

/** The recorded listings: "### iptables ARGS" followed by what the real tool printed. */
function sections(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of text.split(/^### /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.push([part.slice(0, nl), part.slice(nl + 1)]);
  }
  return out;
}

function loaded() {
  const net = new Network({ seed: 1 });
  const n = net.node("fw");
  n.files.set("/tmp/rules", new TextEncoder().encode(restore));
  const r = n.sh("iptables-restore -c < /tmp/rules");
  assert.equal(r.out, "");
  assert.equal(r.status, 0);
  return n;
}

Deno.test("iptables: every listing of a restored rule set matches iptables 1.8.9 line for line", () => {
  const n = loaded();
  const all = sections(recorded);
  assert.equal(all.length, 18);
  for (const [cmd, expected] of all) {
    const got = n.sh(cmd).stdout;
    assert.equal(got, expected, cmd);
  }
});

Deno.test("iptables-save -c prints the restored tables as iptables-save 1.8.9 does", () => {
  const n = loaded();
  const real = Deno.readTextFileSync(new URL("iptables_save_c.txt", here));
  const masked = (t: string) => t.replace(/ on .*$/gm, " on DATE");
  assert.equal(masked(n.sh("iptables-save -c").stdout), masked(real));
});

Deno.test("iptables: -m addrtype lists and saves as iptables 1.8.9 does, and rejects bad types", () => {
  const net = new Network({ seed: 1 });
  const n = net.node("fw");
  n.sh("iptables -t nat -N DOCKER");
  n.sh("iptables -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER");
  n.sh("iptables -t nat -A PREROUTING -m addrtype ! --src-type LOCAL,BROADCAST -j DOCKER");
  assert.equal(
    n.sh("iptables -t nat -L OUTPUT -n").stdout.split("\n")[2],
    "DOCKER     0    --  0.0.0.0/0           !127.0.0.0/8          ADDRTYPE match dst-type LOCAL",
  );
  assert.equal(
    n.sh("iptables -t nat -L PREROUTING -n").stdout.split("\n")[2],
    "DOCKER     0    --  0.0.0.0/0            0.0.0.0/0            ADDRTYPE match src-type !LOCAL,BROADCAST",
  );
  assert.deepEqual(
    n.sh("iptables -t nat -S").stdout.split("\n").filter((l) => l.includes("addrtype")),
    [
      "-A PREROUTING -m addrtype ! --src-type LOCAL,BROADCAST -j DOCKER",
      "-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
    ],
  );
  const bad = n.sh("iptables -t nat -A OUTPUT -m addrtype --dst-type FOO -j DOCKER");
  assert.equal(bad.status, 2);
  assert.equal(
    bad.stderr,
    'iptables v1.8.9 (nf_tables): addrtype: bad type "FOO"\n' +
      "Try `iptables -h' or 'iptables --help' for more information.\n",
  );
});
