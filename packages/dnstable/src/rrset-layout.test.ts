import { downcaseName, nameFromString } from "@dnsrep/wdns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRRsetKey, reverseWireName, rrsetKey } from "./entry.js";
import { keyNameIs, type RRsetLayout, rrsetLayout } from "./rrset-layout.js";

const label = fc.uint8Array({ minLength: 1, maxLength: 63 });
const wireName = fc.array(label, { maxLength: 6 }).map((labels) => {
  const out: number[] = [];
  for (const l of labels) out.push(l.length, ...l);
  out.push(0);
  return Uint8Array.from(out);
});
const validKey = fc
  .tuple(wireName, fc.integer({ min: 0, max: 65535 }), wireName, fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }))
  .map(([n, t, b, rd]) => rrsetKey(n, t, b, rd));

/** A key with bytes flipped, cut or appended: mostly keys that do not decode. */
const damagedKey = fc
  .tuple(
    validKey,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
    fc.nat(),
    fc.uint8Array({ maxLength: 4 }),
  )
  .map(([k, flips, cut, tail]) => {
    const d = Uint8Array.from([...k.subarray(0, Math.max(1, k.length - (cut % 4))), ...tail]);
    for (const [at, x] of flips) d[at % d.length] = (d[at % d.length] as number) ^ x;
    return d;
  });

const fresh = (): RRsetLayout => ({ rrtype: -1, bailiwick: -1, rdatas: -1 });

describe("rrsetLayout", () => {
  it("accepts exactly the keys decodeRRsetKey decodes, and finds their parts", () => {
    fc.assert(
      fc.property(fc.oneof(validKey, damagedKey, fc.uint8Array({ maxLength: 60 })), (key) => {
        const l = fresh();
        let decoded: ReturnType<typeof decodeRRsetKey> | null = null;
        try {
          decoded = decodeRRsetKey(key);
        } catch {
          decoded = null;
        }
        expect(rrsetLayout(key, l)).toBe(decoded !== null);
        if (decoded === null) return;
        expect(l.rrtype).toBe(decoded.rrtype);
        const bw = reverseWireName(decoded.bailiwick);
        expect(key.subarray(l.bailiwick, l.bailiwick + bw.length)).toEqual(bw);
        expect(l.rdatas).toBe(l.bailiwick + bw.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("takes a bailiwick of 128 labels and rejects 129, as decodeRRsetKey", () => {
    for (const [n, ok] of [
      [128, true],
      [129, false],
    ] as const) {
      // RRSET, rev("x."), type 1, n labels "a" (the same reversed), no rdata
      const key = Uint8Array.from([0, 1, 120, 0, 1, ...Array.from({ length: n }, () => [1, 97]).flat(), 0]);
      expect(rrsetLayout(key, fresh())).toBe(ok);
      if (ok) expect(decodeRRsetKey(key).rrtype).toBe(1);
      else expect(() => decodeRRsetKey(key)).toThrow();
    }
  });
});

describe("keyNameIs", () => {
  it("matches the bailiwick ignoring ASCII case, as downcaseName + equalBytes", () => {
    fc.assert(
      fc.property(validKey, wireName, (key, other) => {
        const l = fresh();
        expect(rrsetLayout(key, l)).toBe(true);
        const bw = decodeRRsetKey(key).bailiwick;
        for (const q of [downcaseName(bw), downcaseName(other)]) {
          const same = Buffer.compare(downcaseName(bw), q) === 0;
          expect(keyNameIs(key, l.bailiwick, reverseWireName(q))).toBe(same);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("ignores case", () => {
    const key = rrsetKey(nameFromString("www.Example.COM."), 1, nameFromString("Example.COM."), []);
    const l = fresh();
    expect(rrsetLayout(key, l)).toBe(true);
    expect(keyNameIs(key, l.bailiwick, reverseWireName(nameFromString("example.com.")))).toBe(true);
    expect(keyNameIs(key, l.bailiwick, reverseWireName(nameFromString("example.org.")))).toBe(false);
    expect(keyNameIs(key, l.bailiwick, reverseWireName(nameFromString("com.")))).toBe(false);
  });
});
