import assert from "node:assert/strict";
import { whenText } from "./dig.ts";

Deno.test("dig: the WHEN line's date from virtual time, as date(1) prints it in UTC", () => {
  const cases: Array<[number, string]> = [
    [0, "Thu Jan 01 00:00:00 UTC 1970"],
    [86399, "Thu Jan 01 23:59:59 UTC 1970"],
    [86400 * 59, "Sun Mar 01 00:00:00 UTC 1970"],
    [94620345, "Sun Dec 31 03:25:45 UTC 1972"],
    [951782400, "Tue Feb 29 00:00:00 UTC 2000"],
    [1795569780, "Wed Nov 25 01:23:00 UTC 2026"],
  ];
  for (const [s, text] of cases) assert.equal(whenText(s * 1e9 + 500_000_000), text);
});
