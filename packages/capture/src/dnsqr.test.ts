import { type DnsQR, encodeDnsQR } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readVector } from "../../../test/vectors.js";
import { encodePcap, ethernetFrame, fragmentDatagram, tcpDatagram, udpDatagram } from "./craft.js";
import { DnsQRType, DnsqrMatcher, type DnsqrOptions } from "./dnsqr.js";
import { LinkType } from "./link.js";
import { CaptureParser, readCapture } from "./pcap.js";
import type { TcpDnsMessage } from "./tcp.js";

const C4 = Uint8Array.of(192, 0, 2, 1);
const S4 = Uint8Array.of(198, 51, 100, 53);
const C6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 1 : 0));
const S6 = Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? 0x53 : 0));

/** A DNS message: header + one question for `name` (labels) + `extra` bytes of answer-ish padding. */
function dns(id: number, response: boolean, name = ["www", "example", "com"], rcode = 0, extra = 0, question = true): Uint8Array {
  const q: number[] = [];
  if (question) {
    for (const l of name) q.push(l.length, ...[...l].map((c) => c.charCodeAt(0)));
    q.push(0, 0, 1, 0, 1);
  }
  const h = [id >> 8, id & 0xff, response ? 0x81 : 0x01, response ? 0x80 | rcode : 0, 0, question ? 1 : 0, 0, 0, 0, 0, 0, 0];
  return Uint8Array.from([...h, ...q, ...new Array<number>(extra).fill(0x2a)]);
}

interface Out {
  q: DnsQR;
  sec: number;
  nsec: number;
}

function matcher(opts: DnsqrOptions = {}): { m: DnsqrMatcher; out: Out[] } {
  const out: Out[] = [];
  const m = new DnsqrMatcher((q, sec, nsec) => out.push({ q, sec, nsec }), opts);
  return { m, out };
}

function feed(m: DnsqrMatcher, frame: Uint8Array, sec: number, usec = 0, lt: number = LinkType.ETHERNET): void {
  m.packet(frame, 0, frame.length, frame.length, sec, usec * 1000, lt);
}

const query = (id: number, sport = 40000, v6 = false, name?: string[]): Uint8Array =>
  udpDatagram({ src: v6 ? C6 : C4, dst: v6 ? S6 : S4, sport, dport: 53, payload: dns(id, false, name) });
const response = (id: number, sport = 40000, v6 = false, name?: string[], extra = 0): Uint8Array =>
  udpDatagram({ src: v6 ? S6 : S4, dst: v6 ? C6 : C4, sport: 53, dport: sport, payload: dns(id, true, name, 0, extra) });

