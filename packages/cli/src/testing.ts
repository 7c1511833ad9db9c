import { PassThrough, Readable, Writable } from "node:stream";
import type { CliIo } from "./io.js";

/** An in-memory CliIo for tests: collect stdout/stderr bytes, feed stdin. */
export interface MemoryIo extends CliIo {
  out(): string;
  err(): string;
  outBytes(): Uint8Array;
}

export function memoryIo(stdin: Uint8Array | string = new Uint8Array(0), env: Record<string, string | undefined> = {}): MemoryIo {
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  const sink = (chunks: Buffer[]): Writable =>
    new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
        cb();
      },
    });
  const input = typeof stdin === "string" ? Buffer.from(stdin) : Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength);
  const stdinStream: Readable = input.length ? Readable.from([input]) : new PassThrough().end();
  return {
    stdin: stdinStream,
    stdout: sink(outChunks),
    stderr: sink(errChunks),
    env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    out: () => Buffer.concat(outChunks).toString("utf8"),
    err: () => Buffer.concat(errChunks).toString("utf8"),
    outBytes: () => new Uint8Array(Buffer.concat(outChunks)),
  };
}
