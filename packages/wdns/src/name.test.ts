import { describe, expect, it } from "vitest";
import { isWdnsError } from "./errors.js";
import { downcaseName, isSubdomain, nameFromString, nameLength, nameToString, reverseName } from "./name.js";

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