describe("query/response matching", () => {
  it("pairs a query with its response", () => {
    const { m, out } = matcher();
    feed(m, ethernetFrame(query(7)), 100, 250);
    feed(m, ethernetFrame(response(7)), 100, 750);
    expect(out).toHaveLength(1);
    const { q, sec, nsec } = out[0]!;
    expect(q.type).toBe(DnsQRType.UDP_QUERY_RESPONSE);
    expect([sec, nsec]).toEqual([100, 250000]);
    expect([...q.query_ip]).toEqual([...C4]);
    expect([...q.response_ip]).toEqual([...S4]);
    expect([q.query_port, q.response_port, q.id, q.proto, q.qtype, q.qclass, q.rcode]).toEqual([40000, 53, 7, 17, 1, 1, 0]);
    expect(q.query_packet).toHaveLength(1);
    expect(q.response_packet).toHaveLength(1);
    expect(q.response_time_nsec).toEqual([750000]);
    expect(q.udp_checksum).toBe(3);
    expect(m.stats).toMatchObject({ queryResponse: 1, pending: 0 });
  });

  it("keeps its own copies when the capture buffer is reused (as libpcap's is)", () => {
    const { m, out } = matcher();
    const scratch = Buffer.alloc(2048);
    const put = (f: Uint8Array): number => {
      scratch.fill(0xee);
      scratch.set(f);
      return f.length;
    };
    const qf = ethernetFrame(query(7));
    let n = put(qf);
    m.packet(scratch, 0, n, n, 1, 0, LinkType.ETHERNET);
    n = put(ethernetFrame(response(7)));
    m.packet(scratch, 0, n, n, 1, 0, LinkType.ETHERNET);
    scratch.fill(0);
    const q = out[0]!.q;
    expect([...q.query_packet[0]!]).toEqual([...qf.subarray(14)]);
    expect(q.qname?.[0]).toBe(3);
    expect([...q.query_ip]).toEqual([...C4]);
  });

  it("with borrow, messages encoded inside the callback equal the owned ones", () => {
    const encoded = (borrow: boolean): string[] => {
      const out: string[] = [];
      const m = new DnsqrMatcher((q) => out.push(Buffer.from(encodeDnsQR(q)).toString("hex")), { borrow });
      const scratch = new Uint8Array(2048);
      for (const [f, t] of [
        [ethernetFrame(query(7)), 1],
        [ethernetFrame(response(7)), 2],
        [ethernetFrame(response(8)), 3],
      ] as const) {
        scratch.fill(0xee);
        scratch.set(f);
        m.packet(scratch, 0, f.length, f.length, t, 0, LinkType.ETHERNET);
      }
      m.flush();
      return out;
    };
    expect(encoded(true)).toEqual(encoded(false));
    expect(encoded(true)).toHaveLength(2);
  });

  it("a capture pushed as chunks of one reused buffer (nmsg-sensor's file input) gives what fresh chunks give", () => {
    const pcap = readVector("pcap/dns.pcap");
    const run = (size: number, reuse: boolean): string[] => {
      const out: string[] = [];
      const m = new DnsqrMatcher((q) => out.push(Buffer.from(encodeDnsQR(q)).toString("hex")), { borrow: true });
      const p = new CaptureParser((...a) => m.packet(...a));
      const buf = new Uint8Array(size);
      for (let at = 0; at < pcap.length; at += size) {
        const part = pcap.subarray(at, at + size);
        if (reuse) {
          buf.fill(0xee);
          buf.set(part);
          p.push(buf.subarray(0, part.length));
          buf.fill(0x55); // whatever the parser or matcher kept of it must have been copied
        } else p.push(part.slice());
      }
      p.end();
      m.flush();
      return out;
    };
    const want = run(pcap.length, false);
    expect(want.length).toBeGreaterThan(100);
    for (const size of [61, 1000, 4096]) expect(run(size, true)).toEqual(want);
  });

  it("needs the same question: a response for another name is unsolicited", () => {
    const { m, out } = matcher();
    feed(m, ethernetFrame(query(7)), 100);
    feed(m, ethernetFrame(response(7, 40000, false, ["evil", "com"])), 101);
    m.flush();
    expect(out.map((o) => o.q.type)).toEqual([DnsQRType.UDP_UNSOLICITED_RESPONSE, DnsQRType.UDP_UNANSWERED_QUERY]);
    expect(out[0]!.sec).toBe(101);
  });

  it("matches question-less error responses on the 6-tuple (SERVFAIL) but not NOERROR", () => {
    const { m, out } = matcher();
    feed(m, ethernetFrame(query(9)), 100);
    feed(m, ethernetFrame(udpDatagram({ src: S4, dst: C4, sport: 53, dport: 40000, payload: dns(9, true, [], 0, 0, false) })), 100);
    feed(m, ethernetFrame(udpDatagram({ src: S4, dst: C4, sport: 53, dport: 40000, payload: dns(9, true, [], 2, 0, false) })), 100);
    expect(out.map((o) => [o.q.type, o.q.rcode])).toEqual([
      [DnsQRType.UDP_UNSOLICITED_RESPONSE, 0],
      [DnsQRType.UDP_QUERY_RESPONSE, 2],
    ]);
    expect(out[1]!.q.qname).toBeDefined(); // taken from the query
  });

  it("times queries out after the timeout, measured from the previous packet's time", () => {
    const { m, out } = matcher({ queryTimeout: 60 });
    feed(m, ethernetFrame(query(1)), 100, 500000);
    feed(m, ethernetFrame(query(2, 40001)), 130);
    feed(m, ethernetFrame(query(3, 40002)), 161);
    expect(out).toHaveLength(0);
    feed(m, ethernetFrame(query(4, 40003)), 162);
    expect(out.map((o) => o.q.id)).toEqual([1]);
    expect(out[0]!.q.type).toBe(DnsQRType.UDP_UNANSWERED_QUERY);
    expect(out[0]!.q.timeout).toBeCloseTo(60.5, 6);
    m.flush();
    expect(out.map((o) => o.q.id)).toEqual([1, 2, 3, 4]);
    expect(out[3]!.q.timeout).toBe(0);
  });

  it("bounds the table: the oldest query leaves first", () => {
    const { m, out } = matcher({ maxPending: 2 });
    for (let i = 0; i < 5; i++) feed(m, ethernetFrame(query(i, 40000 + i)), 100);
    expect(out.map((o) => o.q.id)).toEqual([0, 1]);
    expect(m.stats.pending).toBe(3);
    feed(m, ethernetFrame(response(4, 40004)), 100);
    expect(out.map((o) => o.q.id)).toEqual([0, 1, 2, 4]);
    expect(m.stats.pendingMax).toBe(3);
  });

  it("survives a flood of unanswered queries with answered ones in between (FIFO stays compact)", () => {
    const { m, out } = matcher({ maxPending: 1000 });
    feed(m, ethernetFrame(query(65535, 1)), 100);
    for (let i = 0; i < 20000; i++) {
      feed(m, ethernetFrame(query(i & 0xffff, 2000 + (i % 50000))), 100);
      feed(m, ethernetFrame(response(i & 0xffff, 2000 + (i % 50000))), 100);
    }
    expect(m.stats.queryResponse).toBe(20000);
    expect(m.stats.pending).toBe(1);
    m.flush();
    expect(out.filter((o) => o.q.type === DnsQRType.UDP_UNANSWERED_QUERY)).toHaveLength(1);
  });

  it("-capture_qr 0 and 1 emit queries or responses alone", () => {
    const a = matcher({ captureQr: 0 });
    feed(a.m, ethernetFrame(query(1)), 1);
    feed(a.m, ethernetFrame(response(1)), 1);
    expect(a.out.map((o) => o.q.type)).toEqual([DnsQRType.UDP_QUERY_ONLY]);
    const b = matcher({ captureQr: 1 });
    feed(b.m, ethernetFrame(query(1)), 1);
    feed(b.m, ethernetFrame(response(1)), 1);
    expect(b.out.map((o) => o.q.type)).toEqual([DnsQRType.UDP_RESPONSE_ONLY]);
  });

  it("zeroes the resolver's address when asked", () => {
    const { m, out } = matcher({ zeroResolverAddress: true });
    feed(m, ethernetFrame(query(1)), 1);
    feed(m, ethernetFrame(response(1)), 1);
    const q = out[0]!.q;
    expect([...q.query_ip]).toEqual([0, 0, 0, 0]);
    expect([...q.query_packet[0]!.subarray(12, 16)]).toEqual([0, 0, 0, 0]);
    expect([...q.response_packet[0]!.subarray(16, 20)]).toEqual([0, 0, 0, 0]);
    expect(q.resolver_address_zeroed).toBe(true);
    // verified before zeroing, as libnmsg does
    expect(q.udp_checksum).toBe(3);
  });

  it("reports checksums: incorrect and absent", () => {
    const { m, out } = matcher();
    feed(m, ethernetFrame(query(1)), 1);
    feed(m, ethernetFrame(udpDatagram({ src: S4, dst: C4, sport: 53, dport: 40000, payload: dns(1, true), badChecksum: true })), 1);
    feed(m, ethernetFrame(query(2)), 1);
    feed(m, ethernetFrame(udpDatagram({ src: S4, dst: C4, sport: 53, dport: 40000, payload: dns(2, true), noChecksum: true })), 1);
    expect(out.map((o) => o.q.udp_checksum)).toEqual([2, 1]);
  });
});

