/** The sorter's radix order of arena keys against a plain comparison sort (byte order, ties by index). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byteOrder } from "../src/radix-sort.js";

/** byteOrder of latin1 keys packed into one arena (with a gap between keys, as a value would make) */
function latin1Order(keys: string[]): Uint32Array {
  const off = new Uint32Array(keys.length);
  const len = new Uint32Array(keys.length);
  let at = 0;
  keys.forEach((k, i) => {
    off[i] = at;
    len[i] = k.length;
    at += k.length + 3;
  });
  const arena = new Uint8Array(at).fill(0xaa);
  for (let i = 0; i < keys.length; i++) arena.set(Buffer.from(keys[i]!, "latin1"), off[i]!);
  return byteOrder({ arena, off, len, n: keys.length });
}

function reference(keys: string[]): number[] {
  return keys.map((_, i) => i).sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : x - y));
}

/** Index of the first difference (-1 if none): cheap to report, unlike a diff of 90k numbers. */
function firstDifference(got: Uint32Array, want: number[]): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return i;
  return -1;
}

// bytes from a tiny alphabet that includes 0 and 255, so shared prefixes, keys that are prefixes
// of others, trailing zero bytes and duplicates are all common
const byte = fc.constantFrom(0, 1, 2, 0x7f, 0x80, 0xff);
const keyOf = (len: number) => fc.array(byte, { maxLength: len }).map((b) => String.fromCharCode(...b));

describe("byteOrder", () => {
  it("orders like a comparison sort, ties in index order (small and medium inputs)", () => {
    fc.assert(
      fc.property(fc.array(keyOf(40), { maxLength: 600 }), fc.string({ maxLength: 20 }), (keys, prefix) => {
        // a shared prefix sends most of the work through the chunk passes
        const ks = keys.map((k) => prefix.replace(/[^\x00-\xff]/g, "a") + k);
        expect(firstDifference(latin1Order(ks), reference(ks))).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });

  it("orders a large input (16-bit digit passes) with long shared prefixes and duplicates", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const shared = "\x00\x07example\x04zone";
    const keys: string[] = [];
    for (let i = 0; i < 90_000; i++) {
      const tail = String.fromCharCode(...Array.from({ length: rnd(12) }, () => [0, 1, 97, 255][rnd(4)]!));
      keys.push(rnd(3) === 0 ? shared.slice(0, rnd(shared.length + 1)) + tail : shared + rnd(5000) + tail);
    }
    expect(firstDifference(latin1Order(keys), reference(keys))).toBe(-1);
  });

  it("handles the trivial cases", () => {
    expect([...latin1Order([])]).toEqual([]);
    expect([...latin1Order(["b"])]).toEqual([0]);
    expect([...latin1Order(["b", "a", "b", ""])]).toEqual([3, 1, 0, 2]);
  });
});
