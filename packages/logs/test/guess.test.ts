import { describe, expect, it } from "vitest";
import { guessFormat } from "../src/auto.js";
import { fixture } from "./feed.js";

describe("--format auto on the document formats", () => {
  it.each([
    ["zeek-dns.log", "zeek"],
    ["zeek-dns.json", "zeek-json"],
    ["suricata-eve.json", "suricata"],
    ["passivedns.log", "passivedns"],
    ["dnsdb.jsonl", "dnsdb"],
  ])("%s is %s", (file, format) => {
    expect(guessFormat(new TextEncoder().encode(fixture(file)))).toBe(format);
  });
});
