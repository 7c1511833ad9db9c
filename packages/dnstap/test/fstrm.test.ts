/** Frame Streams files: round trips under any chunking, and every kind of damage as a typed error at its offset. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ControlType,
  DNSTAP_CONTENT_TYPE,
  DnstapErrorCode,
  decodeControl,
  encodeControl,
  encodeFrameStream,
  FrameStreamReader,
  type FrameStreamReaderOptions,
  FrameStreamWriter,
  isDnstapError,
} from "../src/index.js";

function read(b: Uint8Array, chunk = b.length || 1, opts: FrameStreamReaderOptions = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  const r = new FrameStreamReader((f) => out.push(f.slice()), opts);
  for (let i = 0; i < b.length; i += chunk) r.push(b.subarray(i, i + chunk));
  r.end();
  return out;
}

function errorOf(f: () => unknown): { code: string; offset: number | undefined; message: string } {
  try {
    f();
  } catch (e) {
    if (!isDnstapError(e)) throw e;
    return { code: e.code, offset: e.offset, message: e.message };
  }
  throw new Error("no error");
}

const be32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const START = encodeControl(ControlType.START, [DNSTAP_CONTENT_TYPE]);
const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

describe("Frame Streams files", () => {
  it("frames written are the frames read, under any chunking", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 20 }),
        fc.integer({ min: 1, max: 97 }),
        (frames, chunk) => {
          const b = encodeFrameStream(frames);
          expect(read(b, chunk)).toEqual(frames);
        },
      ),
    );
  });

  it("FrameStreamWriter writes what encodeFrameStream writes, START and STOP even with no frames", async () => {
    for (const frames of [[], [Uint8Array.of(1, 2, 3)], Array.from({ length: 3000 }, (_, i) => new Uint8Array(50).fill(i & 0xff))]) {
      const parts: Uint8Array[] = [];
      const w = new FrameStreamWriter((c) => void parts.push(c));
      for (const f of frames) await w.write(f);
      await w.close();
      expect(Buffer.compare(Buffer.concat(parts), encodeFrameStream(frames))).toBe(0);
    }
  });

  it("control frames encode and decode; STOP with a content type or START with two is malformed", () => {
    expect(decodeControl(encodeControl(ControlType.READY, ["a", "b"]).subarray(8))).toEqual({
      type: ControlType.READY,
      contentTypes: ["a", "b"],
    });
    expect(decodeControl(encodeControl(ControlType.FINISH).subarray(8))).toEqual({ type: ControlType.FINISH, contentTypes: [] });
    expect(() => decodeControl(encodeControl(ControlType.STOP, ["x"]).subarray(8))).toThrow(/STOP with a content type/);
    expect(() => decodeControl(encodeControl(ControlType.START, ["x", "y"]).subarray(8))).toThrow(/more than one/);
    expect(() => decodeControl(Uint8Array.of(0, 0, 0, 9))).toThrow(/unknown control type 9/);
    expect(() => decodeControl(Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 1, 0))).toThrow(/claims 256 bytes/);
  });

  it("a length claiming 4 GB is an error at its offset, not an allocation", () => {
    const b = cat(START, [0xff, 0xff, 0xff, 0xf0, 1, 2, 3]);
    expect(errorOf(() => read(b))).toMatchObject({ code: DnstapErrorCode.FRAME_TOO_LARGE, offset: START.length });
    expect(errorOf(() => read(b, 1))).toMatchObject({ code: DnstapErrorCode.FRAME_TOO_LARGE, offset: START.length });
    // a control frame longer than fstrm's 512 bytes
    expect(errorOf(() => read(cat([0, 0, 0, 0], be32(100000))))).toMatchObject({ code: DnstapErrorCode.FRAME_TOO_LARGE, offset: 0 });
    // the limit is the reader's choice
    const small = encodeFrameStream([new Uint8Array(100)]);
    expect(errorOf(() => read(small, 7, { maxFrameLength: 99 }))).toMatchObject({ code: DnstapErrorCode.FRAME_TOO_LARGE });
    expect(read(small, 7, { maxFrameLength: 100 })).toHaveLength(1);
  });

  it("a stream cut anywhere is truncated, at the offset of the frame it cuts", () => {
    const frames = [new Uint8Array(10).fill(1), new Uint8Array(20).fill(2)];
    const b = encodeFrameStream(frames);
    const starts = [0, START.length, START.length + 14, START.length + 38];
    for (let cut = 0; cut < b.length; cut++) {
      const e = errorOf(() => read(b.subarray(0, cut), 5));
      expect(e.code).toBe(DnstapErrorCode.TRUNCATED);
      // the frame in progress, or the end when the cut falls between frames (no STOP)
      const inside = starts.filter((s) => s < cut).pop() ?? 0;
      expect([inside, cut]).toContain(e.offset);
    }
    expect(errorOf(() => read(new Uint8Array(0))).message).toMatch(/no START/);
  });

  it("protocol errors: data before START, data after STOP, a bidirectional frame, another content type", () => {
    expect(errorOf(() => read(cat(be32(3), [1, 2, 3])))).toMatchObject({ code: DnstapErrorCode.PROTOCOL, offset: 0 });
    const done = encodeFrameStream([Uint8Array.of(7)]);
    expect(errorOf(() => read(cat(done, be32(1), [9])))).toMatchObject({ code: DnstapErrorCode.PROTOCOL, offset: done.length });
    expect(errorOf(() => read(cat(START, encodeControl(ControlType.READY))))).toMatchObject({ code: DnstapErrorCode.PROTOCOL });
    const other = encodeFrameStream([Uint8Array.of(1)], "protobuf:other.Thing");
    expect(errorOf(() => read(other))).toMatchObject({ code: DnstapErrorCode.CONTENT_TYPE, offset: 0 });
    expect(read(other, 3, { contentType: null })).toHaveLength(1);
    // concatenated files read as one
    expect(read(cat(done, done))).toHaveLength(2);
  });
});
