/**
 * Golden rdata table (test/vectors/wdns/rdata.tsv, made with libwdns), both
 * directions: text → wire where libwdns parses the text (and per the RFCs
 * where it has gaps), wire → text exactly as wdns_rdata_to_str, and our own
 * round trip wire → text → wire.
 */
import { fromHex, toHex } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import { isWdnsError, rdataToString, rrtypeFromString, stringToRdata } from "../src/index.js";

interface Row {
  type: string;
  textIn: string;
  wire: string;
  text: string;
}
const rows: Row[] = readVectorText("wdns/rdata.tsv")
  .split("\n")
  .slice(1)
  .filter((l) => l)
  .map((l) => {
    const [type, textIn, wire, text] = l.split("\t") as [string, string, string, string];
    return { type, textIn, wire, text };
  });
const typeOf = (r: Row): number => rrtypeFromString(r.type) as number;
// Inputs libwdns rejects that are valid per their RFCs (LOC, SSHFP, SMIMEA, ZONEMD, RRSIG dates, RFC 3597 \#)
const RFC_VALID = new Set(["LOC", "SSHFP", "SMIMEA", "ZONEMD", "RRSIG"]);

describe("rdata.tsv", () => {
  it("has rows", () => expect(rows.length).toBeGreaterThan(60));

  for (const r of rows) {
    const label = `${r.type} ${r.textIn || `(wire ${r.wire.slice(0, 24)})`}`;
    if (r.wire) {
      it(`wire → text: ${label}`, () => {
        expect(rdataToString(typeOf(r), 1, fromHex(r.wire) as Uint8Array)).toBe(r.text);
      });
    }
    if (r.textIn && r.wire) {
      it(`text → wire: ${label}`, () => {
        expect(toHex(stringToRdata(typeOf(r), 1, r.textIn))).toBe(r.wire);
      });
    }
    if (r.textIn && !r.wire) {
      it(`text per RFC: ${label}`, () => {
        let wire: Uint8Array | null = null;
        let err: unknown = null;
        try {
          wire = stringToRdata(typeOf(r), 1, r.textIn);
        } catch (e) {
          err = e;
        }
        if (RFC_VALID.has(r.type) || r.textIn.startsWith("\\#")) {
          expect(err).toBeNull();
          expect(wire).toBeInstanceOf(Uint8Array);
        } else {
          expect(isWdnsError(err)).toBe(true);
        }
      });
    }
    if (r.wire && !r.text.includes("PARSE ERROR") && !r.text.endsWith("..")) {
      it(`wire → text → wire: ${label}`, () => {
        const wire = fromHex(r.wire) as Uint8Array;
        expect(toHex(stringToRdata(typeOf(r), 1, rdataToString(typeOf(r), 1, wire)))).toBe(r.wire);
      });
    }
  }

  it("RFC forms libwdns cannot parse give the bytes the RFCs define", () => {
    expect(toHex(stringToRdata(1, 1, "\\# 4 c0000201"))).toBe("c0000201");
    expect(toHex(stringToRdata(44, 1, "1 1 dd465c09cfa51fb45020cc83316fff21b9ec74ac"))).toBe(
      "0101dd465c09cfa51fb45020cc83316fff21b9ec74ac",
    );
    expect(toHex(stringToRdata(29, 1, "52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m"))).toBe(
      "00001613" + "8b3cf018" + "810cbce0" + "009895b8",
    );
    const rrsig = readVectorText("wdns/rdata.tsv")
      .split("\n")
      .find((l) => l.startsWith("RRSIG\t\t"))
      ?.split("\t")[2];
    expect(
      toHex(
        stringToRdata(46, 1, "A 8 3 86400 20300101000000 20240101000000 12345 example.com. c2lnbmF0dXJlIGJ5dGVzIGhlcmUgZm9yIHRlc3Rpbmc="),
      ),
    ).toBe(rrsig);
  });
});
