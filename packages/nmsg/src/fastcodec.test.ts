/** The hand-written codec agrees with protobufjs: same objects decoded, same bytes encoded, same failures. */

import { createRequire } from "node:module";
import { Readable } from "node:stream";
import fc from "fast-check";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { MSGTYPE_DNS, MSGTYPE_DNSDEDUPE, MSGTYPE_DNSQR, MSGTYPE_IPCONN, VENDOR_BASE, VENDOR_SIE } from "./builtin-modules.js";
import { BAIL, buildFastCodec, type FastCodec, fastDecode, fastEncode } from "./fastcodec.js";
import { decodeMessage, encodeMessage, getModule, type MessageModule, type Msg } from "./module-registry.js";
import type { NmsgPayload } from "./payload.js";
import { readPayloads } from "./reader.js";

const mod = (v: number, t: number): MessageModule => getModule(v, t) as MessageModule;
const QR = mod(VENDOR_BASE, MSGTYPE_DNSQR);
const DD = mod(VENDOR_SIE, MSGTYPE_DNSDEDUPE);
const MODS = [QR, DD, mod(VENDOR_BASE, MSGTYPE_DNS), mod(VENDOR_BASE, MSGTYPE_IPCONN)];
const codec = (m: MessageModule): FastCodec => buildFastCodec(m.type) as FastCodec;
const isLong = (v: unknown): boolean => typeof v === "object" && v !== null && "low" in v && "high" in v && "unsigned" in v;

/** a DnsQR with its required fields only */
const requiredQr = (): Msg => ({
  type: 1,
  query_ip: new Uint8Array(4),
  response_ip: new Uint8Array(4),
  proto: 17,
  query_port: 1,
  response_port: 2,
  id: 3,
});

/** A comparable picture of a decoded message: own fields, bytes as hex, Longs as bits, -0 and NaN kept apart. */
function picture(m: Msg): unknown {
  const val = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return `bytes:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}`;
    if (isLong(v)) {
      const l = v as { low: number; high: number; unsigned: boolean };
      return `long:${l.low}:${l.high}:${l.unsigned}`;
    }
    if (Array.isArray(v)) return v.map(val);
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v;
    return v;
  };
  const out: Record<string, unknown> = { proto: Object.getPrototypeOf(m) };
  for (const k of Object.keys(m).sort()) out[k] = val(m[k]);
  return out;
}

/** protobufjs alone: decode, or the error's absence marker. */
function pbDecode(m: MessageModule, b: Uint8Array): Msg | null {
  try {
    return m.type.decode(b) as unknown as Msg;
  } catch {
    return null;
  }
}
function pbEncode(m: MessageModule, o: Msg): Uint8Array | null {
  if (o instanceof m.type.ctor) return m.type.encode(o).finish();
  if (m.type.verify(o)) return null;
  return m.type.encode(m.type.fromObject(o)).finish();
}

async function vectorPayloads(file: string, vid: number, msgtype: number): Promise<NmsgPayload[]> {
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from([readVector(file)]))) if (p.vid === vid && p.msgtype === msgtype) out.push(p);
  return out;
}

const longModule = createRequire(createRequire(import.meta.url).resolve("protobufjs"))("long") as { default?: unknown };
const Long = longModule.default ?? longModule;
const pb = protobuf as unknown as { util: { Long: unknown }; configure(): void };