describe("link layers and IP versions", () => {
  const v4 = [query(5), response(5)];
  const v6 = [query(5, 40000, true), response(5, 40000, true)];
  const sll = (dg: Uint8Array): Uint8Array =>
    Uint8Array.from([0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...(dg[0]! >> 4 === 6 ? [0x86, 0xdd] : [8, 0]), ...dg]);
  const sll2 = (dg: Uint8Array): Uint8Array =>
    Uint8Array.from([...(dg[0]! >> 4 === 6 ? [0x86, 0xdd] : [8, 0]), 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, ...dg]);
  const nul = (dg: Uint8Array): Uint8Array => Uint8Array.from([...(dg[0]! >> 4 === 6 ? [30, 0, 0, 0] : [2, 0, 0, 0]), ...dg]);
  const loop = (dg: Uint8Array): Uint8Array => Uint8Array.from([...(dg[0]! >> 4 === 6 ? [0, 0, 0, 24] : [0, 0, 0, 2]), ...dg]);
  const cases: [string, number, (d: Uint8Array) => Uint8Array][] = [
    ["ethernet", LinkType.ETHERNET, (d) => ethernetFrame(d)],
    ["ethernet + 802.1Q", LinkType.ETHERNET, (d) => ethernetFrame(d, 42)],
    ["linux cooked", LinkType.LINUX_SLL, sll],
    ["linux cooked v2", LinkType.LINUX_SLL2, sll2],
    ["BSD loopback", LinkType.NULL, nul],
    ["OpenBSD loopback", LinkType.LOOP, loop],
    ["raw IP", LinkType.RAW, (d) => d],
  ];
  for (const [name, lt, wrap] of cases) {
    for (const [ver, pair] of [
      ["IPv4", v4],
      ["IPv6", v6],
    ] as const) {
      it(`${name}, ${ver}`, () => {
        const { m, out } = matcher();
        for (const dg of pair) feed(m, wrap(dg), 1, 0, lt);
        expect(out.map((o) => [o.q.type, o.q.query_ip.length, o.q.udp_checksum])).toEqual([
          [DnsQRType.UDP_QUERY_RESPONSE, ver === "IPv4" ? 4 : 16, 3],
        ]);
        // the packet fields hold the IP datagram, not the link header
        expect([...out[0]!.q.query_packet[0]!]).toEqual([...pair[0]!]);
      });
    }
  }

  it("walks IPv6 extension headers", () => {
    const dg = query(5, 40000, true);
    // insert an 8-byte destination-options header
    const ext = Uint8Array.of(17, 0, 1, 4, 0, 0, 0, 0);
    const withExt = Uint8Array.from([...dg.subarray(0, 40), ...ext, ...dg.subarray(40)]);
    withExt[6] = 60;
    withExt[5] = dg[5]! + 8;
    const { m, out } = matcher();
    feed(m, ethernetFrame(withExt), 1);
    feed(m, ethernetFrame(response(5, 40000, true)), 1);
    expect(out[0]!.q.type).toBe(DnsQRType.UDP_QUERY_RESPONSE);
  });

  it("skips frames cut by the snapshot length and non-IP frames, counting them", () => {
    const { m } = matcher();
    const f = ethernetFrame(query(1));
    m.packet(f, 0, 40, f.length, 1, 0, LinkType.ETHERNET);
    const arp = f.slice();
    arp[12] = 0x08;
    arp[13] = 0x06;
    feed(m, arp, 1);
    feed(m, f, 1, 0, 147); // a link type we do not decode
    expect(m.stats).toMatchObject({ snaplenCut: 1, notIp: 2, udpQueries: 0 });
  });
});

