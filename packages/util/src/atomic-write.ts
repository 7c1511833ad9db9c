/**
 * Replacing a whole file atomically and durably: the new contents go to a temporary file beside
 * the target, are flushed (fsync), and the temporary file is renamed over the target; then the
 * directory is flushed so the rename itself survives a crash. A reader sees the old file or the
 * new one, never a part; on a failure before the rename the temporary file is removed and the
 * target is untouched.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { dirname } from "node:path";
import { tempPathFor } from "./output-path.js";
import { writeAllSync } from "./write-all.js";

/** The file-system calls an atomic write makes, so a caller (or a test) can inject failures. */
export interface AtomicWriteIo {
  openSync(path: string, flags: string, mode?: number): number;
  /** write all of `buf` at the file's position */
  writeSync(fd: number, buf: Uint8Array): void;
  fsyncSync(fd: number): void;
}

export interface WriteFileAtomicOptions {
  /** the new file's permission bits (before the umask; default 0o666, as fs.writeFile) */
  mode?: number;
  /**
   * the temporary file's path (default: a fresh one from tempPathFor, created exclusively); a
   * named one is created or truncated — its owner removes a leftover of a crash at start
   */
  temp?: string;
  /** flush the file before the rename (default true); false: atomic but not durable */
  sync?: boolean;
  /** flush the directory after the rename (default: as `sync`); false when the caller syncs it once for many files */
  syncDir?: boolean;
  io?: AtomicWriteIo;
}

/** The contents: text (UTF-8), bytes, or pieces written one after the other. */
export type AtomicWriteData = string | Uint8Array | readonly Uint8Array[];

export const fsAtomicWriteIo: AtomicWriteIo = {
  openSync: (path, flags, mode) => fs.openSync(path, flags, mode),
  writeSync: writeAllSync,
  fsyncSync: (fd) => fs.fsyncSync(fd),
};

/**
 * Replace `path` with `data` atomically (see the file's comment). Throws the system error; a
 * failure after the rename (flushing the directory) is thrown with the new file in place.
 */
export function writeFileAtomic(path: string, data: AtomicWriteData, opts: WriteFileAtomicOptions = {}): void {
  const io = opts.io ?? fsAtomicWriteIo;
  const temp = opts.temp ?? tempPathFor(path);
  const fd = io.openSync(temp, opts.temp === undefined ? "wx" : "w", opts.mode ?? 0o666);
  finishAtomicWrite(fd, temp, path, data, opts);
}

/**
 * The rest of an atomic write whose temporary file `temp` the caller opened as `fd` (for example
 * exclusively, as a lock, before reading what to write): write `data`, flush, close, rename onto
 * `path`, flush the directory. The descriptor is closed in every case; on a failure before the
 * rename `temp` is removed and `path` untouched. `opts.mode` and `opts.temp` are not used.
 */
export function finishAtomicWrite(fd: number, temp: string, path: string, data: AtomicWriteData, opts: WriteFileAtomicOptions = {}): void {
  const io = opts.io ?? fsAtomicWriteIo;
  const sync = opts.sync ?? true;
  try {
    try {
      if (typeof data === "string") io.writeSync(fd, Buffer.from(data, "utf8"));
      else if (data instanceof Uint8Array) io.writeSync(fd, data);
      else for (const piece of data) io.writeSync(fd, piece);
      if (sync) io.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, path);
  } catch (e) {
    try {
      fs.unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    throw e;
  }
  if (opts.syncDir ?? sync) syncDir(dirname(path));
}

/**
 * Flush a directory, so the renames, creations and removals in it survive a crash. A file system
 * that cannot flush a directory (EINVAL, ENOTSUP) is passed over; any other error is thrown.
 */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP") throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * writeFileAtomic with the file-system calls on libuv's threads (the same steps: temporary file,
 * write, fsync, close, rename, directory flush), for a process whose event loop must not wait for
 * the disk. `opts.io` is not used. Rejects with the system error; the temporary file is removed on
 * a failure before the rename.
 */
export async function writeFileAtomicAsync(path: string, data: Uint8Array, opts: Omit<WriteFileAtomicOptions, "io"> = {}): Promise<void> {
  const temp = opts.temp ?? tempPathFor(path);
  const sync = opts.sync ?? true;
  const fh = await fsp.open(temp, opts.temp === undefined ? "wx" : "w", opts.mode ?? 0o666);
  try {
    try {
      await fh.writeFile(data);
      if (sync) await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(temp, path);
  } catch (e) {
    await fsp.unlink(temp).catch(() => {});
    throw e;
  }
  if (opts.syncDir ?? sync) {
    const dir = await fsp.open(dirname(path), "r");
    try {
      await dir.sync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EINVAL" && code !== "ENOTSUP") throw e;
    } finally {
      await dir.close();
    }
  }
}
