import { crc32c as crc32cJs } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { crc32c } from "./crc32c-wasm.js";

describe("wasm crc32c", () => {
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
});
