/** EntryConverter: the byte entries (entryBytes, for the importer) are the string entries (entries, for the live store). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DnstableRRset, EntryConverter } from "./convert.js";

const label = fc.uint8Array({ minLength: 1, maxLength: 10 }).map((b) => [b.length, ...b.map((x) => 0x41 + (x % 40))]);
const name = fc.array(label, { maxLength: 4 }).map((ls) => Uint8Array.from([...ls.flat(), 0]));
// rdatas that hold a name where the type has one (MX, SRV, SVCB/HTTPS after a prefix; SOA two), or random bytes
const rdata = fc.oneof(
  fc.uint8Array({ maxLength: 30 }),
  fc
    .tuple(fc.uint8Array({ minLength: 0, maxLength: 6 }), name, name, fc.uint8Array({ maxLength: 20 }))
    .map(([pre, a, b, rest]) => Uint8Array.from([...pre, ...a, ...b, ...rest])),
);
const rrset: fc.Arbitrary<DnstableRRset> = fc.record({
  rrname: name,
  rrtype: fc.constantFrom(1, 2, 5, 6, 12, 15, 16, 28, 33, 39, 43, 46, 59, 60, 64, 65, 32768),
  bailiwick: name,
  rdata: fc.array(rdata, { minLength: 1, maxLength: 3 }),
  timeFirst: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  timeLast: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  count: fc.nat(),
});
const hex = (b: Uint8Array, n = b.length): string => Buffer.from(b.subarray(0, n)).toString("hex");
const hexLatin1 = (s: string): string => Buffer.from(s, "latin1").toString("hex");

describe("EntryConverter.entryBytes", () => {
  it("emits the entries entries() does, as bytes, in the same order and files", () => {
    fc.assert(
      fc.property(fc.array(rrset, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), (sets, dualTypes, rname) => {
        const asBytes = new EntryConverter({ dualTypes, rname });
        const asStrings = new EntryConverter({ dualTypes, rname });
        const got: string[] = [];
        const want: string[] = [];
        for (const rr of sets) {
          asBytes.entryBytes(rr, (f, k, kl, v) => got.push(`${f} ${hex(k, kl)} ${hex(v)}`));
          asStrings.entries(rr, (f, k, v) => want.push(`${f} ${hexLatin1(k)} ${hexLatin1(v)}`));
        }
        expect(got.length).toBeGreaterThan(0);
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });
});
