/** Property tests: random and bit-flipped input to every parser of this package. */

import { udpDatagram } from "@dnsrep/capture";
import { decodeDnsQR, encodeDnsQR } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DnsCache } from "./dns-cache-engine.js";
import { DnsqrFields, scanDnsqr } from "./dnsqr-wire.js";
import { FilterListError, parseFilterList } from "./filter-list.js";
import { parseRootHints, RootHintsError } from "./root-hints.js";
import { ZoneCache } from "./zones.js";

// a referral from 10.0.0.1 (the root in these hints): test. NS ns.nic.test. + glue
const REFERRAL = Uint8Array.from([
  0, 1, 0x80, 0, 0, 1, 0, 0, 0, 1, 0, 1, 3, 119, 119, 119, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1, 4, 116, 101, 115, 116, 0, 0, 2, 0, 1, 0, 0,
  14, 16, 0, 13, 2, 110, 115, 3, 110, 105, 99, 4, 116, 101, 115, 116, 0, 2, 110, 115, 3, 110, 105, 99, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1,
  0, 0, 14, 16, 0, 4, 10, 0, 0, 2,
]);
const HINTS = ".  3600000  NS  a.root.test.\na.root.test.  3600000  A  10.0.0.1\n";

/** an encoded UDP_QUERY_RESPONSE from 10.0.0.1 carrying DNS message `dns` */
function answered(dns: Uint8Array): Uint8Array {
  const pkt = udpDatagram({ src: Uint8Array.of(10, 0, 0, 1), dst: Uint8Array.of(10, 9, 9, 9), sport: 53, dport: 4000, payload: dns });
  return encodeDnsQR({
    type: 1,
    query_ip: Uint8Array.of(10, 9, 9, 9),
    response_ip: Uint8Array.of(10, 0, 0, 1),
    proto: 17,
    query_port: 4000,
    response_port: 53,
    id: 1,
    query_packet: [],
    query_time_sec: [],
    query_time_nsec: [],
    response_packet: [pkt],
    response_time_sec: [5],
    response_time_nsec: [6],
  });
}

