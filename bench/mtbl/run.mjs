#!/usr/bin/env node
// mtbl benchmark: ours vs classic-level (LevelDB) vs Debian's libmtbl tools, in one run,
// on passive-DNS-shaped keys (dnstable RRSET-like: 0x00 | reversed name | type | bailiwick | rdata).
//   node bench/mtbl/run.mjs [--entries N]      (default 1,000,000; needs `npx tsc -b` first)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { Merger, Reader, Sorter, Writer } from "@dnsrep/mtbl";
import { makeData } from "./data.mjs";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const N = Number(args[args.indexOf("--entries") + 1] || 0) || 1_000_000;
// Each engine is measured in a fresh child process over the same deterministic data, so
// one engine's heap and page cache state do not slow the other down.
const phase = args.includes("--phase") ? args[args.indexOf("--phase") + 1] : null;
if (!phase) {
  const res = {};
  const shared = mkdtempSync(join(tmpdir(), "mtbl-bench-files-"));
  for (const ph of ["ours", "ours-read", "level", "lib"]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--entries", String(N), "--phase", ph, "--dir", shared], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
    if (r.status !== 0) {
      console.error(`phase ${ph} failed`);
      res[ph] = null;
    } else res[ph] = JSON.parse(r.stdout.trim().split("\n").pop());
  }
  rmSync(shared, { recursive: true, force: true });
  printTable({ ...res.ours, ...res["ours-read"] }, res.level, res.lib);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), "mtbl-bench-"));

// deterministic pseudo-random generator for the probes
let s = 0x9e3779b9;
const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
// Keys and values are generated on the fly (bench/mtbl/data.mjs): no phase holds the data set.
const data = makeData(N);
const probeIdx = Uint32Array.from({ length: 100_000 }, () => Math.floor(rnd() * N));
const BATCH = 10_000;
function levelBatch(from, to, order) {
  const ops = [];
  for (let i = from; i < to; i++) {
    const j = order(i);
    ops.push({ type: "put", key: data.keyCopy(j), value: data.valueCopy(j) });
  }
  return ops;
}
const sortedOrder = (i) => i;
const unsortedOrder = (i) => data.perm(i);

