/**
 * Cross-checks with Debian's mtbl-bin (libmtbl 1.3.0), an independent
 * implementation: files we write with every codec pass its mtbl_verify and dump
 * identically with its mtbl_dump; files its mtbl_merge writes are read by ours.
 * Skipped (with the reason) where the binaries are not installed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { type CompressionName, Writer } from "@dnsrep/mtbl";
import { afterAll, describe, expect, it } from "vitest";
import { LEVEL_CASES, levelError } from "../../../test/compression-levels.js";
import { signalMergeInputs } from "../../../test/signal-merge.js";
import { mtblDump, mtblMerge, mtblVerify } from "../src/index.js";

const have = (b: string): boolean => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0;
const debian = have("mtbl_verify") && have("mtbl_dump") && have("mtbl_merge");
// on CI the cross-checks are required: a missing mtbl-bin fails them instead of skipping them
const skip = !debian && !process.env.CI;
if (skip) console.warn("debian.test: mtbl-bin is not installed (apt-get install mtbl-bin); skipping libmtbl cross-checks");
const dir = mkdtempSync(join(tmpdir(), "mtbl-debian-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeEntries(n: number, seed: number): [Uint8Array, Uint8Array][] {
  const enc = new TextEncoder();
  const out: [Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    const name = `${(i * 7919 + seed).toString(36)}.example${i % 13}.test`;
    out.push([
      enc.encode(`\u0000${name.split(".").reverse().join(".")}\u0001${i.toString().padStart(8, "0")}`),
      enc.encode(`v${seed}-${i}`.repeat(1 + (i % 5))),
    ]);
  }
  out.sort((a, b) => Buffer.compare(a[0], b[0]));
  return out;
}

async function ours(fn: typeof mtblDump, argv: string[]): Promise<{ rc: number; out: string }> {
  const io = memoryIo();
  const rc = await fn(argv, io);
  return { rc, out: io.out() };
}

describe.skipIf(skip)("Debian libmtbl reads what we write", () => {
  const codecs: CompressionName[] = ["none", "snappy", "zlib", "lz4", "lz4hc", "zstd"];
  for (const c of codecs) {
    it(`codec ${c}`, async () => {
      const path = join(dir, `ours.${c}.mtbl`);
      const w = Writer.create(path, { compression: c, blockSize: 2048 });
      for (const [k, v] of makeEntries(3000, 1)) w.add(k, v);
      w.close();
      expect(execFileSync("mtbl_verify", [path]).toString()).toBe(`${path}: OK\n`);
      const theirs = execFileSync("mtbl_dump", [path], { maxBuffer: 1 << 28 }).toString("latin1");
      const mine = await ours(mtblDump, [path]);
      expect(mine.rc).toBe(0);
      expect(mine.out).toBe(theirs);
    });
  }
});

describe.skipIf(skip || (!have("cc") && !process.env.CI))("we read what Debian's mtbl_merge writes", () => {
  it("merge with a C merge function (first value wins)", async () => {
    const src = join(dir, "first.c");
    writeFileSync(
      src,
      `#include <stdint.h>
#include <stdlib.h>
#include <string.h>
void *first_init(void) { return NULL; }
void first_free(void *c) { (void) c; }
void first_func(void *clos, const uint8_t *key, size_t len_key, const uint8_t *v0, size_t l0,
                const uint8_t *v1, size_t l1, uint8_t **out, size_t *len_out) {
  (void) clos; (void) key; (void) len_key; (void) v1; (void) l1;
  *out = malloc(l0 ? l0 : 1); memcpy(*out, v0, l0); *len_out = l0;
}
`,
    );
    const so = join(dir, "first.so");
    execFileSync("cc", ["-shared", "-fPIC", "-o", so, src]);
    const a = join(dir, "in.a.mtbl");
    const b = join(dir, "in.b.mtbl");
    for (const [p, seed] of [
      [a, 1],
      [b, 2],
    ] as const) {
      const w = Writer.create(p, { compression: "zlib" });
      for (const [k, v] of makeEntries(2000, seed)) w.add(k, v);
      w.close();
    }
    for (const c of ["zlib", "snappy", "none"]) {
      const out = join(dir, `debian.merged.${c}.mtbl`);
      execFileSync("mtbl_merge", ["-c", c, a, b, out], {
        env: { ...process.env, MTBL_MERGE_DSO: so, MTBL_MERGE_FUNC_PREFIX: "first" },
        stdio: "ignore",
      });
      const theirs = execFileSync("mtbl_dump", [out], { maxBuffer: 1 << 28 }).toString("latin1");
      const mine = await ours(mtblDump, [out]);
      expect(mine.out).toBe(theirs);
      expect((await ours(mtblVerify, [out])).rc).toBe(0);
      // and our merge of the same inputs dumps the same
      const ourOut = join(dir, `ours.merged.${c}.mtbl`);
      const io = memoryIo();
      expect(await mtblMerge(["-q", "--merge", "first", "-c", c, a, b, ourOut], io)).toBe(0);
      expect((await ours(mtblDump, [ourOut])).out).toBe(theirs);
    }
  });
});

/** a valid mtbl file of one entry in the test directory */
function oneEntryFile(name: string): string {
  const path = join(dir, name);
  const w = Writer.create(path, {});
  w.add(new Uint8Array([1]), new Uint8Array([2]));
  w.close();
  return path;
}

