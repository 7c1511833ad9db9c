import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { DnstableReader, type SetFileOptions } from "@dnsrep/dnstable";
import { isMtblError, MAGIC_V1, MAGIC_V2, type MtblError } from "@dnsrep/mtbl";
import { ServerError, ServerErrorCode } from "./errors.js";
import type { LiveSnapshot } from "./ingest/live-stores.js";

/**
 * The data a server answers from: dnstable mtbl files and set files (one mtbl path per line,
 * relative paths relative to the set file), all merged into one view with dnstable's merge
 * function — and, for `aggr=f`, an unaggregated view (one result per file). A reload opens the
 * data anew and swaps it in; a query that started before keeps its readers until it ends, so
 * nothing in flight is dropped.
 */
export interface DataOptions {
  /** mtbl files or set files, told apart by the mtbl trailer's magic number */
  data?: string[];
  /** mtbl files */
  fnames?: string[];
  /** set files */
  setfiles?: string[];
  /** check each block's CRC32C as it is read (default true, as dnstable-lookup) */
  verifyChecksums?: boolean;
  /** told of a set member that cannot be opened (it is left out) */
  onWarning?: (message: string) => void;
  /** no data files is not an error (a server over a live store only) */
  allowEmpty?: boolean;
}

/** The live stores a DataStore answers from beside its files (IngestStores). */
export interface LiveData {
  snapshot(): LiveSnapshot;
}

/**
 * The data one query reads, held until `release`: the files and a snapshot of the live stores.
 * `reader` gives the sensor data (the files and the live sensor store merged, or unaggregated:
 * one result per file); `logs` the log-derived data, one reader per source (never merged with
 * the sensor data nor with each other).
 */
export interface HeldData {
  reader(aggregated: boolean): DnstableReader;
  logs(aggregated: boolean): { source: string; reader: DnstableReader }[];
  release(): void;
}

/**
 * A DnstableReader over `files` merged (or not) as a set file merges them: through a set file of
 * our own, written to a temporary directory that is removed as soon as the reader has read it
 * (a Fileset reads its set file once, when it opens), so nothing is left behind whatever happens
 * to the process later.
 */
function openFiles(files: string[], opts: SetFileOptions): DnstableReader {
  if (files.length === 0) return DnstableReader.fromSources([], { aggregated: opts.aggregated ?? true });
  const dir = mkdtempSync(join(tmpdir(), "dnstable-server-"));
  try {
    const setfile = join(dir, "data.set");
    writeFileSync(setfile, files.map((f) => `${f}\n`).join(""));
    return DnstableReader.openSetFile(setfile, opts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One opened generation of the data. */
export class DataGeneration {
  readonly files: string[];
  readonly #verify: boolean;
  readonly #aggregated: DnstableReader;
  #unaggregated: DnstableReader | null = null;
  #refs = 0;
  #retired = false;

  constructor(files: string[], verify: boolean) {
    this.files = files;
    this.#verify = verify;
    this.#aggregated = openFiles(files, { verifyChecksums: verify });
  }

  /** The merged reader, or with `aggregated` false the unaggregated one (opened on first use). */
  reader(aggregated: boolean): DnstableReader {
    if (aggregated) return this.#aggregated;
    this.#unaggregated ??= openFiles(this.files, { aggregated: false, verifyChecksums: this.#verify });
    return this.#unaggregated;
  }

  /** Hold this generation for a query; the returned function lets it go. */
  acquire(): () => void {
    this.#refs++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#refs--;
      if (this.#retired && this.#refs === 0) this.#close();
    };
  }

  /** No new queries: closes once the last one holding it ends. */
  retire(): void {
    this.#retired = true;
    if (this.#refs === 0) this.#close();
  }

  #close(): void {
    this.#aggregated.close();
    this.#unaggregated?.close();
    this.#unaggregated = null;
  }
}

/** A file's identity for change polling: size, mtime and inode. */
function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return "missing";
  }
}

/** Whether a file ends with an mtbl trailer (else it is taken as a set file). */
export function isMtblFile(path: string): boolean {
  const st = statSync(path);
  if (!st.isFile()) throw new ServerError(ServerErrorCode.DATA, `${path}: not a regular file`);
  if (st.size < 512) return false;
  const fd = openSync(path, "r");
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, st.size - 4);
    const m = b.readUInt32LE(0);
    return m === MAGIC_V1 || m === MAGIC_V2;
  } finally {
    closeSync(fd);
  }
}

