// A memtable's flush beside a 1-ms timer: how long the event loop is held (the gaps between
// ticks, p99 and longest) and how long the flush takes, for a 600,000-entry memtable (200,000 A
// observations put through Store.put with the default turn budget).
//   node bench/store/flush-gaps.mjs ROOT   (ROOT: a checkout with `npx tsc -b` done, e.g. a copy of main or this one)
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
const root = process.argv[2];
const { Store } = await import(join(root, "packages/store/dist/index.js"));
const { nameFromString } = await import(join(root, "packages/wdns/dist/index.js"));
const dir = mkdtempSync(join(tmpdir(), "flushslice-"));
const s = await Store.open(dir, { compaction: false, memtableBytes: 1 << 30 });
const bw = nameFromString("bench.test.");
const N = 200000;
for (let i = 0; i < N; i += 1000) {
  const b = [];
  for (let j = i; j < i + 1000; j++) b.push({ rrname: nameFromString(`h${j}.bench.test.`), rrtype: 1, bailiwick: bw, rdata: [Uint8Array.of(10, (j >> 16) & 255, (j >> 8) & 255, j & 255)], timeFirst: 1700000000, timeLast: 1700000100, count: 1 });
  await s.put(b);
}
// longest synchronous stretch while flushing: a timer ticking every 1 ms measures the gaps
let last = performance.now(); let max = 0; const gaps = [];
const t = setInterval(() => { const n = performance.now(); gaps.push(n - last); max = Math.max(max, n - last); last = n; }, 1);
const t0 = performance.now();
await s.flush();
clearInterval(t);
gaps.sort((a, b) => a - b);
console.log(root, "flush ms", (performance.now() - t0).toFixed(0), "max gap ms", max.toFixed(1), "p99 gap", gaps[Math.floor(gaps.length * 0.99)]?.toFixed(1), "ticks", gaps.length);
await s.close();
rmSync(dir, { recursive: true, force: true });
