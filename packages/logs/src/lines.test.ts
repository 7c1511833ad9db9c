import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LineEvent, LineSplitter } from "./lines.js";

const enc = new TextEncoder();

function split(chunks: Uint8Array[], max?: number): { events: LineEvent[]; end: ReturnType<LineSplitter["end"]> } {
  const s = new LineSplitter(max);
  const events: LineEvent[] = [];
  for (const c of chunks) s.push(c, events);
  return { events, end: s.end() };
}

describe("LineSplitter", () => {
  it("lines across chunks, CRLF, a cut last line", () => {
    const { events, end } = split([enc.encode("a\r\nb"), enc.encode("c\n\nd")]);
    expect(events).toEqual([{ line: "a" }, { line: "bc" }, { line: "" }]);
    expect(end).toEqual({ cut: "d" });
  });

  it("an over-long line is skipped to its newline, never buffered", () => {
    const big = new Uint8Array(1 << 20).fill(0x61);
    const { events, end } = split([enc.encode("x\n"), big, big, enc.encode("\ny\n")], 1000);
    expect(events).toEqual([{ line: "x" }, { tooLong: 2 << 20 }, { line: "y" }]);
    expect(end).toEqual({});
  });

  it("invalid UTF-8 decodes to U+FFFD", () => {
    expect(split([new Uint8Array([0x61, 0xff, 0x0a])]).events).toEqual([{ line: "a\uFFFD" }]);
  });

  it("any chunking gives the same lines as splitting the whole input", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 30 }), fc.constantFrom("\n", "\r\n")), { maxLength: 30 })
            .map((a) => enc.encode(a.join(""))),
        ),
        fc.array(fc.integer({ min: 0, max: 300 })),
        (bytes, cuts) => {
          const points = [...new Set(cuts.filter((c) => c <= bytes.length))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let last = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(last, p));
            last = p;
          }
          expect(split(chunks, 50)).toEqual(split([bytes], 50));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
