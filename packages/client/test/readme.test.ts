/** The README's example runs as written (built package, from the repository root) against a dnstable-server. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { createServer, type DnstableServer } from "../../server/src/index.js";

const root = join(import.meta.dirname, "../../..");

describe("README example", () => {
  let s: DnstableServer;
  let url: string;
  beforeAll(async () => {
    s = await createServer({ fnames: [vectorPath("dnstable/dns.mtbl")], auth: { noAuth: true }, pollMs: 0 });
    url = await s.listen("127.0.0.1", 0);
  });
  afterAll(async () => {
    await s.close();
  });
  it("prints the RRsets and the terminator", async () => {
    const readme = readFileSync(join(import.meta.dirname, "../README.md"), "utf8");
    const code = /```js\n([\s\S]*?)```/.exec(readme)?.[1] as string;
    expect(code.split("\n").length).toBeLessThanOrEqual(14);
    // the fence is relative to now: the vectors are from 2026-11, so ask for all of it
    const src = code.replace('timeLastAfter: "4w"', "timeLastAfter: 0");
    const run = promisify(execFile);
    const r = await run(process.execPath, ["--input-type=module", "-e", src], {
      cwd: root,
      encoding: "utf8",
      timeout: 30000,
      env: { PATH: process.env.PATH ?? "", DNSDB_SERVER: url, DNSDB_API_KEY: "k" },
    });
    expect(r.stderr).toBe("");
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^(\S+\.)?example\.test\. \d+ [\d.]+/);
    expect(lines.at(-1)).toBe("{ cond: 'succeeded' }");
  });
});
