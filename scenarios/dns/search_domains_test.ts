/**
 * Search domains in /etc/resolv.conf, as glibc applies them: with `search
 * 163.com cdn-dns.net`, `getent hosts www` (no dot, fewer than ndots:1)
 * tries www.163.com. first. getent asks AAAA before A: the AAAA query gets
 * NODATA, so glibc goes on through the list (www.cdn-dns.net.: NXDOMAIN) and
 * the bare name (www.: NXDOMAIN from the root), then asks A for
 * www.163.com. — the order recorded from glibc 2.36. A name with a dot
 * (static.163.com) is tried as is first. `edge` is found in the second
 * domain. dig applies no search list by default.
 */
import assert from "node:assert/strict";
import { scenario } from "../../core/lab/scenario.ts";
import { dnsTypeName } from "../../core/app/dns/format.ts";
import { dnsLab, dnsOnWire } from "./dns_testing.ts";

scenario("dns: resolv.conf search domains, tried in glibc's order", (net) => {
  const lab = dnsLab(net);
  lab.pc.files.set(
    "/etc/resolv.conf",
    new TextEncoder().encode("nameserver 10.53.0.53\nsearch 163.com cdn-dns.net\n"),
  );
  const queries = () =>
    dnsOnWire(net, { node: "pc" }).filter((w) => !w.message.qr).map((w) => {
      const q = w.message.questions[0]!;
      return `${dnsTypeName(q.type)}? ${q.name}`;
    });
  assert.equal(lab.pc.sh("getent hosts www").out, "203.0.113.80    www.163.com\n");
  assert.deepEqual(queries(), [
    "AAAA? www.163.com.",
    "AAAA? www.cdn-dns.net.",
    "AAAA? www.",
    "A? www.163.com.",
  ]);
  // Every query is a fresh one with RD and no OPT record, as glibc sends them.
  const sent = dnsOnWire(net, { node: "pc" }).filter((w) => !w.message.qr);
  assert.ok(sent.every((w) => w.message.rd && w.message.edns === undefined));
  assert.equal(new Set(sent.map((w) => w.message.id)).size, 4);

  const before = queries().length;
  assert.equal(lab.pc.sh("getent hosts edge").out, "203.0.113.200   edge.cdn-dns.net\n");
  assert.deepEqual(queries().slice(before), [
    "AAAA? edge.163.com.",
    "AAAA? edge.cdn-dns.net.",
    "AAAA? edge.",
    "A? edge.163.com.",
    "A? edge.cdn-dns.net.",
  ]);
  // With a dot (ndots:1 reached) the name is tried as is first, then the list.
  const mark = queries().length;
  lab.pc.sh("getent hosts mail.163.com");
  assert.deepEqual(queries().slice(mark, mark + 2), [
    "AAAA? mail.163.com.",
    "AAAA? mail.163.com.163.com.",
  ]);
  // options ndots:3: now even static.163.com goes through the list first.
  lab.pc.files.set(
    "/etc/resolv.conf",
    new TextEncoder().encode("nameserver 10.53.0.53\nsearch 163.com\noptions ndots:3\n"),
  );
  const m2 = queries().length;
  lab.pc.sh("getent hosts m.163.com");
  assert.deepEqual(queries().slice(m2, m2 + 2), ["AAAA? m.163.com.163.com.", "AAAA? m.163.com."]);
  // dig does not search: "www" is asked as www. and does not exist.
  const d = lab.pc.sh("dig www");
  assert.match(d.out, /status: NXDOMAIN/);
  assert.match(d.out, /^;www\.\t\t\t\tIN\tA$/m);
});
