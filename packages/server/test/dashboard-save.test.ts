import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameFromString } from "@dnsrep/wdns";
import { afterEach, describe, expect, it } from "vitest";
import { Dashboard } from "../src/dashboard/dashboard.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const obs = (i: number) => ({
  obs: {
    rrname: nameFromString(`n${i}.example.com.`),
    rrtype: 1,
    rdata: [Uint8Array.of(192, 0, 2, i & 0xff)],
    timeFirst: 1_700_000_000,
    timeLast: 1_700_000_100,
    count: 1,
  },
  source: "sensor",
});

const until = async (cond: () => boolean, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("Dashboard: saving the live aggregates", () => {
  it("the periodic save writes in the background; close waits for it and saves the rest; a reopen reads it all back", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "dash-save-"));
    dirs.push(storeDir);
    const file = join(storeDir, "dashboard", "aggregates.bin");
    const small = { nameFilterBytes: 1 << 16, domainFilterBytes: 1 << 12 };
    const d = new Dashboard({ storeDir, files: () => [], limits: small, saveMs: 20 });
    d.observe([obs(1), obs(2)]);
    await until(() => existsSync(file));
    d.observe([obs(3)]);
    await d.close();
    expect(readdirSync(join(storeDir, "dashboard"))).toEqual(["aggregates.bin"]);
    const again = new Dashboard({ storeDir, files: () => [], limits: small, saveMs: 60_000 });
    expect(again.live?.observations).toBe(3);
    await again.close();
  });

  it("a background save that fails is logged and tried again; close still writes", async () => {
    const storeDir = mkdtempSync(join(tmpdir(), "dash-save-"));
    dirs.push(storeDir);
    const lines: string[] = [];
    const small = { nameFilterBytes: 1 << 16, domainFilterBytes: 1 << 12 };
    const d = new Dashboard({ storeDir, files: () => [], limits: small, saveMs: 20, log: (l) => lines.push(l) });
    // the directory gone: the save cannot create its temporary file
    rmSync(join(storeDir, "dashboard"), { recursive: true });
    d.observe([obs(1)]);
    await until(() => lines.length >= 2);
    expect(lines[0]).toMatch(/cannot write the dashboard aggregates: .*ENOENT/);
    // back: the next save (or close) writes what is counted
    mkdirSync(join(storeDir, "dashboard"));
    await d.close();
    const again = new Dashboard({ storeDir, files: () => [], limits: small, saveMs: 60_000 });
    expect(again.live?.observations).toBe(1);
    await again.close();
  });
});
