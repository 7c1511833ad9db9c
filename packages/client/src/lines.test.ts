import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientError } from "./errors.js";
import { splitLines } from "./lines.js";
import { checkRecord, parseCofLine, parseSafLine } from "./records.js";

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(at, c);
    at = c;
  }
  yield bytes.subarray(at);
}

async function all(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

describe("splitLines", () => {
  it("gives the same lines however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.string({ unit: "grapheme" }).map((s) => s.replace(/[\r\n]/g, "")),
          { maxLength: 20 },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (lines, cuts) => {
          const text = lines.map((l) => `${l}\n`).join("");
          const bytes = new TextEncoder().encode(text);
          expect(await all(splitLines(chunked(bytes, cuts)))).toEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("a last line without a newline; CRLF", async () => {
    expect(await all(splitLines(chunked(new TextEncoder().encode("a\r\nb"), [2])))).toEqual(["a", "b"]);
  });
  it("random bytes end in lines or a ClientError, never another error, and memory stays bounded", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 5 }), async (bytes, cuts) => {
        try {
          for await (const l of splitLines(chunked(bytes, cuts), 64)) expect(new TextEncoder().encode(l).length).toBeLessThanOrEqual(64);
        } catch (e) {
          expect(e).toBeInstanceOf(ClientError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("parseSafLine / parseCofLine", () => {
  const good = '{"obj":{"count":3,"time_first":1,"time_last":2,"rrname":"a.test.","rrtype":"A","bailiwick":"test.","rdata":["192.0.2.1"]}}';
  it("a record keeps the server's fields and order", () => {
    const l = parseSafLine(good, 1, checkRecord);
    expect(l.kind).toBe("record");
    if (l.kind === "record") expect(JSON.stringify(l.record)).toBe(good.slice(7, -1));
  });
  it("random and bit-flipped lines give a line or a ClientError, nothing else", () => {
    const flipped = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([i, b]) => {
      const bytes = new TextEncoder().encode(good);
      const at = i % bytes.length;
      bytes[at] = (bytes[at] as number) ^ (1 << b);
      return new TextDecoder().decode(bytes);
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), flipped), (line) => {
        for (const parse of [() => parseSafLine(line, 1, checkRecord), () => parseCofLine(line, 1)]) {
          try {
            parse();
          } catch (e) {
            expect(e).toBeInstanceOf(ClientError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
