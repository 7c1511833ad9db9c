import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TurnBudget } from "@dnsrep/util";
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

  it("keepEntry: only the entries it keeps are in the memtable, the flushed files and a WAL replay", async () => {
    const d = dir();
    // no RRSET_NAME_FWD (type 1) entries; RRSET and RDATA as ever
    const opts = { compaction: false, keepEntry: (k: string) => k.charCodeAt(0) !== 1 };
    const types = (st: Store): number[] => {
      const snap = st.snapshot();
      try {
        const seen = new Set<number>();
        for (const t of [0, 1, 2]) {
          const it = snap.reader(true).source.getPrefix(Uint8Array.of(t));
          if (it.next()) seen.add(t);
        }
        return [...seen].sort();
      } finally {
        snap.release();
      }
    };
    let s = await Store.open(d, opts);
    await s.put([a("www.example.com", "192.0.2.1")]);
    expect(types(s)).toEqual([0, 2]);
    await s.flush();
    await s.put([a("mail.example.com", "192.0.2.2")]);
    await s.close();
    s = await Store.open(d, opts); // the second put replayed from the WAL
    expect(types(s)).toEqual([0, 2]);
    const snap = s.snapshot();
    expect(answers(snap.reader(true), { type: "rdata_ip", ip: "192.0.2.2" })).toHaveLength(1);
    expect(countOf(snap.reader(true), www)).toBe(1);
    snap.release();
    await s.close();
    // without the option every entry is written
    s = await Store.open(dir(), { compaction: false });
    await s.put([a("www.example.com", "192.0.2.1")]);
    expect(types(s)).toEqual([0, 1, 2]);
    await s.close();
  });

  it("entries: RRSET_NAME_FWD and the RDATA entries of the rdatas indexRdata refuses are not made — in the memtable, the flushed files and a WAL replay", async () => {
    const d = dir();
    const opts = {
      compaction: false,
      entries: { nameFwd: false, indexRdata: (rd: Uint8Array, rrtype: number) => rrtype === 1 && rd[3] !== 2 },
    };
    const check = (st: Store, mail: number, ...ips: [string, number][]): void => {
      const snap = st.snapshot();
      try {
        const it = snap.reader(true).source.getPrefix(Uint8Array.of(1));
        expect(it.next()).toBe(false);
        for (const [ip, n] of ips) expect(answers(snap.reader(true), { type: "rdata_ip", ip })).toHaveLength(n);
        expect(answers(snap.reader(true), { type: "rrset", name: "mail.example.com" })).toHaveLength(mail);
      } finally {
        snap.release();
      }
    };
    let s = await Store.open(d, opts);
    await s.put([a("www.example.com", "192.0.2.1"), a("mail.example.com", "192.0.2.2")]);
    check(s, 1, ["192.0.2.1", 1], ["192.0.2.2", 0]);
    await s.flush();
    await s.put([a("www.example.com", "192.0.2.3"), a("mail.example.com", "198.51.100.5")]);
    await s.close();
    s = await Store.open(d, opts); // the second put replayed from the WAL
    check(s, 2, ["192.0.2.1", 1], ["192.0.2.2", 0], ["192.0.2.3", 1], ["198.51.100.5", 1], ["198.51.100.2", 0]);
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

  it("unaggregated: one entry per memtable and file, by time; a memtable past its age is flushed", async () => {
    let clock = 1_765_000_800_000;
    const s = await Store.open(dir(), { compaction: false, memtableAgeMs: 50, now: () => clock });
    await s.put([a("www.example.com", "192.0.2.1", 2, 1_700_000_500)]);
    clock += 100;
    // the age check runs every few ms: the memtable goes out on its own
    for (let i = 0; i < 100 && s.stats().flushes === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.stats().flushes).toBe(1);
    await s.put([a("www.example.com", "192.0.2.1", 3, 1_700_000_100)]);
    const snap = s.snapshot();
    const un = answers(snap.reader(false), www);
    expect(un).toHaveLength(2);
    expect(un.map((l) => l.split(" ").slice(1).join(" "))).toEqual(["3 1700000100 1700000200", "2 1700000500 1700000600"]);
    expect(answers(snap.reader(true), www)).toHaveLength(1);
    snap.release();
    await s.close();
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
        await s.put([a("www.example.com", "192.0.2.1", 2)], { tag: `t${acked}` });
        acked += 2;
      }
      await s.flush();
      clock += 60_000;
    }
    clock += 3_600_000;
    await s.compact();
    await s.close();
    expect(new Set(copies.map((c) => c.name))).toEqual(new Set(["wal-segment", "flush-files", "tags", "manifest", "compaction-output"]));
    for (const c of copies) {
      const r = await Store.open(c.path, { compaction: false, now: () => clock });
      expect(countOf(r.snapshot().reader(true), www), `copy at ${c.name}`).toBe(c.acked);
      // the tags are exactly those of the batches present, and a retry of one is not applied again
      for (let t = 0; t < 30; t += 2) expect(r.hasTag(`t${t}`), `copy at ${c.name}: tag t${t}`).toBe(t < c.acked);
      await r.put([a("www.example.com", "192.0.2.1", 2)], { tag: "t0" });
      expect(countOf(r.snapshot().reader(true), www), `copy at ${c.name}, retried`).toBe(c.acked === 0 ? 2 : c.acked);
      await r.close();
    }
  });
});

