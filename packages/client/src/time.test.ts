import { describe, expect, it } from "vitest";
import { fenceValue, parseDuration } from "./time.js";

describe("fence times", () => {
  it("the forms dnsdbq takes", () => {
    expect(fenceValue(1_700_000_000)).toBe(1_700_000_000);
    expect(fenceValue("1700000000")).toBe(1_700_000_000);
    expect(fenceValue("-3600")).toBe(-3600);
    expect(fenceValue("1w2d3h4m5s")).toBe(-(604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5));
    expect(fenceValue("2015-08-22")).toBe(1440201600);
    expect(fenceValue("2015-08-22 14:36:10")).toBe(1440254170);
    expect(fenceValue(new Date("2015-08-22T14:36:10.900Z"))).toBe(1440254170);
    expect(parseDuration("90m")).toBe(5400);
    expect(parseDuration("m")).toBeNull();
  });
  it("anything else is a RangeError", () => {
    for (const bad of ["yesterday", "2015-02-30", "2015-08-22 25:00:00", "1.5", "", "1y"])
      expect(() => fenceValue(bad), bad).toThrow(RangeError);
    expect(() => fenceValue(1.5)).toThrow(RangeError);
    expect(() => fenceValue(new Date(Number.NaN))).toThrow(RangeError);
  });
});
