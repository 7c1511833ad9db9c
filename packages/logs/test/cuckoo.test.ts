import { describe, expect, it } from "vitest";
import { CuckooParser } from "../src/cuckoo.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("cuckoo report.json", () => {
  const want = [
    "update.example.com CNAME cdn.example.net",
    "cdn.example.net A 192.0.2.44",
    "cdn.example.net A 192.0.2.45",
    "c2.example.biz AAAA 2001:db8::c2",
    "cape.example.com A 198.51.100.7",
  ];

  it("reads an indented report at its closing brace; CAPE's first_seen is the time", () => {
    const p = new CuckooParser();
    const lines = fixture("cuckoo-report.json").split("\n");
    const out = lines.flatMap((l) => p.line(l));
    expect(triples(out)).toEqual(want);
    expect(out.map((a) => a.time)).toEqual([null, null, null, null, 1764583300.5]);
    expect(p.end()).toEqual([]);
    expect(rejections(p)).toEqual({ "MX without preference": 1, "no answers": 1 });
  });

  it("reads a report on one line, and several reports one after another", () => {
    const p = new CuckooParser();
    const one = JSON.stringify(JSON.parse(fixture("cuckoo-report.json")));
    const out = feed(p, `${one}\n${fixture("cuckoo-report.json")}\n${one}`);
    expect(triples(out)).toEqual([...want, ...want, ...want]);
  });

  it("counts a truncated report at end(), a report without network.dns, and one past the size limit", () => {
    const p = new CuckooParser();
    const text = fixture("cuckoo-report.json");
    feed(p, text.slice(0, text.length - 20));
    expect(rejections(p)).toEqual({ "truncated or invalid json": 1 });
    const q = new CuckooParser();
    feed(q, '{"info": {}}');
    expect(rejections(q)).toEqual({ "no network.dns": 1 });
    const r = new CuckooParser("cuckoo", 100);
    const out = feed(
      r,
      `${text}\n${JSON.stringify({ network: { dns: [{ request: "a.example", type: "A", answers: [{ type: "A", data: "192.0.2.1" }] }] } })}`,
    );
    expect(rejections(r)).toEqual({ "document too large": 1 });
    expect(triples(out)).toEqual(["a.example A 192.0.2.1"]);
  });
});
