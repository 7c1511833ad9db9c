/**
 * Model-based tests (LevelDB's harness idea): random key sets through
 * writer → reader / merger / sorter, compared with a sorted array at every
 * seek and step.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareBytes, startsWith } from "@dnsrep/util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { type CompressionName, type MergeFn, Merger, type MtblIterator, Reader, Sorter, Writer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;

type KV = [Uint8Array, Uint8Array];

function collect(it: MtblIterator): KV[] {
  const out: KV[] = [];
  while (it.next()) out.push([it.key.slice(), it.value.slice()]);
  return out;
}

function sortedUnique(entries: KV[]): KV[] {
  const m = new Map<string, KV>();
  for (const e of entries) m.set(Buffer.from(e[0]).toString("hex"), e);
  return [...m.values()].sort((a, b) => compareBytes(a[0], b[0]));
}

function write(entries: KV[], opts: { compression: CompressionName; blockSize: number; restartInterval: number }): string {
  const path = join(dir, `f${seq++}.mtbl`);
  const w = Writer.create(path, opts);
  for (const [k, v] of entries) w.add(k, v);
  w.close();
  return path;
}

// keys from a small alphabet so that prefixes and shared bytes are common
const key = fc.uint8Array({ minLength: 0, maxLength: 24 }).map((b) => b.map((x) => x % 5));
const value = fc.uint8Array({ maxLength: 64 });
const codec = fc.constantFrom<CompressionName>("none", "zlib", "snappy", "lz4", "zstd");

describe("writer → reader against a sorted model", () => {
  it("iterates, seeks, gets and ranges like the model", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, value), { maxLength: 400 }),
        codec,
        fc.integer({ min: 1024, max: 4096 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(key, { minLength: 5, maxLength: 5 }),
        (raw, compression, blockSize, restartInterval, probes) => {
          const model = sortedUnique(raw as KV[]);
          const r = Reader.open(write(model, { compression, blockSize, restartInterval }), { verifyChecksums: true });
          try {
            expect(collect(r.iter())).toEqual(model);
            // two scans of one reader stepped out of step (each decodes its blocks into its own buffer), a lookup between
            const a = r.iter();
            const b = r.iter();
            const ka: KV[] = [];
            const kb: KV[] = [];
            for (let more = true; more; ) {
              more = false;
              if (a.next()) {
                ka.push([a.key.slice(), a.value.slice()]);
                more = true;
              }
              for (let i = 0; i < 2 && b.next(); i++) {
                kb.push([b.key.slice(), b.value.slice()]);
                more = true;
              }
              collect(r.get(probes[0] as Uint8Array));
            }
            expect(ka).toEqual(model);
            expect(kb).toEqual(model);
            expect(r.metadata.countEntries).toBe(model.length);
            for (const p of probes) {
              expect(collect(r.getPrefix(p))).toEqual(model.filter(([k]) => startsWith(k, p)));
              expect(collect(r.get(p))).toEqual(model.filter(([k]) => compareBytes(k, p) === 0));
              const hi = probes[0] as Uint8Array;
              const [lo, up] = compareBytes(p, hi) <= 0 ? [p, hi] : [hi, p];
              expect(collect(r.getRange(lo, up))).toEqual(model.filter(([k]) => compareBytes(k, lo) >= 0 && compareBytes(k, up) <= 0));
              const c = r.cursor();
              c.seek(p);
              const first = model.find(([k]) => compareBytes(k, p) >= 0);
              expect(c.next()).toBe(first !== undefined);
              if (first) expect(c.key).toEqual(first[0]);
            }
          } finally {
            r.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("rejects keys that are not strictly increasing", () => {
    const w = Writer.create(join(dir, "order.mtbl"), { compression: "none" });
    w.add(new Uint8Array([2]), new Uint8Array());
    expect(() => w.add(new Uint8Array([2]), new Uint8Array())).toThrow(/strictly increasing/);
    expect(() => w.add(new Uint8Array([1]), new Uint8Array())).toThrow(expect.objectContaining({ code: "ERR_ORDER" }));
    w.abort();
  });

  it("addLatin1 (strings, as the sorter feeds it) writes the same bytes as add, mixed freely", () => {
    const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(key, value), { maxLength: 300 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        (raw, pick, restartInterval) => {
          const model = sortedUnique(raw as KV[]);
          const opts = { compression: "none" as const, blockSize: 1024, restartInterval };
          const a = write(model, opts);
          const b = join(dir, `f${seq++}.mtbl`);
          const w = Writer.create(b, opts);
          for (const [i, [k, v]] of model.entries()) {
            if (pick[i % pick.length]) w.addLatin1(latin1(k), latin1(v));
            else w.add(k, v);
          }
          w.close();
          expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
    const w = Writer.create(join(dir, "order-latin1.mtbl"), { compression: "none" });
    w.addLatin1("\u0002", "");
    expect(() => w.addLatin1("\u0002", "")).toThrow(/strictly increasing/);
    expect(() => w.add(new Uint8Array([1]), new Uint8Array())).toThrow(/strictly increasing/);
    w.add(new Uint8Array([3]), new Uint8Array());
    expect(() => w.addLatin1("\u0003", "")).toThrow(expect.objectContaining({ code: "ERR_ORDER" }));
    w.abort();
  });

  it("borrowed key/value views change on the next step (documented contract)", () => {
    const model: KV[] = [
      [new Uint8Array([1, 1]), new Uint8Array([7])],
      [new Uint8Array([1, 2]), new Uint8Array([8])],
    ];
    const r = Reader.open(write(model, { compression: "none", blockSize: 1024, restartInterval: 16 }));
    const it = r.iter();
    it.next();
    const k = it.key;
    const copy = k.slice();
    it.next();
    expect(copy).toEqual(new Uint8Array([1, 1]));
    expect(k[1]).toBe(2); // the view now shows the second key's bytes
    r.close();
  });
});

const sumMerge: MergeFn = (_k, a, b) => {
  const x = new DataView(a.buffer, a.byteOffset, 4).getUint32(0, true);
  const y = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, (x + y) >>> 0, true);
  return out;
};
const u32 = fc.integer({ min: 0, max: 1000 }).map((n) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
});

function sumModel(parts: KV[][]): KV[] {
  const m = new Map<string, [Uint8Array, number]>();
  for (const part of parts)
    for (const [k, v] of part) {
      const h = Buffer.from(k).toString("hex");
      const n = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
      const cur = m.get(h);
      m.set(h, [k, (cur ? cur[1] : 0) + n]);
    }
  return [...m.values()]
    .sort((a, b) => compareBytes(a[0], b[0]))
    .map(([k, n]) => {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, n, true);
      return [k, b] as KV;
    });
}

describe("merger and sorter against a model", () => {
  it("k-way merge folds equal keys", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(key, u32), { maxLength: 120 }), { minLength: 1, maxLength: 5 }), (parts) => {
        const files = parts.map((p) => sortedUnique(p as KV[]));
        const readers = files.map((f) => Reader.open(write(f, { compression: "none", blockSize: 1024, restartInterval: 4 })));
        try {
          const m = new Merger(readers, sumMerge);
          const model = sumModel(files);
          expect(collect(m.iter())).toEqual(model);
          const p = new Uint8Array([1]);
          expect(collect(m.getPrefix(p))).toEqual(model.filter(([k]) => startsWith(k, p)));
        } finally {
          for (const r of readers) r.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it("sorts unsorted input, spilling runs to disk under a small memory bound", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, u32), { maxLength: 600 }), fc.integer({ min: 200, max: 4000 }), (raw, maxMemory) => {
        const s = new Sorter({ merge: sumMerge, maxMemory, tempDir: dir });
        for (const [k, v] of raw) s.add(k, v);
        const got = collect(s.iter());
        s.close();
        expect(got).toEqual(sumModel([raw as KV[]]));
      }),
      { numRuns: 40 },
    );
  });

  it("add, add with a key length and addLatin1 mix freely; many small runs give what one run gives", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, u32, fc.nat(3)), { minLength: 50, maxLength: 500 }), (raw) => {
        const feed = (s: Sorter): KV[] => {
          for (const [k, v, how] of raw) {
            if (how === 0) s.add(k, v);
            else if (how === 1) {
              // the key as the first bytes of a longer buffer
              const buf = new Uint8Array(k.length + 7).fill(0xee);
              buf.set(k);
              s.add(buf, v, k.length);
            } else s.addLatin1(Buffer.from(k).toString("latin1"), Buffer.from(v).toString("latin1"));
          }
          const got = collect(s.iter());
          s.close();
          return got;
        };
        const small = new Sorter({ merge: sumMerge, maxMemory: 400, tempDir: dir });
        const many = feed(small);
        expect(small.spills).toBeGreaterThan(3);
        expect(many).toEqual(feed(new Sorter({ merge: sumMerge })));
        expect(many).toEqual(sumModel([raw.map(([k, v]) => [k, v] as KV)]));
        // runs sorted and written on the spill thread (unfolded there, folded by the final merge)
        const threaded = new Sorter({ merge: sumMerge, maxMemory: 800, tempDir: dir, spillThread: true });
        expect(feed(threaded)).toEqual(many);
        expect(threaded.spills).toBeGreaterThan(3);
      }),
      { numRuns: 12 },
    );
  });

  it("the sorter folds duplicates in insertion order within memory", () => {
    const s = new Sorter({
      merge: (_k, a, b) => new TextEncoder().encode(`${new TextDecoder().decode(a)}|${new TextDecoder().decode(b)}`),
    });
    const t = (x: string): Uint8Array => new TextEncoder().encode(x);
    s.add(t("k"), t("first"));
    s.add(t("a"), t("x"));
    s.add(t("k"), t("second"));
    s.add(t("k"), t("third"));
    expect(collect(s.iter()).map(([k, v]) => `${new TextDecoder().decode(k)}=${new TextDecoder().decode(v)}`)).toEqual([
      "a=x",
      "k=first|second|third",
    ]);
  });

  it("the sorter folds duplicates in insertion order across spills too", () => {
    const cat: MergeFn = (_k, a, b) => new TextEncoder().encode(`${new TextDecoder().decode(a)}|${new TextDecoder().decode(b)}`);
    const s = new Sorter({ merge: cat, maxMemory: 150, tempDir: dir });
    const t = (x: string): Uint8Array => new TextEncoder().encode(x);
    for (let i = 0; i < 12; i++) {
      s.add(t("k"), t(`v${i}`));
      s.add(t(`z${i}`), t("-"));
    }
    expect(s.spills).toBeGreaterThan(3);
    const got = collect(s.iter()).map(([k, v]) => `${new TextDecoder().decode(k)}=${new TextDecoder().decode(v)}`);
    s.close();
    expect(got[0]).toBe(`k=${Array.from({ length: 12 }, (_, i) => `v${i}`).join("|")}`);
    expect(got).toHaveLength(13);
  });

  it("the spill thread folds duplicates in insertion order across its runs, and reports a failed spill", () => {
    const cat: MergeFn = (_k, a, b) => new TextEncoder().encode(`${new TextDecoder().decode(a)}|${new TextDecoder().decode(b)}`);
    const s = new Sorter({ merge: cat, maxMemory: 300, tempDir: dir, spillThread: true });
    const t = (x: string): Uint8Array => new TextEncoder().encode(x);
    for (let i = 0; i < 12; i++) {
      s.add(t("k"), t(`v${i}`));
      s.add(t("k"), t(`w${i}`));
      s.add(t(`z${i}`), t("-"));
    }
    expect(s.spills).toBeGreaterThan(3);
    const got = collect(s.iter()).map(([k, v]) => `${new TextDecoder().decode(k)}=${new TextDecoder().decode(v)}`);
    s.close();
    expect(got[0]).toBe(`k=${Array.from({ length: 12 }, (_, i) => `v${i}|w${i}`).join("|")}`);
    expect(got).toHaveLength(13);
    // a spill directory that is gone: the thread's failure comes out of the next spill or the merge
    const gone = mkdtempSync(join(dir, "gone-"));
    const f = new Sorter({ maxMemory: 300, tempDir: gone, spillThread: true });
    expect(() => {
      for (let i = 0; i < 40; i++) {
        f.add(t(`k${i}`), t("v"));
        if (i === 10) rmSync(gone, { recursive: true, force: true });
      }
      collect(f.iter());
    }).toThrow(expect.objectContaining({ code: "ERR_IO" }));
    f.close();
  });

  it("the sorter spills and reads back entries larger than its I/O window", () => {
    const s = new Sorter({ maxMemory: 1000, tempDir: dir });
    const big = new Uint8Array(3 << 20).map((_, i) => i & 0xff);
    s.add(Uint8Array.of(2), big);
    s.add(Uint8Array.of(1), Uint8Array.of(7));
    s.add(Uint8Array.of(3), big.subarray(5));
    const got = collect(s.iter());
    s.close();
    expect(got.map(([k, v]) => [k[0], v.length, v[v.length - 1]])).toEqual([
      [1, 1, 7],
      [2, 3 << 20, 255],
      [3, (3 << 20) - 5, 255],
    ]);
  });
});

describe("outputs committed together", () => {
  const one = (path: string, v: number): Writer => {
    const w = Writer.create(path, {});
    w.add(new Uint8Array([1]), new Uint8Array([v]));
    return w;
  };
  const value = (path: string): number => {
    const r = Reader.open(path);
    const it = r.iter();
    it.next();
    const v = it.value[0] as number;
    r.close();
    return v;
  };
  it("finish() completes the file under its temporary name; commit() renames it, abort() removes it", () => {
    const path = join(dir, "together.mtbl");
    one(path, 1).close();
    const w = one(path, 2);
    w.finish();
    expect(value(path)).toBe(1);
    w.commit();
    expect(value(path)).toBe(2);
    w.abort(); // nothing to undo once committed
    expect(value(path)).toBe(2);
    const x = one(path, 3);
    x.finish();
    x.abort();
    expect(value(path)).toBe(2);
    expect(readdirSync(dir).filter((f) => f.includes("together") && f !== "together.mtbl")).toEqual([]);
  });
  it("Sorter.writeToPausing pauses every 64Ki entries, and a pause that throws ends the write", async () => {
    const mk = (): Sorter => {
      const s = new Sorter({});
      for (let i = 0; i < 150_000; i++) s.add(new Uint8Array([i >> 16, (i >> 8) & 255, i & 255]), new Uint8Array(0));
      return s;
    };
    let pauses = 0;
    const w = Writer.create(join(dir, "paused.mtbl"), {});
    expect(await mk().writeToPausing(w, async () => void pauses++)).toBe(150_000);
    w.close();
    expect(pauses).toBe(2);
    const w2 = Writer.create(join(dir, "stopped.mtbl"), {});
    await expect(
      mk().writeToPausing(w2, async () => {
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    w2.abort();
    expect(w2.countEntries).toBe(65536);
  });
});
