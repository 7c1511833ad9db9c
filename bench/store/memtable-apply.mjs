// Memtable.apply alone, CPU per observation: best of 5 rounds of 100 batches of 1,000 A observations over
// 100,000 names (after 100 warm-up batches), each round on a fresh memtable; several builds interleaved.
//   node --expose-gc bench/store/memtable-apply.mjs ROOT [ROOT…]   (ROOT: a checkout with `npx tsc -b` done, e.g. a copy of main and this one)
import { join } from "node:path";
const roots = process.argv.slice(2);
const mods = [];
for (const root of roots) {
  const { Memtable } = await import(join(root, "packages/store/dist/memtable.js"));
  const { EntryConverter } = await import(join(root, "packages/dnstable/dist/index.js"));
  const { nameFromString } = await import(join(root, "packages/wdns/dist/index.js"));
  mods.push({ root, Memtable, EntryConverter, nameFromString, best: Infinity });
}
const { nameFromString } = mods[0];
const names = Array.from({ length: 100_000 }, (_, i) => nameFromString(`host${i}.zone${i % 997}.example.com.`));
const bw = nameFromString("example.com.");
const mkBatches = (n, seed) => { let k = seed; return Array.from({ length: n }, () => Array.from({ length: 1000 }, () => { const i = (k++ * 7919) % names.length; return { rrname: names[i], rrtype: 1, bailiwick: bw, rdata: [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)], timeFirst: 1_700_000_000 + (k % 1000), timeLast: 1_700_000_100 + (k % 1000), count: 1 }; })); };
const warm = mkBatches(100, 0);
const meas = mkBatches(100, 100_000);
for (const m of mods) { m.mem = new m.Memtable(new m.EntryConverter()); let seq = 1; for (const b of warm) m.mem.apply(b, seq++, 1); m.seq = seq; }
for (let round = 0; round < 5; round++)
  for (const m of mods) {
    const mem = new m.Memtable(new m.EntryConverter()); let seq = 1; for (const b of warm) mem.apply(b, seq++, 1);
    globalThis.gc?.();
    const c0 = process.cpuUsage();
    for (const b of meas) mem.apply(b, seq++, 1);
    const c = process.cpuUsage(c0);
    m.best = Math.min(m.best, (c.user + c.system) / 100_000);
  }
for (const m of mods) console.log(`${m.root}: ${m.best.toFixed(2)} µs CPU / observation (Memtable.apply, best of 5)`);
