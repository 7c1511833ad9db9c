import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nameFromString, nameToString } from "@dnsrep/wdns";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { decodeStamp, Enricher, encodeStamp, type Stamp, StampStore, splitStampName, stampName } from "../src/index.js";

const fx = (n: string): string => join(import.meta.dirname, "fixtures", n);
const tmp = mkdtempSync(join(tmpdir(), "dnsrep-stamps-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const a4 = (s: string): Uint8Array => Uint8Array.from(s.split(".").map(Number));

describe("stamp encoding", () => {
  it("round-trips any stamp; random bytes decode to a stamp or null, never throw", () => {
    const stamp = fc.record(
      {
        country: fc.constantFrom("DE", "US", "NL"),
        asn: fc.integer({ min: 1, max: 0xffff_ffff }),
        asOrg: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s === Buffer.from(s).toString()),
        countryBuild: fc.nat({ max: 0xffff_ffff }),
        asnBuild: fc.nat({ max: 0xffff_ffff }),
      },
      { requiredKeys: ["countryBuild", "asnBuild"] },
    );
    fc.assert(
      fc.property(stamp, (s) => {
        expect(decodeStamp(encodeStamp(s as Stamp))).toEqual(s);
      }),
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void decodeStamp(b)));
  });

  it("stamp names split back into (address, rrname); too long a name is not stamped", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (a) => {
        const rrname = nameFromString("www.example.com.");
        const n = stampName(rrname, a) as Uint8Array;
        expect(splitStampName(n)).toEqual({ address: a, rrname });
      }),
    );
    const long = nameFromString(`${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.`);
    expect(stampName(long, new Uint8Array(16))).toBeNull();
  });
});

