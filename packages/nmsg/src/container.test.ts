import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containerHeader, decodeFragment, decodeNmsg, encodeFragment, encodeNmsg, unzlibBody, zlibBody } from "./container.js";
import { isNmsgError, NmsgErrorCode } from "./errors.js";
import { decodePayload, encodePayload, type NmsgPayload, payloadCrc } from "./payload.js";
import { parseHeader, readPayloads } from "./reader.js";

describe("container layer", () => {
  it("header: magic, version 2, flags, big-endian length", () => {
    expect([...containerHeader(0x01, 0x01020304)]).toEqual([0x4e, 0x4d, 0x53, 0x47, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04]);
    expect(parseHeader(containerHeader(0x03, 77), 0)).toEqual([3, 10, 77]);
  });

  it("bad magic is ERR_MAGIC with the offset", () => {
    const h = containerHeader(0, 5);
    h[0] = 0x58;
    try {
      parseHeader(h, 0);
      expect.unreachable();
    } catch (e) {
      expect(isNmsgError(e) && e.code).toBe(NmsgErrorCode.MAGIC);
    }
  });

  it("zlib body: 4-byte big-endian raw length, then the deflate stream", () => {
    const raw = new Uint8Array(1000).fill(7);
    const z = zlibBody(raw);
    expect([...z.subarray(0, 4)]).toEqual([0, 0, 3, 0xe8]);
    expect(unzlibBody(z)).toEqual(raw);
    const bad = z.slice();
    bad[bad.length - 3] = (bad[bad.length - 3] as number) ^ 0xff;
    expect(() => unzlibBody(bad, 1234)).toThrow(/zlib/);
  });

  it("fragments round trip", () => {
    const f = { id: 0xdeadbeef, current: 1, last: 2, fragment: new Uint8Array([1, 2, 3]), crc: 42 };
    const d = decodeFragment(encodeFragment(f));
    expect(d.id).toBe(f.id);
    expect(d.current).toBe(1);
    expect(d.last).toBe(2);
    expect([...d.fragment]).toEqual([1, 2, 3]);
    expect(d.crc).toBe(42);
  });
});

describe("fragment input limits", () => {
  it("a fragment claiming 2^32 parts is ERR_FRAGMENT, not a RangeError", () => {
    const b = encodeFragment({ id: 1, current: 0, last: 0xffffffff, fragment: new Uint8Array([1]), crc: 0 });
    try {
      decodeFragment(b);
      expect.unreachable();
    } catch (e) {
      expect(isNmsgError(e) && e.code).toBe(NmsgErrorCode.FRAGMENT);
    }
  });

  it("a fragment set that never completes is reported at end of input and counted", async () => {
    const { readPayloads, newStats } = await import("./reader.js");
    const frag = encodeFragment({ id: 9, current: 0, last: 1, fragment: new Uint8Array([1, 2, 3]), crc: 5 });
    const c = new Uint8Array(10 + frag.length);
    c.set(containerHeader(0x02, frag.length));
    c.set(frag, 10);
    const stats = newStats();
    const run = async (): Promise<void> => {
      for await (const _ of readPayloads(
        (async function* () {
          yield c;
        })(),
        { stats },
      ))
        expect.unreachable();
    };
    await expect(run()).rejects.toThrow(/never completed/);
    expect(stats.fragmentsDropped).toBe(1);
  });
});

