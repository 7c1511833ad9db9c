import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TextWriter, textOf, utf8Bytes } from "./text-writer.js";
import { utcDateTime, writeUtcDateTime } from "./utc-time.js";

const written = (print: (w: TextWriter) => void): string => {
  const w = new TextWriter(1);
  print(w);
  return w.textFrom(0);
};

describe("TextWriter", () => {
  it("number() prints what String() does: integers of every size, -0, fractions, NaN, infinities", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer(),
          fc.maxSafeInteger(),
          fc.maxSafeNat(),
          fc.double(),
          fc.constantFrom(0, -0, 9, 10, 99, 100, 1e9, 2 ** 32, 2 ** 53, 1e21, Number.NaN, Infinity),
        ),
        (n) => {
          expect(written((w) => w.number(n))).toBe(String(n));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("uint() and padded() for non-negative safe integers", () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.maxSafeNat()), fc.nat(20), (n, width) => {
        expect(written((w) => w.uint(n))).toBe(String(n));
        expect(written((w) => w.padded(n, width))).toBe(String(n).padStart(width, "0"));
      }),
      { numRuns: 3000 },
    );
  });

  it("hex32() and hex() as toString(16) and a hex dump", () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(10), fc.uint8Array({ maxLength: 40 }), (n, width, b) => {
        expect(written((w) => w.hex32(n, width))).toBe(n.toString(16).padStart(width, "0"));
        expect(written((w) => w.hex(b, 0, b.length))).toBe(Buffer.from(b).toString("hex"));
        expect(written((w) => w.hex(b, 0, b.length, true))).toBe(Buffer.from(b).toString("hex").toUpperCase());
      }),
    );
  });

  it("latin1(), text(), raw() and rawRange() keep strings and bytes as they are, growing as needed", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary-ascii", maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 50 }), (a, u) => {
        const w = new TextWriter(2);
        w.latin1(a);
        w.text(u);
        w.raw(utf8Bytes(u));
        const b = utf8Bytes(a);
        w.rawRange(b, Math.min(1, b.length), b.length);
        expect(w.textFrom(0)).toBe(a + u + u + a.slice(1));
      }),
    );
  });

  it("textOf() nests, and gives back only what its own print wrote", () => {
    expect(textOf((w) => w.latin1(`a${textOf((v) => v.latin1("b".repeat(3000)))}c`))).toBe(`a${"b".repeat(3000)}c`);
    expect(() =>
      textOf(() => {
        throw new Error("x");
      }),
    ).toThrow("x");
    expect(textOf((w) => w.uint(7))).toBe("7");
  });
});

describe("writeUtcDateTime", () => {
  it("the same text as utcDateTime, one call after another (the last second's text reused) and any time", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_600_000_003 }), fc.integer({ min: -1e13, max: 1e13 })), {
          maxLength: 20,
        }),
        (secs) => {
          const w = new TextWriter(4);
          for (const s of secs) {
            writeUtcDateTime(w, s);
            w.byte(0x7c);
          }
          expect(w.textFrom(0)).toBe(secs.map((s) => `${utcDateTime(s)}|`).join(""));
        },
      ),
    );
    expect(utcDateTime(0)).toBe("1970-01-01 00:00:00");
    expect(utcDateTime(1_700_000_000.9)).toBe("2023-11-14 22:13:20");
    expect(utcDateTime(-1)).toBe("1969-12-31 23:59:59");
  });
});