describe("properties", () => {
  it("the vetted referral is accepted as is", () => {
    const c = new DnsCache(() => {}, { zones: ZoneCache.withRootHints(HINTS) });
    c.response(REFERRAL, Uint8Array.of(10, 0, 0, 1), 1, 0);
    expect(c.stats.accepted).toBe(2);
  });

  it("random and bit-flipped responses are judged or counted, never thrown", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 6 }).map((flips) => {
            const b = REFERRAL.slice();
            for (const [i, bit] of flips) b[i % b.length]! ^= 1 << bit;
            return b;
          }),
        ),
        (msg) => {
          const out: unknown[] = [];
          const c = new DnsCache((d) => out.push(d), { zones: ZoneCache.withRootHints(HINTS) });
          c.response(msg, Uint8Array.of(10, 0, 0, 1), 1, 0);
          c.flush();
          const s = c.stats;
          expect(s.responses).toBe(1);
          // every insertion expires by the flush (AUTHORITATIVE may follow a SOA)
          expect(c.cache.stats.inserts).toBe(c.cache.stats.expirations);
          expect(out.length).toBeGreaterThanOrEqual(2 * c.cache.stats.expirations);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("root hints and filter lists: any text parses or fails with a typed error naming a line", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const [parse, E] of [
          [parseRootHints, RootHintsError],
          [parseFilterList, FilterListError],
        ] as const) {
          try {
            parse(text);
          } catch (e) {
            expect(e).toBeInstanceOf(E);
            expect((e as { line: number }).line).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("scanDnsqr takes only what a full decode agrees with, for random and bit-flipped dnsqr messages", () => {
    const bytes = fc.uint8Array({ maxLength: 40 });
    const qr = fc.record({
      type: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 7 })),
      ip: fc.constantFrom(Uint8Array.of(10, 0, 0, 1), new Uint8Array(16)),
      packets: fc.oneof(
        bytes.map((p) => [p]),
        fc.array(bytes, { maxLength: 2 }),
      ),
      secs: fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 2 }),
      nsecs: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 2 }),
      qname: fc.option(bytes, { nil: undefined }),
    });
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 3 });
    const f = new DnsqrFields();
    let taken = 0;
    fc.assert(
      fc.property(qr, flips, (r, fl) => {
        const b = encodeDnsQR({
          type: r.type,
          query_ip: r.ip,
          response_ip: r.ip,
          proto: 17,
          query_port: 1,
          response_port: 53,
          id: 7,
          ...(r.qname === undefined ? {} : { qname: r.qname }),
          query_packet: [],
          query_time_sec: [],
          query_time_nsec: [],
          response_packet: r.packets,
          response_time_sec: r.secs,
          response_time_nsec: r.nsecs,
        });
        for (const [i, bit] of fl) if (b.length > 0) b[i % b.length]! ^= 1 << bit;
        if (!scanDnsqr(b, f)) return;
        taken++;
        const q = decodeDnsQR(b); // a taken message decodes, and to the same fields
        expect(q.type).toBe(1);
        expect(q.response_packet).toHaveLength(1);
        expect([...f.responsePacket]).toEqual([...q.response_packet[0]!]);
        expect([...f.responseIp]).toEqual([...q.response_ip]);
        expect(f.sec).toBe(q.response_time_sec.at(-1) ?? 0);
        // the object path's choice (DnsCache.dnsqr): the nsec at the index of the last sec
        expect(f.nsec).toBe(q.response_time_nsec[q.response_time_sec.length - 1] ?? 0);
      }),
      { numRuns: Number(process.env.DNSREP_PROPERTY_RUNS ?? 5000) },
    );
    expect(taken).toBeGreaterThan(200);
  });

  it("a dnsqr fed as bytes counts exactly as the decoded object does", () => {
    const b = answered(REFERRAL);
    const run = (bytesPath: boolean): unknown[] => {
      const out: unknown[] = [];
      const c = new DnsCache((d, sec, nsec) => out.push([d, sec, nsec]), { zones: ZoneCache.withRootHints(HINTS) });
      if (bytesPath) expect(c.dnsqrBytes(b)).toBe(true);
      else c.dnsqr(decodeDnsQR(b));
      c.flush();
      out.push(c.stats);
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });

  it("scanDnsqr leaves padded tags, lengths and values to the full decoder unless it agrees", () => {
    const pkt = udpDatagram({
      src: Uint8Array.of(10, 0, 0, 1),
      dst: Uint8Array.of(10, 9, 9, 9),
      sport: 53,
      dport: 4000,
      payload: new Uint8Array(12),
    });
    const b = answered(new Uint8Array(12));
    // b starts 08 01 (type) 12 04 (query_ip's tag and length)
    expect([...b.subarray(0, 4)]).toEqual([0x08, 0x01, 0x12, 0x04]);
    const pad = (v: number, n: number): number[] => [...Array.from({ length: n - 1 }, (_, i) => (i === 0 ? v : 0) | 0x80), 0];
    const f = new DnsqrFields();
    let taken = 0;
    for (let n = 2; n <= 10; n++) {
      for (const m of [
        Uint8Array.from([...pad(0x08, n), ...b.subarray(1)]), // the tag
        Uint8Array.from([...b.subarray(0, 1), ...pad(0x01, n), ...b.subarray(2)]), // a value
        Uint8Array.from([...b.subarray(0, 3), ...pad(0x04, n), ...b.subarray(4)]), // a length
      ]) {
        if (!scanDnsqr(m, f)) continue;
        taken++;
        const q = decodeDnsQR(m);
        expect([q.type, [...q.response_packet[0]!]]).toEqual([1, [...pkt]]);
      }
    }
    expect(taken).toBeGreaterThan(3);
  });

  it("bit-flipped dnsqr messages count the same through the bytes path and the object path, and never throw", () => {
    const good = answered(REFERRAL);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const b = good.slice();
        for (const [i, bit] of flips) b[i % b.length]! ^= 1 << bit;
        const run = (bytesPath: boolean): unknown[] => {
          const out: unknown[] = [];
          const c = new DnsCache((d, sec, nsec) => out.push([d, sec, nsec]), { zones: ZoneCache.withRootHints(HINTS) });
          let q: ReturnType<typeof decodeDnsQR> | undefined;
          if (!bytesPath || !c.dnsqrBytes(b)) {
            try {
              q = decodeDnsQR(b);
            } catch {
              out.push("undecodable");
            }
            if (q) c.dnsqr(q);
          }
          c.flush();
          out.push(c.stats);
          return out;
        };
        expect(run(true)).toEqual(run(false));
      }),
      { numRuns: Number(process.env.DNSREP_PROPERTY_RUNS ?? 3000) },
    );
  });
});
