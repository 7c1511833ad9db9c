import { fstatSync } from "node:fs";
import { Writable } from "node:stream";
import { isatty } from "node:tty";
import { writeAllSync } from "@dnsrep/util";

/**
 * Whether writes to `fd` complete without waiting on anyone: a regular file, or a character device
 * that is not a terminal (/dev/null). Pipes, sockets, FIFOs and terminals can make a write wait
 * for a reader, so they are written asynchronously; these may be written synchronously, as the C
 * tools write them, without the thread-pool round trip of fs.write per chunk.
 */
export function writesNeverBlock(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    return st.isFile() || (st.isCharacterDevice() && !isatty(fd));
  } catch {
    return false;
  }
}

/**
 * A Writable over an fd that writesNeverBlock: each chunk is written synchronously in `_write`,
 * so a write returns once the kernel has it (no thread-pool hop, no buffering beyond the chunk).
 * The fd is the caller's to close. A failed write is the stream's error, as for fs.WriteStream.
 */
export class SyncFileStream extends Writable {
  readonly #fd: number;
  constructor(fd: number) {
    super({ highWaterMark: 1 << 20 });
    this.#fd = fd;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    try {
      writeAllSync(this.#fd, chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
  override _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    try {
      for (const c of chunks) writeAllSync(this.#fd, c.chunk);
      cb();
    } catch (e) {
      cb(e as Error);
    }
  }
}