describe("IP fragments", () => {
  for (const v6 of [false, true]) {
    it(`reassembles a fragmented ${v6 ? "IPv6" : "IPv4"} response, in any order, keeping every fragment`, () => {
      const { m, out } = matcher();
      feed(m, ethernetFrame(query(3, 40000, v6)), 10);
      const big = response(3, 40000, v6, undefined, 3000);
      const frags = fragmentDatagram(big, 1200, 77);
      expect(frags).toHaveLength(3);
      feed(m, ethernetFrame(frags[2]!), 10, 1);
      feed(m, ethernetFrame(frags[0]!), 10, 2);
      expect(out).toHaveLength(0);
      feed(m, ethernetFrame(frags[1]!), 10, 3);
      expect(out).toHaveLength(1);
      const q = out[0]!.q;
      expect(q.type).toBe(DnsQRType.UDP_QUERY_RESPONSE);
      expect(q.response_packet.map((p) => p.length)).toEqual(frags.map((f) => f.length));
      expect(q.response_time_nsec).toEqual([2000, 3000, 1000]); // payload order
      expect(q.udp_checksum).toBe(3);
    });
  }

  it("drops overlapping fragments", () => {
    const { m, out } = matcher();
    feed(m, ethernetFrame(query(3)), 10);
    const frags = fragmentDatagram(response(3, 40000, false, undefined, 3000), 1200, 5);
    const evil = frags[1]!.slice();
    evil[7] = evil[7]! - 1; // offset 8 bytes earlier: overlaps the first fragment
    for (const f of [frags[0]!, evil, frags[1]!, frags[2]!]) feed(m, ethernetFrame(f), 10);
    expect(m.reassembler.stats.invalid).toBeGreaterThan(0);
    expect(out.filter((o) => o.q.type === DnsQRType.UDP_QUERY_RESPONSE)).toHaveLength(0);
  });

  it("bounds memory under a flood of first fragments and times them out", () => {
    const { m } = matcher({ reassembly: { maxDatagrams: 100, timeoutSec: 30 } });
    for (let i = 0; i < 5000; i++) {
      const f = fragmentDatagram(response(i & 0xffff, 40000, false, undefined, 2000), 1200, i)[0]!;
      feed(m, ethernetFrame(f), 10);
    }
    expect(m.reassembler.pending).toBe(100);
    expect(m.reassembler.stats.evicted).toBe(4900);
    feed(m, ethernetFrame(fragmentDatagram(response(1, 40000, false, undefined, 2000), 1200, 999999)[0]!), 100);
    expect(m.reassembler.stats.timedOut).toBe(100);
    expect(m.reassembler.pending).toBe(1);
  });
});

