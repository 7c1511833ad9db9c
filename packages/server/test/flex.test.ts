import { memoryIo } from "@dnsrep/cli";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as lookup } from "../../../tools/dnstable/src/dnstable-lookup.js";
import { flexPattern, globSource } from "../src/flex.js";
import type { DnstableServer } from "../src/index.js";
import { DNS, ndjson, testServer } from "./helpers.js";

async function lookupJson(args: string[]): Promise<Record<string, unknown>[]> {
  const io = memoryIo("", { DNSTABLE_FNAME: DNS });
  expect(await lookup(["-j", ...args], io)).toBe(0);
  return ndjson(io.out()) as Record<string, unknown>[];
}

function objs(body: string): Record<string, unknown>[] {
  const lines = ndjson(body) as Record<string, unknown>[];
  expect(lines[0]).toEqual({ cond: "begin" });
  expect(lines[lines.length - 1]).toEqual({ cond: "succeeded" });
  return lines.slice(1, -1).map((l) => l.obj as Record<string, unknown>);
}

const key = (o: Record<string, unknown>) => `${o.rrname}|${o.rrtype}`;

describe("flex search", () => {
  let s: DnstableServer;
  beforeAll(async () => {
    s = await testServer({ data: [DNS], maxLimit: 100000 });
  });
  afterAll(() => s.close());
  const get = (url: string) => s.app.inject({ url });

  it("glob rrnames: the owner names and types under a zone, as the rrset wildcard finds them", async () => {
    const r = await get("/dnsdb/v2/glob/rrnames/*.example.test.?limit=0");
    expect(r.statusCode).toBe(200);
    const got = new Set(objs(r.body).map(key));
    const want = new Set((await lookupJson(["rrset", "*.example.test"])).filter((o) => o.rrname !== "example.test.").map(key));
    expect(got).toEqual(want);
  });

  it("regex rrnames with a type, and exclude", async () => {
    const got = objs((await get("/dnsdb/v2/regex/rrnames/%5Ehost%5B0-9%5D%2B%5C./A")).body);
    expect(got.length).toBeGreaterThan(2);
    for (const o of got) {
      expect(o.rrtype).toBe("A");
      expect(o.rrname).toMatch(/^host[0-9]+\./);
    }
    const fewer = objs((await get("/dnsdb/v2/regex/rrnames/%5Ehost%5B0-9%5D%2B%5C./A?exclude=%5Ehost1")).body);
    expect(fewer).toEqual(got.filter((o) => !String(o.rrname).startsWith("host1")));
  });

  it("regex rdata: distinct rdata with its type and raw bytes", async () => {
    const got = objs((await get("/dnsdb/v2/regex/rdata/%5E10%5C.0%5C.0%5C.%5B1-3%5D%24/A")).body);
    expect(got).toEqual([
      { rdata: "10.0.0.1", rrtype: "A", raw_rdata: "0a000001" },
      { rdata: "10.0.0.2", rrtype: "A", raw_rdata: "0a000002" },
      { rdata: "10.0.0.3", rrtype: "A", raw_rdata: "0a000003" },
    ]);
  });

  it("limit and offset", async () => {
    const all = objs((await get("/dnsdb/v2/glob/rrnames/*?limit=0")).body);
    const lines = ndjson((await get("/dnsdb/v2/glob/rrnames/*?limit=3&offset=2")).body) as Record<string, unknown>[];
    expect(lines.slice(1, -1).map((l) => l.obj)).toEqual(all.slice(2, 5));
    expect(lines[lines.length - 1]).toEqual({ cond: "limited", msg: "Result limit reached" });
  });

  it("patterns built to backtrack run in linear time; ones that need backtracking are a 400", async () => {
    // a backtracking engine would not finish these within the test's lifetime
    expect(flexPattern("regex", "(a+)+$").test(`${"a".repeat(5000)}!`)).toBe(false);
    expect(flexPattern("regex", "((a|aa)+)+b").test("a".repeat(3000))).toBe(false);
    expect((await get("/dnsdb/v2/regex/rrnames/(a%2B)%2B%24")).statusCode).toBe(200);
    expect((await get("/dnsdb/v2/regex/rrnames/(.*)*x%24")).statusCode).toBe(200);
    for (const bad of ["(a)%5C1", "a(%3F%3Db)", "(%3F%3C%3Da)b", "%5B", "a%7B2,1%7D"]) {
      const r = await get(`/dnsdb/v2/regex/rrnames/${bad}`);
      expect(r.statusCode, bad).toBe(400);
      expect(r.body).toMatch(/^[^\n]+\n$/);
    }
  });

  it("bad flex queries are a 400", async () => {
    for (const url of [
      "/dnsdb/v2/glob/names/x",
      "/dnsdb/v2/glob/rrnames/a%5Bb",
      "/dnsdb/v2/glob/rrnames/*/NOTATYPE",
      "/dnsdb/v2/regex/rrnames/x?time_first_after=1",
      "/dnsdb/v2/regex/rrnames/x?exclude=a&exclude=b",
      `/dnsdb/v2/regex/rrnames/${"a".repeat(1500)}`,
    ])
      expect((await get(url)).statusCode, url).toBe(400);
  });

  it("globs: * ? [] and literal dots", () => {
    const g = (p: string) => new RegExp(globSource(p));
    expect(g("*.example.test.").test("www.example.test.")).toBe(true);
    expect(g("*.example.test.").test("wwwxexample.test.")).toBe(false);
    expect(g("h?st[0-9].*").test("host1.example.")).toBe(true);
    expect(g("h[!o]st.*").test("host.x.")).toBe(false);
  });

  it("fuzz: any pattern gets a 200 with SAF or a one-line 400", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("glob", "regex"),
        fc.constantFrom("rrnames", "rdata"),
        fc.string({ minLength: 1, maxLength: 30 }),
        async (m, what, pat) => {
          const r = await get(`/dnsdb/v2/${m}/${what}/${encodeURIComponent(pat)}?limit=5`);
          if (r.statusCode === 200) {
            const lines = ndjson(r.body) as Record<string, unknown>[];
            expect(lines[0]).toEqual({ cond: "begin" });
            expect(["succeeded", "limited"]).toContain(lines[lines.length - 1]?.cond);
          } else {
            expect(r.statusCode, pat).toBe(400);
            expect(r.body).toMatch(/^[^\n]+\n$/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