describe("legacy version 1", () => {
  it("a v1 container (be16 version, be16 length) reads like its v2 twin", async () => {
    const { readVector } = await import("../../../test/vectors.js");
    const { readPayloads } = await import("./reader.js");
    const v2 = readVector("nmsg/dnsqr.unbuffered.nmsg");
    const len = new DataView(v2.buffer, v2.byteOffset).getUint32(6);
    const body = v2.subarray(10, 10 + len);
    const v1 = new Uint8Array(8 + len);
    v1.set([0x4e, 0x4d, 0x53, 0x47, 0, 1, len >> 8, len & 0xff]);
    v1.set(body, 8);
    const read = async (b: Uint8Array): Promise<string[]> => {
      const out: string[] = [];
      for await (const p of readPayloads(
        (async function* () {
          yield b;
        })(),
      ))
        out.push(Buffer.from(p.payload).toString("hex"));
      return out;
    };
    const got = await read(v1);
    expect(got).toHaveLength(1);
    expect(got).toEqual(await read(v2.subarray(0, 10 + len)));
  });
  it("payload headers of every layout (the common one read straight through, any other by the general loop) round trip", () => {
    const header = fc.record(
      {
        vid: fc.oneof(fc.nat({ max: 127 }), fc.nat({ max: 70000 })),
        msgtype: fc.oneof(fc.nat({ max: 127 }), fc.nat({ max: 70000 })),
        timeSec: fc.oneof(fc.nat({ max: 2 ** 35 - 1 }), fc.constantFrom(0, 127, 128, 2 ** 35, 2 ** 40, -1, -(2 ** 31))),
        timeNsec: fc.nat({ max: 2 ** 32 - 1 }),
        payload: fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.nat({ max: 20000 }).map((n) => new Uint8Array(n).fill(5)),
        ),
        source: fc.nat({ max: 2 ** 32 - 1 }).filter((x) => x > 0),
        operator: fc.nat({ max: 9 }).filter((x) => x > 0),
        group: fc.nat({ max: 2 ** 32 - 1 }).filter((x) => x > 0),
      },
      { requiredKeys: ["vid", "msgtype", "timeSec", "timeNsec", "payload"] },
    );
    fc.assert(
      fc.property(header, (p) => {
        const back = decodePayload(encodePayload(p as NmsgPayload));
        expect({ ...back, payload: [...back.payload] }).toEqual({ ...p, payload: [...p.payload] });
      }),
      { numRuns: 400 },
    );
  });
});