describe("TCP and ICMP", () => {
  it("passes TCP segments through and reassembles the DNS messages they carry", () => {
    const msgs: TcpDnsMessage[] = [];
    const { m, out } = matcher({ onTcpMessage: (x) => msgs.push(x) });
    const q1 = dns(1, false);
    const q2 = dns(2, false, ["b", "example"]);
    const r1 = dns(1, true, undefined, 0, 300);
    const pre = (b: Uint8Array): number[] => [b.length >> 8, b.length & 0xff, ...b];
    const c2s = Uint8Array.from([...pre(q1), ...pre(q2)]); // two messages in one segment
    const s2c = Uint8Array.from(pre(r1));
    const seg = (toServer: boolean, seq: number, data: Uint8Array, flags = 0x18): Uint8Array =>
      ethernetFrame(
        tcpDatagram({
          src: toServer ? C4 : S4,
          dst: toServer ? S4 : C4,
          sport: toServer ? 41000 : 53,
          dport: toServer ? 53 : 41000,
          seq,
          payload: data,
          flags,
        }),
      );
    feed(m, seg(true, 1000, new Uint8Array(0), 0x02), 1); // SYN
    feed(m, seg(false, 5000, new Uint8Array(0), 0x12), 1); // SYN-ACK
    feed(m, seg(true, 1001, c2s), 1);
    feed(m, seg(true, 1001, c2s), 1); // a retransmission
    // the response split in three, the last part first
    feed(m, seg(false, 5001 + 200, s2c.subarray(200)), 2);
    feed(m, seg(false, 5001, s2c.subarray(0, 100)), 2);
    feed(m, seg(false, 5001 + 100, s2c.subarray(100, 200)), 3);
    expect(out.every((o) => o.q.type === DnsQRType.TCP && o.q.proto === 6 && o.q.tcp !== undefined)).toBe(true);
    expect(out).toHaveLength(7);
    expect(msgs.map((x) => [x.toServer, x.message.length, x.sec])).toEqual([
      [true, q1.length, 1],
      [true, q2.length, 1],
      [false, r1.length, 3],
    ]);
    expect([...msgs[2]!.message]).toEqual([...r1]);
    expect(m.stats.tcpMessages).toBe(3);
  });

  it("reports ICMP errors that quote a DNS datagram (IPv4 and IPv6)", () => {
    for (const v6 of [false, true]) {
      const { m, out } = matcher();
      const quoted = query(8, 40000, v6).subarray(0, v6 ? 48 : 28);
      const body = Uint8Array.from([v6 ? 1 : 3, 3, 0, 0, 0, 0, 0, 0, ...quoted]);
      const proto = v6 ? 58 : 1;
      const ip = udpDatagram({ src: v6 ? S6 : S4, dst: v6 ? C6 : C4, sport: 0, dport: 0, payload: new Uint8Array(0) });
      // re-label the datagram as ICMP with our body
      const hl = v6 ? 40 : 20;
      const dg = Uint8Array.from([...ip.subarray(0, hl), ...body]);
      if (v6) {
        dg[6] = proto;
        dg[4] = body.length >> 8;
        dg[5] = body.length & 0xff;
      } else {
        dg[9] = proto;
        dg[2] = dg.length >> 8;
        dg[3] = dg.length & 0xff;
      }
      feed(m, ethernetFrame(dg), 5);
      expect(out.map((o) => [o.q.type, o.q.proto, o.q.icmp?.length])).toEqual([[DnsQRType.ICMP, proto, dg.length]]);
    }
  });
});

describe("property: random and bit-flipped packets", () => {
  const good = [ethernetFrame(query(1)), ethernetFrame(response(1, 40000, false, undefined, 50)), ethernetFrame(query(2, 40000, true))];
  it("are counted or matched, never thrown", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 120 }),
            fc
              .tuple(fc.constantFrom(...good), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }))
              .map(([f, flips]) => {
                const c = f.slice();
                for (const [i, b] of flips) c[i % c.length]! ^= 1 << b;
                return c;
              }),
          ),
          { maxLength: 20 },
        ),
        fc.constantFrom(LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.NULL),
        (frames, lt) => {
          const { m } = matcher();
          for (const f of frames) feed(m, f, 1, 0, lt);
          m.flush();
          expect(m.stats.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a whole random capture goes through readCapture + matcher", async () => {
    const file = encodePcap(good.map((data, i) => ({ data, sec: i })));
    const { m, out } = matcher();
    await readCapture([file], (...a) => m.packet(...a));
    m.flush();
    expect(out.map((o) => o.q.type)).toEqual([DnsQRType.UDP_QUERY_RESPONSE, DnsQRType.UDP_UNANSWERED_QUERY]);
  });
});
