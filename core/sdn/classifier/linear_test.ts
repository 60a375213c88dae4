import assert from "node:assert/strict";
import { LinearClassifier } from "./linear.ts";
import { newFlowKey, W } from "./flow_key.ts";
import { parseMatch } from "./syntax.ts";

Deno.test("linear classifier: priority, earliest-added tie rule, replacement, removal", () => {
  const c = new LinearClassifier<string>();
  const k = newFlowKey();
  k[W.DL_TYPE] = 0x800;
  k[W.NW_PROTO] = 17;
  assert.equal(c.lookup(k), undefined);
  const ip = c.insert(parseMatch("ip"), 5, "ip").rule;
  c.insert(parseMatch("udp"), 5, "udp");
  assert.equal(c.lookup(k)?.value, "ip");
  const r = c.insert(parseMatch("ip"), 5, "ip2");
  assert.equal(r.replaced, ip);
  assert.equal(c.lookup(k)?.value, "udp", "the replacement is the newest rule");
  c.insert(parseMatch("udp"), 6, "udp6");
  assert.equal(c.lookup(k)?.value, "udp6");
  assert.equal(c.size, 3);
  assert.ok(c.remove(r.rule));
  assert.ok(!c.remove(r.rule));
  assert.deepEqual(c.rules().map((x) => x.value), ["udp6", "udp"]);
});
