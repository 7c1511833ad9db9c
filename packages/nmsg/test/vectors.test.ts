/** nmsgtool vectors: reading every container flavour, printing, JSON both ways, byte-exact writing. */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { readVector, readVectorText } from "../../../test/vectors.js";
import { isNmsgError, type NmsgPayload, NmsgWriter, payloadFromJson, payloadToJson, payloadToPres, readPayloads } from "../src/index.js";

async function payloadsOf(rel: string, chunk = 65536): Promise<NmsgPayload[]> {
  const b = readVector(rel);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
  const out: NmsgPayload[] = [];
  for await (const p of readPayloads(Readable.from(parts))) out.push(p);
  return out;
}

async function write(ps: NmsgPayload[], opts: ConstructorParameters<typeof NmsgWriter>[1]): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  const w = new NmsgWriter((c) => void chunks.push(c), opts);
  for (const p of ps) await w.write(p);
  await w.close();
  return Buffer.concat(chunks);
}

const DNSQR = [
  "dnsqr.nmsg",
  "dnsqr.zlib.nmsg",
  "dnsqr.unbuffered.nmsg",
  "dnsqr.unbuffered.zlib.nmsg",
  "dnsqr.bufsz4096.nmsg",
  "dnsqr.bufsz512.nmsg",
];
const DEDUPE = ["dedupe.nmsg", "dedupe.zlib.nmsg", "dedupe.unbuffered.nmsg"];

describe("reading and printing", () => {
  const pres = readVectorText("nmsg/dnsqr.pres.txt");
  const json = readVectorText("nmsg/dnsqr.json");
  for (const f of DNSQR) {
    it(`nmsg/${f}: presentation and JSON identical to nmsgtool`, async () => {
      const ps = await payloadsOf(`nmsg/${f}`, 777);
      expect(ps.map(payloadToPres).join("")).toBe(pres);
      expect(ps.map((p) => `${payloadToJson(p)}\n`).join("")).toBe(json);
    });
  }
  for (const f of DEDUPE) {
    it(`dedupe/${f}: presentation and JSON identical to nmsgtool`, async () => {
      const ps = await payloadsOf(`dedupe/${f}`);
      expect(ps.map(payloadToPres).join("")).toBe(readVectorText("dedupe/dedupe.pres.txt"));
      expect(ps.map((p) => `${payloadToJson(p)}\n`).join("")).toBe(readVectorText("dedupe/dedupe.json"));
    });
  }
  it("source header fields", async () => {
    const ps = await payloadsOf("nmsg/dnsqr.first10.source.nmsg");
    expect(ps.map(payloadToPres).join("")).toBe(readVectorText("nmsg/dnsqr.first10.source.pres.txt"));
    expect(ps.map((p) => `${payloadToJson(p)}\n`).join("")).toBe(readVectorText("nmsg/dnsqr.first10.source.json"));
  });
});

describe("writing like libnmsg", () => {
  it("file output (1 MiB buffer) and --unbuffered reproduce nmsgtool's bytes", async () => {
    const ps = await payloadsOf("nmsg/dnsqr.nmsg");
    expect(Buffer.compare(await write(ps, {}), Buffer.from(readVector("nmsg/dnsqr.nmsg")))).toBe(0);
    expect(Buffer.compare(await write(ps, { unbuffered: true }), Buffer.from(readVector("nmsg/dnsqr.unbuffered.nmsg")))).toBe(0);
    expect(Buffer.compare(await write(ps, { bufsz: 4096 }), Buffer.from(readVector("nmsg/dnsqr.bufsz4096.nmsg")))).toBe(0);
  });
  it("512-byte buffers fragment like libnmsg (same container layout; fragment ids are random)", async () => {
    const ps = await payloadsOf("nmsg/dnsqr.nmsg");
    const ours = await write(ps, { bufsz: 512 });
    const layout = (b: Uint8Array): string => {
      const flags: number[] = [];
      for (let o = 0; o < b.length; o += 10 + new DataView(b.buffer, b.byteOffset + o + 6, 4).getUint32(0)) flags.push(b[o + 4] as number);
      return `${flags.length} containers, ${flags.filter((f) => f === 2).length} fragments`;
    };
    expect(layout(ours)).toBe(layout(readVector("nmsg/dnsqr.bufsz512.nmsg")));
    const back: NmsgPayload[] = [];
    for await (const p of readPayloads(Readable.from([ours]))) back.push(p);
    expect(back).toEqual(ps);
  });
  it("JSON input re-encodes to identical files (dnsqr and dedupe)", async () => {
    for (const [j, n] of [
      ["nmsg/dnsqr.json", "nmsg/dnsqr.nmsg"],
      ["dedupe/dedupe.input.json", "dedupe/dedupe.nmsg"],
      ["dedupe/dedupe.part1.input.json", "dedupe/dedupe.part1.nmsg"],
    ] as const) {
      const ps = readVectorText(j)
        .split("\n")
        .filter((l) => l)
        .map((l) => payloadFromJson(l));
      expect(Buffer.compare(await write(ps, {}), Buffer.from(readVector(n)))).toBe(0);
    }
  });
});

