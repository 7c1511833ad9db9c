import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameFromString } from "@dnsrep/wdns";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { addressText, Enricher, isEnrichError, MmdbDatabase, PairSet, SeenMap, WatchedDatabase } from "../src/index.js";
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

describe("Enricher caches", () => {
  // networks of the fixtures: 192.0.2.0/25 and /25 (narrower than the /24 answers are cached for),
  // /24s, 10.0.0.0/8, 2001:db8::/33 twice, and addresses none has
  const address = fc.oneof(
    fc
      .tuple(fc.constantFrom([192, 0, 2], [198, 51, 100], [203, 0, 113], [10, 1, 2], [8, 8, 8]), fc.nat(255))
      .map(([net, d]) => Uint8Array.of(...net, d)),
    fc.uint8Array({ minLength: 4, maxLength: 4 }),
    fc
      .tuple(fc.nat(0xffff), fc.uint8Array({ minLength: 10, maxLength: 10 }))
      .map(([g, rest]) => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, g >> 8, g & 255, ...rest)),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
  );

  it("a cached answer (by /24 or /48 network, or by address) is the databases' answer for that address", () => {
    const c = MmdbDatabase.open(fx("country-v2.mmdb"));
    const a = MmdbDatabase.open(fx("asn-v2.mmdb"));
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 60 }), fc.integer({ min: 2, max: 8 }), (addrs, size) => {
        const e = new Enricher({ geoipDb: fx("country-v2.mmdb"), asnDb: fx("asn-v2.mmdb"), pollMs: 0, cacheSize: size });
        // twice: the second round is answered from the caches where they hold the address
        for (const x of [...addrs, ...addrs]) {
          const got = e.lookup(x);
          const ca = c.lookup(x);
          const aa = a.lookup(x);
          expect(got.country).toBe(ca.country);
          expect(got.asn).toBe(aa.asn);
          expect(got.asOrg).toBe(aa.asOrg);
        }
        e.close();
      }),
      { numRuns: 200 },
    );
  });

  it("lookupNetwork gives the network length the answer holds for", () => {
    const a = MmdbDatabase.open(fx("asn-v1.mmdb"));
    expect(a.lookupNetwork(v4("192.0.2.200"))).toEqual({ answer: { asn: 64497, asOrg: "Exemple Hébergement SAS" }, prefix: 25 });
    expect(a.lookupNetwork(v4("10.200.1.2")).prefix).toBe(8);
    expect(a.lookupNetwork(v6("2001:db8:8000::1")).prefix).toBe(33);
    // the same answer everywhere in the network, and another just outside it
    expect(a.lookup(v4("192.0.2.128")).asn).toBe(64497);
    expect(a.lookup(v4("192.0.2.127")).asn).toBe(64496);
  });
});

describe("SeenMap", () => {
  it("holds at most max entries, and every entry set or hit within the last max/2 operations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 16 }), fc.array(fc.nat(40), { maxLength: 200 }), (max, ops) => {
        const m = new SeenMap<number, number>(max);
        const recent: number[] = [];
        for (const k of ops) {
          const v = m.get(k);
          if (v === undefined) m.set(k, k * 2);
          else expect(v).toBe(k * 2);
          recent.push(k);
          expect(m.size).toBeLessThanOrEqual(max);
        }
        for (const k of recent.slice(-(max >> 1))) expect(m.get(k)).toBe(k * 2);
        m.clear();
        expect(m.size).toBe(0);
      }),
    );
  });
});

describe("PairSet", () => {
  const name = fc
    .array(fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/), { minLength: 1, maxLength: 3 })
    .map((labels) => nameFromString(`${labels.join(".")}.`));
  const pair = fc.tuple(name, fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })));
  const key = ([n, a]: [Uint8Array, Uint8Array]): string =>
    `${Buffer.from(n).toString("latin1").toLowerCase()}|${Buffer.from(a).toString("hex")}`;

  it("holds the pairs added within the last max/2 additions, the name in any case, and no pair never added", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }),
        fc.array(pair, { maxLength: 100 }),
        fc.array(pair, { maxLength: 20 }),
        (max, adds, probes) => {
          const s = new PairSet(max);
          const added = new Set<string>();
          for (const p of adds) {
            if (!s.has(p[0], p[1])) s.add(p[0], p[1]);
            added.add(key(p));
            expect(s.size).toBeLessThanOrEqual(max);
          }
          for (const [n, a] of adds.slice(-(max >> 1))) {
            expect(s.has(n, a)).toBe(true);
            expect(s.has(upper(n), a)).toBe(true);
          }
          for (const p of probes) if (!added.has(key(p))) expect(s.has(p[0], p[1])).toBe(false);
        },
      ),
    );
  });

  it("hash, hasHash and addHash agree with has and add", () => {
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 60 }), fc.array(pair, { maxLength: 20 }), (adds, probes) => {
        const byPair = new PairSet(64);
        const byHash = new PairSet(64);
        const h = new Uint32Array(2);
        for (const [n, a] of adds) {
          byPair.add(n, a);
          PairSet.hash(upper(n), a, h, 0);
          byHash.addHash(h[0] as number, h[1] as number);
        }
        for (const [n, a] of [...adds, ...probes]) {
          PairSet.hash(n, a, h, 0);
          expect(byHash.hasHash(h[0] as number, h[1] as number)).toBe(byPair.has(n, a));
        }
      }),
    );
  });

  it("tells apart pairs that differ in one byte of the name or the address", () => {
    const s = new PairSet(16);
    const n = nameFromString("www.example.test.");
    s.add(n, Uint8Array.of(192, 0, 2, 1));
    expect(s.has(n, Uint8Array.of(192, 0, 2, 1))).toBe(true);
    expect(s.has(n, Uint8Array.of(192, 0, 2, 2))).toBe(false);
    expect(s.has(nameFromString("www.example.tesu."), Uint8Array.of(192, 0, 2, 1))).toBe(false);
    expect(s.has(nameFromString("WWW.Example.TEST."), Uint8Array.of(192, 0, 2, 1))).toBe(true);
  });
});

/** the name with its label bytes in upper case */
function upper(n: Uint8Array): Uint8Array {
  return n.map((c) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c));
}