describe("payload CRCs", () => {
  const payloads: NmsgPayload[] = Array.from({ length: 6 }, (_, i) => ({
    vid: 1,
    msgtype: 9,
    timeSec: 1700000000 + i,
    timeNsec: i,
    payload: new Uint8Array(40 + i).fill(i + 1),
  }));
  const packed = payloads.map((p) => encodePayload(p));
  const crcs = payloads.map((p) => payloadCrc(p.payload));
  const seconds = (d: { payloads: NmsgPayload[] }): number[] => d.payloads.map((p) => p.timeSec - 1700000000);

  it("the i-th CRC checks the i-th payload, as libnmsg pairs them, even when the counts differ", () => {
    // a payload lost from a damaged container: the ones after it no longer match their CRCs
    const lost = decodeNmsg(encodeNmsg([...packed.slice(0, 2), ...packed.slice(3)], crcs));
    expect(seconds(lost)).toEqual([0, 1]);
    expect(lost.crcErrors).toBe(3);
    // fewer CRCs than payloads: the payloads without one pass unchecked
    const short = decodeNmsg(encodeNmsg(packed, crcs.slice(0, 4)));
    expect(seconds(short)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(short.crcErrors).toBe(0);
    // no CRCs at all (allowed): nothing checked
    expect(decodeNmsg(encodeNmsg(packed, [])).payloads.length).toBe(6);
    // one bad CRC drops exactly its payload
    const bad = crcs.slice();
    bad[4] = (bad[4]! ^ 1) >>> 0;
    const one = decodeNmsg(encodeNmsg(packed, bad));
    expect(seconds(one)).toEqual([0, 1, 2, 3, 5]);
    expect(one.crcErrors).toBe(1);
  });

  it("checks every payload of a container larger than the reader's scratch tables, and payloads with no message", () => {
    // 10,000 payloads (the scratch tables start at 4,096), every 997th CRC wrong, and
    // every 1,000th payload without a message (its CRC is that of no bytes)
    const many: NmsgPayload[] = Array.from({ length: 10_000 }, (_, i) => ({
      vid: 1,
      msgtype: 9,
      timeSec: 1700000000 + i,
      timeNsec: i,
      payload: i % 1000 === 999 ? new Uint8Array(0) : new Uint8Array(3 + (i % 50)).fill(i & 255),
    }));
    const sums = many.map((p, i) => (i % 997 === 0 ? payloadCrc(p.payload) ^ 1 : payloadCrc(p.payload)) >>> 0);
    const d = decodeNmsg(
      encodeNmsg(
        many.map((p) => encodePayload(p)),
        sums,
      ),
    );
    const kept = many.filter((_, i) => i % 997 !== 0);
    expect(d.crcErrors).toBe(many.length - kept.length);
    expect(d.payloads.map((p) => p.timeSec)).toEqual(kept.map((p) => p.timeSec));
    expect(d.payloads.map((p) => Buffer.from(p.payload).toString("hex"))).toEqual(kept.map((p) => Buffer.from(p.payload).toString("hex")));
  });

  it("the reader reports dropped payloads with the container's offset", async () => {
    const good = encodeNmsg(packed, crcs);
    const bad = crcs.slice();
    bad[0] = (bad[0]! ^ 0x80) >>> 0;
    const damaged = encodeNmsg(packed, bad);
    const file = Buffer.concat([containerHeader(0, good.length), good, containerHeader(0, damaged.length), damaged]);
    const seen: [number, number | undefined][] = [];
    let n = 0;
    for await (const _ of readPayloads(Readable.from([file]), { onCrcError: (k, at) => void seen.push([k, at]) })) n++;
    expect(n).toBe(11);
    expect(seen).toEqual([[1, 10 + good.length]]);
  });
});

describe("zlib container bodies", () => {
  const raw = new Uint8Array(300_000).map((_, i) => (i * 7) & 255);
  const withLength = (len: number): Uint8Array => {
    const b = zlibBody(raw, "native").slice();
    new DataView(b.buffer, b.byteOffset).setUint32(0, len, false);
    return b;
  };
  const code = (f: () => unknown): NmsgErrorCode | "none" => {
    try {
      f();
      return "none";
    } catch (e) {
      if (!isNmsgError(e)) throw e;
      return e.code;
    }
  };
  it("inflates to exactly the stated length, whichever engine deflated it", () => {
    for (const engine of ["native", "libnmsg"] as const)
      expect(Buffer.from(unzlibBody(zlibBody(raw, engine))).equals(Buffer.from(raw))).toBe(true);
    expect(unzlibBody(zlibBody(new Uint8Array(0))).length).toBe(0);
  });
  it("a stated length other than the inflated one is an error, not a short or long container", () => {
    // more bytes than stated: stopped at the stated size (a bomb stops there too)
    expect(code(() => unzlibBody(withLength(raw.length - 1)))).toBe(NmsgErrorCode.DECOMPRESS);
    // fewer than stated, in one chunk of the stated size and (beyond 4 MiB) in default chunks
    expect(code(() => unzlibBody(withLength(raw.length + 1)))).toBe(NmsgErrorCode.DECOMPRESS);
    expect(code(() => unzlibBody(withLength(8 << 20)))).toBe(NmsgErrorCode.DECOMPRESS);
    // beyond what a container may hold: refused before inflating
    expect(code(() => unzlibBody(withLength(0xffffffff)))).toBe(NmsgErrorCode.DECOMPRESS);
  });
  it("the error says what is wrong with the container in our words, not Node's (no 'Cannot create a Buffer')", () => {
    // more bytes than stated, in one chunk of the stated size and (beyond 4 MiB of raw data) in default chunks
    for (const len of [raw.length - 1, 1000])
      expect(() => unzlibBody(withLength(len), 77)).toThrow(
        `corrupt zlib container (inflates to more than the ${len} bytes it states) at offset 77`,
      );
    const big = new Uint8Array(5 << 20);
    const b = zlibBody(big, "native").slice();
    new DataView(b.buffer, b.byteOffset).setUint32(0, (5 << 20) - 1, false);
    expect(() => unzlibBody(b, 5)).toThrow(
      `corrupt zlib container (inflates to more than the ${(5 << 20) - 1} bytes it states) at offset 5`,
    );
  });
});
