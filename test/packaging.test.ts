/**
 * The packages as someone outside the repository gets them: every workspace package is packed
 * with pnpm (as publishing does), the tarballs are checked (built dist/, LICENSE, README, one
 * version, no `workspace:` left, native sources where there is an addon), installed into a scratch
 * project with npm, and used there by an ES module consumer, two CommonJS consumers (`require()` of
 * the ES modules, which Node 20.19+ does without a flag, and `import()`), a TypeScript consumer
 * (strict, module nodenext) type-checked and compiled with the project's TypeScript, and one tool
 * binary. npm fetches the third-party dependencies from the registry (bounded by a timeout).
 * Native addons are built by the packages' install scripts; with CI=true they must build (the CI
 * machine has what they need), elsewhere the portable fallback is accepted and reported.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./run-tool.js";
import { vectorPath } from "./vectors.js";

const PNPM = ["--yes", "pnpm@12.21.0"];
/** The files the README examples name, from the vectors. */
const EXAMPLE_FILES: Record<string, string> = {
  "dnsqr.nmsg": "nmsg/dnsqr.nmsg",
  "dns.mtbl": "dnstable/dns.mtbl",
  "dns.pcap": "pcap/dns.pcap",
};

/** Every package README with a "## Usage" section (libraries: a js example; tools: an sh one). */
function readmesWithUsage(): string[] {
  return ["packages", "tools"]
    .flatMap((g) => readdirSync(join(repoRoot, g)).map((d) => `${g}/${d}/README.md`))
    .filter((r) => existsSync(join(repoRoot, r)) && readFileSync(join(repoRoot, r), "utf8").includes("\n## Usage\n"))
    .sort();
}
const LIBRARIES = ["@dnsrep/wdns", "@dnsrep/nmsg", "@dnsrep/mtbl", "@dnsrep/dnstable"];
const rootJson = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
const VERSION = rootJson.version;

interface Packed {
  file: string;
  entries: string[];
  json: {
    name: string;
    version: string;
    bin?: Record<string, string>;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    gypfile?: boolean;
  };
}

let work = "";
let packDir = "";
let project = "";
const packed = new Map<string, Packed>();
let installLog = "";

