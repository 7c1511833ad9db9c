/** zstd blocks: the one-call path (reused context, output of the declared size) answers as the library's decompress. */
import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Compression, compressBlock, decompressBlock, isMtblError } from "../src/index.js";

const zstd = createRequire(import.meta.url)("zstd-napi") as { decompress(b: Uint8Array): Buffer };

type Outcome = { bytes: string } | { error: string };
const ours = (b: Uint8Array): Outcome => {
  try {
    return { bytes: Buffer.from(decompressBlock(Compression.zstd, b, 1 << 20)).toString("hex") };
  } catch (e) {
    return { error: isMtblError(e) ? e.code : `untyped ${(e as Error).message}` };
  }
};
const library = (b: Uint8Array): Outcome => {
  try {
    return { bytes: zstd.decompress(b).toString("hex") };
  } catch {
    return { error: "ERR_DECOMPRESSION" };
  }
};

describe("zstd blocks", () => {
  const data = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }),
    fc.array(fc.constantFrom(0, 1, 97), { maxLength: 5000 }).map((a) => Uint8Array.from(a)),
  );

  it("decompress as the library does, including blocks of two frames", () => {
    fc.assert(
      fc.property(data, data, fc.boolean(), (a, b, two) => {
        const block = two
          ? Buffer.concat([compressBlock(Compression.zstd, a, 3), compressBlock(Compression.zstd, b, 3)])
          : compressBlock(Compression.zstd, a, 3);
        const got = ours(block);
        expect(got).toEqual(library(block));
        expect(got).toEqual({ bytes: Buffer.concat(two ? [a, b] : [a]).toString("hex") });
      }),
      { numRuns: 300 },
    );
  });

  it("a damaged block fails with ERR_DECOMPRESSION, or gives what the library gives", () => {
    fc.assert(
      fc.property(data, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (a, flips) => {
        const block = Uint8Array.from(compressBlock(Compression.zstd, a, 3));
        // the frame header's 4 magic bytes and descriptor left alone: the damage is past the declared size
        for (const [at, x] of flips) {
          const i = 6 + (at % Math.max(1, block.length - 6));
          if (i < block.length) block[i] = (block[i] as number) ^ x;
        }
        const got = ours(block);
        const want = library(block);
        if ("bytes" in want) expect(got).toEqual(want);
        else expect(got).toEqual({ error: "ERR_DECOMPRESSION" });
      }),
      { numRuns: 500 },
    );
  });
});
