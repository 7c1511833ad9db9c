import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodePcap } from "./craft.js";
import { isCaptureError } from "./errors.js";
import { CaptureParser, readCapture } from "./pcap.js";

interface Rec {
  bytes: number[];
  caplen: number;
  origlen: number;
  sec: number;
  nsec: number;
  lt: number;
}

function parseAll(chunks: Uint8Array[]): { recs: Rec[]; p: CaptureParser } {
  const recs: Rec[] = [];
  const p = new CaptureParser((d, off, caplen, origlen, sec, nsec, lt) =>
    recs.push({ bytes: [...d.subarray(off, off + caplen)], caplen, origlen, sec, nsec, lt }),
  );
  for (const c of chunks) p.push(c);
  p.end();
  return { recs, p };
}

const pkt = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

/** pcapng: SHB, IDB (with if_tsresol), EPB, SPB; little- or big-endian */
function pcapng(le: boolean, tsresol?: number): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number): void => {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    parts.push(...(le ? b : b.reverse()));
  };
  const u16 = (v: number): void => {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    parts.push(...(le ? b : b.reverse()));
  };
  // SHB
  u32(0x0a0d0d0a);
  u32(28);
  u32(0x1a2b3c4d);
  u16(1);
  u16(0);
  u32(0xffffffff);
  u32(0xffffffff);
  u32(28);
  // IDB
  const idbLen = tsresol === undefined ? 20 : 32;
  u32(1);
  u32(idbLen);
  u16(1);
  u16(0);
  u32(65535);
  if (tsresol !== undefined) {
    u16(9);
    u16(1);
    parts.push(tsresol, 0, 0, 0);
    u16(0);
    u16(0);
  }
  u32(idbLen);
  // EPB with a 5-byte packet (padded to 8)
  const units = tsresol === 9 ? 1_700_000_000_123_456_789n : 1_700_000_000_123_456n;
  u32(6);
  u32(28 + 8 + 4);
  u32(0);
  u32(Number(units >> 32n));
  u32(Number(units & 0xffffffffn));
  u32(5);
  u32(5);
  parts.push(1, 2, 3, 4, 5, 0, 0, 0);
  u32(28 + 8 + 4);
  // SPB with 3 bytes
  u32(3);
  u32(16 + 4);
  u32(3);
  parts.push(9, 8, 7, 0);
  u32(16 + 4);
  // an unknown block is skipped
  u32(0x0bad);
  u32(12);
  u32(12);
  return Uint8Array.from(parts);
}

