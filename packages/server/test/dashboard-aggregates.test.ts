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
  EnrichCounts,
  encodeAggregates,
  loadAggregates,
  registeredDomain,
  SpaceSaving,
  type StampOf,
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

function toObs(o: Omit<ObsIn, "name"> & { name: string }): DashObservation {
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

/** A fixed enrichment by the address's last byte: 0–5 placed, 6 only an ASN, 7 unknown to both. */
const PLACES: { asn?: number; asOrg?: string; country?: string }[] = [
  { asn: 64496, asOrg: "Example Transit GmbH", country: "DE" },
  { asn: 64497, asOrg: "Exemple Hébergement SAS", country: "FR" },
  { asn: 64496, asOrg: "Example Transit GmbH", country: "FR" },
  { asn: 64498, asOrg: "Example Cloud KK", country: "JP" },
  { asn: 64499, country: "BR" },
  { country: "NL" },
  { asn: 64500, asOrg: "Example Backbone Inc" },
  {},
];
const stampOf: StampOf = (a) => PLACES[(a[a.length - 1] as number) % PLACES.length] as (typeof PLACES)[number];
const NOW_S = 1_800_000_000;

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
        for (const o of obs) {
          whole.observe(toObs(o), o.source);
          whole.observeStamps(toObs(o), stampOf, NOW_S);
        }
        rmSync(path, { force: true });
        const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, obs.length)), obs.length])].sort((a, b) => a - b);
        for (let i = 0; i + 1 < bounds.length; i++) {
          const a = loadAggregates(path, LIMITS);
          for (const o of obs.slice(bounds[i], bounds[i + 1])) {
            a.observe(toObs(o), o.source);
            a.observeStamps(toObs(o), stampOf, NOW_S);
          }
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

  it("counts each A/AAAA address by ASN, country and (country, ASN) with the observation's count, as plain maps do", () => {
    fc.assert(
      fc.property(fc.array(obsArb, { maxLength: 80 }), (obs) => {
        const a = new Aggregates(LIMITS);
        const asns = new Map<number, number>();
        const countries = new Map<string, number>();
        const pairs = new Map<string, number>();
        let total = 0;
        let withoutAsn = 0;
        for (const o of obs) {
          a.observeStamps(toObs(o), stampOf, NOW_S + total);
          if (o.rrtype !== 1 && o.rrtype !== 28) continue;
          const p = PLACES[o.addr] as (typeof PLACES)[number];
          total += o.count;
          const cc = p.country ?? "unknown";
          countries.set(cc, (countries.get(cc) ?? 0) + o.count);
          pairs.set(`${cc}|${p.asn ?? null}`, (pairs.get(`${cc}|${p.asn ?? null}`) ?? 0) + o.count);
          if (p.asn === undefined) withoutAsn += o.count;
          else asns.set(p.asn, (asns.get(p.asn) ?? 0) + o.count);
        }
        const e = a.enrich;
        expect(e.total).toBe(total);
        expect(e.withoutAsn).toBe(withoutAsn);
        expect(e.since).toBe(total > 0 ? NOW_S : 0);
        expect(new Map(e.topCountries().map((c) => [c.country, c.count]))).toEqual(countries);
        expect([...e.countries.values()].reduce((x, y) => x + y, 0)).toBe(total);
        // fewer distinct ASNs than the sketch holds: exact, each with its organisation
        const top = e.topAsns(100);
        expect(new Map(top.map((r) => [r.asn, r.count]))).toEqual(asns);
        for (const r of top) {
          expect(r.error).toBe(0);
          expect(r.as_org).toBe(PLACES.find((p) => p.asn === r.asn)?.asOrg ?? "");
        }
        expect(new Map(e.breakdown(100).map((r) => [`${r.country}|${r.asn}`, r.count]))).toEqual(pairs);
        // heaviest first
        const counts = top.map((r) => r.count);
        expect(counts).toEqual([...counts].sort((x, y) => y - x));
      }),
    );
  });

  it("keeps the ASN counts bounded: 100k ASNs hold topCapacity keys and at most twice that many organisations; odd country codes are 'unknown'", () => {
    const e = new EnrichCounts(50);
    for (let i = 0; i < 100_000; i++)
      e.add(
        { asn: 1 + i, asOrg: `Org ${i}`, country: i % 7 === 0 ? "de" : String.fromCharCode(65 + (i % 26), 65 + ((i >> 5) % 26)) },
        1 + (i % 3),
        NOW_S,
      );
    // one heavy ASN stays held through it all
    for (let i = 0; i < 10; i++) e.add({ asn: 64496, asOrg: "Heavy", country: "DE" }, 1000, NOW_S);
    expect(e.asns.size).toBe(50);
    expect(e.pairs.size).toBe(50);
    expect(e.asOrgs.size).toBeLessThanOrEqual(100);
    expect(e.countries.size).toBeLessThanOrEqual(26 * 26 + 1);
    expect(e.countries.get("unknown")).toBeGreaterThan(0);
    expect(e.countries.has("de")).toBe(false);
    expect(e.topAsns(1)[0]).toMatchObject({ asn: 64496, as_org: "Heavy" });
    // over-estimates only, by at most the error shown
    for (const r of e.topAsns(50)) expect(r.count - r.error).toBeLessThanOrEqual(r.asn === 64496 ? 10_000 : 3);
    expect(JSON.stringify(e.toJSON()).length).toBeLessThan(20_000);
  });

  it("reads a version 1 file (no enrichment counts: they start empty) and writes version 2", () => {
    const a = new Aggregates(LIMITS);
    for (let i = 0; i < 8; i++) {
      const o = toObs({ name: `h${i}.example.com`, rrtype: 1, addr: i, first: i * 60, span: 10, count: 2 + i, source: "sensor" });
      a.observe(o, "sensor");
      a.observeStamps(o, stampOf, NOW_S);
    }
    const v2 = encodeAggregates(a);
    expect(new TextDecoder().decode(v2.subarray(0, 12))).toBe("DNSREPDASH2\n");
    // the version 1 layout: same, without `enrich` in the JSON, under the old magic
    const jl = new DataView(v2.buffer).getUint32(12, true);
    const { enrich, ...state } = JSON.parse(new TextDecoder().decode(v2.subarray(16, 16 + jl))) as Record<string, unknown>;
    expect(enrich).toBeDefined();
    const json = new TextEncoder().encode(JSON.stringify(state));
    const filters = v2.subarray(16 + jl);
    const v1 = new Uint8Array(16 + json.length + filters.length);
    v1.set(new TextEncoder().encode("DNSREPDASH1\n"));
    new DataView(v1.buffer).setUint32(12, json.length, true);
    v1.set(json, 16);
    v1.set(filters, 16 + json.length);
    const path = join(dir, "v1.bin");
    writeFileSync(path, v1);
    const old = loadAggregates(path, LIMITS);
    expect(old.observations).toBe(8);
    expect(old.topNames(100)).toEqual(a.topNames(100));
    expect(old.topAddresses(100)).toEqual(a.topAddresses(100));
    expect(old.enrich.total).toBe(0);
    expect(old.enrich.since).toBe(0);
    expect(old.enrich.topAsns(10)).toEqual([]);
    expect(old.enrich.topCountries()).toEqual([]);
    // counted into, saved again: version 2, the new counts kept
    old.observeStamps(
      toObs({ name: "z.example.com", rrtype: 28, addr: 3, first: 0, span: 0, count: 5, source: "zeek" }),
      stampOf,
      NOW_S + 9,
    );
    saveAggregates(path, old);
    const back = loadAggregates(path, LIMITS);
    expect(back.enrich.topCountries()).toEqual([{ country: "JP", count: 5 }]);
    expect(back.enrich.topAsns(10)).toEqual([{ asn: 64498, as_org: "Example Cloud KK", count: 5, error: 0 }]);
    expect(back.enrich.since).toBe(NOW_S + 9);
    // and version 2 round-trips the enrichment counts exactly
    expect(Buffer.from(encodeAggregates(decodeAggregates(v2, LIMITS))).equals(Buffer.from(v2))).toBe(true);
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
