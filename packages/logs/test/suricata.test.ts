import { describe, expect, it } from "vitest";
import { SuricataParser } from "../src/suricata.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("suricata eve.json dns", () => {
  it("reads the fixture: v2 detailed (grouped ignored when both), v2 grouped chain, v3 responses of each type, v1 answer", () => {
    const p = new SuricataParser();
    const out = feed(p, fixture("suricata-eve.json"));
    expect(triples(out)).toEqual([
      "www.example.com CNAME web.example.com",
      "web.example.com A 192.0.2.80",
      "grouped.example.com CNAME g1.example.net",
      "g1.example.net CNAME g2.example.net",
      "g2.example.net A 192.0.2.90",
      "g2.example.net A 192.0.2.91",
      "v3.example.com AAAA 2001:db8::3",
      'example.com TXT "v=spf1 include:_spf.example.net ~all"',
      "_xmpp-server._tcp.example.com SRV 5 0 5269 xmpp.example.com",
      "example.com NS ns1.example.com",
      "example.com NS ns2.example.com",
      "53.2.0.192.in-addr.arpa PTR resolver.example.com",
      "old.example.com A 192.0.2.9",
      "example.com SOA ns1.example.com hostmaster.example.com 2026120101 7200 3600 1209600 300",
    ]);
    // 2026-12-01T11:00:00.020000+0100
    expect(out[0]?.time).toBeCloseTo(Date.UTC(2026, 11, 1, 10, 0, 0, 20) / 1000, 6);
    expect(rejections(p)).toEqual({ "no answers": 3, "MX without preference": 1, "not a dns event": 1, "invalid value": 1 });
  });

  it("reads the documented Suricata 8 (version 3) examples: a request, a detailed and a grouped response", () => {
    // The layouts of the examples in Suricata's EVE documentation; names and addresses are ours.
    const p = new SuricataParser();
    const request = {
      timestamp: "2026-12-01T10:00:00.000000+0000",
      event_type: "dns",
      dns: { version: 3, type: "request", id: 16000, queries: [{ rrname: "www.example.org", rrtype: "A" }] },
    };
    const detailed = {
      timestamp: "2026-12-01T10:00:00.010000+0000",
      event_type: "dns",
      dns: {
        version: 3,
        type: "response",
        id: 45444,
        flags: "8180",
        qr: true,
        rd: true,
        ra: true,
        rcode: "NOERROR",
        queries: [{ rrname: "www.example.org", rrtype: "A" }],
        answers: [
          { rrname: "www.example.org", rrtype: "CNAME", ttl: 3324, rdata: "example.org" },
          { rrname: "example.org", rrtype: "A", ttl: 10, rdata: "203.0.113.24" },
          { rrname: "example.org", rrtype: "A", ttl: 10, rdata: "203.0.113.25" },
        ],
      },
    };
    const grouped = {
      timestamp: "2026-12-01T10:00:00.020000+0000",
      event_type: "dns",
      dns: {
        version: 3,
        type: "response",
        id: 18523,
        rcode: "NOERROR",
        queries: [{ rrname: "www.example.org", rrtype: "A" }],
        grouped: { A: ["203.0.113.24", "203.0.113.25"], CNAME: ["example.org"] },
      },
    };
    expect(p.line(JSON.stringify(request))).toEqual([]);
    const want = ["www.example.org CNAME example.org", "example.org A 203.0.113.24", "example.org A 203.0.113.25"];
    expect(triples(p.line(JSON.stringify(detailed)))).toEqual(want);
    expect(triples(p.line(JSON.stringify(grouped)))).toEqual(want);
    expect(rejections(p)).toEqual({ "no answers": 1 });
  });

  it("reads the documented 7.0 (version 2) answer with rrname/rrtype beside answers[]", () => {
    const p = new SuricataParser();
    const v2 = {
      timestamp: "2026-12-01T10:00:00.000000+0000",
      event_type: "dns",
      dns: {
        version: 2,
        type: "answer",
        id: 0,
        flags: "8180",
        rrname: "www.example.org",
        rrtype: "A",
        rcode: "NOERROR",
        answers: [
          { rrname: "www.example.org", rrtype: "CNAME", ttl: 3597, rdata: "example.org" },
          { rrname: "example.org", rrtype: "A", ttl: 597, rdata: "203.0.113.44" },
        ],
      },
    };
    expect(triples(p.line(JSON.stringify(v2)))).toEqual(["www.example.org CNAME example.org", "example.org A 203.0.113.44"]);
  });

  it("grouped MX, TXT and SRV", () => {
    const p = new SuricataParser();
    const ev = {
      timestamp: "2026-12-01T10:00:00Z",
      event_type: "dns",
      dns: {
        version: 2,
        type: "answer",
        rrname: "example.org",
        rrtype: "ANY",
        grouped: { MX: ["mx.example.org"], TXT: ["a b"], SRV: [{ priority: 1, weight: 2, port: 3, name: "t.example.org" }] },
      },
    };
    expect(triples(p.line(JSON.stringify(ev)))).toEqual(['example.org TXT "a b"', "example.org SRV 1 2 3 t.example.org"]);
    expect(rejections(p)).toEqual({ "MX without preference": 1 });
  });

  it("counts lines that are not JSON objects or have no dns object", () => {
    const p = new SuricataParser();
    for (const l of ["", "[]", "{", "not json", '{"event_type":"dns"}', '{"event_type":"dns","dns":{"type":"answer","answers":[1]}}'])
      p.line(l);
    expect(rejections(p)).toEqual({ "not json": 3, "no dns object": 1, "bad answer": 1 });
    expect(p.lines).toBe(6);
  });
});