describe("put tags", () => {
  it("a batch put again with its tag is not applied again: before and after a flush, after reopening, while the first is in flight", async () => {
    const d = dir();
    let s = await Store.open(d, { compaction: false });
    const tagged = (n: number) => s.put([a("www.example.com", "192.0.2.1", n)], { tag: "key-1" });
    await Promise.all([tagged(3), tagged(3), tagged(3)]);
    expect(countOf(s.snapshot().reader(true), www)).toBe(3);
    expect(s.hasTag("key-1")).toBe(true);
    expect(s.hasTag("key-2")).toBe(false);
    await s.close();
    // replayed from the WAL
    s = await Store.open(d, { compaction: false });
    expect(s.hasTag("key-1")).toBe(true);
    await tagged(3);
    expect(countOf(s.snapshot().reader(true), www)).toBe(3);
    await s.put([a("www.example.com", "192.0.2.1", 5)], { tag: "key-2" });
    await s.flush();
    // carried by the TAGS file of the flushed sequence (the WAL segments holding them are gone)
    expect(readdirSync(d).filter((n) => n.startsWith("TAGS-"))).toEqual([`TAGS-${String(s.stats().flushedSeq).padStart(16, "0")}`]);
    await s.put([a("www.example.com", "192.0.2.1", 1)], { tag: "key-3" });
    await s.flush();
    expect(readdirSync(d).filter((n) => n.startsWith("TAGS-"))).toHaveLength(1);
    await s.close();
    s = await Store.open(d, { compaction: false });
    for (const k of ["key-1", "key-2", "key-3"]) expect(s.hasTag(k), k).toBe(true);
    expect(s.stats().tags).toBe(3);
    await tagged(3);
    await s.put([a("www.example.com", "192.0.2.1", 5)], { tag: "key-2" });
    expect(countOf(s.snapshot().reader(true), www)).toBe(9);
    await s.close();
  });

  it("tags are bounded by age and count; a stale or damaged TAGS file is handled", async () => {
    const d = dir();
    let clock = 1_765_000_000_000;
    let s = await Store.open(d, { compaction: false, now: () => clock, tagWindowMs: 60_000, maxTags: 3 });
    for (let i = 0; i < 5; i++) await s.put([a("www.example.com", "192.0.2.1", 1)], { tag: `k${i}` });
    expect(["k0", "k1", "k2", "k3", "k4"].map((k) => s.hasTag(k))).toEqual([false, false, true, true, true]);
    clock += 61_000;
    expect(s.hasTag("k4")).toBe(false);
    // forgotten: applied again
    await s.put([a("www.example.com", "192.0.2.1", 1)], { tag: "k4" });
    expect(countOf(s.snapshot().reader(true), www)).toBe(6);
    await s.flush();
    await s.close();
    const tagsFile = readdirSync(d).find((n) => n.startsWith("TAGS-")) as string;
    // a TAGS file of another sequence (a crash before its manifest swap) is removed at open
    writeFileSync(join(d, "TAGS-9999999999999999"), "x");
    s = await Store.open(d, { compaction: false, now: () => clock, tagWindowMs: 60_000, maxTags: 3 });
    expect(readdirSync(d).filter((n) => n.startsWith("TAGS-"))).toEqual([tagsFile]);
    expect(s.hasTag("k4")).toBe(true);
    expect(s.stats().tags).toBe(1);
    await s.close();
    // damage is an error naming the file, not silently forgotten tags
    const buf = readFileSync(join(d, tagsFile));
    buf[buf.length - 1] = (buf[buf.length - 1] as number) ^ 1;
    writeFileSync(join(d, tagsFile), buf);
    await expect(Store.open(d, { compaction: false })).rejects.toThrow(/TAGS-.*checksum/);
    // a bad tag is refused before anything is applied
    const e = dir();
    s = await Store.open(e, { compaction: false });
    await expect(s.put([a("www.example.com", "192.0.2.1", 1)], { tag: "" })).rejects.toMatchObject({ code: "INVALID" });
    await s.close();
  });

  it("a DNSRWAL1 segment (a store made before tags) is still replayed", async () => {
    const d = dir();
    const s = await Store.open(d, { compaction: false });
    await s.put([a("www.example.com", "192.0.2.1", 4)]);
    await s.close();
    const seg = readdirSync(d).find((n) => n.startsWith("wal-") && readFileSync(join(d, n)).length > 8) as string;
    const buf = readFileSync(join(d, seg));
    // rewrite it in the old form: magic DNSRWAL1, the payload without its tag head (one 0 byte), checksum and length redone
    const { crc32c } = await import("@dnsrep/util");
    const payload = buf.subarray(8 + 16 + 1);
    const rec = Buffer.alloc(16 + payload.length);
    rec.writeUInt32LE(payload.length, 4);
    buf.copy(rec, 8, 8 + 8, 8 + 16);
    payload.copy(rec, 16);
    rec.writeUInt32LE(crc32c(rec.subarray(4)), 0);
    writeFileSync(join(d, seg), Buffer.concat([Buffer.from("DNSRWAL1"), rec]));
    const r = await Store.open(d, { compaction: false });
    expect(countOf(r.snapshot().reader(true), www)).toBe(4);
    await r.close();
  });
});

