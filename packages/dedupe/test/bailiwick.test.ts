/**
 * Hand-made captures through the sensor's matcher and the cache: forged out-of-bailiwick records,
 * delegated child zones, learning only from accepted records, recursive answers.
 */
import { DnsqrMatcher, readCapture } from "@dnsrep/capture";
import type { DnsDedupe } from "@dnsrep/nmsg";
import { nameToString } from "@dnsrep/wdns";
import { describe, expect, it } from "vitest";
import { DnsCache, type DnsCacheOptions, ZoneCache } from "../src/index.js";
import { capture, type Exchange } from "./world.js";

const HINTS = ".  3600000  NS  a.root.test.\na.root.test.  3600000  A  10.0.0.1\n";

interface Row {
  type: number;
  owner: string;
  rrtype: number;
  bailiwick: string;
  count: number;
}

async function run(exchanges: Exchange[], opts: DnsCacheOptions = {}): Promise<{ rows: Row[]; c: DnsCache }> {
  const out: DnsDedupe[] = [];
  const c = new DnsCache((d) => out.push(d), { zones: ZoneCache.withRootHints(HINTS), ...opts });
  const m = new DnsqrMatcher((q, sec) => c.dnsqrAt(q, sec));
  await readCapture([capture(exchanges)], (...a) => m.packet(...a));
  m.flush();
  c.flush();
  const rows = out.map((d) => ({
    type: d.type!,
    owner: nameToString(d.rrname!),
    rrtype: d.rrtype!,
    bailiwick: nameToString(d.bailiwick!),
    count: d.count!,
  }));
  return { rows, c };
}

const walk: Exchange[] = [
  // the root refers test. to ns.nic.test
  {
    server: "10.0.0.1",
    sec: 100,
    response: {
      id: 1,
      qname: "www.example.test",
      authority: [{ name: "test", type: "NS", data: "ns.nic.test" }],
      additional: [{ name: "ns.nic.test", type: "A", data: "10.0.0.2" }],
    },
  },
  // the TLD refers example.test. to ns.example.test
  {
    server: "10.0.0.2",
    sec: 101,
    response: {
      id: 2,
      qname: "www.example.test",
      authority: [{ name: "example.test", type: "NS", data: "ns.example.test" }],
      additional: [{ name: "ns.example.test", type: "A", data: "10.0.0.3" }],
    },
  },
  // the zone answers, with a forged address for the TLD's server in the additional section
  {
    server: "10.0.0.3",
    sec: 102,
    response: {
      id: 3,
      qname: "www.example.test",
      aa: true,
      answer: [{ name: "www.example.test", type: "A", data: "192.0.2.1" }],
      authority: [{ name: "example.test", type: "NS", data: "ns.example.test" }],
      additional: [{ name: "ns.nic.test", type: "A", data: "6.6.6.6" }],
    },
  },
  // a delegation to a child zone, and the child's answer
  {
    server: "10.0.0.3",
    sec: 103,
    response: {
      id: 4,
      qname: "a.sub.example.test",
      authority: [{ name: "sub.example.test", type: "NS", data: "ns.sub.example.test" }],
      additional: [{ name: "ns.sub.example.test", type: "A", data: "10.0.0.4" }],
    },
  },
  {
    server: "10.0.0.4",
    sec: 104,
    response: {
      id: 5,
      qname: "a.sub.example.test",
      aa: true,
      answer: [{ name: "a.sub.example.test", type: "A", data: "192.0.2.9" }],
      authority: [{ name: "sub.example.test", type: "SOA", data: "ns.sub.example.test host.example.test 1 7200 3600 1209600 300" }],
    },
  },
  // the address the forged record named now claims to serve test.: it must not be believed
  {
    server: "6.6.6.6",
    sec: 105,
    response: { id: 6, qname: "www.example.test", aa: true, answer: [{ name: "www.example.test", type: "A", data: "203.0.113.66" }] },
  },
];

describe("bailiwick reconstruction on a hand-made capture", () => {
  it("gives each RRset the zone its server answers for, child zones included", async () => {
    const { rows } = await run(walk);
    const ins = rows.filter((r) => r.type === 0).map((r) => `${r.owner} ${r.rrtype} @ ${r.bailiwick}`);
    expect(ins).toEqual([
      "test. 2 @ .",
      "ns.nic.test. 1 @ .",
      "example.test. 2 @ test.",
      "ns.example.test. 1 @ test.",
      "www.example.test. 1 @ example.test.",
      "example.test. 2 @ example.test.",
      "sub.example.test. 2 @ example.test.",
      "ns.sub.example.test. 1 @ example.test.",
      "a.sub.example.test. 1 @ sub.example.test.",
      "sub.example.test. 6 @ sub.example.test.",
    ]);
  });

  it("rejects the forged out-of-bailiwick record and never learns from it", async () => {
    const { rows, c } = await run(walk);
    expect(rows.some((r) => r.owner === "ns.nic.test." && r.bailiwick === "example.test.")).toBe(false);
    expect(rows.some((r) => r.owner === "www.example.test." && r.count === 1 && r.bailiwick === "test.")).toBe(false);
    expect(c.stats.rejected.out_of_bailiwick).toBe(1);
    // 6.6.6.6's answer: that address serves no zone we know of
    expect(c.stats.rejected.unknown_server).toBe(1);
    expect([...c.zones.servers("\u0004test\u0000")]).toEqual(["\n\0\0\u0002"]);
  });

  it("reports AUTHORITATIVE for a SOA served authoritatively, and every EXPIRATION at the end", async () => {
    const { rows } = await run(walk);
    expect(rows.filter((r) => r.type === 0)).toHaveLength(10);
    expect(rows.filter((r) => r.type === 1)).toHaveLength(10);
    expect(rows.filter((r) => r.type === 3).map((r) => r.owner)).toEqual(["sub.example.test."]);
  });

  it("rejects answers from recursive resolvers unless asked to accept them", async () => {
    const recursive: Exchange[] = [
      ...walk.slice(0, 3),
      {
        server: "10.0.0.3",
        sec: 110,
        response: { id: 9, qname: "x.example.test", rd: true, answer: [{ name: "x.example.test", type: "A", data: "192.0.2.2" }] },
      },
    ];
    const strict = await run(recursive);
    expect(strict.c.stats.rejected.recursive).toBe(1);
    expect(strict.rows.some((r) => r.owner === "x.example.test.")).toBe(false);
    const lax = await run(recursive, { recursive: "accept" });
    expect(lax.rows.find((r) => r.owner === "x.example.test.")?.bailiwick).toBe("example.test.");
  });

  it("rejects truncated and SERVFAIL responses, counting their RRsets", async () => {
    const bad: Exchange[] = [
      {
        server: "10.0.0.1",
        sec: 1,
        response: { id: 1, qname: "a.test", rcode: 2, authority: [{ name: "test", type: "NS", data: "ns.nic.test" }] },
      },
    ];
    const { c, rows } = await run(bad);
    expect(rows).toHaveLength(0);
    expect(c.stats.rejected.rcode).toBe(1);
  });
});
