/** nmsg-tool stopped by a signal on a stdin left open (NMSG and JSON), and its -v / -q counters. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { readPayloads } from "@dnsrep/nmsg";
import { afterAll, describe, expect, it } from "vitest";
import { readVector, readVectorText, vectorPath } from "../../../test/vectors.js";
import { run } from "../src/nmsg-tool.js";

const dir = mkdtempSync(join(tmpdir(), "nmsg-tool-signal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function count(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readPayloads(Readable.from([readFileSync(path)]))) n++;
  return n;
}

/** Run with `bytes` on a stdin that stays open, and a signal 150 ms in. */
async function stopped(argv: string[], bytes: Uint8Array | string): Promise<{ rc: number; err: string }> {
  const io = memoryIo();
  const stdin = new PassThrough();
  stdin.write(bytes);
  io.stdin = stdin;
  const ac = new AbortController();
  io.signal = ac.signal;
  const t = setTimeout(() => ac.abort(), 150);
  const rc = await runCommand("nmsg-tool", run, argv, io);
  clearTimeout(t);
  return { rc, err: io.err() };
}

describe("a signal on a stdin left open", () => {
  it("-r -: cut inside a container, the whole containers before it are written and counted (exit 0)", async () => {
    const seed = readVector("nmsg/dnsqr.bufsz4096.nmsg");
    const out = join(dir, "cut.nmsg");
    const r = await stopped(["-v", "-r", "-", "-w", out], seed.subarray(0, Math.floor(seed.length / 2)));
    expect(r.rc).toBe(0);
    const m = r.err.match(/^nmsg-tool: in=(\d+) payloads=(\d+)\n$/);
    expect(m).not.toBeNull();
    const n = await count(out);
    expect(n).toBeGreaterThan(0);
    expect(Number(m?.[2])).toBe(n);
  });

  it("-j -: a last line the signal cut short is dropped, the whole lines before it are written (exit 0)", async () => {
    const lines = readVectorText("dedupe/dedupe.first3.via-stdin.json").split("\n").filter(Boolean);
    const text = `${lines[0]}\n${lines[1]}\n${(lines[2] as string).slice(0, 40)}`;
    const out = join(dir, "json.nmsg");
    const r = await stopped(["-q", "-j", "-", "-V", "SIE", "-T", "dnsdedupe", "-w", out], text);
    expect(r).toEqual({ rc: 0, err: "" });
    expect(await count(out)).toBe(2);
  });
});

describe("a signal before the reading started", () => {
  it("stops -r - and -j - on a stdin left open: nothing read, the empty output committed (exit 0)", async () => {
    for (const flag of ["-r", "-j"]) {
      const io = memoryIo();
      const stdin = new PassThrough();
      stdin.write(flag === "-r" ? readVector("nmsg/dnsqr.nmsg") : readVectorText("dedupe/dedupe.first3.via-stdin.json"));
      io.stdin = stdin;
      io.signal = AbortSignal.abort();
      const out = join(dir, `early${flag}.nmsg`);
      const argv = ["-v", flag, "-", "-w", out, ...(flag === "-j" ? ["-V", "SIE", "-T", "dnsdedupe"] : [])];
      expect(await runCommand("nmsg-tool", run, argv, io)).toBe(0);
      expect(io.err()).toBe("nmsg-tool: in=0 payloads=0\n");
      expect(await count(out)).toBe(0);
    }
  });
});

describe("-v and -q", () => {
  const input = vectorPath("nmsg/dnsqr.nmsg");
  it("-v prints the counters at the end: payloads read and written", async () => {
    const io = memoryIo();
    expect(await runCommand("nmsg-tool", run, ["-v", "-r", input, "-c", "7", "-w", join(dir, "v.nmsg")], io)).toBe(0);
    expect(io.err()).toBe("nmsg-tool: in=7 payloads=7\n");
    const f = memoryIo();
    expect(await runCommand("nmsg-tool", run, ["-v", "-r", input, "-V", "base", "-T", "dnsqr", "-w", join(dir, "f.nmsg")], f)).toBe(0);
    expect(f.err()).toMatch(/^nmsg-tool: in=(\d+) payloads=\1\n$/);
  });
  it("without -v nothing is printed (as nmsgtool); -q silences -v", async () => {
    for (const flags of [[], ["-q"], ["-v", "-q"]]) {
      const io = memoryIo();
      expect(await runCommand("nmsg-tool", run, [...flags, "-r", input, "-c", "3", "-w", join(dir, "q.nmsg")], io)).toBe(0);
      expect(io.err()).toBe("");
    }
  });
  it("a progress line on a terminal, none with -q", async () => {
    for (const [flags, shown] of [
      [[], true],
      [["-q"], false],
    ] as const) {
      const io = { ...memoryIo(), stderrIsTTY: true };
      const mem = io as ReturnType<typeof memoryIo>;
      expect(await runCommand("nmsg-tool", run, [...flags, "-r", input, "-w", join(dir, "p.nmsg")], io)).toBe(0);
      expect(mem.err().includes("\r\x1b[K"), String(flags)).toBe(shown);
    }
  });
});
