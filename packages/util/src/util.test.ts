import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allocBytes,
  ByteWriter,
  bswap32,
  bytesFieldLength,
  Crc32c,
  compareBytes,
  crc32c,
  decodeVarint32,
  decodeVarint64,
  decodeVarint64Big,
  encodeVarint,
  encodeVarintBig,
  firstBinaryLine,
  fromHex,
  outputTarget,
  putVarint,
  SlabAllocator,
  toHex,
  utcDateTime,
  type VarintCursor,
  varintLength,
} from "./index.js";

describe("firstBinaryLine", () => {
  it("finds the first line with NUL, a control character or U+FFFD; tab, CR and LF are text", () => {
    expect(firstBinaryLine("a\tb\r\nc\n")).toBe(0);
    expect(firstBinaryLine("")).toBe(0);
    expect(firstBinaryLine("\u0000")).toBe(1);
    expect(firstBinaryLine("a\nb\nc\u0007d\n\u0000")).toBe(3);
    expect(firstBinaryLine("ok\n\n\ufffd")).toBe(3);
    expect(firstBinaryLine("x\u007f")).toBe(1);
    expect(firstBinaryLine("résumé ünïcode\n")).toBe(0);
  });
});

describe("utcDateTime", () => {
  const viaDate = (s: number): string => new Date(s * 1000).toISOString().replace("T", " ").slice(0, 19);
  it("agrees with Date over its range (leap days, centuries, before 1970)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253402300799 }), (s) => utcDateTime(s) === viaDate(s)),
      { numRuns: 20000 },
    );
    for (const s of [0, 86399, 951782400, 4102444800, -1, -86400 * 365]) expect(utcDateTime(s)).toBe(viaDate(s));
  });
  it("goes on past Date's last day instead of printing NaN", () => {
    expect(utcDateTime(8.64e12)).toBe("275760-09-13 00:00:00");
    expect(utcDateTime(8.64e12 + 86400 + 3661)).toBe("275760-09-14 01:01:01");
    expect(utcDateTime(2 ** 53 / 1000)).toMatch(/^287396-10-12 08:59:00$/);
  });
});

describe("crc32c", () => {
  it("matches the RFC 3720 check value", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
  });
  it("incremental equals one-shot", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(200), (buf, cut) => {
        const c = Math.min(cut, buf.length);
        expect(new Crc32c().update(buf, 0, c).update(buf, c).digest()).toBe(crc32c(buf));
      }),
    );
  });
  it("bswap32", () => {
    expect(bswap32(0x3361eff0)).toBe(0xf0ef6133);
  });
});

describe("varint", () => {
  const cur: VarintCursor = { value: 0, pos: 0 };
  it("varintLength is the encoded length at every power-of-two boundary", () => {
    const b = new Uint8Array(10);
    for (let k = 0; k <= 53; k++) {
      for (const v of [2 ** k - 1, 2 ** k, 2 ** k + 1])
        if (v <= Number.MAX_SAFE_INTEGER) expect(varintLength(v)).toBe(encodeVarint(b, 0, v));
    }
  });
  it("bytesFieldLength is a one-byte tag, the length's varint and the bytes", () => {
    const b = new Uint8Array(10);
    for (const n of [0, 1, 127, 128, 16383, 16384, 2 ** 21, 2 ** 28]) expect(bytesFieldLength(n)).toBe(1 + encodeVarint(b, 0, n) + n);
  });
  it("putVarint writes what encodeVarint writes, across the 32-bit boundaries it switches at", () => {
    const a = new Uint8Array(10);
    const b = new Uint8Array(10);
    const edges = [
      0,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 31 + 1,
      0xf0ef6133,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 35,
      Number.MAX_SAFE_INTEGER,
    ];
    for (const v of edges) {
      const n = putVarint(a, 0, v);
      expect(n).toBe(encodeVarint(b, 0, v));
      expect(toHex(a.subarray(0, n))).toBe(toHex(b.subarray(0, n)));
    }
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const n = putVarint(a, 0, v);
        expect(n).toBe(encodeVarint(b, 0, v));
        expect(toHex(a.subarray(0, n))).toBe(toHex(b.subarray(0, n)));
      }),
    );
  });
  it("round trips safe integers", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (v) => {
        const b = new Uint8Array(10);
        const n = encodeVarint(b, 0, v);
        expect(n).toBe(varintLength(v));
        decodeVarint64(b, 0, n, cur);
        expect(cur.pos).toBe(n);
        expect(cur.value).toBe(v);
        expect(decodeVarint64Big(b, 0, n)).toEqual([BigInt(v), n]);
      }),
    );
  });
  it("32-bit decoder rejects overlong and truncated input", () => {
    decodeVarint32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x10]), 0, 5, cur);
    expect(cur.pos).toBe(-1);
    decodeVarint32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), 0, 5, cur);
    expect(cur).toEqual({ value: 0xffffffff, pos: 5 });
    decodeVarint32(new Uint8Array([0x80]), 0, 1, cur);
    expect(cur.pos).toBe(-1);
    decodeVarint64(new Uint8Array(11).fill(0x80), 0, 11, cur);
    expect(cur.pos).toBe(-1);
  });
  it("64-bit bigint round trip", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (v) => {
        const b = new Uint8Array(10);
        const n = encodeVarintBig(b, 0, v);
        expect(decodeVarint64Big(b, 0, n)).toEqual([v, n]);
      }),
    );
  });
  it("random bytes never throw", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        decodeVarint32(b, 0, b.length, cur);
        decodeVarint64(b, 0, b.length, cur);
        decodeVarint64Big(b, 0, b.length);
      }),
    );
  });
});

