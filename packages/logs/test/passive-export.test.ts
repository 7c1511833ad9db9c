import { describe, expect, it } from "vitest";
import { readVectorText } from "../../../test/vectors.js";
import { Aggregator } from "../src/aggregate.js";
import { createCofParser } from "../src/cof.js";
import { PassiveExportParser } from "../src/dnsdb-json.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("CIRCL COF", () => {
  it("reads the fixture keeping counts and first/last times; rdata arrays split; numeric rrtype; zone times", () => {
    const p = createCofParser();
    const out = feed(p, fixture("cof.jsonl"));
    expect(out).toEqual([
      { rrname: "www.circl.example", rrtype: "A", rdata: "192.0.2.12", time: 1764500000, count: 12, timeLast: 1764583200 },
      { rrname: "circl.example", rrtype: "NS", rdata: "ns1.circl.example", time: 1764400000, count: 3, timeLast: 1764410000 },
      { rrname: "circl.example", rrtype: "NS", rdata: "ns2.circl.example", time: 1764400000, count: 3, timeLast: 1764410000 },
      { rrname: "v6.circl.example", rrtype: "AAAA", rdata: "2001:db8::12", time: 1764400000, count: 1, timeLast: 1764400000 },
      { rrname: "circl.example", rrtype: "MX", rdata: "10 mx.circl.example", time: 1764300000, count: 2, timeLast: 1764300100 },
    ]);
    expect(p.format).toBe("cof");
    expect(rejections(p)).toEqual({ "bad count": 1, "bad time": 1, "not json": 1 });
  });

  it("the Aggregator adds the exported counts and keeps the widest first/last", () => {
    const p = createCofParser();
    const agg = new Aggregator({ source: "cof" });
    const line = (c: number, f: number, l: number) =>
      JSON.stringify({ rrname: "a.example", rrtype: "A", rdata: "192.0.2.1", count: c, time_first: f, time_last: l });
    for (const a of [...p.line(line(5, 100, 200)), ...p.line(line(2, 50, 150))]) agg.add(a);
    const [o] = [...agg.drain()];
    expect(o).toMatchObject({ rrname: "a.example", count: 7, time_first: 50, time_last: 200 });
  });
});

describe("DNSDB JSON (dnsdbq -j, dnstable-lookup -j, SAF)", () => {
  it("reads the fixture: rrset and rdata forms, zone times, RFC 3339 times, SAF wrappers and conditions", () => {
    const p = new PassiveExportParser("dnsdb");
    const out = feed(p, fixture("dnsdb.jsonl"));
    expect(triples(out)).toEqual([
      "www.example.test A 192.0.2.80",
      "www.example.test A 192.0.2.81",
      "_ldap._tcp.sub.example.test SRV 0 100 389 ldap.sub.example.test",
      'example.test TXT "v=spf1 ip4:192.0.2.0/24 -all"',
      "example.test NS ns1.example.test",
      "example.test NS ns2.example.test",
      "rfc.example.test AAAA 2001:db8::80",
      "saf.example.test CNAME target.example.test",
    ]);
    expect(out.map((a) => [a.count, a.time, a.timeLast])).toEqual([
      [4, 1795340099, 1795340106],
      [4, 1795340099, 1795340106],
      [1, 1795340100, 1795340100],
      [1, 1795340099, 1795340099],
      [7, 1795000000, 1795300000],
      [7, 1795000000, 1795300000],
      [2, Date.UTC(2026, 10, 30, 8) / 1000, Date.UTC(2026, 10, 30, 9) / 1000],
      [9, 1795340000, 1795349999],
    ]);
    expect(rejections(p)).toEqual({ "query failed": 1, "not an RRset": 1 });
  });

  it("reads the repo's dnstable vectors (dnstable_dump JSON, made with the C tools): one association per rdata", () => {
    const text = readVectorText("dnstable/dnstable_dump.dns.rrset_full.json.txt");
    const p = new PassiveExportParser("dnsdb");
    const out = feed(p, text);
    const rows = text.split("\n").filter((l) => l.trim() !== "");
    const rdatas = rows.reduce((n, l) => n + (JSON.parse(l) as { rdata: string[] }).rdata.length, 0);
    expect(p.rejected.size).toBe(0);
    expect(out.length).toBe(rdatas);
    expect(out.every((a) => !a.rrname.endsWith(".") || a.rrname === ".")).toBe(true);
  });
});
