import { existsSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { planCompaction } from "../src/compaction.js";
import { defaultTiers, parseFileName, Store, type StoreEvent, type StoreFileName } from "../src/index.js";
import { fileName } from "../src/manifest.js";
import { a, countOf, tempDir } from "./helpers.js";

const tiers = defaultTiers();
const f = (tier: string, period: number, id: number, kind: "dns" | "dnssec" = "dns", seq = id): StoreFileName =>
  parseFileName(fileName({ tier, period, seq, id, kind })) as StoreFileName;
const H = 1_765_000_800; // an hour boundary (multiple of 3600)

describe("planCompaction", () => {
  it("merges the minutes of a finished hour into the hour, a lone file by a link", () => {
    const files = [f("minute", H, 1), f("minute", H + 60, 2), f("minute", H + 3600, 3)];
    expect(planCompaction(files, tiers, H + 3599)).toBeNull();
    const job = planCompaction(files, tiers, H + 3600);
    expect(job).toMatchObject({ kind: "dns", tier: "hour", period: H, seq: 2, link: false });
    expect(job?.inputs.map((x) => x.id)).toEqual([1, 2]);
    const lone = planCompaction([f("minute", H + 3600, 3, "dnssec")], tiers, H + 7200);
    expect(lone).toMatchObject({ kind: "dnssec", tier: "hour", period: H + 3600, link: true });
  });
  it("keeps DNS and DNSSEC apart, merges early at the fan-in, merges equal periods in the last tier", () => {
    const files = [f("minute", H, 1), f("minute", H, 1, "dnssec"), f("minute", H + 60, 2)];
    expect(planCompaction(files, tiers, H + 100, 2)).toMatchObject({ kind: "dns", tier: "minute", period: H });
    expect(planCompaction(files, tiers, H + 100, 3)).toBeNull();
    const M = 30 * 86_400 * 700;
    expect(planCompaction([f("month", M, 1), f("month", M, 2)], tiers, M + 1)).toMatchObject({ tier: "month", link: false });
    expect(planCompaction([f("month", M, 1), f("month", M + 30 * 86_400, 2)], tiers, M + 10 ** 8)).toBeNull();
  });
});

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

describe("background compaction", () => {
  it("runs on its own when an hour ends; a snapshot keeps its files until released", async () => {
    const t = tempDir("compact");
    cleanup.push(t.done);
    let clock = H * 1000;
    const events: StoreEvent[] = [];
    const s = await Store.open(t.dir, { now: () => clock, onEvent: (e) => events.push(e) });
    const www = { type: "rrset", name: "www.example.com" } as const;
    for (let i = 0; i < 3; i++) {
      await s.put([a("www.example.com", "192.0.2.1", 10)]);
      await s.flush();
      clock += 60_000;
    }
    expect(s.stats().filesPerTier.minute).toBe(3);
    const snap = s.snapshot();
    const held = snap.files;
    expect(held).toHaveLength(3);
    clock += 3600_000;
    // the timer notices within a few seconds
    for (let i = 0; i < 100 && s.stats().compactions === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(s.stats().filesPerTier).toMatchObject({ minute: 0, hour: 1 });
    expect(events.some((e) => e.type === "compaction" && e.phase === "end")).toBe(true);
    // the old files are still there and still answer through the snapshot
    for (const p of held) expect(existsSync(p)).toBe(true);
    expect(countOf(snap.reader(true), www)).toBe(30);
    snap.release();
    for (const p of held) expect(existsSync(p)).toBe(false);
    expect(countOf(s.snapshot().reader(true), www)).toBe(30);
    expect(readdirSync(t.dir).filter((n) => n.endsWith(".mtbl"))).toHaveLength(1);
    await s.close();
    expect(readdirSync(t.dir).filter((n) => n.endsWith(".mtbl"))).toHaveLength(1);
  });
});
