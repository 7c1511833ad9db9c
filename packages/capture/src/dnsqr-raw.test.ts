/**
 * The raw path (DnsqrOptions.raw: messages encoded straight from the captured bytes, queries waiting
 * in PendingQueries' arena) against the object path (a DnsQR per message, encoded by protobufjs's
 * rules): the same messages, bytes for bytes, in the same order with the same payload times and the
 * same counters, for the vectors' capture and for random traffic.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeDnsQR, encodedBytes } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodePcap, ethernetFrame, fragmentDatagram, udpDatagram } from "./craft.js";
import { DnsqrMatcher, type DnsqrOptions } from "./dnsqr.js";
import { LinkType } from "./link.js";
import { CaptureParser } from "./pcap.js";
import { PendingQueries, Slot } from "./pending.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

interface Run {
  out: string[];
  stats: object;
}

type Feed = (m: DnsqrMatcher) => void;

/** Feed the same input through both paths; the raw one also records which messages took it. */
function both(feed: Feed, opts: DnsqrOptions = {}): { obj: Run; raw: Run; rawCount: number } {
  const obj: string[] = [];
  const mo = new DnsqrMatcher((q, sec, nsec) => obj.push(`${sec}.${nsec} ${hex(encodeDnsQR(q))}`), opts);
  feed(mo);
  mo.flush();
  const raw: string[] = [];
  let rawCount = 0;
  const mr = new DnsqrMatcher((q, sec, nsec) => raw.push(`${sec}.${nsec} ${hex(encodeDnsQR(q))}`), {
    ...opts,
    raw: (e, sec, nsec) => {
      rawCount++;
      raw.push(`${sec}.${nsec} ${hex(encodedBytes(e))}`);
    },
  });
  feed(mr);
  mr.flush();
  return { obj: { out: obj, stats: { ...mo.stats } }, raw: { out: raw, stats: { ...mr.stats } }, rawCount };
}

const vectorPcap = readFileSync(join(import.meta.dirname, "../../../test/vectors/pcap/dns.pcap"));

/** the capture pushed through a parser `chunk` bytes at a time (the parser reuses nothing it was given) */
function feedCapture(file: Uint8Array, chunk = 65536): Feed {
  return (m) => {
    const p = new CaptureParser((...a) => m.packet(...a));
    for (let i = 0; i < file.length; i += chunk) p.push(file.subarray(i, i + chunk));
    p.end();
  };
}

