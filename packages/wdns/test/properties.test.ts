/** fast-check properties: hostile input ends in WdnsError, never RangeError/TypeError/hang. */

import { fromHex } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import {
  downcaseName,
  isSubdomain,
  isWdnsError,
  messageToString,
  nameFromString,
  nameToString,
  parseMessage,
  rdataToString,
  reverseName,
  stringToRdata,
} from "../src/index.js";

const messages = readVectorText("wdns/messages.hex")
  .split("\n")
  .filter((l) => l)
  .map((h) => fromHex(h) as Uint8Array);

function safely(f: () => unknown): "ok" | "typed" {
  try {
    f();
    return "ok";
  } catch (e) {
    if (isWdnsError(e)) return "typed";
    throw e;
  }
}

describe("parser properties", () => {
  it("random bytes: typed error or a printable message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        safely(() => messageToString(parseMessage(b)));
      }),
      { numRuns: 2000 },
    );
  });
  it("bit flips and truncations of real messages: typed error or printable", () => {
    fc.assert(
      fc.property(fc.nat(messages.length - 1), fc.nat(), fc.nat(), fc.boolean(), (mi, bit, cut, truncate) => {
        const m = (messages[mi] as Uint8Array).slice();
        m[(bit >> 3) % m.length]! ^= 1 << (bit & 7);
        const input = truncate ? m.subarray(0, cut % (m.length + 1)) : m;
        safely(() => messageToString(parseMessage(input)));
      }),
      { numRuns: 3000 },
    );
  });
  it("compression loops are rejected, not followed", () => {
    // header + question whose name is a pointer to itself / forward
    const self = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(safely(() => parseMessage(self))).toBe("typed");
    const fwd = new Uint8Array([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 0, 1, 0, 1]);
    expect(safely(() => parseMessage(fwd))).toBe("typed");
  });
  it("rdata printing never throws on random rdata of any type", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ maxLength: 80 }), (t, rd) => {
        expect(typeof rdataToString(t, 1, rd)).toBe("string");
      }),
      { numRuns: 3000 },
    );
  });
  it("random text to rdata: typed error or bytes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 6, 15, 16, 28, 33, 35, 43, 46, 47, 48, 50, 64, 65, 257, 29),
        fc.string({ maxLength: 60 }),
        (t, s) => {
          safely(() => stringToRdata(t, 1, s));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("name properties", () => {
  const label = fc.uint8Array({ minLength: 1, maxLength: 20 });
  const wireName = fc.array(label, { maxLength: 6 }).map((ls) => {
    const parts: number[] = [];
    for (const l of ls) parts.push(l.length, ...l);
    parts.push(0);
    return new Uint8Array(parts);
  });
  it("wire → text → wire is the identity (\\DDD escapes)", () => {
    fc.assert(
      fc.property(wireName, (n) => {
        expect(nameFromString(nameToString(n))).toEqual(n);
      }),
    );
  });
  it("reversal is an involution and names are subdomains of their suffixes", () => {
    fc.assert(
      fc.property(wireName, (n) => {
        expect(reverseName(reverseName(n))).toEqual(n);
        expect(isSubdomain(n, new Uint8Array([0]))).toBe(true);
        expect(isSubdomain(downcaseName(n), n)).toBe(true);
      }),
    );
  });
  it("rejects empty labels, long labels and long names", () => {
    expect(safely(() => nameFromString("a..b"))).toBe("typed");
    expect(safely(() => nameFromString(`${"a".repeat(64)}.com`))).toBe("typed");
    expect(safely(() => nameFromString(`${"abcdefghi.".repeat(26)}`))).toBe("typed");
    expect(nameToString(nameFromString("a\\.b.c\\032d."))).toBe("a\\.b.c\\032d.");
  });
});
