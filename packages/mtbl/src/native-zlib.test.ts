import { deflateSync, inflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { Compression, compressBlock, decompressBlock } from "./compression.js";
import { isMtblError } from "./errors.js";
import { nativeZlib } from "./native-zlib.js";

describe("zlib blocks through libdeflate", () => {
  // setup.sh installs libdeflate-dev and builds the binding; on CI a missing build must not pass unnoticed
  it.runIf(process.env.CI && process.env.DNSREP_ZLIB !== "node")("is built and loaded on CI", () => {
    expect(nativeZlib()).not.toBeNull();
  });

  const blocks = fc.oneof(
    fc.uint8Array({ maxLength: 20000 }),
    // block-like data: repeated keys with small differences compress well, as real blocks do
    fc
      .array(fc.string({ maxLength: 40 }), { maxLength: 400 })
      .map((a) => new TextEncoder().encode(a.map((x, i) => `${x}${i}`).join("\u0001"))),
  );

  it("node:zlib inflates what we write, and we inflate what node:zlib writes, at every level", () => {
    fc.assert(
      fc.property(blocks, fc.integer({ min: -1, max: 9 }), (b, level) => {
        const ours = compressBlock(Compression.zlib, b, level);
        expect(ours[0]).toBe(0x78);
        expect(Buffer.from(inflateSync(ours)).equals(Buffer.from(b))).toBe(true);
        const theirs = deflateSync(b, { level: level === -1 ? 6 : level });
        expect(Buffer.from(decompressBlock(Compression.zlib, theirs, 1 << 20)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("a block larger than the scratch buffer and one larger than its cap", () => {
    for (const n of [70_000, 3 << 20]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 2654435761) >>> 27);
      expect(Buffer.from(decompressBlock(Compression.zlib, compressBlock(Compression.zlib, b, -1), 64 << 20)).equals(Buffer.from(b))).toBe(
        true,
      );
    }
  });

  it("results are copies: the next call does not change them", () => {
    const a = compressBlock(Compression.zlib, new TextEncoder().encode("a".repeat(1000)), -1);
    const keep = Uint8Array.from(a);
    compressBlock(Compression.zlib, new TextEncoder().encode("b".repeat(5000)), -1);
    expect(a).toEqual(keep);
  });

  it("a block that inflates past its room says so in the same words with libdeflate and node:zlib (not Node's Buffer text)", async () => {
    const z = compressBlock(Compression.zlib, new TextEncoder().encode("x".repeat(5000)), -1);
    const why = (decompress: typeof decompressBlock): string => {
      try {
        decompress(Compression.zlib, z, 100);
      } catch (e) {
        return (e as Error).message;
      }
      return "inflated";
    };
    const want = "zlib block failed to decompress: block inflates to more than 100 bytes";
    expect(why(decompressBlock)).toBe(want);
    const prev = process.env.DNSREP_ZLIB;
    process.env.DNSREP_ZLIB = "node";
    vi.resetModules();
    try {
      const viaNode = await import("./compression.js");
      expect(why(viaNode.decompressBlock)).toBe(want);
    } finally {
      if (prev === undefined) delete process.env.DNSREP_ZLIB;
      else process.env.DNSREP_ZLIB = prev;
      vi.resetModules();
    }
  });

  it("corrupt, truncated and oversized blocks are ERR_DECOMPRESSION; bytes after the stream are ignored, as zlib does", () => {
    const b = new TextEncoder().encode("passive dns ".repeat(500));
    const z = compressBlock(Compression.zlib, b, -1);
    const bad = (x: Uint8Array, max = 1 << 20) => {
      try {
        decompressBlock(Compression.zlib, x, max);
      } catch (e) {
        return isMtblError(e) && e.code === "ERR_DECOMPRESSION";
      }
      return false;
    };
    expect(bad(z.subarray(0, z.length - 5))).toBe(true);
    expect(Buffer.from(decompressBlock(Compression.zlib, Uint8Array.of(...z, 1, 2, 3), 1 << 20)).equals(Buffer.from(b))).toBe(true);
    expect(bad(z, 100)).toBe(true);
    expect(bad(new Uint8Array(0))).toBe(true);
    // random bit flips: an error or (rarely, where the checksum still matches) the right bytes, never a crash
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 7 }), (at, bit) => {
        const x = Uint8Array.from(z);
        x[at % x.length]! ^= 1 << bit;
        try {
          const out = decompressBlock(Compression.zlib, x, 1 << 20);
          expect(Buffer.from(out).equals(Buffer.from(b))).toBe(true);
        } catch (e) {
          expect(isMtblError(e)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  describe.runIf(nativeZlib() !== null)("the binding itself", () => {
    const n = nativeZlib() as NonNullable<ReturnType<typeof nativeZlib>>;
    it("refuses bad arguments with RangeError", () => {
      expect(() => n.compress(new Uint8Array(4), 0, new Uint8Array(100))).toThrow(RangeError);
      expect(() => n.compress(new Uint8Array(4), 13, new Uint8Array(100))).toThrow(RangeError);
      expect(() => n.compress(new Uint16Array(4) as unknown as Uint8Array, 6, new Uint8Array(100))).toThrow(RangeError);
      expect(() => n.decompress(new Uint8Array(4), "x" as unknown as Uint8Array)).toThrow(RangeError);
      expect(() => n.bound(6, -1)).toThrow(RangeError);
    });
    it("says when the output does not fit", () => {
      const b = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 255);
      expect(n.compress(b, 6, new Uint8Array(10))).toBe(0);
      const z = new Uint8Array(n.bound(6, b.length));
      const len = n.compress(b, 6, z);
      expect(n.decompress(z.subarray(0, len), new Uint8Array(4999))).toBe(-1);
      expect(n.decompress(z.subarray(0, len), new Uint8Array(5000))).toBe(5000);
    });
  });
});
