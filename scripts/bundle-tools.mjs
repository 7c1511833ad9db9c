#!/usr/bin/env node
// Bundles each tool's entry point for a fast start (issue 30): for every bin NAME of a tools/*
// package, tools/X/dist/bundle/NAME.cjs holds @dnsrep/cli's main() and the tool's dist/NAME.js
// with every module they import (the built dist/ of the workspace packages, commander …) in one
// CommonJS file, which @dnsrep/cli's launch (the bin scripts) runs. Beside it:
//   NAME.json        the files it was built from and their mtimes: launch runs the modules
//                    instead when any changed (a `tsc -b` after an edit), so a stale bundle never runs;
//   NAME.cjs.cache   V8's code cache, written by running `bin/NAME.js --help` once (and TRAIN's runs);
//   launch.cjs       requires @dnsrep/cli's launch by its path, for the bin scripts.
// The modules stay as they are for tests and library users; dist/bundle/ is left out of the
// packed tarballs (the tools run their modules there). Run after `tsc -b` (scripts/setup.sh does).
//
//   node scripts/bundle-tools.mjs [--no-cache] [TOOL_DIR …]
//
// In the bundle, each module's import.meta.url is its own file's URL (so native addons
// (`../build/Release/*.node`), worker scripts and package.json are found where they were), and
// what cannot be bundled (pcap, a native addon) is required from the importing module's folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const cache = !args.includes("--no-cache");
const only = args.filter((a) => !a.startsWith("--")).map((a) => resolve(a));
/** Packages not bundled: required at run time from the importing module's folder. */
const EXTERNAL = ["pcap"];
/**
 * Per tool, the packages it imports with `await import()` that stay out of its bundle: loaded as
 * modules when the run gets that far. dnstable-server's server (fastify, the store, the UI …) is
 * most of its code and starts once for a long run; its `--help` need not read it. A relative one
 * (its `keys` and `users` subcommands, which import @dnsrep/server) is the tool's own module in
 * dist/, imported by its path from the bundle's folder.
 */
const LATER = { "dnstable-server": ["@dnsrep/server", "@dnsrep/web", "./keys.js", "./users.js"] };

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

/**
 * Modules a bundle loads on first use instead of when it starts (issue 30): a static import of one
 * (esbuild's CommonJS output makes it a `require` at the importing module's start) resolves to a
 * generated shim whose exports are getters (and setters) that require the module when one is
 * first read. The names are those of the module as this Node (the one that runs the tools) has
 * them. Built-ins: those whose exports are an object, not loaded already by a bare `node -e 0`
 * (node:crypto, zlib, net, child_process … cost their compile at every start); packages:
 * protobufjs (@dnsrep/nmsg needs it for the first message, not for a `--help`) and pako (its
 * CommonJS entry, whose lib/ modules @dnsrep/nmsg's deflater also imports: one copy; and its
 * deflate.js, whose trees.js builds its tables at load). A module that
 * reads one of them at its top (a subclass, a destructuring require) still loads it at the start.
 */
const LAZY_PACKAGES = ["protobufjs", "pako", "pako/lib/zlib/deflate.js"];
const startLoaded = new Set(
  JSON.parse(spawnSync(process.execPath, ["-e", 'require("fs").writeSync(1, JSON.stringify(process.moduleLoadList))'], { encoding: "utf8" }).stdout)
    .filter((m) => m.startsWith("NativeModule "))
    .map((m) => m.slice("NativeModule ".length)),
);
const requireHere = createRequire(import.meta.url);
const LAZY_BUILTINS = builtinModules.filter(
  (m) => !m.startsWith("_") && !startLoaded.has(m) && !["process", "console", "sys", "wasi"].includes(m) && typeof requireHere(m) === "object",
);
const lazyFilter = new RegExp(`^(${LAZY_PACKAGES.map((p) => p.replaceAll(".", "\\.")).join("|")}|(node:)?(${LAZY_BUILTINS.join("|").replaceAll("/", "\\/")}))$`);

