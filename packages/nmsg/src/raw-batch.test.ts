/**
 * Pass-through (raw batches): payloads moved without decoding give the bytes the decode path gives
 * (readPayloadBatches → write), on the vectors, fragmented and zlib inputs, crafted layouts the
 * writer would not produce, and random or damaged streams; readRawBatches reports what
 * readPayloadBatches reports.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { containerHeader, encodeNmsg } from "./container.js";
import { isNmsgError } from "./errors.js";
import { decodePayload, encodePayload, type NmsgPayload, payloadCrc } from "./payload.js";
import { exactPayloadAt, type RawBatch } from "./raw-batch.js";
import { readRawBatches } from "./raw-reader.js";
import { newStats, readPayloadBatches } from "./reader.js";
import { NmsgWriter, type WriterOptions } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-raw-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VECTORS = [
  "nmsg/dnsqr.nmsg",
  "nmsg/dnsqr.zlib.nmsg",
  "nmsg/dnsqr.unbuffered.nmsg",
  "nmsg/dnsqr.unbuffered.zlib.nmsg",
  "nmsg/dnsqr.bufsz512.nmsg",
  "nmsg/dnsqr.bufsz4096.nmsg",
  "nmsg/dnsqr.first10.source.nmsg",
];
const OPTIONS: WriterOptions[] = [
  {},
  { zlib: true },
  { unbuffered: true },
  { bufsz: 512 },
  { bufsz: 4096, zlib: true },
  { bufsz: 700, sequence: true },
  { recycle: true },
  { recycle: true, zlib: true, bufsz: 4096 },
];

/** chunks of b of `size` bytes (a stream that splits containers anywhere) */
const chunked = (b: Uint8Array, size: number): Readable => {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.slice(i, i + size));
  return Readable.from(parts);
};

/** what a writer with `opts` writes: through the decode path, or moving raw batches (with fixed random ids and sequence ids) */
async function rewrite(input: Uint8Array, opts: WriterOptions, raw: boolean, chunk = 1 << 20): Promise<{ out: Buffer; stats: object }> {
  const chunks: Uint8Array[] = [];
  // the sink takes its copy a turn later: a writer that refilled a buffer before the sink was done would show here
  const w = new NmsgWriter(async (c) => {
    await new Promise((r) => setImmediate(r));
    chunks.push(c.slice());
  }, opts);
  const stats = newStats();
  if (raw) {
    for await (const b of readRawBatches(chunked(input, chunk), { stats })) await w.writeRaw(b);
  } else {
    for await (const batch of readPayloadBatches(chunked(input, chunk), { stats })) for (const p of batch) await w.write(p);
  }
  await w.close();
  return { out: Buffer.concat(chunks), stats };
}

/** whether the writer's output has random parts (fragment ids, sequence ids) */
const random = (opts: WriterOptions): boolean => opts.sequence === true || (opts.bufsz !== undefined && opts.bufsz < 4096);

/**
 * Two writers' outputs compared: byte for byte, or where ids are drawn at random, the payloads
 * they carry, in order, and the containers' flags and count (but with sequence numbers: a random
 * sequence id takes 9 or 10 bytes, which decides whether an overfull container is fragmented).
 */
async function same(a: Buffer, b: Buffer, opts: WriterOptions): Promise<boolean> {
  if (!random(opts)) return a.equals(b);
  const shape = async (x: Buffer): Promise<string> => {
    const flags: number[] = [];
    if (!opts.sequence) for (let at = 0; at + 10 <= x.length; at += 10 + x.readUInt32BE(at + 6)) flags.push(x[at + 4] as number);
    const payloads: string[] = [];
    for await (const batch of readPayloadBatches(Readable.from([x])))
      payloads.push(batch.map((p) => Buffer.from(encodePayload(p)).toString("hex")).join());
    return JSON.stringify([flags, payloads]);
  };
  return (await shape(a)) === (await shape(b));
}

