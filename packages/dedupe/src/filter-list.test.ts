import { describe, expect, it } from "vitest";
import { FilterListError, matchFilterAddress, matchFilterList, parseFilterList } from "./filter-list.js";

describe("filter list", () => {
  const list = parseFilterList("# noise\nexample.com\n=www.Example.ORG.\n~^ads[0-9]+\\.\n\n");
  it("matches names and subdomains case-insensitively", () => {
    expect(matchFilterList(list, "example.com.")).toBe(true);
    expect(matchFilterList(list, "A.B.Example.Com")).toBe(true);
    expect(matchFilterList(list, "notexample.com.")).toBe(false);
  });
  it("matches exact names only for =", () => {
    expect(matchFilterList(list, "www.example.org.")).toBe(true);
    expect(matchFilterList(list, "a.www.example.org.")).toBe(false);
  });
  it("matches regexes on the presentation form", () => {
    expect(matchFilterList(list, "ads12.foo.net.")).toBe(true);
    expect(matchFilterList(list, "xads12.foo.net.")).toBe(false);
  });
  it("rejects a binary file at its first line that is not text, without echoing it", () => {
    expect(() => parseFilterList("example.com\n\u0000\u0007\ufffd\n")).toThrow(/^line 2: not text \(a binary file\?\)$/);
  });
  it("rejects a bad regex with its line", () => {
    expect(() => parseFilterList("ok.com\n~(")).toThrow(FilterListError);
  });
  it("matches addresses and prefixes, v4 and v6", () => {
    const l = parseFilterList("192.0.2.0/24\n2001:db8::/32\n198.51.100.7\nexample.net\n");
    expect(l.subdomain.has("example.net.")).toBe(true);
    expect(matchFilterAddress(l, Uint8Array.of(192, 0, 2, 200))).toBe(true);
    expect(matchFilterAddress(l, Uint8Array.of(192, 0, 3, 1))).toBe(false);
    expect(matchFilterAddress(l, Uint8Array.of(198, 51, 100, 7))).toBe(true);
    expect(matchFilterAddress(l, Uint8Array.of(198, 51, 100, 8))).toBe(false);
    const v6 = new Uint8Array(16);
    v6.set([0x20, 0x01, 0x0d, 0xb8]);
    expect(matchFilterAddress(l, v6)).toBe(true);
    v6[3] = 0xb9;
    expect(matchFilterAddress(l, v6)).toBe(false);
    expect(() => parseFilterList("10.0.0.0/33")).toThrow(/line 1: bad address/);
  });
  it("reads names as domain names: escapes, case and the final dot make no difference", () => {
    const l = parseFilterList("\\069xample.COM\n=Www.Example.Org\nexa\\032mple.net\n");
    expect(matchFilterList(l, "sub.example.com.")).toBe(true);
    expect(matchFilterList(l, "www.example.org.")).toBe(true);
    // a label holding a space prints as \032 in records' presentation form
    expect(matchFilterList(l, "a.exa\\032mple.net.")).toBe(true);
  });
  it("rejects names that cannot exist (empty or over-long labels, names over 255 bytes) with their line", () => {
    expect(() => parseFilterList("ok.com\na..b.com\n")).toThrow(/line 2: bad domain name/);
    expect(() => parseFilterList(`=${"x".repeat(64)}.com`)).toThrow(/line 1: bad domain name/);
    expect(() => parseFilterList(`${"a".repeat(63)}.`.repeat(5))).toThrow(/line 1: name too long/);
    expect(() => parseFilterList("ok.com\nbad\\")).toThrow(FilterListError);
  });
});
