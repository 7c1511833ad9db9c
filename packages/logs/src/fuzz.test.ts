/**
 * Every parser against random and bit-flipped input: never a throw, lines counted, and whatever it
 * returns is in normal form (a name normalizeName keeps, a value normalizeValue keeps, a finite time).
 */
import { encodeDnstap, encodeFrameStream, MessageType, readFrameStream } from "@dnsrep/dnstap";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DnstapParser } from "./dnstap.js";
import { createParser, formatInfo, formatNames } from "./formats.js";
import { normalizeName, normalizeValue } from "./normalize.js";
import type { Association } from "./observation.js";

const SAMPLES: Record<string, { opts?: Record<string, string>; lines: string[] }> = {
  dnsmasq: {
    lines: [
      "Nov 22 11:07:55 dnsmasq[30519]: 1 127.0.0.1/56938 query[PTR] 80.2.0.192.in-addr.arpa from 127.0.0.1",
      "Nov 22 11:07:55 dnsmasq[30519]: 1 127.0.0.1/56938 reply 192.0.2.80 is www.example.test",
      "Nov 22 11:07:56 dnsmasq[30519]: 4 127.0.0.1/55507 reply ftp.example.test is <CNAME>",
      "Nov 22 11:07:56 dnsmasq[30519]: 4 127.0.0.1/55507 reply www.example.test is 2001:db8::80",
    ],
  },
  squid: {
    lines: ["1795345686.775      4 127.0.0.1 TCP_MISS/200 405 GET http://www.web.test/ - HIER_DIRECT/127.0.0.21 text/html"],
  },
  nginx: {
    opts: { logFormat: '$msec $remote_addr $server_addr "$host" "$request"' },
    lines: ['1795345686.774 127.0.0.1 ::1 "www.web.test" "GET / HTTP/1.1"'],
  },
  apache: {
    opts: { logFormat: '%V %A %t "%r"' },
    lines: ['www.example.test 192.0.2.80 [22/Nov/2026:11:08:06 +0000] "GET / HTTP/1.1"'],
  },
  kresd: {
    lines: ["2026-11-22T11:07:50.623798+0000 [resolv][65536.02]   => id: '30873' querying: 'ns.test.'@'127.0.0.10#00053' zone cut: '.'"],
  },
  unbound: { lines: ["Nov 22 11:07:53 unbound[30501:0] info: 127.0.0.1 example.test. A IN NOERROR 0.001346 0 57"] },
  "bind-querylog": {
    lines: ["22-Nov-2026 11:08:02.277 client @0x7f79ee4fd098 127.0.0.2#45566 (a.test): query: a.test IN A +E(0)K (127.0.0.2)"],
  },
};

function checkAssociation(a: Association): void {
  expect(normalizeName(a.rrname)).toBe(a.rrname);
  if (["A", "AAAA", "CNAME", "PTR", "NS", "TXT", "MX"].includes(a.rrtype)) expect(normalizeValue(a.rrtype, a.rdata)).toBe(a.rdata);
  if (a.time !== null) expect(Number.isFinite(a.time)).toBe(true);
}

function flip(line: string, bits: number[]): string {
  const b = new TextEncoder().encode(line);
  for (const i of bits) b[(i >> 3) % b.length] = (b[(i >> 3) % b.length] as number) ^ (1 << (i & 7));
  return new TextDecoder().decode(b);
}

const lineFormats = formatNames().filter((n) => !formatInfo(n)?.binary);

