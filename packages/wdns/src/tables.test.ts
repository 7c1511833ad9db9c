import { describe, expect, it } from "vitest";
import {
  opcodeToString,
  RRTYPE,
  rcodeToString,
  rrclassFromString,
  rrclassToString,
  rrtypeFromString,
  rrtypeName,
  rrtypeToString,
} from "./tables.js";

describe("type/class/rcode/opcode tables", () => {
  it("names known rrtypes and falls back to TYPEn", () => {
    expect(rrtypeToString(1)).toBe("A");
    expect(rrtypeToString(65)).toBe("HTTPS");
    expect(rrtypeToString(65534)).toBe("TYPE65534");
    expect(rrtypeFromString("TYPE65534")).toBe(65534);
    expect(rrtypeFromString("aaaa")).toBe(28);
    expect(rrtypeFromString("bogus")).toBeUndefined();
  });
  it("names classes and falls back to CLASSn", () => {
    expect(rrclassToString(1)).toBe("IN");
    expect(rrclassToString(3)).toBe("CH");
    expect(rrclassToString(999)).toBe("CLASS999");
    expect(rrclassFromString("CLASS999")).toBe(999);
    expect(rrclassFromString("in")).toBe(1);
  });
  it("names rcodes (EDNS-extended) and opcodes", () => {
    expect(rcodeToString(0)).toBe("NOERROR");
    expect(rcodeToString(3)).toBe("NXDOMAIN");
    expect(rcodeToString(16)).toBe("BADVERS");
    expect(opcodeToString(0)).toBe("QUERY");
    expect(opcodeToString(5)).toBe("UPDATE");
  });
});

describe("RRTYPE", () => {
  it("names every type by the mnemonic libwdns prints (with - as _) and nothing else", () => {
    for (const [name, value] of Object.entries(RRTYPE)) expect(rrtypeFromString(name.replace(/_/g, "-"))).toBe(value);
    for (let t = 0; t < 65536; t++) {
      const name = rrtypeName(t);
      if (name !== null) expect(RRTYPE[name.replace(/-/g, "_") as keyof typeof RRTYPE]).toBe(t);
    }
  });
});