const rows = [];
const time = async (fn) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};
function rate(n, sec) {
  return sec > 0 ? n / sec : 0;
}
function fmt(x) {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(0)}k` : x.toFixed(0);
}

// 4-way merge inputs: split sorted data round-robin into 4 files
const parts = [0, 1, 2, 3].map((p) => join(dir, `part${p}.mtbl`));
if (phase === "ours" || phase === "lib") {
  const ws = parts.map((p) => Writer.create(p, { compression: "zlib" }));
  for (let j = 0; j < N; j++) ws[j % 4].add(data.key(j), data.value(j));
  for (const w of ws) w.close();
}
// ---- ours
const filesDir = args.includes("--dir") ? args[args.indexOf("--dir") + 1] : dir;
const ourFile = join(filesDir, "ours.mtbl");
let ours = null;
if (phase === "ours") {
// Rows compared with classic-level write snappy, LevelDB's own block codec; rows compared
// with libmtbl use zlib, libmtbl's default.
const tWrite = await time(() => {
  const w = Writer.create(ourFile, { compression: "snappy" });
  for (let j = 0; j < N; j++) w.add(data.key(j), data.value(j));
  w.close();
});
const tSort = await time(() => {
  const so = new Sorter({ merge: (_k, a) => a, maxMemory: 256 << 20, tempDir: dir });
  for (let i = 0; i < N; i++) {
    const j = data.perm(i);
    so.add(data.key(j), data.value(j));
  }
  const w = Writer.create(join(dir, "sorted.mtbl"), { compression: "snappy" });
  so.writeTo(w);
  w.close();
});
const tMerge = await time(() => {
  const readers = parts.map((p) => Reader.open(p));
  const it = new Merger(readers, (_k, a) => a).iter();
  const w = Writer.create(join(dir, "merged.mtbl"), { compression: "zlib" });
  while (it.next()) w.add(it.key, it.value);
  w.close();
  for (const x of readers) x.close();
});
{
  const w = Writer.create(join(filesDir, "ours.zlib.mtbl"), { compression: "zlib" });
  for (let j = 0; j < N; j++) w.add(data.key(j), data.value(j));
  w.close();
}
ours = { write: tWrite, sort: tSort, merge: tMerge };
}
if (phase === "ours-read") {
  const r = Reader.open(ourFile);
  const tScan = await time(() => {
    const it = r.iter();
    while (it.next());
  });
  const tGet = await time(() => {
    for (const j of probeIdx) {
      const it = r.get(data.key(j));
      if (!it.next()) throw new Error("missing key");
    }
  });
  const rz = Reader.open(join(filesDir, "ours.zlib.mtbl"));
  const tZscan = await time(() => {
    const it = rz.iter();
    while (it.next());
  });
  rz.close();
  r.close();
  ours = { scan: tScan, get: tGet, zscan: tZscan };
}

// ---- classic-level (LevelDB)
let lv = null;
if (phase === "level") try {
  lv = {};
  const { ClassicLevel } = require("classic-level");
  const db = new ClassicLevel(join(dir, "leveldb"), { keyEncoding: "view", valueEncoding: "view" });
  lv.write = await time(async () => {
    for (let i = 0; i < N; i += BATCH) await db.batch(levelBatch(i, Math.min(N, i + BATCH), sortedOrder));
  });
  lv.scan = await time(async () => {
    let c = 0;
    for await (const _ of db.iterator()) c++;
    if (c !== N) throw new Error("leveldb count");
  });
  lv.get = await time(async () => {
    for (const j of probeIdx) await db.get(data.key(j));
  });
  lv.sort = await time(async () => {
    const db2 = new ClassicLevel(join(dir, "leveldb2"), { keyEncoding: "view", valueEncoding: "view" });
    for (let i = 0; i < N; i += BATCH) await db2.batch(levelBatch(i, Math.min(N, i + BATCH), unsortedOrder));
    await db2.compactRange(new Uint8Array([0]), new Uint8Array([255]));
    await db2.close();
  });
  await db.close();
} catch (e) {
  console.error(`classic-level unavailable: ${e.message}`);
  lv = null;
}

// ---- Debian libmtbl tools (scan = mtbl_dump -s over our file; merge = mtbl_merge of the 4 parts)
let lib = null;
const haveBin = (b) => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0;
if (phase === "lib" && haveBin("mtbl_dump") && haveBin("mtbl_merge") && haveBin("cc")) {
  lib = {};
  const zfile = join(dir, "ours.zlib.mtbl");
  const w = Writer.create(zfile, { compression: "zlib" });
  for (let j = 0; j < N; j++) w.add(data.key(j), data.value(j));
  w.close();
  lib.scan = await time(() => execFileSync("mtbl_dump", ["-s", zfile]));
  const c = join(dir, "first.c");
  writeFileSync(c, "#include <stdint.h>\n#include <stdlib.h>\n#include <string.h>\nvoid *first_init(void){return NULL;}\nvoid first_free(void *c){(void)c;}\nvoid first_func(void *c,const uint8_t *k,size_t lk,const uint8_t *a,size_t la,const uint8_t *b,size_t lb,uint8_t **o,size_t *lo){(void)c;(void)k;(void)lk;(void)b;(void)lb;*o=malloc(la?la:1);memcpy(*o,a,la);*lo=la;}\n");
  execFileSync("cc", ["-O2", "-shared", "-fPIC", "-o", join(dir, "first.so"), c]);
  lib.merge = await time(() =>
    execFileSync("mtbl_merge", ["-c", "zlib", ...parts, join(dir, "libmerged.mtbl")], {
      env: { ...process.env, MTBL_MERGE_DSO: join(dir, "first.so"), MTBL_MERGE_FUNC_PREFIX: "first" },
      stdio: "ignore",
    }),
  );
} else if (phase === "lib") console.error("Debian mtbl-bin or cc missing: libmtbl column skipped");
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(phase === "ours" || phase === "ours-read" ? ours : phase === "level" ? lv : lib));
process.exit(0);

function printTable(ours, lv, lib) {
const rows = [];

const row = (name, n, ours, level, libmtbl) => {
  const o = rate(n, ours);
  const cell = (t) => (t == null ? "–" : `${fmt(rate(n, t))}/s`);
  const ratio = (t) => (t == null ? "–" : `${(o / rate(n, t)).toFixed(2)}×`);
  rows.push(`| ${name} | ${fmt(o)}/s | ${cell(level)} | ${ratio(level)} | ${cell(libmtbl)} | ${ratio(libmtbl)} |`);
};
row(`write ${fmt(N)} sorted entries (snappy)`, N, ours.write, lv?.write, null);
row("full scan (snappy file)", N, ours.scan, lv?.scan, null);
row("full scan (zlib file; libmtbl: mtbl_dump -s)", N, ours.zscan, null, lib?.scan);
row("100k random point gets", 100_000, ours.get, lv?.get, null);
row(`sort ${fmt(N)} unsorted entries → file (snappy)`, N, ours.sort, lv?.sort, null);
row("4-way merge → file (zlib)", N, ours.merge, null, lib?.merge);
console.log(`\nmtbl, ${fmt(N)} passive-DNS-shaped entries (key ~40 B, value 12 B), node ${process.version}, 2 cores\n`);
console.log("| operation | dnsrep mtbl | classic-level | ours ÷ classic-level | Debian libmtbl 1.3 | ours ÷ libmtbl |");
console.log("|---|---|---|---|---|---|");
for (const l of rows) console.log(l);
}
