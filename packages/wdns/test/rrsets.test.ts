/** Real-traffic rdata (libwdns-downcased and sorted RRsets of the capture) both ways. */
import { fromHex, toHex } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import { nameFromString, nameToString, rdataToString, stringToRdata } from "../src/index.js";

interface Line {
  rrname: string;
  rrname_hex: string;
  rrtype: number;
  rrclass: number;
  rdata_hex: string[];
  rdata_str: string[];
}
const lines = readVectorText("nmsg/dnsqr.rrsets.jsonl")
  .split("\n")
  .filter((l) => l)
  .map((l) => JSON.parse(l) as Line);

describe("dnsqr.rrsets.jsonl", () => {
  it("every rdata prints like libwdns and parses back to the same bytes", () => {
    let n = 0;
    const bad: string[] = [];
    for (const l of lines) {
      if (nameToString(fromHex(l.rrname_hex) as Uint8Array) !== l.rrname) bad.push(`name ${l.rrname}`);
      if (toHex(nameFromString(l.rrname)) !== l.rrname_hex) bad.push(`name back ${l.rrname}`);
      l.rdata_hex.forEach((h, i) => {
        n++;
        const wire = fromHex(h) as Uint8Array;
        const text = l.rdata_str[i] as string;
        if (rdataToString(l.rrtype, l.rrclass, wire) !== text) bad.push(`${l.rrtype} print ${text}`);
        if (toHex(stringToRdata(l.rrtype, l.rrclass, text)) !== h) bad.push(`${l.rrtype} parse ${text}`);
      });
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(n).toBeGreaterThan(1200);
  });
});
