import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameFromString } from "@dnsrep/wdns";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  Aggregates,
  type DashObservation,
  decodeAggregates,
  encodeAggregates,
  loadAggregates,
  registeredDomain,
  SpaceSaving,
  saveAggregates,
} from "../src/dashboard/index.js";

const LIMITS = { topCapacity: 16, nameFilterBytes: 4096, domainFilterBytes: 1024, newDomains: 8 };
const T0 = 1_700_000_000;

const obsArb = fc.record({
  name: fc.constantFrom("a.example.com", "b.example.com", "www.example.org", "x.y.example.co.uk", "mail.test", "ns1.example.net"),
  rrtype: fc.constantFrom(1, 28, 2, 15, 16),
  addr: fc.integer({ min: 0, max: 7 }),
  first: fc.integer({ min: 0, max: 40 * 86400 }),
  span: fc.integer({ min: 0, max: 86400 }),
  count: fc.integer({ min: 1, max: 1000 }),
  source: fc.constantFrom("sensor", "zeek", "suricata"),
});
type ObsIn = typeof obsArb extends fc.Arbitrary<infer T> ? T : never;

function toObs(o: ObsIn): DashObservation {
  const rdata =
    o.rrtype === 1
      ? [Uint8Array.of(192, 0, 2, o.addr)]
      : o.rrtype === 28
        ? [Uint8Array.of(0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), o.addr)]
        : [Uint8Array.of(o.addr)];
  return {
    rrname: nameFromString(o.name),
    rrtype: o.rrtype,
    rdata,
    timeFirst: T0 + o.first,
    timeLast: T0 + o.first + o.span,
    count: o.count,
  };
}

describe("space-saving sketch", () => {
  it("is exact while the distinct keys fit, and bounded and never under-counting past that", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 50 })), { maxLength: 400 }),
        fc.integer({ min: 1, max: 50 }),
        (items, cap) => {
          const ss = new SpaceSaving(cap);
          const truth = new Map<string, number>();
          for (const [k, w] of items) {
            ss.add(`k${k}`, w);
            truth.set(`k${k}`, (truth.get(`k${k}`) ?? 0) + w);
          }
          const total = items.reduce((s, [, w]) => s + w, 0);
          expect(ss.size).toBeLessThanOrEqual(cap);
          expect(ss.total).toBe(total);
          const held = new Map(ss.top(cap).map((h) => [h.key, h]));
          for (const [k, w] of truth) {
            const h = held.get(k);
            if (truth.size <= cap) expect(h).toEqual({ key: k, weight: w, error: 0 });
            if (h !== undefined) {
              expect(h.weight).toBeGreaterThanOrEqual(w);
              expect(h.weight - h.error).toBeLessThanOrEqual(w);
            }
            // a key heavier than total / capacity is always held
            if (w > total / cap) expect(h).toBeDefined();
          }
        },
      ),
    );
  });

  it("round-trips through its saved form and refuses what is not one", () => {
    const ss = new SpaceSaving(3);
    for (const k of ["a", "b", "a", "c", "d", "a"]) ss.add(k, 2);
    expect(SpaceSaving.fromJSON(JSON.parse(JSON.stringify(ss.toJSON()))).toJSON()).toEqual(ss.toJSON());
    expect(() => SpaceSaving.fromJSON({ items: [[1, 2, 3]], total: 1, capacity: 3 })).toThrow(TypeError);
    expect(() => SpaceSaving.fromJSON(null)).toThrow(TypeError);
  });
});

