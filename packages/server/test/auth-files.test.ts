import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatKeysFile,
  formatKeyTime,
  isAuthError,
  type KeyRecord,
  parseBasicAuth,
  parseKeysFile,
  parseKeyTime,
} from "../src/auth/index.js";
import { readStateFile, writeStateFile } from "../src/auth/state-file.js";
import { inTempDir } from "./auth-helpers.js";

const key = (name: string, extra: Partial<KeyRecord> = {}): KeyRecord => ({
  name,
  digest: createHash("sha256").update(name).digest(),
  created: 1_765_000_000,
  dailyLimit: null,
  resultsMax: null,
  offsetMax: null,
  burst: null,
  expires: null,
  revoked: false,
  role: "lookup",
  ...extra,
});

describe("key times", () => {
  it.each([
    ["1767225600", 1767225600],
    ["2026-01-01", 1767225600],
    ["2026-01-01T00:00:00Z", 1767225600],
    ["2026-01-01t02:30:00+02:30", 1767225600],
    ["2025-12-31T19:00:00.999-05:00", 1767225600],
    ["2028-02-29", Date.UTC(2028, 1, 29) / 1000],
  ])("parses %s", (text, want) => {
    expect(parseKeyTime(text)).toBe(want);
  });
  it.each([
    "",
    "tomorrow",
    "2026-13-01",
    "2026-02-29",
    "2026-01-01T24:00:00Z",
    "2026-01-01T00:00:00",
    "2026-01-01T00:00:00+25:00",
    "-5",
    "1.5",
  ])("refuses %j", (text) => {
    expect(() => parseKeyTime(text)).toThrow(RangeError);
  });
  it("round-trips through formatKeyTime", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 253402300799 }), (t) => parseKeyTime(formatKeyTime(t)) === t));
  });
});

describe("the keys file", () => {
  it("round-trips every field", () => {
    const keys = [
      key("alice", { dailyLimit: 0, resultsMax: 1, offsetMax: 0, burst: { size: 5, window: 60 }, expires: 1_800_000_000, revoked: true }),
      key("bob.example@x+y_z-1"),
    ];
    const text = formatKeysFile(keys);
    expect(parseKeysFile(text, "k")).toEqual(keys);
    expect(text).toContain(`"digest": "${createHash("sha256").update("alice").digest("hex")}"`);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it.each([
    ["[]", "not a JSON object"],
    ['{"version":2,"keys":[]}', "unknown version 2"],
    ['{"version":1}', 'no "keys" array'],
    ['{"version":1,"keys":[{"name":"a b"}]}', "key 1: a key name is"],
    ['{"version":1,"keys":[{"name":"-"}]}', 'key 1: the key name "-" is reserved'],
    ['{"version":1,"keys":[{"name":"a","digest":"x"}]}', 'key "a": digest is not 64'],
    ['{"version":1,"keys":[{"name":"a","token":"x"}]}', 'key 1: unknown field "token"'],
  ])("refuses %s with a line naming the problem", (text, msg) => {
    expect(() => parseKeysFile(text, "/etc/k.json")).toThrow(`/etc/k.json: not a valid keys file: ${msg}`);
  });

  it("refuses duplicate names, bad limits and bad times", () => {
    const good = JSON.parse(formatKeysFile([key("a")])) as { keys: Record<string, unknown>[] };
    const variant = (patch: Record<string, unknown>): string => JSON.stringify({ version: 1, keys: [{ ...good.keys[0], ...patch }] });
    expect(() => parseKeysFile(JSON.stringify({ version: 1, keys: [good.keys[0], good.keys[0]] }), "k")).toThrow('duplicate name "a"');
    expect(() => parseKeysFile(JSON.stringify({ version: 1, keys: [good.keys[0], { ...good.keys[0], name: "b" }] }), "k")).toThrow(
      'key "b": the same digest as another key',
    );
    expect(() => parseKeysFile(variant({ daily_limit: -1 }), "k")).toThrow("daily_limit is not an integer ≥ 0");
    expect(() => parseKeysFile(variant({ results_max: 0 }), "k")).toThrow("results_max is not an integer ≥ 1");
    expect(() => parseKeysFile(variant({ offset_max: 1.5 }), "k")).toThrow("offset_max is not an integer");
    expect(() => parseKeysFile(variant({ burst: { size: 3 } }), "k")).toThrow("burst");
    expect(() => parseKeysFile(variant({ expires: "soon" }), "k")).toThrow('key "a": expires: not a time');
    expect(() => parseKeysFile(variant({ created: 5 }), "k")).toThrow("created is not an RFC 3339 time string");
    expect(() => parseKeysFile(variant({ revoked: "yes" }), "k")).toThrow("revoked is not true or false");
  });

  it("turns random and bit-flipped files into an AuthError, never another exception", () => {
    const text = formatKeysFile([key("alice", { dailyLimit: 10, burst: { size: 2, window: 9 }, expires: 1_800_000_000 }), key("bob")]);
    const bytes = Buffer.from(text);
    const outcome = (t: string): boolean => {
      try {
        parseKeysFile(t, "k");
        return true;
      } catch (e) {
        return isAuthError(e) && e.code === "ERR_KEYS_FILE" && !e.message.includes("\n");
      }
    };
    fc.assert(
      fc.property(fc.nat({ max: bytes.length * 8 - 1 }), fc.nat({ max: bytes.length * 8 - 1 }), (a, b) => {
        const flipped = Buffer.from(bytes);
        for (const bit of [a, b]) flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        return outcome(flipped.toString("utf8"));
      }),
      { numRuns: 2000 },
    );
    fc.assert(fc.property(fc.string(), outcome));
    fc.assert(fc.property(fc.json(), outcome));
  });
});

describe("the state file", () => {
  it("round-trips, treats a missing file as empty and refuses a corrupt one", () =>
    inTempDir(async (dir) => {
      const path = join(dir, "s");
      expect(readStateFile(path).size).toBe(0);
      const usage = new Map([
        ["a", { day: 20794, used: 3 }],
        ["b", { day: 20793, used: 0 }],
      ]);
      writeStateFile(path, usage);
      expect(readStateFile(path)).toEqual(usage);
      for (const bad of ["", "{}", '{"version":1,"usage":{"a":{"day":1}}}', '{"version":1,"usage":{"a":{"day":1,"used":-1}}}']) {
        writeFileSync(path, bad);
        expect(() => readStateFile(path)).toThrow(/s: not a valid quota state file: /);
      }
    }));
});

describe("HTTP basic auth", () => {
  it("splits user and password at the first colon", () => {
    const b = (s: string): string => Buffer.from(s).toString("base64");
    expect(parseBasicAuth(`Basic ${b("alice:pa:ss")}`)).toEqual({ user: "alice", password: "pa:ss" });
    expect(parseBasicAuth(`basic\t${b("a:")}`)).toEqual({ user: "a", password: "" });
    expect(parseBasicAuth(`Basic ${b(":x")}`)).toBeNull();
    expect(parseBasicAuth(`Basic ${b("nocolon")}`)).toBeNull();
    expect(parseBasicAuth("Basic")).toBeNull();
    expect(parseBasicAuth("Digest abc")).toBeNull();
  });
});