describe("raw dnsqr path", () => {
  it("encodes the vectors' capture exactly as the object path does", () => {
    const { obj, raw, rawCount } = both(feedCapture(vectorPcap));
    expect(obj.out.length).toBeGreaterThan(500);
    expect(rawCount).toBeGreaterThan(450);
    expect(raw.out).toEqual(obj.out);
    expect(raw.stats).toEqual(obj.stats);
  });

  it("with a short timeout and a small table (unanswered queries leave early, oldest first)", () => {
    const { obj, raw, rawCount } = both(feedCapture(vectorPcap), { queryTimeout: 1, maxPending: 3 });
    expect(rawCount).toBeGreaterThan(0);
    expect(raw.out).toEqual(obj.out);
    expect(raw.stats).toEqual(obj.stats);
  });

  it("is not used with the options that rewrite or filter messages", () => {
    const { raw, obj, rawCount } = both(feedCapture(vectorPcap), { zeroResolverAddress: true });
    expect(rawCount).toBe(0);
    expect(raw.out).toEqual(obj.out);
  });

  it("times beyond 32 bits (pcapng offsets) encode as int64 varints, and odd times as the object path has them", () => {
    const C = Uint8Array.of(10, 0, 0, 1);
    const S = Uint8Array.of(10, 0, 0, 53);
    const dnsq = Uint8Array.of(0, 9, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1);
    const dnsr = Uint8Array.of(0, 9, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1);
    const q = ethernetFrame(udpDatagram({ src: C, dst: S, sport: 1234, dport: 53, payload: dnsq }));
    const r = ethernetFrame(udpDatagram({ src: S, dst: C, sport: 53, dport: 1234, payload: dnsr }));
    for (const sec of [2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 52 + 1]) {
      const { obj, raw, rawCount } = both((m) => {
        m.packet(q, 0, q.length, q.length, sec, 999_999_999, LinkType.ETHERNET);
        m.packet(r, 0, r.length, r.length, sec, 0, LinkType.ETHERNET);
        m.packet(q, 0, q.length, q.length, sec, 5, LinkType.ETHERNET);
      });
      expect(rawCount).toBe(2);
      expect(raw.out).toEqual(obj.out);
    }
    // beyond 2^53 s the object path decides (protobufjs's int64 rules); nanoseconds past 2^31 (a
    // classic pcap's out-of-range microseconds times 1000) stay as they are
    for (const [sec, nsec] of [
      [2 ** 63, 0],
      [2 ** 70, 0],
      [100, 3e9],
      [100, 4.2e12],
    ]) {
      const { obj, raw } = both((m) => {
        m.packet(q, 0, q.length, q.length, sec!, nsec!, LinkType.ETHERNET);
        m.packet(r, 0, r.length, r.length, sec!, 0, LinkType.ETHERNET);
        m.packet(q, 0, q.length, q.length, sec!, nsec!, LinkType.ETHERNET);
      });
      expect(raw.out).toEqual(obj.out);
    }
  });

  // random traffic among a few clients, servers, ports, ids and names, so that tuples collide,
  // queries repeat, responses come unasked, without a question, with error rcodes, fragmented,
  // with bad checksums, and over IPv6
  const addr4 = [Uint8Array.of(192, 0, 2, 1), Uint8Array.of(192, 0, 2, 2), Uint8Array.of(198, 51, 100, 53)];
  const addr6 = [
    Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 1 : 0)),
    Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 0x53 : 0)),
  ];
  const names = [[], ["a"], ["www", "example", "com"], ["WWW", "Example", "com"]];
  const pkt = fc.record({
    v6: fc.boolean(),
    c: fc.nat(2),
    s: fc.nat(2),
    port: fc.constantFrom(1000, 1001, 53, 5353),
    id: fc.nat(2),
    name: fc.nat(names.length - 1),
    response: fc.boolean(),
    rcode: fc.constantFrom(0, 0, 2, 3, 5),
    question: fc.constantFrom(true, true, false),
    extra: fc.nat(700),
    frag: fc.constantFrom(false, false, false, true),
    bad: fc.constantFrom(false, false, true),
    dt: fc.nat(3_000_000),
    flip: fc.option(fc.tuple(fc.nat(), fc.nat(7)), { freq: 8 }),
  });
  type Pkt = typeof pkt extends fc.Arbitrary<infer T> ? T : never;
  function frames(list: Pkt[]): { frame: Uint8Array; sec: number; nsec: number }[] {
    const out: { frame: Uint8Array; sec: number; nsec: number }[] = [];
    let t = 1_700_000_000 * 1e6;
    for (const p of list) {
      const a = p.v6 ? addr6 : addr4;
      const client = a[p.c % a.length]!;
      const server = a[p.s % a.length]!;
      const qn = names[p.name]!;
      const body: number[] = [0, p.id, p.response ? 0x81 : 0x01, p.response ? 0x80 | p.rcode : 0, 0, p.question ? 1 : 0, 0, 0, 0, 0, 0, 0];
      if (p.question) {
        for (const l of qn) body.push(l.length, ...[...l].map((ch) => ch.charCodeAt(0)));
        body.push(0, 0, 1, 0, 1);
      }
      for (let i = 0; i < p.extra; i++) body.push(i & 255);
      const dg = udpDatagram({
        src: p.response ? server : client,
        dst: p.response ? client : server,
        sport: p.response ? 53 : p.port,
        dport: p.response ? p.port : 53,
        payload: Uint8Array.from(body),
        badChecksum: p.bad,
        ipId: out.length & 0xffff,
      });
      const dgs = p.frag && !p.v6 ? fragmentDatagram(dg, 256, out.length & 0xffff) : [dg];
      t += p.dt;
      for (const d of dgs) {
        const frame = ethernetFrame(d);
        if (p.flip) {
          const [at, bit] = p.flip;
          frame[at % frame.length]! ^= 1 << bit;
        }
        out.push({ frame, sec: Math.floor(t / 1e6), nsec: (t % 1e6) * 1000 });
      }
    }
    return out;
  }

  it("matches the object path on random traffic (property)", () => {
    fc.assert(
      fc.property(fc.array(pkt, { maxLength: 60 }), fc.constantFrom(2, 5, 60), fc.constantFrom(2, 8, 131072), (list, timeout, max) => {
        const fs = frames(list);
        const { obj, raw } = both(
          (m) => {
            for (const f of fs) m.packet(f.frame, 0, f.frame.length, f.frame.length, f.sec, f.nsec, LinkType.ETHERNET);
          },
          { queryTimeout: timeout, maxPending: max },
        );
        expect(raw.out).toEqual(obj.out);
        expect(raw.stats).toEqual(obj.stats);
      }),
      { numRuns: 300 },
    );
  });

  it("matches the object path through a pcap file parsed in chunks of any size", () => {
    fc.assert(
      fc.property(fc.array(pkt, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5000 }), (list, chunk) => {
        const fs = frames(list);
        const file = encodePcap(fs.map((f) => ({ data: f.frame, sec: f.sec, usec: f.nsec / 1000 })));
        const { obj, raw } = both(feedCapture(file, chunk));
        expect(raw.out).toEqual(obj.out);
      }),
      { numRuns: 100 },
    );
  });
});

