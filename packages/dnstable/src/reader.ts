/**
 * `DnstableReader`: one mtbl file or a set file of them (merged with the dnstable merge function,
 * or unaggregated and dupsorted; re-read when it changes), queried with `query` (see query.ts).
 */
import { Fileset, Merger, type MtblError, type MtblSource, Reader } from "@dnsrep/mtbl";
import { holdsCorrupt } from "./check.js";
import { dupsort } from "./dupsort.js";
import { type CorruptEntry, type DnstableQuery, type DnstableResult, type QueryOptions, runQuery } from "./query.js";
import { tolerantMerge } from "./tolerant-merge.js";

/** DnstableReader.openSetFile's options. */
export interface SetFileOptions {
  /** merge equal keys with the dnstable merge function (default true) */
  aggregated?: boolean;
  /** re-read the set file when it changes */
  reload?: boolean;
  reloadIntervalMs?: number;
  /**
   * Told of a member that cannot be opened (missing, no permission), which is then left out
   * (libdnstable skips these silently), and of a failed reload (the set in effect stays). Without
   * it these throw MtblError. A set file that cannot be read, or a member that is not an mtbl
   * file, always throws.
   */
  onError?: (error: MtblError, path: string) => void;
  /** check each data block's CRC32C as it is read (ERR_CHECKSUM on a mismatch) */
  verifyChecksums?: boolean;
}

/** DnstableReader.fromSources' options. */
export interface SourceOptions {
  /** merge equal keys with the dnstable merge function (default true) */
  aggregated?: boolean;
  /** called by close() */
  close?: () => void;
  /** the mtbl files behind the sources, for `files` and `locate` */
  files?: () => string[];
  /** how `locate` opens those files */
  verifyChecksums?: boolean;
}

/** Equal keys of `src` one after another, by time (libdnstable's dupsort). */
function dupsorted(src: MtblSource): MtblSource {
  return {
    iter: () => dupsort(src.iter()),
    get: (k) => dupsort(src.get(k)),
    getPrefix: (k) => dupsort(src.getPrefix(k)),
    getRange: (a, b) => dupsort(src.getRange(a, b)),
  };
}

export class DnstableReader {
  readonly source: MtblSource;
  readonly #close: () => void;
  readonly #files: () => string[];
  readonly #opts: { verifyChecksums?: boolean };
  /** Corrupt values the set file's merge kept out of a merged entry, until a query reports them. */
  readonly #faults: CorruptEntry[] | undefined;

  private constructor(
    source: MtblSource,
    close: () => void,
    files: () => string[],
    opts: { verifyChecksums?: boolean },
    faults?: CorruptEntry[],
  ) {
    this.source = source;
    this.#close = close;
    this.#files = files;
    this.#opts = opts;
    this.#faults = faults;
  }

  /**
   * One dnstable (mtbl) file. Throws MtblError if it cannot be opened or is not an mtbl file.
   * With `verifyChecksums`, each data block's CRC32C is checked as it is read (ERR_CHECKSUM).
   */
  static open(path: string, opts: { verifyChecksums?: boolean } = {}): DnstableReader {
    const r = Reader.open(path, opts);
    return new DnstableReader(
      r,
      () => r.close(),
      () => [path],
      opts,
    );
  }

  /**
   * A set file: one mtbl file per line, merged with the dnstable merge function — or, with
   * `aggregated: false`, not merged (equal keys one after another, by time_first then time_last,
   * as libdnstable's dupsort orders them). With `reload`, the set file is re-read when it changes.
   * Throws MtblError for a set file that cannot be read or is not a set file, a member that is not
   * an mtbl file, and (without `onError`) a member that cannot be opened; see Fileset. Where one
   * member's value for a key does not decode, the merged entry keeps the others' (libdnstable's
   * merge asserts) and the query reports the damage as for a corrupt entry.
   */
  static openSetFile(path: string, opts: SetFileOptions = {}): DnstableReader {
    const aggregated = opts.aggregated ?? true;
    const faults: CorruptEntry[] = [];
    const fs = new Fileset(path, {
      ...(aggregated ? { merge: tolerantMerge(faults) } : {}),
      reload: opts.reload ?? false,
      reloadIntervalMs: opts.reloadIntervalMs ?? 1000,
      ...(opts.onError ? { onError: opts.onError } : {}),
      ...(opts.verifyChecksums ? { verifyChecksums: true } : {}),
    });
    const files = (): string[] => fs.files;
    const readerOpts = opts.verifyChecksums ? { verifyChecksums: true } : {};
    if (aggregated) return new DnstableReader(fs, () => fs.close(), files, readerOpts, faults);
    return new DnstableReader(dupsorted(fs), () => fs.close(), files, readerOpts);
  }

  /**
   * A reader over any sources (mtbl readers, a live store's memtable, …) read together as a set
   * file's members are: merged with the dnstable merge function (a value that does not decode is
   * reported by the query, as for a set file) or, with `aggregated: false`, not merged (equal keys
   * one after another, by time_first then time_last). Each source must be sorted with no equal
   * keys within it. `close` (if given) is called by close(); the sources are not closed otherwise.
   */
  static fromSources(sources: readonly MtblSource[], opts: SourceOptions = {}): DnstableReader {
    const close = opts.close ?? ((): void => {});
    const files = opts.files ?? ((): string[] => []);
    const readerOpts = opts.verifyChecksums ? { verifyChecksums: true } : {};
    if (opts.aggregated ?? true) {
      const faults: CorruptEntry[] = [];
      return new DnstableReader(new Merger([...sources], tolerantMerge(faults)), close, files, readerOpts, faults);
    }
    return new DnstableReader(dupsorted(new Merger([...sources])), close, files, readerOpts);
  }

  /** The mtbl files being read: the one file, or the members of the set currently open. */
  get files(): string[] {
    return this.#files();
  }

  close(): void {
    this.#close();
  }

  /**
   * The files that hold an entry with this key that does not decode (the one file; for a set file,
   * the members found to) — for naming the file a corrupt entry came from. Opens each member anew:
   * meant for a report, not for every entry.
   */
  locate(key: Uint8Array): string[] {
    const found: string[] = [];
    for (const f of this.#files()) {
      let r: Reader;
      try {
        r = Reader.open(f, this.#opts);
      } catch {
        continue;
      }
      try {
        if (holdsCorrupt(r, key)) found.push(f);
      } catch {
        // a damaged block: the query that found the entry reports it
      } finally {
        r.close();
      }
    }
    return found;
  }

  /**
   * Run a query. Throws DnstableError (ERR_INVALID) for a malformed query, before it returns; the
   * generator throws ERR_CORRUPTION (without `onCorrupt`) and MtblError for damaged data.
   */
  query(q: DnstableQuery, opts: QueryOptions = {}): Generator<DnstableResult> {
    return runQuery(this.source, this.#faults, q, opts);
  }
}
