#!/usr/bin/env node
// The publishing fields every @dnsrep package shares, kept in one place: the root package.json.
//
//   node scripts/packages.mjs check          what is wrong, one line each; exit 1 if anything is
//   node scripts/packages.mjs sync           write the shared fields into every package
//   node scripts/packages.mjs version 0.2.0  one new version for the root and every package
//
// Every workspace package (packages/*, tools/*) gets the root's version (they move together:
// `workspace:*` dependencies become that exact version when pnpm packs them), license and
// engines; `publishConfig.access: public` (scoped packages are private on npm by default); a
// `prepack` that builds (`tsc -b`, then `node scripts/build.mjs` where a package has one), so a
// tarball always holds the built dist/; `files` that ship dist/, the sources for source maps
// without their tests, the native parts where the package has some, and www/ where a build
// script makes it. `repository` (with the package's `directory`), `homepage` and `bugs` are
// copied from the root when it has them: the project has no public URL yet, so none is made up.
// The LICENSE file at the root goes into every tarball: pnpm pack copies the workspace root's
// LICENSE into a package that has none of its own.
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readJson = (p) => JSON.parse(readFileSync(p, "utf8"));
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Every workspace package: { dir (relative to the root), path, json }. */
export function workspacePackages() {
  const out = [];
  for (const group of ["packages", "tools"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const path = join(root, group, name, "package.json");
      if (existsSync(path)) out.push({ dir: `${group}/${name}`, path, json: readJson(path) });
    }
  }
  return out;
}

/** What a package's `files` must be (its own extra entries, such as bin/ or native/, kept). */
function filesFor(pkg) {
  const has = (p) => existsSync(join(root, pkg.dir, p));
  const files = pkg.json.bin !== undefined || has("bin") ? ["bin"] : [];
  files.push("dist", "src", "!src/**/*.test.ts");
  // a tool's bundles (scripts/bundle-tools.mjs) name the workspace's files by their place in the
  // repository: a packed tool runs its modules instead
  if (pkg.json.bin !== undefined) files.push("!dist/bundle");
  if (has("native")) files.push("native");
  if (has("binding.gyp")) files.push("binding.gyp");
  // a package that builds more than tsc does (@dnsrep/web's esbuild bundle) ships what it builds
  if (has("scripts/build.mjs")) files.push("www");
  return files;
}

/** The prepack a package must have: `tsc -b`, then its own build step where it has one. */
function prepackFor(pkg) {
  return existsSync(join(root, pkg.dir, "scripts/build.mjs")) ? "tsc -b && node scripts/build.mjs" : "tsc -b";
}

/** The shared fields as they must be in one package. */
function expected(rootJson, pkg) {
  const want = {
    version: rootJson.version,
    license: rootJson.license,
    engines: rootJson.engines,
    files: filesFor(pkg),
    publishConfig: { access: "public" },
  };
  if (rootJson.repository !== undefined) {
    const r = typeof rootJson.repository === "string" ? { type: "git", url: rootJson.repository } : rootJson.repository;
    want.repository = { ...r, directory: pkg.dir };
  }
  if (rootJson.homepage !== undefined) want.homepage = rootJson.homepage;
  if (rootJson.bugs !== undefined) want.bugs = rootJson.bugs;
  return want;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Problems, one sentence each (empty when every package is ready to publish). */
export function checkPackages() {
  const rootJson = readJson(join(root, "package.json"));
  const problems = [];
  if (!SEMVER.test(rootJson.version ?? "")) problems.push(`package.json: "version" is not a semver version: ${rootJson.version}`);
  if (!existsSync(join(root, "LICENSE"))) problems.push("LICENSE: missing at the repository root");
  for (const pkg of workspacePackages()) {
    const j = pkg.json;
    const at = `${pkg.dir}/package.json`;
    if (!j.name?.startsWith("@dnsrep/")) problems.push(`${at}: name ${j.name} is not in the @dnsrep scope`);
    if (j.private) problems.push(`${at}: "private" keeps it from being published`);
    for (const [k, v] of Object.entries(expected(rootJson, pkg))) {
      if (!same(j[k], v)) problems.push(`${at}: "${k}" is ${JSON.stringify(j[k])}, should be ${JSON.stringify(v)}`);
    }
    if (j.scripts?.prepack !== prepackFor(pkg))
      problems.push(`${at}: "scripts.prepack" should be "${prepackFor(pkg)}" (a tarball must hold the built dist/)`);
    const exp = j.exports?.["."];
    if (exp?.types !== "./dist/index.d.ts" || exp?.default !== "./dist/index.js")
      problems.push(`${at}: exports["."] should give types ./dist/index.d.ts and default ./dist/index.js`);
    if (!existsSync(join(root, pkg.dir, "README.md"))) problems.push(`${pkg.dir}/README.md: missing (npm shows it as the package's page)`);
    for (const [dep, spec] of Object.entries({ ...j.dependencies, ...j.optionalDependencies, ...j.peerDependencies })) {
      if (dep.startsWith("@dnsrep/") && spec !== "workspace:*") problems.push(`${at}: ${dep} should be "workspace:*" (pnpm pack writes the version)`);
    }
  }
  return problems;
}

/** Put the shared fields into every package.json, each keeping its other fields and their order. */
export function syncPackages() {
  const rootJson = readJson(join(root, "package.json"));
  for (const pkg of workspacePackages()) {
    const want = expected(rootJson, pkg);
    // fields already there keep their place; new ones go after "license", away from the
    // dependencies other changes touch
    const j = {};
    for (const [k, v] of Object.entries(pkg.json)) {
      j[k] = k in want ? want[k] : v;
      if (k === "license") for (const [nk, nv] of Object.entries(want)) if (!(nk in pkg.json)) j[nk] = nv;
    }
    for (const [nk, nv] of Object.entries(want)) if (!(nk in j)) j[nk] = nv;
    j.scripts = { ...j.scripts, prepack: prepackFor(pkg) };
    writeFileSync(pkg.path, `${JSON.stringify(j, null, 2)}\n`);
  }
}

function setVersion(version) {
  if (!SEMVER.test(version)) throw new Error(`not a semver version: ${version}`);
  const path = join(root, "package.json");
  const j = readJson(path);
  // keep the root's field order: version right after name
  const out = {};
  for (const [k, v] of Object.entries(j)) {
    if (k === "version") continue;
    out[k] = v;
    if (k === "name") out.version = version;
  }
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`);
  syncPackages();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, arg] = process.argv.slice(2);
  try {
    if (cmd === "check") {
      const problems = checkPackages();
      for (const p of problems) console.error(p);
      if (problems.length > 0) process.exit(1);
      console.log(`${workspacePackages().length} packages ready to publish`);
    } else if (cmd === "sync") {
      syncPackages();
    } else if (cmd === "version" && arg !== undefined) {
      setVersion(arg);
    } else {
      console.error("usage: node scripts/packages.mjs check | sync | version X.Y.Z");
      process.exit(2);
    }
  } catch (e) {
    console.error(`packages: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
