import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTimeValue } from "../src/json-line.js";
import { compileTimeFormat } from "../src/strftime.js";

describe("timestamps", () => {
  it("JSON time members: Suricata's +hhmm, RFC 3339 with Z or +hh:mm, a space separator, fractions", () => {
    expect(parseTimeValue("2026-12-01T10:00:00Z")).toBe(Date.UTC(2026, 11, 1, 10) / 1000);
    expect(parseTimeValue("2026-12-01T11:00:00+01:00")).toBe(Date.UTC(2026, 11, 1, 10) / 1000);
    expect(parseTimeValue("2026-12-01T11:00:00.5+0100")).toBe(Date.UTC(2026, 11, 1, 10) / 1000 + 0.5);
    expect(parseTimeValue("2026-12-01 05:00:00-0500")).toBe(Date.UTC(2026, 11, 1, 10) / 1000);
    for (const bad of ["2026-12-01", "yesterday", "", "-5"]) expect(parseTimeValue(bad)).toBeNull();
  });

  it("time members: numbers, digit strings, ISO text; negative, NaN and objects are null", () => {
    expect(parseTimeValue(1700000000)).toBe(1700000000);
    expect(parseTimeValue("1700000000.25")).toBe(1700000000.25);
    expect(parseTimeValue(-1)).toBeNull();
    expect(parseTimeValue(Number.NaN)).toBeNull();
    expect(parseTimeValue({})).toBeNull();
  });

  it("strftime-like formats: nginx/Apache, syslog with a given year, epoch-ms, %s, %f", () => {
    expect(compileTimeFormat("%d/%b/%Y:%H:%M:%S %z")("01/Dec/2026:11:00:00 +0100")).toBe(Date.UTC(2026, 11, 1, 10) / 1000);
    expect(compileTimeFormat("%b %e %H:%M:%S", { year: 2025, utc: true })("Dec  1 10:00:00")).toBe(Date.UTC(2025, 11, 1, 10) / 1000);
    expect(compileTimeFormat("epoch-ms")("1700000000123")).toBe(1700000000.123);
    expect(compileTimeFormat("epoch")("1700000000")).toBe(1700000000);
    expect(compileTimeFormat("%s")("1700000000.5")).toBe(1700000000.5);
    expect(compileTimeFormat("%F %T.%f", { utc: true })("2026-12-01 10:00:00.250")).toBe(Date.UTC(2026, 11, 1, 10) / 1000 + 0.25);
    expect(compileTimeFormat("%d/%b/%Y:%H:%M:%S %z")("31/Feb/2026:11:00:00 +0100")).toBeNull();
    expect(() => compileTimeFormat("%Y")).toThrow(RangeError);
  });

  it("zone-less times are local unless utc; a year-less time is not put more than a day in the future", () => {
    expect(compileTimeFormat("%F %T")("2026-12-01 10:00:00")).toBe(new Date(2026, 11, 1, 10).getTime() / 1000);
    const now = Date.UTC(2026, 0, 5);
    const syslog = compileTimeFormat("%b %e %H:%M:%S", { utc: true, now });
    expect(syslog("Dec 31 23:00:00")).toBe(Date.UTC(2025, 11, 31, 23) / 1000);
    expect(syslog("Jan  4 23:00:00")).toBe(Date.UTC(2026, 0, 4, 23) / 1000);
  });

  it("a round trip through the nginx format for any date agrees with Date", () => {
    const f = compileTimeFormat("%d/%b/%Y:%H:%M:%S %z");
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), fc.integer({ min: -720, max: 840 }), (t, offMin) => {
        const d = new Date((t + offMin * 60) * 1000);
        const p2 = (n: number) => String(n).padStart(2, "0");
        const sign = offMin < 0 ? "-" : "+";
        const a = Math.abs(offMin);
        const text = `${p2(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${sign}${p2(Math.floor(a / 60))}${p2(a % 60)}`;
        expect(f(text)).toBe(t);
      }),
    );
  });
});
