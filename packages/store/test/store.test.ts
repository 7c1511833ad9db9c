import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isStoreError, Store, StoreErrorCode } from "../src/index.js";
import { a, answers, countOf, tempDir } from "./helpers.js";

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});
function dir(): string {
  const t = tempDir("basic");
  cleanup.push(t.done);
  return t.dir;
}
const www = { type: "rrset", name: "www.example.com" } as const;

describe("Store", () => {
  it("put is visible to a snapshot, merged in the memtable", async () => {
    const s = await Store.open(dir(), { compaction: false });
    await s.put([a("www.example.com", "192.0.2.1", 3)]);
    await Promise.all([s.put([a("www.example.com", "192.0.2.1", 4, 1_600_000_000)]), s.put([a("www.example.com", "192.0.2.2")])]);
    const snap = s.snapshot();
    const ans = answers(snap.reader(true), www);
    expect(ans).toHaveLength(2);
    expect(countOf(snap.reader(true), www)).toBe(8);
    expect(ans[0]).toMatch(/ 7 1600000000 1700000100$/);
    // a later put is not in the snapshot taken before it
    await s.put([a("www.example.com", "192.0.2.1", 10)]);
    expect(countOf(snap.reader(true), www)).toBe(8);
    snap.release();
    const snap2 = s.snapshot();
    expect(countOf(snap2.reader(true), www)).toBe(18);
    snap2.release();
    expect(s.stats().puts).toBe(4);
    await s.close();
  });

  it("flush writes a file pair named in the manifest, drops WAL segments it covers, answers stay the same", async () => {
    const d = dir();
    const s = await Store.open(d, { compaction: false });
    await s.put([
      a("www.example.com", "192.0.2.1", 3),
      { ...a("example.com", "192.0.2.9"), rrtype: 43, rdata: [Uint8Array.of(1, 2, 3, 4)] },
    ]);
    const before = answers(s.snapshot().reader(true), www);
    await s.flush();
    const listed = readFileSync(join(d, "MANIFEST"), "latin1").trim().split("\n");
    expect(listed).toHaveLength(2);
    expect(listed.some((n) => n.endsWith(".dnssec.mtbl"))).toBe(true);
    const snap = s.snapshot();
    expect(answers(snap.reader(true), www)).toEqual(before);
    expect(snap.files).toHaveLength(2);
    snap.release();
    const st = s.stats();
    expect(st.flushes).toBe(1);
    expect(st.flushedSeq).toBe(1);
    expect(st.memtableEntries).toBe(0);
    expect(readdirSync(d).filter((n) => n.startsWith("wal-"))).toHaveLength(1);
    await s.close();
  });

  it("reopening replays the WAL past the last flush, once", async () => {
    const d = dir();
    let s = await Store.open(d, { compaction: false });
    await s.put([a("www.example.com", "192.0.2.1", 3)]);
    await s.flush();
    await s.put([a("www.example.com", "192.0.2.1", 4)]);
    await s.close();
    s = await Store.open(d, { compaction: false });
    expect(countOf(s.snapshot().reader(true), www)).toBe(7);
    await s.flush();
    await s.close();
    s = await Store.open(d, { compaction: false });
    expect(countOf(s.snapshot().reader(true), www)).toBe(7);
    expect(s.stats().seq).toBe(2);
    await s.close();
  });

  it("removes temporary and orphan files at open", async () => {
    const d = dir();
    let s = await Store.open(d, { compaction: false });
    await s.put([a("www.example.com", "192.0.2.1")]);
    await s.flush();
    await s.close();
    writeFileSync(join(d, "minute-0000000000-0000000000000099-00000099.dns.mtbl"), "x");
    writeFileSync(join(d, ".minute-x.dns.mtbl.123.1.abc.tmp"), "x");
    writeFileSync(join(d, "notes.txt"), "kept");
    const events: string[] = [];
    s = await Store.open(d, { compaction: false, onEvent: (e) => e.type === "recovery" && events.push(...e.orphans) });
    expect(events.sort()).toEqual([".minute-x.dns.mtbl.123.1.abc.tmp", "minute-0000000000-0000000000000099-00000099.dns.mtbl"]);
    expect(readdirSync(d)).toContain("notes.txt");
    expect(countOf(s.snapshot().reader(true), www)).toBe(1);
    await s.close();
  });

  it("refuses a bad batch whole, a second open, and puts after close", async () => {
    const d = dir();
    const s = await Store.open(d, { compaction: false });
    const bad = { ...a("x.example.com", "192.0.2.1"), rdata: [] };
    await expect(s.put([a("www.example.com", "192.0.2.1"), bad])).rejects.toMatchObject({ code: StoreErrorCode.INVALID });
    expect(s.stats().seq).toBe(0);
    await expect(Store.open(d)).rejects.toMatchObject({ code: StoreErrorCode.LOCKED });
    await s.close();
    const e = await s.put([a("www.example.com", "192.0.2.1")]).catch((x: unknown) => x);
    expect(isStoreError(e) && e.code).toBe(StoreErrorCode.CLOSED);
  });

  it("downcases names", async () => {
    const s = await Store.open(dir(), { compaction: false });
    await s.put([a("WWW.Example.COM", "192.0.2.1", 2, 1_700_000_000, 1_700_000_100, "EXAMPLE.com")]);
    await s.put([a("www.example.com", "192.0.2.1", 3)]);
    expect(answers(s.snapshot().reader(true), www)).toHaveLength(1);
    expect(countOf(s.snapshot().reader(true), www)).toBe(5);
    await s.close();
  });
});

describe("Store recovery at each durable step", () => {
  it("a copy of the directory taken at any step reopens with exactly what was acknowledged", async () => {
    const d = dir();
    const copies: { name: string; path: string; acked: number }[] = [];
    let acked = 0;
    let clock = 1_765_000_800_000;
    const s = await Store.open(d, {
      compaction: false,
      now: () => clock,
      io: {
        step: (name) => {
          const path = `${d}-copy-${copies.length}`;
          cpSync(d, path, { recursive: true, filter: (src) => !src.endsWith("/LOCK") });
          cleanup.push(() => rmSync(path, { recursive: true, force: true }));
          copies.push({ name, path, acked });
        },
      },
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        await s.put([a("www.example.com", "192.0.2.1", 2)]);
        acked += 2;
      }
      await s.flush();
      clock += 60_000;
    }
    clock += 3_600_000;
    await s.compact();
    await s.close();
    expect(new Set(copies.map((c) => c.name))).toEqual(new Set(["wal-segment", "flush-files", "manifest", "compaction-output"]));
    for (const c of copies) {
      const r = await Store.open(c.path, { compaction: false });
      expect(countOf(r.snapshot().reader(true), www), `copy at ${c.name}`).toBe(c.acked);
      await r.close();
    }
  });
});
