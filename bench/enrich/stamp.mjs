// In-process cost of enrichment beside the store's own put, without HTTP in the way:
//   1. Store.put of N A observations (new names), batches of 1,000 — the data's cost
//   2. StampStore.stamp of the same batches (every pair new: a database lookup and a stamp record each)
//   3. StampStore.stamp of them again (already stamped: the cache hit of repeated observations)
//   4. StampStore.open of the stamp store written (reading the log back: every pair into the index), per pair
//   node bench/enrich/stamp.mjs [--observations N] [--runs R]
// CPU time (process.cpuUsage, every thread), not wall time. Needs `npx tsc -b` first. Stores go to $TMPDIR and are removed. --sync none: the CPU cost, not the disk's.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Enricher, StampStore } from "@dnsrep/enrich";
import { Store } from "@dnsrep/store";
import { nameFromString } from "@dnsrep/wdns";

const args = process.argv.slice(2);
const opt = (n, d) => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const N = Number(opt("--observations", 200_000));
const RUNS = Number(opt("--runs", 3));
const BATCH = 1000;
const FX = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "packages", "enrich", "test", "fixtures");
const ROOT = nameFromString(".");
const bw = nameFromString("bench.test.");

const batches = [];
for (let i = 0; i < N; i += BATCH) {
  const b = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++)
    b.push({ rrname: nameFromString(`h${j}.bench.test.`), rrtype: 1, bailiwick: bw, rdata: [Uint8Array.of(10, (j >> 16) & 255, (j >> 8) & 255, j & 255)], timeFirst: 1_700_000_000, timeLast: 1_700_000_060, count: 1 });
  batches.push(b);
}
void ROOT;
// BUSY (flushes behind): wait a little and retry, as the server's clients do on a 503
const retry = async (f) => {
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (e?.code !== "BUSY") throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
};
const rows = [];
for (let run = 0; run < RUNS; run++) {
  const dir = mkdtempSync(join(tmpdir(), "dnsrep-bench-enrich-"));
  const store = await Store.open(join(dir, "data"), { sync: "none", compaction: false });
  const stamps = await StampStore.open(join(dir, "enrich"), { sync: "none" });
  const e = new Enricher({ geoipDb: join(FX, "country-v1.mmdb"), asnDb: join(FX, "asn-v1.mmdb"), pollMs: 0 });
  // CPU of the process (every thread), ms: steadier than wall time on a shared machine
  const cpu = (c0) => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  let t = process.cpuUsage();
  for (const b of batches) await retry(() => store.put(b));
  const put = cpu(t);
  t = process.cpuUsage();
  for (const b of batches) await retry(() => stamps.stamp(b, e));
  const fresh = cpu(t);
  t = process.cpuUsage();
  for (const b of batches) await retry(() => stamps.stamp(b, e));
  const again = cpu(t);
  await stamps.close();
  t = process.cpuUsage();
  const reopened = await StampStore.open(join(dir, "enrich"), { sync: "none" });
  const reopen = cpu(t);
  if (reopened.size !== N) throw new Error(`reopened with ${reopened.size} pairs, want ${N}`);
  await reopened.close();
  rows.push({ put, fresh, again, reopen });
  e.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[rows.length >> 1];
const us = (ms) => ((ms * 1000) / N).toFixed(2);
console.log(`\nEnrichment in process, ${N.toLocaleString("en-US")} A observations (new names), batches of ${BATCH}, --sync none, median of ${RUNS} by CPU time; load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log("| step | CPU µs / observation | ÷ Store.put |");
console.log("|---|---|---|");
console.log(`| Store.put (the data) | ${us(med("put"))} | 1.00 |`);
console.log(`| StampStore.stamp, every pair new (lookup + stamp record) | ${us(med("fresh"))} | ${(med("fresh") / med("put")).toFixed(2)} |`);
console.log(`| StampStore.open, reading the log back (per pair) | ${us(med("reopen"))} | ${(med("reopen") / med("put")).toFixed(2)} |`);
console.log(`| StampStore.stamp, pairs already stamped (cache hit) | ${us(med("again"))} | ${(med("again") / med("put")).toFixed(2)} |`);
