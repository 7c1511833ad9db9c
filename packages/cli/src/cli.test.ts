import { Writable } from "node:stream";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import {
  CliError,
  configureProgram,
  memoryIo,
  OutputWriter,
  Progress,
  parseIntOption,
  parseOption,
  runCommand,
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
