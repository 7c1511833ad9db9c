import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { addressText, Enricher, isEnrichError, Lru, MmdbDatabase, SeenSet, WatchedDatabase } from "../src/index.js";
import { haveMmdblookup, mmdblookup } from "./mmdblookup.js";

const fx = (n: string): string => join(import.meta.dirname, "fixtures", n);
const tmp = mkdtempSync(join(tmpdir(), "dnsrep-enrich-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const v4 = (s: string): Uint8Array => Uint8Array.from(s.split(".").map(Number));
const v6 = (s: string): Uint8Array => {
  const [h, t] = s.split("::") as [string, string | undefined];
  const hs = h === "" ? [] : h.split(":");
  const ts = t === undefined || t === "" ? [] : t.split(":");
  const groups = [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = Number.parseInt(g, 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 255;
  });
  return out;
};

// addresses in, between and outside the fixtures' networks
const SAMPLES = [
  "192.0.2.1",
  "192.0.2.127",
  "192.0.2.128",
  "192.0.2.255",
  "198.51.100.7",
  "203.0.113.9",
  "10.1.2.3",
  "8.8.8.8",
  "0.0.0.0",
  "2001:db8::1",
  "2001:db8:7fff::1",
  "2001:db8:8000::1",
  "2001:db8:ffff::ff",
  "2001:db9::1",
];
const bytes = (s: string): Uint8Array => (s.includes(":") ? v6(s) : v4(s));

describe("MmdbDatabase", () => {
  it("reads the build date from the metadata", () => {
    expect(MmdbDatabase.open(fx("country-v1.mmdb")).buildEpoch).toBe(1_767_225_600);
    expect(MmdbDatabase.open(fx("asn-v2.mmdb")).buildEpoch).toBe(1_769_904_000);
  });

  it.skipIf(!haveMmdblookup)("agrees with mmdblookup on every value, both versions, IPv4 and IPv6", () => {
    for (const v of [1, 2]) {
      const c = MmdbDatabase.open(fx(`country-v${v}.mmdb`));
      const a = MmdbDatabase.open(fx(`asn-v${v}.mmdb`));
      for (const ip of SAMPLES) {
        expect(c.lookup(bytes(ip)).country ?? null, `${ip} v${v}`).toBe(mmdblookup(c.path, ip, ["country", "iso_code"]));
        const ans = a.lookup(bytes(ip));
        expect(ans.asn ?? null).toBe(mmdblookup(a.path, ip, ["autonomous_system_number"]));
        expect(ans.asOrg ?? null).toBe(mmdblookup(a.path, ip, ["autonomous_system_organization"]));
      }
    }
  });

  it("v2 moves some networks (the fixtures tell a swap apart)", () => {
    const a1 = MmdbDatabase.open(fx("asn-v1.mmdb")).lookup(v4("192.0.2.200"));
    const a2 = MmdbDatabase.open(fx("asn-v2.mmdb")).lookup(v4("192.0.2.200"));
    expect(a1).toEqual({ asn: 64497, asOrg: "Exemple Hébergement SAS" });
    expect(a2).toEqual({ asn: 64511, asOrg: "Moved Hosting B.V." });
  });

  it("missing, empty, truncated and non-mmdb files: one-line EnrichError", () => {
    const good = readFileSync(fx("country-v1.mmdb"));
    const cases: [string, Buffer | null, string][] = [
      ["missing.mmdb", null, "OPEN"],
      ["empty.mmdb", Buffer.alloc(0), "FORMAT"],
      ["half.mmdb", good.subarray(0, good.length >> 1), "FORMAT"],
      ["text.mmdb", Buffer.from("not a database\n"), "FORMAT"],
    ];
    for (const [name, content, code] of cases) {
      const p = join(tmp, name);
      if (content !== null) writeFileSync(p, content);
      try {
        MmdbDatabase.open(p);
        expect.unreachable(name);
      } catch (e) {
        expect(isEnrichError(e) && e.code).toBe(code);
        expect((e as Error).message).not.toContain("\n");
        expect((e as Error).message).toContain(p);
      }
    }
  });

  it("random and bit-flipped databases never throw anything but EnrichError, and lookups never throw", () => {
    const good = readFileSync(fx("asn-v1.mmdb"));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
          fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
            const b = Buffer.from(good);
            for (const [i, x] of flips) b[i] = (b[i] as number) ^ x;
            return b;
          }),
          fc.nat(good.length).map((n) => good.subarray(0, n)),
        ),
        (buf) => {
          let db: MmdbDatabase;
          try {
            db = MmdbDatabase.fromBuffer(buf);
          } catch (e) {
            expect(isEnrichError(e)).toBe(true);
            return;
          }
          for (const ip of SAMPLES) db.lookup(bytes(ip));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("addressText gives what the reader parses, for any address", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (a) => {
        const t = addressText(a);
        expect(a.length === 4 ? v4(t) : v6(t)).toEqual(a);
      }),
    );
  });
});