describe("pcap", () => {
  it("reads records in any chunking", () => {
    const file = encodePcap([
      { data: pkt(60, 1), sec: 10, usec: 5 },
      { data: pkt(1, 2), sec: 11, usec: 999999, origlen: 100 },
      { data: pkt(300, 3), sec: 12 },
    ]);
    for (const size of [1, 7, 24, 25, 100, file.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < file.length; i += size) chunks.push(file.slice(i, i + size));
      const { recs, p } = parseAll(chunks);
      expect(recs.map((r) => [r.caplen, r.origlen, r.sec, r.nsec, r.lt, r.bytes[0]])).toEqual([
        [60, 60, 10, 5000, 1, 1],
        [1, 100, 11, 999999000, 1, 2],
        [300, 300, 12, 0, 1, 3],
      ]);
      expect(p.info).toMatchObject({ format: "pcap", packets: 3, truncatedTail: false, bytes: file.length });
    }
  });

  it("reads big-endian and nanosecond files", () => {
    const le = encodePcap([{ data: pkt(4, 7), sec: 3, usec: 4 }], 101);
    const be = new Uint8Array(le.length);
    be.set(le);
    const swap = (o: number): void => {
      be.set([le[o + 3]!, le[o + 2]!, le[o + 1]!, le[o]!], o);
    };
    for (const o of [0, 8, 12, 16, 20, 24, 28, 32, 36]) swap(o);
    be.set([le[5]!, le[4]!, le[7]!, le[6]!], 4);
    be[0] = 0xa1;
    be[1] = 0xb2;
    be[2] = 0x3c;
    be[3] = 0x4d; // big-endian, nanosecond resolution
    const { recs } = parseAll([be]);
    expect(recs).toEqual([{ bytes: [7, 7, 7, 7], caplen: 4, origlen: 4, sec: 3, nsec: 4, lt: 101 }]);
  });

  it("a record cut short at the end is reported, not thrown", () => {
    const file = encodePcap([
      { data: pkt(60, 1), sec: 1 },
      { data: pkt(60, 2), sec: 2 },
    ]);
    const { recs, p } = parseAll([file.subarray(0, file.length - 10)]);
    expect(recs).toHaveLength(1);
    expect(p.info.truncatedTail).toBe(true);
  });

  it("rejects bad magic, empty input, a cut header and absurd record lengths", () => {
    expect(() => parseAll([new TextEncoder().encode("this is not a capture file at all")])).toThrow(/not a pcap or pcapng file/);
    expect(() => parseAll([])).toThrow(/empty input/);
    expect(() => parseAll([encodePcap([]).subarray(0, 10)])).toThrow(/inside the capture file header/);
    const file = encodePcap([{ data: pkt(10, 1), sec: 1 }]);
    new DataView(file.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expect(() => parseAll([file])).toThrow(/claims 2147483647 captured bytes at offset 24/);
  });
});

describe("pcapng", () => {
  for (const le of [true, false]) {
    it(`reads EPB and SPB blocks (${le ? "little" : "big"}-endian, microseconds)`, () => {
      const { recs, p } = parseAll([pcapng(le)]);
      expect(p.info.format).toBe("pcapng");
      expect(recs).toEqual([
        { bytes: [1, 2, 3, 4, 5], caplen: 5, origlen: 5, sec: 1700000000, nsec: 123456000, lt: 1 },
        { bytes: [9, 8, 7], caplen: 3, origlen: 3, sec: 0, nsec: 0, lt: 1 },
      ]);
    });
  }
  it("a pcapng simple packet block shorter than its fixed fields is corrupt framing, not a packet of negative length", () => {
    // section header, interface description (link type 1), then a simple packet block of 12 bytes
    const b = Buffer.from(
      "0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c0000000100000014000000010000000000040014000000030000000c0000000c000000",
      "hex",
    );
    const lens: number[] = [];
    const p = new CaptureParser((_b, _o, caplen) => void lens.push(caplen));
    let err: unknown;
    try {
      p.push(b);
      p.end();
    } catch (e) {
      err = e;
    }
    expect(isCaptureError(err) && err.code).toBe("ERR_CORRUPTION");
    expect(lens).toEqual([]);
  });
  it("honours if_tsresol (nanoseconds) exactly", () => {
    const { recs } = parseAll([pcapng(true, 9)]);
    expect(recs[0]).toMatchObject({ sec: 1700000000, nsec: 123456789 });
  });
  it("reads in one-byte chunks", () => {
    const f = pcapng(true);
    const { recs } = parseAll([...f].map((b) => Uint8Array.of(b)));
    expect(recs).toHaveLength(2);
  });
  it("a packet on an interface no IDB describes is corrupt framing (libpcap's read error), after the packets before it", () => {
    const f = pcapng(true);
    f[48 + 8] = 3; // the EPB (after a 28-byte SHB and a 20-byte IDB) names interface 3
    const recs: number[] = [];
    const p = new CaptureParser((_d, _o, caplen) => recs.push(caplen));
    let err: unknown;
    try {
      p.push(f);
    } catch (e) {
      err = e;
    }
    expect(isCaptureError(err) && err.code).toBe("ERR_CORRUPTION");
    expect((err as Error).message).toBe("pcapng packet on interface 3, which no interface description block describes at offset 48");
    expect(recs).toEqual([]);
    // an SPB with no IDB at all
    const noIdb = Uint8Array.from([...pcapng(true).subarray(0, 28), ...pcapng(true).subarray(88)]);
    expect(() => parseAll([noIdb])).toThrow(/pcapng packet on interface 0, which no interface description block describes at offset 28$/);
  });
  it("with linkTypes, refuses a pcap file or a pcapng interface of another link type (ERR_UNSUPPORTED)", () => {
    const onlyRaw = { linkTypes: (lt: number) => lt === 101 };
    const parse = (b: Uint8Array): unknown => {
      try {
        const p = new CaptureParser(() => {}, onlyRaw);
        p.push(b);
        p.end();
        return p.info.packets;
      } catch (e) {
        return isCaptureError(e) ? `${e.code}: ${e.message}` : e;
      }
    };
    expect(parse(encodePcap([{ data: pkt(4, 7), sec: 3 }], 101))).toBe(1);
    expect(parse(encodePcap([{ data: pkt(4, 7), sec: 3 }], 999))).toBe("ERR_UNSUPPORTED: unsupported link type 999");
    expect(parse(pcapng(true))).toBe("ERR_UNSUPPORTED: unsupported link type 1 (pcapng interface 0)");
    // an interface of an unsupported type that carries no packet is harmless
    const idbOnly = pcapng(true).subarray(0, 48);
    expect(parse(idbOnly)).toBe(0);
    // without the option every link type is handed on
    expect(parseAll([encodePcap([{ data: pkt(4, 7), sec: 3 }], 999)]).recs[0]?.lt).toBe(999);
  });
  it("rejects a block whose trailing length disagrees", () => {
    const f = pcapng(true);
    f[f.length - 1] = 99;
    expect(() => parseAll([f])).toThrow(/trailing length/);
  });
});

describe("property: random and bit-flipped captures", () => {
  const base = encodePcap([
    { data: pkt(60, 1), sec: 1 },
    { data: pkt(90, 2), sec: 2 },
  ]);
  const ng = pcapng(true);
  it("never throw anything but a CaptureError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc
            .tuple(fc.constantFrom(base, ng), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 6 }))
            .map(([b, flips]) => {
              const c = b.slice();
              for (const [i, bit] of flips) c[i % c.length]! ^= 1 << bit;
              return c;
            }),
        ),
        async (bytes) => {
          try {
            await readCapture([bytes], () => {});
          } catch (e) {
            if (!isCaptureError(e)) throw e;
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
