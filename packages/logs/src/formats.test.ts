import { describe, expect, it } from "vitest";
import { isLogsError, LogsErrorCode } from "./errors.js";
import { createParser, formatInfo, formatNames } from "./formats.js";

describe("format registry", () => {
  it("names are sorted and each creates a parser named after its format", () => {
    const names = formatNames();
    expect(names).toEqual([...names].sort());
    for (const n of names) {
      const info = formatInfo(n);
      expect(info?.description.length).toBeGreaterThan(0);
    }
  });

  it("an unknown format is a LogsError with the known names", () => {
    try {
      createParser("no-such-format");
      expect.unreachable();
    } catch (e) {
      expect(isLogsError(e) && e.code).toBe(LogsErrorCode.UNKNOWN_FORMAT);
    }
    expect(formatInfo("toString")).toBeUndefined();
  });
});
