/**
 * A file's bytes in chunks read into one reused buffer. A stream from createReadStream hands out a
 * new buffer per read; a consumer that keeps nothing of them (a parser that copies what it keeps)
 * leaves that garbage to the collector, which reclaims buffers only when the JavaScript heap asks
 * for a collection — a process allocating few objects grows by hundreds of MB first. Reading into
 * the same buffer keeps memory at the buffer's size.
 */
import { readSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";

/**
 * A reader of `fh` into a buffer at an offset, resolving to the bytes read (0 at the end). A
 * regular file is read with readSync, as the C tools read (no thread-pool round trip and promise
 * per read), after giving the event loop one turn so that a signal or a timer is still handled
 * between reads; anything else (a FIFO, a character device) with the asynchronous read, which
 * never blocks the loop.
 */
export async function fileReader(fh: FileHandle): Promise<(buf: Uint8Array, at: number, length: number) => Promise<number>> {
  if ((await fh.stat()).isFile()) {
    return async (buf, at, length) => {
      await new Promise((r) => setImmediate(r));
      return readSync(fh.fd, buf, at, length, null);
    };
  }
  return async (buf, at, length) => (await fh.read(buf, at, length, null)).bytesRead;
}

/**
 * The bytes of the file at `path`, `size` at a time. Each chunk is a view of one reused buffer,
 * valid until the next step of the loop (copy what you keep). Breaking out closes the file.
 */
export async function* readFileChunks(path: string, size = 1 << 20): AsyncGenerator<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const read = await fileReader(fh);
    const u = Buffer.allocUnsafeSlow(size);
    const buf = new Uint8Array(u.buffer, u.byteOffset, size);
    for (;;) {
      const bytesRead = await read(buf, 0, size);
      if (bytesRead === 0) return;
      yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
