/**
 * The install scripts of @dnsrep/util and @dnsrep/mtbl (native/build.mjs, native/install.mjs):
 * a failed node-gyp build never fails the install, and the one line it prints names the cause
 * found in node-gyp's output, not always libdeflate-dev. node-gyp is replaced by a script that
 * prints what a real failure prints (the Node header download error is one captured on this
 * project's machine without npm_config_nodedir).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./run-tool.js";

const HEADER_DOWNLOAD = `gyp WARN install got an error, rolling back install
gyp ERR! configure error
gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and
gyp ERR! stack is related to network connectivity. In most cases you are behind a proxy or have bad
gyp ERR! stack network settings.
gyp ERR! not ok
`;

const CASES: [string, string, RegExp][] = [
  [
    "no libdeflate header",
    "../native/zlib.c:10:10: fatal error: libdeflate.h: No such file or directory\n",
    /the header libdeflate\.h is missing \(Debian: libdeflate-dev\)/,
  ],
  [
    "no libdeflate library",
    "/usr/bin/ld: cannot find -ldeflate: No such file or directory\n",
    /the linker cannot find libdeflate \(Debian: libdeflate-dev\)/,
  ],
  ["no Node headers", HEADER_DOWNLOAD, /Node's C headers were not found and could not be downloaded \(set npm_config_nodedir/],
  ["no make", "gyp ERR! build error\ngyp ERR! stack Error: not found: make\n", /make is not installed \(Debian: build-essential\)/],
  [
    "no compiler",
    "make: cc: No such file or directory\nmake: *** [crc32c.target.mk:110: Release/obj.target/crc32c/native/crc32c.o] Error 127\n",
    /no C\/C\+\+ compiler is installed/,
  ],
  ["no Python", "gyp ERR! find Python Python is not set from command line or npm configuration\n", /node-gyp needs Python 3/],
  [
    "something else",
    "gyp ERR! stack Error: `make` failed with exit code: 2\n",
    /node-gyp failed: gyp ERR! stack Error: `make` failed with exit code: 2/,
  ],
];

let dir = "";
let fakeBin = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dnsrep-native-"));
  fakeBin = join(dir, "bin");
  const gyp = join(fakeBin, "node-gyp");
  mkdirSync(fakeBin);
  writeFileSync(gyp, '#!/bin/sh\nprintf "%s" "$FAKE_GYP_OUTPUT" >&2\nexit $FAKE_GYP_STATUS\n');
  chmodSync(gyp, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run an install script in a scratch package directory named `name`, with the fake node-gyp first on PATH. */
function install(name: string, script: string[], output: string, status = 1): { status: number | null; stderr: string; log: string } {
  const pkg = mkdtempSync(join(dir, "pkg-"));
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name }));
  const r = spawnSync(process.execPath, script, {
    cwd: pkg,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, FAKE_GYP_OUTPUT: output, FAKE_GYP_STATUS: String(status) },
  });
  return { status: r.status, stderr: r.stderr, log: readFileSync(join(pkg, "build", "node-gyp.log"), "utf8") };
}

const mtblInstall = [join(repoRoot, "packages/mtbl/native/install.mjs")];
const utilInstall = [join(repoRoot, "packages/util/native/build.mjs"), "native CRC32C (SSE4.2)", "CRC32C runs in portable code"];

describe("native install scripts", () => {
  it.each(CASES)("%s: exit 0, one line naming the cause, node-gyp's output kept", (_, output, cause) => {
    const r = install("@dnsrep/mtbl", mtblInstall, output);
    expect(r.status).toBe(0);
    expect(r.stderr.split("\n")).toHaveLength(2);
    expect(r.stderr).toMatch(/^@dnsrep\/mtbl: the optional libdeflate binding for zlib blocks was not built: /);
    expect(r.stderr).toMatch(cause);
    expect(r.stderr).toMatch(/; zlib blocks are compressed and read with node:zlib .*\(node-gyp's output: build\/node-gyp\.log\)\n$/);
    expect(r.log).toBe(output);
  });

  it("util's names its own addon and fallback, and blames libdeflate only when libdeflate is the cause", () => {
    for (const [, output, cause] of CASES) {
      const r = install("@dnsrep/util", utilInstall, output);
      expect(r.status).toBe(0);
      expect(r.stderr).toMatch(
        /^@dnsrep\/util: the optional native CRC32C \(SSE4\.2\) was not built: .*; CRC32C runs in portable code \(node-gyp/,
      );
      expect(r.stderr).toMatch(cause);
      expect(r.stderr.includes("libdeflate")).toBe(output.includes("deflate"));
    }
  });

  it("a build that succeeds prints nothing", () => {
    const r = install("@dnsrep/mtbl", mtblInstall, "", 0);
    expect(r).toEqual({ status: 0, stderr: "", log: "" });
  });
});
