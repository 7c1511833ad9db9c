/** The page's URL ⇄ search mapping, IDNA handling, pivots and download formats (no browser). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Result } from "../app/api.js";
import { csv, digText, jsonLines, sortResults } from "../app/format.js";
import { toAsciiName, unicodeForm } from "../app/idna.js";
import { rdataPivots } from "../app/pivot.js";
import { emptyQuery, fromPath, type Query, QueryError, toPath } from "../app/query.js";

const q = (patch: Partial<Query>): Query => ({ ...emptyQuery(), ...patch });

describe("search ⇄ URL", () => {
  const table: [Partial<Query>, string][] = [
    [{ value: "www.example.com", rrtype: "A" }, "/lookup/rrset/name/www.example.com/A"],
    [{ value: "*.example.com" }, "/lookup/rrset/name/*.example.com"],
    [{ value: "example.com", bailiwick: "com" }, "/lookup/rrset/name/example.com/ANY/com"],
    [{ value: "example.com", rrtype: "NS", bailiwick: "com" }, "/lookup/rrset/name/example.com/NS/com"],
    [{ kind: "rrset-raw", value: "076578616D706C6500" }, "/lookup/rrset/raw/076578616d706c6500"],
    [{ kind: "rdata-name", value: "ns1.example.com", rrtype: "ns" }, "/lookup/rdata/name/ns1.example.com/NS"],
    [{ kind: "rdata-ip", value: "192.0.2.0/24" }, "/lookup/rdata/ip/192.0.2.0%2C24"],
    [{ kind: "rdata-ip", value: "192.0.2.1-192.0.2.9" }, "/lookup/rdata/ip/192.0.2.1-192.0.2.9"],
    [{ kind: "rdata-raw", value: "c0000201", rrtype: "A" }, "/lookup/rdata/raw/c0000201/A"],
    [{ kind: "rdata-asn", value: "as64496" }, "/lookup/rdata/asn/AS64496"],
    [{ kind: "rdata-asn", value: "4200000000", rrtype: "A" }, "/lookup/rdata/asn/AS4200000000"],
    [{ kind: "rdata-country", value: "de" }, "/lookup/rdata/country/DE"],
    [{ kind: "flex-glob", value: "*.example.*" }, "/glob/rrnames/*.example.*"],
    [{ kind: "flex-regex", flexOn: "rdata", value: "^a/b?", rrtype: "TXT" }, "/regex/rdata/%5Ea%2Fb%3F/TXT"],
    [{ value: "bücher.example" }, "/lookup/rrset/name/xn--bcher-kva.example"],
    [{ value: "x.test", fence: "24h" }, "/lookup/rrset/name/x.test?time_last_after=-86400"],
    [{ value: "x.test", fence: "30d", strict: true }, "/lookup/rrset/name/x.test?time_first_after=-2592000"],
    [{ value: "x.test", fence: "custom", from: 100, to: 200 }, "/lookup/rrset/name/x.test?time_last_after=100&time_first_before=200"],
    [
      { value: "x.test", fence: "custom", from: 100, to: 200, strict: true },
      "/lookup/rrset/name/x.test?time_first_after=100&time_last_before=200",
    ],
    [{ value: "x.test", limit: 5, extra: [["aggr", "f"]] }, "/lookup/rrset/name/x.test?limit=5&aggr=f"],
  ];
  for (const [patch, path] of table)
    it(path, () => {
      expect(toPath(q(patch))).toBe(path);
      const u = new URL(path, "http://h");
      const back = fromPath(u.pathname, u.search);
      expect(back).not.toBeNull();
      expect(toPath(back as Query)).toBe(path);
    });

  it("refuses unusable input with a QueryError", () => {
    expect(() => toPath(q({ value: "  " }))).toThrow(QueryError);
    expect(() => toPath(q({ kind: "rdata-raw", value: "abc" }))).toThrow(/hexadecimal/);
    expect(() => toPath(q({ value: "x", rrtype: "A/B" }))).toThrow(/not a record type/);
    for (const v of ["ASX", "0", "AS4294967296", "64496/A"]) expect(() => toPath(q({ kind: "rdata-asn", value: v })), v).toThrow(/an ASN/);
    for (const v of ["DEU", "1A", "D"]) expect(() => toPath(q({ kind: "rdata-country", value: v })), v).toThrow(/two-letter/);
  });

  it("is no search for other paths", () => {
    for (const p of ["/", "/graph", "/lookup", "/lookup/rrset/name/", "/lookup/foo/bar/x", "/glob/x/y", "/regex/rrnames/"])
      expect(fromPath(p, "")).toBeNull();
  });

  it("parses any path without throwing, and what it parses prints back to a path that parses the same", () => {
    const seg = fc.oneof(
      fc.constantFrom(
        "lookup",
        "rrset",
        "rdata",
        "name",
        "ip",
        "raw",
        "asn",
        "country",
        "AS64496",
        "DE",
        "glob",
        "regex",
        "rrnames",
        "A",
        "%",
        "%2F",
        "*.x",
      ),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 7 }), fc.string(), (parts, search) => {
        const got = fromPath(`/${parts.join("/")}`, search);
        if (got === null) return;
        let path: string;
        try {
          path = toPath(got);
        } catch (e) {
          expect(e).toBeInstanceOf(QueryError);
          return;
        }
        const u = new URL(path, "http://h");
        expect(toPath(fromPath(u.pathname, u.search) as Query)).toBe(path);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("IDNA", () => {
  it("sends Unicode names in their ASCII form and shows xn-- names in Unicode", () => {
    expect(toAsciiName("*.BÜCHER.example")).toBe("*.xn--bcher-kva.example");
    expect(toAsciiName("plain.example")).toBe("plain.example");
    expect(unicodeForm("xn--bcher-kva.example.")).toBe("bücher.example.");
    expect(unicodeForm("www.example.")).toBeNull();
  });
  it("shows no Unicode form that holds bidi or invisible characters", () => {
    expect(unicodeForm("xn--gnp-4q0a.exe.evil.test.")).toBeNull(); // U+202E
    expect(unicodeForm("xn--ab-g1t.example.")).toBeNull(); // U+200B zero width space
    expect(unicodeForm("xn--zz-.example.")).toBeNull(); // decodes to ASCII: not an A-label
    expect(unicodeForm("xn--999999999999.example.")).toBeNull(); // undecodable
  });
});

describe("pivots and downloads", () => {
  it("names the next queries of an rdata value", () => {
    expect(rdataPivots("A", "192.0.2.1")).toEqual([{ label: "rdata ip", path: "/lookup/rdata/ip/192.0.2.1" }]);
    expect(rdataPivots("MX", "10 mail.example.")).toEqual([
      { label: "rrset", path: "/lookup/rrset/name/mail.example." },
      { label: "rdata name", path: "/lookup/rdata/name/mail.example." },
    ]);
    expect(rdataPivots("TXT", '"javascript:alert(1)"')).toEqual([]);
    expect(rdataPivots("CNAME", "javascript:x.")[0]?.path).toBe("/lookup/rrset/name/javascript%3Ax.");
  });

  const rs: Result[] = [
    {
      count: 2,
      time_first: 1700000000,
      time_last: 1700000100,
      rrname: "a.example.",
      rrtype: "A",
      bailiwick: "example.",
      rdata: ["192.0.2.1"],
    },
    {
      count: 9,
      time_first: 1600000000,
      time_last: 1700000000,
      rrname: "=cmd.example.",
      rrtype: "TXT",
      bailiwick: "example.",
      rdata: ['"a, ""b"'],
    },
  ];
  it("sorts stably by a column, both ways", () => {
    expect(sortResults(rs, "count", true).map((r) => r.count)).toEqual([9, 2]);
    expect(sortResults(rs, "first", false).map((r) => r.count)).toEqual([9, 2]);
    expect(sortResults(rs, "rrtype", false)).toEqual(rs);
  });
  it("writes JSON lines, CSV (formulas defused) and dig text", () => {
    expect(
      jsonLines(rs)
        .split("\n")
        .slice(0, 2)
        .map((l) => JSON.parse(l)),
    ).toEqual(rs);
    const c = csv(rs).split("\r\n");
    expect(c[0]).toBe("time_first,time_last,zone_first,zone_last,count,num_results,rrname,rrtype,bailiwick,rdata");
    expect(c[1]).toBe("2023-11-14 22:13:20,2023-11-14 22:15:00,,,2,,a.example.,A,example.,192.0.2.1");
    expect(c[2]).toBe(`2020-09-13 12:26:40,2023-11-14 22:13:20,,,9,,'=cmd.example.,TXT,example.,"""a, """"b"""`);
    expect(digText(rs.slice(0, 1))).toBe(
      ";;  bailiwick: example.\n;;      count: 2\n;; first seen: 2023-11-14 22:13:20 -0000\n;;  last seen: 2023-11-14 22:15:00 -0000\na.example. IN A 192.0.2.1\n",
    );
  });
});
