// dnsdbq -I (Debian's dnsdbq, installed by scripts/setup.sh) against the auth plugin's rate_limit
// route on 127.0.0.1: it must print every limit a key has. On CI a missing dnsdbq fails the test.
import { execFile, execFileSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { inTempDir, makeApp, makeKeys } from "./auth-helpers.js";

const run = promisify(execFile);
const haveDnsdbq = ((): boolean => {
  try {
    execFileSync("dnsdbq", ["-v"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(haveDnsdbq || process.env.CI)("dnsdbq -I", () => {
  it("prints a key's limits, and the unlimited ones as n/a/unlimited", () =>
    inTempDir(async (dir) => {
      const expires = Date.parse("2099-01-01T00:00:00Z") / 1000;
      const { file, token } = makeKeys(dir, {
        full: { dailyLimit: 1000, resultsMax: 256, offsetMax: 3000, burst: { size: 10, window: 7200 }, expires },
        plain: {},
      });
      const app = await makeApp({ keysFile: file });
      try {
        await app.listen({ host: "127.0.0.1", port: 0 });
        const { port } = app.server.address() as AddressInfo;
        const info = async (key: string) =>
          run("dnsdbq", ["-I"], {
            env: { PATH: process.env.PATH, DNSDB_SERVER: `http://127.0.0.1:${port}`, DNSDB_API_KEY: key },
            timeout: 20_000,
          });
        const full = await info(token.full ?? "");
        expect(full.stdout).toMatch(
          /^rate:\n\treset: \d{4}-\d\d-\d\d 00:00:00\n\texpires: 2099-01-01 00:00:00\n\tlimit: 1000\n\tremaining: 1000\n\tresults_max: 256\n\toffset_max: 3000\n\tburst rate: 10 per 2 hours\n$/,
        );
        const plain = await info(token.plain ?? "");
        expect(plain.stdout).toBe(
          "rate:\n\treset: n/a\n\texpires: n/a\n\tlimit: unlimited\n\tremaining: n/a\n\tresults_max: n/a\n\toffset_max: n/a\n",
        );
        const bad = await info("f".repeat(64)).catch((e: { stderr: string }) => e);
        expect(bad.stderr).toContain("403");
        expect(bad.stderr).toContain("unknown API key");
      } finally {
        await app.close();
      }
    }));
});
