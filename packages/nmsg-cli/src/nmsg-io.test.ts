import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { memoryIo, UsageError } from "@dnsrep/cli";
import { decodeMessage, encodeMessage, getModule, type Msg, type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { openNmsgOutputs, parseAddrPort, parseSockSpec, SocketInputStats } from "./index.js";

describe("parseAddrPort", () => {
  it("takes literal IPv4 and IPv6 addresses (IPv6 brackets tolerated), nothing to look up", () => {
    expect(parseAddrPort("-s", "127.0.0.1/5555")).toEqual(["127.0.0.1", 5555]);
    expect(parseAddrPort("-s", "::1/53")).toEqual(["::1", 53]);
    expect(parseAddrPort("-s", "[::1]/53")).toEqual(["::1", 53]);
    for (const bad of ["999.1.1.1/53", "1.2.3/53", "localhost/53", "[1.2.3.4]x/53"])
      expect(() => parseAddrPort("-s", bad)).toThrow(/^-s: not an IP address: /);
    for (const bad of ["127.0.0.1/0", "127.0.0.1/65536", "127.0.0.1", "/53"]) expect(() => parseAddrPort("-l", bad)).toThrow(UsageError);
  });
});

describe("openNmsgOutputs", () => {
  it("writeMessage encodes into nmsg files and text outputs alike, with the stamps", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-out-"));
    try {
      const mod = getModule(2, 1)!;
      const msgs: Msg[] = [];
      for (let i = 0; i < 300; i++) {
        msgs.push({
          type: 0,
          count: i + 1,
          rrname: Uint8Array.of(1, 97 + (i % 26), 0),
          rrtype: 1,
          rrclass: 1,
          rdata: [Uint8Array.of(10, 0, i >> 8, i & 255)],
          time_first: 1700000000 + i,
        });
      }
      const nmsg = join(dir, "out.nmsg");
      const json = join(dir, "out.json");
      const io = memoryIo();
      const out = await openNmsgOutputs({ writenmsg: nmsg, writejson: json, setsource: "0x1234" }, io, "nmsg");
      for (const [i, m] of msgs.entries()) await out.writeMessage({ vid: 2, msgtype: 1, timeSec: 1700000000 + i, timeNsec: 5 }, mod, m);
      await out.close();
      const got: NmsgPayload[] = [];
      for await (const p of readPayloads(Readable.from([readFileSync(nmsg)]))) got.push(p);
      expect(got.length).toBe(msgs.length);
      for (const [i, p] of got.entries()) {
        expect(p.source).toBe(0x1234);
        expect(p.timeSec).toBe(1700000000 + i);
        expect(p.payload).toEqual(encodeMessage(mod, msgs[i]!));
        expect(decodeMessage(mod, p.payload)).toMatchObject({ count: i + 1 });
      }
      const lines = readFileSync(json, "utf8").trim().split("\n");
      expect(lines.length).toBe(msgs.length);
      expect(JSON.parse(lines[7]!)).toMatchObject({ source: "00001234", message: { count: 8 } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("writes through a symlink (the link stays), refuses a directory without leaving a temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-link-"));
    try {
      symlinkSync("real.json", join(dir, "link.json"));
      const out = await openNmsgOutputs({ writejson: join(dir, "link.json") }, memoryIo(), "nmsg");
      await out.writeMessage({ vid: 2, msgtype: 1, timeSec: 1700000000, timeNsec: 0 }, getModule(2, 1)!, { type: 0, count: 1 });
      await out.close();
      expect(lstatSync(join(dir, "link.json")).isSymbolicLink()).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, "real.json"), "utf8"))).toMatchObject({ message: { count: 1 } });
      mkdirSync(join(dir, "sub"));
      await expect(openNmsgOutputs({ writenmsg: join(dir, "sub") }, memoryIo(), "nmsg")).rejects.toThrow(/is a directory/);
      expect(readdirSync(dir).sort()).toEqual(["link.json", "real.json", "sub"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("parseSockSpec (nmsgtool's -s ADDR/PORT[,RATE[,FREQ]])", () => {
  it("takes a rate and a scheduling frequency (default 10, nmsgtool's DEFAULT_FREQ)", () => {
    expect(parseSockSpec("-s", "127.0.0.1/8430")).toEqual({ addr: "127.0.0.1", port: 8430, freq: 10 });
    expect(parseSockSpec("-s", "127.0.0.1/8430,1000")).toEqual({ addr: "127.0.0.1", port: 8430, rate: 1000, freq: 10 });
    expect(parseSockSpec("-s", "127.0.0.1/8430,1000,100")).toEqual({ addr: "127.0.0.1", port: 8430, rate: 1000, freq: 100 });
    expect(parseSockSpec("--writetcp", "[::1]/8430,1")).toEqual({ addr: "::1", port: 8430, rate: 1, freq: 10 });
    expect(parseSockSpec("-s", "192.0.2.1/1,4294967295,4294967295")).toMatchObject({ rate: 4294967295, freq: 4294967295 });
  });
  it("bad forms are one-line usage errors naming the part", () => {
    const cases: [string, RegExp][] = [
      ["127.0.0.1/8430,", /^-s RATE: not an integer: ""$/],
      ["127.0.0.1/8430,0", /^-s RATE: must be between 1 and 4294967295$/],
      ["127.0.0.1/8430,-5", /^-s RATE: must be between 1 and 4294967295$/],
      ["127.0.0.1/8430,1e3", /^-s RATE: not an integer/],
      ["127.0.0.1/8430,0x10", /^-s RATE: not an integer/],
      ["127.0.0.1/8430,4294967296", /^-s RATE: must be between/],
      ["127.0.0.1/8430,100,", /^-s FREQ: not an integer: ""$/],
      ["127.0.0.1/8430,100,0", /^-s FREQ: must be between 1 and/],
      ["127.0.0.1/8430,100,x", /^-s FREQ: not an integer/],
      ["127.0.0.1/8430,100,10,1", /^-s: expected ADDR\/PORT\[,RATE\[,FREQ\]\], got /],
      ["127.0.0.1,100/8430", /^-s: expected ADDR\/PORT\[,RATE\[,FREQ\]\], got 127\.0\.0\.1,100\/8430$/],
      ["127.0.0.1/0,100", /^-s: must be between 1 and 65535$/],
      ["127.0.0.1,100", /^-s: expected ADDR\/PORT\[,RATE\[,FREQ\]\], got 127\.0\.0\.1,100$/],
    ];
    for (const [spec, msg] of cases) {
      let err: unknown;
      try {
        parseSockSpec("-s", spec);
      } catch (e) {
        err = e;
      }
      expect(err, spec).toBeInstanceOf(UsageError);
      expect((err as Error).message, spec).toMatch(msg);
      expect((err as Error).message).not.toContain("\n");
    }
  });
  it("property: any text parses or is a UsageError, never anything else", () => {
    const part = fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom("", "0", "-1", "1e3", "127.0.0.1/53", "::1/53"));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.join(",");
        try {
          const s = parseSockSpec("-s", text);
          expect(s.port).toBeGreaterThanOrEqual(1);
          if (s.rate !== undefined) expect(s.rate).toBeGreaterThanOrEqual(1);
          expect(s.freq).toBeGreaterThanOrEqual(1);
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});

describe("SocketInputStats", () => {
  it("shows no counters until a socket input is opened, then nmsgtool's totals and a line per sender that lost", () => {
    const s = new SocketInputStats();
    expect(s.counters()).toBe("");
    s.used = true;
    for (const q of [0, 1, 4]) s.sequences.container("127.0.0.1/5000", q, 0xabcn);
    for (const q of [0, 1]) s.sequences.container("127.0.0.1/5001", q, 1n);
    expect(s.counters()).toBe("container_recvs=5 container_drops=2");
    expect(s.lossLines()).toEqual(["127.0.0.1/5000 (sequence id 0000000000000abc): 2 containers lost, 3 received"]);
    s.sequences.container("127.0.0.1/5000", 3, 0xabcn); // behind: a restart
    expect(s.lossLines()).toEqual([
      "127.0.0.1/5000 (sequence id 0000000000000abc): 2 containers lost, 4 received, 1 restart (reordered, duplicated or jumped)",
    ]);
    const io = memoryIo();
    s.reportListening("t", io.stderr);
    s.onListening?.("127.0.0.1/5000", 425984);
    expect(io.err()).toBe("t: -l 127.0.0.1/5000: receive buffer 425984 bytes (asked 16777216; net.core.rmem_max caps it)\n");
  });
});
