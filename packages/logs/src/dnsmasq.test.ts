import { describe, expect, it } from "vitest";
import { DnsmasqParser } from "./dnsmasq.js";
import type { Association } from "./observation.js";

const NOW = Date.UTC(2026, 11, 7); // 2026-12-07
const T = Date.UTC(2026, 10, 22, 11, 7, 55) / 1000;

function run(lines: string[], opts: { year?: number } = {}): { out: Association[]; p: DnsmasqParser } {
  const p = new DnsmasqParser({ now: NOW, utc: true, ...opts });
  const out: Association[] = [];
  for (const l of lines) out.push(...p.line(l));
  out.push(...p.end());
  return { out, p };
}

const L = (serial: number, body: string, time = "11:07:55"): string => `Nov 22 ${time} dnsmasq[30519]: ${serial} 127.0.0.1/56938 ${body}`;

describe("DnsmasqParser", () => {
  it("reply / cached / config / hosts-file lines give A and AAAA", () => {
    const { out, p } = run([
      L(1, "query[A] Example.TEST from 127.0.0.1"),
      L(1, "forwarded Example.TEST to 127.0.0.1"),
      L(1, "reply Example.TEST is 192.0.2.10"),
      L(2, "cached www.example.test is 2001:DB8::1"),
      L(3, "config blocked.lan is 127.0.0.99"),
      L(4, "/etc/hosts.extra printer.lan is 127.0.0.61"),
      L(5, "cached-stale old.example.test is 192.0.2.5"),
    ]);
    expect(out).toEqual([
      { rrname: "example.test", rrtype: "A", rdata: "192.0.2.10", time: T },
      { rrname: "www.example.test", rrtype: "AAAA", rdata: "2001:db8::1", time: T },
      { rrname: "blocked.lan", rrtype: "A", rdata: "127.0.0.99", time: T },
      { rrname: "printer.lan", rrtype: "A", rdata: "127.0.0.61", time: T },
      { rrname: "old.example.test", rrtype: "A", rdata: "192.0.2.5", time: T },
    ]);
    expect(p.rejected.size).toBe(0);
    expect(p.lines).toBe(7);
  });

  it("a <CNAME> chain takes each target from the next same-kind line of its serial", () => {
    const { out } = run([
      L(6, "query[A] chain.example.test from 127.0.0.1"),
      L(7, "query[A] other.test from 127.0.0.1"),
      L(6, "reply chain.example.test is <CNAME>", "11:07:56"),
      L(7, "reply other.test is 192.0.2.7"), // another serial in between
      L(6, "reply ftp.example.test is <CNAME>"),
      L(6, "reply www.example.test is 192.0.2.80"),
    ]);
    expect(out).toEqual([
      { rrname: "other.test", rrtype: "A", rdata: "192.0.2.7", time: T },
      { rrname: "chain.example.test", rrtype: "CNAME", rdata: "ftp.example.test", time: T + 1 },
      { rrname: "ftp.example.test", rrtype: "CNAME", rdata: "www.example.test", time: T },
      { rrname: "www.example.test", rrtype: "A", rdata: "192.0.2.80", time: T },
    ]);
  });

  it("a <CNAME> with no same-kind next line (qtype CNAME, cache hit then forward) gives nothing", () => {
    const { out } = run([
      L(93, "query[CNAME] ftp.example.test from 127.0.0.1"),
      L(93, "cached ftp.example.test is <CNAME>"),
      L(94, "query[A] x.test from 127.0.0.1"),
      L(94, "cached x.test is <CNAME>"),
      L(94, "forwarded y.test to 127.0.0.1"),
      L(94, "reply y.test is 192.0.2.1"),
    ]);
    expect(out).toEqual([{ rrname: "y.test", rrtype: "A", rdata: "192.0.2.1", time: T }]);
  });

  it("PTR lines are address-first and give (reverse name, PTR, host)", () => {
    const { out } = run([
      L(131, "query[PTR] 80.2.0.192.in-addr.arpa from 127.0.0.1"),
      L(131, "reply 192.0.2.80 is WWW.example.test"),
      L(132, "query[PTR] 0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa from 127.0.0.1"),
      L(132, "reply 2001:db8::80 is www.example.test"),
    ]);
    expect(out.map((a) => [a.rrname, a.rrtype, a.rdata])).toEqual([
      ["80.2.0.192.in-addr.arpa", "PTR", "www.example.test"],
      ["0.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR", "www.example.test"],
    ]);
  });

  it("TXT strings are quoted, one per line, the empty one too", () => {
    const { out } = run([
      L(80, "query[TXT] multi.example.test from 127.0.0.1"),
      L(80, 'reply multi.example.test is third "quoted" string; semi'),
      L(80, "reply multi.example.test is "),
    ]);
    expect(out.map((a) => a.rdata)).toEqual(['"third \\"quoted\\" string; semi"', '""']);
  });

  it("negative answers, placeholders and unprintable names carry no value and are not rejected", () => {
    const { out, p } = run([
      L(110, "query[A] nonexist.example.test from 127.0.0.1"),
      L(110, "reply nonexist.example.test is NXDOMAIN"),
      L(119, "reply www.web.test is NODATA-IPv6"),
      L(120, "reply error is SERVFAIL"),
      L(75, "query[MX] example.test from 127.0.0.1"),
      L(75, "reply example.test is <MX>"),
      L(76, "reply <name unprintable> is 192.0.2.1"),
      "Nov 22 11:07:50 dnsmasq[30519]: started, version 2.90 cachesize 150",
    ]);
    expect(out).toEqual([]);
    expect(p.rejected.size).toBe(0);
  });

  it("plain log-queries (no serial) and a syslog host name; names with spaces are escaped", () => {
    const { out } = run([
      "Nov  2 11:07:55 host dnsmasq[1]: query[A] sp ace.test from 127.0.0.1",
      "Nov  2 11:07:55 host dnsmasq[1]: reply sp ace.test is 192.0.2.1",
    ]);
    expect(out).toEqual([{ rrname: "sp\\032ace.test", rrtype: "A", rdata: "192.0.2.1", time: Date.UTC(2026, 10, 2, 11, 7, 55) / 1000 }]);
  });

  it("the default year does not put a line in the future; --year overrides it", () => {
    const dec = "Dec 31 23:00:00 dnsmasq[1]: 1 127.0.0.1/1 cached a.test is 192.0.2.1";
    expect(run([dec]).out[0]?.time).toBe(Date.UTC(2025, 11, 31, 23) / 1000);
    expect(run([dec], { year: 2026 }).out[0]?.time).toBe(Date.UTC(2026, 11, 31, 23) / 1000);
  });

  it("counts rejected lines by reason", () => {
    const { p } = run([
      "garbage",
      L(1, "reply bad..name is 192.0.2.1"),
      L(2, "reply a.test is not-an-address"),
      "Foo 22 11:07:55 dnsmasq[1]: 1 127.0.0.1/1 reply a.test is 192.0.2.1",
    ]);
    expect(Object.fromEntries(p.rejected)).toEqual({ unmatched: 1, "invalid name": 1, "bad value": 1, "bad time": 1 });
  });
});