/** The mtbl paths a set file names (absolute), skipping blank lines. */
function setMembers(setfile: string): string[] {
  const base = dirname(setfile);
  return readFileSync(setfile, "latin1")
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l.length > 0)
    .map((l) => (isAbsolute(l) ? l : join(base, l)));
}

export class DataStore {
  readonly #opts: DataOptions;
  #current: DataGeneration;
  /** the files whose change means a reload: the set files and every mtbl file, with their stamps */
  #watched = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #live: LiveData | null = null;

  /** Opens the data; throws ServerError ERR_DATA when it cannot be opened. */
  constructor(opts: DataOptions) {
    this.#opts = opts;
    this.#current = this.#open();
  }

  /** Answer from these live stores too (once they are open). */
  attachLive(live: LiveData): void {
    this.#live = live;
  }

  /** Hold the data for one query: the current generation and a snapshot of the live stores. */
  hold(): HeldData {
    const gen = this.#current;
    const releaseGen = gen.acquire();
    const live = this.#live;
    if (live === null) return { reader: (a) => gen.reader(a), logs: () => [], release: releaseGen };
    let snap: LiveSnapshot;
    try {
      snap = live.snapshot();
    } catch (e) {
      releaseGen();
      throw e;
    }
    const merged = new Map<boolean, DnstableReader>();
    return {
      reader(aggregated) {
        let r = merged.get(aggregated);
        if (r === undefined) {
          const store = snap.sensor.reader(aggregated);
          const sources = gen.files.length > 0 ? [gen.reader(aggregated).source, store.source] : [store.source];
          r = DnstableReader.fromSources(sources, { aggregated, files: () => [...gen.files, ...store.files] });
          merged.set(aggregated, r);
        }
        return r;
      },
      logs: (aggregated) => snap.logs.map((l) => ({ source: l.source, reader: l.snapshot.reader(aggregated) })),
      release() {
        snap.release();
        releaseGen();
      },
    };
  }

  /** The generation new queries use. */
  get current(): DataGeneration {
    return this.#current;
  }

  /** The mtbl files in use. */
  get files(): string[] {
    return this.#current.files;
  }

  #open(): DataGeneration {
    const watched = new Map<string, string>();
    const files: string[] = [];
    const add = (f: string): void => {
      watched.set(f, stamp(f));
      if (!files.includes(f)) files.push(f);
    };
    const addSet = (s: string): void => {
      watched.set(s, stamp(s));
      let members: string[];
      try {
        members = setMembers(s);
      } catch (e) {
        throw new ServerError(ServerErrorCode.DATA, `cannot read set file ${s}: ${(e as Error).message}`);
      }
      for (const m of members) {
        if (stamp(m) === "missing") this.#opts.onWarning?.(`cannot open set member ${m} (left out)`);
        else add(m);
        watched.set(m, stamp(m));
      }
    };
    try {
      for (const d of this.#opts.data ?? []) {
        const p = resolve(d);
        if (isMtblFile(p)) add(p);
        else addSet(p);
      }
      for (const f of this.#opts.fnames ?? []) add(resolve(f));
      for (const s of this.#opts.setfiles ?? []) addSet(resolve(s));
    } catch (e) {
      if (e instanceof ServerError) throw e;
      throw new ServerError(ServerErrorCode.DATA, (e as Error).message.replace(/^[A-Z]+: /, ""));
    }
    if (files.length === 0 && this.#opts.allowEmpty !== true) throw new ServerError(ServerErrorCode.DATA, "no data files");
    let gen: DataGeneration;
    try {
      gen = new DataGeneration(files, this.#opts.verifyChecksums ?? true);
    } catch (e) {
      if (isMtblError(e)) throw new ServerError(ServerErrorCode.DATA, (e as MtblError).message);
      throw e;
    }
    this.#watched = watched;
    return gen;
  }

  /**
   * Open the data anew and swap it in; queries already running finish on the old readers. On
   * failure the data in effect stays and the error is thrown (ServerError ERR_DATA).
   */
  reload(): void {
    const next = this.#open();
    const old = this.#current;
    this.#current = next;
    old.retire();
  }

  /** Whether any watched file changed since the data was opened. */
  changed(): boolean {
    for (const [f, s] of this.#watched) if (stamp(f) !== s) return true;
    return false;
  }

  /** Poll the files every `ms` and call `onChange` when one changed (it decides to reload). */
  watch(ms: number, onChange: () => void): void {
    this.#timer = setInterval(() => {
      if (this.changed()) onChange();
    }, ms);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#current.retire();
  }
}
