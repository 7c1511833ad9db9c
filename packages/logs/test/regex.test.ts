import { describe, expect, it } from "vitest";
import { isLogsError } from "../src/errors.js";
import { createParser } from "../src/formats.js";
import { RegexParser } from "../src/regex.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("regex", () => {
  it("reads an application log: type from the value's family or the type group, PTR owner from the address, RFC 3339 times", () => {
    const p = new RegexParser({
      regex: "^(?<time>\\S+) resolved (?<domain>\\S+) -> (?<value>\\S+)(?: \\((?<type>\\w+)\\))?$",
      timeFormat: "rfc3339",
    });
    const out = feed(p, fixture("app-resolver.log"));
    expect(triples(out)).toEqual([
      "www.app.example A 192.0.2.31",
      "www.app.example A 192.0.2.31",
      "v6.app.example AAAA 2001:db8::31",
      "alias.app.example CNAME www.app.example",
      "31.2.0.192.in-addr.arpa PTR host31.app.example",
    ]);
    expect(out[0]?.time).toBe(Date.UTC(2026, 11, 1, 10) / 1000);
    expect(rejections(p)).toEqual({ "cannot infer type": 1, "bad time": 1, unmatched: 1 });
  });

  it("reads an access log with a strftime-like time format and a zone offset", () => {
    const p = createParser("regex", {
      regex: '\\[(?<time>[^\\]]+)\\] "[^"]*" \\d+ \\d+ "(?<domain>[^"]+)" upstream=\\[?(?<value>[0-9a-fA-F.:]+?)\\]?:\\d+$',
      timeFormat: "%d/%b/%Y:%H:%M:%S %z",
    });
    const out = feed(p, fixture("access-regex.log"));
    expect(triples(out)).toEqual(["shop.example.com A 192.0.2.90", "api.example.com AAAA 2001:db8::90"]);
    expect(out.map((a) => a.time)).toEqual([Date.UTC(2026, 11, 1, 10, 0, 0) / 1000, Date.UTC(2026, 11, 1, 10, 0, 1) / 1000]);
  });

  it("without a time format takes epoch seconds or ISO text; without a time group the time is null", () => {
    const p = new RegexParser({ regex: "^(?:(?<time>\\S+) )?(?<domain>\\S+) (?<value>\\S+)$" });
    expect(p.line("1700000000.5 a.example 192.0.2.1")[0]?.time).toBe(1700000000.5);
    expect(p.line("2023-11-14T22:13:20+00:00 a.example 192.0.2.1")[0]?.time).toBe(1700000000);
    expect(p.line("a.example 192.0.2.1")[0]?.time).toBeNull();
  });

  it("a PTR whose domain is the address gets the reverse owner", () => {
    const p = new RegexParser({ regex: "^(?<domain>\\S+) (?<type>\\S+) (?<value>\\S+)$" });
    expect(triples(p.line("2001:db8::1 PTR h.example."))).toEqual([
      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR h.example",
    ]);
    expect(triples(p.line("h.example MX 10 mx.example"))).toEqual([]);
    expect(rejections(p)).toEqual({ unmatched: 1 });
  });

  it("bad options are LogsErrors: no regex, a broken regex, missing groups, an unknown time conversion", () => {
    const bad = [{}, { regex: "(" }, { regex: "(?<domain>\\S+)" }, { regex: "(?<domain>\\S+) (?<value>\\S+)", timeFormat: "%Q" }];
    for (const o of bad) {
      try {
        createParser("regex", o);
        expect.unreachable();
      } catch (e) {
        expect(isLogsError(e)).toBe(true);
      }
    }
  });
});
