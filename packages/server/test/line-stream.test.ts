import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineStream } from "../src/line-stream.js";

/** Everything the stream gives, and how it ended. */
async function drain(lines: string[], head = ""): Promise<{ body: Buffer; aborted: boolean | null }> {
  let aborted: boolean | null = null;
  const s = new LineStream(
    (function* () {
      yield* lines;
    })(),
    (a) => {
      aborted = a;
    },
    head,
  );
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return { body: Buffer.concat(parts), aborted };
}

describe("LineStream", () => {
  it("gives the UTF-8 of the lines in order: short, empty (a step without output), long, non-ASCII", async () => {
    const line = fc.oneof(
      fc.constant(""),
      fc.string({ maxLength: 200 }).map((s) => `${s}\n`),
      fc.string({ unit: "grapheme", maxLength: 50 }).map((s) => `${s}\n`),
      fc.integer({ min: 5000, max: 40000 }).map((n) => `${"é".repeat(n)}\n`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 400 }), fc.string({ maxLength: 30 }), async (lines, head) => {
        const got = await drain(lines, head);
        expect(got.body.equals(Buffer.from(head + lines.join(""), "utf8"))).toBe(true);
        expect(got.aborted).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it("many lines across many chunks", async () => {
    const lines = Array.from({ length: 50000 }, (_, i) => `{"obj":{"n":${i},"s":"${"x".repeat(i % 97)}"}}\n`);
    const got = await drain(lines);
    expect(got.body.toString("utf8")).toBe(lines.join(""));
  });
});
