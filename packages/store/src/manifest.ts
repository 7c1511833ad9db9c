/**
 * The manifest (docs/formats/store.md): `MANIFEST` in the store's directory, a set file — one
 * file name per line, as libmtbl's fileset and dnstable-lookup read them — naming the live dnstable
 * files. It is replaced whole (written to a temporary file, synced, renamed, directory synced), so
 * after a crash it is either the old list or the new one.
 *
 * A file's name says what it holds:
 *
 *   <tier>-<period start, 10 digits>-<last WAL sequence, 16 digits>-<id, 8 digits>.<dns|dnssec>.mtbl
 *
 * The last WAL sequence is that of the newest batch whose entries are in the file (a compaction's
 * output carries its inputs' greatest), so the manifest records the last flushed sequence: the
 * greatest over its files. Recovery replays the WAL past it.
 */
import { closeSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { fromSystemError, StoreError, StoreErrorCode } from "./errors.js";
import { type StoreIo, syncDir } from "./io.js";

export const MANIFEST = "MANIFEST";
const MANIFEST_TEMP = ".MANIFEST.tmp";

export type FileKind = "dns" | "dnssec";

/** What a store file's name says. */
export interface StoreFileName {
  name: string;
  tier: string;
  /** start of the period it covers, epoch seconds */
  period: number;
  /** the WAL sequence of the newest batch in it */
  seq: number;
  /** unique within the store (a DNS and a DNSSEC file made together share it) */
  id: number;
  kind: FileKind;
}

const FILE_RE = /^([a-z0-9]+)-(\d{10})-(\d{16})-(\d{8})\.(dns|dnssec)\.mtbl$/;

export function parseFileName(name: string): StoreFileName | null {
  const m = FILE_RE.exec(name);
  if (!m) return null;
  return { name, tier: m[1] as string, period: Number(m[2]), seq: Number(m[3]), id: Number(m[4]), kind: m[5] as FileKind };
}

export function fileName(f: Omit<StoreFileName, "name">): string {
  const pad = (n: number, w: number): string => String(n).padStart(w, "0");
  return `${f.tier}-${pad(f.period, 10)}-${pad(f.seq, 16)}-${pad(f.id, 8)}.${f.kind}.mtbl`;
}

/** The file names the manifest lists (none when there is no manifest yet). */
export function readManifest(dir: string): StoreFileName[] {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), "latin1");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw fromSystemError(e, `cannot read ${join(dir, MANIFEST)}`);
  }
  const out: StoreFileName[] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (l === "") continue;
    const f = parseFileName(l);
    if (!f) throw new StoreError(StoreErrorCode.CORRUPTION, `${join(dir, MANIFEST)}: not a store file name: ${JSON.stringify(l)}`);
    out.push(f);
  }
  return out;
}

/** The last flushed WAL sequence the files record (0 for none). */
export function flushedSeq(files: Iterable<StoreFileName>): number {
  let s = 0;
  for (const f of files) if (f.seq > s) s = f.seq;
  return s;
}

/** Replace the manifest with one naming `names` (sorted), atomically and durably. */
export function writeManifest(dir: string, names: Iterable<string>, io: StoreIo): void {
  const temp = join(dir, MANIFEST_TEMP);
  const text = [...names]
    .sort()
    .map((n) => `${n}\n`)
    .join("");
  let fd = -1;
  try {
    io.beforeFileWrite(temp);
    fd = io.openSync(temp, "w");
    io.writeSync(fd, Buffer.from(text, "latin1"));
    io.fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(temp, join(dir, MANIFEST));
    syncDir(dir);
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {}
    }
    try {
      unlinkSync(temp);
    } catch {}
    throw fromSystemError(e, `cannot write ${join(dir, MANIFEST)}`);
  }
}

/** Whether `name` is a temporary file (the mtbl Writer's `.NAME.PID.N.RANDOM.tmp`, the manifest's). */
export const isTempName = (name: string): boolean => name.startsWith(".") && name.endsWith(".tmp");
