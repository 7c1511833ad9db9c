/**
 * The file-system calls the store makes where a failure must be handled (the WAL's writes and
 * syncs, the flush and manifest writes), gathered so a test can inject errors such as ENOSPC.
 */
import * as fs from "node:fs";

export interface StoreIo {
  /** write all of `buf` at `position` of `fd` */
  write(fd: number, buf: Uint8Array, position: number): Promise<void>;
  fdatasync(fd: number): Promise<void>;
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Uint8Array): void;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, len: number): void;
  /** called before a flush, compaction or manifest swap writes a file (a test's hook to fail it with ENOSPC) */
  beforeFileWrite(path: string): void;
  /**
   * called after each durable step — "flush-files" (a flush's files in place, not yet in the
   * manifest), "compaction-output" (likewise), "manifest" (swapped; WAL segments and inputs not yet
   * deleted), "wal-segment" (a new segment started): the crash test's kill points
   */
  step(name: "flush-files" | "compaction-output" | "manifest" | "wal-segment"): void;
}

function writeAt(fd: number, buf: Uint8Array, off: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, off, buf.length - off, position, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

export const defaultIo: StoreIo = {
  async write(fd, buf, position) {
    let off = 0;
    while (off < buf.length) off += await writeAt(fd, buf, off, position + off);
  },
  fdatasync: (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync(fd, buf) {
    let off = 0;
    while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
  },
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  beforeFileWrite: () => {},
  step: () => {},
};

/** Sync a directory, so the renames and unlinks in it are durable. */
export function syncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
