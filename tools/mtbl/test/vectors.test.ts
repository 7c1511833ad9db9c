/**
 * Every mtbl_dump / mtbl_info / mtbl_verify / mtbl_merge command of the
 * conformance vectors (cases.jsonl) replayed through our tools in-process,
 * with byte-identical stdout and the same exit code.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { afterAll, describe, expect, it } from "vitest";
import { readVectorText, vectorCases, vectorsDir } from "../../../test/vectors.js";
import { mtblDump, mtblInfo, mtblMerge, mtblVerify } from "../src/index.js";

const tools = { mtbl_dump: mtblDump, mtbl_info: mtblInfo, mtbl_verify: mtblVerify } as const;
const cases = vectorCases().filter((c) => /^(mtbl_dump|mtbl_info|mtbl_verify) /.test(c.cmd) && c.stdout);

// Paths inside the vectors are relative to the vectors folder; run with cwd there.
async function runIn(
  fn: (a: string[], io: ReturnType<typeof memoryIo>) => Promise<number>,
  argv: string[],
): Promise<{ rc: number; out: string; err: string }> {
  const prev = process.cwd();
  process.chdir(vectorsDir);
  try {
    const io = memoryIo();
    const rc = await fn(argv, io);
    return { rc, out: io.out(), err: io.err() };
  } finally {
    process.chdir(prev);
  }
}

describe("mtbl tool vectors", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThan(50));
  for (const c of cases) {
    it(c.cmd, async () => {
      const [prog, ...argv] = c.cmd.split(/\s+/);
      const r = await runIn(tools[prog as keyof typeof tools], argv);
      expect(r.rc).toBe(c.rc);
      expect(r.out).toBe(readVectorText(c.stdout as string));
    });
  }
});

describe("mtbl-merge vectors", () => {
  const dir = mkdtempSync(join(tmpdir(), "mtbl-merge-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const merges = vectorCases().filter((c) => /mtbl_merge /.test(c.cmd));
  it("has cases", () => expect(merges.length).toBeGreaterThanOrEqual(4));
  for (const c of merges) {
    it(c.cmd, async () => {
      const argv = c.cmd.replace(/^.*mtbl_merge /, "").split(/\s+/);
      const expected = argv[argv.length - 1] as string;
      const out = join(dir, expected.replace(/\//g, "_"));
      argv[argv.length - 1] = out;
      const r = await runIn(mtblMerge, ["--merge", "concat", "--sep", "|", ...argv]);
      expect(r.rc).toBe(0);
      const ours = readFileSync(out);
      const theirs = readFileSync(join(vectorsDir, expected));
      if (argv.includes("none")) {
        // uncompressed output is byte-identical to libmtbl's
        expect(Buffer.compare(ours, theirs)).toBe(0);
      }
      const d1 = await runIn(mtblDump, [out]);
      const d2 = await runIn(mtblDump, [expected]);
      expect(d1.out).toBe(d2.out);
    });
  }
});
