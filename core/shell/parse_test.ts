import assert from "node:assert/strict";
import { parseCommands, ShellSyntaxError } from "./parse.ts";
import { Network } from "../lab/network.ts";

const argv = (text: string) => parseCommands(text).map((c) => c.argv);

Deno.test("parse: words, quotes and backslashes", () => {
  assert.deepEqual(argv("ip  addr   show"), [["ip", "addr", "show"]]);
  assert.deepEqual(argv(`echo 'a  b' "c  d" e\\ f`), [["echo", "a  b", "c  d", "e f"]]);
  assert.deepEqual(argv(`echo "say \\"hi\\"" 'it''s' x"y"z`), [["echo", 'say "hi"', "its", "xyz"]]);
  assert.deepEqual(argv(`echo "" ''`), [["echo", "", ""]]);
  assert.deepEqual(argv(`sysctl -a --pattern 'net.ipv4.ip_forward'`), [
    ["sysctl", "-a", "--pattern", "net.ipv4.ip_forward"],
  ]);
  assert.deepEqual(argv("echo a \\\n  b"), [["echo", "a", "b"]]);
});

Deno.test("parse: comments, separators and how commands join", () => {
  const cs = parseCommands("a 1; b 2 # not c\n\n  c && d || e & f");
  assert.deepEqual(cs.map((c) => c.argv[0]), ["a", "b", "c", "d", "e", "f"]);
  assert.deepEqual(cs.map((c) => c.after), [";", ";", ";", "&&", "||", ";"]);
  assert.deepEqual(cs.map((c) => c.background), [false, false, false, false, true, false]);
  assert.deepEqual(cs.map((c) => c.text), ["a 1", "b 2 # not c", "c", "d", "e", "f"]);
  assert.deepEqual(argv("echo a#b"), [["echo", "a#b"]]);
  // `&&` at the end of a line continues on the next one.
  const cont = parseCommands("true &&\n  echo yes");
  assert.deepEqual(cont.map((c) => [c.argv[0], c.after]), [["true", ";"], ["echo", "&&"]]);
});

Deno.test("parse: redirections", () => {
  const [c] = parseCommands("ping -c 1 x >out 2>&1");
  assert.deepEqual(c!.argv, ["ping", "-c", "1", "x"]);
  assert.deepEqual(c!.redirects, [
    { fd: 1, op: ">", target: "out" },
    { fd: 2, op: ">&1", target: "" },
  ]);
  const [d] = parseCommands("cat a >> log 2> /dev/null < in");
  assert.deepEqual(d!.redirects, [
    { fd: 1, op: ">>", target: "log" },
    { fd: 2, op: ">", target: "/dev/null" },
    { fd: 0, op: "<", target: "in" },
  ]);
  const [e] = parseCommands("echo x2>y >&2");
  assert.deepEqual(e!.argv, ["echo", "x2"]);
  assert.deepEqual(e!.redirects, [{ fd: 1, op: ">", target: "y" }, {
    fd: 1,
    op: ">&2",
    target: "",
  }]);
});

Deno.test("parse: syntax errors carry bash's messages", () => {
  const cases: Array<[string, string]> = [
    ["echo 'a", "unexpected EOF while looking for matching `''"],
    ['echo "a', "unexpected EOF while looking for matching `\"'"],
    ["&& echo", "syntax error near unexpected token `&&'"],
    ["echo a || || b", "syntax error near unexpected token `||'"],
    ["echo a ; ; b", "syntax error near unexpected token `;'"],
    ["echo a &&", "syntax error: unexpected end of file"],
    ["echo >", "syntax error near unexpected token `newline'"],
    ["& echo", "syntax error near unexpected token `&'"],
  ];
  for (const [text, msg] of cases) {
    assert.throws(() => parseCommands(text), (e: unknown) => {
      assert.ok(e instanceof ShellSyntaxError, text);
      assert.equal(e.message, msg, text);
      return true;
    });
  }
});

Deno.test("shell: sequencing, status, redirections and errors as bash", () => {
  const net = new Network({ seed: 1 });
  const n = net.node("h");
  assert.deepEqual(
    n.sh("false && echo no; echo $?-is-literal || echo never").stdout,
    "$?-is-literal\n",
  );
  assert.equal(n.sh("false || echo yes").stdout, "yes\n");
  assert.equal(n.sh("true && false").status, 1);
  const nf = n.sh("nosuchcommand --x");
  assert.deepEqual([nf.stderr, nf.stdout, nf.status], [
    "bash: nosuchcommand: command not found\n",
    "",
    127,
  ]);
  assert.equal(n.sh("echo 'a b' > f; echo c >> f; cat f").stdout, "a b\nc\n");
  const both = n.sh("ping -c 1 nosuch > g 2>&1; cat g");
  assert.equal(both.stdout, "ping: nosuch: Name or service not known\n");
  assert.equal(both.stderr, "");
  const quiet = n.sh("ip link show nosuch 2>/dev/null");
  assert.deepEqual([quiet.out, quiet.status], ["", 1]);
  const missing = n.sh("cat < nofile");
  assert.deepEqual([missing.stderr, missing.status], [
    "bash: nofile: No such file or directory\n",
    1,
  ]);
  const bad = n.sh("echo 'oops");
  assert.deepEqual(
    [bad.stderr, bad.status],
    ["bash: unexpected EOF while looking for matching `''\n", 2],
  );
  assert.equal(n.sh("echo a; echo b 1>&2").out, "a\nb\n");
  assert.equal(n.sh("echo a; echo b 1>&2").stderr, "b\n");
});
