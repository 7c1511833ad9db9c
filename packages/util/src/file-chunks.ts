/**
 * A file's bytes in chunks read into one reused buffer. A stream from createReadStream hands out a
 * new buffer per read; a consumer that keeps nothing of them (a parser that copies what it keeps)
 * leaves that garbage to the collector, which reclaims buffers only when the JavaScript heap asks
 * for a collection — a process allocating few objects grows by hundreds of MB first. Reading into
 * the same buffer keeps memory at the buffer's size.
 */
import { open } from "node:fs/promises";

/**
 * The bytes of the file at `path`, `size` at a time. Each chunk is a view of one reused buffer,
 * valid until the next step of the loop (copy what you keep). Breaking out closes the file.
 */
export async function* readFileChunks(path: string, size = 1 << 20): AsyncGenerator<Uint8Array> {
  const fh = await open(path, "r");
  try {
    const u = Buffer.allocUnsafeSlow(size);
    const buf = new Uint8Array(u.buffer, u.byteOffset, size);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) return;
      yield bytesRead === size ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
