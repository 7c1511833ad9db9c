/** mtbl-verify's options beyond mtbl_verify's walk: -p progress lines and --deep. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryIo } from "@dnsrep/cli";
import { METADATA_SIZE, Writer } from "@dnsrep/mtbl";
import { afterAll, describe, expect, it } from "vitest";
import { mtblVerify } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-verify-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sound(name: string, count: number): string {
  const path = join(dir, name);
  const w = Writer.create(path, { compression: "zlib", blockSize: 256 });
  const enc = new TextEncoder();
  for (let i = 0; i < count; i++) w.add(enc.encode(`k${i.toString().padStart(6, "0")}`), enc.encode(`value ${i}`));
  w.close();
  return path;
}

describe("mtbl-verify", () => {
  it("-p prints mtbl_verify's progress line after the last block", async () => {
    const path = sound("p.mtbl", 2000);
    const io = memoryIo();
    expect(await mtblVerify(["-p", path], io)).toBe(0);
    const lines = io.out().split("\n").filter(Boolean);
    expect(lines.at(-1)).toBe(`${path}: OK`);
    expect(lines.at(-2)).toMatch(new RegExp(`^${path}: (\\d+) out of \\1 blocks \\(100\\.00%\\) OK$`));
  });

  it("--deep also counts the entries: a trailer that lies about them passes the block walk but not --deep", async () => {
    const path = sound("lies.mtbl", 500);
    const b = Buffer.from(readFileSync(path));
    // countEntries is the trailer's fourth u64 (offset 24)
    const at = b.length - METADATA_SIZE + 24;
    b.writeUInt32LE(b.readUInt32LE(at) + 1, at);
    writeFileSync(path, b);
    const plain = memoryIo();
    expect(await mtblVerify([path], plain)).toBe(0);
    expect(plain.out()).toBe(`${path}: OK\n`);
    const deep = memoryIo();
    expect(await mtblVerify(["--deep", path], deep)).toBe(1);
    expect(deep.out()).toBe(`${path}: FAILED\n`);
    expect(deep.err()).toContain("read 500 of 501 expected entries");
  });
});