describe("raw batches against the decode path", () => {
  it("the vectors (plain, zlib, unbuffered, fragmented) rewritten every way: the same bytes", async () => {
    for (const file of VECTORS) {
      const input = readVector(file);
      for (const opts of OPTIONS) {
        const a = await rewrite(input, opts, false);
        const b = await rewrite(input, opts, true, 777);
        expect(b.stats, `${file} ${JSON.stringify(opts)}`).toEqual(a.stats);
        expect(await same(a.out, b.out, opts), `${file} ${JSON.stringify(opts)}`).toBe(true);
        expect(b.out.length).toBeGreaterThan(0);
      }
    }
  });

  it("with no random parts (file containers), byte for byte, including nmsgtool's own files", async () => {
    for (const [file, opts] of [
      ["nmsg/dnsqr.nmsg", {}],
      ["nmsg/dnsqr.zlib.nmsg", { zlib: true }],
      ["nmsg/dnsqr.unbuffered.nmsg", { unbuffered: true }],
      ["nmsg/dnsqr.bufsz4096.nmsg", { bufsz: 4096 }],
    ] as const) {
      for (const src of VECTORS) {
        const raw = await rewrite(readVector(src), opts, true);
        const dec = await rewrite(readVector(src), opts, false);
        expect(raw.out.equals(dec.out)).toBe(true);
        if (src === "nmsg/dnsqr.nmsg" || src === file) expect(raw.out.equals(Buffer.from(readVector(file)))).toBe(true);
      }
    }
  });

  it("payload layouts the writer would not produce are decoded and written (the same bytes as the decode path)", async () => {
    const base: NmsgPayload = { vid: 1, msgtype: 9, timeSec: 1_700_000_000, timeNsec: 5, payload: Uint8Array.of(1, 2, 3) };
    const plain = encodePayload(base);
    const swapped = Uint8Array.of(...plain.subarray(2, 4), ...plain.subarray(0, 2), ...plain.subarray(4)); // msgtype before vid
    const unknown = Uint8Array.of(...plain, 0x50, 0x01); // an unknown field 10
    const padded = Uint8Array.of(0x08, 0x81, 0x00, ...plain.subarray(2)); // vid 1 in two bytes
    const sourced = encodePayload({ ...base, source: 0, operator: 7, group: 0xffffffff });
    const negative = encodePayload({ ...base, timeSec: -1 });
    const big = encodePayload({ ...base, vid: 300, msgtype: 70000, timeSec: 2 ** 40 });
    const payloads = [plain, swapped, unknown, padded, sourced, negative, big, plain];
    const crcs = payloads.map((p) => payloadCrc(decodePayload(p).payload));
    const body = encodeNmsg(payloads, crcs);
    const file = Buffer.concat([containerHeader(0, body.length), body]);
    for (const opts of [{}, { zlib: true }, { bufsz: 512 }]) {
      const a = await rewrite(file, opts, false);
      const b = await rewrite(file, opts, true);
      expect(await same(a.out, b.out, opts)).toBe(true);
    }
    expect(exactPayloadAt(plain, 0, plain.length)).toBe(true);
    expect(exactPayloadAt(sourced, 0, sourced.length)).toBe(true);
    expect(exactPayloadAt(big, 0, big.length)).toBe(true);
    for (const p of [swapped, unknown, padded, negative]) expect(exactPayloadAt(p, 0, p.length)).toBe(false);
  });

  it("exactPayloadAt says yes only when re-encoding the decoded payload gives the same bytes (random and bit-flipped payloads)", () => {
    const header = fc.record({
      vid: fc.oneof(fc.nat(200), fc.nat(0xffffffff)),
      msgtype: fc.oneof(fc.nat(200), fc.nat(0xffffffff)),
      timeSec: fc.oneof(fc.nat(2 ** 31), fc.integer({ min: -5, max: 2 ** 50 })),
      timeNsec: fc.nat(0xffffffff),
      payload: fc.uint8Array({ maxLength: 300 }),
      source: fc.option(fc.nat(0xffffffff), { nil: undefined }),
      operator: fc.option(fc.nat(0xffffffff), { nil: undefined }),
      group: fc.option(fc.nat(0xffffffff), { nil: undefined }),
    });
    fc.assert(
      fc.property(header, fc.nat(), fc.nat(7), fc.boolean(), (h, at, bit, flip) => {
        const p: NmsgPayload = { vid: h.vid, msgtype: h.msgtype, timeSec: h.timeSec, timeNsec: h.timeNsec, payload: h.payload };
        if (h.source !== undefined) p.source = h.source;
        if (h.operator !== undefined) p.operator = h.operator;
        if (h.group !== undefined) p.group = h.group;
        const b = encodePayload(p).slice();
        if (flip) b[at % b.length] = (b[at % b.length] as number) ^ (1 << bit);
        let again: Uint8Array | null = null;
        try {
          again = encodePayload(decodePayload(b));
        } catch (e) {
          expect(isNmsgError(e)).toBe(true);
        }
        if (exactPayloadAt(b, 0, b.length)) expect(again !== null && Buffer.from(again).equals(Buffer.from(b))).toBe(true);
        else if (!flip && h.timeSec >= 0 && h.timeSec < 2 ** 49) expect.unreachable("an encoded payload is exact");
      }),
      { numRuns: 400 },
    );
  });
});

describe("readRawBatches", () => {
  it("a file path and a stream of any chunking give the same batches and stats as readPayloadBatches", async () => {
    for (const file of VECTORS) {
      const input = readVector(file);
      const path = join(dir, "v.nmsg");
      writeFileSync(path, input);
      const want: string[] = [];
      const ws = newStats();
      for await (const batch of readPayloadBatches(Readable.from([input]), { stats: ws }))
        for (const p of batch) want.push(Buffer.from(encodePayload(p)).toString("hex"));
      for (const src of [path, chunked(input, 7), chunked(input, 4099)]) {
        const got: string[] = [];
        const gs = newStats();
        for await (const b of readRawBatches(src, { stats: gs })) {
          for (let i = 0; i < b.n; i++) got.push(Buffer.from(b.buf.subarray(b.ent[3 * i + 1], b.ent[3 * i + 2])).toString("hex"));
        }
        expect(got.length).toBe(want.length);
        // exact payloads are the bytes write() would write; the vectors hold no other kind
        expect(got).toEqual(want);
        expect(gs).toEqual(ws);
      }
    }
  });

  it("cut, damaged or random input: the error code, offset and payloads of readPayloadBatches", async () => {
    const good = readVector("nmsg/dnsqr.bufsz512.nmsg");
    const outcome = async (batches: AsyncIterable<RawBatch | NmsgPayload[]>): Promise<string> => {
      let n = 0;
      try {
        for await (const b of batches) n += Array.isArray(b) ? b.length : b.n;
        return `ok ${n}`;
      } catch (e) {
        if (!isNmsgError(e)) throw e;
        return `${e.code} ${e.offset} after ${n}`;
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length * 8 - 1), fc.nat(good.length), fc.integer({ min: 1, max: 5000 }), async (bit, cut, size) => {
        const b = Buffer.from(good.subarray(0, cut));
        if (b.length) b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
        const a = await outcome(readPayloadBatches(chunked(b, size)));
        const r = await outcome(readRawBatches(chunked(b, size)));
        expect(r).toBe(a);
      }),
      { numRuns: 150 },
    );
  });
});
