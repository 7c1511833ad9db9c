import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createParser } from "../src/formats.js";
import { normalizeName, normalizeValue } from "../src/normalize.js";
import type { Association, LogParser } from "../src/observation.js";
import { fixture } from "./feed.js";

/** The formats of this file, each with its fixture and the options it needs. */
const CASES: { format: string; file: string; opts?: Record<string, string> }[] = [
  { format: "zeek", file: "zeek-dns.log" },
  { format: "zeek-json", file: "zeek-dns.json" },
  { format: "suricata", file: "suricata-eve.json" },
  { format: "passivedns", file: "passivedns.log" },
  { format: "cuckoo", file: "cuckoo-report.json" },
  { format: "cof", file: "cof.jsonl" },
  { format: "dnsdb", file: "dnsdb.jsonl" },
  {
    format: "regex",
    file: "app-resolver.log",
    opts: { regex: "^(?<time>\\S+) resolved (?<domain>\\S+) -> (?<value>\\S+)(?: \\((?<type>\\w+)\\))?$", timeFormat: "rfc3339" },
  },
];

const decoder = new TextDecoder("utf-8", { fatal: false });

/** Every association is in normal form, its time finite or null, its count a positive integer. */
function checkAll(out: readonly Association[]): void {
  for (const a of out) {
    expect(normalizeName(a.rrname)).toBe(a.rrname);
    expect(normalizeValue(a.rrtype, a.rdata)).toBe(a.rdata);
    expect(a.time === null || Number.isFinite(a.time)).toBe(true);
    if (a.count !== undefined) expect(Number.isSafeInteger(a.count) && a.count >= 1).toBe(true);
  }
}

function run(p: LogParser, lines: readonly string[]): Association[] {
  const out: Association[] = [];
  for (const l of lines) out.push(...p.line(l));
  out.push(...p.end());
  return out;
}

describe.each(CASES)("$format: bad input is counted, never a crash", ({ format, file, opts }) => {
  const lines = fixture(file).split("\n");

  it("random lines (ASCII and full Unicode) give valid associations or rejections", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.json()), { maxLength: 30 }),
        (ls) => {
          const p = createParser(format, opts);
          checkAll(run(p, ls));
          expect(p.lines).toBe(ls.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("bit-flipped fixture lines (decoded as invalid UTF-8 would be) give valid associations or rejections", () => {
    const bytes = lines.map((l) => new TextEncoder().encode(l));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const copy = bytes.map((b) => b.slice());
        for (const [li, bi, bit] of flips) {
          const b = copy[li % copy.length] as Uint8Array;
          if (b.length > 0) b[bi % b.length] = (b[bi % b.length] as number) ^ (1 << bit);
        }
        const p = createParser(format, opts);
        checkAll(
          run(
            p,
            copy.map((b) => decoder.decode(b)),
          ),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("a 1 MB line, binary garbage, a NUL-filled line and the fixture cut mid-way are counted", () => {
    const p = createParser(format, opts);
    const garbage = decoder.decode(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    const text = fixture(file);
    const cut = text.slice(0, Math.floor(text.length / 2)).split("\n");
    const out = run(p, ["x".repeat(1 << 20), `{"a":"${"y".repeat(1 << 20)}"}`, garbage, "\0".repeat(1000), ...cut]);
    checkAll(out);
    const rejected = [...p.rejected.values()].reduce((a, b) => a + b, 0);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe("invalid UTF-8", () => {
  it("a line the grammar rejects and that holds U+FFFD (what invalid UTF-8 decodes to) is counted as invalid UTF-8", () => {
    const bad = decoder.decode(Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22));
    for (const format of ["zeek-json", "suricata", "cof", "dnsdb", "passivedns"]) {
      const p = createParser(format);
      p.line(bad);
      expect(Object.fromEntries(p.rejected), format).toEqual({ "invalid UTF-8": 1 });
    }
  });
});