describe("PendingQueries", () => {
  it("keeps its arena within a few times the waiting bytes through many inserts and removals", () => {
    const t = new PendingQueries();
    const dg = new Uint8Array(1500);
    let maxArena = 0;
    const live: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      dg[0] = i & 255;
      dg[1] = (i >> 8) & 255;
      live.push(t.insertPacket(dg, 0, 100 + (i % 1400), 12, 16, 4, 20, -1, 0, 0, 17, i & 0xffff, 53, i & 0xffff, i, 0));
      // about 50 wait at once; the oldest of them sometimes much longer than the rest
      while (live.length > 50) t.remove(live.splice(i % 7 === 0 ? 1 : 0, 1)[0]!);
      maxArena = Math.max(maxArena, t.arena.length);
    }
    expect(t.size).toBe(50);
    expect(maxArena).toBeLessThanOrEqual(1 << 19);
    // every waiting datagram is intact after the compactions
    for (const s of live) {
      const off = t.field(s, Slot.packet);
      const port = t.field(s, Slot.queryPort);
      expect(t.arena[off]! | (t.arena[off + 1]! << 8)).toBe(port);
    }
  });

  it("finds the oldest of queries with the same tuple and question", () => {
    const t = new PendingQueries();
    const dg = Uint8Array.of(...new Array(12).fill(0), 1, 2, 3, 4, 5, 6, 7, 8, 1, 0x61, 0);
    const a = t.insertPacket(dg, 0, dg.length, 12, 16, 4, 20, 3, 1, 1, 17, 5, 53, 9, 1, 0);
    const b = t.insertPacket(dg, 0, dg.length, 12, 16, 4, 20, 3, 1, 1, 17, 5, 53, 9, 2, 0);
    const find = (qtype: number): number => t.find(dg, 12, dg, 16, 4, 17, 5, 53, 9, dg, 20, 3, qtype, 1, 0);
    expect(find(1)).toBe(a);
    expect(find(2)).toBe(-1);
    t.remove(a);
    expect(find(1)).toBe(b);
    t.remove(b);
    expect(find(1)).toBe(-1);
    expect(t.size).toBe(0);
  });
});
