import { describe, expect, it } from "vitest";
import { unescapeZeek, ZeekJsonParser, ZeekTsvParser } from "../src/zeek.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("zeek dns.log (ASCII)", () => {
  it("reads the fixture: CNAME chain owners, AAAA canonical, PTR, TXT from Zeek's TXT form, NS, IDNA name", () => {
    const p = new ZeekTsvParser();
    const out = feed(p, fixture("zeek-dns.log"));
    expect(triples(out)).toEqual([
      "www.example.com CNAME www.cdn.example.net",
      "www.cdn.example.net A 192.0.2.80",
      "www.cdn.example.net A 192.0.2.81",
      "www.example.com AAAA 2001:db8::80",
      "80.2.0.192.in-addr.arpa PTR web.example.com",
      'example.com TXT "v=spf1 -all, ok!"',
      "example.com NS ns1.example.com",
      "example.com NS ns2.example.com",
      "xn--bcher-kva.example A 192.0.2.7",
    ]);
    expect(out[0]?.time).toBe(1764583200.1);
    expect(p.format).toBe("zeek");
    expect(rejections(p)).toEqual({
      "MX without preference": 1,
      "no answers": 2,
      "unsupported answer": 1,
      "no query": 1,
      "rejected query": 1,
    });
  });

  it("without a header (a tail resumed mid-file) uses dns.log's default columns", () => {
    const p = new ZeekTsvParser();
    const row = fixture("zeek-dns.log")
      .split("\n")
      .find((l) => l.includes("CAbc2")) as string;
    expect(triples(p.line(row))).toEqual(["www.example.com AAAA 2001:db8::80"]);
    expect(p.line("a\tb\tc")).toEqual([]);
    expect(rejections(p)).toEqual({ "wrong field count": 1 });
  });

  it("follows #separator, #set_separator and #unset_field, and skips logs other than dns", () => {
    const p = new ZeekTsvParser();
    const lines = [
      "#separator |",
      "#set_separator|;",
      "#unset_field|none",
      "#path|dns",
      "#fields|ts|query|qtype_name|answers|rejected",
      "1700000000.5|a.example|A|b.example;192.0.2.1|F",
      "1700000001|none|A|192.0.2.2|F",
      "#path|conn",
      "1700000002|c.example|A|192.0.2.3|F",
    ];
    const out = lines.flatMap((l) => p.line(l));
    expect(triples(out)).toEqual(["a.example CNAME b.example", "b.example A 192.0.2.1"]);
    expect(rejections(p)).toEqual({ "no query": 1, "not a dns log": 1 });
  });

  it("unescapes \\xHH (UTF-8 bytes included) and \\\\", () => {
    expect(unescapeZeek("a\\x09b\\x2cc")).toBe("a\tb,c");
    expect(unescapeZeek("b\\xc3\\xbccher")).toBe("bücher");
    expect(unescapeZeek("x\\\\y")).toBe("x\\y");
    expect(unescapeZeek("\\xZZ")).toBe("\\xZZ");
  });
});

describe("zeek dns.log (JSON)", () => {
  it("reads the fixture: two-step CNAME chain, ISO ts, qtype by number, several TXT strings; partial/untyped/truncated lines counted", () => {
    const p = new ZeekJsonParser();
    const out = feed(p, fixture("zeek-dns.json"));
    expect(triples(out)).toEqual([
      "shop.example.org CNAME edge.example.net",
      "edge.example.net CNAME edge.global.example.net",
      "edge.global.example.net A 198.51.100.20",
      "v6.example.org AAAA 2001:db8::1",
      'example.org TXT "hello" "two words"',
    ]);
    expect(out[3]?.time).toBe(Date.UTC(2026, 11, 1, 10, 2, 0, 250) / 1000);
    expect(rejections(p)).toEqual({ "no answers": 1, "SRV without priority, weight, port": 1, "untyped answer": 1, "not json": 1 });
  });

  it("reads Zeek's documented JSON example (an A query answered through a CNAME)", () => {
    // Every member dns.log writes in its JSON form (Zeek's documented record layout); values are ours.
    const line =
      '{"ts":1764590000.654321,"uid":"CQz7Rk1VhXbT2aW9e","id.orig_h":"192.0.2.169","id.orig_p":51515,"id.resp_h":"192.0.2.1","id.resp_p":53,"proto":"udp","trans_id":31337,"rtt":0.0183,"query":"www.example.com","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["vhost1.example.net","203.0.113.206"],"TTLs":[3600.0,3600.0],"rejected":false}';
    const p = new ZeekJsonParser();
    expect(triples(p.line(line))).toEqual(["www.example.com CNAME vhost1.example.net", "vhost1.example.net A 203.0.113.206"]);
  });

  it("rejects answers that are not a list of strings", () => {
    const p = new ZeekJsonParser();
    expect(p.line('{"ts":1,"query":"a.example","qtype_name":"A","answers":[1,2]}')).toEqual([]);
    expect(rejections(p)).toEqual({ "bad answers": 1 });
  });
});
