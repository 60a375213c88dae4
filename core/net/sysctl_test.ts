/** Per-interface neighbour parameters, as Linux 6.1 showed them for the same writes. */
import assert from "node:assert/strict";
import { Sysctl } from "./sysctl.ts";

Deno.test("sysctl: a new device copies neigh.default; writing it reaches devices not written", () => {
  const s = new Sysctl();
  s.addInterface("cali1");
  s.addInterface("cali2");
  assert.equal(s.get("net.ipv4.neigh.cali1.proxy_delay"), "80");
  // What Calico's Felix does for each workload's host-side veth.
  assert.ok(s.set("net.ipv4.neigh.cali1.proxy_delay", "0"));
  assert.equal(s.neigh("cali1", "proxy_delay"), 0);
  assert.ok(s.set("net.ipv4.neigh.default.proxy_delay", "50"));
  assert.equal(s.get("net.ipv4.neigh.cali1.proxy_delay"), "0", "written: keeps its own");
  assert.equal(s.get("net.ipv4.neigh.cali2.proxy_delay"), "50", "never written: follows");
  s.addInterface("eth0");
  assert.equal(s.neigh("eth0", "proxy_delay"), 50, "created later: copies the default");
});

Deno.test("sysctl: a removed device's neigh keys are gone, and a new one of that name starts afresh", () => {
  const s = new Sysctl();
  s.addInterface("veth0");
  s.set("net.ipv4.neigh.veth0.retrans_time_ms", "200");
  s.removeInterface("veth0");
  assert.equal(s.has("net.ipv4.neigh.veth0.retrans_time_ms"), false);
  s.addInterface("veth0");
  s.set("net.ipv4.neigh.default.retrans_time_ms", "500");
  assert.equal(s.neigh("veth0", "retrans_time_ms"), 500);
});

Deno.test("sysctl: base_reachable_time_ms is the default's only", () => {
  const s = new Sysctl();
  s.addInterface("eth0");
  assert.equal(s.has("net.ipv4.neigh.eth0.base_reachable_time_ms"), false);
  assert.equal(s.has("net.ipv4.neigh.default.base_reachable_time_ms"), true);
});
