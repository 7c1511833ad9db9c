import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { TurnBudget } from "@dnsrep/util";
import { nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBody } from "../src/ingest/body.js";
import { IngestErrorCode, isIngestError } from "../src/ingest/errors.js";
import { IdempotencyStore, validIdempotencyKey } from "../src/ingest/idempotency.js";
import { parseNdjsonBatch, parseNdjsonBatchSliced } from "../src/ingest/observation-json.js";

const NOW = 1_700_000_500;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isIngestError(e)) return `${e.code} ${e.message}`;
    throw e;
  }
  return "no error";
}

describe("parseNdjsonBatchSliced", () => {
  const line = (i: number, bad = false): string =>
    bad
      ? `{"rrname":"n${i}.example.com","rrtype":"A","rdata":"300.0.0.1"}`
      : `{"rrname":"n${i}.example.com","rrtype":"A","rdata":"192.0.2.${i % 250}","time_first":1700000000,"bailiwick":"example.com"}`;
  const outcome = async (f: () => unknown): Promise<unknown> => {
    try {
      return { ok: await f() };
    } catch (e) {
      return { error: isIngestError(e) ? `${e.code} ${e.message}` : String(e) };
    }
  };

  it("gives the same observations, or the same error, as parseNdjsonBatch, over bodies of several slices (property)", async () => {
    // a tiny budget: the parse yields between almost every slice
    const budget = new TurnBudget(0.001);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        fc.option(fc.nat({ max: 299 }), { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        async (n, badAt, blankLines, trailingNewline) => {
          const lines: string[] = [];
          for (let i = 0; i < n; i++) {
            lines.push(line(i, i === badAt));
            if (blankLines && i % 7 === 0) lines.push("  \r");
          }
          const body = lines.join("\n") + (trailingNewline ? "\n" : "");
          const want = await outcome(() => parseNdjsonBatch(body, NOW));
          const got = await outcome(() => parseNdjsonBatchSliced(body, NOW, budget));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("lets the event loop turn while it parses a large body", async () => {
    const budget = new TurnBudget(0.001);
    const body = Array.from({ length: 2000 }, (_, i) => line(i)).join("\n");
    let ticks = 0;
    const t = setInterval(() => ticks++, 0);
    try {
      const obs = await parseNdjsonBatchSliced(body, NOW, budget);
      expect(obs).toHaveLength(2000);
    } finally {
      clearInterval(t);
    }
    expect(ticks).toBeGreaterThan(0);
  });
});

describe("parseNdjsonBatch", () => {
  it("turns lines into wire observations", () => {
    const body = [
      '{"rrname":"WWW.Example.com.","rrtype":"A","rdata":["192.0.2.2","192.0.2.1","192.0.2.2"],"time_first":1700000000,"time_last":1700000100,"count":3,"bailiwick":"example.com"}',
      "",
      '{"rrname":"mail.example.com","rrtype":"MX","rdata":"10 MX.Example.com.","time_first":1700000000,"time_last":1700000000,"source":"dnsmasq"}',
      '{"rrname":"x.example.org","rrtype":"CNAME","rdata":"y.example.org"}',
    ].join("\n");
    const obs = parseNdjsonBatch(body, NOW);
    expect(obs).toHaveLength(3);
    const [a, b, c] = obs as [NonNullable<(typeof obs)[0]>, NonNullable<(typeof obs)[0]>, NonNullable<(typeof obs)[0]>];
    expect(nameToString(a.rrname)).toBe("www.example.com.");
    expect(nameToString(a.bailiwick)).toBe("example.com.");
    expect(a.rdata.map((r) => rdataToString(1, 1, r))).toEqual(["192.0.2.1", "192.0.2.2"]);
    expect([a.timeFirst, a.timeLast, a.count, a.source]).toEqual([1700000000, 1700000100, 3, null]);
    expect(rrtypeToString(b.rrtype)).toBe("MX");
    expect(rdataToString(15, 1, b.rdata[0] as Uint8Array)).toBe("10 mx.example.com.");
    expect(b.source).toBe("dnsmasq");
    expect(nameToString(b.bailiwick)).toBe(".");
    expect(b.count).toBe(1);
    // no times: the arrival time; no source: "logs"
    expect([c.timeFirst, c.timeLast, c.source]).toEqual([NOW, NOW, "logs"]);
  });

  it.each([
    ['{"rrname":"a.example","rrtype":"A","rdata":"x"}', "line 1: rdata:"],
    ['{"rrname":"a..example","rrtype":"A","rdata":"192.0.2.1"}', "line 1: rrname: not a valid domain name"],
    ['{"rrtype":"A","rdata":"192.0.2.1"}', "line 1: rrname: missing"],
    ['{"rrname":"a.example","rrtype":"BOGUS","rdata":"192.0.2.1"}', "line 1: rrtype: unknown rrtype"],
    ['{"rrname":"a.example","rrtype":"ANY","rdata":"192.0.2.1"}', "line 1: rrtype: not a data rrtype"],
    ['{"rrname":"a.example","rrtype":"A","rdata":[]}', "line 1: rdata: empty array"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","count":0}', "line 1: count:"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","count":1.5}', "line 1: count:"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","time_first":-1}', "line 1: time_first:"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","time_first":5,"time_last":4}', "line 1: time_last: before time_first"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","bailiwick":"other.example"}', "line 1: bailiwick:"],
    ['{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1","source":"a b"}', "line 1: source:"],
    ["[1,2]", "line 1: not a JSON object"],
    ["{", "line 1: not valid JSON"],
  ])("refuses %s", (line, msg) => {
    expect(errorOf(() => parseNdjsonBatch(line, NOW))).toContain(`${IngestErrorCode.BAD_BATCH} ${msg}`);
  });

  it("names the line of the first bad one, counting blank lines", () => {
    const good = '{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1"}';
    const body = `${good}\n\n${good}\r\n${good}\n{"rrname":"a.example","rrtype":"AAAA","rdata":"192.0.2.1"}\n${good}\n`;
    expect(errorOf(() => parseNdjsonBatch(body, NOW))).toMatch(/^ERR_BAD_BATCH line 5: rdata: /);
  });

  // random and bit-flipped input: an array of observations or one IngestError BAD_BATCH, nothing else
  it("takes any text without throwing anything but a BAD_BATCH IngestError (property)", () => {
    const good = fc.record({
      rrname: fc.constantFrom("www.example.com", "a.b.c.", ".", "x", "*.wild.example", "Mixed.CASE.org"),
      rrtype: fc.constantFrom("A", "AAAA", "NS", "MX", "TXT", "CNAME", "SOA", "TYPE65534", "a"),
      rdata: fc.oneof(
        fc.constantFrom("192.0.2.1", "2001:db8::1", "ns.example", "10 mx.example", '"txt"', "\\# 2 abcd"),
        fc.array(fc.constantFrom("192.0.2.1", "192.0.2.9"), { maxLength: 3 }),
      ),
      time_first: fc.oneof(fc.integer({ min: -5, max: 2 ** 33 }), fc.constant(null)),
      time_last: fc.integer({ min: 0, max: 2 ** 32 }),
      count: fc.oneof(fc.integer({ min: -1, max: 10 }), fc.double()),
      bailiwick: fc.option(fc.constantFrom("example.com", ".", "com", "other"), { nil: undefined }),
      source: fc.option(fc.constantFrom("dnsmasq", "zeek", "", "../x"), { nil: undefined }),
    });
    const flip = (s: string, at: number, bit: number): string => {
      const b = Buffer.from(s, "utf8");
      if (b.length === 0) return s;
      const i = at % b.length;
      b[i] = (b[i] as number) ^ (1 << bit);
      return b.toString("latin1");
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            good.map((o) => JSON.stringify(o)),
            fc.string(),
            fc.json(),
          ),
          { maxLength: 6 },
        ),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        (lines, at, bit, doFlip) => {
          let body = lines.join("\n");
          if (doFlip) body = flip(body, at, bit);
          try {
            const obs = parseNdjsonBatch(body, NOW);
            for (const o of obs) {
              expect(o.rrname.length).toBeGreaterThan(0);
              expect(o.rdata.length).toBeGreaterThan(0);
              expect(o.timeFirst).toBeLessThanOrEqual(o.timeLast);
              expect(o.count).toBeGreaterThanOrEqual(1);
              // a log-derived observation carries the root as its (never shown) bailiwick
              if (o.source !== null) expect(o.bailiwick).toEqual(new Uint8Array([0]));
            }
          } catch (e) {
            expect(isIngestError(e) && e.code === IngestErrorCode.BAD_BATCH).toBe(true);
            expect((e as Error).message).toMatch(/^line \d+: /);
            expect((e as Error).message).not.toContain("\n");
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("accepts what it prints back (round trip through presentation form, property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        (octets, t) => {
          const rdata = octets.map(([a, b]) => `10.${a}.${b}.1`);
          const [o] = parseNdjsonBatch(
            JSON.stringify({ rrname: "h.example", rrtype: "A", rdata, time_first: t, time_last: t, bailiwick: "example" }),
            NOW,
          );
          const back = (o?.rdata ?? []).map((r) => rdataToString(1, 1, r));
          expect(back).toEqual(
            [...new Set(rdata)].sort((x, y) =>
              Buffer.compare(Buffer.from(x.split(".").map(Number)), Buffer.from(y.split(".").map(Number))),
            ),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("decodeBody", () => {
  const text = '{"rrname":"a.example","rrtype":"A","rdata":"192.0.2.1"}\n';
  it("takes identity and gzip bodies", () => {
    expect(decodeBody(Buffer.from(text), undefined, 1000)).toBe(text);
    expect(decodeBody(gzipSync(text), "gzip", 1000)).toBe(text);
  });
  it("refuses a body past the limit, a gzip bomb included, with TOO_LARGE", () => {
    expect(errorOf(() => decodeBody(Buffer.from(text), "identity", 10))).toMatch(/^ERR_TOO_LARGE/);
    expect(errorOf(() => decodeBody(gzipSync(Buffer.alloc(10_000_000)), "gzip", 1_000_000))).toMatch(/^ERR_TOO_LARGE/);
  });
  it("refuses bad gzip, other encodings and bad UTF-8", () => {
    expect(errorOf(() => decodeBody(Buffer.from("not gzip"), "gzip", 1000))).toMatch(/^ERR_BAD_BATCH body: not a valid gzip/);
    expect(errorOf(() => decodeBody(Buffer.from(text), "br", 1000))).toMatch(/^ERR_UNSUPPORTED/);
    expect(errorOf(() => decodeBody(Buffer.from([0xff, 0xfe, 0x41]), undefined, 1000))).toMatch(/^ERR_BAD_BATCH body: not valid UTF-8/);
  });
});

describe("IdempotencyStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "idem-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("remembers keys across a reopen, for the window only, and bounded", () => {
    let now = 1_000_000;
    const path = join(dir, "a.journal");
    const s = new IdempotencyStore(path, { windowMs: 1000, maxKeys: 3, now: () => now });
    s.record("k1", 5, ["sensor"], true);
    s.record("k2", 7, ["logs/dnsmasq"], false);
    s.close();
    const t = new IdempotencyStore(path, { windowMs: 1000, maxKeys: 3, now: () => now });
    expect(t.get("k1")).toEqual({ at: 1_000_000, accepted: 5, parts: ["sensor"], done: true });
    expect(t.get("k2")?.done).toBe(false);
    t.record("k2", 7, ["sensor"], true);
    expect(t.get("k2")).toEqual({ at: 1_000_000, accepted: 7, parts: ["logs/dnsmasq", "sensor"], done: true });
    now += 500;
    t.record("k3", 1, ["sensor"], true);
    t.record("k4", 1, ["sensor"], true);
    // bounded: k1, the oldest, is forgotten first
    expect(t.size).toBe(3);
    expect(t.get("k1")).toBeNull();
    now += 600;
    // past the window
    expect(t.get("k2")).toBeNull();
    expect(t.get("k3")).not.toBeNull();
    t.close();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("ignores a torn last line", async () => {
    const { appendFileSync } = await import("node:fs");
    const path = join(dir, "b.journal");
    const s = new IdempotencyStore(path);
    s.record("x", 1, ["sensor"], true);
    s.close();
    appendFileSync(path, '{"k":"y","t":1');
    const t = new IdempotencyStore(path);
    expect(t.get("x")?.accepted).toBe(1);
    expect(t.get("y")).toBeNull();
    t.close();
  });

  it("checks keys", () => {
    expect(validIdempotencyKey("abc-123")).toBe(true);
    expect(validIdempotencyKey("")).toBe(false);
    expect(validIdempotencyKey("a b")).toBe(false);
    expect(validIdempotencyKey("x".repeat(201))).toBe(false);
  });
});
