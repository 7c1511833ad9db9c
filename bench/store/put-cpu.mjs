#!/usr/bin/env node
// @dnsrep/store's put path alone, in CPU time per observation: the same A-RRset observations as
// library.mjs (names from a pool of N/2, so about half merge), in batches of 1,000, 4 in flight,
// sync "batch" (each put acknowledged after fdatasync), into one memtable (no flush). Reports
// observations/s (wall) and CPU µs per observation (process user + system: the WAL encoding,
// the memtable, GC, and the syscalls). Two builds side by side, runs alternating, so a busy
// machine's load falls on both alike:
//   node bench/store/put-cpu.mjs [--observations N] [--rounds R] [DIST ...]
// DIST: a built @dnsrep/store's dist directory (default packages/store/dist); each is run R times
// (default 3), alternating. To compare with another commit, build its packages/store/src with
// this checkout's tsconfig into another directory under packages/store/ (so its imports resolve).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { observations } from "./observations.mjs";

const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const N = Number(opt("--observations", "200000"));
const ROUNDS = Number(opt("--rounds", "3"));
const child = opt("--child", null);
const dists = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
const here = fileURLToPath(import.meta.url);

if (child === null) {
  const list = dists.length > 0 ? dists : [join(here, "../../../packages/store/dist")];
  const res = new Map(list.map((d) => [d, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (const d of list) {
      const p = spawnSync(process.execPath, [...process.execArgv, here, "--observations", String(N), "--child", resolve(d)], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      if (p.status !== 0) throw new Error(`${d}: exit ${p.status}`);
      const out = JSON.parse(p.stdout.trim().split("\n").pop());
      const load = (await import("node:os")).loadavg()[0];
      res.get(d).push({ ...out, load });
      console.error(`${d} round ${r}: ${Math.round(out.perSec)} obs/s, ${out.cpuUs.toFixed(2)} CPU µs/obs, load ${load.toFixed(1)}`);
    }
  console.log(`observations: ${N.toLocaleString("en-US")} in batches of 1,000, 4 in flight, sync batch; ${ROUNDS} rounds alternating`);
  console.log("| build | observations/s (median) | CPU µs / observation (median) | GC share | load (1 min) |");
  console.log("|---|---:|---:|---:|---:|");
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (const [d, rs] of res)
    console.log(
      `| ${d} | ${Math.round(med(rs.map((r) => r.perSec))).toLocaleString("en-US")} | ${med(rs.map((r) => r.cpuUs)).toFixed(2)} | ${(100 * med(rs.map((r) => r.gcShare))).toFixed(0)} % | ${rs.map((r) => r.load.toFixed(1)).join(", ")} |`,
    );
  process.exit(0);
}

const { Store } = await import(pathToFileURL(join(child, "index.js")).href);
const { PerformanceObserver } = await import("node:perf_hooks");

const { batches } = observations(N, 1000);

let gcMs = 0;
const po = new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcMs += e.duration;
});
po.observe({ entryTypes: ["gc"] });
const dir = mkdtempSync(join(tmpdir(), "store-putcpu-"));
try {
  const store = await Store.open(dir, { compaction: false, memtableBytes: 1 << 30, memtableAgeMs: 3_600_000 });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) await store.put(batches[next++]);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  await new Promise((r) => setImmediate(r));
  const cpuMs = (c.user + c.system) / 1000;
  console.log(JSON.stringify({ perSec: N / (wall / 1000), cpuUs: (cpuMs * 1000) / N, gcShare: gcMs / cpuMs, entries: store.stats().memtableEntries }));
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
