/**
 * The byte printers (writeDomain, writeRdata, writeMessage) against the string-built printers they
 * replaced (test/oracle/string-pres): the same text for every rdata type, random and bit-flipped
 * rdata, and random, bit-flipped and truncated real messages; and the string forms read back from
 * the bytes equal what the bytes say when written after other text.
 */
import { fromHex, TextWriter } from "@dnsrep/util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messageToString as oldMessageToString } from "../../../test/oracle/string-pres/message-to-string.js";
import { domainToString as oldDomainToString } from "../../../test/oracle/string-pres/name.js";
import { rdataToString as oldRdataToString } from "../../../test/oracle/string-pres/rdata-to-string.js";
import { readVectorText } from "../../../test/vectors.js";
import {
  domainToString,
  isWdnsError,
  type Message,
  messageToString,
  parseMessage,
  rdataToString,
  writeDomain,
  writeMessage,
  writeRdata,
} from "../src/index.js";

const messages = readVectorText("wdns/messages.hex")
  .split("\n")
  .filter((l) => l)
  .map((h) => fromHex(h) as Uint8Array);

/** every rrtype with a descriptor, a few without, and classes IN, CH and 0 */
const TYPES = [
  ...Array.from({ length: 70 }, (_, i) => i),
  99,
  104,
  105,
  106,
  107,
  108,
  109,
  249,
  250,
  251,
  252,
  253,
  255,
  256,
  257,
  32769,
  65534,
];

function parsed(b: Uint8Array): Message | undefined {
  try {
    return parseMessage(b);
  } catch (e) {
    if (isWdnsError(e)) return undefined;
    throw e;
  }
}

/** what `print` writes into a writer that already holds other text, as a string */
function afterOtherText(print: (w: TextWriter) => void): string {
  const w = new TextWriter(8);
  w.latin1("x ");
  const start = w.pos;
  print(w);
  return w.textFrom(start);
}

describe("rdata", () => {
  it("random rdata of every type: the same text as the string printer, and after other text", () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.constantFrom(1, 3, 0), fc.uint8Array({ maxLength: 120 }), (t, c, rd) => {
        const want = oldRdataToString(t, c, rd);
        expect(rdataToString(t, c, rd)).toBe(want);
        expect(afterOtherText((w) => writeRdata(w, t, c, rd, w.pos))).toBe(want);
      }),
      { numRuns: 4000 },
    );
  });

  it("the rdata of real messages, bit-flipped: the same text", () => {
    const rdatas = messages.flatMap((b) => parsed(b)?.rrs.flat() ?? []);
    expect(rdatas.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(fc.nat(rdatas.length - 1), fc.nat(), fc.boolean(), (i, bit, flip) => {
        const r = rdatas[i]!;
        const rd = r.rdata.slice();
        if (flip && rd.length > 0) rd[(bit >>> 3) % rd.length]! ^= 1 << (bit & 7);
        expect(rdataToString(r.rrtype, r.rrclass, rd)).toBe(oldRdataToString(r.rrtype, r.rrclass, rd));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("names", () => {
  it("random bytes read as names (lengths past the end included): the same text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(90), (b, len) => {
        const n = Math.min(len, b.length + 1);
        expect(domainToString(b, 0, n)).toBe(oldDomainToString(b, 0, n));
        expect(afterOtherText((w) => writeDomain(w, b, 0, n))).toBe(oldDomainToString(b, 0, n));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("messages", () => {
  it("every vector message: the same text", () => {
    let n = 0;
    for (const b of messages) {
      const m = parsed(b);
      if (!m) continue;
      n++;
      expect(messageToString(m)).toBe(oldMessageToString(m));
      expect(afterOtherText((w) => writeMessage(w, m))).toBe(oldMessageToString(m));
    }
    expect(n).toBeGreaterThan(10);
  });

  it("bit-flipped and truncated vector messages: the same text (or the same parse error)", () => {
    fc.assert(
      fc.property(fc.nat(messages.length - 1), fc.array(fc.nat(), { maxLength: 4 }), fc.nat(), fc.boolean(), (mi, bits, cut, truncate) => {
        let b = messages[mi]!.slice();
        for (const bit of bits) b[(bit >>> 3) % b.length]! ^= 1 << (bit & 7);
        if (truncate) b = b.subarray(0, cut % (b.length + 1));
        const m = parsed(b);
        if (m) expect(messageToString(m)).toBe(oldMessageToString(m));
        const printed = parsed(b.slice());
        if (printed) expect(parseMessage(b, { rrsets: false }).rrs).toEqual(printed.rrs);
      }),
      { numRuns: 3000 },
    );
  });

  it("random bytes after a header: the same text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 400 }), (b) => {
        const m = parsed(b);
        if (m) expect(messageToString(m)).toBe(oldMessageToString(m));
      }),
      { numRuns: 3000 },
    );
  });
});