describe("dashboard aggregates", () => {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-aggs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("incremental (batches, saved and reloaded between them) equals recomputed from scratch", () => {
    const path = join(dir, "inc.bin");
    fc.assert(
      fc.property(fc.array(obsArb, { maxLength: 60 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 5 }), (obs, cuts) => {
        const whole = new Aggregates(LIMITS);
        for (const o of obs) whole.observe(toObs(o), o.source);
        rmSync(path, { force: true });
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, obs.length)), obs.length])].sort((a, b) => a - b);
        for (let i = 0; i + 1 < bounds.length; i++) {
          const a = loadAggregates(path, LIMITS);
          for (const o of obs.slice(bounds[i], bounds[i + 1])) a.observe(toObs(o), o.source);
          saveAggregates(path, a);
        }
        const inc = loadAggregates(path, LIMITS);
        expect(Buffer.from(encodeAggregates(inc)).equals(Buffer.from(encodeAggregates(whole)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("agrees with plain maps: counts by rrtype, names, addresses, new names per source", () => {
    fc.assert(
      // first times within 20 days: none falls out of the 31-day window the buckets keep
      fc.property(
        fc.array(
          obsArb.map((o) => ({ ...o, first: o.first % (20 * 86400) })),
          { maxLength: 80 },
        ),
        (obs) => {
          const a = new Aggregates({ ...LIMITS, topCapacity: 64 });
          const rr = new Map<number, number>();
          const names = new Map<string, number>();
          const seen = new Set<string>();
          const newBy = new Map<string, number>();
          for (const o of obs) {
            a.observe(toObs(o), o.source);
            rr.set(o.rrtype, (rr.get(o.rrtype) ?? 0) + o.count);
            names.set(`${o.name}.`, (names.get(`${o.name}.`) ?? 0) + o.count);
            if (!seen.has(o.name)) {
              seen.add(o.name);
              newBy.set(o.source, (newBy.get(o.source) ?? 0) + 1);
            }
          }
          expect(new Map([...a.rrtypes].map(([t, v]) => [t, v[1]]))).toEqual(rr);
          expect(new Map(a.topNames(100).map((h) => [h.key, h.weight]))).toEqual(names);
          const newNames = new Map<string, number>();
          for (const [s, m] of a.hours) for (const b of m.values()) if (b[1] > 0) newNames.set(s, (newNames.get(s) ?? 0) + b[1]);
          expect(newNames).toEqual(newBy);
          expect(a.observations).toBe(obs.length);
        },
      ),
    );
  });

  it("stays bounded: 200k distinct names keep at most topCapacity each and a fixed-size file", () => {
    const a = new Aggregates({ topCapacity: 100, nameFilterBytes: 1 << 16, domainFilterBytes: 1 << 14, newDomains: 50 });
    for (let i = 0; i < 200_000; i++)
      a.observe(
        {
          rrname: nameFromString(`h${i}.d${i % 5000}.example`),
          rrtype: 1,
          rdata: [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)],
          timeFirst: T0 + i,
          timeLast: T0 + i,
          count: 1,
        },
        `s${i % 3}`,
      );
    expect(a.names.size).toBe(100);
    expect(a.addresses.size).toBe(100);
    expect(a.newDomains.length).toBe(50);
    // 200k seconds of hours, under the 31-day window: one bucket per hour per source
    for (const m of a.hours.values()) expect(m.size).toBeLessThanOrEqual(Math.ceil(200_000 / 3600) + 1);
    expect(encodeAggregates(a).length).toBeLessThan((1 << 16) + (1 << 14) + 120_000);
  });

  it("refuses a damaged file with a TypeError, never another error", () => {
    const a = new Aggregates(LIMITS);
    a.observe(toObs({ name: "a.example.com", rrtype: 1, addr: 1, first: 1, span: 1, count: 3, source: "sensor" }), "sensor");
    const good = encodeAggregates(a);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 0, max: good.length }),
        (at, x, cut) => {
          const bad = good.slice(0, cut === good.length ? good.length : cut);
          if (at < bad.length) bad[at] = (bad[at] as number) ^ x;
          try {
            decodeAggregates(bad, LIMITS);
          } catch (e) {
            expect(e).toBeInstanceOf(TypeError);
          }
        },
      ),
    );
    // well-formed JSON of the wrong shape: any field replaced by any JSON value
    const magic = 12;
    const jl = new DataView(good.buffer).getUint32(magic, true);
    const state = JSON.parse(new TextDecoder().decode(good.subarray(magic + 4, magic + 4 + jl))) as Record<string, unknown>;
    const filters = good.subarray(magic + 4 + jl);
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(state)), fc.jsonValue(), (field, value) => {
        const json = new TextEncoder().encode(JSON.stringify({ ...state, [field]: value }));
        const buf = new Uint8Array(magic + 4 + json.length + filters.length);
        buf.set(good.subarray(0, magic));
        new DataView(buf.buffer).setUint32(magic, json.length, true);
        buf.set(json, magic + 4);
        buf.set(filters, magic + 4 + json.length);
        let back: Aggregates;
        try {
          back = decodeAggregates(buf, LIMITS);
        } catch (e) {
          expect(e).toBeInstanceOf(TypeError);
          return;
        }
        // what is accepted keeps working: counted into, written again
        back.observe(toObs({ name: "b.example.com", rrtype: 1, addr: 2, first: 5, span: 1, count: 1, source: "zeek" }), "zeek");
        expect(decodeAggregates(encodeAggregates(back), LIMITS).observations).toBe(back.observations);
      }),
    );
    const path = join(dir, "bad.bin");
    writeFileSync(path, "not it");
    expect(() => loadAggregates(path, LIMITS)).toThrow(/not a dashboard aggregates file/);
  });

  it("finds registered domains by the public suffix list", () => {
    expect(registeredDomain("a.b.example.co.uk.")).toBe("example.co.uk");
    expect(registeredDomain("www.example.com.")).toBe("example.com");
    expect(registeredDomain("co.uk.")).toBe(null);
    expect(registeredDomain("a\\000b.example.com.")).toBe(null);
  });
});
