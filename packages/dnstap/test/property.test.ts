/**
 * Property tests: the hand-written codec agrees with protobufjs both ways, and random or
 * bit-flipped streams and messages give a DnstapError (or valid output), never another exception.
 */
import { encodeDnsQR } from "@dnsrep/nmsg";
import fc from "fast-check";
import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import {
  DNSTAP_PROTO,
  type Dnstap,
  DnstapToDnsqr,
  DnstapView,
  decodeDnstap,
  decodeDnstapView,
  dnstapToJson,
  dnstapToYaml,
  encodeDnstap,
  FrameStreamReader,
  isDnstapError,
} from "../src/index.js";

const root = protobuf.parse(DNSTAP_PROTO, { keepCase: true }).root.resolveAll();
const PbDnstap = root.lookupType("dnstap.Dnstap");

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = fc.uint8Array({ maxLength: 40 });
const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const message = fc.record(
  {
    type: fc.integer({ min: 1, max: 14 }),
    socket_family: opt(fc.constantFrom(1, 2)),
    socket_protocol: opt(fc.integer({ min: 1, max: 7 })),
    query_address: opt(bytes),
    response_address: opt(bytes),
    query_port: opt(u32),
    response_port: opt(u32),
    query_time_sec: opt(fc.integer({ min: 0, max: 2 ** 40 })),
    query_time_nsec: opt(u32),
    query_message: opt(bytes),
    query_zone: opt(bytes),
    response_time_sec: opt(fc.integer({ min: 0, max: 2 ** 40 })),
    response_time_nsec: opt(u32),
    response_message: opt(bytes),
    policy: opt(
      fc.record(
        {
          type: opt(fc.string({ maxLength: 10 })),
          rule: opt(bytes),
          action: opt(fc.integer({ min: 1, max: 6 })),
          match: opt(fc.integer({ min: 1, max: 5 })),
          value: opt(bytes),
        },
        { requiredKeys: [] },
      ),
    ),
    http_protocol: opt(fc.integer({ min: 1, max: 3 })),
  },
  { requiredKeys: ["type"] },
);
const dnstap = fc.record(
  { identity: opt(bytes), version: opt(bytes), extra: opt(bytes), type: fc.constant(1), message: opt(message) },
  { requiredKeys: ["type"] },
);

/** a decoded object without undefined fields, bytes as plain arrays, Longs as numbers: comparable across decoders */
function plain(o: unknown): unknown {
  if (o instanceof Uint8Array) return Array.from(o);
  if (Array.isArray(o)) return o.map(plain);
  if (o && typeof o === "object" && typeof (o as { toNumber?: unknown }).toNumber === "function")
    return (o as { toNumber(): number }).toNumber();
  if (o && typeof o === "object")
    return Object.fromEntries(
      Object.entries(o)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
  return o;
}

const typedOnly = (e: unknown): void => {
  if (!isDnstapError(e)) throw e;
};

describe("the dnstap protobuf codec", () => {
  it("agrees with protobufjs in both directions", () => {
    fc.assert(
      fc.property(dnstap, (d) => {
        const ours = encodeDnstap(d as Dnstap);
        const theirs = PbDnstap.toObject(PbDnstap.decode(ours), { longs: Number, bytes: Array });
        expect(plain(theirs)).toEqual(plain(d));
        const pb = PbDnstap.encode(PbDnstap.fromObject(d)).finish();
        expect(plain(decodeDnstap(pb))).toEqual(plain(d));
      }),
      { numRuns: 300 },
    );
  });

  it("random bytes decode or give ERR_PROTOBUF; a decoded message always prints and converts", () => {
    const conv = new DnstapToDnsqr();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          const d = decodeDnstap(b, 5);
          dnstapToYaml(d);
          JSON.stringify(dnstapToJson(d));
          const r = conv.convert(d);
          if (r) encodeDnsQR(r.qr);
        } catch (e) {
          typedOnly(e);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("whole streams under damage", () => {
  const seed = readVector("logs/unbound/unbound.dnstap").subarray(0, 12000);

  /** read, decode, print and convert everything; only DnstapErrors may come out */
  function drain(b: Uint8Array, chunk: number): void {
    const conv = new DnstapToDnsqr();
    const r = new FrameStreamReader((f, at) => {
      try {
        const d = decodeDnstap(f, at);
        dnstapToYaml(d);
        const q = conv.convert(d);
        if (q) encodeDnsQR(q.qr);
      } catch (e) {
        typedOnly(e);
      }
    });
    try {
      for (let i = 0; i < b.length; i += chunk) r.push(b.subarray(i, i + chunk));
      r.end();
    } catch (e) {
      typedOnly(e);
    }
  }

  it("random streams (with and without a valid START) end in a DnstapError or frames", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.boolean(), fc.integer({ min: 1, max: 64 }), (body, start, chunk) => {
        drain(start ? Uint8Array.from([...seed.subarray(0, 42), ...body]) : body, chunk);
      }),
      { numRuns: 1000 },
    );
  });

  it("bit-flipped vector streams end in a DnstapError or frames", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: seed.length * 8 - 1 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 5000 }),
        (bits, chunk) => {
          const b = seed.slice();
          for (const bit of bits) b[bit >> 3]! ^= 1 << (bit & 7);
          drain(b, chunk);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("bit-flipped frames: the in-place path (decodeDnstapView, convertView) fails and converts exactly as the object path", () => {
    const frames: Uint8Array[] = [];
    const r = new FrameStreamReader((f) => frames.push(f.slice()));
    r.push(readVector("logs/unbound/unbound.dnstap"));
    r.end();
    const outcome = (f: () => unknown): string => {
      try {
        return `ok ${String(f())}`;
      } catch (e) {
        typedOnly(e);
        return `error ${(e as Error).message}`;
      }
    };
    const hexOf = (e: { length: number; putAt(o: Uint8Array, at: number): void } | undefined): string => {
      if (e === undefined) return "none";
      const o = new Uint8Array(e.length);
      e.putAt(o, 0);
      return Buffer.from(o).toString("hex");
    };
    const byObject = new DnstapToDnsqr();
    const byView = new DnstapToDnsqr();
    const view = new DnstapView();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: frames.length - 1 }), fc.array(fc.nat(), { maxLength: 6 }), (i, flips) => {
        const f = (frames[i] as Uint8Array).slice();
        for (const x of flips) f[(x >> 3) % f.length]! ^= 1 << (x & 7);
        const a = outcome(() => hexOf(byObject.convertEncoded(decodeDnstap(f, 7))));
        const b = outcome(() => hexOf(byView.convertView(decodeDnstapView(f, view, 7))));
        expect(b).toBe(a);
      }),
      { numRuns: 3000 },
    );
    expect(byView.stats).toEqual(byObject.stats);
    expect(byView.stats.converted).toBeGreaterThan(100);
  });
});