describe("StampStore", () => {
  it("a restart in the same second under other databases: the stamps made before it still win", async () => {
    const dir = join(tmp, "s-quick");
    const c = join(tmp, "cq.mmdb");
    const a = join(tmp, "aq.mmdb");
    copyFileSync(fx("country-v2.mmdb"), c);
    copyFileSync(fx("asn-v2.mmdb"), a);
    const e = new Enricher({ geoipDb: c, asnDb: a, pollMs: 0 });
    const obs = { rrname: nameFromString("quick.example."), rrtype: 1, rdata: [a4("192.0.2.200")] };
    let st = await StampStore.open(dir); // the real clock
    expect(await st.stamp([obs], e)).toBe(1);
    const closed = Date.now();
    await st.close();
    copyFileSync(fx("country-v1.mmdb"), c); // older databases, which would win a tie
    copyFileSync(fx("asn-v1.mmdb"), a);
    e.check();
    st = await StampStore.open(dir);
    expect(Date.now() - closed).toBeLessThan(2100); // open waits at most for the next second
    expect(await st.stamp([obs], e)).toBe(1); // a new process knows nothing: it writes again
    const snap = st.snapshot();
    try {
      const first = StampStore.lookup(snap.reader(true), obs.rrname, a4("192.0.2.200"));
      expect(first?.stamp).toMatchObject({ asn: 64511, country: "NL", asnBuild: 1_769_904_000 });
      // and the new record is there, later
      const all = [...StampStore.byAsn(snap.reader(true), 64497)];
      expect(all).toEqual([]); // v1's stamp exists but does not win
    } finally {
      snap.release();
    }
    await st.close();
    e.close();
  });

  it("a stamp record keeps only the entries its readers use (RRSET, the ASN and country RDATA), flushed and replayed too", async () => {
    const dir = join(tmp, "s-entries");
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    // the kinds of entry in the store: RRSET, RRSET_NAME_FWD, RDATA of "a", "c", "s"
    const kinds = (st: StampStore): string[] => {
      const snap = st.snapshot();
      try {
        const prefixes: [string, Uint8Array][] = [
          ["rrset", Uint8Array.of(0)],
          ["name_fwd", Uint8Array.of(1)],
          ["rdata a", Uint8Array.of(2, 0x61)],
          ["rdata c", Uint8Array.of(2, 0x63)],
          ["rdata s", Uint8Array.of(2, 0x73)],
        ];
        return prefixes.filter(([, p]) => snap.reader(true).source.getPrefix(p).next()).map(([k]) => k);
      } finally {
        snap.release();
      }
    };
    let now = 1_800_000_000;
    let st = await StampStore.open(dir, { now: () => now });
    const obs = (n: string, ip: string) => ({ rrname: nameFromString(n), rrtype: 1, rdata: [a4(ip)] });
    expect(await st.stamp([obs("e1.example.", "203.0.113.9")], e)).toBe(1);
    expect(kinds(st)).toEqual(["rrset", "rdata a", "rdata c"]);
    await st.flush();
    expect(await st.stamp([obs("e2.example.", "198.51.100.7")], e)).toBe(1);
    await st.close();
    now++;
    st = await StampStore.open(dir, { now: () => now }); // e2's stamp from the WAL
    expect(kinds(st)).toEqual(["rrset", "rdata a", "rdata c"]);
    const snap = st.snapshot();
    try {
      const r = snap.reader(true);
      expect(StampStore.lookup(r, nameFromString("e2.example."), a4("198.51.100.7"))?.stamp).toMatchObject({ asn: 64498, country: "JP" });
      expect([...StampStore.byAsn(r, 64499)].map((p) => nameToString(p.rrname))).toEqual(["e1.example."]);
      expect([...StampStore.byCountry(r, "JP")].map((p) => nameToString(p.rrname))).toEqual(["e2.example."]);
    } finally {
      snap.release();
    }
    await st.close();
    e.close();
  });

  it("first stamp wins across a swap, restarts, flushes; indexes by ASN and country find exactly the winners", async () => {
    const dir = join(tmp, "s1");
    const c = join(tmp, "c.mmdb");
    const a = join(tmp, "a.mmdb");
    copyFileSync(fx("country-v1.mmdb"), c);
    copyFileSync(fx("asn-v1.mmdb"), a);
    const e = new Enricher({ geoipDb: c, asnDb: a, pollMs: 0 });
    let now = 1_800_000_000;
    let st = await StampStore.open(dir, { now: () => now, cacheSize: 2 });
    const obs = (name: string, ...ips: string[]) => ({ rrname: nameFromString(name), rrtype: 1, rdata: ips.map(a4) });
    expect(await st.stamp([obs("one.example.", "192.0.2.200", "203.0.113.9"), obs("TWO.example.", "192.0.2.200")], e)).toBe(3);
    await st.flush();
    copyFileSync(fx("country-v2.mmdb"), c);
    copyFileSync(fx("asn-v2.mmdb"), a);
    e.check();
    // the cache (2 pairs) has forgotten one: it is written again, under v2, and loses
    now += 10;
    await st.stamp([obs("one.example.", "192.0.2.200", "203.0.113.9"), obs("three.example.", "192.0.2.200")], e);
    await st.close();
    st = await StampStore.open(dir, { now: () => now });
    now += 10;
    await st.stamp([obs("one.example.", "192.0.2.200"), obs("two.example.", "192.0.2.200")], e); // restart: cache empty
    const snap = st.snapshot();
    try {
      const r = snap.reader(true);
      const get = (n: string, ip: string) => StampStore.lookup(r, nameFromString(n), a4(ip));
      expect(get("one.example.", "192.0.2.200")?.stamp).toMatchObject({
        asn: 64497,
        country: "FR",
        asOrg: "Exemple Hébergement SAS",
        asnBuild: 1_767_225_600,
      });
      expect(get("ONE.example.", "203.0.113.9")?.stamp).toMatchObject({ asn: 64499, country: "BR" });
      expect(get("two.example.", "192.0.2.200")?.stamp).toMatchObject({ asn: 64497, country: "FR" });
      expect(get("three.example.", "192.0.2.200")?.stamp).toMatchObject({ asn: 64511, country: "NL", asnBuild: 1_769_904_000 });
      expect(get("four.example.", "192.0.2.200")).toBeNull();
      const names = (g: Iterable<{ rrname: Uint8Array }>) => [...g].map((p) => nameToString(p.rrname)).sort();
      expect(names(StampStore.byAsn(r, 64497))).toEqual(["one.example.", "two.example."]);
      expect(names(StampStore.byAsn(r, 64511))).toEqual(["three.example."]);
      expect(names(StampStore.byCountry(r, "FR"))).toEqual(["one.example.", "two.example."]);
      expect(names(StampStore.byCountry(r, "BR"))).toEqual(["one.example."]);
      expect(names(StampStore.byCountry(r, "US"))).toEqual([]);
    } finally {
      snap.release();
    }
    await st.close();
    e.close();
  });

  it("stamps each new pair of a batch once: many addresses in one observation, a pair repeated in any case, other rrtypes passed by", async () => {
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    const st = await StampStore.open(join(tmp, "s-many"), { now: () => 1_800_000_000 });
    const ips = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    const batch = [
      { rrname: nameFromString("many.example."), rrtype: 1, rdata: ips.map(a4) },
      { rrname: nameFromString("MANY.Example."), rrtype: 1, rdata: [a4("192.0.2.7"), a4("203.0.113.9")] },
      { rrname: nameFromString("many.example."), rrtype: 16, rdata: [a4("192.0.2.99")] },
      { rrname: nameFromString("many.example."), rrtype: 28, rdata: [a4("192.0.2.98")] }, // not 16 bytes
    ];
    expect(await st.stamp(batch, e)).toBe(41);
    expect(await st.stamp(batch, e)).toBe(0);
    const snap = st.snapshot();
    try {
      const r = snap.reader(true);
      for (const ip of [...ips, "203.0.113.9"]) expect(StampStore.lookup(r, nameFromString("many.example."), a4(ip))).not.toBeNull();
      expect(StampStore.lookup(r, nameFromString("many.example."), a4("192.0.2.99"))).toBeNull();
    } finally {
      snap.release();
    }
    await st.close();
    e.close();
  });
});
