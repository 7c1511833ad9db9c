/** The WAL batch codec: round trips, and random or bit-flipped input ends in a StoreError, never a RangeError or a wrong answer. */
import { readFileSync, writeFileSync } from "node:fs";
import { ByteWriter } from "@dnsrep/util";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { isStoreError } from "../src/index.js";
import { defaultIo } from "../src/io.js";
import { decodeBatch, encodeBatch, normalizeBatch, type RRsetObservation } from "../src/observation.js";
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
