import { fromHex as fromHexOrNull, toHex } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeTriplet, versionKey } from "./entry.js";
import { type DnstableError, isDnstableError } from "./errors.js";
import { dnstableMerge } from "./merge.js";
import { decodeRRtypeUnion, encodeRRtypeBitmap } from "./rrtype-union.js";

/** Hex fixture → bytes (the fixtures are valid hex). */
const fromHex = (h: string): Uint8Array => {
  const b = fromHexOrNull(h);
  if (!b) throw new Error(`bad hex fixture ${h}`);
  return b;
};

describe("dnstableMerge", () => {
  it("folds triplets: min first, max last, sum count", () => {
    const v = dnstableMerge(
      Uint8Array.of(0, 1),
      encodeTriplet({ timeFirst: 5, timeLast: 9, count: 2 }),
      encodeTriplet({ timeFirst: 3, timeLast: 7, count: 4 }),
    );
    expect(toHex(v)).toBe(toHex(encodeTriplet({ timeFirst: 3, timeLast: 9, count: 6 })));
  });
  it("unions rrtypes into a bitmap (FORMATS.md example)", () => {
    const a = encodeRRtypeBitmap([1, 2, 6, 15, 16, 28]);
    const v = dnstableMerge(Uint8Array.of(1, 0), a, Uint8Array.of(1, 1));
    expect(toHex(v)).toBe("0004620180080101 40".replace(" ", ""));
    expect(decodeRRtypeUnion(v)).toEqual([1, 2, 6, 15, 16, 28, 257]);
    expect(toHex(dnstableMerge(Uint8Array.of(3), Uint8Array.of(2), Uint8Array.of(2)))).toBe("02");
    expect(decodeRRtypeUnion(fromHex("0101"))).toEqual([257]);
  });
  it("time range min/max and version min", () => {
    expect(toHex(dnstableMerge(Uint8Array.of(0xfe), fromHex("0509"), fromHex("0307")))).toBe("0309");
    expect(dnstableMerge(Uint8Array.of(0xfe), fromHex(""), fromHex("0307")).length).toBe(0);
    expect(toHex(dnstableMerge(versionKey(2), fromHex("02"), fromHex("01")))).toBe("01");
    expect(dnstableMerge(versionKey(9), fromHex("02"), fromHex("01")).length).toBe(0);
  });
  it("refuses a value it cannot fold: ERR_CORRUPTION with the key, never an empty value", () => {
    const good = encodeTriplet({ timeFirst: 5, timeLast: 9, count: 2 });
    for (const [key, a, b] of [
      [Uint8Array.of(0, 1), good, good.subarray(0, 1)],
      [Uint8Array.of(2, 1), fromHex(""), good],
      [Uint8Array.of(0xfe), fromHex("05"), fromHex("0307")],
      [versionKey(2), fromHex("02"), fromHex("80")],
      [Uint8Array.of(1, 0), fromHex("000462"), fromHex("0101")],
    ] as const) {
      let err: unknown;
      try {
        dnstableMerge(key, a, b);
      } catch (e) {
        err = e;
      }
      expect(isDnstableError(err) && err.code).toBe("ERR_CORRUPTION");
      expect(toHex((err as DnstableError).key ?? new Uint8Array(0))).toBe(toHex(key));
      expect((err as Error).message).toMatch(new RegExp(`^cannot merge key ${toHex(key)}: `));
    }
  });
  it("garbage values give bytes or ERR_CORRUPTION, nothing else", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        fc.uint8Array({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 20 }),
        (k, a, b) => {
          try {
            expect(dnstableMerge(k, a, b)).toBeInstanceOf(Uint8Array);
          } catch (e) {
            expect(isDnstableError(e) && e.code).toBe("ERR_CORRUPTION");
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
