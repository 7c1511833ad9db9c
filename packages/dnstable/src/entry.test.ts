import { fromHex as fromHexOrNull, toHex } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  builtKeyBuffer,
  builtKeys,
  decodeRdataKey,
  decodeRRsetKey,
  decodeTriplet,
  decodeTripletInto,
  encodeTriplet,
  rdataKey,
  rdataNameRevKey,
  rdataSlicedKey,
  reverseWireName,
  rrsetKey,
  rrsetNameFwdKey,
  sourceInfoKey,
  versionKey,
  wireNameLength,
} from "./entry.js";
import { isDnstableError } from "./errors.js";

/** Hex fixture → bytes (the fixtures are valid hex). */
const fromHex = (h: string): Uint8Array => {
  const b = fromHexOrNull(h);
  if (!b) throw new Error(`bad hex fixture ${h}`);
  return b;
};

const name = (s: string): Uint8Array => {
  const parts: number[] = [];
  for (const l of s.split(".").filter((x) => x.length)) parts.push(l.length, ...new TextEncoder().encode(l));
  parts.push(0);
  return Uint8Array.from(parts);
};

describe("dnstable entry encoding", () => {
  it("encodes the RRSET example from FORMATS.md", () => {
    const key = rrsetKey(name("www.example.test"), 1, name("example.test"), [fromHex("c0000250"), fromHex("c0000251")]);
    expect(toHex(key)).toBe(`00${toHex(name("test.example.www"))}01${toHex(name("test.example"))}04c000025004c0000251`);
    const t = decodeTriplet(fromHex("c3ee8ad806caee8ad80604"));
    expect(t?.count).toBe(4);
    expect(t && toHex(encodeTriplet(t))).toBe("c3ee8ad806caee8ad80604");
    const d = decodeRRsetKey(key);
    expect(toHex(d.rrname)).toBe(toHex(name("www.example.test")));
    expect(d.rrtype).toBe(1);
    expect(d.rdatas.map((x) => toHex(x))).toEqual(["c0000250", "c0000251"]);
  });
  it("reverses names and builds the small keys", () => {
    expect(toHex(reverseWireName(name("www.isc.org")))).toBe(toHex(name("org.isc.www")));
    expect(toHex(reverseWireName(Uint8Array.of(0)))).toBe("00");
    expect(toHex(rrsetNameFwdKey(name("a.b")))).toBe(`01${toHex(name("a.b"))}`);
    expect(toHex(rdataNameRevKey(name("a.b")))).toBe(`03${toHex(name("b.a"))}`);
    expect(toHex(sourceInfoKey("x"))).toBe("fd7800");
    expect(toHex(versionKey(2))).toBe("ff02");
  });
  it("round-trips full RDATA keys with LE16 length", () => {
    const k = rdataKey(fromHex("c0000250"), 1, name("www.example.test"));
    expect(toHex(k.subarray(k.length - 2))).toBe("0400");
    const d = decodeRdataKey(k);
    expect(d && toHex(d.rdata)).toBe("c0000250");
    expect(d?.rrtype).toBe(1);
  });
  it("decodes sliced RDATA keys back to the full rdata", () => {
    const rd = Uint8Array.of(0, 10, ...name("mx.example.test"));
    const k = rdataSlicedKey(rd, 2, rd.subarray(2), 15, name("example.test"));
    const d = decodeRdataKey(k);
    expect(d && toHex(d.rdata)).toBe(toHex(rd));
    expect(d?.rrtype).toBe(15);
    expect(d && toHex(d.rrname)).toBe(toHex(name("example.test")));
  });
  it("triplets round-trip and malformed values give null", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), (a, b, c) => {
        expect(decodeTriplet(encodeTriplet({ timeFirst: a, timeLast: b, count: c }))).toEqual({ timeFirst: a, timeLast: b, count: c });
      }),
      { numRuns: 100 },
    );
    expect(decodeTriplet(fromHex("ff"))).toBeNull();
    expect(decodeTriplet(fromHex("010203 04".replace(" ", "")))).toBeNull();
  });
  it("random RRSET keys decode or throw a DnstableError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const key = Uint8Array.of(0, ...b);
        try {
          decodeRRsetKey(key);
        } catch (e) {
          expect(isDnstableError(e)).toBe(true);
        }
        decodeRdataKey(Uint8Array.of(2, ...b));
      }),
      { numRuns: 300 },
    );
  });

  it("builtKeys build the same keys in the shared buffer", () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => [b.length, ...b]);
    const wire = fc.array(label, { maxLength: 5 }).map((ls) => Uint8Array.from([...ls.flat(), 0]));
    const latin1 = (b: Uint8Array): string => Buffer.from(b).toString("latin1");
    const built = (n: number): string => latin1(builtKeyBuffer().subarray(0, n));
    fc.assert(
      fc.property(
        wire,
        wire,
        fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 65535 }),
        (owner, zone, rdatas, type) => {
          const rd = rdatas[0] as Uint8Array;
          expect(built(builtKeys.rrset(owner, type, zone, rdatas))).toBe(latin1(rrsetKey(owner, type, zone, rdatas)));
          expect(built(builtKeys.rrsetNameFwd(owner))).toBe(latin1(rrsetNameFwdKey(owner)));
          expect(built(builtKeys.rdata(rd, type, owner))).toBe(latin1(rdataKey(rd, type, owner)));
          const off = rd.length >> 1;
          expect(built(builtKeys.rdataSliced(rd, off, rd.subarray(off), type, owner))).toBe(
            latin1(rdataSlicedKey(rd, off, rd.subarray(off), type, owner)),
          );
          expect(built(builtKeys.rdataNameRev(zone))).toBe(latin1(rdataNameRevKey(zone)));
          expect(latin1(rdataNameRevKey(zone)).slice(1)).toBe(latin1(reverseWireName(zone)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("wireNameLength", () => {
  it("reads a key's name of any length (no 255-byte cap), and -1 for a cut name or a label over 63", () => {
    const long = new Uint8Array(1 + 5 * 64 + 1);
    for (let i = 0; i < 5; i++) long[1 + i * 64] = 63;
    expect(wireNameLength(long, 1)).toBe(321);
    expect(wireNameLength(long.subarray(0, 321), 1)).toBe(-1);
    expect(wireNameLength(Uint8Array.of(0, 64, 0), 1)).toBe(-1);
    expect(wireNameLength(Uint8Array.of(0, 1, 97, 0, 9), 1)).toBe(3);
  });
});

describe("decodeTripletInto", () => {
  it("decodes what decodeTriplet decodes, and fails where it gives null", () => {
    const t = { timeFirst: -1, timeLast: -1, count: -1 };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 32 }),
          fc.record({ timeFirst: fc.nat(), timeLast: fc.nat(), count: fc.nat() }).map(encodeTriplet),
        ),
        (v) => {
          const want = decodeTriplet(v);
          expect(decodeTripletInto(v, t)).toBe(want !== null);
          if (want !== null) expect(t).toEqual(want);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
