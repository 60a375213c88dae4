import assert from "node:assert/strict";
import { ip } from "../../wire/addr.ts";
import { hostent, parseHosts, parseResolvConf } from "./stub.ts";
import { parseRecords } from "./zone.ts";

Deno.test("stub: resolv.conf as glibc reads it, limits included", () => {
  const c = parseResolvConf(
    "# comment\nnameserver 10.0.0.1\nnameserver 10.0.0.2 ; trailing\nnameserver 10.0.0.3\n" +
      "nameserver 10.0.0.4\nnameserver not-an-address\ndomain corp.example\n" +
      "search a.example b.example c.example d.example e.example f.example g.example\n" +
      "options ndots:20 timeout:0 attempts:9 rotate edns0 unknown:3\nsortlist 10.0.0.0/8\n",
  );
  assert.deepEqual(c.nameservers, [ip("10.0.0.1"), ip("10.0.0.2"), ip("10.0.0.3")]);
  // search after domain wins; six domains at most.
  assert.deepEqual(c.search, [
    "a.example.",
    "b.example.",
    "c.example.",
    "d.example.",
    "e.example.",
    "f.example.",
  ]);
  assert.deepEqual([c.ndots, c.timeout, c.attempts, c.rotate, c.edns0], [15, 1, 5, true, true]);
  const d = parseResolvConf("search x.example\ndomain y.example\n");
  assert.deepEqual(d.search, ["y.example."]);
  assert.deepEqual([d.ndots, d.timeout, d.attempts], [1, 5, 2]);
});

Deno.test("stub: /etc/hosts lines, comments and bad lines", () => {
  assert.deepEqual(
    parseHosts(
      "127.0.0.1 localhost\n::1 localhost ip6-localhost # v6\n10.0.0.5\nbad line here\n10.0.0.7\tweb www # x\n",
    ),
    [
      { family: 4, address: "127.0.0.1", names: ["localhost"] },
      { family: 6, address: "::1", names: ["localhost", "ip6-localhost"] },
      { family: 4, address: "10.0.0.7", names: ["web", "www"] },
    ],
  );
});

Deno.test("stub: a hostent follows the CNAME chain from the name asked", () => {
  const answers = parseRecords(
    "news.163.com. 600 IN CNAME m.163.com.\nm.163.com. 600 IN CNAME www.163.com.\n" +
      "www.163.com. 600 IN A 203.0.113.80\nwww.163.com. 600 IN A 203.0.113.81\n",
  );
  assert.deepEqual(hostent("news.163.com", answers, 4), {
    name: "www.163.com",
    aliases: ["news.163.com", "m.163.com"],
    family: 4,
    addresses: ["203.0.113.80", "203.0.113.81"],
  });
  assert.deepEqual(hostent("news.163.com", answers, 6).addresses, []);
});
