import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressValue, normalizeName, normalizeValue, quoteTxt, reverseName } from "./normalize.js";

describe("normalizeName", () => {
  it.each([
    ["www.Example.COM", "www.example.com"],
    ["www.example.com.", "www.example.com"],
    [".", "."],
    ["_443._tcp.www.example.test", "_443._tcp.www.example.test"],
    ["*.wild.example.test", "*.wild.example.test"],
    ["Bücher.example", "xn--bcher-kva.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["weird\\.dot.example.test", "weird\\.dot.example.test"],
    ["sp\\032ace.example.test", "sp\\032ace.example.test"],
    ["1/24.2.0.192.in-addr.arpa", "1/24.2.0.192.in-addr.arpa"],
    ["80.2.0.192.in-addr.arpa", "80.2.0.192.in-addr.arpa"],
    ["com", "com"],
  ])("%s → %s", (input, want) => {
    expect(normalizeName(input)).toBe(want);
  });

  it.each([
    "",
    "..",
    "a..b",
    ".a",
    "a b",
    "host:80",
    "[::1]",
    "%5B::1%5D",
    "192.0.2.1",
    "a\u0000b",
    "x\\",
    `${"a".repeat(64)}.com`,
    `${"a.".repeat(127)}a`,
    "\u00ff\u0000",
  ])("rejects %j", (input) => {
    expect(normalizeName(input)).toBeNull();
  });

  it("accepts a 63-byte label and a 253-character name", () => {
    expect(normalizeName(`${"a".repeat(63)}.com`)).toBe(`${"a".repeat(63)}.com`);
    const long = `${"abcdefghi.".repeat(25)}abc`; // 253 characters = 255 bytes in wire form
    expect(normalizeName(long)).toBe(long);
    expect(normalizeName(`${long}d`)).toBeNull();
  });

  it("is idempotent, lower case and without a trailing dot, for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.domain(), fc.string({ unit: "binary" })), (s) => {
        const n = normalizeName(s);
        if (n === null) return;
        expect(normalizeName(n)).toBe(n);
        expect(n).toBe(n.toLowerCase());
        if (n !== ".") expect(n.endsWith(".") && !n.endsWith("\\.")).toBe(false);
        expect(n.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps every domain fast-check makes, lower-cased", () => {
    fc.assert(
      fc.property(fc.domain(), (d) => {
        expect(normalizeName(d)).toBe(d.toLowerCase());
        expect(normalizeName(`${d.toUpperCase()}.`)).toBe(d.toLowerCase());
      }),
    );
  });
});

describe("normalizeValue", () => {
  it.each([
    ["A", "192.0.2.1", "192.0.2.1"],
    ["A", "192.0.2.01", "192.0.2.1"],
    ["A", "256.0.0.1", null],
    ["A", "::1", null],
    ["A", "example.com", null],
    ["AAAA", "2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["AAAA", "2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"],
    ["AAAA", "::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["AAAA", "fe80::1%eth0", null],
    ["AAAA", "192.0.2.1", null],
    ["CNAME", "WWW.Example.com.", "www.example.com"],
    ["CNAME", "192.0.2.1", null],
    ["PTR", "host.example.", "host.example"],
    ["NS", "ns1.example.test.", "ns1.example.test"],
    ["MX", "10 Mail.Example.com.", "10 mail.example.com"],
    ["MX", "010 mail.example.com", "10 mail.example.com"],
    ["MX", "65536 mail.example.com", null],
    ["MX", "mail.example.com", null],
    ["SRV", "0 100 389 ldap.sub.example.test.", "0 100 389 ldap.sub.example.test"],
    ["TXT", "v=spf1 ip4:192.0.2.0/24 -all", '"v=spf1 ip4:192.0.2.0/24 -all"'],
    ["TXT", "", '""'],
    ["TXT", 'say "hi" \\ ok', '"say \\"hi\\" \\\\ ok"'],
    ["TXT", "é", '"\\195\\169"'],
    ["TXT", '"a b" "c"', '"a b" "c"'],
    ["TXT", '"unterminated', null],
    ["TLSA", " 3 1 1 abcd ", "3 1 1 abcd"],
    ["TLSA", "", null],
  ])("%s %j → %j", (type, input, want) => {
    expect(normalizeValue(type, input)).toBe(want);
  });

  it("splits TXT longer than 255 bytes into character-strings", () => {
    expect(quoteTxt("x".repeat(300))).toBe(`"${"x".repeat(255)}" "${"x".repeat(45)}"`);
  });

  it("gives canonical addresses that parse back to themselves", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const v = addressValue(ip);
        expect(v).not.toBeNull();
        if (!v) return;
        expect(v.rrtype).toBe(ip.includes(":") ? "AAAA" : "A");
        expect(normalizeValue(v.rrtype, v.rdata)).toBe(v.rdata);
      }),
    );
  });

  it("never throws, and a TXT value is always re-accepted as it is", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("A", "AAAA", "CNAME", "MX", "SRV", "TXT", "PTR", "NS", "HINFO"),
        fc.string({ unit: "binary" }),
        (type, s) => {
          const v = normalizeValue(type, s);
          if (v !== null && type === "TXT") expect(normalizeValue("TXT", v)).toBe(v);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("reverseName", () => {
  it("IPv4 and IPv6 owners", () => {
    expect(reverseName("192.0.2.80")).toBe("80.2.0.192.in-addr.arpa");
    expect(reverseName("2001:db8::80")).toBe("0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    expect(reverseName("www.example.com")).toBeNull();
    expect(reverseName("1:2:3")).toBeNull();
  });

  it("gives a valid name for any address", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const r = reverseName(ip);
        expect(r).not.toBeNull();
        expect(normalizeName(r as string)).toBe(r);
      }),
    );
  });
});