describe("Store: batches applied in slices (turnBudget)", () => {
  it("lets the event loop turn while a large batch goes into the memtable; snapshots between slices see none of it, the acknowledged put all of it", async () => {
    const s = await Store.open(dir(), { compaction: false, turnBudget: new TurnBudget(0.001) });
    await s.put([a("www.example.com", "192.0.2.1", 5)]);
    // a snapshot now: the clone of the memtable as it is before the big batch
    s.snapshot().release();
    const big = Array.from({ length: 3000 }, (_, i) => a(`n${i}.example.com`, "192.0.2.9"));
    // first in the batch: the first slice puts it in
    big.unshift(a("www.example.com", "192.0.2.1", 7));
    const seen: number[] = [];
    let acked = false;
    const look = (): void => {
      if (acked) return;
      const snap = s.snapshot();
      seen.push(countOf(snap.reader(true), www));
      snap.release();
      setImmediate(look);
    };
    setImmediate(look);
    await s.put(big);
    acked = true;
    // the loop turned during the put, and no snapshot saw a part of the batch
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set([5]));
    const snap = s.snapshot();
    expect(countOf(snap.reader(true), www)).toBe(12);
    expect(countOf(snap.reader(true), { type: "rrset", name: "n2999.example.com" })).toBe(1);
    snap.release();
    await s.close();
  });

  it("turnBudget null: a batch goes in at once, with the same result", async () => {
    const d = dir();
    const batch = Array.from({ length: 500 }, (_, i) => a(`n${i % 50}.example.com`, `192.0.2.${i % 7}`, 2));
    const s = await Store.open(d, { compaction: false, turnBudget: null });
    await s.put(batch);
    const t = await Store.open(`${d}-sliced`, { compaction: false, turnBudget: new TurnBudget(0.001) });
    cleanup.push(() => rmSync(`${d}-sliced`, { recursive: true, force: true }));
    await t.put(batch);
    for (const st of [s, t]) await st.flush();
    const all = (st: Store): string[] => {
      const snap = st.snapshot();
      try {
        return answers(snap.reader(false), { type: "rrset", name: "*.example.com" });
      } finally {
        snap.release();
      }
    };
    expect(all(t)).toEqual(all(s));
    expect(all(s).length).toBe(50 * 7);
    await s.close();
    await t.close();
  });
});

describe("Store: inserts overlapping the next WAL write", () => {
  it("many concurrent puts through small memtables (rotations between groups): every acknowledged count is there, live and after a reopen", async () => {
    const d = dir();
    const opts = { compaction: false, memtableBytes: 65536, maxPendingFlushes: 64, turnBudget: new TurnBudget(0.001) };
    const s = await Store.open(d, opts);
    const want = new Map<string, number>();
    const puts: Promise<void>[] = [];
    for (let i = 0; i < 120; i++) {
      // 150 observations: 3 slices, so a batch is often half in when the next group is written
      const batch = Array.from({ length: 150 }, (_, j) => a(`n${(i * 7 + j) % 600}.example.com`, "192.0.2.1", 1 + (j % 3)));
      for (const o of batch) {
        const k = Buffer.from(o.rrname).toString("hex");
        want.set(k, (want.get(k) ?? 0) + o.count);
      }
      puts.push(s.put(batch));
      // a few at a time, as concurrent writers send them (groups of several puts)
      if (i % 4 === 3) await Promise.all(puts.slice(-4));
    }
    await Promise.all(puts);
    expect(s.stats().flushes + s.stats().pendingFlushes).toBeGreaterThan(1);
    const check = (st: Store): void => {
      const snap = st.snapshot();
      try {
        for (let n = 0; n < 600; n++) {
          const name = `n${n}.example.com`;
          const k = Buffer.from(a(name, "192.0.2.1").rrname).toString("hex");
          expect(countOf(snap.reader(true), { type: "rrset", name })).toBe(want.get(k));
        }
      } finally {
        snap.release();
      }
    };
    check(s);
    await s.close();
    // reopened: the WAL past the last flush replayed into memtables, nothing twice, nothing missing
    const t = await Store.open(d, opts);
    check(t);
    await t.flush();
    check(t);
    await t.close();
  });
});
