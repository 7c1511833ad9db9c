import { describe, expect, it } from "vitest";
import { parseQueryPath, targetPath } from "./query.js";

describe("query paths (dnsdbq batch lines)", () => {
  it("each kind, and back", () => {
    const cases: [string, unknown][] = [
      ["rrset/name/www.example.test", { kind: "rrset", name: "www.example.test" }],
      ["rrset/name/*.example.test/A/example.test", { kind: "rrset", name: "*.example.test", type: "A", bailiwick: "example.test" }],
      ["rrset/raw/0161047465737400/NS", { kind: "rrset_raw", hex: "0161047465737400", type: "NS" }],
      ["rdata/name/ns1.example.test/NS", { kind: "rdata_name", name: "ns1.example.test", type: "NS" }],
      ["rdata/ip/10.0.0.0,24", { kind: "rdata_ip", ip: "10.0.0.0,24" }],
      ["rdata/raw/c0000250/A", { kind: "rdata_raw", hex: "c0000250", type: "A" }],
    ];
    for (const [path, t] of cases) {
      expect(parseQueryPath(path), path).toEqual(t);
      expect(targetPath(parseQueryPath(path)), path).toBe(path);
    }
    expect(parseQueryPath("rrset/name/212.0%2F24.150.104.24.in-addr.arpa")).toEqual({
      kind: "rrset",
      name: "212.0/24.150.104.24.in-addr.arpa",
    });
    expect(parseQueryPath("rdata/ip/10.0.0.0/24")).toEqual({ kind: "rdata_ip", ip: "10.0.0.0,24" });
  });
  it("bad paths are RangeErrors naming the path", () => {
    for (const bad of [
      "",
      "rrset",
      "rrset/name/",
      "rrset/name/a//",
      "rdata/name/a/NS/bw",
      "rdata/raw/abc",
      "rdata/ip/x.y",
      "lookup/name/a",
      "rrset/name/%zz",
      "rrset/name/a/A/b/c",
    ])
      expect(() => parseQueryPath(bad), bad).toThrow(RangeError);
  });
});

describe("parseQueryPath and fenceValue on random input", () => {
  it("a target or a RangeError, never another error; a target's path parses back to it", async () => {
    const fc = (await import("fast-check")).default;
    const { fenceValue } = await import("./time.js");
    const piece = fc.constantFrom(
      "rrset",
      "rdata",
      "name",
      "raw",
      "ip",
      "A",
      "ANY",
      "c0000201",
      "10.0.0.0,24",
      "a.test",
      "%2F",
      "%zz",
      "",
      "*.",
      "/",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(piece, { maxLength: 6 }).map((p) => p.join("/")),
        ),
        (path) => {
          let t: ReturnType<typeof parseQueryPath>;
          try {
            t = parseQueryPath(path);
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            return;
          }
          expect(parseQueryPath(targetPath(t))).toEqual(t);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double()), (v) => {
        try {
          expect(Number.isSafeInteger(fenceValue(v))).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
