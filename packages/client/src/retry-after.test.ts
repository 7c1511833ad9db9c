import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_S, parseHttpDate, parseRetryAfter } from "./index.js";

const NOW = Date.parse("2015-10-21T07:28:00Z");

describe("parseRetryAfter", () => {
  it("reads delta-seconds", () => {
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter("7", NOW)).toBe(7);
    expect(parseRetryAfter(" 120\t", NOW)).toBe(120);
    expect(parseRetryAfter("007", NOW)).toBe(7);
  });

  it("reads the three HTTP-date forms, a wait from now (whole seconds, rounded up)", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", NOW)).toBe(10);
    expect(parseRetryAfter("Wednesday, 21-Oct-15 07:28:10 GMT", NOW)).toBe(10);
    expect(parseRetryAfter("Wed Oct 21 07:28:10 2015", NOW)).toBe(10);
    expect(parseRetryAfter("Sun Nov  6 08:49:37 1994", Date.parse("1994-11-06T08:49:30Z"))).toBe(7);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", NOW + 9_500)).toBe(1);
  });

  it("a date in the past is 0; a long wait is capped", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("3600", NOW)).toBe(3600);
    expect(parseRetryAfter("99999999999", NOW)).toBe(MAX_RETRY_AFTER_S);
    expect(parseRetryAfter("9".repeat(400), NOW)).toBe(MAX_RETRY_AFTER_S);
    expect(parseRetryAfter("Fri, 01 Jan 9999 00:00:00 GMT", NOW)).toBe(MAX_RETRY_AFTER_S);
    expect(parseRetryAfter("600", NOW, 60)).toBe(60);
    expect(MAX_RETRY_AFTER_S * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it("an absent or bad value is null (where Date.parse would guess a date)", () => {
    for (const bad of [
      null,
      undefined,
      "",
      "  ",
      "soon",
      "-1",
      "1.5",
      "+5",
      "0x10",
      "1e3",
      "5 s",
      "Wed, 21 Oct 2015 07:28:10", // no GMT
      "Wed, 21 Oct 2015 07:28:10 UTC",
      "Wed, 21 Oct 15 07:28:10 GMT", // IMF-fixdate has a four-digit year
      "Wed, 31 Feb 2015 07:28:10 GMT", // no such day
      "Wed, 00 Oct 2015 07:28:10 GMT",
      "Wed, 21 Oct 2015 24:00:00 GMT",
      "Wed, 21 Oct 2015 07:60:00 GMT",
      "Wed, 21 Oct 2015 07:28:61 GMT",
      "Wed, 21 Okt 2015 07:28:10 GMT",
      "Xyz, 21 Oct 2015 07:28:10 GMT",
      "wed, 21 oct 2015 07:28:10 gmt", // names are case-sensitive (%s in the grammar)
      "Wed, 21 Oct 0015 07:28:10 GMT",
      "Wed, 21-Oct-15 07:28:10 GMT", // rfc850-date has the long day name
      "Wed Oct 21 07:28:10 15",
      "2015-10-21T07:28:10Z",
    ])
      expect(parseRetryAfter(bad, NOW), String(bad)).toBeNull();
  });

  it("a leap second is the next second", () => {
    expect(parseHttpDate("Wed, 31 Dec 2016 23:59:60 GMT")).toBe(Date.parse("2017-01-01T00:00:00Z"));
  });

  it("places an rfc850-date's two-digit year within 50 years of now", () => {
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(Date.parse("1994-11-06T08:49:37Z"));
    expect(parseHttpDate("Thursday, 06-Nov-64 08:49:37 GMT", NOW)).toBe(Date.parse("2064-11-06T08:49:37Z"));
    expect(parseHttpDate("Tuesday, 06-Nov-66 08:49:37 GMT", NOW)).toBe(Date.parse("1966-11-06T08:49:37Z"));
  });

  it("any date, in IMF-fixdate as toUTCString writes it, reads back to the second", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse("1900-01-01T00:00:00Z") / 1000, max: Date.parse("9999-12-31T23:59:59Z") / 1000 }), (s) => {
        const d = new Date(s * 1000);
        expect(parseHttpDate(d.toUTCString(), NOW)).toBe(s * 1000);
      }),
    );
  });

  it("random text and bit-flipped valid values give null or a wait in [0, cap], never a throw", () => {
    const valid = ["120", "Wed, 21 Oct 2015 07:28:10 GMT", "Wednesday, 21-Oct-15 07:28:10 GMT", "Wed Oct 21 07:28:10 2015"];
    const inRange = (r: number | null): boolean => r === null || (Number.isInteger(r) && r >= 0 && r <= MAX_RETRY_AFTER_S);
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => inRange(parseRetryAfter(s, NOW))));
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 0, max: 7 }), (v, at, bit) => {
        const i = at % v.length;
        const flipped = v.slice(0, i) + String.fromCharCode(v.charCodeAt(i) ^ (1 << bit)) + v.slice(i + 1);
        return inRange(parseRetryAfter(flipped, NOW));
      }),
    );
  });
});