/** Run a command to completion (or throw with the end of its output): its stdout, and stdout + stderr. */
function runBoth(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: Record<string, string> = {},
): { stdout: string; all: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  const all = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.error || r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}): ${r.error?.message ?? `exit ${r.status}`}\n${all.slice(-4000)}`);
  return { stdout: r.stdout, all };
}

const run = (cmd: string, args: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): string =>
  runBoth(cmd, args, cwd, timeoutMs, env).stdout;

/** npm's environment for the scratch project: Node's headers from this Node's install where it has them (as scripts/setup.sh). */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = { npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
  if (existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr";
  return env;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "dnsrep-packaging-"));
  packDir = join(work, "tarballs");
  project = join(work, "consumer");
  mkdirSync(packDir);
  mkdirSync(project);
  // the build first (up to date after scripts/setup.sh): the prepack of each package then has nothing to do
  run("npx", ["tsc", "-b"], repoRoot, 300_000);
  run(
    "npx",
    [
      ...PNPM,
      "-r",
      "--workspace-concurrency=1",
      "--filter",
      "./packages/*",
      "--filter",
      "./tools/*",
      "pack",
      "--pack-destination",
      packDir,
    ],
    repoRoot,
    300_000,
  );
  for (const file of readdirSync(packDir).filter((f) => f.endsWith(".tgz"))) {
    const path = join(packDir, file);
    const entries = run("tar", ["-tzf", path], packDir, 60_000).split("\n").filter(Boolean);
    const json = JSON.parse(run("tar", ["-xzOf", path, "package/package.json"], packDir, 60_000)) as Packed["json"];
    packed.set(json.name, { file: path, entries, json });
  }
  // the scratch project: every tarball installed by npm, as a user would
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "dnsrep-consumer", private: true, type: "module" }, null, 2));
  const tarballs = [...packed.values()].map((p) => p.file);
  installLog = runBoth(
    "npm",
    ["install", "--no-audit", "--no-fund", "--foreground-scripts", ...tarballs, "@types/node@^20.19.0"],
    project,
    900_000,
    npmEnv(),
  ).all;
}, 1_500_000);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("packed tarballs", { timeout: 300_000 }, () => {
  it("every workspace package is packed, and scripts/packages.mjs finds nothing to fix", () => {
    const dirs = ["packages", "tools"].flatMap((g) =>
      readdirSync(join(repoRoot, g)).filter((d) => existsSync(join(repoRoot, g, d, "package.json"))),
    );
    expect(packed.size).toBe(dirs.length);
    expect(run(process.execPath, [join(repoRoot, "scripts/packages.mjs"), "check"], repoRoot, 60_000)).toMatch(
      /^\d+ packages ready to publish\n$/,
    );
  });

  it("each holds the built dist/, LICENSE (the root's), README, and no tests", () => {
    const license = readFileSync(join(repoRoot, "LICENSE"), "utf8");
    expect(license.startsWith("Mozilla Public License Version 2.0\n")).toBe(true);
    for (const [name, p] of packed) {
      for (const f of ["package/package.json", "package/LICENSE", "package/README.md", "package/dist/index.js", "package/dist/index.d.ts"])
        expect(p.entries, `${name}: ${f}`).toContain(f);
      expect(run("tar", ["-xzOf", p.file, "package/LICENSE"], packDir, 60_000), name).toBe(license);
      expect(
        p.entries.filter((e) => /\.test\.ts$|^package\/(test|build|node_modules)\//.test(e)),
        name,
      ).toEqual([]);
      for (const bin of Object.values(p.json.bin ?? {}))
        expect(p.entries, `${name}: ${bin}`).toContain(`package/${bin.replace(/^\.\//, "")}`);
    }
  });

  it("one version for all, workspace:* written as it", () => {
    for (const [name, p] of packed) {
      expect(p.json.version, name).toBe(VERSION);
      for (const [dep, spec] of Object.entries({ ...p.json.dependencies, ...p.json.optionalDependencies })) {
        expect(spec, `${name} → ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith("@dnsrep/")) {
          expect(spec, `${name} → ${dep}`).toBe(VERSION);
          expect(packed.has(dep), `${name} → ${dep} is packed`).toBe(true);
        }
      }
    }
  });

  it("every library and tool README has a Usage example (run below, in the scratch project)", () => {
    const libs = ["capture", "cli", "dedupe", "dnstable", "mtbl", "nmsg", "util", "wdns"].map((d) => `packages/${d}/README.md`);
    const tools = ["dns-cache", "dnstable", "filter", "mtbl", "nmsg-tool", "sensor"].map((d) => `tools/${d}/README.md`);
    expect(readmesWithUsage()).toEqual(expect.arrayContaining([...libs, ...tools]));
  });

  it("packages with a native addon ship its sources and binding.gyp", () => {
    const native = [...packed.values()].filter((p) => p.json.gypfile === true);
    expect(native.map((p) => p.json.name).sort()).toEqual(["@dnsrep/mtbl", "@dnsrep/nmsg", "@dnsrep/util"]);
    for (const p of native) {
      expect(p.entries).toContain("package/binding.gyp");
      expect(p.entries.some((e) => /^package\/native\/.+\.c$/.test(e))).toBe(true);
    }
  });
});

describe("installed into a scratch project with npm", { timeout: 300_000 }, () => {
  const nmsgFile = vectorPath("nmsg/dnsqr.nmsg");
  const dnstableFile = vectorPath("dnstable/dns.mtbl");
  const body = readFileSync(join(repoRoot, "test/consumer/body.js"), "utf8");
  const [wdns, nmsg, mtbl, dnstable] = LIBRARIES;

  /** What body.js must print: computed from the vectors nmsgtool and dnstable_lookup made. */
  function expectedOutput(): string {
    const pres = readFileSync(vectorPath("nmsg/dnsqr.pres.txt"), "utf8");
    const names = [...pres.matchAll(/^query: \[\d+ octets\]\n[\s\S]*?^;; QUESTION SECTION:\n;(\S+) /gm)].map((m) => `query: ${m[1]}\n`);
    expect(names.length).toBe(510);
    const dnsqrs = pres.match(/^\[\d+\] \[.*\[1:9 base dnsqr\]/gm)?.length;
    return [
      "wdns: id 4660 example.com. IN A\n",
      ...names,
      `nmsg: ${dnsqrs} dnsqr payloads\n`,
      "mtbl: 3 entries, b = 2\n",
      readFileSync(vectorPath("lookup/001.out.txt"), "utf8"),
    ].join("");
  }

  function runConsumer(file: string, source: string): string {
    writeFileSync(join(project, file), source);
    const dir = mkdtempSync(join(work, "out-"));
    return run(process.execPath, [file, nmsgFile, dnstableFile, dir], project, 120_000);
  }

  it("an ES module consumer (import)", () => {
    const src = `import * as wdns from "${wdns}";\nimport * as nmsg from "${nmsg}";\nimport * as mtbl from "${mtbl}";\nimport * as dnstable from "${dnstable}";\nconst args = process.argv.slice(2);\n${body}`;
    expect(runConsumer("consumer.mjs", src)).toBe(expectedOutput());
  });

  it("a CommonJS consumer with require() (Node >= 20.19 loads ES modules this way)", () => {
    const src = `"use strict";\nconst wdns = require("${wdns}");\nconst nmsg = require("${nmsg}");\nconst mtbl = require("${mtbl}");\nconst dnstable = require("${dnstable}");\nconst args = process.argv.slice(2);\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });\n`;
    expect(runConsumer("consumer-require.cjs", src)).toBe(expectedOutput());
  });

  it("a CommonJS consumer with import()", () => {
    const src = `"use strict";\nconst args = process.argv.slice(2);\n(async () => {\nconst [wdns, nmsg, mtbl, dnstable] = await Promise.all([import("${wdns}"), import("${nmsg}"), import("${mtbl}"), import("${dnstable}")]);\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });\n`;
    expect(runConsumer("consumer-import.cjs", src)).toBe(expectedOutput());
  });

  it("a TypeScript consumer (strict, module nodenext) type-checks with the project's TypeScript and runs", () => {
    writeFileSync(join(project, "consumer.ts"), readFileSync(join(repoRoot, "test/consumer/consumer.ts"), "utf8"));
    const tsconfig = {
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        types: ["node"],
        outDir: "out",
        skipLibCheck: false,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    run(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], project, 300_000);
    const dir = mkdtempSync(join(work, "out-"));
    const out = run(process.execPath, ["out/consumer.js", nmsgFile, dnstableFile, dir], project, 120_000);
    const lookup039 = readFileSync(vectorPath("lookup/039.out.txt"), "utf8").split("\n").filter(Boolean);
    const lines = out.split("\n");
    expect(lines[0]).toBe("wdns: ERR_LEN");
    expect(lines.slice(1, 4).every((l) => l.startsWith("answer: "))).toBe(true);
    expect(out).toMatch(/^nmsg: [1-9]\d* answer records$/m);
    expect(out).toContain("mtbl: 100 keys under key09\n");
    const objects = lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { rrname: string; rrtype: string; rdata: string });
    expect(objects.map((o) => `${o.rrname} IN ${o.rrtype} ${o.rdata}`)).toEqual(lookup039);
    expect(out).toContain(`client: ${lookup039.length} records, succeeded\n`);
  });

  it("a tool's binary runs from node_modules/.bin", () => {
    const r = spawnSync(join(project, "node_modules/.bin/dnstable-lookup"), ["rrset", "www.example.test"], {
      cwd: project,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, DNSTABLE_FNAME: dnstableFile },
    });
    expect(r.stdout).toBe(readFileSync(vectorPath("lookup/001.out.txt"), "utf8"));
    expect(r.status).toBe(0);
  });

  it.each(readmesWithUsage())("%s: the README's Usage example runs as it says", (readme) => {
    const text = readFileSync(join(repoRoot, readme), "utf8");
    const usage = text.slice(text.indexOf("\n## Usage\n"));
    const block = /^```(js|sh)\n([\s\S]*?)^```$/m.exec(usage);
    expect(block, `${readme}: a js or sh block under ## Usage`).not.toBeNull();
    const [, lang, code] = block as RegExpExecArray;
    // a directory of the scratch project holding the files the examples name
    const dir = mkdtempSync(join(project, "readme-"));
    for (const [name, vector] of Object.entries(EXAMPLE_FILES)) copyFileSync(vectorPath(vector), join(dir, name));
    if (lang === "js") {
      writeFileSync(join(dir, "example.mjs"), code as string);
      const out = run(process.execPath, ["example.mjs"], dir, 120_000);
      const printed = /^It prints:\n\n```text\n([\s\S]*?)^```$/m.exec(usage)?.[1];
      expect(printed, `${readme}: the output under "It prints:"`).toBeDefined();
      // a last line "…" stands for the rest of a long output
      if ((printed as string).endsWith("\n…\n")) expect(out.startsWith((printed as string).slice(0, -2))).toBe(true);
      else expect(out).toBe(printed);
    } else {
      const out = run("bash", ["-e", "-o", "pipefail", "-c", code as string], dir, 300_000, {
        PATH: `${join(project, "node_modules", ".bin")}:${process.env.PATH}`,
      });
      expect(out.length).toBeGreaterThan(0);
    }
  });

  it("the native addons: built by the install scripts, or the fallback line says why", () => {
    const addons: [string, string][] = [
      ["@dnsrep/util", "build/Release/crc32c.node"],
      ["@dnsrep/mtbl", "build/Release/zlib.node"],
    ];
    for (const [name, file] of addons) {
      const built = existsSync(join(project, "node_modules", name, file));
      if (!built) {
        // native/build.mjs's one line says so, and why; the consumers above ran on the portable code
        const line = installLog.split("\n").find((l) => l.startsWith(`${name}: the optional `));
        expect(line, `${name}: no fallback line in npm's output`).toMatch(
          / was not built: .+; .+ \(node-gyp's output: build\/node-gyp\.log\)$/,
        );
        console.warn(`packaging test: ${line}`);
      }
      if (process.env.CI) expect(built, `${name}/${file} (CI has what the build needs)`).toBe(true);
    }
  });
});
