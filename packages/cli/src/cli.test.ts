import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { decodeMessage, encodeMessage, getModule, type Msg, type NmsgPayload, readPayloads } from "@dnsrep/nmsg";
import { Command } from "commander";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CliError,
  configureProgram,
  memoryIo,
  OutputWriter,
  openNmsgOutputs,
  Progress,
  parseAddrPort,
  parseIntOption,
  parseOption,
  parseSockSpec,
  runCommand,
  SocketInputStats,
  UsageError,
} from "./index.js";

describe("runCommand", () => {
  it("returns the command's status", async () => {
    const io = memoryIo();
    expect(await runCommand("t", async () => 0, [], io)).toBe(0);
    expect(io.err()).toBe("");
  });
  it("maps UsageError to 2 and CliError to its code with one line on stderr", async () => {
    let io = memoryIo();
    expect(
      await runCommand(
        "t",
        async () => {
          throw new UsageError("bad flag");
        },
        [],
        io,
      ),
    ).toBe(2);
    expect(io.err()).toBe("t: bad flag\n");
    io = memoryIo();
    expect(
      await runCommand(
        "t",
        async () => {
          throw new CliError("corrupt file\nsecond line");
        },
        [],
        io,
      ),
    ).toBe(1);
    expect(io.err()).toBe("t: corrupt file\n");
  });
  it("maps unknown errors to 1 without a stack trace", async () => {
    const io = memoryIo();
    expect(
      await runCommand(
        "t",
        async () => {
          throw new RangeError("offset out of range");
        },
        [],
        io,
      ),
    ).toBe(1);
    expect(io.err()).toBe("t: offset out of range\n");
  });
  it("treats EPIPE as a normal end", async () => {
    const io = memoryIo();
    const epipe = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
    expect(
      await runCommand(
        "t",
        async () => {
          throw epipe;
        },
        [],
        io,
      ),
    ).toBe(0);
  });
  it("commander usage errors exit 2, --help exits 0", async () => {
    const run = async (argv: string[], io: ReturnType<typeof memoryIo>): Promise<number> => {
      const p = configureProgram(new Command("t"), io).option("-x, --ex <n>", "a number");
      p.parse(argv, { from: "user" });
      return 0;
    };
    let io = memoryIo();
    expect(await runCommand("t", (a) => run(a, io), ["--nope"], io)).toBe(2);
    expect(io.err()).toBe("t: unknown option '--nope'\n");
    io = memoryIo();
    expect(await runCommand("t", (a) => run(a, io), ["-x"], io)).toBe(2);
    expect(io.err()).toBe("t: option '-x, --ex <n>' argument missing\n");
    io = memoryIo();
    expect(await runCommand("t", (a) => run(a, io), ["--help"], io)).toBe(0);
    expect(io.out()).toMatch(/Usage: t/);
  });
});

describe("Progress", () => {
  it("draws a tick that came too soon once the interval is over, so a stalled run shows its last count", async () => {
    const io = { ...memoryIo(), stderrIsTTY: true };
    const p = new Progress(io, { intervalMs: 20 });
    let n = 1;
    p.tick(() => `n=${n}`);
    n = 2;
    p.tick(() => `n=${n}`);
    n = 3;
    p.tick(() => `n=${n}`);
    expect(io.err()).toBe("\r\x1b[Kn=1");
    await new Promise((r) => setTimeout(r, 60));
    expect(io.err()).toBe("\r\x1b[Kn=1\r\x1b[Kn=3");
    p.tick(() => "drawn"); // the interval is over: drawn now
    p.tick(() => "pending"); // too soon: waits, and done() drops it
    p.done();
    await new Promise((r) => setTimeout(r, 40));
    expect(io.err()).toBe("\r\x1b[Kn=1\r\x1b[Kn=3\r\x1b[Kdrawn\r\x1b[K");
  });
  it("draws nothing without a TTY or with quiet", () => {
    for (const io of [memoryIo(), { ...memoryIo(), stderrIsTTY: true }]) {
      const p = new Progress(io, { quiet: io.stderrIsTTY });
      p.tick(() => "x");
      p.done();
      expect(io.err()).toBe("");
    }
  });
});

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

describe("parseIntOption", () => {
  it("accepts integers in range and rejects the rest with UsageError", () => {
    expect(parseIntOption("-c", "10")).toBe(10);
    expect(() => parseIntOption("-c", "ten")).toThrow(UsageError);
    expect(() => parseIntOption("-c", "5", 10, 20)).toThrow(/between 10 and 20/);
  });
});

describe("parseOption", () => {
  it("returns the parsed value and turns the parser's error into a UsageError naming the flag", () => {
    expect(parseOption("-x", "7", Number)).toBe(7);
    expect(() =>
      parseOption("-c", "brotli", (t) => {
        throw new Error(`unknown compression algorithm: ${t}`);
      }),
    ).toThrow(new UsageError("-c: unknown compression algorithm: brotli"));
  });
});

describe("OutputWriter", () => {
  it("waits for drain when the stream pushes back and keeps order", async () => {
    const chunks: string[] = [];
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk.toString());
        setTimeout(cb, 1);
      },
    });
    const w = new OutputWriter(slow);
    for (let i = 0; i < 5; i++) {
      await w.bytes(new TextEncoder().encode(`b${i};`));
      w.text(`t${i};`);
    }
    await w.end();
    expect(chunks.join("")).toBe("b0;t0;b1;t1;b2;t2;b3;t3;b4;t4;");
  });
  it("shares one drain wait among the writes made while the stream pushes back", async () => {
    const slow = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        setTimeout(cb, 1);
      },
    });
    const w = new OutputWriter(slow);
    const waits = new Set<Promise<void> | undefined>();
    for (let i = 0; i < 50; i++) waits.add(w.bytes(new Uint8Array([i])));
    waits.delete(undefined);
    expect(waits.size).toBe(1);
    expect(slow.listenerCount("drain")).toBe(1);
    await w.end();
    expect(slow.listenerCount("drain")).toBe(0);
  });
  it("stops writing after the stream failed (EPIPE)", async () => {
    const broken = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
      },
    });
    const w = new OutputWriter(broken);
    await w.bytes(new Uint8Array([1]));
    await new Promise((r) => setTimeout(r, 5));
    expect(w.closed).toBe(true);
    expect(w.bytes(new Uint8Array([2]))).toBeUndefined();
    await w.end(); // the reader going away is a normal end
  });
  it("ends with the stream's error when it failed other than by EPIPE (a full disk)", async () => {
    const full = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" }));
      },
    });
    const w = new OutputWriter(full, "out.json");
    w.text("x");
    await expect(w.end()).rejects.toThrow(/^out\.json: ENOSPC: no space left on device, write$/);
    const stdout = new OutputWriter(
      new Writable({
        write(_c, _e, cb) {
          cb(Object.assign(new Error("EIO: i/o error, write"), { code: "EIO", syscall: "write" }));
        },
      }),
    );
    await stdout.bytes(new Uint8Array([1]));
    await expect(stdout.end()).rejects.toThrow(/^stdout: EIO/);
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
