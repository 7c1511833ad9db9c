import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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

const obs = (name: string, ...ips: string[]) => ({ rrname: nameFromString(name), rrtype: 1, rdata: ips.map(a4) });
const names = (g: Iterable<{ rrname: Uint8Array }>) => [...g].map((p) => nameToString(p.rrname)).sort();

describe("StampStore", () => {
  it("a restart, even in the same second under other databases: the first stamp stays and nothing is written again", async () => {
    const dir = join(tmp, "s-quick");
    const c = join(tmp, "cq.mmdb");
    const a = join(tmp, "aq.mmdb");
    copyFileSync(fx("country-v2.mmdb"), c);
    copyFileSync(fx("asn-v2.mmdb"), a);
    const e = new Enricher({ geoipDb: c, asnDb: a, pollMs: 0 });
    const o = obs("quick.example.", "192.0.2.200");
    let st = await StampStore.open(dir); // the real clock
    expect(await st.stamp([o], e)).toBe(1);
    const closed = Date.now();
    await st.close();
    copyFileSync(fx("country-v1.mmdb"), c); // older databases
    copyFileSync(fx("asn-v1.mmdb"), a);
    e.check();
    st = await StampStore.open(dir);
    expect(Date.now() - closed).toBeLessThan(1000); // no waiting for the next second any more
    expect(await st.stamp([o], e)).toBe(0); // the log knows the pair
    const v = st.view();
    expect(v.lookup(o.rrname, a4("192.0.2.200"))?.stamp).toMatchObject({ asn: 64511, country: "NL", asnBuild: 1_769_904_000 });
    expect([...v.byAsn(64497)]).toEqual([]);
    expect(names(v.byAsn(64511))).toEqual(["quick.example."]);
    await st.close();
    e.close();
  });

  it("first stamp wins across a swap and restarts; indexes by ASN and country find exactly the winners", async () => {
    const dir = join(tmp, "s1");
    const c = join(tmp, "c.mmdb");
    const a = join(tmp, "a.mmdb");
    copyFileSync(fx("country-v1.mmdb"), c);
    copyFileSync(fx("asn-v1.mmdb"), a);
    const e = new Enricher({ geoipDb: c, asnDb: a, pollMs: 0 });
    let now = 1_800_000_000;
    let st = await StampStore.open(dir, { now: () => now });
    expect(await st.stamp([obs("one.example.", "192.0.2.200", "203.0.113.9"), obs("TWO.example.", "192.0.2.200")], e)).toBe(3);
    copyFileSync(fx("country-v2.mmdb"), c);
    copyFileSync(fx("asn-v2.mmdb"), a);
    e.check();
    now += 10;
    expect(await st.stamp([obs("one.example.", "192.0.2.200", "203.0.113.9"), obs("three.example.", "192.0.2.200")], e)).toBe(1);
    await st.close();
    st = await StampStore.open(dir, { now: () => now });
    now += 10;
    // after the restart: the stamps of v1 and v2 each under their ids, and a new AAAA stamp (a new id)
    const six = {
      rrname: nameFromString("six.example."),
      rrtype: 28,
      rdata: [Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1])],
    };
    expect(await st.stamp([obs("one.example.", "192.0.2.200"), obs("two.example.", "192.0.2.200"), six], e)).toBe(1);
    await st.close();
    st = await StampStore.open(dir, { now: () => now });
    const v = st.view();
    const get = (n: string, ip: string) => v.lookup(nameFromString(n), a4(ip));
    expect(get("one.example.", "192.0.2.200")?.stamp).toMatchObject({
      asn: 64497,
      country: "FR",
      asOrg: "Exemple Hébergement SAS",
      asnBuild: 1_767_225_600,
    });
    expect(get("one.example.", "192.0.2.200")?.stamped).toBe(1_800_000_000);
    expect(get("ONE.example.", "203.0.113.9")?.stamp).toMatchObject({ asn: 64499, country: "BR" });
    expect(get("two.example.", "192.0.2.200")?.stamp).toMatchObject({ asn: 64497, country: "FR" });
    expect(get("three.example.", "192.0.2.200")?.stamp).toMatchObject({ asn: 64511, country: "NL", asnBuild: 1_769_904_000 });
    expect(get("three.example.", "192.0.2.200")?.stamped).toBe(1_800_000_010);
    expect(get("four.example.", "192.0.2.200")).toBeNull();
    expect(v.lookup(six.rrname, six.rdata[0] as Uint8Array)?.stamped).toBe(1_800_000_020);
    expect(names(v.byAsn(64497))).toEqual(["one.example.", "two.example."]);
    expect(names(v.byAsn(64511))).toEqual(["three.example."]);
    expect(names(v.byCountry("FR"))).toEqual(["one.example.", "two.example."]);
    expect(names(v.byCountry("BR"))).toEqual(["one.example."]);
    expect(names(v.byCountry("US"))).toEqual([]);
    // by address, then name
    expect([...v.byCountry("FR")].map((p) => nameToString(p.rrname))).toEqual(["one.example.", "two.example."]);
    expect(st.size).toBe(5);
    await st.close();
    e.close();
  });

  it("a view sees the pairs stamped before it was made, not those after", async () => {
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    const st = await StampStore.open(join(tmp, "s-view"), { now: () => 1_800_000_000 });
    await st.stamp([obs("a.example.", "192.0.2.200")], e);
    const v = st.view();
    await st.stamp([obs("b.example.", "192.0.2.201")], e);
    expect(v.lookup(nameFromString("a.example."), a4("192.0.2.200"))).not.toBeNull();
    expect(v.lookup(nameFromString("b.example."), a4("192.0.2.201"))).toBeNull();
    expect(names(v.byAsn(64497))).toEqual(["a.example."]);
    expect(names(st.view().byAsn(64497))).toEqual(["a.example.", "b.example."]);
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
    const v = st.view();
    for (const ip of [...ips, "203.0.113.9"]) expect(v.lookup(nameFromString("many.example."), a4(ip))).not.toBeNull();
    expect(v.lookup(nameFromString("many.example."), a4("192.0.2.99"))).toBeNull();
    expect(v.lookup(nameFromString("many.example."), Uint8Array.of(1, 2, 3))).toBeNull();
    await st.close();
    e.close();
  });

  it("concurrent batches (group commit) stamp a pair once; the log holds exactly the pairs, in any sync mode", async () => {
    const e = new Enricher({ geoipDb: fx("country-v1.mmdb"), asnDb: fx("asn-v1.mmdb"), pollMs: 0 });
    for (const sync of ["always", "batch", "none"] as const) {
      const dir = join(tmp, `s-group-${sync}`);
      const st = await StampStore.open(dir, { sync, now: () => 1_800_000_000 });
      const batches = Array.from({ length: 30 }, (_, b) =>
        Array.from({ length: 20 }, (_, i) => obs(`n${(b * 7 + i) % 150}.example.`, `192.0.2.${(b + i) % 50}`, `203.0.113.${i}`)),
      );
      const made = await Promise.all(batches.map((b) => st.stamp(b, e)));
      const want = new Set(batches.flat().flatMap((o) => o.rdata.map((a) => `${nameToString(o.rrname)} ${a.join(".")}`)));
      expect(made.reduce((x, y) => x + y, 0)).toBe(want.size);
      await st.close();
      const again = await StampStore.open(dir, { sync, now: () => 1_800_000_000 });
      expect(again.size).toBe(want.size);
      const v = again.view();
      for (const k of want) {
        const [n, ip] = k.split(" ") as [string, string];
        expect(v.lookup(nameFromString(n), a4(ip)), k).not.toBeNull();
      }
      await again.close();
    }
    e.close();
  });

  it("a stamp store of the old kind (an @dnsrep/store, written by the code before the log) is converted at open", async () => {
    const dir = join(tmp, "s-old");
    cpSync(fx("old-stamp-store"), dir, { recursive: true });
    const events: string[] = [];
    let st = await StampStore.open(dir, {
      now: () => 1_800_000_100,
      onEvent: (ev) => events.push(ev.type === "migrated" ? `migrated ${ev.pairs}` : ev.type),
    });
    expect(events).toEqual(["migrated 6"]);
    expect(readdirSync(dir).sort()).toEqual(["STAMPS.lock", "STAMPS.log"]); // the old files gone; the log and its lock
    const check = (s: StampStore, nl: string[]): void => {
      const v = s.view();
      const get = (n: string, ip: string) => v.lookup(nameFromString(n), a4(ip));
      // one.example./192.0.2.200 was stamped twice (v1, then v2 by a restarted process): v1's wins
      expect(get("one.example.", "192.0.2.200")).toMatchObject({ stamped: 1_800_000_001, stamp: { asn: 64497, country: "FR" } });
      expect(get("one.example.", "203.0.113.9")?.stamp).toMatchObject({ asn: 64499, country: "BR" });
      expect(get("two.example.", "192.0.2.200")?.stamp).toMatchObject({ asn: 64497, country: "FR" });
      expect(get("three.example.", "198.51.100.7")).toMatchObject({ stamped: 1_800_000_005, stamp: { asn: 64498, country: "JP" } });
      expect(get("four.example.", "192.0.2.200")).toMatchObject({ stamped: 1_800_000_011, stamp: { asn: 64511, country: "NL" } });
      expect(v.lookup(nameFromString("six.example."), Uint8Array.from([0x20, 1, 0xd, 0xb8, ...new Array(11).fill(0), 1]))).not.toBeNull();
      expect(names(v.byAsn(64497))).toEqual(["one.example.", "two.example."]);
      expect(names(v.byCountry("NL"))).toEqual(nl); // 2001:db8::1 is NL in v1
    };
    check(st, ["four.example.", "six.example."]);
    expect(st.size).toBe(6);
    const e = new Enricher({ geoipDb: fx("country-v2.mmdb"), asnDb: fx("asn-v2.mmdb"), pollMs: 0 });
    expect(await st.stamp([obs("one.example.", "192.0.2.200"), obs("five.example.", "192.0.2.200")], e)).toBe(1);
    await st.close();
    st = await StampStore.open(dir, { now: () => 1_800_000_100, onEvent: (ev) => events.push(ev.type) });
    expect(events).toEqual(["migrated 6"]); // once
    check(st, ["five.example.", "four.example.", "six.example."]);
    expect(st.size).toBe(7);
    await st.close();
    e.close();
  });

  it("one process per stamp log: a second open is refused (LOCKED) until the first closes", async () => {
    const dir = join(tmp, "s-lock");
    const st = await StampStore.open(dir);
    await expect(StampStore.open(dir)).rejects.toMatchObject({ code: "LOCKED" });
    await st.close();
    await (await StampStore.open(dir)).close();
  });

  it("a migration that died after its log was in place: the next open only removes what is left of the old store", async () => {
    const dir = join(tmp, "s-old2");
    cpSync(fx("old-stamp-store"), dir, { recursive: true });
    await (await StampStore.open(dir)).close();
    const log = readFileSync(join(dir, "STAMPS.log"));
    cpSync(fx("old-stamp-store"), dir, { recursive: true }); // the old files back, as if not yet removed
    const st = await StampStore.open(dir, { onEvent: () => expect.unreachable() });
    expect(readdirSync(dir).sort()).toEqual(["STAMPS.lock", "STAMPS.log"]);
    expect(readFileSync(join(dir, "STAMPS.log")).equals(log)).toBe(true);
    expect(st.size).toBe(6);
    await st.close();
  });
});
