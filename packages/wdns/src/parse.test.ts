import { describe, expect, it } from "vitest";
import { nameFromString, nameToString } from "./name.js";
import { downcaseRRset, type RRset, sortRRset } from "./parse.js";
import { rdataToString } from "./rdata-to-string.js";
import { stringToRdata } from "./string-to-rdata.js";

describe("RRset downcase and sort (libwdns order)", () => {
  it("sorts rdata by length, then bytes", () => {
    const r: RRset = {
      name: nameFromString("x."),
      rrtype: 16,
      rrclass: 1,
      rrttl: 0,
      rdatas: [Uint8Array.of(2, 98, 98), Uint8Array.of(1, 122), Uint8Array.of(2, 97, 122)],
    };
    sortRRset(r);
    expect(r.rdatas.map((d) => rdataToString(16, 1, d))).toEqual(['"z"', '"az"', '"bb"']);
  });
  it("downcases the owner and names inside rdata, not other text", () => {
    const r: RRset = {
      name: nameFromString("WWW.Example.COM."),
      rrtype: 15,
      rrclass: 1,
      rrttl: 5,
      rdatas: [stringToRdata(15, 1, "10 MAIL.Example.com.")],
    };
    downcaseRRset(r);
    expect(nameToString(r.name)).toBe("www.example.com.");
    expect(rdataToString(15, 1, r.rdatas[0] as Uint8Array)).toBe("10 mail.example.com.");
    const t: RRset = { name: nameFromString("a."), rrtype: 16, rrclass: 1, rrttl: 5, rdatas: [stringToRdata(16, 1, '"ABC"')] };
    downcaseRRset(t);
    expect(rdataToString(16, 1, t.rdatas[0] as Uint8Array)).toBe('"ABC"');
  });
});