/** Runs once as protobufjs is loaded here (in vitest it does not find the long package: int64 are numbers), once with Long. */
describe.each([
  ["int64 as protobufjs loads it", false],
  ["int64 as Long", true],
] as const)("fast codec, %s", (_label, withLong) => {
  let saved: unknown;
  beforeAll(() => {
    saved = pb.util.Long;
    if (withLong) {
      pb.util.Long = Long;
      pb.configure();
    }
  });
  afterAll(() => {
    pb.util.Long = saved;
    pb.configure();
  });
  it("covers the built-in modules", () => {
    for (const m of MODS) expect(buildFastCodec(m.type), m.mname).not.toBeNull();
  });

  it("decodes every vector payload like protobufjs and re-encodes it to the same bytes", async () => {
    for (const [file, m] of [
      ["nmsg/dnsqr.nmsg", QR],
      ["dedupe/dedupe.nmsg", DD],
    ] as const) {
      const ps = await vectorPayloads(file, m.vid, m.msgtype);
      expect(ps.length).toBeGreaterThan(0);
      for (const p of ps) {
        const fast = fastDecode(codec(m), p.payload);
        if (fast === BAIL) throw new Error(`${file}: the fast path gave up on a vector payload`);
        expect(picture(fast)).toEqual(picture(pbDecode(m, p.payload) as Msg));
        const again = fastEncode(codec(m), fast);
        expect(again).not.toBe(BAIL);
        expect(Buffer.from(again as Uint8Array).equals(Buffer.from(p.payload))).toBe(true);
      }
    }
  });

  it("own fields come in protobufjs's order, from the first field sets seen (own constructors) and later ones", async () => {
    // a new codec learns constructors for the first field sets it decodes; then the general path
    const c = buildFastCodec(QR.type);
    if (c === null) throw new Error("no fast codec for base/dnsqr");
    const vectors = (await vectorPayloads("nmsg/dnsqr.nmsg", 1, 9)).map((p) => p.payload);
    const optional = ["qname", "qtype", "qclass", "rcode", "tcp", "icmp", "timeout", "udp_checksum", "resolver_address_zeroed"];
    const shaped = (mask: number): Uint8Array => {
      const base = pbDecode(QR, vectors[0] as Uint8Array) as Msg;
      const o: Msg = {
        type: base.type,
        query_ip: base.query_ip,
        response_ip: base.response_ip,
        proto: 17,
        query_port: 1,
        response_port: 53,
        id: 7,
      };
      const values: Msg = {
        qname: new Uint8Array([0]),
        qtype: 1,
        qclass: 1,
        rcode: 0,
        tcp: new Uint8Array([1]),
        icmp: new Uint8Array([2]),
        timeout: 1.5,
        udp_checksum: 1,
        resolver_address_zeroed: true,
      };
      optional.forEach((k, i) => {
        if (mask & (1 << i)) o[k] = values[k];
      });
      if (mask & 1024) o.query_packet = [new Uint8Array([9])];
      return QR.type.encode(QR.type.fromObject(o)).finish();
    };
    const inputs = [...vectors, ...Array.from({ length: 40 }, (_, k) => shaped((k * 389) & 2047))];
    for (const b of inputs) {
      const fast = c.decode(b);
      if (fast === BAIL) throw new Error("the fast path gave up on a well-formed message");
      const ref = pbDecode(QR, b) as Msg;
      expect(Object.keys(fast)).toEqual(Object.keys(ref));
      expect(picture(fast)).toEqual(picture(ref));
    }
  });

  it("random and bit-flipped bytes: the fast path agrees with protobufjs or leaves the input to it", async () => {
    const seeds = [
      ...(await vectorPayloads("nmsg/dnsqr.nmsg", 1, 9)).slice(0, 20).map((p) => [QR, p.payload] as const),
      ...(await vectorPayloads("dedupe/dedupe.nmsg", 2, 1)).slice(0, 20).map((p) => [DD, p.payload] as const),
    ];
    let taken = 0;
    const check = (m: MessageModule, b: Uint8Array): void => {
      const ref = pbDecode(m, b);
      const fast = fastDecode(codec(m), b);
      if (fast !== BAIL) {
        taken++;
        expect(ref).not.toBeNull();
        expect(picture(fast)).toEqual(picture(ref as Msg));
        const enc = fastEncode(codec(m), fast);
        if (enc !== BAIL) expect(Buffer.from(enc).equals(Buffer.from(pbEncode(m, ref as Msg) as Uint8Array))).toBe(true);
      }
      // through the public entry point: both fail or both give the same message
      let ours: Msg | null = null;
      try {
        ours = decodeMessage(m, b);
      } catch {
        ours = null;
      }
      expect(ours === null).toBe(ref === null);
      if (ours && ref) expect(picture(ours)).toEqual(picture(ref));
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (i, flips) => {
        const [m, seed] = seeds[i] as (typeof seeds)[number];
        const b = seed.slice();
        for (const f of flips) b[(f >>> 3) % b.length] = (b[(f >>> 3) % b.length] as number) ^ (1 << (f & 7));
        check(m, b);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...MODS), fc.uint8Array({ maxLength: 64 }), (m, b) => check(m, b)),
      { numRuns: 300 },
    );
    expect(taken).toBeGreaterThan(50); // the comparison did run on the fast path
  });

  it("the plain decoder gives protobufjs's message as a plain object (own fields, int64 as numbers), or leaves the input to it", async () => {
    /** protobufjs's message copied the way decodeDnsQR/decodeDnsDedupe did before the plain decoder */
    const asPlain = (m: MessageModule, msg: Msg): Msg => {
      const num = (v: unknown): unknown => (isLong(v) ? (v as { toNumber(): number }).toNumber() : v);
      const out: Msg = {};
      for (const f of m.type.fieldsArray) {
        if (f.repeated) out[f.name] = ((msg[f.name] as unknown[] | undefined) ?? []).map(num);
        else if (Object.hasOwn(msg, f.name)) out[f.name] = num(msg[f.name]);
      }
      return out;
    };
    const seeds = [
      ...(await vectorPayloads("nmsg/dnsqr.nmsg", 1, 9)).map((p) => [QR, p.payload] as const),
      ...(await vectorPayloads("dedupe/dedupe.nmsg", 2, 1)).map((p) => [DD, p.payload] as const),
    ];
    let taken = 0;
    const check = (m: MessageModule, b: Uint8Array, mustTake: boolean): void => {
      const got = codec(m).decodePlain(b);
      if (got === BAIL) {
        if (mustTake) throw new Error("the plain decoder gave up on a vector payload");
        return;
      }
      taken++;
      const ref = pbDecode(m, b);
      expect(ref).not.toBeNull();
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(picture(got)).toEqual(picture(asPlain(m, ref as Msg)));
    };
    for (const [m, b] of seeds) check(m, b, true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (i, flips) => {
        const [m, seed] = seeds[i] as (typeof seeds)[number];
        const b = seed.slice();
        for (const f of flips) b[(f >>> 3) % b.length] = (b[(f >>> 3) % b.length] as number) ^ (1 << (f & 7));
        check(m, b, false);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...MODS), fc.uint8Array({ maxLength: 64 }), (m, b) => check(m, b, false)),
      { numRuns: 300 },
    );
    expect(taken).toBeGreaterThan(seeds.length);
  });

  it("skips unknown fields and mismatched wire types the way protobufjs does", async () => {
    const [p] = await vectorPayloads("dedupe/dedupe.nmsg", 2, 1);
    const base = (p as NmsgPayload).payload;
    // field 100 varint, field 99 bytes, field 98 fixed64, field 97 fixed32, and rrttl (4) sent as fixed32
    const extra = Uint8Array.from([
      0xa0, 0x06, 0x96, 0x01, 0x9a, 0x06, 0x02, 0xaa, 0xbb, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x8d, 0x06, 1, 2, 3, 4, 0x25, 9, 9, 9, 9,
    ]);
    for (const b of [Uint8Array.from([...base, ...extra]), Uint8Array.from([...extra, ...base])]) {
      const fast = fastDecode(codec(DD), b);
      expect(fast).not.toBe(BAIL);
      const ref = pbDecode(DD, b) as Msg;
      expect(picture(fast as Msg)).toEqual(picture(ref));
      expect(Buffer.from(fastEncode(codec(DD), fast as Msg) as Uint8Array).equals(Buffer.from(pbEncode(DD, ref) as Uint8Array))).toBe(true);
    }
  });

  const bytes = fc.uint8Array({ maxLength: 40 });
  const u32 = fc.nat({ max: 0xffffffff });
  const i64 = fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.maxSafeNat(), fc.constantFrom(0, -1, 2 ** 53 - 1, -(2 ** 53) + 1));
  const qrObject = fc.record(
    {
      type: fc.integer({ min: 0, max: 7 }),
      query_ip: bytes,
      response_ip: bytes,
      proto: u32,
      query_port: u32,
      response_port: u32,
      id: u32,
      qname: bytes,
      qtype: u32,
      qclass: u32,
      rcode: u32,
      query_packet: fc.array(bytes, { maxLength: 3 }),
      query_time_sec: fc.array(i64, { maxLength: 3 }),
      query_time_nsec: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 3 }),
      response_packet: fc.array(bytes, { maxLength: 3 }),
      response_time_sec: fc.array(i64, { maxLength: 3 }),
      response_time_nsec: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 3 }),
      tcp: bytes,
      icmp: bytes,
      timeout: fc.double(),
      udp_checksum: fc.integer({ min: 0, max: 3 }),
      resolver_address_zeroed: fc.boolean(),
    },
    { requiredKeys: ["type", "query_ip", "response_ip", "proto", "query_port", "response_port", "id"] },
  );
  const ddObject = fc.record(
    {
      rrname: bytes,
      rrtype: u32,
      rrclass: u32,
      rrttl: u32,
      rdata: fc.array(bytes, { maxLength: 4 }),
      count: u32,
      time_first: u32,
      time_last: u32,
      type: fc.integer({ min: 0, max: 6 }),
      response_ip: bytes,
      response: bytes,
      bailiwick: bytes,
      zone_time_first: u32,
      zone_time_last: u32,
    },
    { requiredKeys: [] },
  );

  it("a plain object's fields are its own: a name on a polluted Object.prototype is not encoded", () => {
    const d: Msg = { rrname: Uint8Array.of(0), rrtype: 1, rdata: [Uint8Array.of(1, 2, 3, 4)] };
    const clean = fastEncode(codec(DD), d) as Uint8Array;
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.rrttl = 300;
      proto.count = 7;
      const polluted = fastEncode(codec(DD), d);
      expect(polluted).not.toBe(BAIL);
      expect(Buffer.from(polluted as Uint8Array).equals(Buffer.from(clean))).toBe(true);
      // an own value of a polluted name is still encoded
      const own = fastEncode(codec(DD), { ...d, count: 2 }) as Uint8Array;
      expect(picture(fastDecode(codec(DD), own) as Msg)).toMatchObject({ count: 2 });
      expect(Object.hasOwn(fastDecode(codec(DD), own) as Msg, "rrttl")).toBe(false);
    } finally {
      delete proto.rrttl;
      delete proto.count;
    }
  });

  it("random DnsQR and DnsDedupe objects encode to protobufjs's bytes, and decode back alike", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          qrObject.map((o) => [QR, { ...o }] as const),
          ddObject.map((o) => [DD, { ...o }] as const),
        ),
        ([m, o]) => {
          const fast = fastEncode(codec(m), o as Msg);
          expect(fast).not.toBe(BAIL);
          const ref = pbEncode(m, o as Msg) as Uint8Array;
          expect(Buffer.from(fast as Uint8Array).equals(Buffer.from(ref))).toBe(true);
          const back = fastDecode(codec(m), fast as Uint8Array);
          expect(back).not.toBe(BAIL);
          expect(picture(back as Msg)).toEqual(picture(pbDecode(m, ref) as Msg));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("int64 times at every varint length boundary (2^7k) and around 2^31, 2^32 encode to protobufjs's bytes", () => {
    const edges: number[] = [0, 1, 127, 128];
    for (const e of [14, 21, 28, 31, 32, 35, 42, 49, 52]) edges.push(2 ** e - 1, 2 ** e, 2 ** e + 1);
    edges.push(Number.MAX_SAFE_INTEGER, -1, -(2 ** 31), -(2 ** 32));
    const base = requiredQr();
    for (const t of edges) {
      const values: unknown[] = [t];
      if (withLong) values.push((Long as { fromNumber(n: number): unknown }).fromNumber(t));
      for (const v of values) {
        const o = { ...base, query_time_sec: [v], response_time_sec: [v, 5] } as Msg;
        const fast = fastEncode(codec(QR), o);
        expect(fast, `time ${t}`).not.toBe(BAIL);
        expect(Buffer.from(fast as Uint8Array).toString("hex"), `time ${t}`).toBe(
          Buffer.from(pbEncode(QR, o) as Uint8Array).toString("hex"),
        );
        // and straight into a buffer, as NmsgWriter.writeMessage does
        const out = new Uint8Array(256);
        const end = codec(QR).put(o, out, 3, 256 - 64);
        expect(Buffer.from(out.subarray(3, end)).equals(Buffer.from(fast as Uint8Array)), `put, time ${t}`).toBe(true);
      }
    }
  });

  it("objects outside the fast path (wrong types, missing required fields, odd values) go to protobufjs", () => {
    const weird: Msg[] = [
      { type: 1, query_ip: new Uint8Array(4), response_ip: new Uint8Array(4), proto: 17, query_port: 1, response_port: 2 }, // no id
      { type: 99, query_ip: new Uint8Array(4), response_ip: new Uint8Array(4), proto: 17, query_port: 1, response_port: 2, id: 3 },
      { type: "TCP", query_ip: new Uint8Array(4), response_ip: new Uint8Array(4), proto: 17, query_port: 1, response_port: 2, id: 3 },
      { type: 1, query_ip: "AAAA", response_ip: new Uint8Array(4), proto: 17, query_port: 1, response_port: 2, id: 3 },
      { type: 1, query_ip: new Uint8Array(4), response_ip: new Uint8Array(4), proto: 1.5, query_port: 1, response_port: 2, id: 3 },
      { ...requiredQr(), query_time_sec: [2 ** 60] },
    ];
    for (const o of weird) {
      expect(fastEncode(codec(QR), o)).toBe(BAIL);
      let ours: Uint8Array | null;
      try {
        ours = encodeMessage(QR, o);
      } catch {
        ours = null;
      }
      const ref = pbEncode(QR, o);
      expect(ours === null ? null : Buffer.from(ours).toString("hex")).toEqual(ref === null ? null : Buffer.from(ref).toString("hex"));
    }
  });
});
