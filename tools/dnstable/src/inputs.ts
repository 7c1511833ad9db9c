/** What the dnstable tools share about their inputs: opening an mtbl file, and reporting entries that do not decode. */
import { statSync } from "node:fs";
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
