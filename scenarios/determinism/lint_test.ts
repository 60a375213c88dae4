/**
 * The determinism lint: nothing under core/ may read the wall clock, draw from a
 * global random source, arm real timers or do real I/O. Only the command-line
 * entry points (core/lab/*main.ts) touch the outside world. Tests and test
 * support files (`*_test.ts`, `*_testing.ts`, `test_util.ts`) are exempt.
 */
import assert from "node:assert/strict";

/** Patterns that break determinism, with why. */
export const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bMath\.random\s*\(/, "Math.random: use sim.rng(name)"],
  [/\bDate\.now\s*\(/, "Date.now: use sim.now"],
  [/\bnew Date\s*\(/, "new Date: use sim.now"],
  [/\bperformance\.now\s*\(/, "performance.now: use sim.now"],
  [/\bsetTimeout\s*\(/, "setTimeout: use sim.after"],
  [/\bsetInterval\s*\(/, "setInterval: use sim.after"],
  [/\bcrypto\.getRandomValues\s*\(/, "crypto.getRandomValues: use sim.rng(name)"],
  [
    /\bDeno\.(readFile|readTextFile|writeFile|writeTextFile|open|create|mkdir|remove|connect|listen|Command|run|stdout|stderr|stdin|env|exit)\b/,
    "real I/O",
  ],
  [/\bfetch\s*\(/, "real network I/O"],
];

/** Lines of `source` that break a rule, as "line: why". */
export function violations(source: string): string[] {
  const out: string[] = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const code = lines[i]!.replace(/\/\/.*$/, "");
    if (/^\s*\*/.test(code)) continue; // doc comment lines
    for (const [re, why] of FORBIDDEN) if (re.test(code)) out.push(`${i + 1}: ${why}`);
  }
  return out;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

const root = new URL("../../core", import.meta.url).pathname;

Deno.test("determinism lint: core/ reads no clock, no global randomness, does no real I/O", async () => {
  const found: string[] = [];
  for await (const path of walk(root)) {
    if (/(_test|_testing|\/test_util)\.ts$/.test(path) || /\/core\/lab\/\w*main\.ts$/.test(path)) {
      continue;
    }
    for (const v of violations(await Deno.readTextFile(path))) {
      found.push(`${path.slice(root.length - 4)}:${v}`);
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("determinism lint catches each forbidden call", () => {
  for (
    const bad of [
      "const x = Math.random();",
      "let t = Date.now();",
      "performance.now()",
      "setTimeout(() => {}, 1)",
      "crypto.getRandomValues(buf)",
      "await Deno.readFile('x')",
      "await fetch('http://example.invalid')",
    ]
  ) {
    assert.equal(violations(bad).length, 1, bad);
  }
  assert.deepEqual(violations("// Math.random() in a comment\nsim.rng('x').next()"), []);
});
