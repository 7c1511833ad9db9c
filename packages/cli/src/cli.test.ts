import { Writable } from "node:stream";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { CliError, configureProgram, memoryIo, OutputWriter, parseIntOption, parseOption, runCommand, UsageError } from "./index.js";

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
    expect(io.err()).toMatch(/unknown option/);
    io = memoryIo();
    expect(await runCommand("t", (a) => run(a, io), ["--help"], io)).toBe(0);
    expect(io.out()).toMatch(/Usage: t/);
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
  });
});
