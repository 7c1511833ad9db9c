#!/usr/bin/env node
// Run every benchmark area (bench/<area>/run.mjs) one after another, or only the
// areas named on the command line: `node bench/run.mjs wdns mtbl`. Each area
// prints its own markdown table with ours and the peer side by side; the numbers
// recorded in docs/BENCHMARKS.md come from these runs. Needs `npx tsc -b` first.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith("-"));
const areas = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "run.mjs")))
  .map((d) => d.name)
  .filter((a) => wanted.length === 0 || wanted.includes(a))
  .sort();
if (areas.length === 0) {
  console.error(`bench: no benchmark areas${wanted.length ? ` named ${wanted.join(", ")}` : ""}`);
  process.exit(2);
}
let failed = 0;
for (const area of areas) {
  console.log(`\n## ${area}\n`);
  const r = spawnSync(process.execPath, [join(here, area, "run.mjs"), ...passthrough], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`bench: ${area} exited ${r.status}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
