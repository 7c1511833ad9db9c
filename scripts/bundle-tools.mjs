#!/usr/bin/env node
// Bundles each tool's entry point for a fast start (issue 30): for every bin NAME of a tools/*
// package, tools/X/dist/bundle/NAME.cjs holds @dnsrep/cli's main() and the tool's dist/NAME.js
// with every module they import (the built dist/ of the workspace packages, commander …) in one
// CommonJS file, which @dnsrep/cli's launch (the bin scripts) runs. Beside it:
//   NAME.json        the files it was built from and their mtimes: launch runs the modules
//                    instead when any changed (a `tsc -b` after an edit), so a stale bundle never runs;
//   NAME.cjs.cache   V8's code cache, written by running `bin/NAME.js --help` once.
// The modules stay as they are for tests and library users; dist/bundle/ is left out of the
// packed tarballs (the tools run their modules there). Run after `tsc -b` (scripts/setup.sh does).
//
//   node scripts/bundle-tools.mjs [--no-cache] [TOOL_DIR …]
//
// In the bundle, each module's import.meta.url is its own file's URL (so native addons
// (`../build/Release/*.node`), worker scripts and package.json are found where they were), and
// what cannot be bundled (pcap, a native addon) is required from the importing module's folder.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const cache = !args.includes("--no-cache");
const only = args.filter((a) => !a.startsWith("--")).map((a) => resolve(a));
/** Packages not bundled: required at run time from the importing module's folder. */
const EXTERNAL = ["pcap"];

const toolDirs = readdirSync(join(root, "tools"))
  .map((d) => join(root, "tools", d))
  .filter((d) => only.length === 0 || only.includes(d))
  .filter((d) => {
    try {
      return statSync(join(d, "package.json")).isFile();
    } catch {
      return false;
    }
  });

/** The plugin that keeps each module's import.meta.url and resolves the externals where the module is. */
function locations(outDir) {
  const rel = (file) => relative(outDir, file);
  return {
    name: "dnsrep-locations",
    setup(b) {
      b.onResolve({ filter: new RegExp(`^(${EXTERNAL.join("|")})($|/)`) }, (a) => ({
        path: a.path,
        namespace: "dnsrep-external",
        pluginData: rel(a.resolveDir),
      }));
      // the workspace's modules do nothing at import but define (checked: no top-level call other
      // than building constants), so one whose exports the tool does not use is left out with what
      // it imports (commander, for a tool that does not parse with it)
      b.onResolve({ filter: /^(@dnsrep\/|\.)/ }, async (a) => {
        if (a.pluginData === "dnsrep-resolving") return undefined;
        const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: "dnsrep-resolving" });
        if (r.errors.length > 0 || r.external || r.path.includes("/node_modules/.pnpm/")) return r.errors.length > 0 ? { errors: r.errors } : undefined;
        return { path: r.path, sideEffects: false };
      });
      b.onLoad({ filter: /.*/, namespace: "dnsrep-external" }, (a) => ({
        contents: `module.exports = require("node:module").createRequire(__dnsrepPath(${JSON.stringify(join(a.pluginData, "x.js"))}))(${JSON.stringify(a.path)});`,
        loader: "js",
      }));
      b.onLoad({ filter: /\.js$/ }, (a) => {
        if (a.path.includes(`${"/"}node_modules${"/"}`)) return undefined;
        const text = readFileSync(a.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        return { contents: text.replaceAll("import.meta.url", `__dnsrepUrl(${JSON.stringify(rel(a.path))})`), loader: "js" };
      });
    },
  };
}

const BANNER = [
  "var __dnsrepPath = (rel) => require(\"node:path\").join(__dirname, rel);",
  "var __dnsrepUrl = (rel) => require(\"node:url\").pathToFileURL(__dnsrepPath(rel)).href;",
].join("\n");

let made = 0;
for (const dir of toolDirs) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const outDir = join(dir, "dist", "bundle");
  rmSync(outDir, { recursive: true, force: true });
  for (const name of Object.keys(pkg.bin ?? {})) {
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, `${name}.cjs`);
    const r = await build({
      stdin: {
        contents: `export { main } from "@dnsrep/cli";\nexport * from "./dist/${name}.js";\n`,
        resolveDir: dir,
        sourcefile: `${name}-bundle-entry.js`,
        loader: "js",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: `${out}.tmp`,
      banner: { js: BANNER },
      plugins: [locations(outDir)],
      metafile: true,
      absWorkingDir: root,
      logLevel: "warning",
      legalComments: "none",
    });
    if (r.errors.length > 0 || r.warnings.length > 0) throw new Error(`${name}: the bundle has errors or warnings`);
    // the inputs on disk (not the entry, not the plugin's externals), with the times launch compares
    const inputs = Object.keys(r.metafile.inputs)
      .filter((p) => !p.includes(":") && !p.endsWith("-bundle-entry.js"))
      .map((p) => resolve(root, p))
      .sort()
      .map((p) => [relative(outDir, p), statSync(p).mtimeMs]);
    renameSync(`${out}.tmp`, out);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ inputs })}\n`);
    if (cache) {
      const run = spawnSync(process.execPath, [join(dir, "bin", `${name}.js`), "--help"], {
        env: { ...process.env, DNSREP_WRITE_CODE_CACHE: "1", DNSREP_UNBUNDLED: "" },
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 60_000,
      });
      if (run.status !== 0) throw new Error(`${name} --help from its bundle: exit ${run.status}: ${run.stderr}`);
    }
    made++;
  }
}
console.error(`bundle-tools: ${made} tool bundles in tools/*/dist/bundle${cache ? " (with V8 code caches)" : ""}`);
