/**
 * The resolver's own bailiwick as a hint (dnstap's query_zone, carried in dnsqr as our field 1000):
 * taken only for a server the zone cache does not know, only when at or above the question, never
 * for recursive answers; and read from the encoded dnsqr without a full decode.
 */
import { DnsqrEncoding } from "@dnsrep/capture";
import type { DnsDedupe } from "@dnsrep/nmsg";
import { nameFromString, nameToString, parseIpv4 } from "@dnsrep/wdns";
import { describe, expect, it } from "vitest";
import { DnsCache, ZoneCache } from "../src/index.js";
import { dnsMessage, type MsgSpec } from "./world.js";

const HINTS = ".  3600000  NS  a.root.test.\na.root.test.  3600000  A  10.0.0.1\n";

function cache(): { c: DnsCache; rows: () => string[] } {
  const out: DnsDedupe[] = [];
  const c = new DnsCache((d) => out.push(d), { zones: ZoneCache.withRootHints(HINTS) });
  return {
    c,
    rows: () => {
      c.flush();
      return out.filter((d) => d.type === 1).map((d) => `${nameToString(d.rrname!)} ${d.rrtype} @ ${nameToString(d.bailiwick!)}`);
    },
  };
}

const answer = (over: Partial<MsgSpec> = {}): Uint8Array =>
  dnsMessage({
    id: 7,
    qname: "www.example.test",
    response: true,
    aa: true,
    answer: [{ name: "www.example.test", type: "A", data: "192.0.2.80" }],
    ...over,
  });
const server = parseIpv4("10.9.9.9")!;

describe("the resolver's zone as a bailiwick hint", () => {
  it("an answer from a server nobody referred to: rejected without a hint, taken under a hint at or above the question", () => {
    const none = cache();
    none.c.response(answer(), server, 100, 0);
    expect(none.rows()).toEqual([]);
    expect(none.c.stats.rejected.unknown_server).toBe(1);

    for (const z of ["example.test", "test", "."]) {
      const h = cache();
      h.c.response(answer(), server, 100, 0, nameFromString(z));
      expect(h.rows(), z).toEqual([`www.example.test. 1 @ ${z === "." ? "." : `${z}.`}`]);
    }
  });

  it("a hint below or beside the question, a malformed one, or a recursive answer: still rejected", () => {
    const bad = [
      nameFromString("other.test"),
      nameFromString("a.www.example.test"),
      Uint8Array.of(5, 0x61),
      Uint8Array.of(70, 0),
      new Uint8Array(0),
    ];
    for (const z of bad) {
      const h = cache();
      h.c.response(answer(), server, 100, 0, z);
      expect(h.rows()).toEqual([]);
      expect(h.c.stats.rejected.unknown_server).toBe(1);
    }
    const r = cache();
    r.c.response(answer({ rd: true }), server, 100, 0, nameFromString("example.test"));
    expect(r.rows()).toEqual([]);
    expect(r.c.stats.rejected.recursive).toBe(1);
  });

  it("a server the cache knows answers under the zone the cache knows, whatever the hint says", () => {
    const h = cache();
    const referral = dnsMessage({
      id: 1,
      qname: "www.example.test",
      response: true,
      authority: [{ name: "test", type: "NS", data: "ns.nic.test" }],
      additional: [{ name: "ns.nic.test", type: "A", data: "10.0.0.2" }],
    });
    h.c.response(referral, parseIpv4("10.0.0.1")!, 100, 0, nameFromString("www.example.test"));
    expect(h.rows()).toEqual(["test. 2 @ .", "ns.nic.test. 1 @ ."]);
  });

  it("is read from an encoded dnsqr (our field 1000) on the fast path", () => {
    const dns = answer();
    const enc = new DnsqrEncoding();
    const ips = Uint8Array.of(192, 0, 2, 1, 10, 9, 9, 9);
    const zone = nameFromString("example.test");
    for (const withZone of [false, true]) {
      enc.reset(1, 17, 40000, 53, 7);
      enc.setAddresses(ips, 0, 4, 4);
      enc.setResponseDatagram({ src: ips.subarray(4), dst: ips.subarray(0, 4), sport: 53, dport: 40000, payload: dns }, 100, 0);
      if (withZone) enc.setZone(zone, 0, zone.length);
      enc.finish();
      const b = new Uint8Array(enc.length);
      enc.putAt(b, 0);
      const h = cache();
      expect(h.c.dnsqrBytes(b)).toBe(true);
      expect(h.rows()).toEqual(withZone ? ["www.example.test. 1 @ example.test."] : []);
    }
  });
});
