import { describe, expect, it } from "vitest";
import { PassiveDnsParser } from "../src/passivedns.js";
import { feed, fixture, rejections, triples } from "./feed.js";

describe("passivedns", () => {
  it("reads the fixture with its counts and microsecond times; MX name only, NXDOMAIN, CH class and short lines counted", () => {
    const p = new PassiveDnsParser();
    const out = feed(p, fixture("passivedns.log"));
    expect(triples(out)).toEqual([
      "upload.example.com A 192.0.2.117",
      "upload.example.com A 192.0.2.116",
      "www.example.org CNAME www.wip.example.org",
      "www.wip.example.org A 198.51.100.61",
      "ipv6.example.org AAAA 2001:db8::1",
      'example.org TXT "v=spf1 -all"',
      "old.example.org A 192.0.2.200",
      "10.2.0.192.in-addr.arpa PTR host10.example.org",
    ]);
    expect(out.map((a) => a.count ?? 1)).toEqual([5, 5, 8, 8, 1, 1, 1, 3]);
    expect(out[0]?.time).toBe(1764583200.000001);
    expect(rejections(p)).toEqual({ "MX without preference": 1, NXDOMAIN: 1, "class not IN": 1, "wrong field count": 1 });
  });

  it("reads the lines of passivedns's documented example layout", () => {
    // The README's example layout (1.0.0 and later); our own names and addresses.
    const p = new PassiveDnsParser();
    const out = feed(
      p,
      "#timestamp||dns-client ||dns-server||RR class||Query||Query Type||Answer||TTL||Count\n1322849924.408856||10.1.1.1||192.0.2.8||IN||upload.example.net.||A||203.0.113.117||46587||5\n1322849924.408858||10.1.1.1||192.0.2.8||IN||www.example.net.||CNAME||www.wip4.example.net.||43200||8",
    );
    expect(triples(out)).toEqual(["upload.example.net A 203.0.113.117", "www.example.net CNAME www.wip4.example.net"]);
    expect(out.map((a) => a.count)).toEqual([5, 8]);
  });

  it("rejects bad times and counts", () => {
    const p = new PassiveDnsParser();
    p.line("x||c||s||IN||a.example.||A||192.0.2.1||60||1");
    p.line("1.5||c||s||IN||a.example.||A||192.0.2.1||60||0");
    p.line("1.5||c||s||IN||a.example.||A||192.0.2.1||60||-3");
    expect(rejections(p)).toEqual({ "bad time": 1, "bad count": 2 });
  });
});
