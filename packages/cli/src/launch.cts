/**
 * The start of every tool's bin script (`require("@dnsrep/cli/launch").launch(__dirname, NAME)`, or
 * through dist/bundle/launch.cjs, which scripts/bundle-tools.mjs writes to require this file by its
 * path: resolving the package costs a few ms of each start):
 * CommonJS, like the bin scripts (tools/X/bin/package.json), because Node 20 starts a CommonJS
 * main module faster than an ES one, and it loads nothing but node:fs, node:path and node:vm
 * before it knows what the tool needs.
 *
 * It runs the tool's bundle, dist/bundle/NAME.cjs (scripts/bundle-tools.mjs: the tool and every
 * module it imports in one file), compiled with V8's code cache dist/bundle/NAME.cjs.cache where
 * the build wrote one — one file to read and little to compile, against a hundred modules to
 * resolve, read and compile. It runs the tool's modules instead (dist/NAME.js and @dnsrep/cli's
 * main(), as the bin scripts did before bundles) when there is no bundle, when
 * DNSREP_UNBUNDLED=1, or when the bundle is stale: dist/bundle/NAME.json lists the files whose
 * modification times say whether what it was built from changed (the tsconfig.tsbuildinfo of each
 * workspace package in it, which `tsc -b` rewrites when it builds one, and pnpm's
 * node_modules/.modules.yaml), and any that changed means the modules may be newer than the
 * bundle. A cache V8 rejects (another Node) is ignored.
 */

import type * as FsModule from "node:fs";
import type * as PathModule from "node:path";
import type * as UrlModule from "node:url";
import type * as VmModule from "node:vm";
import type { RunFn } from "./main.js";

const fs = require("node:fs") as typeof FsModule;
const path = require("node:path") as typeof PathModule;

/** What a tool module exports, bundled or not (the bundle adds @dnsrep/cli's main). */
interface ToolModule {
  run: RunFn;
  [name: string]: unknown;
}
type MainFn = (prog: string, run: RunFn, opts?: { exitWhenDone?: () => boolean }) => void;
/** The main() options a tool needs from its module (nmsg-sensor's exitWhenDone). */
type OptionsFn = (m: ToolModule) => { exitWhenDone?: () => boolean };

/** dist/bundle/NAME.json: the bundle's inputs (paths relative to the bundle's folder) and their mtimeMs. */
interface Manifest {
  inputs: [string, number][];
}

/** Whether the bundle exists and every file it was built from is as it was then. */
function fresh(dir: string, name: string): boolean {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8")) as Manifest;
  } catch {
    return false;
  }
  for (const [rel, mtime] of manifest.inputs) {
    const st = fs.statSync(path.join(dir, rel), { throwIfNoEntry: false });
    if (st === undefined || st.mtimeMs !== mtime) return false;
  }
  return true;
}

/** Compile and run the CommonJS bundle at `file` with its code cache when V8 takes it; its exports. */
function loadBundle(file: string): ToolModule & { main: MainFn } {
  const vm = require("node:vm") as typeof VmModule;
  const { createRequire } = require("node:module") as { createRequire: (p: string) => NodeJS.Require };
  const cacheFile = `${file}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // no cache: V8 compiles from the source
  }
  // the bundle is ASCII (scripts/bundle-tools.mjs checks): read as latin1, which costs half of utf8
  const source = `(function (exports, require, module, __filename, __dirname, __dnsrepImport) {${fs.readFileSync(file, "latin1")}\n})`;
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  // the build writes the cache once the tool has run (`--help`): the functions that run compiled
  if (process.env.DNSREP_WRITE_CODE_CACHE === "1") {
    process.once("exit", () => {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    });
  }
  const mod = { exports: {} as ToolModule & { main: MainFn } };
  const req = createRequire(file);
  // the bundle's import() (scripts/bundle-tools.mjs): a URL or an absolute path as it is, a package
  // (one the bundle leaves for later) found from the bundle's folder
  const later = (spec: string): Promise<unknown> => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return import(spec);
    const { pathToFileURL } = require("node:url") as typeof UrlModule;
    return import(pathToFileURL(path.isAbsolute(spec) ? spec : req.resolve(spec)).href);
  };
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, req, mod, file, path.dirname(file), later);
  return mod.exports;
}

/** Run the tool NAME whose bin script is in `binDir`. */
function launch(binDir: string, name: string, options?: OptionsFn): void {
  const bundleDir = path.join(binDir, "..", "dist", "bundle");
  if (process.env.DNSREP_UNBUNDLED !== "1" && fresh(bundleDir, name)) {
    const m = loadBundle(path.join(bundleDir, `${name}.cjs`));
    m.main(name, m.run, options?.(m));
    return;
  }
  const { pathToFileURL } = require("node:url") as typeof UrlModule;
  Promise.all([import("./main.js"), import(pathToFileURL(path.join(binDir, "..", "dist", `${name}.js`)).href) as Promise<ToolModule>]).then(
    ([{ main }, m]) => main(name, m.run, options?.(m)),
    (err: unknown) => {
      process.stderr.write(`${name}: cannot load the tool: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

module.exports = { launch };
