/**
 * verifyDataBlocks, the mtbl_verify block walk: every block's CRC32C in file order without
 * decompressing. Chunk sizes small enough that headers and contents straddle reads; damaged
 * files give mtbl_verify's message for the first bad block — compared with Debian's mtbl_verify
 * (libmtbl, an independent implementation) where it is installed (required on CI).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { type CompressionName, Reader, verifyDataBlocks, Writer } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-verify-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const haveDebian = spawnSync("sh", ["-c", "command -v mtbl_verify"]).status === 0;
if (!haveDebian && process.env.CI) throw new Error("mtbl_verify (Debian mtbl-bin) is required on CI");

let n = 0;
function writeFile(count: number, compression: CompressionName, blockSize: number): string {
  const path = join(dir, `f${n++}.mtbl`);
  const w = Writer.create(path, { compression, blockSize });
  const enc = new TextEncoder();
  for (let i = 0; i < count; i++) w.add(enc.encode(`key-${i.toString().padStart(7, "0")}`), enc.encode(`value ${i} `.repeat(1 + (i % 7))));
  w.close();
  return path;
}

function walk(path: string, chunkSize?: number): string | null {
  const r = Reader.open(path, { verifyChecksums: true });
  try {
    return verifyDataBlocks(path, r.metadata, chunkSize === undefined ? {} : { chunkSize });
  } finally {
    r.close();
  }
}

/** Offsets [start, end) of each data block's stored contents, walked from the trailer. */
function blockContents(path: string): [number, number][] {
  const b = readFileSync(path);
  const r = Reader.open(path);
  const m = r.metadata;
  r.close();
  const out: [number, number][] = [];
  let off = m.indexBlockOffset - m.bytesDataBlocks;
  for (let i = 0; i < m.countDataBlocks; i++) {
    let len = 0;
    let shift = 0;
    let p = off;
    for (;;) {
      const c = b[p++] as number;
      len += (c & 0x7f) * 2 ** shift;
      shift += 7;
      if (c < 0x80) break;
    }
    out.push([p + 4, p + 4 + len]);
    off = p + 4 + len;
  }
  return out;
}

describe("verifyDataBlocks", () => {
  for (const c of ["none", "zlib", "zstd"] as const) {
    it(`passes a sound ${c} file read in chunks of any size`, () => {
      const path = writeFile(3000, c, 1024);
      for (const chunk of [14, 15, 100, 1023, 4096, undefined]) expect(walk(path, chunk)).toBeNull();
    });
  }

  it("passes the vector files (V1 and V2, every codec)", () => {
    for (const f of ["dnstable/dns.none.mtbl", "dnstable/dns.mtbl", "dnstable/dns.lz4.mtbl", "dnstable/dns.dnssec.zstd.mtbl"]) {
      expect(walk(vectorPath(f), 50)).toBeNull();
    }
  });

  it("an empty file has no blocks to check", () => {
    const path = writeFile(0, "none", 1024);
    expect(walk(path)).toBeNull();
  });

  it("names the first damaged block and its offset, as mtbl_verify does", () => {
    const path = writeFile(2000, "zlib", 512);
    const blocks = blockContents(path);
    expect(blocks.length).toBeGreaterThan(5);
    const orig = readFileSync(path);
    for (const which of [0, 3, blocks.length - 1]) {
      const bad = Buffer.from(orig);
      const [s, e] = blocks[which] as [number, number];
      bad.writeUInt8((bad.readUInt8((s + e) >> 1) ^ 0x40) & 0xff, (s + e) >> 1);
      const p = join(dir, `bad${which}.mtbl`);
      writeFileSync(p, bad);
      const why = walk(p, 300);
      expect(why).toMatch(
        new RegExp(`^block_crc \\([0-9a-f]{8}\\) != calc_crc \\([0-9a-f]{8}\\) at data block ${which + 1} \\(\\d+ bytes into file\\)$`),
      );
      if (haveDebian) {
        const theirs = spawnSync("mtbl_verify", [p], { encoding: "latin1" });
        expect(theirs.status).toBe(1);
        expect(theirs.stderr.split("\n")[0]).toBe(`${p}: Error: ${why}`);
      }
    }
  });

  it("a block length past the data is reported, not read", () => {
    const path = writeFile(500, "none", 512);
    const bad = Buffer.from(readFileSync(path));
    const [s] = blockContents(path)[1] as [number, number];
    // the second block's length varint sits just before its CRC: make it claim far more
    let p = s - 5;
    while (p > 0 && (bad[p - 1] as number) >= 0x80) p--;
    bad[p] = 0xff;
    bad[p + 1] = 0xff;
    const q = join(dir, "long.mtbl");
    writeFileSync(q, bad);
    expect(walk(q, 64)).toMatch(/^Block length \(\d+ bytes\) exceeds total data length at data block 2 /);
  });

  it("a single bit flipped anywhere in the data region is always caught", () => {
    const path = writeFile(400, "none", 256);
    const orig = readFileSync(path);
    const r = Reader.open(path);
    const end = r.metadata.indexBlockOffset;
    r.close();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: end - 1 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 14, max: 5000 }),
        (pos, bit, chunk) => {
          const bad = Buffer.from(orig);
          bad.writeUInt8(bad.readUInt8(pos) ^ (1 << bit), pos);
          const p = join(dir, "flip.mtbl");
          writeFileSync(p, bad);
          // a flip in the data region always breaks a CRC or a length: never passes, never throws
          expect(walk(p, chunk)).not.toBeNull();
        },
      ),
      { numRuns: 150 },
    );
  });
});
