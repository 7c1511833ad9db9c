/**
 * A damaged data block, as each dnstable tool reports it: one line naming the file, in the words
 * the mtbl tools use ("bad CRC32C" when the block's bytes changed; the codec's complaint, still
 * naming the file, when the CRC32C matches damaged data), exit 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo, type RunFn, runCommand } from "@dnsrep/cli";
import { crc32c, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { run as dump } from "../src/dnstable-dump.js";
import { run as lookup } from "../src/dnstable-lookup.js";
import { run as merge } from "../src/dnstable-merge.js";

const dir = mkdtempSync(join(tmpdir(), "dnstable-damage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** dns.dnssec.mtbl (zlib, one data block at offset 0) with a byte of that block's data flipped; `keepCrc` rewrites its CRC32C to match. */
function damaged(name: string, keepCrc: boolean): string {
  const b = Buffer.from(readFileSync(vectorPath("dnstable/dns.dnssec.mtbl")));
  const c: VarintCursor = { value: 0, pos: 0 };
  decodeVarint64(b, 0, 10, c);
  const data = c.pos + 4;
  b[data + 100]! ^= 0x55;
  if (keepCrc) b.writeUInt32LE(crc32c(b.subarray(data, data + c.value)), c.pos);
  const f = join(dir, name);
  writeFileSync(f, b);
  return f;
}

async function tool(prog: string, run: RunFn, argv: string[], env: Record<string, string> = {}): Promise<{ rc: number; err: string }> {
  const io = memoryIo("", env);
  const rc = await runCommand(prog, run, argv, io);
  return { rc, err: io.err() };
}

describe("a damaged data block", () => {
  const crcBad = damaged("crc.mtbl", false);
  const zlibBad = damaged("zlib.mtbl", true);
  const out = join(dir, "out.mtbl");

  it("bad CRC32C: dnstable-dump, dnstable-merge and dnstable-lookup say so in the same words, naming the file", async () => {
    const line = `${crcBad}: block at offset 0 has a bad CRC32C\n`;
    expect(await tool("dnstable-dump", dump, ["-r", crcBad])).toEqual({ rc: 1, err: `dnstable-dump: ${line}` });
    expect(await tool("dnstable-merge", merge, ["-q", crcBad, out])).toEqual({ rc: 1, err: `dnstable-merge: ${line}` });
    expect(await tool("dnstable-lookup", lookup, ["rrset", "*.test"], { DNSTABLE_FNAME: crcBad })).toMatchObject({
      rc: 1,
      err: expect.stringContaining(`dnstable-lookup: ${line}`),
    });
  });

  it("damaged data under a matching CRC32C: dnstable-merge names the input among several", async () => {
    const good = vectorPath("dnstable/dns.dnssec.none.mtbl");
    const r = await tool("dnstable-merge", merge, ["-q", good, zlibBad, out]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`^dnstable-merge: ${zlibBad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: zlib block failed to decompress: [^\n]+\n$`),
    );
  });
});
