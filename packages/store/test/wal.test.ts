/** The WAL on its own: records across read-buffer refills, a torn tail, a flipped bit. */
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { defaultIo } from "../src/io.js";
import { frameRecord, listSegments, RECORD_HEADER, scanSegment, WalWriter } from "../src/wal.js";
import { tempDir } from "./helpers.js";

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function writeRecords(sizes: number[]): Promise<{ path: string; payloads: Uint8Array[] }> {
  const t = tempDir("wal");
  cleanup.push(t.done);
  const w = WalWriter.create(t.dir, 1, defaultIo, false);
  const payloads = sizes.map((n, i) => {
    const p = new Uint8Array(n);
    for (let j = 0; j < n; j++) p[j] = (i * 31 + j) & 255;
    return p;
  });
  for (let i = 0; i < payloads.length; i++) {
    const p = payloads[i] as Uint8Array;
    const buf = new Uint8Array(RECORD_HEADER + p.length);
    frameRecord(buf, 0, i + 1, p);
    await w.append(buf, i + 1, false);
  }
  w.close();
  expect(listSegments(t.dir).map((s) => s.firstSeq)).toEqual([1]);
  return { path: w.seg.path, payloads };
}

const read = (path: string): { got: Uint8Array[]; scan: ReturnType<typeof scanSegment> } => {
  const got: Uint8Array[] = [];
  const scan = scanSegment({ path, name: "", firstSeq: 1, lastSeq: 0 }, (_s, p) => got.push(p.slice()));
  return { got, scan };
};

describe("WAL segments", () => {
  it("reads back many small records and ones larger than the read buffer", async () => {
    const sizes = [...Array.from({ length: 3000 }, (_, i) => i % 700), 3 << 20, 10, 1 << 20, 5];
    const { path, payloads } = await writeRecords(sizes);
    const { got, scan } = read(path);
    expect(got.length).toBe(payloads.length);
    expect(got.every((g, i) => Buffer.compare(g, payloads[i] as Uint8Array) === 0)).toBe(true);
    expect(scan.lastSeq).toBe(payloads.length);
    expect(scan.goodBytes).toBe(scan.size);
  });
  it("stops at a torn tail or a damaged record, keeping what comes before", async () => {
    const { path, payloads } = await writeRecords([100, 200, 300]);
    const whole = readFileSync(path);
    truncateSync(path, whole.length - 10);
    let r = read(path);
    expect(r.got).toEqual(payloads.slice(0, 2));
    expect(r.scan.goodBytes).toBe(whole.length - 300 - RECORD_HEADER);
    const flipped = Buffer.from(whole);
    const at = 8 + RECORD_HEADER + 100 + RECORD_HEADER + 57; // inside record 2's payload
    flipped[at] = (flipped[at] as number) ^ 1;
    writeFileSync(path, flipped);
    appendFileSync(path, "garbage");
    r = read(path);
    expect(r.got).toEqual(payloads.slice(0, 1));
    expect(r.scan.lastSeq).toBe(1);
    writeFileSync(path, "not a wal");
    expect(read(path).got).toEqual([]);
  });
});
