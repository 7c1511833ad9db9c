// Builds a package's optional native addon with node-gyp when the package is installed, and never
// fails the install: where the build fails, the package's portable code runs, and one line on
// stderr says so and why — the cause found in node-gyp's output (no compiler, no make, no Python,
// no Node headers, a missing library header …), not a guess. node-gyp's whole output is kept in
// build/node-gyp.log (DNSREP_NATIVE_VERBOSE=1 prints it as well).
//
//   node native/build.mjs WHAT FALLBACK     (as an install script: @dnsrep/util's)
//   import { buildAddon } from "@dnsrep/util/native-build"   (@dnsrep/mtbl's native/install.mjs)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NODEDIR_HINT = "/usr where /usr/include/node/node.h exists";

/** Causes by what node-gyp and the compiler print, most specific first. */
const CAUSES = [
  [/fatal error: ([\w./+-]+\.h): No such file/, (m) => `the header ${m[1]} is missing${hintFor(m[1])}`],
  [/cannot find -l(\w+)/, (m) => `the linker cannot find lib${m[1]}${hintFor(m[1])}`],
  [/find Python|Could not find any Python|python3?: (?:command )?not found/i, () => "node-gyp needs Python 3, which is not installed"],
  [/not found: make\b|make: (?:command )?not found|spawn make ENOENT/, () => "make is not installed (Debian: build-essential)"],
  [
    /(?:^|[\s:])(?:cc|gcc|g\+\+|c\+\+|clang\+*): (?:Command not found|command not found|not found|No such file or directory)|not found: (?:cc|gcc|g\+\+)\b/m,
    () => "no C/C++ compiler is installed (Debian: build-essential)",
  ],
  [
    /network connectivity|install got an error|node\.h: No such file|common\.gypi|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|self[- ]signed certificate|tarball|download/i,
    () => `Node's C headers were not found and could not be downloaded (set npm_config_nodedir to a Node install with include/node, e.g. ${NODEDIR_HINT})`,
  ],
  [/EACCES|permission denied/i, () => "permission denied while building (is the package directory writable?)"],
];

function hintFor(name) {
  if (/deflate/.test(name)) return " (Debian: libdeflate-dev)";
  if (/^(?:node|uv|v8|js_native_api|node_api)\b/.test(name)) return ` (Node's headers: set npm_config_nodedir, e.g. ${NODEDIR_HINT})`;
  return "";
}

/** Why a node-gyp run failed, as one clause, from its output (and the spawn error, if any). */
export function buildFailureCause(output, error) {
  if (error?.code === "ENOENT") return "node-gyp is not available (npm and pnpm provide it to install scripts)";
  if (error?.code === "ETIMEDOUT") return "node-gyp did not finish within 10 minutes";
  for (const [re, say] of CAUSES) {
    const m = re.exec(output);
    if (m) return say(m);
  }
  const line = output
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /\berror\b/i.test(l) && !/^gyp ERR! (?:cwd|node -v|node-gyp -v|command|System|not ok)/.test(l));
  return line ? `node-gyp failed: ${line.slice(0, 200)}` : "node-gyp failed without saying why";
}

function runNodeGyp(cwd) {
  const args = ["rebuild", "--loglevel=warn"];
  const opts = { cwd, encoding: "utf8", timeout: 600_000, env: process.env };
  let r = spawnSync("node-gyp", args, opts);
  // npm names its bundled node-gyp in npm_config_node_gyp; run by hand, npm's copy beside this node
  const bundled = [process.env.npm_config_node_gyp, join(dirname(process.execPath), "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js")];
  for (const js of bundled) {
    if (r.error?.code !== "ENOENT") break;
    if (js !== undefined && existsSync(js)) r = spawnSync(process.execPath, [js, ...args], opts);
  }
  return r;
}

/**
 * Build the addon of the package in `cwd` (default: the current directory, where npm and pnpm run
 * install scripts). `what` names the addon, `fallback` says what runs without it. Returns true
 * when it was built; otherwise prints one line on stderr and returns false.
 */
export function buildAddon(what, fallback, cwd = process.cwd()) {
  const name = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")).name;
  const r = runNodeGyp(cwd);
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  try {
    mkdirSync(join(cwd, "build"), { recursive: true });
    writeFileSync(join(cwd, "build", "node-gyp.log"), output);
  } catch {
    // the log is a convenience only
  }
  if (process.env.DNSREP_NATIVE_VERBOSE) process.stderr.write(output);
  if (r.status === 0 && !r.error) return true;
  const cause = buildFailureCause(output, r.error);
  process.stderr.write(`${name}: the optional ${what} was not built: ${cause}; ${fallback} (node-gyp's output: build/node-gyp.log)\n`);
  return false;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [what, fallback] = process.argv.slice(2);
  if (what === undefined || fallback === undefined) {
    console.error("usage: node native/build.mjs WHAT FALLBACK");
    process.exit(2);
  }
  buildAddon(what, fallback);
}
