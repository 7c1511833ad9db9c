/** Property tests: random and bit-flipped input to every parser of this package. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DnsCache } from "./dns-cache.js";
import { FilterListError, parseFilterList } from "./filter-list.js";
import { parseRootHints, RootHintsError } from "./root-hints.js";
import { ZoneCache } from "./zones.js";

// a referral from 10.0.0.1 (the root in these hints): test. NS ns.nic.test. + glue
const REFERRAL = Uint8Array.from([
  0, 1, 0x80, 0, 0, 1, 0, 0, 0, 1, 0, 1, 3, 119, 119, 119, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1, 4, 116, 101, 115, 116, 0, 0, 2, 0, 1, 0, 0,
  14, 16, 0, 13, 2, 110, 115, 3, 110, 105, 99, 4, 116, 101, 115, 116, 0, 2, 110, 115, 3, 110, 105, 99, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1,
  0, 0, 14, 16, 0, 4, 10, 0, 0, 2,
]);
const HINTS = ".  3600000  NS  a.root.test.\na.root.test.  3600000  A  10.0.0.1\n";

describe("properties", () => {
  it("the vetted referral is accepted as is", () => {
    const c = new DnsCache(() => {}, { zones: ZoneCache.withRootHints(HINTS) });
    c.response(REFERRAL, Uint8Array.of(10, 0, 0, 1), 1, 0);
    expect(c.stats.accepted).toBe(2);
  });

  it("random and bit-flipped responses are judged or counted, never thrown", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 6 }).map((flips) => {
            const b = REFERRAL.slice();
            for (const [i, bit] of flips) b[i % b.length]! ^= 1 << bit;
            return b;
          }),
        ),
        (msg) => {
          const out: unknown[] = [];
          const c = new DnsCache((d) => out.push(d), { zones: ZoneCache.withRootHints(HINTS) });
          c.response(msg, Uint8Array.of(10, 0, 0, 1), 1, 0);
          c.flush();
          const s = c.stats;
          expect(s.responses).toBe(1);
          // every insertion expires by the flush (AUTHORITATIVE may follow a SOA)
          expect(c.cache.stats.inserts).toBe(c.cache.stats.expirations);
          expect(out.length).toBeGreaterThanOrEqual(2 * c.cache.stats.expirations);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("root hints and filter lists: any text parses or fails with a typed error naming a line", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const [parse, E] of [
          [parseRootHints, RootHintsError],
          [parseFilterList, FilterListError],
        ] as const) {
          try {
            parse(text);
          } catch (e) {
            expect(e).toBeInstanceOf(E);
            expect((e as { line: number }).line).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
