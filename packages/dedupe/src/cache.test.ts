import { type DnsDedupe, encodeDnsDedupe, encodedBytes } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DedupeCache, DedupeType, ENTRY_OVERHEAD } from "./cache.js";
import { dedupeKey, dedupeKeyLength, parseDedupeKey } from "./dedupe-key.js";
import { nameKey } from "./names.js";

const name = (s: string): string =>
  nameKey(Uint8Array.from([...s.split(".").flatMap((l) => [l.length, ...[...l].map((c) => c.charCodeAt(0))]), 0]));
const IP = Uint8Array.of(192, 0, 2, 53);
const key = (owner: string, rd = 1): Uint8Array => dedupeKey(name(owner), name("example"), 1, 1, [Uint8Array.of(10, 0, 0, rd)]);

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
          const k = dedupeKey(nameKey(o), b, t, cl, rds);
          expect(k.length).toBe(dedupeKeyLength(o, nameKey(b), rds));
          const p = parseDedupeKey(k);
          expect([p.rrtype, p.rrclass, p.rdata.map((r) => [...r])]).toEqual([t, cl, rds.map((r) => [...r])]);
          expect(nameKey(p.rrname)).toBe(nameKey(o));
          expect(nameKey(p.bailiwick)).toBe(nameKey(b));
        },
      ),
      { numRuns: 200 },
    );
  });

  /** A FIFO model of the cache (a Map and an array), to check the rings against. */
  function model(maxEntries: number, maxBytes: number, ops: [number, number, boolean][], keys: Uint8Array[]): string[] {
    const out: string[] = [];
    const live = new Map<number, { k: number; n: number; first: number; last: number; auth: boolean }>();
    const order: number[] = [];
    let bytes = 0;
    const rec = (type: number, e: { k: number; n: number; first: number; last: number }, sec: number): void => {
      out.push(`${type} k${e.k} n=${e.n} ${e.first}-${e.last} @${sec}`);
    };
    let now = 0;
    const expire = (): void => {
      const id = order.shift()!;
      const e = live.get(id)!;
      live.delete(id);
      bytes -= keys[e.k]!.length + ENTRY_OVERHEAD;
      rec(DedupeType.EXPIRATION, e, now);
      if (e.auth) rec(DedupeType.AUTHORITATIVE, e, now);
    };
    for (const [k, sec, auth] of ops) {
      now = sec;
      const id = k; // keys are distinct by index
      const e = live.get(id);
      if (e) {
        e.n++;
        e.last = Math.max(e.last, sec);
        e.first = Math.min(e.first, sec);
        e.auth ||= auth;
        continue;
      }
      const ne = { k, n: 1, first: sec, last: sec, auth };
      live.set(id, ne);
      order.push(id);
      bytes += keys[k]!.length + ENTRY_OVERHEAD;
      rec(DedupeType.INSERTION, ne, sec);
      while (live.size > maxEntries || (bytes > maxBytes && live.size > 1)) expire();
    }
    while (order.length > 0) expire();
    return out;
  }

  it("matches a FIFO model through ring wraps and growth, and its raw records are protobufjs's bytes", () => {
    // many distinct keys of varied lengths, so the key ring wraps and both rings grow
    const keyOf = (k: number, salt: number): Uint8Array => {
      // salt % 3: long varied rdata, short varied, or one length for all (ring boundaries meet exactly)
      const rd = new Uint8Array(salt % 3 === 0 ? (k * salt) % 700 : salt % 3 === 1 ? (k * salt) % 40 : 10);
      rd.fill(k & 255);
      return dedupeKey(
        Uint8Array.of(4, k >>> 24, (k >>> 16) & 255, (k >>> 8) & 255, k & 255, 0),
        Uint8Array.of(0),
        1,
        1,
        k % 3 === 0 && salt % 3 !== 2 ? [] : [rd, rd.subarray(1)],
      );
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean()), {
          minLength: 200,
          maxLength: 3000,
          size: "max",
        }),
        fc.integer({ min: 16, max: 1 << 17 }),
        (nkeys, salt, maxEntries, kb, raw, keyRingBytes) => {
          const keys = Array.from({ length: nkeys }, (_, k) => keyOf(k, salt));
          // one key length: a ring of whole keys
          if (salt % 3 === 2) keyRingBytes = keys[0]!.length * (1 + (keyRingBytes % 50));
          const ops = raw.map(([k, sec, auth]) => [k % nkeys, sec, auth] as [number, number, boolean]);
          const maxBytes = kb * 1024;
          const want = model(maxEntries, maxBytes, ops, keys);
          const got: string[] = [];
          let badRecords = 0;
          const objects: Uint8Array[] = [];
          const c = new DedupeCache(
            (d, sec) => {
              const n = d.rrname!;
              const id = ((n[1]! << 24) | (n[2]! << 16) | (n[3]! << 8) | n[4]!) >>> 0;
              if (!Buffer.from(dedupeKey(n, d.bailiwick!, d.rrtype!, d.rrclass!, d.rdata!)).equals(keys[id]!)) badRecords++;
              got.push(`${d.type} k${id} n=${d.count} ${d.time_first ?? d.zone_time_first}-${d.time_last ?? d.zone_time_last} @${sec}`);
              objects.push(encodeDnsDedupe(d));
            },
            { maxEntries, maxBytes, keyRingBytes },
          );
          const rawOut: Uint8Array[] = [];
          const r = new DedupeCache(() => expect.unreachable(), {
            maxEntries,
            maxBytes,
            keyRingBytes,
            raw: (m) => rawOut.push(encodedBytes(m)),
          });
          for (const [k, sec, auth] of ops) {
            c.observe(keys[k]!, 60, IP, sec, 0, auth);
            // the raw cache gets each key inside a bigger buffer
            const buf = new Uint8Array(keys[k]!.length + 7);
            buf.set(keys[k]!);
            r.observe(buf, 60, IP, sec, 0, auth, keys[k]!.length);
          }
          c.flush();
          r.flush();
          expect(got).toEqual(want);
          expect(badRecords).toBe(0);
          // the raw records are the object records' protobufjs bytes (compared as one buffer each)
          expect(rawOut.map((b) => b.length)).toEqual(objects.map((b) => b.length));
          expect(Buffer.concat(rawOut).equals(Buffer.concat(objects))).toBe(true);
          expect(c.stats).toMatchObject({ entries: 0, bytes: 0 });
        },
      ),
      { numRuns: 30, endOnFailure: true },
    );
  });

  it("starts empty after a flush: the same keys are inserted again", () => {
    const { c, out } = cache({ maxEntries: 2 });
    for (const k of ["a", "b", "c"]) c.observe(key(k), 60, IP, 1, 0, false);
    c.flush();
    for (const k of ["c", "a", "c"]) c.observe(key(k), 60, IP, 2, 0, false);
    c.flush();
    expect(summary(out)).toEqual([
      "INS a n=1 1-1 @1",
      "INS b n=1 1-1 @1",
      "INS c n=1 1-1 @1",
      "EXP a n=1 1-1 @1",
      "EXP b n=1 1-1 @1",
      "EXP c n=1 1-1 @1",
      "INS c n=1 2-2 @2",
      "INS a n=1 2-2 @2",
      "EXP c n=2 2-2 @2",
      "EXP a n=1 2-2 @2",
    ]);
    expect(c.stats).toMatchObject({ hits: 1, inserts: 5, expirations: 5, entries: 0, bytes: 0 });
  });

  it("rejects an empty key", () => {
    const { c } = cache({});
    expect(() => c.observe(new Uint8Array(0), 60, IP, 1, 0, false)).toThrow(RangeError);
  });
});
