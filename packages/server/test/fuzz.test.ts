import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnstableServer, isServerError, parseLookupPath, parseQueryParams } from "../src/index.js";
import { ndjson, testServer } from "./helpers.js";

/**
 * Fuzzing the path and parameter parsing: random and mutated lookup paths and query strings get
 * a 200 with a well-formed SAF body, a 400 (or 404/414 from the router) with a one-line body —
 * never a 500, a stack, a crash or a hang.
 */

// bytes a request target may carry, percent-encoded or not
const segChar = fc.oneof(
  fc.constantFrom(..."abcxyz019.-_*+:,/\\%~ ".split("")),
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, "0")}`),
  fc.constantFrom("%", "%z", "%2", "%E0%A4", "%FF", "%00", "%2F", "%2A"),
);
const segment = fc.array(segChar, { maxLength: 40 }).map((a) => a.join(""));
const known = fc.constantFrom(
  "www.example.test",
  "*.example.test",
  "example.*",
  "+.example.test",
  "10.0.0.0,24",
  "10.0.0.1-10.0.0.9",
  "::1",
  "2001:db8::,32",
  "0a000001",
  "03777777076578616d706c65047465737400",
  "A",
  "ANY",
  "ANY-DNSSEC",
  "TYPE65535",
  "DS",
  ".",
);
const part = fc.oneof(segment, known);
const path = fc
  .tuple(
    fc.constantFrom("lookup", "summarize", "lookupx", ""),
    fc.constantFrom("rrset", "rdata", "x"),
    fc.constantFrom("name", "raw", "ip", "y"),
    fc.array(part, { minLength: 0, maxLength: 3 }),
  )
  .map(([verb, kind, by, rest]) => ["/dnsdb/v2", verb, kind, by, ...rest].join("/"));
const paramName = fc.constantFrom(
  "limit",
  "offset",
  "max_count",
  "time_first_before",
  "time_first_after",
  "time_last_before",
  "time_last_after",
  "aggr",
  "humantime",
  "swclient",
  "version",
  "id",
  "bogus",
);
const paramValue = fc.oneof(
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map(String),
  fc.constantFrom("t", "f", "true", "0", "", "-", "1e3", "0x10", "99999999999999999999", "-0", " 1"),
  segment,
);
const query = fc.array(fc.tuple(paramName, paramValue), { maxLength: 4 }).map((ps) => ps.map(([n, v]) => `${n}=${v}`).join("&"));

describe("fuzzing the lookup routes", () => {
  let s: DnstableServer;
  beforeAll(async () => {
    s = await testServer({ maxLimit: 100 });
  });
  afterAll(() => s.close());

  it("every request gets 200 with SAF, or a one-line 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(path, query, fc.boolean(), async (p, q, pdns) => {
        const url = pdns ? `/pdns/query/${p.split("/").slice(5).join("/")}${q ? `?${q}` : ""}` : `${p}${q ? `?${q}` : ""}`;
        const r = await s.app.inject({ url });
        if (r.statusCode === 200) {
          const lines = ndjson(r.body) as Record<string, unknown>[];
          if (!pdns) {
            expect(lines[0]).toEqual({ cond: "begin" });
            expect(["succeeded", "limited"]).toContain(lines[lines.length - 1]?.cond);
          }
          return;
        }
        expect([400, 404, 414], url).toContain(r.statusCode);
        expect(r.body, url).toMatch(/^[^\n]+\n$/);
        expect(r.body, url).not.toMatch(/\n\s+at /);
      }),
      { numRuns: 600 },
    );
  });

  it("bit-flipped known-good URLs as well", async () => {
    const good = "/dnsdb/v2/lookup/rrset/name/%2A.example.test/A/example.test?limit=5&time_last_after=-86400&aggr=t";
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0x21, max: 0x7e })), { minLength: 1, maxLength: 4 }),
        async (flips) => {
          const chars = good.split("");
          for (const [i, c] of flips) chars[i] = String.fromCharCode(c);
          const url = chars.join("").replace(/^[^/]/, "/");
          const r = await s.app.inject({ url });
          expect([200, 400, 404, 414], url).toContain(r.statusCode);
          if (r.statusCode !== 200) expect(r.body, url).toMatch(/^[^\n]+\n$/);
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("the parsers alone", () => {
  it("parseLookupPath returns a query or throws a ServerError, for any strings", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string({ maxLength: 300 }),
        fc.option(fc.string()),
        fc.option(fc.string()),
        (kind, by, value, type, bailiwick) => {
          try {
            parseLookupPath({ kind, by, value, type: type ?? undefined, bailiwick: bailiwick ?? undefined });
          } catch (e) {
            expect(isServerError(e), String(e)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
  it("parseQueryParams: numbers are integers in range, anything else a ServerError", () => {
    fc.assert(
      fc.property(fc.dictionary(paramName, fc.oneof(paramValue, fc.array(paramValue, { maxLength: 2 }))), (q) => {
        try {
          const p = parseQueryParams(q, 1_800_000_000);
          for (const v of [p.limit ?? 0, p.offset, p.maxCount ?? 0, ...Object.values(p.fence)]) {
            expect(Number.isSafeInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        } catch (e) {
          expect(isServerError(e), String(e)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
