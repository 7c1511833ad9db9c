/**
 * The file-system calls the store makes where a failure must be handled (the WAL's writes and
 * syncs, the flush and manifest writes), gathered so a test can inject errors such as ENOSPC.
 */
import * as fs from "node:fs";
import { writeAllSync, writeFileAtomic } from "@dnsrep/util";

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
   * deleted), "tags" (a flush's TAGS file in place, the manifest not yet swapped), "wal-segment" (a
   * new segment started): the crash test's kill points
   */
  step(name: "flush-files" | "compaction-output" | "tags" | "manifest" | "wal-segment"): void;
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
  writeSync: writeAllSync,
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, len) => fs.ftruncateSync(fd, len),
  beforeFileWrite: () => {},
  step: () => {},
};

/**
 * Replace `dir/name` with `bytes` atomically and durably (@dnsrep/util's writeFileAtomic through
 * `io`): written to `temp`, fsynced, renamed, the directory synced. Throws the system error (the
 * temporary file removed).
 */
export function replaceFile(dir: string, name: string, temp: string, bytes: Uint8Array, io: StoreIo): void {
  io.beforeFileWrite(temp);
  writeFileAtomic(`${dir}/${name}`, bytes, { temp, io });
}
