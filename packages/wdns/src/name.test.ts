import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isWdnsError } from "./errors.js";
import { domainToString, downcaseName, isSubdomain, nameFromString, nameLength, nameToString, reverseName } from "./name.js";

describe("names", () => {
  const n = nameFromString("WWW.Example.COM.");
  it("text ↔ wire, downcase, reverse", () => {
    expect(nameToString(n)).toBe("WWW.Example.COM.");
    expect(nameToString(downcaseName(n))).toBe("www.example.com.");
    expect(nameToString(reverseName(n))).toBe("COM.Example.WWW.");
    expect(nameToString(new Uint8Array([0]))).toBe(".");
    expect(nameToString(new Uint8Array([3, 0x61, 0x2e, 0xff, 0]))).toBe("a\\.\\255.");
  });
  it("measures uncompressed names", () => {
    expect(nameLength(n, 0)).toBe(17);
    expect(nameLength(new Uint8Array([3, 97, 98]), 0)).toBe(-1);
    // five 63-byte labels: 321 bytes, over libwdns's 255 but read with no cap (dnstable's keys)
    const long = new Uint8Array(5 * 64 + 1);
    for (let i = 0; i < 5; i++) long[i * 64] = 63;
    expect(nameLength(long, 0)).toBe(-1);
    expect(nameLength(long, 0, Number.POSITIVE_INFINITY)).toBe(321);
    expect(nameLength(long.subarray(0, 320), 0, Number.POSITIVE_INFINITY)).toBe(-1);
    expect(nameLength(Uint8Array.of(64, 0), 0, Number.POSITIVE_INFINITY)).toBe(-1);
  });
  it("subdomain test is at-or-below and case-insensitive, on label boundaries", () => {
    expect(isSubdomain(n, nameFromString("example.com"))).toBe(true);
    expect(isSubdomain(n, n)).toBe(true);
    expect(isSubdomain(n, nameFromString("."))).toBe(true);
    expect(isSubdomain(nameFromString("com"), n)).toBe(false);
    expect(isSubdomain(nameFromString("xexample.com"), nameFromString("example.com"))).toBe(false);
  });
  it("rejects bad text with a typed error", () => {
    for (const bad of ["a..b", `${"x".repeat(64)}.com`, `${"abcdefgh.".repeat(32)}`]) {
      let err: unknown;
      try {
        nameFromString(bad);
      } catch (e) {
        err = e;
      }
      expect(isWdnsError(err)).toBe(true);
    }
  });
});

describe("domainToString against a model of wdns_domain_to_str", () => {
  /** the text built one character at a time, as the C code appends to its buffer */
  const model = (buf: Uint8Array, start: number, len: number): string => {
    let s = "";
    let remaining = len;
    let read = 0;
    let p = start;
    let oclen = p < buf.length ? (buf[p] as number) : 1;
    while (remaining > 0 && oclen !== 0) {
      p++;
      remaining--;
      read += oclen + 1;
      while (oclen-- && remaining > 0) {
        const c = buf[p++] as number;
        remaining--;
        if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
        else if (c >= 0x21 && c <= 0x7e) s += String.fromCharCode(c);
        else s += `\\${String(c).padStart(3, "0")}`;
      }
      s += ".";
      oclen = p < start + len ? (buf[p] as number) : 1;
    }
    if (read === 0) s += ".";
    return s;
  };
  it("gives the same text for any bytes, start and length within the buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.nat(), (b, s, l) => {
        const start = s % (b.length + 1);
        const len = l % (b.length - start + 1);
        expect(domainToString(b, start, len)).toBe(model(b, start, len));
      }),
      { numRuns: 5000 },
    );
  });
  it("a name that runs out without its root (lenUname's one byte more) shows an extra dot", () => {
    const b = Uint8Array.of(3, 97, 98, 99);
    expect(domainToString(b, 0, 5)).toBe("abc..");
  });
});
