import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Aggregator } from "./aggregate.js";
import type { Association, Observation } from "./observation.js";

const a = (rrname: string, rdata: string, time: number | null, rrtype = "A"): Association => ({
  rrname,
  rrtype,
  rdata,
  time,
});

describe("Aggregator", () => {
  it("counts per (rrname, rrtype, rdata) with floored first/last and sorted output", () => {
    const g = new Aggregator({ source: "t" });
    g.add(a("b.test", "192.0.2.2", 100.9));
    g.add(a("a.test", "192.0.2.1", 200.5));
    g.add(a("a.test", "192.0.2.1", 150.2));
    g.add(a("a.test", "192.0.2.1", null));
    g.add(a("a.test", "a.test", 10, "CNAME"));
    expect(g.size).toBe(3);
    expect(g.drain()).toEqual([
      { rrname: "a.test", rrtype: "A", rdata: "192.0.2.1", time_first: 150, time_last: 200, count: 3, source: "t" },
      { rrname: "a.test", rrtype: "CNAME", rdata: "a.test", time_first: 10, time_last: 10, count: 1, source: "t" },
      { rrname: "b.test", rrtype: "A", rdata: "192.0.2.2", time_first: 100, time_last: 100, count: 1, source: "t" },
    ]);
    expect(g.size).toBe(0);
  });

  it("keeps null times when no line had one", () => {
    const g = new Aggregator({ source: "kresd" });
    g.add(a("ns.test", "192.0.2.1", null));
    g.add(a("ns.test", "192.0.2.1", null));
    expect(g.drain()[0]).toMatchObject({ time_first: null, time_last: null, count: 2 });
  });

  it("evicts the least recently updated entry past maxEntries", () => {
    const out: Observation[] = [];
    const g = new Aggregator({ source: "t", maxEntries: 2, onEvict: (o) => out.push(o) });
    g.add(a("a.test", "192.0.2.1", 1));
    g.add(a("b.test", "192.0.2.1", 2));
    g.add(a("a.test", "192.0.2.1", 3)); // a is now the most recent
    g.add(a("c.test", "192.0.2.1", 4));
    expect(out.map((o) => o.rrname)).toEqual(["b.test"]);
    expect(g.size).toBe(2);
    expect(g.evictions).toBe(1);
  });

  it("rejects a bad bound", () => {
    expect(() => new Aggregator({ source: "t", maxEntries: 0 })).toThrow(RangeError);
  });

  it("with or without a bound, the counts add up to the associations given (model check)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            n: fc.integer({ min: 0, max: 5 }),
            t: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
          }),
        ),
        fc.integer({ min: 1, max: 4 }),
        (items, bound) => {
          const spilled: Observation[] = [];
          const g = new Aggregator({ source: "t", maxEntries: bound, onEvict: (o) => spilled.push(o) });
          const model = new Map<string, { count: number; first: number | null; last: number | null }>();
          for (const { n, t } of items) {
            g.add(a(`n${n}.test`, "192.0.2.1", t));
            const m = model.get(`n${n}.test`) ?? { count: 0, first: null, last: null };
            m.count++;
            if (t !== null) {
              m.first = m.first === null ? t : Math.min(m.first, t);
              m.last = m.last === null ? t : Math.max(m.last, t);
            }
            model.set(`n${n}.test`, m);
          }
          const all = [...spilled, ...g.drain()];
          expect(g.size).toBe(0);
          for (const [name, m] of model) {
            const rows = all.filter((o) => o.rrname === name);
            expect(rows.reduce((s, o) => s + o.count, 0)).toBe(m.count);
            const firsts = rows.map((o) => o.time_first).filter((x): x is number => x !== null);
            const lasts = rows.map((o) => o.time_last).filter((x): x is number => x !== null);
            expect(firsts.length ? Math.min(...firsts) : null).toBe(m.first);
            expect(lasts.length ? Math.max(...lasts) : null).toBe(m.last);
          }
          if (bound >= 6) expect(spilled).toEqual([]);
        },
      ),
    );
  });
});
