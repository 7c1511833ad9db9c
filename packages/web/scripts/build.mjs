#!/usr/bin/env node
// Builds the browser code into www/: typechecks app/ (tsc), bundles app/main.ts with esbuild
// (node_modules/.bin/esbuild, minified ES2022, CSS beside it), copies index.html, and prints the
// gzipped size of the JavaScript (the budget is 150 KB; over it the build fails).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUDGET = 150 * 1024;
const bin = (name) => {
  for (let d = pkg; ; d = dirname(d)) {
    const p = join(d, "node_modules", ".bin", name);
    try {
      readFileSync(p);
      return p;
    } catch {}
    if (dirname(d) === d) throw new Error(`build: ${name} not found in node_modules/.bin (run pnpm install)`);
  }
};
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: pkg, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: ${cmd.split("/").pop()} failed`);
    process.exit(1);
  }
};

run(bin("tsc"), ["-p", "app/tsconfig.json"]);
const tmp = join(pkg, "www.tmp");
rmSync(tmp, { recursive: true, force: true });
run(bin("esbuild"), [
  "app/main.ts",
  "--bundle",
  "--minify",
  "--format=esm",
  "--target=es2022",
  "--legal-comments=none",
  "--log-level=warning",
  `--outfile=${join(tmp, "assets", "app.js")}`,
]);
copyFileSync(join(pkg, "app", "index.html"), join(tmp, "index.html"));
const js = readdirSync(join(tmp, "assets")).filter((f) => f.endsWith(".js"));
let gz = 0;
let raw = 0;
for (const f of js) {
  const b = readFileSync(join(tmp, "assets", f));
  raw += b.length;
  gz += gzipSync(b, { level: 9 }).length;
}
const css = readFileSync(join(tmp, "assets", "app.css"));
rmSync(join(pkg, "www"), { recursive: true, force: true });
mkdirSync(join(pkg, "www"), { recursive: true });
rmSync(join(pkg, "www"), { recursive: true });
renameSync(tmp, join(pkg, "www"));
console.error(
  `@dnsrep/web: www/assets: JavaScript ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB); CSS ${(css.length / 1024).toFixed(1)} KB`,
);
if (gz > BUDGET) {
  console.error(`build: the gzipped JavaScript is over its ${BUDGET / 1024} KB budget`);
  process.exit(1);
}