/**
 * The names an ES module `text` imports from `spec` when it only has named imports of it
 * (`import { a, b as c } from "spec"`); null when it takes the whole module (a namespace or
 * default import, a require). A shim that has only those is cheaper to make and to copy (esbuild's
 * __toESM copies every export of a CommonJS module into each importer's namespace object).
 */
function namedImports(text, spec) {
  const q = spec.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const all = [...text.matchAll(new RegExp(`(import|export|require\\()[^;]*?["']${q}["']`, "g"))];
  const named = [...text.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*["']${q}["']`, "g"))];
  if (all.length === 0 || named.length !== all.length) return null;
  const names = new Set();
  for (const m of named)
    for (const part of m[1].split(",")) {
      const name = part.trim().replace(/^type\s+/, "").split(/\s+as\s+/)[0];
      if (name) names.add(name);
    }
  return [...names].sort();
}

/**
 * The shim of the module `spec` (a built-in, or the absolute path of a CommonJS file): its exports
 * (or only `only`) as getters over the module.
 */
function lazyShim(spec, only) {
  const real = requireHere(spec);
  const names = Object.getOwnPropertyNames(real).filter((k) => k !== "__esModule" && (only === null || only.includes(k)));
  const q = JSON.stringify;
  const lines = [`let m;`, `const load = () => m ?? (m = require(${q(spec)}));`, `const o = {`];
  for (const k of names) lines.push(`  get ${q(k)}() { return load()[${q(k)}]; },`, `  set ${q(k)}(v) { load()[${q(k)}] = v; },`);
  lines.push(`};`);
  const hidden = names.filter((k) => !Object.getOwnPropertyDescriptor(real, k).enumerable);
  if (hidden.length > 0) lines.push(`for (const k of ${q(hidden)}) Object.defineProperty(o, k, { enumerable: false });`);
  if (real.__esModule) lines.push(`Object.defineProperty(o, "__esModule", { value: true });`);
  lines.push(`module.exports = o;`);
  return lines.join("\n");
}

/** The plugin that resolves the modules loaded on first use to their shims (lazyShim). */
const lazyModules = {
  name: "dnsrep-lazy",
  setup(b) {
    b.onResolve({ filter: lazyFilter }, async (a) => {
      // the shim's own require: the module itself (a built-in stays external, a package is bundled)
      if (a.namespace === "dnsrep-lazy" || a.pluginData === "dnsrep-lazy") return undefined;
      if (!LAZY_PACKAGES.includes(a.path)) {
        const only = a.importer.endsWith(".js") && a.kind === "import-statement" ? namedImports(readFileSync(a.importer, "utf8"), a.path) : null;
        // the names are part of the path: one shim per set of names
        return { path: `${a.path.replace(/^node:/, "")}${only ? `|${only.join(",")}` : ""}`, namespace: "dnsrep-lazy" };
      }
      // the package's CommonJS entry (its `require` export condition), which the shim requires
      const r = await b.resolve(a.path, { kind: "require-call", importer: a.importer, resolveDir: a.resolveDir, pluginData: "dnsrep-lazy" });
      if (r.errors.length > 0) return { errors: r.errors };
      if (!/\.c?js$/.test(r.path)) return undefined; // an ES module: not required here to list its names
      return { path: relative(root, r.path), namespace: "dnsrep-lazy" };
    });
    b.onLoad({ filter: /.*/, namespace: "dnsrep-lazy" }, (a) => {
      // a built-in by its name, a package by its file (relative to the checkout: no absolute path in the bundle)
      const builtin = !a.path.includes("node_modules/");
      const [name, only] = a.path.split("|");
      const file = join(root, a.path);
      return {
        contents: lazyShim(builtin ? `node:${name}` : file, only === undefined ? null : only.split(",")),
        loader: "js",
        resolveDir: builtin ? root : dirname(file),
      };
    });
  },
};

/**
 * Per tool, runs after `--help` whose compiled functions join its V8 code cache: the cache holds
 * what ran when it was written, and a query of dnstable-lookup (the search, the block reader,
 * the formatting of each entry) otherwise compiles from the source at every start. On the
 * vectors' dns.mtbl, when it is there (a checkout; the packed tarballs carry no bundles).
 */
const TRAIN_FILE = join(root, "test", "vectors", "dnstable", "dns.mtbl");
const TRAIN = {
  "dnstable-lookup": [
    [["rrset", "*.test"], { DNSTABLE_FNAME: TRAIN_FILE }],
    [["rdata", "ip", "192.0.2.0/24"], { DNSTABLE_FNAME: TRAIN_FILE }],
    [["-j", "rdata", "name", "*.example.test"], { DNSTABLE_FNAME: TRAIN_FILE }],
  ],
};

/** The plugin that keeps each module's import.meta.url and resolves the externals where the module is. */
function locations(outDir, later) {
  const rel = (file) => relative(outDir, file);
  return {
    name: "dnsrep-locations",
    setup(b) {
      b.onResolve({ filter: /^@dnsrep\// }, (a) => (a.kind === "dynamic-import" && later.includes(a.path) ? { path: a.path, external: true } : undefined));
      b.onResolve({ filter: /^\.\.?\// }, (a) =>
        a.kind === "dynamic-import" && later.includes(a.path) ? { path: laterPath(outDir, a.resolveDir, a.path), external: true } : undefined,
      );
      b.onResolve({ filter: new RegExp(`^(${EXTERNAL.join("|")})($|/)`) }, (a) => ({
        path: a.path,
        namespace: "dnsrep-external",
        pluginData: rel(a.resolveDir),
      }));
      // a workspace package whose modules do nothing at import but define (sideEffectFree) has
      // a module whose exports the tool does not use left out, with what it imports (commander, for
      // a tool that does not parse with it); @dnsrep/nmsg registers its message modules at import
      b.onResolve({ filter: /^(@dnsrep\/|\.)/ }, async (a) => {
        if (a.pluginData === "dnsrep-resolving") return undefined;
        const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: "dnsrep-resolving" });
        if (r.errors.length > 0) return { errors: r.errors };
        if (r.external || r.path.includes("/node_modules/") || !sideEffectFree(r.path)) return undefined;
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

/** How the bundle in `outDir` imports a relative LATER module `spec` of a module in `dir`: by its path from outDir. */
function laterPath(outDir, dir, spec) {
  const rel = relative(outDir, resolve(dir, spec));
  return rel.startsWith(".") ? rel : `./${rel}`;
}

/** The folder of the package `file` is in. */
function packageDir(file) {
  for (let d = dirname(file); d !== dirname(d); d = dirname(d)) if (existsSync(join(d, "package.json"))) return d;
  return dirname(file);
}

const pure = new Map();
/**
 * Whether every built module of the package `file` is in only declares and imports at its top
 * level: tsc writes a module's top-level statements at column 0, so any line there that is not an
 * import, export, declaration, comment or closing bracket (a call such as registerModule(…), a
 * loop, an if) makes the package count as having side effects.
 */
function sideEffectFree(file) {
  const dir = packageDir(file);
  if (!pure.has(dir)) {
    const dist = join(dir, "dist");
    const files = existsSync(dist) ? readdirSync(dist, { recursive: true }).filter((f) => String(f).endsWith(".js")) : [];
    pure.set(dir, files.length > 0 && files.every((f) => declaresOnly(readFileSync(join(dist, String(f)), "utf8"))));
  }
  return pure.get(dir);
}

/** Whether the top level of a built module only imports, exports and declares (lines inside a template literal skipped). */
function declaresOnly(text) {
  const ok = /^(import |export |const |let |var |(async )?function\*? |class |\/\/|\/\*| \*|[})\]]|\s|$)/;
  let inTemplate = false;
  for (const line of text.split("\n")) {
    if (!inTemplate && !ok.test(line)) return false;
    if ((line.replace(/\\./g, "").match(/`/g)?.length ?? 0) % 2 === 1) inTemplate = !inTemplate;
  }
  return true;
}

/** The tsconfig.tsbuildinfo of the package `file` is in (the file itself where there is none). */
function buildInfo(file) {
  const info = join(packageDir(file), "tsconfig.tsbuildinfo");
  return existsSync(info) ? info : file;
}

let made = 0;
for (const dir of toolDirs) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const outDir = join(dir, "dist", "bundle");
  rmSync(outDir, { recursive: true, force: true });
  for (const name of Object.keys(pkg.bin ?? {})) {
    mkdirSync(outDir, { recursive: true });
    // what the bin scripts require first: @dnsrep/cli's launch by its path (resolving the package
    // and its exports costs ~3 ms of each start here); without it they resolve the package
    const launchFile = createRequire(join(dir, "package.json")).resolve("@dnsrep/cli/launch");
    writeFileSync(join(outDir, "launch.cjs"), `module.exports = require(${JSON.stringify(relative(outDir, launchFile))});\n`);
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
      plugins: [lazyModules, locations(outDir, LATER[name] ?? [])],
      metafile: true,
      absWorkingDir: root,
      logLevel: "warning",
      legalComments: "none",
      // less to read and to scan: the names stay, for stack traces
      minifyWhitespace: true,
      minifySyntax: true,
    });
    if (r.errors.length > 0 || r.warnings.length > 0) throw new Error(`${name}: the bundle has errors or warnings`);
    // what launch checks, with its mtime: for each workspace package the bundle holds modules of,
    // its tsconfig.tsbuildinfo (tsc -b rewrites it whenever it builds the package), and for the
    // third-party ones pnpm's node_modules/.modules.yaml (rewritten by every install) — a few files
    // to stat, where the modules are hundreds (a stat is not free: tens of µs here)
    const watched = new Set();
    for (const p of Object.keys(r.metafile.inputs)) {
      if (p.includes(":") || p.endsWith("-bundle-entry.js")) continue;
      const file = resolve(root, p);
      if (file.includes(`${"/"}node_modules${"/"}`)) watched.add(join(root, "node_modules", ".modules.yaml"));
      else watched.add(buildInfo(file));
    }
    const inputs = [...watched].sort().map((p) => [relative(outDir, p), statSync(p).mtimeMs]);
    let text = readFileSync(`${out}.tmp`, "latin1");
    if (!/^[\x00-\x7f]*$/.test(text)) throw new Error(`${name}: the bundle is not ASCII (launch reads it as latin1)`);
    // what is still imported at run time (the packages left for later, mtbl-merge's merge module)
    // goes through launch's __dnsrepImport: the bundle runs in a vm.Script, where import() needs an
    // experimental option in Node 20 (and says so on stderr)
    for (const spec of LATER[name] ?? []) {
      const imported = spec.startsWith(".") ? laterPath(outDir, join(dir, "dist"), spec) : spec;
      if (!text.includes(`import(${JSON.stringify(imported)})`)) throw new Error(`${name}: no import("${imported}") in the bundle`);
    }
    text = text.replace(/(?<![\w$.])import\(/g, "__dnsrepImport(");
    writeFileSync(`${out}.tmp`, text, "latin1");
    renameSync(`${out}.tmp`, out);
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ inputs })}\n`);
    if (cache) {
      // each run starts from the cache the one before wrote and adds what it compiled
      for (const [argv, env] of [[["--help"], {}], ...(existsSync(TRAIN_FILE) ? (TRAIN[name] ?? []) : [])]) {
        const run = spawnSync(process.execPath, [join(dir, "bin", `${name}.js`), ...argv], {
          env: { ...process.env, ...env, DNSREP_WRITE_CODE_CACHE: "1", DNSREP_UNBUNDLED: "" },
          stdio: ["ignore", "ignore", "pipe"],
          timeout: 60_000,
        });
        if (run.status !== 0) throw new Error(`${name} ${argv.join(" ")} from its bundle: exit ${run.status}: ${run.stderr}`);
      }
    }
    made++;
  }
}
console.error(`bundle-tools: ${made} tool bundles in tools/*/dist/bundle${cache ? " (with V8 code caches)" : ""}`);
