/** The WAL batch codec: round trips, and random or bit-flipped input ends in a StoreError, never a RangeError or a wrong answer. */
import { readFileSync, writeFileSync } from "node:fs";
import { ByteWriter } from "@dnsrep/util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isStoreError } from "../src/index.js";
import { defaultIo } from "../src/io.js";
import { decodeBatch, decodePayload, encodeBatch, encodeTagHead, normalizeBatch, type RRsetObservation } from "../src/observation.js";
import { decodeTags, encodeTags, TagSet } from "../src/tags.js";
import { frameRecord, RECORD_HEADER, scanSegment, WalWriter } from "../src/wal.js";
import { tempDir } from "./helpers.js";
import { RRsetGen } from "./random-rrsets.js";

const t = tempDir("codec");
afterAll(t.done);

const encode = (b: RRsetObservation[]): Uint8Array => {
  const w = new ByteWriter(64);
  encodeBatch(w, b);
  return w.toBytes();
};
const plain = (b: RRsetObservation[]) =>
  b.map((o) => ({ ...o, rrname: [...o.rrname], bailiwick: [...o.bailiwick], rdata: o.rdata.map((r) => [...r]) }));

describe("WAL payload tags and the TAGS file", () => {
  const opts = { windowMs: 2 ** 50, maxTags: 1000 };
  it("a tagged payload round-trips; random and bit-flipped ones decode or fail with a StoreError", () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ minLength: 1, maxLength: 50 })),
        fc.nat(2 ** 45),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (tag, ms, seed) => {
          const batch = normalizeBatch([new RRsetGen(seed).rrset()]);
          const w = new ByteWriter(64);
          encodeTagHead(w, tag === null ? null : new TextEncoder().encode(tag), ms);
          encodeBatch(w, batch);
          const bytes = w.toBytes();
          const got = decodePayload(bytes, 2);
          expect(got.tag).toBe(tag);
          expect(got.putMs).toBe(tag === null ? 0 : ms);
          expect(plain(got.batch)).toEqual(plain(batch));
          const flipped = bytes.slice();
          const bit = seed % (bytes.length * 8);
          flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
          try {
            decodePayload(flipped, 2);
          } catch (e) {
            expect(isStoreError(e), String(e)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
  it("a TAGS file round-trips; any flipped bit is a CORRUPTION error", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 30 }), fc.nat(2 ** 45)), { maxLength: 20 }),
        fc.nat(),
        (list, bitSeed) => {
          const set = new TagSet(opts);
          for (const [tag, at] of list) set.add(tag, at, 0);
          const bytes = encodeTags(set);
          const back = new TagSet(opts);
          decodeTags(bytes, "TAGS", back, 0);
          expect([...back.entries()]).toEqual([...set.entries()]);
          const bit = bitSeed % (bytes.length * 8);
          const b = bytes.slice();
          b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
          expect(() => decodeTags(b, "TAGS", new TagSet(opts), 0)).toThrow(/TAGS/);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("WAL batch codec", () => {
  it("round-trips random batches", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 0, max: 40 }), (seed, n) => {
        const gen = new RRsetGen(seed);
        const batch = normalizeBatch(Array.from({ length: n }, () => gen.rrset()));
        expect(plain(decodeBatch(encode(batch)))).toEqual(plain(batch));
      }),
      { numRuns: 200 },
    );
  });
  it("random and bit-flipped bytes decode to a StoreError or to a batch that round-trips", () => {
    const good = encode(normalizeBatch(Array.from({ length: 5 }, () => new RRsetGen(7).rrset())));
    const check = (bytes: Uint8Array): void => {
      try {
        const b = decodeBatch(bytes);
        // (a varint may be non-canonical, so the bytes need not be the same; the batch must)
        expect(plain(decodeBatch(encode(b)))).toEqual(plain(b));
      } catch (e) {
        expect(isStoreError(e), String(e)).toBe(true);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.nat(good.length * 8 - 1), (bit) => {
        const b = good.slice();
        b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
        check(b);
      }),
      { numRuns: 2000 },
    );
  });
  it("a segment with a flipped bit anywhere yields a prefix of its records, never a changed one", async () => {
    const w = WalWriter.create(t.dir, 1, defaultIo, false);
    const payloads: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      const p = encode(normalizeBatch([new RRsetGen(i).rrset()]));
      payloads.push(p);
      const buf = new Uint8Array(RECORD_HEADER + p.length);
      frameRecord(buf, 0, i + 1, p);
      await w.append(buf, i + 1, false);
    }
    w.close();
    const whole = readFileSync(w.seg.path);
    fc.assert(
      fc.property(fc.nat(whole.length * 8 - 1), (bit) => {
        const b = Buffer.from(whole);
        b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
        writeFileSync(w.seg.path, b);
        const got: Uint8Array[] = [];
        scanSegment({ ...w.seg, lastSeq: 0 }, (_s, p) => got.push(p.slice()));
        expect(got.length).toBeLessThan(payloads.length);
        expect(got.every((g, i) => Buffer.compare(g, payloads[i] as Uint8Array) === 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
