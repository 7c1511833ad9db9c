/**
 * The lean response path (lean-response.ts) against the full one (parseMessage + BailiwickChecker): the
 * same records, counters and learned zones for the vectors' capture, for its responses bit-flipped,
 * and for random bytes.
 */
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { type DnsQR, decodeDnsQR, readPayloads } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVector, vectorPath } from "../../../test/vectors.js";
import { DnsCache } from "../src/dns-cache-engine.js";
import { ZoneCache } from "../src/zones.js";

const hints = readFileSync(vectorPath("inputs/zones/root.hints"), "utf8");
const qrs: DnsQR[] = [];
for await (const p of readPayloads(Readable.from([readVector("nmsg/dnsqr.nmsg")]))) qrs.push(decodeDnsQR(p.payload));

function run(lean: boolean, feed: (c: DnsCache) => void, recursive: "reject" | "accept" = "reject"): unknown {
  const out: unknown[] = [];
  const zones = ZoneCache.withRootHints(hints);
  const c = new DnsCache((d, sec, nsec) => out.push([d, sec, nsec]), { zones, lean, recursive, maxEntries: 50 });
  feed(c);
  c.flush();
  return { out, stats: c.stats, zones: zones.size };
}

describe("the lean response path", () => {
  it("gives the full path's records, counters and zones on the vectors' capture", () => {
    for (const recursive of ["reject", "accept"] as const) {
      const feed = (c: DnsCache): void => {
        for (const q of qrs) c.dnsqr(q);
      };
      const full = run(false, feed, recursive);
      expect(run(true, feed, recursive)).toEqual(full);
      expect((full as { stats: { accepted: number } }).stats.accepted).toBeGreaterThan(100);
    }
  });

  it("and on the capture's responses bit-flipped, or replaced by random bytes", () => {
    const responses = qrs.filter((q) => q.type === 1 && q.response_packet.length === 1);
    const server = (q: DnsQR): Uint8Array => q.response_ip;
    // the DNS payload of each response (IPv4/IPv6 + UDP headers skipped)
    const dns = responses.map((q) => {
      const p = q.response_packet[0]!;
      const ihl = p[0]! >> 4 === 4 ? (p[0]! & 15) * 4 : 40;
      return p.subarray(ihl + 8);
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(dns.length - 1),
            fc.oneof(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 4 }), fc.uint8Array({ maxLength: 80 })),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        (picks) => {
          const msgs = picks.map(([i, change]) => {
            if (change instanceof Uint8Array) return [i, change] as const;
            const b = dns[i]!.slice();
            for (const [j, bit] of change) b[j % b.length]! ^= 1 << bit;
            return [i, b] as const;
          });
          const feed = (c: DnsCache): void => {
            // the capture's responses first, so that the zones are known, then the changed ones
            for (let i = 0; i < dns.length; i++) c.response(dns[i]!, server(responses[i]!), 1, i);
            for (const [i, b] of msgs) c.response(b, server(responses[i]!), 2, i);
          };
          expect(run(true, feed)).toEqual(run(false, feed));
        },
      ),
      { numRuns: Number(process.env.DNSREP_PROPERTY_RUNS ?? 300) },
    );
    // a bound, not a speed check: 300 runs take ~25 s alone and over 60 s on a loaded 2-core machine
  }, 240_000);
});