describe("zlib containers byte-identical to nmsgtool's", () => {
  for (const [f, opts] of [
    ["nmsg/dnsqr.zlib.nmsg", { zlib: true }],
    ["nmsg/dnsqr.unbuffered.zlib.nmsg", { zlib: true, unbuffered: true }],
    ["dedupe/dedupe.zlib.nmsg", { zlib: true }],
  ] as const) {
    it(`rewriting ${f} gives the same bytes (system zlib 1.2.13 output)`, async () => {
      const ours = await write(await payloadsOf(f), opts);
      expect(Buffer.compare(ours, Buffer.from(readVector(f)))).toBe(0);
    });
  }
  it('zlibEngine "native" (Node\'s zlib) writes other bytes that read back to the same payloads', async () => {
    const ps = await payloadsOf("nmsg/dnsqr.zlib.nmsg");
    const ours = await write(ps, { zlib: true, zlibEngine: "native" });
    expect(Buffer.compare(ours, Buffer.from(readVector("nmsg/dnsqr.zlib.nmsg")))).not.toBe(0);
    const back: NmsgPayload[] = [];
    for await (const p of readPayloads(Readable.from([ours]))) back.push(p);
    expect(back).toEqual(ps);
  });
});

describe("base/dns and base/ipconn modules", () => {
  it("encode from JSON, print, and round trip", async () => {
    const line =
      '{"time":"2026-01-02 03:04:05.000000006","vname":"base","mname":"dns","message":{"qname":"example.test.","qclass":"IN","qtype":"MX","section":1,"rrname":"example.test.","rrclass":"IN","rrtype":"MX","rrttl":300,"rdata":["10 mail.example.test."]}}';
    const p = payloadFromJson(line);
    expect(p.vid).toBe(1);
    expect(p.msgtype).toBe(7);
    expect(payloadToJson(p)).toBe(line);
    expect(payloadToPres(p)).toContain("rdata: 10 mail.example.test.\n");
    const ip = payloadFromJson(
      '{"time":"2026-01-02 03:04:05.000000000","vname":"base","mname":"ipconn","message":{"proto":6,"srcip":"192.0.2.1","srcport":1234,"dstip":"2001:db8::1","dstport":53}}',
    );
    expect(payloadToPres(ip)).toContain("dstip: 2001:db8::1\n");
  });
  it("refuses integers outside their field's type (libnmsg's range checks) instead of wrapping them", () => {
    const line = (msg: string): string => `{"time":"2026-01-02 03:04:05.000000000","vname":"base","mname":"ipconn","message":${msg}}`;
    // ports are uint16 fields in libnmsg's ipconn module
    expect(payloadFromJson(line('{"proto":6,"srcport":65535}')).payload.length).toBeGreaterThan(0);
    expect(() => payloadFromJson(line('{"proto":6,"srcport":65536}'))).toThrow(/srcport: 65536 is out of range for uint16/);
    expect(() => payloadFromJson(line('{"proto":6,"srcport":-1}'))).toThrow(/srcport/);
    expect(() => payloadFromJson(line('{"proto":6,"srcport":1.5}'))).toThrow(/srcport/);
    const dd = (msg: string): string => `{"time":"2026-01-02 03:04:05.000000000","vname":"SIE","mname":"dnsdedupe","message":${msg}}`;
    expect(payloadFromJson(dd('{"count":4294967295}')).payload.length).toBeGreaterThan(0);
    expect(() => payloadFromJson(dd('{"count":4294967296}'))).toThrow(/count: 4294967296 is out of range for uint32/);
    const qr = (proto: string): string =>
      `{"time":"2026-01-02 03:04:05.000000000","vname":"base","mname":"dnsqr","message":{"type":"UDP_QUERY_RESPONSE","query_ip":"192.0.2.1","response_ip":"192.0.2.2","proto":"${proto}","query_port":1,"response_port":53,"id":1}}`;
    expect(payloadFromJson(qr("UDP")).payload.length).toBeGreaterThan(0);
    expect(() => payloadFromJson(qr("70000"))).toThrow(/proto: 70000 is out of range for uint16/);
  });
  it("a name or rdata text that does not parse is an NmsgError naming the field, as every bad field is", () => {
    const dd = (msg: string): string => `{"time":"2026-01-02 03:04:05.000000000","vname":"SIE","mname":"dnsdedupe","message":${msg}}`;
    for (const [msg, field] of [
      ['{"rrclass":"IN","rrtype":"A","rdata":["x"]}', "rdata"],
      ['{"rrname":"bad..name."}', "rrname"],
    ] as const) {
      let err: unknown;
      try {
        payloadFromJson(dd(msg));
      } catch (e) {
        err = e;
      }
      expect(isNmsgError(err) && err.code).toBe("ERR_PARSE_ERROR");
      expect((err as Error).message).toMatch(new RegExp(`^${field}: `));
    }
  });
});

