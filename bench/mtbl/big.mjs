#!/usr/bin/env node
// Scale checks for @dnsrep/mtbl that the per-operation benchmark does not cover:
//
//   node bench/mtbl/big.mjs sort  [--entries 50000000] [--memory-mb 512]
//       sorts N unsorted passive-DNS-shaped entries through the Sorter with a memory budget,
//       writes them to an mtbl file, checks count and order, and reports peak RSS.
//   node bench/mtbl/big.mjs open  [--gb 20]
//       writes an uncompressed file of about that many GiB (8 KiB values), then, in a fresh
//       process, opens it and looks up 100 random keys, reporting the time and the bytes read
//       (from /proc/self/io) for the open and for each lookup.
//
// Needs `npx tsc -b packages/mtbl` first. Files go to $TMPDIR (or --dir) and are removed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Reader, Sorter, Writer } from "@dnsrep/mtbl";
import { makeData } from "./data.mjs";

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const mode = argv[0];
const base = opt("--dir", tmpdir());
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const readBytes = () => Number(/rchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))[1]);
const progress = (msg) => {
  if (process.stderr.isTTY) process.stderr.write(`\r${msg}\x1b[K`);
};

if (mode === "sort") {
  const n = Number(opt("--entries", "50000000"));
  const memory = Number(opt("--memory-mb", "512")) * 2 ** 20;
  const data = makeData(n);
  const dir = mkdtempSync(join(base, "mtbl-bigsort-"));
  const out = join(dir, "sorted.mtbl");
  const t0 = performance.now();
  const sorter = new Sorter({ maxMemory: memory, tempDir: dir });
  for (let i = 0; i < n; i++) {
    const j = data.perm(i);
    sorter.add(data.key(j), data.value(j));
    if ((i & 0xfffff) === 0) progress(`sort: ${i} entries added, ${sorter.spills} runs spilled`);
  }
  const tAdd = performance.now();
  const w = Writer.create(out, { compression: "zlib" });
  sorter.writeTo(w);
  w.close();
  const tDone = performance.now();
  const spills = sorter.spills;
  sorter.close?.();
  // verify: n entries, strictly increasing, equal to the generator's sorted sequence
  const r = Reader.open(out);
  const it = r.iter();
  let count = 0;
  while (it.next()) {
    const want = data.key(count);
    if (Buffer.compare(it.key, want) !== 0) throw new Error(`entry ${count} out of order`);
    count++;
  }
  r.close();
  progress("");
  if (count !== n) throw new Error(`expected ${n} entries, read ${count}`);
  console.log(`sorted ${n} entries with a ${mib(memory)} sorter budget: ${spills} runs spilled, ` +
    `add ${((tAdd - t0) / 1000).toFixed(1)} s, merge+write ${((tDone - tAdd) / 1000).toFixed(1)} s, ` +
    `file ${mib(statSync(out).size)}, verified ${count} entries in order, peak RSS ${mib(peakRss())}`);
  rmSync(dir, { recursive: true, force: true });
} else if (mode === "open") {
  const gb = Number(opt("--gb", "20"));
  const dir = mkdtempSync(join(base, "mtbl-bigopen-"));
  const file = join(dir, "big.mtbl");
  const valueSize = 8192;
  const n = Math.ceil((gb * 2 ** 30) / valueSize);
  const data = makeData(n);
  const value = new Uint8Array(valueSize);
  for (let i = 0; i < valueSize; i++) value[i] = (i * 131) & 0xff;
  const t0 = performance.now();
  const w = Writer.create(file, { compression: "none" });
  for (let j = 0; j < n; j++) {
    w.add(data.key(j), value);
    if ((j & 0xffff) === 0) progress(`open: writing ${mib(j * valueSize)} of ${mib(n * valueSize)}`);
  }
  w.close();
  progress("");
  const tWrite = (performance.now() - t0) / 1000;
  const size = statSync(file).size;
  console.log(`wrote ${n} entries (${(size / 2 ** 30).toFixed(2)} GiB) in ${tWrite.toFixed(0)} s`);
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "open-probe", file, String(n)], { stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
  process.exit(child.status ?? 1);
} else if (mode === "open-probe") {
  const [file, nText] = argv.slice(1);
  const n = Number(nText);
  const data = makeData(n);
  const before = readBytes();
  const t0 = performance.now();
  const r = Reader.open(file, { cacheBlocks: 0 });
  const tOpen = performance.now() - t0;
  const afterOpen = readBytes();
  let s = 12345;
  const times = [];
  let bytes = 0;
  for (let q = 0; q < 100; q++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const j = s % n;
    const b0 = readBytes();
    const t = performance.now();
    const it = r.get(data.key(j));
    if (!it.next()) throw new Error(`key ${j} not found`);
    times.push(performance.now() - t);
    bytes += readBytes() - b0;
  }
  r.close();
  times.sort((a, b) => a - b);
  console.log(`open: ${tOpen.toFixed(1)} ms, ${mib(afterOpen - before)} read (index ${mib(r.metadata.bytesIndexBlock)})`);
  console.log(`100 random gets: p50 ${times[50].toFixed(2)} ms, max ${times[99].toFixed(2)} ms, ` +
    `${(bytes / 100 / 1024).toFixed(1)} KiB read per get (data block ${(r.metadata.dataBlockSize / 1024).toFixed(0)} KiB)`);
} else {
  console.error("usage: big.mjs sort [--entries N] [--memory-mb MB] | open [--gb GB]");
  process.exit(2);
}
