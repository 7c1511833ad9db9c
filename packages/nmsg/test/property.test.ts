/** Property tests: random and bit-flipped input gives a typed NmsgError (or valid output), never a crash or hang. */
import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import {
  decodeDnsDedupe,
  decodeDnsQR,
  decodePayload,
  isNmsgError,
  NmsgErrorCode,
  parseHeader,
  payloadToJson,
  payloadToPres,
  readPayloadBatches,
  readPayloads,
} from "../src/index.js";

async function drain(bytes: Uint8Array, chunk: number): Promise<number> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  let n = 0;
  for await (const p of readPayloads(Readable.from(parts))) {
    payloadToPres(p);
    payloadToJson(p);
    n++;
  }
  return n;
}

function typedOnly(e: unknown): void {
  if (!isNmsgError(e)) throw e;
}

const seeds = ["nmsg/dnsqr.nmsg", "nmsg/dnsqr.zlib.nmsg"].map((f) => readVector(f));

describe("readPayloads under bad input", () => {
  it("random bytes (with and without the NMSG magic) give NmsgError or payloads", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (body, magic, chunk) => {
        const b = magic ? Uint8Array.from([0x4e, 0x4d, 0x53, 0x47, 0, 2, ...body]) : body;
        try {
          await drain(b, chunk);
        } catch (e) {
          typedOnly(e);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("bit-flipped and truncated vectors give NmsgError or payloads", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        async (which, flips, cut) => {
          const seed = seeds[which] as Uint8Array;
          const b = Uint8Array.from(seed.subarray(0, Math.min(seed.length, 64 + (cut % seed.length))));
          for (const f of flips) b[f % b.length] = (b[f % b.length] as number) ^ (1 << (f % 8));
          try {
            await drain(b, 4096);
          } catch (e) {
            typedOnly(e);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a truncated container is an error with an offset", async () => {
    const seed = seeds[0] as Uint8Array;
    const err = await drain(seed.subarray(0, seed.length - 3), 1000).catch((e: unknown) => e);
    expect(isNmsgError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/offset/);
  });
});

describe("a stream stopped early (ReadOptions.stopped)", () => {
  /** payloads in each whole container of `b`, with the offset where the container ends */
  const containers = (b: Uint8Array): [number, number][] => {
    const out: [number, number][] = [];
    for (let at = 0; at < b.length; ) {
      const h = parseHeader(b.subarray(at), at) as [number, number, number];
      at += h[1] + h[2];
      out.push([at, 0]);
    }
    return out;
  };
  it("cut anywhere: the payloads of the containers before the cut, and no error once the stop has fired", async () => {
    for (const seed of seeds) {
      const ends = containers(seed);
      // payloads per container, from a whole read
      let k = 0;
      for await (const batch of readPayloadBatches(Readable.from([seed]))) (ends[k++] as [number, number])[1] = batch.length;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: seed.length }), fc.integer({ min: 1, max: 70000 }), async (cut, chunk) => {
          const parts: Uint8Array[] = [];
          for (let i = 0; i < cut; i += chunk) parts.push(seed.subarray(i, Math.min(cut, i + chunk)));
          const want = ends.filter(([end]) => end <= cut).reduce((n, [, c]) => n + c, 0);
          const whole = ends.some(([end]) => end === cut) || cut === 0;
          let n = 0;
          for await (const b of readPayloadBatches(Readable.from(parts), { stopped: AbortSignal.abort() })) n += b.length;
          expect(n).toBe(want);
          // without the stop, a cut inside a container is a truncated input
          const err = await (async () => {
            for await (const _ of readPayloadBatches(Readable.from(parts)));
          })().catch((e: unknown) => e);
          if (whole) expect(err).toBeUndefined();
          else expect((err as { code?: string }).code).toBe(NmsgErrorCode.TRUNCATED);
        }),
        { numRuns: 40 },
      );
    }
  });
});

describe("message decoders under random bytes", () => {
  it("decodePayload, decodeDnsQR, decodeDnsDedupe throw only NmsgError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        for (const f of [decodePayload, decodeDnsQR, decodeDnsDedupe]) {
          try {
            f(b);
          } catch (e) {
            typedOnly(e);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
