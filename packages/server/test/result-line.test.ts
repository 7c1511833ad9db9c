import { type DnstableResult, EntryType, encodeTriplet, rdataKey, resultObject, rrsetKey } from "@dnsrep/dnstable";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonString, resultLine, rfc3339 } from "../src/result-line.js";

/**
 * resultLine writes a result's SAF line as text; it must give the bytes the object route gives
 * (`{"obj":` + JSON.stringify(resultObject) + `}`, humantime times as RFC 3339), and fail the same
 * way (null, or the same kind of throw) for entries that do not decode.
 */
function reference(r: DnstableResult, humantime: boolean): { line: string | null } | { threw: string } {
  try {
    const obj = resultObject(r);
    if (obj === null) return { line: null };
    const o = humantime ? { ...obj, time_first: rfc3339(obj.time_first), time_last: rfc3339(obj.time_last) } : obj;
    return { line: `{"obj":${JSON.stringify(o)}}\n` };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}
function actual(r: DnstableResult, humantime: boolean): { line: string | null } | { threw: string } {
  try {
    return { line: resultLine(r, humantime) };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

// wire names of random labels: any byte, quotes, backslashes, dots and high bytes included
const label = fc.uint8Array({ minLength: 1, maxLength: 12 });
const wireName = fc.array(label, { minLength: 0, maxLength: 4 }).map((ls) => {
  const out: number[] = [];
  for (const l of ls) out.push(l.length, ...l);
  out.push(0);
  return Uint8Array.from(out);
});
const special = fc.constantFrom(...[34, 92, 0, 10, 127, 200].map((b) => Uint8Array.of(1, b, 0)));
const name = fc.oneof(wireName, special);
// A, NS, TXT, MX, an unknown type, and rdata of any bytes (TXT strings with quotes and control bytes)
const rrtype = fc.constantFrom(1, 2, 16, 15, 28, 65280, 99);
const rdata = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 24 }),
  fc.constantFrom(Uint8Array.of(4, 34, 92, 0, 10), Uint8Array.of(3, 0xe2, 0x80, 0xa8), Uint8Array.of(10, 0, 0, 1)),
);
const time = fc.oneof(fc.constantFrom(0, 1, 1_700_000_000, 2 ** 40, 2 ** 53 - 1), fc.integer({ min: 0, max: 2 ** 32 }));
const triplet = fc.record({ timeFirst: time, timeLast: time, count: time });

function result(entryType: number, key: Uint8Array, value: Uint8Array): DnstableResult {
  return { entryType, key, value, timeFirst: 0, timeLast: 0, count: 0 };
}

describe("resultLine", () => {
  it("jsonString is JSON.stringify for any string", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => jsonString(s) === JSON.stringify(s)));
    for (const s of ["", "a\\b", 'q"', "\u2028", "\ud800", "\x7f", "é"]) expect(jsonString(s)).toBe(JSON.stringify(s));
  });

  it("an RRSET entry gives the bytes of JSON.stringify of its object", () => {
    fc.assert(
      fc.property(name, rrtype, name, fc.array(rdata, { minLength: 0, maxLength: 4 }), triplet, fc.boolean(), (n, t, bw, rds, tr, h) => {
        const r = result(EntryType.RRSET, rrsetKey(n, t, bw, rds), encodeTriplet(tr));
        expect(actual(r, h)).toEqual(reference(r, h));
      }),
      { numRuns: 2000 },
    );
  });

  it("an RDATA entry gives the bytes of JSON.stringify of its object", () => {
    fc.assert(
      fc.property(name, rrtype, rdata, triplet, fc.boolean(), (n, t, rd, tr, h) => {
        const r = result(EntryType.RDATA, rdataKey(rd, t, n), encodeTriplet(tr));
        expect(actual(r, h)).toEqual(reference(r, h));
      }),
      { numRuns: 1000 },
    );
  });

  it("names of 128 labels decode, of 129 fail as in decodeRRsetKey; a humantime that does not convert fails after the rdata", () => {
    const labels = (n: number) => Uint8Array.from([...Array.from({ length: n }, (_, i) => [1, 97 + (i % 26)]).flat(), 0]);
    const value = encodeTriplet({ timeFirst: 1, timeLast: 2, count: 3 });
    for (const n of [127, 128, 129]) {
      const key = Uint8Array.from([EntryType.RRSET, ...labels(n), 1, ...labels(2), 4, 10, 0, 0, 1]);
      for (const h of [false, true])
        expect(actual(result(EntryType.RRSET, key, value), h)).toEqual(reference(result(EntryType.RRSET, key, value), h));
    }
    const huge = encodeTriplet({ timeFirst: 2 ** 53 - 1, timeLast: 0, count: 0 });
    for (const rd of [Uint8Array.of(10, 0, 1), Uint8Array.of(10, 0, 0, 1)]) {
      const r = result(EntryType.RRSET, rrsetKey(labels(2), 1, labels(1), [rd]), huge);
      expect(actual(r, true)).toEqual(reference(r, true));
    }
  });

  it("a damaged or random key or value fails as resultObject fails", () => {
    const entry = fc.tuple(name, rrtype, name, fc.array(rdata, { maxLength: 3 }), triplet).map(([n, t, bw, rds, tr]) => ({
      key: rrsetKey(n, t, bw, rds),
      value: encodeTriplet(tr),
    }));
    fc.assert(
      fc.property(
        entry,
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ maxLength: 30 }),
        fc.constantFrom(EntryType.RRSET, EntryType.RDATA, 5),
        fc.boolean(),
        (e, at, bit, junk, type, h) => {
          const key = e.key.slice();
          key[at % key.length] = (key[at % key.length] as number) ^ (1 << bit);
          for (const r of [
            result(type, key, e.value),
            result(type, Uint8Array.of(type, ...junk), e.value),
            result(type, e.key, junk),
            result(type, e.key, e.value.subarray(0, at % (e.value.length + 1))),
          ])
            expect(actual(r, h)).toEqual(reference(r, h));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
