import { createReadStream } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { concatBytes } from "@dnsrep/util";
import { CliError, errorLine, isBrokenPipe } from "./errors.js";

/**
 * Everything a command touches of the outside world. Tests pass in-memory
 * streams; `main()` passes the process's own.
 */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** whether stdout / stderr are terminals (binary writers refuse a TTY; progress only on a TTY) */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** abort signal fired on SIGINT/SIGTERM in the real process */
  signal?: AbortSignal;
}

/** The process's own stdio. */
export function processIo(signal?: AbortSignal): CliIo {
  const io: CliIo = {
    // process.stdin builds its stream (a socket, a TTY or a file stream) when first asked for:
    // only a command that reads stdin pays for it
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
  if (signal) io.signal = signal;
  return io;
}

/**
 * Buffered writer over a Writable that honours backpressure: `write` only
 * returns a pending promise when the stream asked us to wait. A failed stream
 * stops taking writes; end() then throws its error (`label: message`), unless
 * it was only the reader going away (EPIPE: a normal end, as `| head` makes).
 */
export class OutputWriter {
  readonly stream: Writable;
  readonly #label: string;
  #pending: string[] = [];
  #pendingLen = 0;
  #closed = false;
  #error: unknown = null;
  #drained: Promise<void> | undefined;
  /** `label` names the output in the error end() throws (default "stdout") */
  constructor(stream: Writable, label = "stdout") {
    this.stream = stream;
    this.#label = label;
    stream.on("error", (e) => {
      this.#closed = true;
      this.#error ??= e;
    });
  }
  /** True once the reader went away (EPIPE) or the stream failed: stop producing output. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Queue text; flushes in 64 KiB chunks. */
  text(s: string): Promise<void> | undefined {
    this.#pending.push(s);
    this.#pendingLen += s.length;
    if (this.#pendingLen >= 65536) return this.flush();
    return undefined;
  }
  /** Write bytes (after any queued text). */
  bytes(b: Uint8Array): Promise<void> | undefined {
    const f = this.#pendingLen > 0 ? this.flush() : undefined;
    if (f) return f.then(() => this.#writeRaw(b));
    return this.#writeRaw(b);
  }
  flush(): Promise<void> | undefined {
    if (this.#pendingLen === 0) return undefined;
    const s = this.#pending.join("");
    this.#pending = [];
    this.#pendingLen = 0;
    return this.#writeRaw(s);
  }
  #writeRaw(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.#closed) return undefined;
    const ok = this.stream.write(chunk);
    if (ok) return undefined;
    // one wait for the next drain, shared by every write made before it (no listeners per write)
    this.#drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        this.stream.off("close", done);
        this.#drained = undefined;
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("error", done);
      this.stream.once("close", done);
    });
    return this.#drained;
  }

  /**
   * Flush and wait until everything handed to the stream has been accepted; throws a CliError
   * (`label: message`) if the stream failed other than by the reader going away.
   */
  async end(): Promise<void> {
    await this.flush();
    if (!this.#closed)
      await new Promise<void>((resolve) => {
        if (this.stream.writableNeedDrain) {
          this.stream.once("drain", () => resolve());
          this.stream.once("error", () => resolve());
        } else resolve();
      });
    // a write that failed reports it on a later tick (a file's synchronous write included)
    await new Promise<void>((resolve) => setImmediate(resolve));
    const e = this.#error;
    if (e !== null && !isBrokenPipe(e)) throw new CliError(`${this.#label}: ${errorLine(e)}`);
  }
}

/** Read a file (or stdin for "-") as an async iterable of chunks. */
export function openInput(path: string, io: CliIo): AsyncIterable<Uint8Array> {
  if (path === "-") return io.stdin as AsyncIterable<Uint8Array>;
  return createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
}

/** Read all of a file or stdin. */
export async function readAllInput(path: string, io: CliIo): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of openInput(path, io)) parts.push(c);
  return concatBytes(parts);
}
