// What a memtable costs in memory: 200,000 A observations (600,000 entries) put twice (the second
// round merges into the same keys), then the heap, external/array-buffer bytes and RSS after a GC,
// beside the store's own estimate (stats().memtableBytes).
//   node --expose-gc bench/store/memtable-memory.mjs ROOT [N]
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
const root = process.argv[2];
const { Store } = await import(join(root, "packages/store/dist/index.js"));
const { nameFromString } = await import(join(root, "packages/wdns/dist/index.js"));
const dir = mkdtempSync(join(tmpdir(), "memrss-"));
const s = await Store.open(dir, { compaction: false, turnBudget: null, memtableBytes: 1 << 30 });
const bw = nameFromString("bench.test.");
const N = Number(process.argv[3] ?? 200000);
const names = Array.from({ length: N }, (_, i) => nameFromString(`h${i}.bench.test.`));
const mu = () => { globalThis.gc(); const m = process.memoryUsage(); return `rss ${(m.rss/1e6).toFixed(0)} heapUsed ${(m.heapUsed/1e6).toFixed(0)} ext ${(m.external/1e6).toFixed(0)} ab ${(m.arrayBuffers/1e6).toFixed(0)}`; };
console.log("start", mu());
for (let r = 0; r < 2; r++) {
  for (let i = 0; i < N; i += 1000) {
    const b = [];
    for (let j = i; j < i + 1000 && j < N; j++) b.push({ rrname: names[j], rrtype: 1, bailiwick: bw, rdata: [Uint8Array.of(10, (j >> 16) & 255, (j >> 8) & 255, j & 255)], timeFirst: 1700000000 + r, timeLast: 1700000100 + r, count: 1 });
    await s.put(b);
  }
  const snap = s.snapshot(); snap.release();
  console.log("round", r, "entries", s.stats().memtableEntries, "est MB", (s.stats().memtableBytes / 1e6).toFixed(0), mu());
}
await s.close();
rmSync(dir, { recursive: true, force: true });
