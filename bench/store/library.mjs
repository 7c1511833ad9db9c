#!/usr/bin/env node
// @dnsrep/store library benchmark: our store's puts/s and lookup latency beside classic-level
// (LevelDB) doing the same puts with the dnstable merge done in JS (read-modify-write: getMany,
// dnstableMerge, batch). The same observations (RRsets, half of them repeats that merge), in
// batches of 1,000, 4 batches in flight, each acknowledged after fsync (our sync "batch" group
// commit; LevelDB batch({ sync: true })). Then lookups of owner names, one snapshot (ours) or
// prefix iterator (LevelDB) per lookup: p50/p99 with the data in the memtable and after a flush.
//   node bench/store/library.mjs [--observations N]   (default 200,000; needs `npx tsc -b` first)
// (library.mjs, not run.mjs: the HTTP/NMSG ingest rows of bench/store/ are another script's)
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { dnstableMerge, EntryConverter, reverseWireName } from "@dnsrep/dnstable";
import { Store } from "@dnsrep/store";
import { latin1Bytes } from "@dnsrep/util";
import { nameFromString } from "@dnsrep/wdns";

const args = process.argv.slice(2);
const N = Number(args[args.indexOf("--observations") + 1] || 0) || 200_000;
const BATCH = 1000;
const INFLIGHT = 4;
const LOOKUPS = 5000;
const phase = args.includes("--phase") ? args[args.indexOf("--phase") + 1] : null;

if (!phase) {
  const res = {};
  for (const ph of ["ours", "level"]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--observations", String(N), "--phase", ph], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    res[ph] = r.status === 0 ? JSON.parse(r.stdout.trim().split("\n").pop()) : null;
  }
  const f = (x, d = 0) => (x === undefined ? "-" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
  console.log(`observations: ${N.toLocaleString("en-US")} in batches of ${BATCH}, ${INFLIGHT} in flight; ${LOOKUPS} lookups`);
  console.log("| engine | puts (observations/s) | lookup p50 / p99, memtable (ms) | lookup p50 / p99, files (ms) | answers | RSS (MiB) |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [name, r] of [
    ["@dnsrep/store", res.ours],
    ["classic-level + JS merge", res.level],
  ]) {
    if (!r) continue;
    console.log(
      `| ${name} | ${f(r.putsPerSec)} | ${f(r.memP50, 3)} / ${f(r.memP99, 3)} | ${f(r.fileP50, 3)} / ${f(r.fileP99, 3)} | ${f(r.found)} | ${f(r.rssMiB)} |`,
    );
  }
  process.exit(0);
}

// deterministic observations: names from a pool of N/2, so about half of the RRsets repeat and merge
let seed = 0x2545f491;
const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const POOL = Math.max(1, N >> 1);
const bailiwick = nameFromString("example.com.");
const nameOf = (i) => `h${i}.z${i % 97}.example.com.`;
function obs() {
  const i = Math.floor(rnd() * POOL);
  const t = 1_700_000_000 + Math.floor(rnd() * 86_400);
  return {
    rrname: nameFromString(nameOf(i)),
    rrtype: 1,
    bailiwick,
    rdata: [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)],
    timeFirst: t,
    timeLast: t + 60,
    count: 1,
  };
}
const batches = [];
for (let b = 0; b < N / BATCH; b++) batches.push(Array.from({ length: BATCH }, obs));
const probes = Array.from({ length: LOOKUPS }, () => nameOf(Math.floor(rnd() * POOL)).slice(0, -1));

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
async function inFlight(run) {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await run(batches[next++]);
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  return N / ((performance.now() - t0) / 1000);
}
const dirSize = (dir) => {
  const r = spawnSync("du", ["-sb", dir], { encoding: "utf8" });
  return Number(r.stdout.split("\t")[0]);
};

const dir = mkdtempSync(join(tmpdir(), `store-bench-${phase}-`));
try {
  if (phase === "ours") {
    const store = await Store.open(dir, { compaction: false, memtableBytes: 1 << 30, memtableAgeMs: 3_600_000 });
    const putsPerSec = await inFlight((b) => store.put(b));
    let found = 0;
    const lookup = () => {
      const ms = [];
      found = 0;
      for (const name of probes) {
        const t = performance.now();
        const snap = store.snapshot();
        for (const _ of snap.reader(true).query({ type: "rrset", name })) found++;
        snap.release();
        ms.push(performance.now() - t);
      }
      return ms;
    };
    const mem = lookup();
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    await store.flush();
    const files = lookup();
    const st = store.stats();
    console.log(
      JSON.stringify({
        putsPerSec,
        memP50: pct(mem, 50),
        memP99: pct(mem, 99),
        fileP50: pct(files, 50),
        fileP99: pct(files, 99),
        found,
        fileBytes: st.fileBytes,
        rssMiB,
      }),
    );
    await store.close();
  } else {
    const { ClassicLevel } = await import("classic-level");
    const db = new ClassicLevel(dir, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const conv = new EntryConverter();
    const put = async (batch) => {
      // the store's entries for the batch, merged within it, then with what the database holds
      const pending = new Map();
      const sink = (_f, k, v) => {
        const have = pending.get(k);
        pending.set(k, have === undefined ? latin1Bytes(v) : dnstableMerge(latin1Bytes(k), have, latin1Bytes(v)));
      };
      for (const o of batch) conv.entries(o, sink);
      const keys = [...pending.keys()];
      const kb = keys.map(latin1Bytes);
      const old = await db.getMany(kb);
      const ops = kb.map((key, i) => {
        const v = pending.get(keys[i]);
        return { type: "put", key, value: old[i] === undefined ? v : dnstableMerge(key, old[i], v) };
      });
      await db.batch(ops, { sync: true });
    };
    const putsPerSec = await inFlight(put);
    let found = 0;
    const lookup = async () => {
      const ms = [];
      found = 0;
      for (const name of probes) {
        const t = performance.now();
        // an rrset lookup: the RRSET keys under the reversed owner name
        const rev = reverseWireName(nameFromString(`${name}.`));
        const lo = new Uint8Array(rev.length + 1);
        lo.set(rev, 1);
        const hi = lo.slice();
        hi[hi.length - 1] = 1; // past the name's terminating 0
        for await (const _ of db.iterator({ gte: lo, lt: hi })) found++;
        ms.push(performance.now() - t);
      }
      return ms;
    };
    const mem = await lookup();
    const rssMiB = process.memoryUsage().rss / 2 ** 20;
    await db.compactRange(new Uint8Array([0]), new Uint8Array([255, 255]));
    const files = await lookup();
    console.log(JSON.stringify({ putsPerSec, memP50: pct(mem, 50), memP99: pct(mem, 99), fileP50: pct(files, 50), fileP99: pct(files, 99), found, rssMiB, dirBytes: dirSize(dir) }));
    await db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