describe("WatchedDatabase", () => {
  it("picks up a swapped file; a half-written or corrupt one keeps the old database, reported once", () => {
    const p = join(tmp, "watched.mmdb");
    copyFileSync(fx("asn-v1.mmdb"), p);
    const events: string[] = [];
    const w = new WatchedDatabase(p, { pollMs: 0, onEvent: (e) => events.push(e.type) });
    expect(w.db.lookup(v4("192.0.2.200")).asn).toBe(64497);
    expect(w.check()).toBe(false);
    const v2 = readFileSync(fx("asn-v2.mmdb"));
    writeFileSync(p, v2.subarray(0, v2.length - 100)); // half-written
    expect(w.check()).toBe(false);
    expect(w.check()).toBe(false);
    expect(w.db.lookup(v4("192.0.2.200")).asn).toBe(64497);
    expect(events).toEqual(["error"]);
    rmSync(p);
    expect(w.check()).toBe(false);
    expect(w.db.lookup(v4("192.0.2.200")).asn).toBe(64497);
    writeFileSync(p, v2);
    expect(w.check()).toBe(true);
    expect(w.db.lookup(v4("192.0.2.200")).asn).toBe(64511);
    expect(w.db.buildEpoch).toBe(1_769_904_000);
    expect(events).toEqual(["error", "error", "swap"]);
    w.close();
  });

  it("polls on its own timer", async () => {
    const p = join(tmp, "polled.mmdb");
    copyFileSync(fx("country-v1.mmdb"), p);
    const w = new WatchedDatabase(p, { pollMs: 20 });
    copyFileSync(fx("country-v2.mmdb"), p);
    for (let i = 0; i < 200 && w.generation === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(w.db.lookup(v4("192.0.2.200")).country).toBe("NL");
    w.close();
  });
});

describe("Enricher", () => {
  it("stamps with both databases and their build dates; its cache empties on a swap", () => {
    const c = join(tmp, "e-country.mmdb");
    const a = join(tmp, "e-asn.mmdb");
    copyFileSync(fx("country-v1.mmdb"), c);
    copyFileSync(fx("asn-v1.mmdb"), a);
    const e = new Enricher({ geoipDb: c, asnDb: a, pollMs: 0, cacheSize: 4 });
    expect(e.lookup(v4("203.0.113.9"))).toEqual({
      country: "BR",
      asn: 64499,
      asOrg: "Exemplo Telecom",
      countryBuild: 1_767_225_600,
      asnBuild: 1_767_225_600,
    });
    expect(e.lookup(v4("8.8.8.8"))).toEqual({ countryBuild: 1_767_225_600, asnBuild: 1_767_225_600 });
    copyFileSync(fx("country-v2.mmdb"), c);
    copyFileSync(fx("asn-v2.mmdb"), a);
    e.check();
    expect(e.lookup(v4("203.0.113.9"))).toEqual({
      country: "US",
      asn: 64500,
      asOrg: "Example Backbone Inc",
      countryBuild: 1_769_904_000,
      asnBuild: 1_769_904_000,
    });
    e.close();
  });

  it("a country database alone leaves the ASN fields out", () => {
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), pollMs: 0 });
    expect(e.lookup(v6("2001:db8::1"))).toEqual({ country: "NL", countryBuild: 1_767_225_600, asnBuild: 0 });
    e.close();
  });
});

describe("Lru", () => {
  it("keeps at most max entries, forgetting the least recently used", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(20), { maxLength: 100 }), (max, ops) => {
        const l = new Lru<number, number>(max);
        const model: number[] = [];
        for (const k of ops) {
          if (l.get(k) === undefined) l.set(k, k);
          const i = model.indexOf(k);
          if (i >= 0) model.splice(i, 1);
          model.push(k);
          if (model.length > max) model.shift();
          expect(l.size).toBe(model.length);
        }
        for (const k of model) expect(l.get(k)).toBe(k);
      }),
    );
  });
});

describe("SeenSet", () => {
  it("holds at most max keys, and every key added within the last max/2 additions", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 16 }), fc.array(fc.nat(40), { maxLength: 200 }), (max, ops) => {
        const s = new SeenSet(max);
        const recent: number[] = [];
        for (const k of ops) {
          if (!s.has(String(k))) s.add(String(k));
          recent.push(k);
          expect(s.size).toBeLessThanOrEqual(max);
        }
        for (const k of recent.slice(-(max >> 1))) expect(s.has(String(k))).toBe(true);
      }),
    );
  });
});
