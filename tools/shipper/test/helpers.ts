import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Shipper, type ShipperOptions } from "../src/shipper.js";
import { lineParser } from "./line-parser.js";
import type { MockIngest } from "./mock-ingest.js";

export function tempDir(prefix = "shipper-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A shipper over `paths` (test line format) posting to `server`, spool and registry under `dir`. */
/** The tests' HTTP output: the mock's URL and key, a spool in dir, short backoffs. */
export function httpOutput(dir: string, server: MockIngest) {
  return {
    kind: "http" as const,
    server: server.url,
    key: server.key,
    spoolDir: join(dir, "spool"),
    spoolSync: false,
    backoff: { baseMs: 20, maxMs: 200 },
    timeoutMs: 5000,
  };
}

export function httpShipper(dir: string, server: MockIngest, paths: string[], extra: Partial<ShipperOptions> = {}): Shipper {
  return new Shipper({
    inputs: [{ paths, format: "test", options: {} }],
    createParser: () => lineParser(),
    output: httpOutput(dir, server),
    registryPath: join(dir, "spool", "registry.json"),
    windowMs: 50,
    pollMs: 20,
    closeInactiveMs: 100,
    name: "test",
    drainMs: 2000,
    ...extra,
  });
}

/** Wait until `cond` holds (polling), or throw after `ms`. */
export async function until(cond: () => boolean, ms = 20_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