describe("hex and bytes", () => {
  it("hex round trip", () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
      }),
    );
    expect(fromHex("zz")).toBeNull();
    expect(fromHex("abc")).toBeNull();
  });
  it("compareBytes orders like memcmp with shorter prefix first", () => {
    expect(compareBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBeLessThan(0);
    expect(compareBytes(new Uint8Array([2]), new Uint8Array([1, 9]))).toBeGreaterThan(0);
    expect(compareBytes(new Uint8Array([1]), new Uint8Array([1]))).toBe(0);
  });
  it("ByteWriter grows", () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.byte(i & 0xff);
    w.varint(300).u16le(0x1234).u32be(0xdeadbeef);
    expect(w.length).toBe(1000 + 2 + 2 + 4);
    expect(toHex(w.view().subarray(1000))).toBe("ac023412deadbeef");
  });
});

describe("outputTarget", () => {
  it("replaces regular files through symlinks, writes devices and FIFOs in place, refuses directories", () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "util-out-")));
    try {
      expect(outputTarget(join(dir, "new.bin"))).toEqual({ path: join(dir, "new.bin"), inPlace: false });
      writeFileSync(join(dir, "file.bin"), "x");
      expect(outputTarget(join(dir, "file.bin"))).toEqual({ path: join(dir, "file.bin"), inPlace: false });
      symlinkSync("file.bin", join(dir, "link.bin"));
      expect(outputTarget(join(dir, "link.bin"))).toEqual({ path: join(dir, "file.bin"), inPlace: false });
      symlinkSync("later.bin", join(dir, "dangling.bin"));
      expect(outputTarget(join(dir, "dangling.bin"))).toEqual({ path: join(dir, "later.bin"), inPlace: false });
      expect(outputTarget("/dev/null")).toEqual({ path: "/dev/null", inPlace: true });
      execFileSync("mkfifo", [join(dir, "fifo")]);
      expect(outputTarget(join(dir, "fifo"))).toEqual({ path: join(dir, "fifo"), inPlace: true });
      mkdirSync(join(dir, "sub"));
      expect(() => outputTarget(join(dir, "sub"))).toThrow(/is a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("allocBytes", () => {
  it("gives zero-filled arrays of the asked size that never share bytes, small ones from shared slabs", () => {
    const arrays = Array.from({ length: 5000 }, (_, i) => allocBytes(i % 97));
    arrays.forEach((a, i) => {
      expect(a.length).toBe(i % 97);
      expect(a.every((b) => b === 0)).toBe(true);
      a.fill((i % 255) + 1);
    });
    // every array still holds what was written into it: none overlaps another
    arrays.forEach((a, i) => {
      expect(a.every((b) => b === (i % 255) + 1)).toBe(true);
    });
    // small ones come from a few shared slabs, not a buffer each
    expect(new Set(arrays.map((a) => a.buffer)).size).toBeLessThan(10);
    const small = new SlabAllocator(1024);
    const a = small.alloc(100);
    const b = small.alloc(100);
    expect(a.buffer).toBe(b.buffer);
    expect(a.buffer.byteLength).toBe(1024);
    expect(small.alloc(200).buffer.byteLength).toBe(200); // over an eighth of a slab: its own buffer
    const big = allocBytes(1 << 20);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(1 << 20);
  });
});
