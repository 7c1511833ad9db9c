/** What the dnstable tools share about their inputs: opening an mtbl file, reading stdin, and reporting entries that do not decode. */
import { fstatSync, readSync, statSync } from "node:fs";
import { CliError, type CliIo } from "@dnsrep/cli";
import { keyText } from "@dnsrep/dnstable";
import type { Reader, ReaderOptions } from "@dnsrep/mtbl";
import { openReader } from "@dnsrep/mtbl-tools";

/** Refuse a directory given as a data file, in the words set members use (the reader would say EISDIR). */
export function notDirectory(path: string): void {
  let dir = false;
  try {
    dir = statSync(path).isDirectory();
  } catch {
    // the reader says why (ENOENT, EACCES)
  }
  if (dir) throw new CliError(`${path}: a directory, not an mtbl file`);
}

/** Open an mtbl input; anything that goes wrong is a CliError (exit 1) that names the file once. */
export function openMtbl(path: string, opts: ReaderOptions = {}): Reader {
  notDirectory(path);
  return openReader(path, opts);
}

/** Whether `fd` is a regular file (false when it cannot be told). */
function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * The bytes of stdin. The process's own stdin redirected from a regular file (`< file`) is read
 * like a named file (@dnsrep/util's fileReader): readSync into one reused 1 MiB buffer, a turn of
 * the event loop between reads. process.stdin would hand out a new 64 KiB buffer per read,
 * garbage the collector reclaims late (75 MB more peak RSS and ~1 s more CPU on a 100 MB
 * input). Anything else (a pipe, a terminal, a test's stream) is read as the stream it is. Each
 * chunk is valid until the next step (the nmsg reader copies what it keeps).
 */
export function stdinChunks(io: CliIo): AsyncIterable<Uint8Array> {
  if (io.stdin === process.stdin && isRegularFile(0)) return fdChunks(0);
  return io.stdin as AsyncIterable<Uint8Array>;
}

async function* fdChunks(fd: number): AsyncGenerator<Uint8Array> {
  const buf = Buffer.allocUnsafeSlow(1 << 20);
  for (;;) {
    await new Promise((r) => setImmediate(r));
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return;
    yield buf.subarray(0, n);
  }
}

/**
 * The entries a run skipped because they do not decode (libdnstable skips them without a word):
 * counted, and reported once, as one line, when the run ends.
 */
export class CorruptTally {
  n = 0;
  #first: { key: Uint8Array; reason: string } | null = null;

  add(key: Uint8Array, reason: string): void {
    if (this.n++ === 0) this.#first = { key: key.slice(), reason };
  }

  /** The key of the first corrupt entry, if any. */
  get firstKey(): Uint8Array | null {
    return this.#first?.key ?? null;
  }

  /** Write `prog: FILE: …` to stderr when anything was skipped; returns the exit status (0 or 1). */
  finish(io: CliIo, prog: string, file: string): number {
    const f = this.#first;
    if (f === null) return 0;
    const what = this.n === 1 ? "corrupt entry skipped" : `${this.n} corrupt entries skipped, the first`;
    io.stderr.write(`${prog}: ${file}: ${what} (key ${keyText(f.key)}): ${f.reason}\n`);
    return 1;
  }
}
