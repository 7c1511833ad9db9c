import type { DnsDedupe } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DedupeCache, DedupeType, dedupeKey, ENTRY_OVERHEAD, parseDedupeKey } from "./cache.js";
import { nameKey } from "./names.js";

const name = (s: string): string =>
  nameKey(Uint8Array.from([...s.split(".").flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]), 0]));
const IP = Uint8Array.of(192, 0, 2, 53);
const key = (owner: string, rd = 1): string => dedupeKey(name(owner), name("example"), 1, 1, [Uint8Array.of(10, 0, 0, rd)]);

function cache(opts: { maxEntries?: number; maxBytes?: number }): { c: DedupeCache; out: [DnsDedupe, number][] } {
  const out: [DnsDedupe, number][] = [];
  const c = new DedupeCache((d, sec) => out.push([d, sec]), opts);
  return { c, out };
}

const summary = (out: [DnsDedupe, number][]): string[] =>
  out.map(
    ([d, sec]) =>
      `${["INS", "EXP", "", "AUTH"][d.type!]} ${String.fromCharCode(...d.rrname!.subarray(1, 1 + d.rrname![0]!))} n=${d.count} ${d.time_first ?? d.zone_time_first}-${d.time_last ?? d.zone_time_last} @${sec}`,
  );

describe("FIFO de-duplication cache", () => {
  it("inserts once, counts hits, and expires oldest-first when full (FIFO, not LRU)", () => {
    const { c, out } = cache({ maxEntries: 3 });
    c.observe(key("a"), 60, IP, 10, 0, false);
    c.observe(key("b"), 60, IP, 11, 0, false);
    c.observe(key("c"), 60, IP, 12, 0, false);
    c.observe(key("a"), 60, IP, 13, 0, false); // a hit does not make "a" younger
    c.observe(key("a"), 60, IP, 14, 0, false);
    c.observe(key("d"), 60, IP, 15, 0, false); // full: "a" leaves first
    expect(summary(out)).toEqual([
      "INS a n=1 10-10 @10",
      "INS b n=1 11-11 @11",
      "INS c n=1 12-12 @12",
      "INS d n=1 15-15 @15",
      "EXP a n=3 10-14 @15",
    ]);
    c.observe(key("b"), 60, IP, 16, 0, false);
    c.flush();
    expect(summary(out).slice(5)).toEqual(["EXP b n=2 11-16 @16", "EXP c n=1 12-12 @16", "EXP d n=1 15-15 @16"]);
    expect(c.stats).toMatchObject({ hits: 3, inserts: 4, expirations: 4, entries: 0, bytes: 0 });
  });

  it("is bounded by bytes too", () => {
    const k = key("a");
    const { c, out } = cache({ maxBytes: 3 * (k.length + ENTRY_OVERHEAD) });
    for (let i = 0; i < 10; i++) c.observe(key("a", i), 60, IP, i, 0, false);
    expect(c.stats.entries).toBe(3);
    expect(out.filter(([d]) => d.type === DedupeType.EXPIRATION)).toHaveLength(7);
  });

  it("reports AUTHORITATIVE with zone times after the EXPIRATION of an authoritative SOA", () => {
    const { c, out } = cache({});
    const soa = dedupeKey(name("z"), name("z"), 6, 1, [new Uint8Array(22)]);
    c.observe(soa, 300, IP, 100, 0, true);
    c.observe(soa, 300, IP, 200, 0, false);
    c.flush();
    expect(summary(out)).toEqual(["INS z n=1 100-100 @100", "EXP z n=2 100-200 @200", "AUTH z n=2 100-200 @200"]);
  });

  it("keys round-trip through parseDedupeKey for any names, types and rdata", () => {
    const label = fc.uint8Array({ minLength: 1, maxLength: 20 });
    const wire = fc.array(label, { maxLength: 4 }).map((ls) => Uint8Array.from([...ls.flatMap((l) => [l.length, ...l]), 0]));
    fc.assert(
      fc.property(
        wire,
        wire,
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 5 }),
        (o, b, t, cl, rds) => {
          const k = dedupeKey(nameKey(o), nameKey(b), t, cl, rds);
          expect(/^[\0-\xff]*$/.test(k)).toBe(true); // a one-byte string
          const p = parseDedupeKey(k);
          expect([p.rrtype, p.rrclass, p.rdata.map((r) => [...r])]).toEqual([t, cl, rds.map((r) => [...r])]);
          expect(nameKey(p.rrname)).toBe(nameKey(o));
          expect(nameKey(p.bailiwick)).toBe(nameKey(b));
        },
      ),
      { numRuns: 200 },
    );
  });
});
