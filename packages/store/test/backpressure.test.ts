/** Back-pressure (BUSY), a full disk (NOSPACE, injected) and recovery when space returns; stats and events. */
import { writeSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { Store, StoreErrorCode, type StoreEvent } from "../src/index.js";
import { a, countOf, tempDir } from "./helpers.js";

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});
function dir(): string {
  const t = tempDir("pressure");
  cleanup.push(t.done);
  return t.dir;
}
const enospc = (): Error => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
const www = { type: "rrset", name: "*.example.com" } as const;
const batch = (i: number) => [a(`h${i}.example.com`, "192.0.2.1", 1)];

describe("back-pressure and a full disk", () => {
  it("BUSY while flushes cannot keep up (memory bounded); puts resume once a flush succeeds", async () => {
    let full = false;
    const events: StoreEvent[] = [];
    const s = await Store.open(dir(), {
      compaction: false,
      memtableBytes: 2048,
      maxPendingFlushes: 1,
      onEvent: (e) => events.push(e),
      io: {
        beforeFileWrite: () => {
          if (full) throw enospc();
        },
      },
    });
    full = true;
    let acked = 0;
    let busy = 0;
    for (let i = 0; i < 200 && busy === 0; i++) {
      try {
        await s.put(batch(i));
        acked++;
      } catch (e) {
        expect(e).toMatchObject({ code: StoreErrorCode.BUSY });
        busy++;
      }
    }
    expect(busy).toBe(1);
    const st = s.stats();
    expect(st.pendingFlushes).toBe(1);
    expect(st.memtableBytes).toBeLessThan(2 * 2048 + 1024);
    const failed = events.find((e) => e.type === "flush" && e.phase === "error");
    expect(failed).toMatchObject({ error: { code: StoreErrorCode.NOSPACE } });
    // space returns: the retry (within a second or so) flushes, and puts are taken again
    full = false;
    for (let i = 0; i < 100 && s.stats().pendingFlushes > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.stats().flushes).toBeGreaterThan(0);
    await s.put(batch(1000));
    acked++;
    expect(countOf(s.snapshot().reader(true), www)).toBe(acked);
    await s.close();
  });

  it("NOSPACE on a WAL write applies nothing of the batch (a half-written record is cut off); writes resume when space returns", async () => {
    const d = dir();
    let mode: "ok" | "fail" | "half" = "ok";
    const s = await Store.open(d, {
      compaction: false,
      io: {
        write: async (fd, buf, position) => {
          if (mode === "half") writeSync(fd, buf, 0, buf.length >> 1, position);
          if (mode !== "ok") throw enospc();
          let off = 0;
          while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, position + off);
        },
      },
    });
    await s.put(batch(1));
    for (const m of ["fail", "half"] as const) {
      mode = m;
      await expect(s.put(batch(2))).rejects.toMatchObject({ code: StoreErrorCode.NOSPACE });
      expect(countOf(s.snapshot().reader(true), www)).toBe(1);
    }
    const walBefore = s.stats().walBytes;
    mode = "ok";
    await s.put(batch(3));
    expect(s.stats().walBytes).toBeGreaterThan(walBefore);
    expect(countOf(s.snapshot().reader(true), www)).toBe(2);
    await s.close();
    // the log holds exactly the two acknowledged batches, after the cut-off half record too
    const again = await Store.open(d, { compaction: false });
    expect(countOf(again.snapshot().reader(true), www)).toBe(2);
    await again.close();
  });

  it("stats() and onEvent report flushes with durations, sizes and counts", async () => {
    const events: StoreEvent[] = [];
    const s = await Store.open(dir(), { compaction: false, onEvent: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ type: "recovery", phase: "end", batches: 0 });
    await s.put([a("www.example.com", "192.0.2.1"), a("mail.example.com", "192.0.2.2")]);
    let st = s.stats();
    expect(st).toMatchObject({ puts: 1, observations: 2, seq: 1, flushedSeq: 0, pendingFlushes: 0 });
    expect(st.walBytes).toBeGreaterThan(8);
    expect(st.memtableEntries).toBeGreaterThan(4);
    expect(st.lastPutMs).toBeGreaterThan(0);
    await s.flush();
    st = s.stats();
    expect(st).toMatchObject({ flushes: 1, flushedSeq: 1, memtableEntries: 0, filesPerTier: { minute: 1, hour: 0, day: 0, month: 0 } });
    expect(st.bytesFlushed).toBe(st.fileBytes);
    const end = events.find((e) => e.type === "flush" && e.phase === "end");
    expect(end).toMatchObject({ type: "flush", phase: "end", files: [expect.stringMatching(/\.dns\.mtbl$/)] });
    expect(end && "durationMs" in end && end.durationMs).toBeGreaterThanOrEqual(0);
    await s.close();
  });
});
