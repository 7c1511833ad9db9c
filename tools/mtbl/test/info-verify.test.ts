/** mtbl-info reads the trailer and index only; --verify also checks every data block (issue 29). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { run } from "../src/mtbl-info.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-info-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function info(argv: string[]): Promise<{ rc: number; out: string; err: string }> {
  const io = memoryIo();
  const rc = await runCommand("mtbl-info", run, argv, io);
  return { rc, out: io.out(), err: io.err() };
}

describe("mtbl-info --verify", () => {
  // 9 data blocks of 1 KiB, uncompressed: a byte of the fifth flipped (before the index at 7777)
  const good = vectorPath("dnstable/dns.dnssec.none.b1024.mtbl");
  const bad = join(dir, "damaged.mtbl");
  const b = Buffer.from(readFileSync(good));
  b[4500]! ^= 0x20;
  writeFileSync(bad, b);

  it("without it, a file with a damaged data block is described and passes (only the trailer and index are read, as mtbl_info)", async () => {
    const r = await info([bad]);
    expect(r.rc).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("data block count       9\n");
  });

  it("with it, the damaged file is named with the block, after its description; the other files are still described (exit 1)", async () => {
    const r = await info(["--verify", bad, good]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`^mtbl-info: ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: block at offset \\d+ has a bad CRC32C\\n$`),
    );
    const plain = await info([bad, good]);
    expect(r.out).toBe(plain.out);
  });

  it("with it, sound files pass with the same output (exit 0)", async () => {
    const files = [good, vectorPath("dnstable/dns.dnssec.mtbl"), vectorPath("dnstable/dns.dnssec.lz4.mtbl")];
    const r = await info(["--verify", ...files]);
    expect(r).toEqual({ rc: 0, out: (await info(files)).out, err: "" });
  });
});
