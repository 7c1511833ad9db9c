import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32cPortable as crc32cJs } from "./crc32c.js";
import { crc32cSmall as crcAny, crc32cRanges as rangesAny, wasmCrc32c, wasmCrc32cRanges } from "./crc32c-wasm.js";

// what the codec uses (native where built) and the WebAssembly path on its own, against the table code
describe.each([
  ["payload crc32c (native where built)", crcAny, rangesAny],
  ["wasm crc32c", wasmCrc32c, wasmCrc32cRanges],
])("%s", (_name, crc32c, crc32cRanges) => {
  it("known values (RFC 3720 test vectors)", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });
  it("agrees with @dnsrep/util's crc32c at any length and offset, past its memory too", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat({ max: 7 }), (b, off) => {
        const v = new Uint8Array(new ArrayBuffer(b.length + 8), off, b.length);
        v.set(b);
        expect(crc32c(v)).toBe(crc32cJs(v));
      }),
      { numRuns: 300 },
    );
    for (const n of [57343, 57344, 57345, 200000]) {
      const big = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 255);
      expect(crc32c(big)).toBe(crc32cJs(big));
    }
  });
  it("crc32cRanges: each range of a window summed as crc32c sums it alone (three at a time, any lengths)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 400 })), { maxLength: 20 }),
        fc.nat({ max: 5 }),
        (b, rs, skip) => {
          const ranges = new Int32Array(2 * (rs.length + skip));
          let start = b.length;
          let end = 0;
          rs.forEach(([at, n], i) => {
            const s = at % b.length;
            const len = Math.min(n, b.length - s);
            ranges[2 * (i + skip)] = s;
            ranges[2 * (i + skip) + 1] = len;
            start = Math.min(start, s);
            end = Math.max(end, s + len);
          });
          const out = new Uint32Array(rs.length + skip);
          crc32cRanges(b, Math.min(start, end), end, ranges, skip, skip + rs.length, out);
          rs.forEach((_, i) => {
            const s = ranges[2 * (i + skip)] as number;
            expect(out[i + skip]).toBe(crc32cJs(b.subarray(s, s + (ranges[2 * (i + skip) + 1] as number))));
          });
        },
      ),
      { numRuns: 300 },
    );
    // a window larger than the wasm memory grows to: summed by the fallback
    const big = Uint8Array.from({ length: 20 << 20 }, (_, i) => (i * 31) & 255);
    const out = new Uint32Array(2);
    crc32cRanges(big, 0, big.length, Int32Array.from([5, 1000, 17 << 20, 3000]), 0, 2, out);
    expect([...out]).toEqual([crc32cJs(big.subarray(5, 1005)), crc32cJs(big.subarray(17 << 20, (17 << 20) + 3000))]);
  });
});
