/**
 * Live files and snapshots. Every file the manifest names has one open Reader, shared by all
 * snapshots and counted: the manifest's hold plus one per snapshot that took it. A file a
 * compaction made obsolete is closed and deleted only when the last snapshot holding it lets go.
 *
 * A snapshot is the memtables (copy-on-write clones) and the live files at one moment, read
 * together as a set file's members are read (DnstableReader.fromSources): merged with dnstable's
 * merge function, or unaggregated (one entry per memtable tree and file, by time).
 */
import { rmSync } from "node:fs";
import { DnstableReader } from "@dnsrep/dnstable";
import type { MtblSource, Reader } from "@dnsrep/mtbl";
import type { StoreFileName } from "./manifest.js";

export class LiveFile {
  readonly meta: StoreFileName;
  readonly path: string;
  readonly reader: Reader;
  /** the manifest's hold (1 while listed) plus the snapshots' */
  #refs = 1;
  #onGone: (f: LiveFile) => void;

  constructor(meta: StoreFileName, path: string, reader: Reader, onGone: (f: LiveFile) => void) {
    this.meta = meta;
    this.path = path;
    this.reader = reader;
    this.#onGone = onGone;
  }

  get refs(): number {
    return this.#refs;
  }

  acquire(): void {
    this.#refs++;
  }

  /** Drop one hold; the last one closes the reader and deletes the file. */
  release(): void {
    if (--this.#refs > 0) return;
    this.reader.close();
    rmSync(this.path, { force: true });
    this.#onGone(this);
  }

  /** Close the reader without deleting (the store is closing). */
  closeReader(): void {
    this.reader.close();
  }
}

/** A consistent view for one query: release() when done. */
export interface StoreSnapshot {
  /** the same query API the server uses for files; closed by release() */
  reader(aggregated: boolean): DnstableReader;
  /** the paths of the files it holds */
  readonly files: readonly string[];
  release(): void;
}

export function makeSnapshot(trees: MtblSource[], files: LiveFile[]): StoreSnapshot {
  for (const f of files) f.acquire();
  const paths = files.map((f) => f.path);
  const readers: (DnstableReader | null)[] = [null, null];
  let released = false;
  return {
    files: paths,
    reader(aggregated: boolean): DnstableReader {
      if (released) throw new Error("store snapshot already released");
      const i = aggregated ? 0 : 1;
      let r = readers[i];
      if (!r) {
        r = DnstableReader.fromSources([...files.map((f) => f.reader), ...trees], {
          aggregated,
          files: () => paths,
          verifyChecksums: true,
        });
        readers[i] = r;
      }
      return r;
    },
    release(): void {
      if (released) return;
      released = true;
      for (const f of files) f.release();
    },
  };
}
