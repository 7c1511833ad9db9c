/** Damaged files: typed errors (ERR_CORRUPTION / ERR_CHECKSUM / ERR_DECOMPRESSION), never a crash or hang. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { vectorPath } from "../../../test/vectors.js";
import { Compression, decompressBlock, isMtblError, Reader, verifyFile } from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "mtbl-corrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function withBytes(b: Uint8Array): string {
  const p = join(dir, `c${n++}.mtbl`);
  writeFileSync(p, b);
  return p;
}
function readAll(path: string): number {
  const r = Reader.open(path, { verifyChecksums: true });
  try {
    let c = 0;
    const it = r.iter();
    while (it.next()) c++;
    const why = verifyFile(r);
    if (why) throw Object.assign(new Error(why), { fromVerify: true });
    return c;
  } finally {
    r.close();
  }
}
const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return isMtblError(e) ? e.code : `untyped: ${(e as Error).message}`;
  }
  return "ok";
};

const orig = new Uint8Array(readFileSync(vectorPath("dnstable/dns.none.mtbl")));
const zorig = new Uint8Array(readFileSync(vectorPath("dnstable/dns.mtbl")));

describe("corrupt mtbl files", () => {
  it("too small, bad magic, truncated trailer, bad index offset", () => {
    expect(code(() => Reader.open(withBytes(orig.subarray(0, 100))))).toBe("ERR_CORRUPTION");
    const bad = orig.slice();
    bad[bad.length - 1]! ^= 0xff;
    expect(code(() => Reader.open(withBytes(bad)))).toBe("ERR_CORRUPTION");
    expect(code(() => Reader.open(withBytes(orig.subarray(0, orig.length - 7))))).toBe("ERR_CORRUPTION");
    const idx = orig.slice();
    new DataView(idx.buffer).setUint32(idx.length - 512, 0xfffffff0, true);
    expect(code(() => Reader.open(withBytes(idx)))).toBe("ERR_CORRUPTION");
  });

  it("a flipped byte in a data block is a checksum error when verifying", () => {
    const b = orig.slice();
    b[100]! ^= 0x40;
    expect(code(() => readAll(withBytes(b)))).toBe("ERR_CHECKSUM");
  });

  it("a huge varint block length is a corruption error", () => {
    const b = orig.slice();
    b.fill(0xff, 0, 11);
    expect(code(() => readAll(withBytes(b)))).toBe("ERR_CORRUPTION");
  });

  it("a missing file is an I/O error", () => {
    expect(code(() => Reader.open(join(dir, "nope.mtbl")))).toBe("ERR_IO");
  });

  it("random bit flips never produce an untyped error or a hang", () => {
    for (const src of [orig, zorig]) {
      fc.assert(
        fc.property(fc.nat(src.length * 8 - 1), fc.nat(7), (bit, extra) => {
          const b = src.slice();
          b[bit >> 3]! ^= 1 << (bit & 7);
          if (extra) b[(bit * 31 + extra) % b.length]! ^= extra;
          const p = withBytes(b);
          let result: string;
          try {
            readAll(p);
            result = "ok";
          } catch (e) {
            result = isMtblError(e) || (e as { fromVerify?: boolean }).fromVerify ? "typed" : `untyped: ${(e as Error).stack}`;
          }
          expect(result).not.toMatch(/^untyped/);
        }),
        { numRuns: 150 },
      );
    }
  });

  it("random garbage files are rejected with a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), (b) => {
        const c = code(() => readAll(withBytes(b)));
        expect(c).not.toMatch(/^untyped/);
      }),
      { numRuns: 100 },
    );
  });
});

describe("compressed blocks that claim more than they can hold", () => {
  const fails = (id: number, hex: string): void => {
    const before = process.memoryUsage().arrayBuffers;
    let err: unknown;
    try {
      decompressBlock(id, Buffer.from(hex, "hex"), 64 << 20);
    } catch (e) {
      err = e;
    }
    expect(isMtblError(err) && err.code).toBe("ERR_DECOMPRESSION");
    // refused before the claimed size was allocated
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  };
  it("lz4: a size beyond 255 times the block, or other than what the block holds", () => {
    fails(Compression.lz4, "0000000300"); // 48 MiB from one byte
    fails(Compression.lz4, "0a00000010aa"); // claims 10, holds 1
  });
  it("zstd: a frame whose declared content size is past the limit, or that declares none", () => {
    fails(Compression.zstd, "28b52ffda000000080010000"); // 2 GiB declared
    fails(Compression.zstd, "28b52ffd0000010000"); // no content size
  });
  it("a damaged trailer's huge data block size does not lift the limit past 1 GiB", async () => {
    // an lz4 block claiming 4 GiB - 1 in a file whose trailer says data blocks are 2^27 bytes
    const t = Buffer.alloc(512);
    [26, 2 ** 27, 3, 1, 1, 26, 21].forEach((v, i) => {
      t.writeBigUInt64LE(BigInt(v), 8 * i);
    });
    t.writeUInt32LE(0x4d54424c, 508);
    const block = Buffer.from("15ac837fe0fffffffff0000004006b30303000000000010000001046f665d60004016b303030000000000001000000", "hex");
    const f = join(dir, "huge-claim.mtbl");
    writeFileSync(f, Buffer.concat([block, t]));
    const r = Reader.open(f);
    try {
      const it = r.iter();
      expect(() => {
        while (it.next());
      }).toThrow(/lz4 block claims 4294967295 bytes/);
    } finally {
      r.close();
    }
  });
});
