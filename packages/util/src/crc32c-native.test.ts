import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Crc32c, crc32c, crc32cPortable } from "./crc32c.js";
import { nativeCrc32c } from "./crc32c-native.js";

const hw = process.arch === "x64" && process.env.DNSREP_CRC32C !== "portable";

describe("native crc32c", () => {
  // setup.sh builds the addon; on CI an x86-64 machine must have it, or the fast path is silently gone
  it.runIf(process.env.CI && hw)("is built and loaded on CI", () => {
    expect(nativeCrc32c()).not.toBeNull();
  });

  describe.runIf(nativeCrc32c() !== null)("against the table code", () => {
    const n = nativeCrc32c() as NonNullable<ReturnType<typeof nativeCrc32c>>;
    it("single buffers, every length up to 300 and random ones", () => {
      const buf = new Uint8Array(300).map((_, i) => (i * 151 + 7) & 255);
      for (let len = 0; len <= 300; len++) expect((n.crc(buf, 0, len, 0xffffffff) ^ 0xffffffff) >>> 0).toBe(crc32cPortable(buf, 0, len));
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(), fc.nat(), (b, x, y) => {
          const s = b.length ? x % (b.length + 1) : 0;
          const e = s + (b.length - s ? y % (b.length - s + 1) : 0);
          expect(crc32c(b, s, e)).toBe(crc32cPortable(b, s, e));
        }),
      );
      expect(crc32c(new TextEncoder().encode("123456789".repeat(10)))).toBe(
        crc32cPortable(new TextEncoder().encode("123456789".repeat(10))),
      );
    });

    it("incremental state carries across native and table steps", () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 6 }), (b, cuts) => {
          const c = new Crc32c();
          let at = 0;
          for (const k of cuts.map((x) => x % (b.length + 1)).sort((p, q) => p - q)) {
            c.update(b, at, k);
            at = k;
          }
          expect(c.update(b, at).digest()).toBe(crc32cPortable(b));
        }),
      );
    });

    it("ranges: many ranges of one buffer, in threes and singly", () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 1, maxLength: 4000 }),
          fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
          (b, rs) => {
            const list = new Int32Array(2 * rs.length);
            rs.forEach(([x, y], i) => {
              list[2 * i] = x % b.length;
              list[2 * i + 1] = y % (b.length - (list[2 * i] as number) + 1);
            });
            const out = new Uint32Array(rs.length);
            const from = rs.length ? 1 % (rs.length + 1) : 0;
            n.ranges(b, list, from, rs.length, out);
            for (let i = from; i < rs.length; i++) {
              const s = list[2 * i] as number;
              expect(out[i]).toBe(crc32cPortable(b, s, s + (list[2 * i + 1] as number)));
            }
            if (from > 0) expect(out[0]).toBe(0);
          },
        ),
      );
    });

    it("a view's offset is honoured (a pooled Buffer)", () => {
      const big = Buffer.from("xxxxhello world, hello crc32c, a view into a larger pool of bytesyyyy");
      const view = big.subarray(4, big.length - 4);
      expect(crc32c(view)).toBe(crc32cPortable(Uint8Array.from(view)));
    });

    it("refuses what lies outside its arrays instead of reading it", () => {
      const b = new Uint8Array(100);
      expect(() => n.crc(b, 0, 101, 0)).toThrow(RangeError);
      expect(() => n.crc(b, 50, 40, 0)).toThrow(RangeError);
      expect(() => n.crc(b, -1, 10, 0)).toThrow(RangeError);
      expect(() => n.crc(new Uint16Array(4) as unknown as Uint8Array, 0, 1, 0)).toThrow(RangeError);
      const out = new Uint32Array(2);
      expect(() => n.ranges(b, Int32Array.of(90, 11), 0, 1, out)).toThrow(RangeError);
      expect(() => n.ranges(b, Int32Array.of(-1, 1), 0, 1, out)).toThrow(RangeError);
      expect(() => n.ranges(b, Int32Array.of(0, 1), 0, 2, out)).toThrow(RangeError);
      expect(() => n.ranges(b, Int32Array.of(0, 1, 0, 1, 0, 1), 0, 3, out)).toThrow(RangeError);
      expect(() => n.ranges(b, Int32Array.of(0, 1), 1, 0, out)).toThrow(RangeError);
    });
  });
});
