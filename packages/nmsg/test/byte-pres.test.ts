/**
 * writePayloadPres (the presentation written as bytes) against the string-built printer it replaced
 * (test/oracle/string-pres): the same text for every payload of the vectors, for bit-flipped and
 * truncated payloads (or the same error), and for random header fields; and the text written
 * payload after payload into one writer (as nmsg-tool -o writes it) is their concatenation.
 */
import { Readable } from "node:stream";
import { TextWriter } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { payloadToPres as oldPayloadToPres } from "../../../test/oracle/string-pres/format.js";
import { readVector } from "../../../test/vectors.js";
import { isNmsgError, type NmsgPayload, payloadToPres, readPayloads, writePayloadPres } from "../src/index.js";

async function payloadsOf(rel: string): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([readVector(rel)]))) out.push({ ...p, payload: p.payload.slice() });
  return out;
}

/** the text, or the error's message when the payload does not decode */
function textOrError(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (!isNmsgError(e)) throw e;
    return `error: ${e.message}`;
  }
}

const dnsqr = await payloadsOf("nmsg/dnsqr.nmsg");
const dedupe = await payloadsOf("dedupe/dedupe.nmsg");
const all = [...dnsqr, ...dedupe];

describe("writePayloadPres equals the string-built presentation", () => {
  it("every payload of the dnsqr and dedupe vectors", () => {
    expect(dnsqr.length).toBeGreaterThan(100);
    expect(dedupe.length).toBeGreaterThan(10);
    for (const p of all) expect(payloadToPres(p)).toBe(oldPayloadToPres(p));
  });

  it("written one after another into one writer: their concatenation", () => {
    const w = new TextWriter(16);
    for (const p of all) writePayloadPres(w, p);
    expect(w.textFrom(0)).toBe(all.map(oldPayloadToPres).join(""));
  });

  it("bit-flipped and truncated payloads: the same text or the same error", () => {
    fc.assert(
      fc.property(
        fc.nat(all.length - 1),
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.boolean(),
        (i, bits, cut, truncate) => {
          const p = all[i]!;
          let b = p.payload.slice();
          for (const bit of bits) b[(bit >>> 3) % b.length]! ^= 1 << (bit & 7);
          if (truncate) b = b.subarray(0, cut % (b.length + 1));
          const q = { ...p, payload: b };
          expect(textOrError(() => payloadToPres(q))).toBe(textOrError(() => oldPayloadToPres(q)));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("random header fields, times and unknown vendors: the same text", () => {
    fc.assert(
      fc.property(
        // the payloads without their header fields (the record sets them or leaves them out)
        fc.constantFrom(...all.map(({ source: _s, operator: _o, group: _g, ...p }) => p)),
        fc.record({
          vid: fc.constantFrom(1, 2, 7, 1000),
          msgtype: fc.constantFrom(1, 5, 7, 9, 33),
          timeSec: fc.oneof(fc.nat(), fc.integer({ min: -1e12, max: 1e13 })),
          timeNsec: fc.nat(999_999_999),
          source: fc.option(fc.nat(0xffffffff), { nil: undefined }),
          operator: fc.option(fc.nat(0xffffffff), { nil: undefined }),
          group: fc.option(fc.nat(0xffffffff), { nil: undefined }),
        }),
        (p, h) => {
          const { source, operator, group, ...rest } = h;
          const q: NmsgPayload = { ...p, ...rest };
          // an absent header field is left out (not undefined), as the reader leaves it
          if (source !== undefined) q.source = source;
          if (operator !== undefined) q.operator = operator;
          if (group !== undefined) q.group = group;
          expect(textOrError(() => payloadToPres(q))).toBe(textOrError(() => oldPayloadToPres(q)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
