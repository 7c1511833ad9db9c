import { describe, expect, it } from "vitest";
import { KresdParser } from "./kresd.js";

const Q =
  "[resolv][65536.02]   => id: '30873' querying: 'NS.root-servers.test.'@'127.0.0.10#00053' zone cut: '.' qname: '.' qtype: 'NS' proto: 'udp'";

describe("KresdParser", () => {
  it("querying: lines give (nameserver, address); no time without a prefix", () => {
    const p = new KresdParser({});
    expect(p.line(Q)).toEqual([{ rrname: "ns.root-servers.test", rrtype: "A", rdata: "127.0.0.10", time: null }]);
    expect(p.line("[plan  ][00000.00] plan 'ns.root-servers.test.' type 'A' uid [65538.00]")).toEqual([]);
    expect(p.line(Q.replace("127.0.0.10#00053", "2001:db8::53#00053"))[0]).toMatchObject({ rrtype: "AAAA", rdata: "2001:db8::53" });
    expect(p.rejected.size).toBe(0);
  });

  it("reads the ts receive-time prefix", () => {
    const p = new KresdParser({});
    expect(p.line(`2026-11-22T11:07:50.623798+0000 ${Q}`)[0]?.time).toBeCloseTo(Date.UTC(2026, 10, 22, 11, 7, 50) / 1000 + 0.623798, 6);
  });

  it("rejects lines that are not kresd's and bad addresses", () => {
    const p = new KresdParser({});
    p.line("12345 garbage");
    p.line(Q.replace("127.0.0.10", "999.0.0.1"));
    expect(Object.fromEntries(p.rejected)).toEqual({ unmatched: 1, "bad address": 1 });
  });
});