describe("payload header fields in JSON input", () => {
  // the first line of nmsgtool's own -J output carrying a source (a1ba02cf)
  const first = readVectorText("nmsg/dnsqr.first10.source.json").split("\n")[0] as string;
  const withHeader = (fields: string): string => first.replace('"source":"a1ba02cf",', fields);
  it("reads what nmsgtool -J prints, and what libnmsg also takes (a JSON integer, 0x)", () => {
    expect(payloadFromJson(first).source).toBe(0xa1ba02cf);
    expect(payloadToJson(payloadFromJson(first))).toBe(first);
    const p = payloadFromJson(withHeader('"source":5,"operator":4294967295,"group":7,'));
    expect([p.source, p.operator, p.group]).toEqual([5, 0xffffffff, 7]);
    expect(payloadFromJson(withHeader('"source":"0xA1BA02CF",')).source).toBe(0xa1ba02cf);
    expect(payloadFromJson(withHeader('"source":"0000a1ba02cf",')).source).toBe(0xa1ba02cf);
  });
  it("refuses what libnmsg would not take or would wrap, instead of dropping or truncating it", () => {
    for (const [fields, msg] of [
      ['"source":"zzz",', /source: "zzz" is not a hex number/],
      ['"source":"",', /source: "" is not a hex number/],
      ['"source":"1ffffffffff",', /source: "1ffffffffff" is out of range for uint32/],
      ['"source":4294967296,', /source: 4294967296 is out of range for uint32/],
      ['"source":null,', /source: expected a hex string or an integer/],
      ['"operator":1099511627776,', /operator: 1099511627776 is out of range for uint32/],
      ['"operator":-3,', /operator: -3 is out of range for uint32/],
      ['"operator":1.5,', /operator: 1.5 is out of range/],
      ['"operator":true,', /operator: expected an integer/],
      ['"group":"sie",', /group: unknown alias "sie"/],
      ['"group":[1],', /group: expected an integer/],
    ] as const) {
      expect(() => payloadFromJson(withHeader(fields)), fields).toThrow(msg);
    }
  });
  it("a header field given as zero is present, as libnmsg keeps it (has_source): written, and printed back", async () => {
    const line = withHeader('"source":"00000000","operator":0,');
    const p = payloadFromJson(line);
    expect([p.source, p.operator, p.group]).toEqual([0, 0, undefined]);
    expect(payloadToJson(p)).toBe(line);
    expect(payloadToPres(p).split("\n")[0]).toMatch(/ \[00000000\] \[0\] \[\] $/);
    const parts: Uint8Array[] = [];
    const w = new NmsgWriter((c) => void parts.push(c));
    await w.write(p);
    await w.close();
    const back: NmsgPayload[] = [];
    for await (const q of readPayloads(Readable.from(parts.map((c) => Buffer.from(c))))) back.push(q);
    expect([back[0]?.source, back[0]?.operator, back[0]?.group]).toEqual([0, 0, undefined]);
    // absent stays absent
    const none = payloadFromJson(withHeader(""));
    expect(payloadToJson(none)).not.toContain('"source"');
  });
});

describe("container-scan.txt", () => {
  const optsFor: Record<string, ConstructorParameters<typeof NmsgWriter>[1]> = {
    "dnsqr.nmsg": {},
    "dnsqr.zlib.nmsg": { zlib: true },
    "dnsqr.unbuffered.nmsg": { unbuffered: true },
    "dnsqr.unbuffered.zlib.nmsg": { unbuffered: true, zlib: true },
    "dnsqr.bufsz4096.nmsg": { bufsz: 4096 },
    "dnsqr.bufsz512.nmsg": { bufsz: 512 },
  };
  const scan = (b: Uint8Array): { n: number; hist: Map<number, number>; first: number } => {
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const hist = new Map<number, number>();
    let n = 0;
    let first = -1;
    for (let o = 0; o < b.length; ) {
      const flags = b[o + 4] as number; // byte 4 is the flags, byte 5 the version
      const len = dv.getUint32(o + 6);
      if (first < 0) first = len;
      hist.set(flags, (hist.get(flags) ?? 0) + 1);
      n++;
      o += 10 + len;
    }
    return { n, hist, first };
  };
  const lines = readVectorText("nmsg/container-scan.txt")
    .split("\n")
    .filter((l) => l);
  for (const line of lines) {
    const m = /^(\S+): (\d+) containers, version byte\(s\) \[2\], flags histogram \{([^}]*)\}, first container length (\d+)$/.exec(line);
    const name = m?.[1] ?? "";
    const opts = optsFor[name];
    if (!m || !opts) continue;
    it(`our writer reproduces the container layout of ${name}`, async () => {
      const ours = scan(await write(await payloadsOf("nmsg/dnsqr.nmsg"), opts));
      expect(ours.n).toBe(Number(m[2]));
      const want = new Map((m[3] as string).split(", ").map((kv) => kv.split(": ").map(Number) as [number, number]));
      expect(ours.hist).toEqual(want);
      // zlib containers too: the default engine deflates as libnmsg's zlib does
      expect(ours.first).toBe(Number(m[4]));
    });
  }
});