describe("every line parser survives random and bit-flipped lines", () => {
  it("has samples for every line format", () => {
    for (const n of lineFormats)
      if (!["zeek", "zeek-json", "suricata", "passivedns", "cuckoo", "cof", "dnsdb", "regex"].includes(n))
        expect(SAMPLES[n], n).toBeDefined();
  });

  for (const name of Object.keys(SAMPLES)) {
    const s = SAMPLES[name] as (typeof SAMPLES)[string];
    it(`${name}: samples parse without rejections`, () => {
      const p = createParser(name, s.opts ?? {});
      for (const l of s.lines) for (const a of p.line(l)) checkAssociation(a);
      expect(p.rejected.size).toBe(0);
    });

    it(`${name}: random lines`, () => {
      const p = createParser(name, s.opts ?? {});
      let n = 0;
      fc.assert(
        fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.string({ maxLength: 300 })), (line) => {
          for (const a of p.line(line)) checkAssociation(a);
          n++;
          expect(p.lines).toBe(n);
        }),
        { numRuns: 500 },
      );
      for (const a of p.end()) checkAssociation(a);
    });

    it(`${name}: bit-flipped and cut sample lines`, () => {
      const p = createParser(name, s.opts ?? {});
      fc.assert(
        fc.property(fc.constantFrom(...s.lines), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.nat(), (line, bits, cut) => {
          for (const a of p.line(flip(line, bits))) checkAssociation(a);
          for (const a of p.line(line.slice(0, cut % (line.length + 1)))) checkAssociation(a);
        }),
        { numRuns: 1000 },
      );
    });
  }

  it("a 1 MB line, NUL bytes and invalid UTF-8 are rejected by reason", () => {
    for (const name of Object.keys(SAMPLES)) {
      const s = SAMPLES[name] as (typeof SAMPLES)[string];
      const p = createParser(name, s.opts ?? {});
      p.line("x".repeat(1 << 20));
      p.line(`${s.lines[0]}\u0000`);
      expect(p.rejected.get("line too long"), name).toBe(1);
      expect(p.rejected.get("NUL byte"), name).toBe(1);
      p.line("\uFFFD\uFFFD garbage");
      expect(p.rejected.get("invalid UTF-8"), name).toBe(1);
    }
  });
});

/** A DNS response: example.test A 192.0.2.1 (answer), with an optional CNAME first. */
function response(): Uint8Array {
  const q = [7, ...Buffer.from("example"), 4, ...Buffer.from("test"), 0];
  return new Uint8Array([
    0x12,
    0x34,
    0x81,
    0x80,
    0,
    1,
    0,
    2,
    0,
    0,
    0,
    0,
    ...q,
    0,
    1,
    0,
    1,
    0xc0,
    12,
    0,
    5,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    6,
    3,
    ...Buffer.from("WWW"),
    0xc0,
    12,
    0xc0,
    12,
    0,
    1,
    0,
    1,
    0,
    0,
    0,
    60,
    0,
    4,
    192,
    0,
    2,
    1,
  ]);
}

describe("DnstapParser", () => {
  const frame = (type: number, rm: Uint8Array | undefined = response()): Uint8Array =>
    encodeDnstap({
      type: 1,
      message: {
        type,
        response_time_sec: 1795345673,
        response_time_nsec: 816280000,
        ...(rm ? { response_message: rm } : {}),
      },
    });

  it("answers of CLIENT_RESPONSE and RESOLVER_RESPONSE, names lower case without the dot", async () => {
    const p = new DnstapParser({});
    const out: Association[] = [];
    const file = encodeFrameStream([
      frame(MessageType.CLIENT_RESPONSE),
      frame(MessageType.RESOLVER_RESPONSE),
      frame(MessageType.AUTH_RESPONSE),
      frame(MessageType.CLIENT_QUERY),
    ]);
    await readFrameStream([file], (f) => out.push(...p.frame(f)));
    const t = 1795345673.81628;
    const one = [
      { rrname: "example.test", rrtype: "CNAME", rdata: "www.example.test", time: t },
      { rrname: "example.test", rrtype: "A", rdata: "192.0.2.1", time: t },
    ];
    expect(out.map((a) => ({ ...a, time: Math.round((a.time as number) * 1e6) / 1e6 }))).toEqual([...one, ...one]);
    expect(p.lines).toBe(4);
    expect(p.rejected.size).toBe(0);
  });

  it("bit-flipped frames and DNS messages never throw; problems are counted", () => {
    const p = new DnstapParser({});
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.boolean(), (bits, inner) => {
        const f = inner ? frame(MessageType.CLIENT_RESPONSE, flipBytes(response(), bits)) : flipBytes(frame(6), bits);
        for (const a of p.frame(f)) {
          expect(typeof a.rrname).toBe("string");
          expect(Number.isFinite(a.time as number)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    expect(p.line("text")).toEqual([]);
    expect(p.rejected.get("not a dnstap frame")).toBe(1);
  });
});

function flipBytes(b: Uint8Array, bits: number[]): Uint8Array {
  const c = b.slice();
  for (const i of bits) c[(i >> 3) % c.length] = (c[(i >> 3) % c.length] as number) ^ (1 << (i & 7));
  return c;
}
