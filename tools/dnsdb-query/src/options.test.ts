import { CliError, UsageError } from "@dnsrep/cli";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "./config.js";
import { parseOptions, targets } from "./options.js";
import { collatableName, sortKeys } from "./sort.js";

describe("option parsing", () => {
  it("getopt forms: bundled, attached, separate", () => {
    const o = parseOptions(["-jsk", "count", "-l5", "-r", "a.test/A,NS/test", "-A", "1w"], {});
    expect(o.presentation).toBe("json");
    expect(o.sort?.keys).toEqual(["count", "first", "last", "duration", "count", "name", "type"]);
    expect(o.params).toMatchObject({ limit: 5, after: -604800 });
    expect(targets(o)).toEqual([
      { kind: "rrset", name: "a.test", type: "A", bailiwick: "test" },
      { kind: "rrset", name: "a.test", type: "NS", bailiwick: "test" },
    ]);
    expect(targets(parseOptions(["-i", "10.0.0.0/8"], {}))).toEqual([{ kind: "rdata_ip", ip: "10.0.0.0,8" }]);
  });
  it("random argv: options or a UsageError, never another error", () => {
    const word = fc.oneof(
      fc.constantFrom(
        "-r",
        "-n",
        "-i",
        "-R",
        "-N",
        "-f",
        "-I",
        "-j",
        "-s",
        "-S",
        "-k",
        "-l",
        "-L",
        "-O",
        "-M",
        "-V",
        "-p",
        "-u",
        "-t",
        "-b",
        "-A",
        "-B",
        "-c",
        "-g",
        "--glob",
        "--regex",
        "-x",
        "--",
        "-",
      ),
      fc.constantFrom("a.test", "10.0.0.1/24", "count,name", "summarize", "csv", "circl", "1w", "5", "-1", "A,NS", "x/y/z"),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        try {
          const o = parseOptions(argv, {});
          targets(o);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("config files", () => {
  it("random text: assignments or a CliError naming the line", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseConfigText(text, "f");
        } catch (e) {
          expect(e).toBeInstanceOf(CliError);
          expect((e as Error).message).toMatch(/^f:\d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("sorting", () => {
  it("collatable names: TLD first, letters and digits only, lower case", () => {
    expect(collatableName("WWW.Example.COM.")).toBe("comexamplewww");
    expect(collatableName("a\\.b.test.")).toBe("testab");
    expect(collatableName(".")).toBe("");
  });
  it("sort keys: the given ones, then dnsdbq's defaults, seven in all", () => {
    expect(sortKeys([])).toEqual(["first", "last", "duration", "count", "name", "type", "data"]);
    expect(sortKeys(["first,last,duration"])).toEqual(["first", "last", "duration", "first", "last", "duration", "count"]);
    expect(() => sortKeys(["size"])).toThrow(UsageError);
  });
});

describe("timeStr", () => {
  it("equals Date's UTC text for any second from year 0 to 9999", async () => {
    const { timeStr } = await import("./present.js");
    fc.assert(
      fc.property(fc.integer({ min: -62167219200, max: 253402300799 }), fc.boolean(), (t, iso) => {
        if (t === 0) return;
        const d = new Date(t * 1000).toISOString().slice(0, 19);
        expect(timeStr(t, iso)).toBe(iso ? `${d}Z` : d.replace("T", " "));
      }),
      { numRuns: 20000 },
    );
    expect(timeStr(0, false)).toBe("0");
    expect(timeStr(1795340099, false)).toBe("2026-11-22 09:34:59");
  });
});