describe("tool exit codes on bad input", () => {
  it("missing file → 1, corrupt file → 1 with one line, bad flag → 2", async () => {
    let io = memoryIo();
    const { runCommand } = await import("@dnsrep/cli");
    expect(await runCommand("mtbl-dump", mtblDump, [join(dir, "missing.mtbl")], io)).toBe(1);
    expect(io.err().trim().split("\n")).toHaveLength(1);
    const junk = join(dir, "junk.mtbl");
    writeFileSync(junk, Buffer.alloc(600, 7));
    io = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, [junk], io)).toBe(1);
    expect(io.err()).toMatch(/^mtbl-dump: .*bad magic/);
    io = memoryIo();
    expect(await runCommand("mtbl-verify", mtblVerify, [junk], io)).toBe(1);
    expect(io.out()).toBe(`${junk}: FAILED\n`);
    io = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, ["--bogus", junk], io)).toBe(2);
    io = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, ["-k", "zz", junk], io)).toBe(2);
    io = memoryIo();
    expect(await runCommand("mtbl-merge", mtblMerge, ["-c", "brotli", junk, join(dir, "o.mtbl")], io)).toBe(2);
    expect(existsSync(join(dir, "o.mtbl"))).toBe(false);
    io = memoryIo();
    expect(await runCommand("mtbl-merge", mtblMerge, ["-q", junk, join(dir, "o2.mtbl")], io)).toBe(1);
    expect(existsSync(join(dir, "o2.mtbl"))).toBe(false);
  });
  it("mtbl-verify reports a directory or unreadable input as FAILED and goes on to the next file", async () => {
    const { runCommand } = await import("@dnsrep/cli");
    const good = oneEntryFile("verify-good.mtbl");
    const sub = join(dir, "a-directory");
    mkdirSync(sub, { recursive: true });
    const io = memoryIo();
    expect(await runCommand("mtbl-verify", mtblVerify, [good, sub, good], io)).toBe(1);
    expect(io.out()).toBe(`${good}: OK\n${sub}: FAILED\n${good}: OK\n`);
    expect(io.err()).toContain(`${sub}: Error: ${sub}: EISDIR`);
  });
  it("a data block with a bad CRC32C is an error naming the file in mtbl-dump and mtbl-merge (libmtbl does not check)", async () => {
    const { runCommand } = await import("@dnsrep/cli");
    const good = oneEntryFile("crc-good.mtbl");
    const bad = join(dir, "crc-bad.mtbl");
    const bytes = readFileSync(good);
    bytes[12] = (bytes[12] as number) ^ 0x55; // inside the first data block's contents
    writeFileSync(bad, bytes);
    let io = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, [bad], io)).toBe(1);
    expect(io.err()).toBe(`mtbl-dump: ${bad}: block at offset 0 has a bad CRC32C\n`);
    io = memoryIo();
    const out = join(dir, "crc-merged.mtbl");
    expect(await runCommand("mtbl-merge", mtblMerge, ["-q", "--merge", "concat", good, bad, out], io)).toBe(1);
    expect(io.err()).toBe(`mtbl-merge: ${bad}: block at offset 0 has a bad CRC32C\n`);
    expect(existsSync(out)).toBe(false);
  });
  it("mtbl-dump prints every entry before a damaged block, then the error (exit 1)", async () => {
    const { runCommand } = await import("@dnsrep/cli");
    const path = join(dir, "dump-late-damage.mtbl");
    const w = Writer.create(path, { compression: "none", blockSize: 1024 });
    const enc = new TextEncoder();
    const n = 5000;
    for (let i = 0; i < n; i++) w.add(enc.encode(`k${String(i).padStart(6, "0")}`), enc.encode(`"v\x01${i}`));
    w.close();
    const sound = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, [path], sound)).toBe(0);
    const lines = sound.out().split("\n").slice(0, -1);
    expect(lines).toHaveLength(n);
    expect(lines[7]).toBe('"k000007" "\\"v\\x017"');
    // flip a byte in the last data block's contents: the lines of the blocks before it all come out
    const bytes = readFileSync(path);
    const trailerIndexOffset = Number(bytes.readBigUInt64LE(bytes.length - 512));
    bytes[trailerIndexOffset - 20] = (bytes[trailerIndexOffset - 20] as number) ^ 0x40;
    writeFileSync(path, bytes);
    const io = memoryIo();
    expect(await runCommand("mtbl-dump", mtblDump, [path], io)).toBe(1);
    expect(io.err()).toMatch(/^mtbl-dump: .*bad CRC32C\n$/);
    const printed = io.out().split("\n").slice(0, -1);
    expect(printed.length).toBeGreaterThan(n - 100);
    expect(printed.length).toBeLessThan(n);
    expect(printed).toEqual(lines.slice(0, printed.length));
  });
  it("a signal stops a merge: exit 1, the old output kept, no temporary file", async () => {
    const { runCommand } = await import("@dnsrep/cli");
    const inputs = signalMergeInputs(dir);
    const out = join(dir, "signal-out.mtbl");
    writeFileSync(out, "old");
    const io = memoryIo();
    io.signal = AbortSignal.abort();
    expect(await runCommand("mtbl-merge", mtblMerge, ["-q", ...inputs, out], io)).toBe(1);
    expect(io.err()).toBe("mtbl-merge: interrupted by a signal: output not written\n");
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(dir).filter((f) => f.includes("signal-out") && f !== "signal-out.mtbl")).toEqual([]);
  });
  it("a compression level outside the codec's range is a usage error (it was clamped)", async () => {
    const { runCommand } = await import("@dnsrep/cli");
    const good = oneEntryFile("level-in.mtbl");
    for (const [c, l, code] of LEVEL_CASES) {
      const io = memoryIo();
      const out = join(dir, `level-${c}-${l}.mtbl`);
      expect(await runCommand("mtbl-merge", mtblMerge, ["-q", "-c", c, "-l", l, good, out], io)).toBe(code);
      expect(existsSync(out)).toBe(code === 0);
      if (code === 2) expect(io.err()).toMatch(levelError("mtbl-merge", c));
    }
  });
});
