import { describe, expect, it } from "vitest";
import { clfTime, epochTime, isoTime, SyslogClock } from "./time.js";

describe("time formats", () => {
  it("CLF with its zone", () => {
    expect(clfTime("22/Nov/2026:12:08:06 +0100")).toBe(Date.UTC(2026, 10, 22, 11, 8, 6) / 1000);
    expect(clfTime("22/Foo/2026:12:08:06 +0100")).toBeNull();
    expect(clfTime("22/Nov/2026 12:08:06")).toBeNull();
  });

  it("ISO 8601 with Z, ±hhmm, ±hh:mm and fractions", () => {
    const t = Date.UTC(2026, 10, 22, 11, 7, 50) / 1000;
    expect(isoTime("2026-11-22T11:07:50.623798+0000")).toBeCloseTo(t + 0.623798, 6);
    expect(isoTime("2026-11-22T12:07:50+01:00")).toBe(t);
    expect(isoTime("2026-11-22T11:07:50Z")).toBe(t);
    expect(isoTime("2026-11-22 11:07")).toBeNull();
  });

  it("epoch seconds", () => {
    expect(epochTime("1795345686.775")).toBe(1795345686.775);
    expect(epochTime("-1")).toBeNull();
    expect(epochTime("1e9")).toBeNull();
  });

  it("syslog: UTC or local, bad dates and times rejected, year rolled back only from the future", () => {
    const now = Date.UTC(2027, 0, 2);
    const c = new SyslogClock(undefined, now, true);
    expect(c.epoch("Dec", "31", "23:59:59")).toBe(Date.UTC(2026, 11, 31, 23, 59, 59) / 1000);
    expect(c.epoch("Jan", " 2", "10:00:00")).toBe(Date.UTC(2027, 0, 2, 10) / 1000);
    expect(c.epoch("Feb", "30", "10:00:00")).toBeNull();
    expect(c.epoch("Jan", " 2", "10:61:00")).toBeNull();
    expect(c.epoch("Foo", " 2", "10:00:00")).toBeNull();
    expect(() => new SyslogClock(99)).toThrow(RangeError);
  });
});
