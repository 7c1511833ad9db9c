/** nmsg-tool against nmsgtool's vectors (cases.jsonl), UDP loopback round trip, and bad input. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { type NmsgPayload, NmsgWriter, payloadToPres, readPayloads } from "@dnsrep/nmsg";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, readVectorText, vectorCases, vectorsDir } from "../../../test/vectors.js";
import { run } from "../src/nmsg-tool.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-tool-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tool(argv: string[], stdin: Uint8Array | string = ""): Promise<{ rc: number; out: Buffer; err: string }> {
  const prev = process.cwd();
  process.chdir(vectorsDir);
  try {
    const io = memoryIo(stdin);
    const rc = await runCommand("nmsg-tool", run, argv, io);
    return { rc, out: Buffer.from(io.outBytes()), err: io.err() };
  } finally {
    process.chdir(prev);
  }
}

describe("nmsgtool vectors", () => {
  // every single-command nmsgtool case that reads nmsg/JSON and prints or writes
  const cases = vectorCases().filter((c) => /^nmsgtool (-r|-j) /.test(c.cmd) && !c.cmd.includes("|") && !c.cmd.includes("&&"));
  it("has cases", () => expect(cases.length).toBeGreaterThan(15));
  for (const c of cases) {
    it(c.cmd, async () => {
      const argv = c.cmd.replace(/^nmsgtool /, "").split(/\s+/);
      const w = argv.indexOf("-w");
      let expectFile: string | undefined;
      if (w >= 0) {
        expectFile = argv[w + 1];
        argv[w + 1] = join(dir, `out.${Math.random()}.nmsg`);
      }
      const r = await tool(argv);
      expect(r.err).toBe("");
      expect(r.rc).toBe(c.rc);
      if (c.stdout) expect(r.out.toString("utf8")).toBe(readVectorText(c.stdout));
      if (expectFile && w >= 0) {
        const ours = readFileSync(argv[w + 1] as string);
        // -z too: containers are deflated as the system zlib nmsgtool links does
        expect(Buffer.compare(ours, Buffer.from(readVector(expectFile)))).toBe(0);
      }
    });
  }
  it("presentation to a stream that keeps the chunks it is given (a PassThrough): every chunk intact", async () => {
    const prev = process.cwd();
    process.chdir(vectorsDir);
    try {
      const stdout = new PassThrough();
      const got: Buffer[] = [];
      // the reader keeps each chunk (not a copy): read at the end, each must still hold what was written into it
      stdout.on("data", (c: Buffer) => got.push(c));
      const rc = await runCommand("nmsg-tool", run, ["-r", "nmsg/dnsqr.nmsg"], { ...memoryIo(), stdout });
      expect(rc).toBe(0);
      expect(Buffer.concat(got).toString("utf8")).toBe(readVectorText("nmsg/dnsqr.pres.txt"));
    } finally {
      process.chdir(prev);
    }
  });
  it("JSON from stdin with -V/-T (dedupe.first3.via-stdin.json)", async () => {
    const three = (await tool(["-r", "dedupe/dedupe.nmsg", "-J", "-", "-c", "3"])).out;
    const r = await tool(["-j", "-", "-V", "SIE", "-T", "dnsdedupe", "-J", "-"], three);
    expect(r.out.toString()).toBe(readVectorText("dedupe/dedupe.first3.via-stdin.json"));
  });
});

describe("UDP loopback round trip", () => {
  it("-s → -l carries every payload unchanged", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const recv = tool(["-l", `127.0.0.1/${port}`, "-c", "560", "-t", "20", "-w", join(dir, "udp.nmsg")]);
    await new Promise((r) => setTimeout(r, 300));
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", "-s", `127.0.0.1/${port}`, "--unbuffered"]);
    expect(sent.rc).toBe(0);
    const got = await recv;
    expect(got.rc).toBe(0);
    const a: Uint8Array[] = [];
    for await (const p of readPayloads(Readable.from([readFileSync(join(dir, "udp.nmsg"))]))) a.push(p.payload);
    const b: Uint8Array[] = [];
    for await (const p of readPayloads(Readable.from([readVector("nmsg/dnsqr.nmsg")]))) b.push(p.payload);
    expect(a.length).toBe(b.length);
    expect(a.map((x) => Buffer.from(x).toString("hex")).sort()).toEqual(b.map((x) => Buffer.from(x).toString("hex")).sort());
  }, 30_000);
});

describe("UDP garbage", () => {
  it("a garbage datagram is reported with its peer and the listener keeps serving", async () => {
    const { createSocket } = await import("node:dgram");
    const port = 20000 + Math.floor(Math.random() * 20000);
    const recv = tool(["-l", `127.0.0.1/${port}`, "-c", "560", "-t", "20", "-w", join(dir, "udp-garbage.nmsg")]);
    await new Promise((r) => setTimeout(r, 300));
    const s = createSocket("udp4");
    await new Promise<void>((res, rej) => s.send(Buffer.from("NMSG\x00\x02garbage!!"), port, "127.0.0.1", (e) => (e ? rej(e) : res())));
    await new Promise<void>((res, rej) => s.send(Buffer.from("not nmsg at all"), port, "127.0.0.1", (e) => (e ? rej(e) : res())));
    s.close();
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", "-s", `127.0.0.1/${port}`, "--unbuffered"]);
    expect(sent.rc).toBe(0);
    const got = await recv;
    expect(got.rc).toBe(0);
    expect(got.err).toMatch(/bad datagram from 127\.0\.0\.1\/\d+/);
    let n = 0;
    for await (const _ of readPayloads(Readable.from([readFileSync(join(dir, "udp-garbage.nmsg"))]))) n++;
    expect(n).toBe(560);
  }, 30_000);
});

describe("stream transports", () => {
  async function roundTrip(readFlag: string, writeFlag: string, spec: string): Promise<void> {
    const out = join(dir, `stream.${Math.random()}.nmsg`);
    const recv = tool([readFlag, spec, "-c", "560", "-t", "20", "-w", out]);
    await new Promise((r) => setTimeout(r, 300));
    const sent = await tool(["-r", "nmsg/dnsqr.nmsg", writeFlag, spec]);
    expect(sent.rc).toBe(0);
    expect((await recv).rc).toBe(0);
    const a: string[] = [];
    for await (const p of readPayloads(Readable.from([readFileSync(out)]))) a.push(Buffer.from(p.payload).toString("hex"));
    const b: string[] = [];
    for await (const p of readPayloads(Readable.from([readVector("nmsg/dnsqr.nmsg")]))) b.push(Buffer.from(p.payload).toString("hex"));
    expect(a).toEqual(b);
  }
  it("TCP on 127.0.0.1 carries every payload in order", async () => {
    await roundTrip("--readtcp", "--writetcp", `127.0.0.1/${20000 + Math.floor(Math.random() * 20000)}`);
  }, 30_000);
  it("UNIX stream socket carries every payload in order", async () => {
    await roundTrip("--readunix", "--writeunix", join(dir, "nmsg.sock"));
  }, 30_000);
  it("connecting to nothing is a one-line error, exit 1", async () => {
    const r = await tool(["-r", "nmsg/dnsqr.nmsg", "--writeunix", join(dir, "missing.sock")]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/^nmsg-tool: cannot connect/);
  });
});

describe("header stamps", () => {
  it("--setsource/--setoperator/--setgroup 0 set nothing, as in libnmsg (0 is its 'not set')", async () => {
    const r = await tool(["-r", "nmsg/dnsqr.nmsg", "--setsource", "0", "--setoperator", "0", "--setgroup", "0", "-w", "-"]);
    expect(r.rc).toBe(0);
    expect(Buffer.compare(r.out, Buffer.from(readVector("nmsg/dnsqr.nmsg")))).toBe(0);
  });
});

describe("bad input", () => {
  it("an input that is a directory or missing is named in its one-line error (nmsg and JSON input)", async () => {
    for (const flag of ["-r", "-j"]) {
      for (const [path, msg] of [
        [dir, "EISDIR"],
        [join(dir, "missing"), "ENOENT"],
      ] as const) {
        const r = await tool([flag, path]);
        expect(r.rc).toBe(1);
        expect(r.err).toMatch(new RegExp(`^nmsg-tool: ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${msg}[^\n]*\n$`));
      }
    }
  });
  const good = readVector("nmsg/dnsqr.zlib.nmsg");
  it("truncated, bad magic, corrupt zlib: exit 1 with the offset, one line", async () => {
    for (const bad of [
      good.subarray(0, 500),
      Buffer.concat([Buffer.from("XMSG"), Buffer.from(good.subarray(4))]),
      (() => {
        const b = Buffer.from(good);
        b.fill(0x55, 40, 60);
        return b;
      })(),
    ]) {
      const r = await tool(["-r", "-"], bad);
      expect(r.rc).toBe(1);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.err).toMatch(/offset \d+/);
    }
  });
  it("a zlib container that inflates past its stated length: one line with the file and offset, no Node text", async () => {
    const z = Buffer.from(readVector("nmsg/dnsqr.zlib.nmsg"));
    z.writeUInt32BE(1000, 10); // the first container's stated raw length, after its 10-byte header
    const f = join(dir, "zlib-long.nmsg");
    writeFileSync(f, z);
    const r = await tool(["-r", f]);
    expect(r.rc).toBe(1);
    expect(r.err).toBe(`nmsg-tool: ${f}: corrupt zlib container (inflates to more than the 1000 bytes it states) at offset 0\n`);
  });
  it("a payload that does not decode: the text before it on stdout, none of its own, one line and exit 1", async () => {
    const ps: NmsgPayload[] = [];
    for await (const p of readPayloads(Readable.from([readVector("nmsg/dnsqr.nmsg")]))) {
      ps.push({ ...p, payload: p.payload.slice() });
      if (ps.length === 3) break;
    }
    // the second payload cut inside its fields (past its type, addresses and ports: some of its text was written)
    const bad = { ...ps[1]!, payload: ps[1]!.payload.slice(0, 30) };
    const chunks: Uint8Array[] = [];
    const w = new NmsgWriter((c) => void chunks.push(c), {});
    for (const p of [ps[0]!, bad, ps[2]!]) await w.write(p);
    await w.close();
    const f = join(dir, "bad-payload.nmsg");
    writeFileSync(f, Buffer.concat(chunks));
    const r = await tool(["-r", f]);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/^nmsg-tool: [^\n]*bad-payload\.nmsg: base\/dnsqr: [^\n]*\n$/);
    expect(r.out.toString()).toBe(payloadToPres(ps[0]!));
    // a file output is not left behind (its temp file removed), as before
    const out = join(dir, "bad-payload.pres");
    const o = await tool(["-r", f, "-o", out]);
    expect(o.rc).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
  it("a payload CRC mismatch drops that payload only", async () => {
    const b = Buffer.from(readVector("nmsg/dnsqr.unbuffered.nmsg"));
    b[b.length - 3]! ^= 0x01; // a byte near the end of the last payload's CRC or body
    const r = await tool(["-r", "-", "-J", "-"], b);
    expect(r.rc).toBe(0);
    expect(
      r.out
        .toString()
        .split("\n")
        .filter((l) => l).length,
    ).toBe(559);
    expect(r.err).toMatch(/^nmsg-tool: -: 1 payload dropped: CRC32C mismatch \(container at offset \d+\)\n$/);
  });
  it("a bad payload header field in JSON input: exit 1 naming file and line, nothing wrapped", async () => {
    const lines = readVectorText("nmsg/dnsqr.first10.source.json").split("\n");
    for (const [from, to, msg] of [
      ['"source":"a1ba02cf"', '"source":"1ffffffffff"', /source: "1ffffffffff" is out of range for uint32/],
      ['"source":"a1ba02cf"', '"source":"zzz"', /source: "zzz" is not a hex number/],
      ['"source":"a1ba02cf"', '"operator":1099511627776', /operator: 1099511627776 is out of range for uint32/],
      ['"source":"a1ba02cf"', '"operator":-3', /operator: -3 is out of range for uint32/],
    ] as const) {
      const f = join(dir, "header.json");
      writeFileSync(f, lines.map((l, i) => (i === 2 ? l.replace(from, to) : l)).join("\n"));
      const r = await tool(["-j", f, "-w", join(dir, "header.nmsg")]);
      expect(r.rc).toBe(1);
      expect(r.err).toMatch(new RegExp(`^nmsg-tool: ${f}:3: ${msg.source}\n$`));
    }
  });
  it("bad flags exit 2", async () => {
    expect((await tool(["-r", "x", "-c", "zero"])).rc).toBe(2);
    expect((await tool(["-o", "-"])).rc).toBe(2);
    expect((await tool(["-r", "x", "-V", "nosuch"])).rc).toBe(2);
  });
  it("random and bit-flipped streams: exit 0 or 1, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(good.length * 8 - 1), fc.nat(good.length), async (bit, cut) => {
        const b = Buffer.from(good.subarray(0, Math.max(cut, 10)));
        if (b.length) b[(bit >> 3) % b.length]! ^= 1 << (bit & 7);
        const r = await tool(["-r", "-", "-J", "-"], b);
        expect([0, 1]).toContain(r.rc);
        if (r.rc === 1) expect(r.err).toMatch(/^nmsg-tool: /);
      }),
      { numRuns: 60 },
    );
  });
});

describe("-r FILE (positioned reads into one reused buffer) and the same bytes on stdin give the same output and errors", () => {
  // the file's bytes through stdin: read as chunks copied into the reader's buffer
  const viaStdin = async (argv: string[]) => {
    const i = argv.indexOf("-r");
    const file = argv[i + 1] as string;
    let bytes: Buffer;
    try {
      bytes = readFileSync(resolve(vectorsDir, file));
    } catch {
      return tool(argv);
    }
    return tool([...argv.slice(0, i), "-r", "-", ...argv.slice(i + 2)], bytes);
  };
  const cases = vectorCases().filter((c) => /^nmsgtool -r \S+\.nmsg( -J -)?$/.test(c.cmd) && c.stdout);
  it("has cases", () => expect(cases.length).toBeGreaterThan(4));
  for (const c of cases) {
    it(c.cmd, async () => {
      const r = await viaStdin(c.cmd.replace(/^nmsgtool /, "").split(/\s+/));
      expect(r.err).toBe("");
      expect(r.rc).toBe(c.rc);
      expect(r.out.toString("utf8")).toBe(readVectorText(c.stdout as string));
    });
  }
  it("a truncated file and a damaged payload are reported alike (the input named as given)", async () => {
    const good = readVector("nmsg/dnsqr.bufsz4096.nmsg");
    const cut = join(dir, "cut.nmsg");
    writeFileSync(cut, good.subarray(0, good.length - 50));
    const a = await viaStdin(["-r", cut, "-J", "-"]);
    const b = await tool(["-r", cut, "-J", "-"]);
    expect(a.rc).toBe(1);
    expect(a.err).toBe(b.err.replace(cut, "-"));
    expect(a.err).toMatch(/truncated container .* at offset \d+/);
    expect(Buffer.compare(a.out, b.out)).toBe(0);
    const crc = Buffer.from(readVector("nmsg/dnsqr.unbuffered.nmsg"));
    crc[crc.length - 3]! ^= 0x01;
    const f = join(dir, "crc.nmsg");
    writeFileSync(f, crc);
    const c = await viaStdin(["-r", f, "-J", "-"]);
    expect(c.rc).toBe(0);
    expect(c.err).toMatch(/1 payload dropped: CRC32C mismatch \(container at offset \d+\)\n$/);
    expect(c.err).toBe((await tool(["-r", f, "-J", "-"])).err.replace(f, "-"));
    expect((await viaStdin(["-r", join(dir, "absent.nmsg")])).rc).toBe(1);
  });
});

describe("pass-through (payloads moved without decoding) and the decode path (DNSREP_NMSG_PASSTHROUGH=0) write the same bytes", () => {
  const run2 = async (argv: string[], env: Record<string, string>, stdin: Uint8Array | string = "") => {
    const prev = process.cwd();
    process.chdir(vectorsDir);
    try {
      const io = memoryIo(stdin, env);
      const rc = await runCommand("nmsg-tool", run, argv, io);
      return { rc, out: Buffer.from(io.outBytes()), err: io.err() };
    } finally {
      process.chdir(prev);
    }
  };
  const inputs = [
    "nmsg/dnsqr.nmsg",
    "nmsg/dnsqr.zlib.nmsg",
    "nmsg/dnsqr.bufsz512.nmsg",
    "nmsg/dnsqr.unbuffered.zlib.nmsg",
    "nmsg/dnsqr.first10.source.nmsg",
  ];
  for (const input of inputs) {
    it(input, async () => {
      for (const extra of [[], ["-z"], ["--unbuffered"], ["-c", "7"]]) {
        const files = ["pass", "decode"].map((k) => join(dir, `${k}.${Math.random()}.nmsg`));
        const a = await run2(["-r", input, ...extra, "-w", files[0] as string], {});
        const b = await run2(["-r", input, ...extra, "-w", files[1] as string], { DNSREP_NMSG_PASSTHROUGH: "0" });
        expect([a.rc, a.err, b.rc, b.err]).toEqual([0, "", 0, ""]);
        const pass = readFileSync(files[0] as string);
        expect(pass.length).toBeGreaterThan(0);
        expect(Buffer.compare(pass, readFileSync(files[1] as string)), `${input} ${extra.join(" ")}`).toBe(0);
      }
      // stdin to stdout, and nmsgtool's own bytes for its plain file
      const c = await run2(["-r", "-", "-w", "-"], {}, readVector(input));
      const d = await run2(["-r", "-", "-w", "-"], { DNSREP_NMSG_PASSTHROUGH: "0" }, readVector(input));
      expect(Buffer.compare(c.out, d.out)).toBe(0);
      if (input === "nmsg/dnsqr.nmsg") expect(Buffer.compare(c.out, Buffer.from(readVector(input)))).toBe(0);
    });
  }
});
