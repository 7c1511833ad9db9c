/**
 * Golden messages: every DNS message of the vectors' capture (and a set of
 * malformed ones) printed exactly as libwdns wdns_message_to_str prints it,
 * or rejected with the same wdns_res.
 */
import { fromHex } from "@dnsrep/util";
import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import { isWdnsError, messageToString, parseMessage } from "../src/index.js";

function render(hex: string): string {
  const wire = fromHex(hex.trim());
  if (!wire) throw new Error("bad hex in vector");
  try {
    return messageToString(parseMessage(wire));
  } catch (e) {
    if (isWdnsError(e)) return `!! error: ${e.res}\n`;
    throw e;
  }
}

function golden(hexFile: string, txtFile: string): { hex: string[]; expected: string[] } {
  const hex = readVectorText(hexFile)
    .split("\n")
    .filter((l) => l.trim());
  const expected = readVectorText(txtFile).split("=====\n");
  if (expected[expected.length - 1] === "") expected.pop();
  return { hex, expected };
}

describe("wdns message golden vectors", () => {
  for (const [h, t] of [
    ["wdns/messages.hex", "wdns/messages.txt"],
    ["wdns/malformed.hex", "wdns/malformed.txt"],
  ] as const) {
    it(`${h} → ${t}`, () => {
      const { hex, expected } = golden(h, t);
      expect(hex.length).toBe(expected.length);
      const bad: string[] = [];
      hex.forEach((line, i) => {
        const got = render(line);
        if (got !== expected[i]) bad.push(`#${i + 1}\n--- expected\n${expected[i]}--- got\n${got}`);
      });
      expect(bad.slice(0, 3).join("\n")).toBe("");
      expect(bad.length).toBe(0);
    });
  }
});

describe("parseMessage without the individual RRs", () => {
  it("gives the same message, RRsets included, with rrs left empty (every vector message)", () => {
    const { hex } = golden("wdns/messages.hex", "wdns/messages.txt");
    let compared = 0;
    for (const line of hex) {
      const wire = fromHex(line.trim())!;
      let full: ReturnType<typeof parseMessage>;
      try {
        full = parseMessage(wire);
      } catch (e) {
        expect(() => parseMessage(wire, { rrs: false })).toThrow((e as Error).message);
        continue;
      }
      const lean = parseMessage(wire, { rrs: false });
      expect(lean.rrs).toEqual([[], [], []]);
      expect({ ...lean, rrs: full.rrs }).toEqual(full);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
